"""The live resources and settings of one digest run (the window it covers:
:mod:`digest.window`).

A leaf every stage may import: it knows the config, the state store and the fetcher, never the
stages themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.crawl import Crawl, CrawlFetcher
from digest.fetch import Fetcher
from digest.models import Window
from digest.store import Store
from digest.window import window_for


@dataclass
class RunContext:
    """Live resources and settings of one digest run (not passed between processes)."""

    config: Config
    store: Store
    fetcher: Fetcher | CrawlFetcher
    day: dt.date
    window: Window
    now: dt.datetime
    out_dir: Path
    send_email: bool = True
    resend: bool = False
    crawl: Crawl | None = None  # shared with the other stories of the run (digest/crawl.py)

    def close(self) -> None:
        self.fetcher.close()
        self.store.close()


def open_run(config: Config, *, day: dt.date | None = None, since: dt.datetime | None = None,
             until: dt.datetime | None = None, out_dir: Path | None = None,
             state_path: Path | None = None, send_email: bool = True, resend: bool = False,
             now: dt.datetime | None = None, crawl: Crawl | None = None) -> RunContext:
    """The run of one story's day; with ``crawl``, its feeds and pages are shared with the
    other stories of the same crawl."""
    now = now or dt.datetime.now(dt.UTC)
    day, window = window_for(config, day=day, since=since, until=until, now=now)
    store = Store(state_path or config.state_path)
    fetcher = (crawl.fetcher_for(config) if crawl is not None
               else Fetcher(config.fetch, local_root=config.fetch.local_root))
    return RunContext(config=config, store=store, fetcher=fetcher, day=day, window=window,
                      now=now, out_dir=out_dir or config.output_dir,
                      send_email=send_email, resend=resend, crawl=crawl)
