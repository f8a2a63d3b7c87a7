"""The shared story-pack builder (tests/packs/_kit/packkit.py): determinism, --check, errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import feedparser
import pytest

import digest.feeds  # noqa: F401 - feed dates as the product reads them (its ZONE_NAMES)

PACKS = Path(__file__).resolve().parents[1] / "packs"
sys.path.insert(0, str(PACKS / "_kit"))
import packkit  # noqa: E402

KIT_PACKS = sorted(p.parent for p in PACKS.glob("*/pack.toml"))


def _copy_sources(pack: Path, dest: Path) -> Path:
    dest.mkdir()
    shutil.copy(pack / "pack.toml", dest / "pack.toml")
    shutil.copytree(pack / "src", dest / "src")
    return dest


@pytest.mark.parametrize("pack", KIT_PACKS, ids=lambda p: p.name)
def test_two_builds_are_byte_identical(pack):
    assert packkit.build(pack) == packkit.build(pack)


@pytest.mark.parametrize("pack", KIT_PACKS, ids=lambda p: p.name)
def test_feeds_list_every_article_once_plus_the_ref_variants(pack):
    files = packkit.build(pack)
    key = json.loads(files["answer_key.json"])
    headers = json.loads(files["_headers.json"])
    for feed in sorted({a["feed"] for a in key["articles"]}):  # as served: with its HTTP header
        parsed = feedparser.parse(files[feed], response_headers={
            "content-type": headers[feed]["Content-Type"]})
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        links = [e.get("link") or e.get("id") for e in parsed.entries]
        mine = [a for a in key["articles"] if a["feed"] == feed]
        variants = [v for v in key["aggregator"] if v["feed"] == feed]
        assert sorted(links) == sorted(["/" + a["url"] for a in mine] +
                                       ["/" + v["url"] for v in variants]), feed
        undated = {"/" + a["url"] for a in mine if not a["feed_date"]}
        published = {"/" + a["url"]: dt.datetime.fromisoformat(a["published"]) for a in mine}
        for e in parsed.entries:
            link = e.get("link") or e.get("id")
            when = e.get("published_parsed") or e.get("updated_parsed")
            assert (when is None) == (link in undated), link
            if when is not None:  # every date style (named zones, two-digit years...) is right
                assert dt.datetime(*when[:6], tzinfo=dt.UTC) == published[link.split("?")[0]]


def test_check_lists_changed_and_stale_files(tmp_path, capsys):
    pack = KIT_PACKS[0]
    root = _copy_sources(pack, tmp_path / pack.name)
    assert packkit.main(root, []) == 0
    assert packkit.main(root, ["--check"]) == 0
    page = next((root / "sites").rglob("*.html"))
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    (root / "feeds" / "stale.xml").write_text("<rss/>", encoding="utf-8")
    capsys.readouterr()
    assert packkit.main(root, ["--check"]) == 1
    out = capsys.readouterr().out
    assert f"differs: {page.relative_to(root).as_posix()}" in out
    assert "differs: feeds/stale.xml" in out


def test_a_broken_source_stops_the_build_with_one_line(tmp_path, capsys):
    root = _copy_sources(KIT_PACKS[0], tmp_path / "broken")
    synd = next(f for f in sorted((root / "src" / "articles").glob("*.txt"))
                if "Kind: syndicated" in f.read_text(encoding="utf-8"))
    synd.write_text(synd.read_text(encoding="utf-8").replace("Syndicates: ", "Syndicates: nope-"),
                    encoding="utf-8")
    assert packkit.main(root, []) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and synd.name in err and "Syndicates" in err


def test_a_fact_no_relevant_article_carries_is_refused(tmp_path):
    root = _copy_sources(KIT_PACKS[0], tmp_path / "facts")
    days = root / "src" / "days.toml"
    days.write_text(days.read_text(encoding="utf-8").replace(
        'all = [["', 'all = [["a phrase no article has"], ["', 1), encoding="utf-8")
    with pytest.raises(packkit.BuildError, match="no relevant article"):
        packkit.build(root)


def test_a_trap_without_why_is_refused(tmp_path):
    root = _copy_sources(KIT_PACKS[0], tmp_path / "why")
    trap = next(f for f in sorted((root / "src" / "articles").glob("*.txt"))
                if "\nWhy: " in f.read_text(encoding="utf-8"))
    text = trap.read_text(encoding="utf-8")
    trap.write_text("\n".join(line for line in text.split("\n") if not line.startswith("Why: ")),
                    encoding="utf-8")
    with pytest.raises(packkit.BuildError, match="needs Why"):
        packkit.build(root)
