"""A day with nothing new at all, kept without reading its items and pages
(digest/pipeline/replay.py ``unchanged_digest``): every feed answers "not modified" and state has
had no write of a digest's inputs since the digest was made. The quick answer is the answer the
full check gives (same digest, same report), and anything that may change the digest sends the
run the full way: a reader's verdict, a new page in state, another config."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from digest import feedback
from digest.config import Config
from digest.pipeline import collect, keep, open_run, replay, run
from digest.pipeline.runner import report
from digest.store import Store
from tests.support.packserve import serve_pack
from tests.support.stories import ROOT, story_config, story_files, story_state

DAY = dt.date(2016, 9, 18)
PACK = ROOT / "tests" / "packs" / "other-outlets"


def _run(cfg: Config) -> dict:
    ctx = open_run(cfg, day=DAY, send_email=False)
    try:
        return report(run(ctx))
    finally:
        ctx.close()


def _timeless(r: dict) -> dict:
    return {k: v for k, v in r.items() if k != "timings"}


def _quick(cfg: Config) -> bool:
    """Whether the day of ``cfg`` would be kept the quick way now (feeds read, nothing saved)."""
    ctx = open_run(cfg, day=DAY, send_email=False)
    try:
        return replay.unchanged_digest(ctx, collect.read_feeds(ctx, save=False)) is not None
    finally:
        ctx.close()


@pytest.fixture
def story(tmp_path: Path):
    from bench.story_eval import pack_feeds

    with serve_pack(PACK) as base:
        cfg = story_config(tmp_path, "syria", pack_feeds(PACK, base))
        first = _run(cfg)
        assert first["articles"] > 0 and not first["replayed"]
        yield cfg, first


def _no_inputs_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a, **_k):  # the quick answer never looks at the window's items
        raise AssertionError("the day's items were read")
    monkeypatch.setattr(collect, "select_entries", refuse)


def test_a_day_with_nothing_new_is_kept_without_reading_its_items(story, monkeypatch) -> None:
    cfg, first = story
    files, state = story_files(cfg), story_state(cfg)
    with monkeypatch.context() as m:  # the full check, for comparison
        m.setattr(replay, "unchanged_digest", lambda ctx, feeds: None)
        full = _run(cfg)
    assert full["replayed"]
    _no_inputs_read(monkeypatch)
    quick = _run(cfg)
    assert quick["replayed"] and _timeless(quick) == _timeless(full)
    assert quick["pages_reused"] == first["pages_fetched"] + first["pages_reused"]
    assert story_files(cfg) == files and story_state(cfg) == state

    # a many-story run's check answers the same, the same quick way
    def opener(c: Config):
        return open_run(c, day=DAY, send_email=False)
    [kept] = keep.check_all([cfg], opener)
    assert isinstance(kept, dict) and kept["kept"]
    assert _timeless(kept) == {**_timeless(full), "kept": True}


def test_what_may_change_the_digest_sends_the_run_the_full_way(story, tmp_path) -> None:
    cfg, _ = story
    assert _quick(cfg)
    with Store(cfg.state_path) as store:  # a reader's verdict on a page of the day
        feedback.mark(store, cfg.story.slug, "https://example.org/not-in-the-pack.html",
                     feedback.NOT_STORY, now=dt.datetime(2016, 9, 18, 8, tzinfo=dt.UTC))
    assert not _quick(cfg)
    again = _run(cfg)  # the full check: made again (the verdicts are among its inputs)
    assert not again["replayed"]
    assert _quick(cfg)  # made afresh, marked afresh

    other = replace(cfg, story=replace(cfg.story, description=cfg.story.description + " More."))
    assert not _quick(other)  # another config


def test_a_full_check_that_finds_the_digest_current_marks_it(story, monkeypatch) -> None:
    cfg, _ = story
    with Store(cfg.state_path) as store:  # a write of an input that changes nothing of the day
        store.record_failure("https://example.org/another-day.html", "HTTP 404")
    assert not _quick(cfg)
    assert _run(cfg)["replayed"]  # the full way: the same inputs, kept, and marked current
    _no_inputs_read(monkeypatch)
    assert _quick(cfg) and _run(cfg)["replayed"]


def test_only_writes_of_inputs_move_the_generation(tmp_path: Path) -> None:
    with Store(tmp_path / "state.sqlite") as store:
        start = store.generation()
        store.save_summary("hash", "lead", 3, ["One sentence."])
        store.record_delivery("story", DAY, ["reader@example.org"], "<id@example.org>")
        feedback.verdicts(store, "story")
        assert store.generation() == start
        store.record_failure("https://example.org/a.html", "HTTP 404")
        assert store.generation() == start + 1
        mark = {"key": "k", "known": 3}
        store.confirm_unchanged("story", DAY, mark, generation=start)  # moved on: no mark
        assert store.unchanged("story", DAY) is None
        store.confirm_unchanged("story", DAY, mark, generation=start + 1)
        assert store.unchanged("story", DAY) == {**mark, "generation": start + 1}
        feedback.mark(store, "story", "https://example.org/b.html", feedback.STORY,
                     now=dt.datetime(2016, 9, 18, tzinfo=dt.UTC))
        assert store.unchanged("story", DAY) is None  # an input changed since
