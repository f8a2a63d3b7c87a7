"""The story pack in seeds/ meets its specification: counts, feeds, links, dates, facts, quotes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
import trafilatura

PACK = Path(__file__).resolve().parents[2] / "seeds"
KEY_PATH = PACK / "answer_key.json"

FEED_VERSIONS = {
    "meridian-wire": "rss20",
    "levant-tribune": "rss20",
    "capital-courier": "atom10",
    "eastern-herald": "rss10",
    "northern-post": "rss20",
    "global-dispatch": "atom10",
    "worldbrief": "rss20",
}
FIRST_DAY, LAST_DAY = dt.date(2016, 9, 9), dt.date(2016, 9, 23)
# Final targets of the whole pack (both halves).
MIN_RELEVANT, MIN_DISTRACTORS, MIN_SYNDICATED = 30, 15, 4

pytestmark = pytest.mark.skipif(not KEY_PATH.exists(), reason="story pack not built")


@cache
def key() -> dict:
    return json.loads(KEY_PATH.read_text(encoding="utf-8"))


@cache
def articles() -> dict[str, dict]:
    return {a["id"]: a for a in key()["articles"]}


@cache
def parsed(outlet: str) -> feedparser.FeedParserDict:
    return feedparser.parse((PACK / "feeds" / f"{outlet}.xml").resolve().as_uri())


def normalise(text: str) -> str:
    """Lower-case and straighten typographic quotes (the Northern Post uses curly ones)."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\xa0": " "})
    return text.translate(table).lower()


@cache
def body_text(article_id: str) -> str:
    """The article text as a good extractor sees it (comments excluded), normalised."""
    html = (PACK / articles()[article_id]["url"]).read_text(encoding="utf-8")
    return normalise(trafilatura.extract(html, include_comments=False) or "")


def link_to_path(link: str) -> Path:
    """The pack file a resolved ``file:`` link points at.

    feedparser 6 collapses ``file:///abs/path`` to ``file://abs/path`` when it resolves relative
    links (it treats the first path segment as a host); undo that, drop query and fragment, and
    map a directory URL to its index.html as a web server would.
    """
    assert link.startswith("file://"), link
    rest = link[len("file://") :]
    if not rest.startswith("/"):
        rest = "/" + rest
    path = unquote(urlsplit("file://" + rest).path)
    if path.endswith("/"):
        path += "index.html"
    return Path(path)


def pack_relative(link: str) -> str:
    """A resolved ``file:`` feed link as a pack-relative URL (query string kept)."""
    rest = link[len("file://") :]
    rest = rest if rest.startswith("/") else "/" + rest
    root = PACK.resolve().as_posix() + "/"
    assert rest.startswith(root), link
    return rest[len(root) :]


def relevant_in_window() -> list[dict]:
    return [
        a
        for a in key()["articles"]
        if a["relevant"] and FIRST_DAY <= dt.date.fromisoformat(a["digest_date"]) <= LAST_DAY
    ]


# ---------------------------------------------------------------- counts


def test_answer_key_header() -> None:
    k = key()
    assert (k["story"], k["timezone"], k["send"]) == ("syria-ceasefire", "Europe/London", "07:00")


def test_at_least_six_outlets_have_pages() -> None:
    outlets = {a["outlet"] for a in key()["articles"] if (PACK / a["url"]).is_file()}
    assert len(outlets) >= 6, outlets
    assert "worldbrief" not in outlets


def test_every_article_page_exists_and_is_realistically_sized() -> None:
    for a in key()["articles"]:
        size = (PACK / a["url"]).stat().st_size
        assert 15_000 <= size <= 60_000, (a["id"], size)


def test_pack_counts_meet_targets() -> None:
    arts = key()["articles"]
    relevant = [
        a
        for a in arts
        if a["relevant"]
        and dt.date(2016, 9, 9)
        <= dt.date.fromisoformat(a["published"][:10])
        <= dt.date(2016, 9, 22)
    ]
    distractors = [a for a in arts if a["kind"].startswith("distractor")]
    syndicated = [a for a in arts if a["kind"] == "syndicated"]
    assert len(relevant) >= MIN_RELEVANT
    assert len(distractors) >= MIN_DISTRACTORS
    assert len(syndicated) >= MIN_SYNDICATED
    assert {a["kind"] for a in distractors} == {
        "distractor-ceasefire",
        "distractor-strike",
        "distractor-syria",
        "distractor-other",
    }
    assert all(not a["relevant"] for a in distractors)


def test_every_digest_date_has_a_relevant_article_and_a_days_entry() -> None:
    per_day = Counter(a["digest_date"] for a in relevant_in_window())
    day = FIRST_DAY
    while day <= LAST_DAY:
        assert per_day[day.isoformat()] >= 1, f"no relevant article for {day}"
        assert day.isoformat() in key()["days"], f"no days file for {day}"
        day += dt.timedelta(days=1)


def test_digest_date_follows_the_0600_utc_cutoff() -> None:
    for a in key()["articles"]:
        published = dt.datetime.fromisoformat(a["published"].replace("Z", "+00:00"))
        window_start = dt.datetime.combine(
            dt.date.fromisoformat(a["digest_date"]) - dt.timedelta(days=1),
            dt.time(6),
            tzinfo=dt.UTC,
        )
        assert window_start <= published < window_start + dt.timedelta(days=1), a["id"]


def test_days_list_their_relevant_articles_and_dup_groups() -> None:
    for date, day in key()["days"].items():
        expected = {
            a["id"] for a in key()["articles"] if a["relevant"] and a["digest_date"] == date
        }
        assert set(day["relevant"]) == expected, date
        assert 1 <= len(day["facts"]) <= 3, date
        for group in day["dup_groups"]:
            assert len(group) >= 2
            assert len({articles()[i]["dup_group"] for i in group}) == 1


def test_syndicated_copies_point_at_meridian_wire_originals() -> None:
    for a in key()["articles"]:
        if a["kind"] != "syndicated":
            assert a["dup_group"] == a["id"]
            continue
        wire = articles()[a["dup_group"]]
        assert wire["outlet"] == "meridian-wire" and wire["kind"] != "syndicated"
        assert a["outlet"] in {"global-dispatch", "northern-post", "eastern-herald"}
        assert a["relevant"] == wire["relevant"]
        assert a["published"] > wire["published"]
        # the copy carries the wire's paragraphs (bar the dateline), minus its last ones
        copy_text, wire_text = body_text(a["id"]), body_text(wire["id"])
        paragraphs = [p for p in wire_text.split("\n") if len(p) > 80][1:]
        shared = [p for p in paragraphs if p in copy_text]
        assert len(shared) >= 3, a["id"]
        assert paragraphs[-1] not in copy_text, f"{a['id']}: not trimmed"


# ---------------------------------------------------------------- feeds


@pytest.mark.parametrize("outlet", sorted(FEED_VERSIONS))
def test_feed_parses_with_expected_version_and_no_bozo(outlet: str) -> None:
    d = parsed(outlet)
    assert d.version == FEED_VERSIONS[outlet]
    assert not d.bozo, d.get("bozo_exception")
    assert d.entries


@pytest.mark.parametrize("outlet", sorted(FEED_VERSIONS))
def test_feed_links_resolve_to_existing_pack_files(outlet: str) -> None:
    d = parsed(outlet)
    for entry in d.entries:
        path = link_to_path(entry.link)
        assert path.is_file(), entry.link
        assert PACK.resolve() in path.resolve().parents


@pytest.mark.parametrize("outlet", sorted(set(FEED_VERSIONS) - {"worldbrief"}))
def test_feed_lists_exactly_the_outlets_articles(outlet: str) -> None:
    links = {link_to_path(e.link).resolve() for e in parsed(outlet).entries}
    expected = {(PACK / a["url"]).resolve() for a in key()["articles"] if a["outlet"] == outlet}
    assert links == expected


def test_aggregator_links_are_url_variants_of_existing_pages() -> None:
    entries = parsed("worldbrief").entries
    agg = key()["aggregator"]
    assert len(entries) == len(agg) >= 10
    urls = {pack_relative(e.link) for e in entries}
    assert urls == {i["url"] for i in agg}
    variants = Counter(i["variant"] for i in agg)
    assert variants["tracking"] >= 2 and variants["amp"] >= 2 and variants["trailing-slash"] >= 1
    for item in agg:
        page = articles()[item["article"]]["url"]
        assert item["url"] != page and item["article"] in articles()
        if item["variant"] == "tracking":
            assert item["url"].startswith(page + "?utm_source=worldbrief&utm_medium=rss")
        elif item["variant"] == "amp":
            assert "/amp/" in item["url"]
        else:
            assert item["url"].endswith("/") and page.startswith(item["url"].rstrip("/"))


def test_variant_pages_point_back_to_the_canonical_page() -> None:
    for item in key()["aggregator"]:
        if item["variant"] == "tracking":
            continue
        target = PACK / item["url"]
        page = target / "index.html" if item["url"].endswith("/") else target
        html = page.read_text(encoding="utf-8")
        if item["variant"] == "amp":
            assert re.search(r"<html ⚡", html)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
        assert not re.match(r"[a-z]+:", canonical), "canonical links must be relative"
        assert (page.parent / canonical).resolve() == (
            PACK / articles()[item["article"]]["url"]
        ).resolve()


def test_pages_link_relatively_to_existing_files() -> None:
    for a in key()["articles"]:
        page = PACK / a["url"]
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'(?:href|src)="(?:https?:)?//', html), a["id"]
        for href in re.findall(r'(?:href|src)="([^"#?][^"]*)"', html):
            if href.startswith(("mailto:", "javascript:")):
                continue
            assert (page.parent / unquote(href.split("?")[0])).resolve().is_file(), (a["id"], href)


def test_windows_1252_feed_is_really_encoded_in_windows_1252() -> None:
    raw = (PACK / "feeds" / "northern-post.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="windows-1252"?>')
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "’" in text and "“" in text
    assert b"\x92" in raw  # the right single quotation mark in windows-1252
    d = parsed("northern-post")
    assert d.encoding.lower() in {"windows-1252", "cp1252"}
    titles = {e.title for e in d.entries}
    expected = {a["title"] for a in key()["articles"] if a["outlet"] == "northern-post"}
    assert titles == expected
    assert any("’" in t or "‘" in t for t in titles)
    summaries = " ".join(e.summary for e in d.entries)
    assert "£" in summaries or "é" in summaries or "£" in " ".join(titles)


def test_exactly_one_item_lacks_a_feed_date_and_its_page_is_dated() -> None:
    undated = [
        (outlet, e)
        for outlet in FEED_VERSIONS
        for e in parsed(outlet).entries
        if not (e.get("published_parsed") or e.get("updated_parsed"))
    ]
    assert len(undated) == 1, [e.title for _, e in undated]
    outlet, entry = undated[0]
    assert outlet == "northern-post"
    flagged = [a for a in key()["articles"] if not a["feed_date"]]
    assert [a["title"] for a in flagged] == [entry.title]
    html = (PACK / flagged[0]["url"]).read_text(encoding="utf-8")
    meta = re.search(r'property="article:published_time" content="([^"]+)"', html).group(1)
    assert dt.datetime.fromisoformat(meta) == dt.datetime.fromisoformat(
        flagged[0]["published"].replace("Z", "+00:00")
    )


def test_feed_dates_match_the_answer_key() -> None:
    for outlet in set(FEED_VERSIONS) - {"worldbrief"}:
        for e in parsed(outlet).entries:
            stamp = e.get("published_parsed") or e.get("updated_parsed")
            if stamp is None:
                continue
            a = next(
                a for a in key()["articles"] if a["title"] == e.title and a["outlet"] == outlet
            )
            assert dt.datetime(*stamp[:6], tzinfo=dt.UTC) == dt.datetime.fromisoformat(
                a["published"].replace("Z", "+00:00")
            ), a["id"]


# ---------------------------------------------------------------- facts and quotes


def test_every_fact_is_carried_by_a_relevant_article_of_its_day() -> None:
    for date, day in key()["days"].items():
        texts = [body_text(i) for i in day["relevant"]]
        assert texts, f"{date}: no relevant articles"
        for fact in day["facts"]:
            groups = [[normalise(s) for s in group] for group in fact["all"]]
            assert any(all(any(s in t for s in g) for g in groups) for t in texts), (
                f"{date}: fact {fact['id']} is not carried by any relevant article of the day"
            )


def test_quotes_appear_in_their_articles() -> None:
    quotes = key()["quotes"]
    assert len(quotes) >= 3
    for q in quotes:
        for aid in q["articles"]:
            assert normalise(q["contains"]) in body_text(aid), (q["speaker"], aid)
            assert q["speaker"].split()[-1].lower() in body_text(aid), (q["speaker"], aid)
        assert q["date"] in {articles()[a]["digest_date"] for a in q["articles"]}


def test_figures_appear_in_their_articles() -> None:
    for fig in key()["figures"]:
        assert len(fig["claims"]) >= 2
        assert len({c["value"] for c in fig["claims"]}) >= 2, fig["label"]
        for claim in fig["claims"]:
            for aid in claim["articles"]:
                assert normalise(claim["value"]) in body_text(aid), (fig["label"], aid)


def test_distractors_are_not_about_the_truce() -> None:
    # At most a passing mention: no distractor carries the core terms of the US-Russia deal.
    for a in key()["articles"]:
        if not a["kind"].startswith("distractor"):
            continue
        text = body_text(a["id"])
        hits = sum(
            term in text
            for term in ("lavrov", "castello", "fateh al-sham", "joint implementation", "deir ez")
        )
        assert hits <= 1, a["id"]


# ---------------------------------------------------------------- the builder


def test_build_is_deterministic_and_matches_the_committed_output(tmp_path: Path) -> None:
    for out in (tmp_path / "a", tmp_path / "b"):
        done = subprocess.run(
            [sys.executable, str(PACK / "build.py"), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    def tree(root: Path) -> dict[str, bytes]:
        files = {
            p.relative_to(root).as_posix(): p.read_bytes()
            for sub in ("feeds", "sites")
            for p in (root / sub).rglob("*")
            if p.is_file()
        }
        files["answer_key.json"] = (root / "answer_key.json").read_bytes()
        return files

    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second
    committed = tree(PACK)
    assert sorted(first) == sorted(committed)
    assert [p for p in first if first[p] != committed[p]] == []


def test_build_rejects_a_bad_source_with_a_one_line_message(tmp_path: Path) -> None:
    # Copy the builder and its sources, then break one article: the message names the file.
    shutil.copytree(PACK / "src", tmp_path / "src")
    shutil.copytree(PACK / "templates", tmp_path / "templates")
    shutil.copy(PACK / "build.py", tmp_path / "build.py")
    victim = sorted((tmp_path / "src" / "articles").glob("gd-*.md"))[0]
    victim.write_text(
        victim.read_text(encoding="utf-8").replace(
            'outlet = "global-dispatch"', 'outlet = "daily-planet"'
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(tmp_path / "build.py"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and victim.name in lines[0] and "daily-planet" in lines[0]
