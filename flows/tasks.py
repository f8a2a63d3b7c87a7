"""Prefect task wrappers around the library's pipeline stages: retries, timeouts, no caching
(and no results kept on the task runs' states: a run of fifty stories would hold every story's
articles and digest until it ends). Their inputs are lent (:class:`Lent`), for the same reason.

Tasks are coarse on purpose (all feeds, all pages, all summaries): Prefect's per-task cost then
stays a small share of the run. Each body is one library call and one log line saying what it
did (counts, time, what was skipped and why; the words are in :mod:`digest.runlog`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from digest import runlog
from digest.history import History
from digest.models import Digest, FeedResult
from digest.pipeline import RunContext, Stages, collect, compose, replay
from digest.pipeline.collect import Fetched, Gathered, Plan, Selection
from digest.pipeline.compose import Draft

T = TypeVar("T")
R = TypeVar("R")
_TAKEN = object()


class Lent(Generic[T]):
    """A task's input, taken back by the caller once the task run is over (:func:`lend`).

    Prefect keeps a task run's context, and with it the run's parameters, alive after the run:
    in timers of its client's event loop (until the request timeout) and, for a task run with
    tags, in a concurrency service that lives as long as the process. A story's draft, history
    and digest would outlive the story in a many-story run; lent, only an empty box does.
    Prefect does not look inside it either (thousands of entries, no futures to resolve)."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value: Any = value

    def get(self) -> T:
        if self._value is _TAKEN:
            raise RuntimeError("a lent task input was used after its task run")
        return cast(T, self._value)

    def take_back(self) -> None:
        self._value = _TAKEN


def lend(task_: Callable[..., R], *values: Any, **kwargs: Any) -> R:
    """``task_(*values, **kwargs)`` with ``values`` lent: taken back when the call returns."""
    boxes = [Lent(v) for v in values]
    try:
        return task_(*boxes, **kwargs)
    finally:
        for box in boxes:
            box.take_back()


RETRIES = 2
BACKOFF = exponential_backoff(backoff_factor=2)


@task(name="read-feeds", retries=RETRIES, retry_delay_seconds=BACKOFF, retry_jitter_factor=0.5,
      cache_policy=NO_CACHE, cache_result_in_memory=False)
def read_feeds(ctx: Lent[RunContext]) -> list[FeedResult]:
    """Read every feed of the story with conditional GET."""
    start = time.perf_counter()
    feeds = collect.read_feeds(ctx.get())
    get_run_logger().info(runlog.feeds_line(feeds, time.perf_counter() - start))
    return feeds


@task(name="fetch-pages", retries=RETRIES, retry_delay_seconds=BACKOFF, retry_jitter_factor=0.5,
      cache_policy=NO_CACHE, cache_result_in_memory=False)
def fetch_pages(ctx: Lent[RunContext], selection: Lent[Selection]) -> Gathered:
    """Fetch and extract the window's pages (reusing what state already holds), extraction in
    a local process pool as pages arrive."""
    start = time.perf_counter()
    gathered = collect.gather_articles(ctx.get(), selection.get())
    log_pages(gathered, time.perf_counter() - start)
    return gathered


def log_pages(gathered: Any, seconds: float) -> None:
    """The fetch-pages stage's log line."""
    get_run_logger().info(runlog.pages_line(len(gathered.articles), gathered.fetched,
                                            gathered.reused, gathered.skipped, seconds))


@task(name="fetch-only", retries=RETRIES, retry_delay_seconds=BACKOFF, retry_jitter_factor=0.5,
      cache_policy=NO_CACHE, cache_result_in_memory=False)
def fetch_only(ctx: Lent[RunContext], plan: Lent[Plan]) -> Fetched:
    """Fetch the planned pages; a distributed runner extracts them."""
    return collect.fetch_pages(ctx.get(), plan.get())


@task(name="extract-batch", cache_policy=NO_CACHE)  # submitted: its future reads the result
def extract_batch(jobs: list, screen: Any = None) -> list:
    """Extract one batch of fetched pages (runs on a worker of the flow's task runner)."""
    return collect.extract_batch(jobs, screen)


def gather_distributed(ctx: RunContext, selection: Selection, batch: int = 64) -> Gathered:
    """The fetch-pages stage for distributed runners: fetch here, extract page batches as tasks
    on the runner's workers (submitted from the flow, whose context pickles), then merge."""
    start = time.perf_counter()
    plan = collect.plan_pages(ctx, selection)
    fetched = lend(fetch_only, ctx, plan)
    jobs = [job for _, job in fetched.jobs]
    screen = collect.screen_for(ctx)
    futures = [extract_batch.submit(jobs[i:i + batch], screen)
               for i in range(0, len(jobs), batch)]
    outputs = [out for future in futures for out in future.result()]
    pairs = [(c, out) for (c, _), out in zip(fetched.jobs, outputs, strict=True)]
    gathered = replace(collect.finish(ctx, plan, pairs, list(fetched.skipped)),
                       timings={**fetched.timings,
                                "fetch_extract": time.perf_counter() - start})
    log_pages(gathered, time.perf_counter() - start)
    return gathered


@task(name="summarise", cache_policy=NO_CACHE, cache_result_in_memory=False)
def summarise(ctx: Lent[RunContext], draft: Lent[Draft], history: Lent[History]) -> Digest:
    """Summarise each story article and the day's story overview."""
    start = time.perf_counter()
    digest = compose.summarise(ctx.get(), draft.get(), history.get())
    get_run_logger().info(runlog.summary_line(digest, time.perf_counter() - start))
    return digest


@task(name="publish", retries=1, cache_policy=NO_CACHE, cache_result_in_memory=False)
def publish(ctx: Lent[RunContext], digest: Lent[Digest], inputs: replay.Inputs | None
            ) -> dict[str, Path]:
    """Write the digest files and the archive, and record the digest in state."""
    start = time.perf_counter()
    paths = compose.publish(ctx.get(), digest.get(), inputs)
    get_run_logger().info(runlog.publish_line(paths, time.perf_counter() - start))
    return paths


@task(name="deliver", cache_policy=NO_CACHE, cache_result_in_memory=False)
def deliver(ctx: Lent[RunContext], digest: Lent[Digest], password: str | None = None) -> Any:
    """Email the digest (idempotent: the state ledger stops a second send)."""
    start = time.perf_counter()
    result = compose.deliver(ctx.get(), digest.get(), password=password)
    get_run_logger().info(runlog.delivery_line(result, time.perf_counter() - start))
    return result


def _logged_feeds(ctx: RunContext) -> list[FeedResult]:
    """The read-feeds stage as a plain call (feed answers come from a shared crawl)."""
    start = time.perf_counter()
    feeds = collect.read_feeds(ctx)
    get_run_logger().info(runlog.feeds_line(feeds, time.perf_counter() - start))
    return feeds


def _logged_pages(ctx: RunContext, selection: Selection) -> Gathered:
    """The fetch-pages stage as a plain call (pages come from a shared crawl)."""
    start = time.perf_counter()
    gathered = collect.gather_articles(ctx, selection)
    log_pages(gathered, time.perf_counter() - start)
    return gathered


def stages(ctx: RunContext, password: str | None = None) -> Stages:
    """The run's stages as Prefect tasks, with timeouts from the story's config (and the
    distributed fetch-pages stage for ``[runner] kind = "dask"``).

    Inputs are lent (:func:`lend`): they hold no futures (thousands of entries and articles), so
    Prefect need not walk them to resolve inputs (about 0.2 s per task at 2,000 articles), and
    they are taken back when the task run is over."""
    budget = ctx.config.fetch.source_budget
    feeds_task = read_feeds.with_options(timeout_seconds=budget + 60)
    pages_task = fetch_pages.with_options(timeout_seconds=budget + 300)
    # the overview, quotes and figures stop at compose.STAGE_TIMEOUT; the rest is linear
    summarise_task = summarise.with_options(timeout_seconds=compose.STAGE_TIMEOUT + 600)
    deliver_task = deliver.with_options(timeout_seconds=ctx.config.email.timeout * 10 + 60)

    def gather(c: RunContext, selection: Selection) -> Gathered:
        if c.config.runner.kind == "dask" and c.crawl is None:  # a shared crawl has the pages
            return gather_distributed(c, selection)
        return lend(pages_task, c, selection)

    if ctx.crawl is not None:  # the run's shared-crawl task did the network work already:
        return Stages(            # reading it back is cheap, so no task runs for it
            read_feeds=_logged_feeds, gather=_logged_pages,
            summarise=lambda c, draft, history: lend(summarise_task, c, draft, history),
            publish=lambda c, digest, inputs: lend(publish, c, digest, inputs=inputs),
            deliver=lambda c, digest: lend(deliver_task, c, digest, password=password),
        )
    return Stages(
        read_feeds=lambda c: lend(feeds_task, c),
        gather=gather,
        summarise=lambda c, draft, history: lend(summarise_task, c, draft, history),
        publish=lambda c, digest, inputs: lend(publish, c, digest, inputs=inputs),
        deliver=lambda c, digest: lend(deliver_task, c, digest, password=password),
    )
