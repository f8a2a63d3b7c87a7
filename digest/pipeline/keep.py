"""A story's day that a run would only keep: found without running it (a warm many-story run).

:func:`kept_day` takes the steps :func:`digest.pipeline.runner.run` takes up to its replay check
(feeds, then :func:`~digest.pipeline.replay.unchanged_digest`, or entries, pages from state,
history and :func:`~digest.pipeline.replay.stored_for`) without writing inputs, and answers with the
result that run would return only when the run would do nothing else: no page to fetch or store,
no email owed or to send (the day's digest already sent to these recipients, nothing in the
outbox), no ``--resend``, no sources alert. Otherwise it answers None and the story runs as
always. Only when the day is kept does it write what the run would have written on a replay: the
feeds that answered with a body (their validators and items), the removal of stale
temporary files, and (the full way) the mark that the stored digest is current.

:func:`check_all` checks a run's stories: the first here (its feed requests go out into the
shared crawl), and more here while the caller's ``here_while`` says so (a command line run's
checks hide behind the boot of Prefect's temporary server, which needs a core of its own); the
rest in worker processes forked with the crawl's answers (the check is CPU-bound Python, 20-200
ms a story as the web grows; threads only pass the GIL around). A worker never asks the network:
a story whose feed requests the crawl has not answered is checked here afterwards.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from digest import alerts, outbox, parallel
from digest.config import Config
from digest.crawl import Crawl, Unremembered
from digest.delivery import Round
from digest.email import DeliveryResult
from digest.models import FeedResult
from digest.output.archive import remove_stale_temps
from digest.pipeline import collect, replay
from digest.pipeline.context import RunContext
from digest.pipeline.runner import RunResult, load_history, report

FORK_FROM = 8  # stories from which the checks are shared out to worker processes


def kept_day(ctx: RunContext) -> RunResult | None:
    """What :func:`~digest.pipeline.runner.run` would return for ``ctx`` when it would keep the
    day's stored digest and do nothing else; None (state and files untouched) otherwise."""
    start = time.perf_counter()
    if ctx.resend:
        return None
    feeds = collect.read_feeds(ctx, save=False)
    ok = sum(f.status != "error" for f in feeds)
    failed = len(feeds) - ok
    if not ok:  # no source read: the run fails, and says so
        return None
    if alerts.sources_failed_share({"feeds_ok": ok, "feeds_failed": failed}) \
            > alerts.SOURCES_FAILED_SHARE:  # the run's completion alerts the operator
        return None
    unchanged = replay.unchanged_digest(ctx, feeds)  # nothing new at all: the quick answer
    if unchanged is not None:
        digest, paths, reused = unchanged
    else:
        generation = ctx.store.generation()
        selection = collect.select_entries(ctx, feeds)
        plan = collect.plan_pages(ctx, selection)
        if plan.to_fetch or plan.inline:  # pages to fetch or articles to store: not a replay
            return None
        gathered = collect.finish(ctx, plan, [], [])  # nothing extracted: writes nothing
        history = load_history(ctx)
        _, again = replay.stored_for(ctx, feeds, selection, gathered, history, generation)
        if again is None:
            return None
        digest, paths = again
        reused = len(plan.known)
    delivery: Round | None = None
    if ctx.send_email and ctx.config.email.enabled:
        delivery = _sent_already(ctx)
        if delivery is None:
            return None
    _save_feeds(ctx, feeds)
    remove_stale_temps(ctx.out_dir / ctx.config.story.slug)
    remove_stale_temps(ctx.out_dir)
    seconds = time.perf_counter() - start
    return RunResult(digest=digest, paths=paths, delivery=delivery, feeds_ok=ok,
                     feeds_failed=failed, fetched=0, reused=reused,
                     timings={"keep": seconds, "run": seconds}, replayed=True)


def _sent_already(ctx: RunContext) -> Round | None:
    """The email round a run would have when the day's digest went to these recipients already
    and nothing is owed or being sent for the story; else None (the run has mail to send)."""
    settings, slug = ctx.config.email, ctx.config.story.slug
    recipients = tuple(settings.to)
    if not recipients or outbox.pending(ctx.store, slug):
        return None
    previous = ctx.store.delivery(slug, ctx.day, recipients)
    if previous is None:
        return None
    return Round((DeliveryResult(status="skipped", message_id=previous, recipients=recipients,
                                 date=ctx.day),))


def _save_feeds(ctx: RunContext, feeds: Sequence[FeedResult]) -> None:
    """What :func:`digest.pipeline.collect.read_feed` saves of a feed that answered with a body."""
    for f in feeds:
        if f.status == "ok":
            collect.save_feed(ctx, f)


# -- many stories -----------------------------------------------------------------------------


def check(cfg: Config, opener: Callable[[Config], RunContext]) -> dict[str, Any] | None:
    """The report of the story's run (:func:`~digest.pipeline.runner.report`, marked ``kept``)
    when its day would only be kept; None when it must run. ``opener`` opens the story's run."""
    ctx = opener(cfg)
    try:
        result = kept_day(ctx)
    finally:
        ctx.close()
    return None if result is None else {**report(result), "kept": True}


class Failed(str):
    """What a check raised, in one line (the story runs; its own run reports any problem)."""


ASK_HERE = Failed("a feed request the crawl had not answered")  # a worker's: checked again here


@dataclass
class _Forked:
    """What the forked workers check: the run's stories, how to open them, and its crawl."""

    configs: Sequence[Config]
    opener: Callable[[Config], RunContext]
    crawl: Crawl | None
    parent: int


_forked: _Forked | None = None  # set while a pool of workers forked from this process checks


def _check_forked(index: int) -> dict[str, Any] | Failed | None:
    """:func:`check` of story ``index`` in a forked worker, never asking the network (a story
    whose feed requests the crawl has not answered comes back as ``Unremembered``)."""
    job = _forked
    assert job is not None
    if job.crawl is not None and os.getpid() != job.parent:  # a worker's own copy of the crawl
        job.crawl.offline = True
    return _check_here(job.configs[index], job.opener)


def check_all(configs: Sequence[Config], opener: Callable[[Config], RunContext],
              crawl: Crawl | None = None, workers: int = 0,
              here_while: Callable[[], bool] | None = None,
              ) -> list[dict[str, Any] | Failed | None]:
    """:func:`check` of every story, in order: its kept report, None (it must run), or
    :class:`Failed` (the check raised: it runs too). From :data:`FORK_FROM` stories, with two
    cores or more, the first is checked here, then more here while ``here_while()`` is true,
    and the others in forked worker processes."""
    global _forked
    out: list[dict[str, Any] | Failed | None] = []
    forking = len(configs) >= FORK_FROM and parallel.cores(workers) >= 2
    first = 0
    while first < len(configs) and (not forking or first == 0 or (
            here_while is not None and here_while())):
        out.append(_check_here(configs[first], opener))
        first += 1
    if first == len(configs):
        return out
    _forked = _Forked(configs, opener, crawl, os.getpid())
    try:
        calls: list[parallel.Call] = [(_check_forked, (i,), {})
                                      for i in range(first, len(configs))]
        found = parallel.Batch(calls, min(parallel.cores(workers), 2)).results()
    finally:
        _forked = None
    for cfg, got in zip(configs[first:], found, strict=True):
        # asked the network in the worker: checked here, where what the crawl reads is kept
        out.append(_check_here(cfg, opener) if got == ASK_HERE else got)
    return out


def _check_here(cfg: Config, opener: Callable[[Config], RunContext],
                ) -> dict[str, Any] | Failed | None:
    """:func:`check`, a failure in one line (``Unremembered`` only where the crawl is offline:
    a forked worker's copy)."""
    try:
        return check(cfg, opener)
    except Unremembered:
        return ASK_HERE
    except Exception as exc:  # noqa: BLE001 - the story's own run does it, and reports it
        return Failed(f"{type(exc).__name__}: {exc}")
