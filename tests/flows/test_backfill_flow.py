"""The backfill flow over the bundled story pack, scored against the pack's answer key.

One parent flow run, one child per day, shared state. Then the same backfill again: no page is
downloaded twice and every digest JSON is byte-identical apart from ``generated_at``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.story_eval import config_with_feeds, evaluate, read_digests

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"
KEY = json.loads((ROOT / "seeds" / "answer_key.json").read_text(encoding="utf-8"))
FIRST, LAST = "2016-09-09", "2016-09-23"


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    from flows.daily_digest import backfill

    out = tmp_path_factory.mktemp("backfill")
    state = out / "state.sqlite"
    first = backfill(config=str(CONFIG), start=FIRST, end=LAST, out=str(out), state=str(state))
    snapshot = {p.name: p.read_text(encoding="utf-8")
                for p in sorted((out / "syria-ceasefire").glob("*.json"))}
    second = backfill(config=str(CONFIG), start=FIRST, end=LAST, out=str(out), state=str(state))
    return out, first, second, snapshot


def test_one_digest_per_day_with_four_files(backfilled):
    out, first, _, _ = backfilled
    assert [r["date"] for r in first] == [f"2016-09-{d:02d}" for d in range(9, 24)]
    for r in first:
        for ext in ("md", "html", "txt", "json"):
            assert (out / "syria-ceasefire" / f"{r['date']}.{ext}").stat().st_size > 500


def test_relevance_duplicates_repeats_and_facts_meet_the_bar(backfilled):
    out, _, _, _ = backfilled
    ev = evaluate(read_digests(out / "syria-ceasefire"), KEY)
    detail = "\n".join(ev.wrong + ev.unfolded + ev.repeated + ev.missing_facts)
    assert ev.days == 15
    assert ev.precision >= 0.95, detail
    assert ev.recall >= 0.95, detail
    assert ev.groups >= 4 and ev.groups_folded == ev.groups, detail
    assert ev.repeated == [], detail
    assert ev.facts_found == ev.facts, detail
    assert ev.quotes >= 10 and ev.quotes_found == ev.quotes  # speaker and outlet right
    assert ev.figures >= 2 and ev.figures_found == ev.figures  # e.g. 62 vs 83 near Deir ez-Zor


def test_second_backfill_downloads_nothing_and_is_byte_identical(backfilled):
    out, first, second, snapshot = backfilled
    assert sum(r["pages_fetched"] for r in first) > 30
    assert sum(r["pages_fetched"] for r in second) == 0
    strip = re.compile(r'"generated_at": "[^"]*"')
    for p in sorted((out / "syria-ceasefire").glob("*.json")):
        assert strip.sub("", p.read_text(encoding="utf-8")) == strip.sub("", snapshot[p.name]), p


def test_archive_index_and_feed_list_every_digest(backfilled):
    import feedparser

    out, _, _, _ = backfilled
    story = out / "syria-ceasefire"
    feed = feedparser.parse((story / "feed.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) == 15
    index = (story / "index.html").read_text(encoding="utf-8")
    assert index.index("2016-09-23") < index.index("2016-09-09")  # newest first


def test_other_outlets_pack_over_http_with_only_feeds_changed(tmp_path):
    """Generalisation: another pack (other outlets, templates and feed quirks) served over HTTP,
    the bundled config with only [[feeds]] changed."""
    from bench.story_eval import pack_feeds
    from flows.daily_digest import backfill
    from tests.support.packserve import serve_pack

    pack = ROOT / "tests" / "packs" / "other-outlets"
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    days = sorted(key["days"])
    with serve_pack(pack) as base_url:
        config = config_with_feeds(CONFIG, pack_feeds(pack, base_url), tmp_path / "other.toml")
        backfill(config=str(config), start=days[0], end=days[-1], out=str(tmp_path / "out"),
                 state=str(tmp_path / "state.sqlite"))
    ev = evaluate(read_digests(tmp_path / "out" / "syria-ceasefire"), key)
    detail = "\n".join(ev.wrong + ev.unfolded + ev.repeated + ev.missing_facts)
    assert ev.precision >= 0.95, detail
    assert ev.recall >= 0.95, detail
    assert ev.groups_folded == ev.groups, detail
    assert ev.repeated == [], detail
