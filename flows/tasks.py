"""Prefect task wrappers around the library's pipeline stages: retries, timeouts, no caching.

Tasks are coarse on purpose (all feeds, all pages, all summaries): Prefect's per-task cost then
stays a small share of the run. Each body is one library call and one log line saying what it
did (counts, time, what was skipped and why; the words are in :mod:`digest.runlog`).
"""

from __future__ import annotations

import time
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from digest import collect, compose, runlog
from digest.pipeline import RunContext

NETWORK = dict(retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
               retry_jitter_factor=0.5, cache_policy=NO_CACHE)


@task(name="read-feeds", **NETWORK)
def read_feeds(ctx: RunContext) -> Any:
    """Read every feed of the story with conditional GET."""
    start = time.perf_counter()
    feeds = collect.read_feeds(ctx)
    get_run_logger().info(runlog.feeds_line(feeds, time.perf_counter() - start))
    return feeds


@task(name="fetch-pages", **NETWORK)
def fetch_pages(ctx: RunContext, selection: Any) -> Any:
    """Fetch and extract the window's pages (reusing what state already holds), extraction in
    a local process pool as pages arrive."""
    start = time.perf_counter()
    gathered = collect.gather_articles(ctx, selection)
    log_pages(gathered, time.perf_counter() - start)
    return gathered


def log_pages(gathered: Any, seconds: float) -> None:
    """The fetch-pages stage's log line."""
    get_run_logger().info(runlog.pages_line(len(gathered.articles), gathered.fetched,
                                            gathered.reused, gathered.skipped, seconds))


@task(name="fetch-only", **NETWORK)
def fetch_only(ctx: RunContext, plan: Any) -> Any:
    """Fetch the planned pages; a distributed runner extracts them."""
    return collect.fetch_pages(ctx, plan)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(jobs: list, screen: Any = None) -> list:
    """Extract one batch of fetched pages (runs on a worker of the flow's task runner)."""
    return collect.extract_batch(jobs, screen)


def gather_distributed(ctx: RunContext, selection: Any, batch: int = 64) -> Any:
    """The fetch-pages stage for distributed runners: fetch here, extract page batches as tasks
    on the runner's workers (submitted from the flow, whose context pickles), then merge."""
    start = time.perf_counter()
    plan = collect.plan_pages(ctx, selection)
    fetched = fetch_only(ctx, plan)
    jobs = [job for _, job in fetched.jobs]
    screen = collect.screen_for(ctx)
    futures = [extract_batch.submit(jobs[i:i + batch], screen)
               for i in range(0, len(jobs), batch)]
    outputs = [out for future in futures for out in future.result()]
    pairs = [(c, out) for (c, _), out in zip(fetched.jobs, outputs, strict=True)]
    gathered = collect.finish(ctx, plan, pairs, list(fetched.skipped))
    log_pages(gathered, time.perf_counter() - start)
    return gathered


@task(name="summarise", cache_policy=NO_CACHE)
def summarise(ctx: RunContext, draft: Any) -> Any:
    """Summarise each story article and the day's story overview."""
    start = time.perf_counter()
    digest = compose.summarise(ctx, draft)
    get_run_logger().info(runlog.summary_line(digest, time.perf_counter() - start))
    return digest


@task(name="publish", retries=1, cache_policy=NO_CACHE)
def publish(ctx: RunContext, digest: Any) -> Any:
    """Write the digest files and the archive, and record the digest in state."""
    start = time.perf_counter()
    paths = compose.publish(ctx, digest)
    get_run_logger().info(runlog.publish_line(paths, time.perf_counter() - start))
    return paths


@task(name="deliver", cache_policy=NO_CACHE)
def deliver(ctx: RunContext, digest: Any, password: str | None = None) -> Any:
    """Email the digest (idempotent: the state ledger stops a second send)."""
    start = time.perf_counter()
    result = compose.deliver(ctx, digest, password=password)
    get_run_logger().info(runlog.delivery_line(result, time.perf_counter() - start))
    return result


def timeouts(ctx: RunContext) -> dict[str, Any]:
    """Task objects with timeouts taken from the story's config."""
    budget = ctx.config.fetch.source_budget
    return {
        "read_feeds": read_feeds.with_options(timeout_seconds=budget + 60),
        "fetch_pages": fetch_pages.with_options(timeout_seconds=budget + 300),
        "summarise": summarise,
        "publish": publish,
        "deliver": deliver.with_options(timeout_seconds=ctx.config.email.timeout * 10 + 60),
    }
