"""The kept-day checks of a many-story run shared out to forked worker processes
(digest/pipeline/keep.py ``check_all``): each story's answer is the one it gets when checked here,
a worker never asks the network (a story whose feed request the crawl has not answered is
checked again here, and that request is made once), and nothing is written for a kept day."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from digest.config import Config
from digest.crawl import Crawl
from digest.pipeline import keep, open_run
from digest.pipeline.many import run_many
from tests.support.packserve import serve_pack
from tests.support.stories import DONBAS, ROOT, story_config, story_files, story_state

DAY = dt.date(2016, 9, 18)
PACK = ROOT / "tests" / "packs" / "other-outlets"


def _check_all(configs: list[Config], crawl: Crawl) -> list:
    def opener(cfg: Config):
        return open_run(cfg, day=DAY, send_email=False, crawl=crawl)
    return keep.check_all(configs, opener, crawl, workers=2)


def _timeless(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "timings"}


def test_forked_checks_answer_as_checks_here_and_ask_the_network_only_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.story_eval import pack_feeds

    pids = tmp_path / "pids"
    real = keep.check

    def spied(cfg, opener):  # type: ignore[no-untyped-def]
        with pids.open("a", encoding="utf-8") as f:  # appended by whichever process checks
            f.write(f"{os.getpid()} {cfg.output_dir.parent.name}\n")
        return real(cfg, opener)
    monkeypatch.setattr(keep, "check", spied)
    monkeypatch.setattr(keep, "FORK_FROM", 2)
    with serve_pack(PACK) as base:
        feeds = pack_feeds(PACK, base)
        configs = _three_stories_run(tmp_path, feeds)
        files = [story_files(c) for c in configs]
        state = [story_state(c) for c in configs[:2]]
        # the third story's state sends other validators for its first feed: a request the
        # crawl will not have answered when the first story's reads fill it
        with sqlite3.connect(configs[2].state_path) as db:
            db.execute("UPDATE feeds SET etag='\"other\"' WHERE url=?", (feeds[0]["url"],))
        asked = len(base.server.requests)

        with Crawl(configs) as crawl:
            forked = _check_all(configs, crawl)
            assert crawl.feed_requests == len(feeds) + 1  # all here: the first story's, then one
        assert len(base.server.requests) - asked == len(feeds) + 1
        checkers = [line.split() for line in pids.read_text(encoding="utf-8").splitlines()]
        here = str(os.getpid())
        assert checkers[0] == [here, "syria"]
        assert {p for p, _ in checkers[1:]} - {here}, "no story was checked in a worker"
        assert [here, "other"] in checkers  # asked the network in its worker: checked again here

        assert all(isinstance(r, dict) and r["kept"] for r in forked), forked
        monkeypatch.setattr(keep, "FORK_FROM", 100)
        pids.unlink()
        with Crawl(configs) as crawl:
            alone = _check_all(configs, crawl)
        assert {p for p, _ in (line.split() for line in pids.read_text().splitlines())} == {here}
        assert [_timeless(r) for r in forked] == [_timeless(r) for r in alone]
        assert [story_files(c) for c in configs] == files
        assert [story_state(c) for c in configs[:2]] == state


def _three_stories_run(tmp_path: Path, feeds: list[dict]) -> list:
    """Three stories over the pack's feeds (two of them alike), each run once for DAY."""
    configs = [story_config(tmp_path, "syria", feeds),
               story_config(tmp_path, "donbas", feeds, text=DONBAS),
               story_config(tmp_path, "other", feeds)]
    runs = run_many(configs, day=DAY, send_email=False)
    assert [r.error for r in runs] == [None] * 3
    return configs


def test_a_story_with_something_new_is_not_kept_by_its_worker(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed seed: the forked check says the story must run, as the check here does."""
    from dataclasses import replace

    from bench.story_eval import pack_feeds

    monkeypatch.setattr(keep, "FORK_FROM", 2)
    with serve_pack(PACK) as base:
        feeds = pack_feeds(PACK, base)
        configs = _three_stories_run(tmp_path, feeds)
        seed = tmp_path / "seed.txt"
        seed.write_text("The ceasefire in Syria, as a reader put it.", encoding="utf-8")
        configs[2] = replace(configs[2], story=replace(configs[2].story,
                                                       seeds=(*configs[2].story.seeds, seed)))
        with Crawl(configs) as crawl:
            found = _check_all(configs, crawl)
    assert [isinstance(r, dict) for r in found] == [True, True, False], found
    assert found[2] is None


def test_stories_are_checked_here_while_the_caller_says_so_then_in_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``here_while``: a command line run checks here while Prefect's temporary server boots
    (it needs a core), then shares the rest out; the answers are the same either way."""
    from bench.story_eval import pack_feeds

    pids = tmp_path / "pids"
    real = keep.check

    def spied(cfg, opener):  # type: ignore[no-untyped-def]
        with pids.open("a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {cfg.output_dir.parent.name}\n")
        return real(cfg, opener)
    monkeypatch.setattr(keep, "check", spied)
    monkeypatch.setattr(keep, "FORK_FROM", 2)
    answers = iter([True, False])
    with serve_pack(PACK) as base:
        configs = _three_stories_run(tmp_path, pack_feeds(PACK, base))

        def opener(cfg: Config):
            return open_run(cfg, day=DAY, send_email=False, crawl=crawl)
        with Crawl(configs) as crawl:
            found = keep.check_all(configs, opener, crawl, workers=2,
                                   here_while=lambda: next(answers))
    here = str(os.getpid())
    checkers = [line.split() for line in pids.read_text(encoding="utf-8").splitlines()]
    assert checkers[:2] == [[here, "syria"], [here, "donbas"]]  # the first, then one more here
    assert checkers[2][0] != here and checkers[2][1] == "other"  # then in a worker
    assert all(isinstance(r, dict) and r["kept"] for r in found), found
