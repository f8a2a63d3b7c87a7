"""The order of a day's digest: the one place that wires the stages together.

:func:`run` calls the expensive stages through a :class:`Stages` value: :data:`DIRECT` for the
library, a Prefect version (tasks with retries and timeouts) built by ``flows/``. The cheap steps
(picking entries, judging and folding, the replay check) are plain calls. The library never
imports Prefect.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from digest import feedback
from digest.errors import SourcesError
from digest.history import History
from digest.models import Digest, FeedResult
from digest.output.archive import remove_stale_temps
from digest.pipeline import collect, compose, replay
from digest.pipeline.collect import Gathered, Selection
from digest.pipeline.compose import Draft
from digest.pipeline.context import RunContext, open_run, window_for

__all__ = ["DIRECT", "RunContext", "RunResult", "Stages", "open_run", "report", "run",
           "window_for"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stages:
    """The expensive stages of a run, each a callable with the library function's signature.

    Every field is required: an orchestrator that leaves one out fails when it builds its
    ``Stages``, instead of running that stage untracked."""

    read_feeds: Callable[[RunContext], list[FeedResult]]
    gather: Callable[[RunContext, Selection], Gathered]
    summarise: Callable[[RunContext, Draft, History], Digest]
    publish: Callable[[RunContext, Digest, replay.Inputs | None], dict[str, Path]]
    deliver: Callable[[RunContext, Digest], Any]


DIRECT = Stages(read_feeds=collect.read_feeds, gather=collect.gather_articles,
                summarise=compose.summarise, publish=compose.publish, deliver=compose.deliver)


def _timed(timings: dict[str, float], name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, its wall-clock seconds added to ``timings[name]``."""
    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def load_history(ctx: RunContext) -> History:
    """Everything the stages need of the story's earlier days, read once: what state holds of
    earlier digests and articles, and the reader's corrections."""
    slug = ctx.config.story.slug
    history = ctx.store.history(slug, ctx.day, ctx.window.since, ctx.config.relevance.lookback_days)
    return replace(history, verdicts=tuple(feedback.verdicts(ctx.store, slug)))


def run(ctx: RunContext, stages: Stages = DIRECT) -> RunResult:
    """Produce, write and deliver the day's digest. The run's timings are this function's own
    record: each stage's wall-clock time, plus the parts a stage reports in its value.
    (:func:`digest.pipeline.keep.kept_day` takes the steps up to the replay check too.)"""
    start = time.perf_counter()
    timings: dict[str, float] = {}
    # a run killed while writing left a hidden temporary file: gone before anything is written
    remove_stale_temps(ctx.out_dir / ctx.config.story.slug)
    remove_stale_temps(ctx.out_dir)
    feeds = _timed(timings, "feeds", stages.read_feeds, ctx)
    if feeds and all(f.status == "error" for f in feeds):
        first = next(f for f in feeds)
        raise SourcesError(f"no source could be read ({len(feeds)} failed; "
                           f"{first.source.name}: {first.error})")
    # nothing new at all (every feed "not modified", state as when the digest was made): kept
    # without reading the window's items and pages
    unchanged = _timed(timings, "replay", replay.unchanged_digest, ctx, feeds)
    replayed = unchanged is not None
    if unchanged is not None:
        digest, paths, known = unchanged
        fetched, reused = 0, known
    else:
        generation = ctx.store.generation()
        selection = _timed(timings, "select", collect.select_entries, ctx, feeds)
        gathered = stages.gather(ctx, selection)
        timings.update(gathered.timings)
        fetched, reused = gathered.fetched, gathered.reused
        history = _timed(timings, "history", load_history, ctx)
        inputs, again = _timed(timings, "replay", replay.stored_for, ctx, feeds, selection,
                               gathered, history, generation)
        replayed = again is not None
        if again is not None:  # nothing new since this day's digest was made: keep it
            digest, paths = again
        else:
            draft = _timed(timings, "relevance_dedup", compose.assemble, ctx, feeds, selection,
                           gathered, history)
            timings.update(draft.timings)
            digest = _timed(timings, "summarise", stages.summarise, ctx, draft, history)
            paths = _timed(timings, "render_write", stages.publish, ctx, digest, inputs)
    delivery = stages.deliver(ctx, digest) if ctx.send_email else None
    timings["run"] = time.perf_counter() - start  # every stage, with the runner's own cost
    return RunResult(digest=digest, paths=paths, delivery=delivery,
                     feeds_ok=sum(f.status != "error" for f in feeds),
                     feeds_failed=sum(f.status == "error" for f in feeds),
                     fetched=fetched, reused=reused, timings=timings,
                     replayed=replayed)


@dataclass(frozen=True)
class RunResult:
    digest: Digest
    paths: dict[str, Path]
    delivery: Any
    feeds_ok: int
    feeds_failed: int
    fetched: int = 0  # pages downloaded this run
    reused: int = 0  # pages taken from state
    timings: dict[str, float] = field(default_factory=dict)
    replayed: bool = False  # inputs unchanged: the day's digest made earlier was kept


def report(result: RunResult) -> dict[str, Any]:
    """A short, JSON-ready account of one run (for the CLI, Prefect and logs)."""
    d = result.digest
    return {
        "story": d.story.slug,
        "date": d.date.isoformat(),
        "window": {"since": d.window.since.isoformat(), "until": d.window.until.isoformat()},
        "feeds_ok": result.feeds_ok,
        "feeds_failed": result.feeds_failed,
        "failed": [{"name": s.name, "error": s.error} for s in d.failed_sources],
        "items_seen": int(d.stats.get("items_seen", 0)),
        "items_in_window": int(d.stats.get("items_in_window", 0)),
        "screened_out": int(d.stats.get("screened_out", 0)),
        "relevant": int(d.stats.get("relevant", 0)),
        "duplicates_folded": int(d.stats.get("duplicates_folded", 0)),
        "articles": len(d.articles),
        "outlets": len(d.outlets),
        "pages_fetched": result.fetched,
        "pages_reused": result.reused,
        "paths": {k: str(v) for k, v in result.paths.items()},
        "email": getattr(result.delivery, "status", None),
        "email_detail": getattr(result.delivery, "line", None),  # one line (digest/delivery.py)
        "emails": result.delivery.as_dict()["messages"] if result.delivery is not None else [],
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "replayed": result.replayed,
    }
