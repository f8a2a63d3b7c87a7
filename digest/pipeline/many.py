"""Many stories over one crawl, without an orchestrator: the library's version of the
``daily-digests`` flow (benchmarks, tests and scripts use it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.crawl import Crawl
from digest.errors import DigestError
from digest.pipeline.context import open_run
from digest.pipeline.runner import DIRECT, RunResult, Stages, run


@dataclass(frozen=True)
class StoryRun:
    """One story's part of a many-story run: its result, or why it failed."""

    config: Config
    result: RunResult | None
    error: str | None = None


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
    runs: list[StoryRun] = []
    try:
        for cfg in configs:
            try:
                ctx = open_run(cfg, day=day, since=since, until=until, out_dir=out_dir,
                               send_email=send_email, now=now, crawl=crawl)
            except (DigestError, OSError, ValueError) as exc:
                runs.append(StoryRun(cfg, None, str(exc)))
                continue
            try:
                runs.append(StoryRun(cfg, run(ctx, stages)))
            except DigestError as exc:  # one story never stops the others
                runs.append(StoryRun(cfg, None, str(exc)))
            finally:
                ctx.close()
    finally:
        if own:
            crawl.close()
    return runs
