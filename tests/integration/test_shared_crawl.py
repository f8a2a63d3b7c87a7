"""Many stories over one crawl (digest/crawl.py, digest/pipeline/many.py): each story's digest
is the one it makes alone, while feeds are read and pages fetched once for all of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.config import Config
from digest.crawl import Crawl
from digest.pipeline import open_run, run
from digest.pipeline.many import run_many
from tests.support.packserve import serve_pack
from tests.support.stories import DONBAS, ROOT, story_config, story_files, story_state

DAYS = [dt.date(2016, 9, d) for d in (14, 15, 16, 21)]


def _alone(cfg: Config, day: dt.date) -> None:
    ctx = open_run(cfg, day=day, send_email=False, now=cfg.schedule.send_time(day))
    try:
        run(ctx)
    finally:
        ctx.close()


def _together(configs: list[Config], day: dt.date, crawl: Crawl | None = None) -> None:
    runs = run_many(configs, day=day, send_email=False, now=configs[0].schedule.send_time(day),
                    crawl=crawl)
    assert [r.error for r in runs] == [None] * len(configs)


def _compare(alone: list[Config], together: list[Config]) -> None:
    assert story_state(alone[0])["carried"], "the first story carried nothing"
    for a, b in zip(alone, together, strict=True):
        state_a, state_b = story_state(a), story_state(b)
        assert state_a["articles"] and state_a["feed_items"]
        for table in state_a:
            assert state_a[table] == state_b[table], f"{a.story.slug}: state table {table}"
        files_a, files_b = story_files(a), story_files(b)
        assert files_a, f"{a.story.slug} wrote nothing"
        assert files_a.keys() == files_b.keys()
        for name in files_a:
            assert files_a[name] == files_b[name], f"{a.story.slug}: {name} differs"


def test_each_story_of_a_shared_crawl_writes_what_it_writes_alone(tmp_path: Path) -> None:
    alone = [story_config(tmp_path / "alone", "syria"),
             story_config(tmp_path / "alone", "donbas", text=DONBAS)]
    together = [story_config(tmp_path / "together", "syria"),
                story_config(tmp_path / "together", "donbas", text=DONBAS)]
    for day in DAYS:
        for cfg in alone:
            _alone(cfg, day)
        with Crawl(together) as crawl:
            _together(together, day, crawl)
            # both stories list every page of the feeds; each was fetched and reduced once
            assert crawl.feed_requests == len(together[0].feeds)
    _compare(alone, together)
    donbas = story_files(together[1])
    assert any("Donbas" in text or "Ukrain" in text
               for name, text in donbas.items() if name.endswith(".md")), \
        "the second story found none of its articles"


def test_over_http_feeds_are_read_once_and_pages_fetched_once(tmp_path: Path) -> None:
    pack = ROOT / "tests" / "packs" / "other-outlets"
    from bench.story_eval import pack_feeds

    with serve_pack(pack) as base:
        feeds = pack_feeds(pack, base)
        alone = [story_config(tmp_path / "alone", "syria", feeds),
                 story_config(tmp_path / "alone", "donbas", feeds, text=DONBAS)]
        together = [story_config(tmp_path / "together", "syria", feeds),
                    story_config(tmp_path / "together", "donbas", feeds, text=DONBAS)]
        for day in (dt.date(2016, 9, 17), dt.date(2016, 9, 18)):
            for cfg in alone:
                _alone(cfg, day)
            before = len(base.server.requests)
            with Crawl(together) as crawl:
                _together(together, day, crawl)
            asked = base.server.requests[before:]
            # every feed once, every page at most once, though two stories read them
            assert sorted(p for p in asked if p.endswith(".xml")) == sorted(
                f["url"].removeprefix(base) for f in feeds)
            pages = [p for p in asked if not p.endswith(".xml")]
            assert pages and len(pages) == len(set(pages))
    _compare(alone, together)


@pytest.mark.parametrize("broken", ["config", "feeds"])
def test_a_failing_story_does_not_stop_the_others(tmp_path: Path, broken: str) -> None:
    good = story_config(tmp_path, "syria")
    bad = story_config(tmp_path, "donbas", text=DONBAS,
                 feeds=[{"name": "Gone", "url": "http://127.0.0.1:9/feed.xml"}])
    if broken == "config":  # a state path that cannot be opened
        bad_state = tmp_path / "a-folder"
        bad_state.mkdir()
        object.__setattr__(bad, "state_path", bad_state)
    day = DAYS[0]
    runs = run_many([bad, good], day=day, send_email=False, now=good.schedule.send_time(day))
    assert runs[0].result is None and runs[0].error
    assert runs[1].error is None and runs[1].result is not None
    assert runs[1].result.digest.articles
