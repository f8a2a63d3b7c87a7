"""The day's digest as a sequence of plain stage functions over one run context.

:func:`run` composes the stages; the Prefect flow passes a ``call`` hook that runs the expensive
stages as tasks, so the sequence is written once and the library never imports Prefect.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import collect, compose, replay
from .config import Config
from .errors import SourcesError
from .fetch import Fetcher
from .models import Digest, FeedResult, Window
from .store import Store

log = logging.getLogger(__name__)

StageCall = Callable[..., Any]


@dataclass
class RunContext:
    """Live resources and settings of one digest run (not passed between processes)."""

    config: Config
    store: Store
    fetcher: Fetcher
    day: dt.date
    window: Window
    now: dt.datetime
    out_dir: Path
    send_email: bool = True
    resend: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, float] = field(default_factory=dict)
    input_key: str | None = None  # hash of everything the day's digest is made from (replay.py)

    def close(self) -> None:
        self.fetcher.close()
        self.store.close()


def window_for(config: Config, *, day: dt.date | None = None, since: dt.datetime | None = None,
               until: dt.datetime | None = None,
               now: dt.datetime | None = None) -> tuple[dt.date, Window]:
    """The digest date and window: from the scheduled send before a day's send time (at least 24
    hours) to it, an explicit span (``until`` alone, as a scheduled run gives: from the scheduled
    send before it), or (nothing given) the 24 hours ending ``now``."""
    now = now or dt.datetime.now(dt.UTC)
    if since is not None or until is not None:
        until = until or now
        since = since or config.schedule.window_start(until)
        if since >= until:
            raise ValueError("--since must be before --until")
        return until.astimezone(config.story.tz).date(), Window(since.astimezone(dt.UTC),
                                                                  until.astimezone(dt.UTC))
    if day is None:  # the 24 hours ending now
        return now.astimezone(config.story.tz).date(), Window(now - dt.timedelta(days=1), now)
    end = config.schedule.send_time(day)
    return day, Window(config.schedule.window_start(end), end)


def open_run(config: Config, *, day: dt.date | None = None, since: dt.datetime | None = None,
             until: dt.datetime | None = None, out_dir: Path | None = None,
             state_path: Path | None = None, send_email: bool = True, resend: bool = False,
             now: dt.datetime | None = None) -> RunContext:
    now = now or dt.datetime.now(dt.UTC)
    day, window = window_for(config, day=day, since=since, until=until, now=now)
    store = Store(state_path or config.state_path)
    fetcher = Fetcher(config.fetch, local_root=config.fetch.local_root)
    return RunContext(config=config, store=store, fetcher=fetcher, day=day, window=window,
                      now=now, out_dir=out_dir or config.output_dir,
                      send_email=send_email, resend=resend)


def timed(ctx: RunContext, name: str, fn: Callable[..., Any], *args: Any) -> Any:
    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        ctx.timings[name] = ctx.timings.get(name, 0.0) + time.perf_counter() - start


def _direct(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def run(ctx: RunContext, call: Callable[..., Any] = _direct) -> RunResult:
    """Produce, write and deliver the day's digest. ``call(name, fn, *args)`` runs a stage."""
    start = time.perf_counter()
    feeds: list[FeedResult] = call("read_feeds", collect.read_feeds, ctx)
    if feeds and all(f.status == "error" for f in feeds):
        first = next(f for f in feeds)
        raise SourcesError(f"no source could be read ({len(feeds)} failed; "
                           f"{first.source.name}: {first.error})")
    selection = timed(ctx, "select", collect.select_entries, ctx, feeds)
    gathered = call("fetch_pages", collect.gather_articles, ctx, selection)
    ctx.input_key = timed(ctx, "replay", replay.input_key, ctx, feeds, selection, gathered)
    again = timed(ctx, "replay", replay.stored_digest, ctx, ctx.input_key, gathered)
    if again is not None:  # nothing new since this day's digest was made: keep it
        digest, paths = again
    else:
        draft = timed(ctx, "relevance_dedup", compose.assemble, ctx, feeds, selection, gathered)
        digest = call("summarise", compose.summarise, ctx, draft)
        paths = call("publish", compose.publish, ctx, digest)
    delivery = call("deliver", compose.deliver, ctx, digest) if ctx.send_email else None
    ctx.timings["run"] = time.perf_counter() - start  # every stage, with the runner's own cost
    return RunResult(digest=digest, paths=paths, delivery=delivery,
                     feeds_ok=sum(f.status != "error" for f in feeds),
                     feeds_failed=sum(f.status == "error" for f in feeds),
                     fetched=gathered.fetched, reused=gathered.reused,
                     timings=dict(ctx.timings), replayed=again is not None)


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

    @property
    def all_sources_failed(self) -> bool:
        return self.feeds_ok == 0


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
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "replayed": result.replayed,
    }
