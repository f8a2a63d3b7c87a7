"""Many stories over one crawl, without an orchestrator: the library's version of the
``daily-digests`` flow (benchmarks, tests and scripts use it)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digest import memory
from digest.config import Config
from digest.crawl import Crawl, CrawlFetcher
from digest.errors import DigestError
from digest.pipeline import collect
from digest.pipeline.collect import Candidate
from digest.pipeline.context import RunContext, open_run
from digest.pipeline.runner import DIRECT, RunResult, Stages, run

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoryRun:
    """One story's part of a many-story run: its result, or why it failed."""

    config: Config
    result: RunResult | None
    error: str | None = None


def pages_wanted(ctx: RunContext) -> tuple[Candidate, ...]:
    """The pages a story's run will ask the crawl for: its feeds read through the crawl
    (nothing saved: the story's own run does that), its window's entries, what its state lacks."""
    feeds = collect.read_feeds(ctx, save=False)
    selection = collect.select_entries(ctx, feeds)
    return collect.plan_pages(ctx, selection).to_fetch


def wanted_by_fetcher(ctxs: Sequence[RunContext]) -> list[tuple[RunContext, list[Candidate]]]:
    """The union of the pages the stories will ask for, one list per shared fetcher (stories
    with the same fetch settings), each with a story context to fetch them through. A story
    whose feeds cannot be read here is left to its own run, which reports it."""
    groups: dict[object, tuple[RunContext, dict[str, Candidate]]] = {}
    for ctx in ctxs:
        assert ctx.crawl is not None and isinstance(ctx.fetcher, CrawlFetcher)
        try:
            wanted = pages_wanted(ctx)
        except (DigestError, OSError) as exc:
            log.warning("%s: looking ahead failed: %s", ctx.config.story.slug, exc)
            continue
        _, union = groups.setdefault(ctx.fetcher.key, (ctx, {}))
        for c in wanted:
            union.setdefault(c.entry.url, c)
    return [(ctx, list(union.values())) for ctx, union in groups.values()]


def prefetch(ctxs: Sequence[RunContext]) -> dict[str, float]:
    """Read every story's feeds and fetch, screen and extract the union of the pages they will
    ask for, all at once (pages in parallel across stories), into the stories' shared crawl."""
    start = time.perf_counter()
    groups = wanted_by_fetcher(ctxs)
    timings: dict[str, float] = {"crawl_plan": time.perf_counter() - start}
    for ctx, cands in groups:
        for name, seconds in collect.crawl_pages(ctx, cands).items():
            timings[name] = timings.get(name, 0.0) + seconds
    timings["crawl"] = time.perf_counter() - start
    memory.release()  # what fetching and extracting freed (the crawl keeps only its records)
    return timings


def run_many(configs: Sequence[Config], *, day: dt.date | None = None,
             since: dt.datetime | None = None, until: dt.datetime | None = None,
             out_dir: Path | None = None, send_email: bool = True,
             now: dt.datetime | None = None, stages: Stages = DIRECT,
             crawl: Crawl | None = None) -> list[StoryRun]:
    """Each story's digest for the same day, in order, over one shared crawl (``crawl``, or a
    new one closed at the end). Each story uses its own state; one that fails is recorded and
    the others go on."""
    own = crawl is None
    crawl = crawl or Crawl(configs)
    opened: list[tuple[Config, RunContext | str]] = []
    try:
        for cfg in configs:
            try:
                opened.append((cfg, open_run(cfg, day=day, since=since, until=until,
                                             out_dir=out_dir, send_email=send_email, now=now,
                                             crawl=crawl)))
            except (DigestError, OSError, ValueError) as exc:
                opened.append((cfg, str(exc)))
        prefetch([ctx for _, ctx in opened if not isinstance(ctx, str)])
        runs: list[StoryRun] = []
        for cfg, ctx in opened:
            if isinstance(ctx, str):
                runs.append(StoryRun(cfg, None, ctx))
                continue
            try:
                runs.append(StoryRun(cfg, run(ctx, stages)))
            except DigestError as exc:  # one story never stops the others
                runs.append(StoryRun(cfg, None, str(exc)))
            memory.release()  # what the story's run freed, before the next one
    finally:
        for _, ctx in opened:
            if not isinstance(ctx, str):
                ctx.close()
        if own:
            crawl.close()
    return runs
