"""The second story pack (tests/packs/other-outlets): counts, feeds over HTTP, links, facts, build."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import importlib.util
import json
import re
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from tests.support.packserve import serve_pack

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "tests" / "packs" / "other-outlets"
KEY = json.loads((PACK / "answer_key.json").read_text(encoding="utf-8"))
BY_ID = {a["id"]: a for a in KEY["articles"]}
DATES = [dt.date(2016, 9, d) for d in range(10, 24)]


def _load_builder():
    spec = importlib.util.spec_from_file_location("other_outlets_build", PACK / "build.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


BUILD = _load_builder()
ARTS = BUILD.load_articles()


def text_of(aid: str) -> str:
    a = ARTS[aid]
    return "\n".join([a.title, a.dek, *a.paragraphs])


def is_distractor(a: dict) -> bool:
    return not a["relevant"]


def has_all(text: str, groups: list[list[str]]) -> bool:
    low = text.lower()
    return all(any(term.lower() in low for term in group) for group in groups)


# ----------------------------------------------------------------------------- the answer key


def test_counts_of_relevant_distractor_and_syndicated_articles():
    arts = KEY["articles"]
    kinds = Counter(a["kind"] for a in arts)
    assert sum(a["relevant"] for a in arts) >= 20
    assert sum(is_distractor(a) for a in arts) >= 12
    assert kinds["syndicated"] >= 3
    assert {a["outlet"] for a in arts} == set(BUILD.OUTLETS)
    for outlet in BUILD.OUTLETS:  # every outlet carries the story and at least one trap
        mine = [a for a in arts if a["outlet"] == outlet]
        assert any(a["relevant"] for a in mine) and any(is_distractor(a) for a in mine), outlet


def test_every_digest_date_has_the_story_and_the_busy_days_have_more():
    per_day = Counter(a["digest_date"] for a in KEY["articles"] if a["relevant"])
    assert sorted(KEY["days"]) == [d.isoformat() for d in DATES]
    assert all(per_day[d.isoformat()] >= 1 for d in DATES)
    busy = [per_day[f"2016-09-{d}"] for d in range(18, 23)]  # published 17-21 Sep
    quiet = [per_day[f"2016-09-{d}"] for d in (*range(10, 18), 23)]
    assert min(busy) >= 3 and sum(busy) / len(busy) > sum(quiet) / len(quiet)


def test_digest_dates_follow_the_seven_am_london_window():
    for a in KEY["articles"]:
        pub = dt.datetime.fromisoformat(a["published"].replace("Z", "+00:00"))
        since = dt.datetime.combine(dt.date.fromisoformat(a["digest_date"]) - dt.timedelta(1),
                                    dt.time(6), tzinfo=dt.UTC)
        assert since <= pub < since + dt.timedelta(days=1), a["id"]
        assert dt.date.fromisoformat(a["digest_date"]) in DATES, a["id"]


def test_days_list_their_relevant_articles_and_dup_groups():
    for day, info in KEY["days"].items():
        expect = [a["id"] for a in KEY["articles"] if a["relevant"] and a["digest_date"] == day]
        assert sorted(info["relevant"]) == sorted(expect)
        for group in info["dup_groups"]:
            assert len({BY_ID[i]["dup_group"] for i in group}) == 1 and len(group) > 1
    assert sum(len(i["dup_groups"]) for i in KEY["days"].values()) >= 3


def test_article_bodies_are_news_length():
    for aid, a in ARTS.items():
        assert 200 <= a.words <= 800, (aid, a.words)
        assert BY_ID[aid]["words"] == a.words


# ----------------------------------------------------------------------------- facts, quotes


def test_every_fact_is_stated_early_in_the_days_articles_and_not_in_its_traps():
    for day, info in KEY["days"].items():
        groups = {BY_ID[i]["dup_group"] for i in info["relevant"]}
        traps = [a["id"] for a in KEY["articles"] if is_distractor(a) and a["digest_date"] == day]
        for fact in info["facts"]:
            early = {BY_ID[i]["dup_group"] for i in info["relevant"]
                     if has_all("\n".join([ARTS[i].title, ARTS[i].dek, *ARTS[i].paragraphs[:4]]),
                                fact["all"])}
            assert len(early) >= min(2, len(groups)) if day >= "2016-09-18" else early, \
                (day, fact["id"], early)
            assert not [t for t in traps if has_all(text_of(t), fact["all"])], (day, fact["id"])


def test_quotes_are_in_their_articles_with_the_speaker_named():
    assert KEY["quotes"]
    for q in KEY["quotes"]:
        for aid in q["articles"]:
            body = text_of(aid)
            assert q["contains"] in body, (q["contains"], aid)
            assert q["speaker"].split()[-1] in body, (q["speaker"], aid)
            assert BY_ID[aid]["digest_date"] == q["date"]


def test_disputed_figures_appear_in_their_articles():
    for fig in KEY["figures"]:
        values = {c["value"] for c in fig["claims"]}
        assert len(values) >= 2
        for claim in fig["claims"]:
            for aid in claim["articles"]:
                assert re.search(rf"\b{claim['value']}\b", text_of(aid)), (claim, aid)


def test_distractors_share_the_storys_vocabulary_but_rarely_mention_the_truce():
    trap_words = ["ceasefire", "truce", "kerry", "lavrov", "russia", "syria", "air strike",
                  "coalition", "aleppo", "eid al-adha", "united nations", "peace"]
    mentions, strong = 0, 0
    for a in KEY["articles"]:
        if not is_distractor(a):
            continue
        low = text_of(a["id"]).lower()
        hits = sum(w in low for w in trap_words)
        assert hits >= 2, a["id"]
        strong += hits >= 3
        sentences = re.split(r"(?<=[.!?])\s+", low)
        if any("syria" in s and ("ceasefire" in s or "truce" in s) for s in sentences):
            mentions += 1
    assert strong >= 10
    assert mentions <= 2  # a passing one-sentence mention in at most two distractors


def test_syndicated_copies_are_trimmed_renamed_copies():
    copies = [a for a in ARTS.values() if a.kind == "syndicated"]
    assert len(copies) >= 3
    for c in copies:
        orig = ARTS[c.syndicates]
        assert c.title != orig.title and c.outlet != orig.outlet
        assert c.paragraphs[1:] == orig.paragraphs[1:len(orig.paragraphs) - c.trim]
        assert c.paragraphs[0] != orig.paragraphs[0]  # a different dateline or lede
        page = html.unescape((PACK / BY_ID[c.id]["url"]).read_text(encoding="utf-8"))
        assert orig.paragraphs[-1] not in page


# ----------------------------------------------------------------------------- pages and links


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "data-src", "data-next-url") and value:
                self.links.append(value)


def _resolves(link: str) -> bool:
    path = urlsplit(link).path
    target = PACK / path.lstrip("/")
    return target.is_file() or (target / "index.html").is_file()


def test_pages_carry_their_text_and_a_machine_readable_date():
    for a in KEY["articles"]:
        art = ARTS[a["id"]]
        page = (PACK / a["url"]).read_text(encoding="utf-8")
        visible = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        assert art.title in visible
        for p in art.paragraphs:
            assert BUILD.LIVE.sub("", p).removeprefix("## ") in visible, (a["id"], p[:40])
        stamps = [a["published"], art.local().isoformat(),
                  art.published.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                  BUILD.iso_minutes(art.published, BUILD.OUTLETS[art.outlet].tz)]
        assert any(s in page for s in stamps), a["id"]


def test_every_relative_link_in_pages_and_feeds_resolves_to_a_file():
    checked = 0
    for f in sorted((PACK / "sites").rglob("*.html")):
        parser = _Links()
        parser.feed(f.read_text(encoding="utf-8"))
        for link in parser.links:
            if link.startswith(("#", "data:")):
                continue
            assert link.startswith("/"), (f, link)  # no absolute URLs to real domains
            assert _resolves(link), (f, link)
            checked += 1
    for f in sorted((PACK / "feeds").glob("*.xml")):
        text = f.read_bytes().decode("latin-1")
        refs = re.findall(r'(?:href|url|src)="([^"]+)"', text)
        refs += re.findall(r"<(?:link|guid isPermaLink=\"true\")>([^<]+)<", text)
        refs = [r for r in refs if not r.startswith("http://purl.org")]
        assert refs, f
        for ref in refs:
            assert ref.startswith("/") and _resolves(ref), (f.name, ref)
            checked += 1
    assert checked > 500


# ----------------------------------------------------------------------------- feeds over HTTP


def _feed_urls(outlet: str) -> dict[str, str]:
    """URL path (with query) -> published, for every item the outlet's feed must list."""
    out = {"/" + a["url"]: a["published"] for a in KEY["articles"] if a["outlet"] == outlet}
    src = tomllib.loads((PACK / "src" / "variants.toml").read_text(encoding="utf-8"))
    for v in src["variants"]:
        a = BY_ID[v["article"]]
        if a["outlet"] == outlet:
            out[f"/{a['url']}?{v['query']}"] = v["published"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


@pytest.mark.parametrize("outlet", sorted(BUILD.OUTLETS))
def test_feed_parses_over_http_with_resolved_links_and_right_dates(outlet):
    with serve_pack(PACK) as base:
        parsed = feedparser.parse(f"{base}/feeds/{outlet}.xml")
        assert f"/feeds/{outlet}.xml" in base.requests
    assert not parsed.bozo, parsed.get("bozo_exception")
    expect = _feed_urls(outlet)
    got = {}
    for e in parsed.entries:
        assert e.link.startswith(base + "/sites/"), e.link  # root-relative, resolved to the server
        path = e.link[len(base):]
        got[path] = time.strftime("%Y-%m-%dT%H:%M:%SZ", e.published_parsed)
    assert got == expect


def test_feed_quirks_are_the_ones_the_readme_promises():
    raw = {o: (PACK / "feeds" / f"{o}.xml").read_bytes() for o in BUILD.OUTLETS}
    sm = raw["southern-mail"]
    assert sm.startswith(b'<?xml version="1.0"?>') and b"encoding" not in sm.split(b"\n")[0]
    with pytest.raises(UnicodeDecodeError):
        sm.decode("utf-8")
    assert b"<link>" not in raw["liberty-cable"].split(b"<item>", 1)[1]
    assert b" EDT</pubDate>" in raw["liberty-cable"]
    assert re.search(rb"<pubDate>\d{1,2} Sep 2016 \d\d:\d\d \+1000</pubDate>", sm)
    assert re.search(rb"<pubDate>\w{3}, \d\d Sep 16 \d\d:\d\d:\d\d \+0300</pubDate>",
                     raw["vostok-today"])
    assert re.search(rb"<published>2016-09-\d\dT\d\d:\d\d\+02:00</published>", raw["rheinwelle"])
    assert b"<![CDATA[<p><img src=" in raw["almanara"] and b"&#" in raw["almanara"]
    with serve_pack(PACK) as base:
        lc = feedparser.parse(f"{base}/feeds/liberty-cable.xml")
        rw = feedparser.parse(f"{base}/feeds/rheinwelle.xml")
        smp = feedparser.parse(f"{base}/feeds/southern-mail.xml")
    dates = [e.published_parsed for e in lc.entries]
    assert dates != sorted(dates) and dates != sorted(dates, reverse=True)
    for e in rw.entries:  # the alternate link wins over the enclosure listed first
        assert e.link.endswith(".html") and any(link.rel == "enclosure" for link in e.links)
    assert smp.encoding.lower() == "iso-8859-1"
    assert any("Cilvegözü" in e.summary for e in smp.entries)


# ----------------------------------------------------------------------------- build


def test_build_is_deterministic_and_matches_the_committed_pack(tmp_path):
    assert BUILD.main(["--out", str(tmp_path)]) == 0
    fresh = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(PACK).as_posix() for sub in ("feeds", "sites")
                 for p in (PACK / sub).rglob("*") if p.is_file()}
    committed |= {"answer_key.json", "_headers.json"}
    assert fresh == committed
    for rel in sorted(fresh):
        assert (tmp_path / rel).read_bytes() == (PACK / rel).read_bytes(), rel


# ----------------------------------------------------------------------------- packserve


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_packserve_headers_validators_and_request_log():
    with serve_pack(PACK) as base:
        status, headers, body = _get(f"{base}/feeds/southern-mail.xml")
        assert status == 200 and body == (PACK / "feeds" / "southern-mail.xml").read_bytes()
        assert headers["Content-Type"] == "application/rss+xml; charset=ISO-8859-1"
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert _get(f"{base}/feeds/southern-mail.xml", **{"If-None-Match": etag})[0] == 304
        assert _get(f"{base}/feeds/southern-mail.xml", **{"If-Modified-Since": modified})[0] == 304
        earlier = email.utils.formatdate(
            email.utils.parsedate_to_datetime(modified).timestamp() - 60, usegmt=True)
        assert _get(f"{base}/feeds/southern-mail.xml", **{"If-Modified-Since": earlier})[0] == 200
        assert _get(f"{base}/feeds/southern-mail.xml", **{"If-None-Match": '"other"'})[0] == 200
        page = "/" + BY_ID["am-0920-un-suspends"]["url"]
        status, headers, _ = _get(f"{base}{page}?ref=rss")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert _get(f"{base}/sites/nowhere.html")[0] == 404
        assert _get(f"{base}/sites/../../build.py")[0] == 404
        assert base.requests[-3] == f"{page}?ref=rss"
        assert base.requests.count("/feeds/southern-mail.xml") == 5
