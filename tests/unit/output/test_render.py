"""Rendering: every section when there is data, none when there is not, hostile web text shown as
text, safe links only, the HTML size budget, deterministic JSON and well-formed Markdown links."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digest.output.render import (
    digest_to_json,
    md_escape,
    md_link,
    render_html,
    render_markdown,
    render_text,
    report_rows,
)
from digest.output.serialize import digest_json_text
from tests.support.digests import (
    HOSTILE_OUTLET,
    IMG_TITLE,
    JS_URL,
    SCRIPT_TITLE,
    busy_digest,
    empty_digest,
    make_digest,
    quiet_digest,
)

SECTION_IDS = ("overview", "new", "articles", "quotes", "figures", "timeline", "failed", "skipped")
MD_HEADINGS = ("## Overview", "## New since Sat 17 Sep 2016", "## Articles", "## Key quotes",
               "## Figures in dispute", "## The story so far", "## Sources that failed",
               "## Left out")
TXT_HEADINGS = ("OVERVIEW", "NEW SINCE SAT 17 SEP 2016", "ARTICLES", "KEY QUOTES",
                "FIGURES IN DISPUTE", "THE STORY SO FAR", "SOURCES THAT FAILED", "LEFT OUT")


class Elements(HTMLParser):
    """Collects every start tag with its attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    return p


# -- sections ----------------------------------------------------------------------------------

def test_every_section_present_when_the_digest_has_data():
    d = make_digest(9)
    html, md, txt = render_html(d, "Europe/London"), render_markdown(d, "Europe/London"), \
        render_text(d, "Europe/London")
    ids = {a.get("id") for _, a in parse(html).tags}
    assert set(SECTION_IDS) <= ids
    for heading in MD_HEADINGS:
        assert re.search(rf"^{re.escape(heading)}$", md, re.M), heading
    for heading in TXT_HEADINGS:
        assert re.search(rf"^{re.escape(heading)}$", txt, re.M), heading
    for out in (html, md, " ".join(txt.split())):
        assert "Syria ceasefire" in out and "Sunday 18 September 2016" in out
        assert "Vitaly Churkin" in out and "Syrian soldiers killed" in out
        assert "Damascus Daily" in out and "HTTP 503 Service Unavailable" in out
        assert "Also reported by" in out
        assert "Kerry and Lavrov agree a seven-day truce in Geneva." in out
        assert "9 articles from" in out


def test_sections_without_data_are_left_out_gracefully():
    d = quiet_digest()
    html, md, txt = render_html(d), render_markdown(d), render_text(d)
    ids = {a.get("id") for _, a in parse(html).tags}
    assert {"overview", "articles"} <= ids
    assert not ids & {"new", "quotes", "figures", "timeline", "failed", "skipped"}
    for heading in ("## Key quotes", "## Figures", "## The story so far", "## Sources that",
                    "## Left out", "## New since", "## What's new"):
        assert heading not in md
    assert "KEY QUOTES" not in txt and "SOURCES THAT FAILED" not in txt
    assert "{{" not in html + md + txt and "None" not in md + txt


def test_an_empty_day_says_so_in_every_format():
    d = empty_digest()
    for out in (render_html(d), render_markdown(d), render_text(d)):
        assert "No new articles about this story in this window." in out
        assert "0 articles from 0 outlets" in out
    assert "## Overview" not in render_markdown(d)


def test_times_are_shown_in_the_story_time_zone():
    d = make_digest(3)
    first = d.articles[0].article.published  # 2016-09-17 06:37 UTC
    assert first == dt.datetime(2016, 9, 17, 6, 37, tzinfo=dt.UTC)
    assert "Sat 17 Sep, 07:37 BST" in render_html(d, "Europe/London")
    assert "Sat 17 Sep, 06:37 UTC" in render_markdown(d)
    assert "Sat 17 Sep, 02:37 EDT" in render_text(d, "America/New_York")
    assert "Sat 17 Sep 07:00 – Sun 18 Sep 07:00 BST" in render_markdown(d, "Europe/London")


# -- escaping ----------------------------------------------------------------------------------

def test_hostile_web_text_is_text_in_html():
    d = make_digest(9, hostile=True)
    html = render_html(d)
    p = parse(html)
    tags = [t for t, _ in p.tags]
    assert "script" not in tags and "iframe" not in tags and "img" not in tags
    assert "svg" not in tags
    # the same day without hostile strings uses the same kinds of element: the web added none
    benign = {t for t, _ in parse(render_html(make_digest(9))).tags}
    assert set(tags) <= benign
    assert tags.count("b") == len(d.articles) + len(d.quotes) + sum(a.updated for a in d.articles)
    for _, attrs in p.tags:
        assert not any(k.startswith("on") for k in attrs), attrs
    text = "".join(p.text)
    assert SCRIPT_TITLE in text and IMG_TITLE in text and HOSTILE_OUTLET in text
    assert "&lt;script&gt;" in html and "<script" not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_only_http_https_and_file_urls_become_links():
    d = make_digest(9, hostile=True)
    hrefs = [a["href"] for t, a in parse(render_html(d)).tags if t == "a"]
    assert hrefs and all(re.match(r"^(https?|file):", h) for h in hrefs), hrefs
    md = render_markdown(d)
    targets = re.findall(r"(?<!\\)\]\(([^)]*)\)", md)
    assert targets and all(re.match(r"^(https?|file):", t) for t in targets), targets
    assert "javascript:" not in " ".join(hrefs + targets)
    assert "data:text" not in " ".join(hrefs + targets)


def test_hostile_web_text_is_neutralised_in_markdown():
    md = render_markdown(make_digest(9, hostile=True))
    assert not re.search(r"(?<!\\)<", md)  # no raw HTML can start anywhere
    assert r"\<script\>" in md and r"\<iframe src=//evil.example\>" in md
    assert r"\[click me\](javascript:alert(3))" in md  # shown, never a link
    assert "**bold**" not in md and r"\*\*bold\*\*" in md
    # CR/LF in a title cannot start a new Markdown block
    assert "\nBcc:" not in md and "Ceasefire Bcc: victim@example.com X-Injected: yes" in md
    assert "\r" not in md


def test_plain_text_has_no_control_characters():
    txt = render_text(make_digest(9, hostile=True))
    assert "\r" not in txt and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", txt)
    flat = " ".join(txt.split())
    assert SCRIPT_TITLE in flat
    assert "Ceasefire Bcc: victim@example.com X-Injected: yes" in flat
    urls = [line.strip() for line in txt.splitlines() if re.match(r"^\s+\S+:\S+$", line)]
    assert urls and all(u.startswith("https://") for u in urls), urls
    assert JS_URL not in urls


def test_markdown_escape_and_links_are_well_formed():
    assert md_escape("a*b_c [x](y) <b> # h") == r"a\*b\_c \[x\](y) \<b\> # h"
    assert md_escape("# Heading") == r"\# Heading" and md_escape("1. item") == r"1\. item"
    assert md_escape("&lt;script&gt;") == "&amp;lt;script&amp;gt;"
    assert md_link("A [tricky] title", "https://x.example/a (b)/c?q=<1>") == \
        r"[A \[tricky\] title](https://x.example/a%20%28b%29/c?q=%3C1%3E)"
    assert md_link("Evil", "javascript:alert(1)") == "Evil"
    assert md_link("Tab", "java\tscript:alert(1)") == "Tab"
    md = render_markdown(busy_digest())
    links = re.findall(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\(([^()\s]*)\)", md)
    assert len(links) > 60
    assert all(text and re.match(r"^https?://[^\s()<>]+$", url) for text, url in links)
    # no stray unescaped brackets outside links
    stripped = re.sub(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\(([^()\s]*)\)", "", md)
    assert not re.search(r"(?<!\\)[\[\]]", stripped)


def test_markdown_renders_to_html_without_raw_markup_or_unsafe_links():
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html = parser.render(render_markdown(make_digest(9, hostile=True)))  # raw HTML is enabled
    p = parse(html)
    tags = {t for t, _ in p.tags}
    assert tags <= {"a", "blockquote", "em", "h1", "h2", "h3", "hr", "li", "p", "strong", "ul"}
    hrefs = [a["href"] for t, a in p.tags if t == "a"]
    assert len(hrefs) > 20 and all(h.startswith("https://") for h in hrefs)
    text = "".join(p.text)
    assert SCRIPT_TITLE in text and IMG_TITLE in text and "[click me](javascript:alert(3))" in text
    assert len(re.findall(r"<h3>", html)) == 9


# -- size --------------------------------------------------------------------------------------

def test_busy_day_html_is_under_100_kb_with_every_article():
    d = busy_digest()
    html = render_html(d, "Europe/London")
    size = len(html.encode("utf-8"))
    assert size < 100_000, size
    text = "".join(parse(html).text)
    assert all(a.article.title in text for a in d.articles)


def test_very_busy_day_is_shortened_to_fit_and_says_so():
    d = busy_digest()
    sentences = d.articles[0].summary * 2
    long = tuple(f"{s} {s} ({k})" for k, s in enumerate(sentences))  # six of ~230 characters
    d = replace(d, articles=tuple(replace(a, summary=long) for a in d.articles))
    full = render_markdown(d)
    html = render_html(d)
    assert len(html.encode("utf-8")) < 100_000
    assert "shortened to keep this email small" in html
    assert full.count(long[-1]) == 60  # the Markdown keeps every summary in full
    text = "".join(parse(html).text)
    assert d.articles[0].summary[0] in text  # the lead articles keep their summaries
    assert sum(a.article.title in text for a in d.articles) >= 40


def shared_data() -> Path:
    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
    return Path(os.environ.get("DIGEST_SHARED_DATA", default))


def test_a_day_of_real_news_text_fits_the_email_budget():
    """60 real news articles (CNN/Daily Mail, with their long archive URLs) as one busy day."""
    root = shared_data() / "summ" / "cnndm_dev125"
    if not (root / "meta.jsonl").exists():
        pytest.skip(f"shared data not found at {root}")
    metas = [json.loads(line) for line in (root / "meta.jsonl").read_text("utf-8").splitlines()]
    d = busy_digest()
    articles = []
    for item, meta in zip(d.articles, metas, strict=False):
        doc = (root / "items" / meta["hash"] / "doc.txt").read_text("utf-8")
        sentences = tuple(re.split(r"(?<=[.!?])\s+", doc.strip()))
        article = replace(item.article, url=meta["url"], title=sentences[0][:90])
        articles.append(replace(item, article=article, summary=sentences[:3]))
    d = replace(d, articles=tuple(articles))
    html = render_html(d, "Europe/London")
    assert len(html.encode("utf-8")) < 100_000
    p = parse(html)
    text = " ".join("".join(p.text).split())
    assert all(" ".join(a.article.title.split()) in text for a in articles)
    hrefs = {a.get("href") for t, a in p.tags if t == "a"}
    assert all(a.article.url in hrefs for a in articles)
    assert " ".join(articles[0].summary[2].split()) in text  # the lead keeps its whole summary


def test_html_is_email_safe():
    html = render_html(busy_digest())
    tags = {t for t, _ in parse(html).tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "form", "input"}
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert re.search(r'<table[^>]*role="presentation"', html)
    # styles are inlined; only the media queries stay in a <style> block
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and "@media" in styles[0]
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", styles[0]).strip() == ""
    assert 'style="' in html and "prefers-color-scheme:dark" in styles[0].replace(" ", "")


# -- JSON --------------------------------------------------------------------------------------

def test_json_has_the_contract_fields():
    data = digest_to_json(make_digest(9))
    assert data["story"] == {"slug": "syria-ceasefire", "title": "Syria ceasefire"}
    assert data["date"] == "2016-09-18" and data["previous_date"] == "2016-09-17"
    assert data["window"] == {"since": "2016-09-17T06:00:00+00:00",
                              "until": "2016-09-18T06:00:00+00:00"}
    art = data["articles"][0]
    assert set(art) >= {"url", "title", "outlet", "published", "summary", "relevance", "why",
                        "also_reported_by", "updated"}
    assert isinstance(art["summary"], list) and isinstance(art["relevance"], float)
    assert {"name", "url", "status", "error", "items"} <= set(data["sources"][0])
    assert {s["status"] for s in data["sources"]} == {"ok", "not_modified", "error"}
    assert {"url", "reason"} <= set(data["skipped"][0])
    for key in ("overview", "developments", "quotes", "figures", "timeline", "stats"):
        assert data[key], key
    assert data["overview"][0]["sources"][0].startswith("https://")
    json.dumps(data, allow_nan=False)


def test_json_is_deterministic_and_differs_only_in_generated_at():
    a = make_digest(9, seed=7)
    b = replace(make_digest(9, seed=7), generated_at=dt.datetime(2016, 9, 18, 9, 0, tzinfo=dt.UTC),
                sources=tuple(reversed(a.sources)), skipped=tuple(reversed(a.skipped)),
                timeline=tuple(reversed(a.timeline)))
    ja, jb = digest_json_text(a), digest_json_text(b)
    assert ja != jb
    da, db = json.loads(ja), json.loads(jb)
    assert da.pop("generated_at") != db.pop("generated_at")
    assert da == db
    assert digest_json_text(a) == ja
    assert da["stats"] == {"articles": 9, "entries": 212, "feeds": 9, "pages_fetched": 74}
    # timings vary from run to run: they go to the run report, not into the JSON
    c = replace(a, stats={**a.stats, "fetch_seconds": 99.1})
    assert digest_json_text(c) == ja
    assert [s["name"] for s in da["sources"]] == sorted(s["name"] for s in da["sources"])


def test_json_never_carries_feed_credentials():
    d = make_digest(2)
    src = replace(d.sources[0], url="https://bob:hunter2@feeds.example/rss?api_key=s3cr3t&x=1",
                  status="error", error="https://bob:hunter2@feeds.example/rss: 401")
    d = replace(d, sources=(src, *d.sources[1:]))
    out = digest_json_text(d) + render_html(d) + render_markdown(d) + render_text(d) + \
        json.dumps(report_rows(d))
    assert "hunter2" not in out and "s3cr3t" not in out
    assert "feeds.example/rss" in out


def test_report_rows_list_sources_counts_and_timings():
    d = make_digest(9)
    rows = report_rows(d)
    assert all(set(r) == {"section", "name", "status", "value", "detail"} for r in rows)
    sections = [r["section"] for r in rows]
    assert sections == sorted(sections, key=("source", "count", "timing").index)
    by = {(r["section"], r["name"]): r for r in rows}
    assert by[("source", "Damascus Daily")]["status"] == "failed"
    assert by[("source", "Damascus Daily")]["detail"] == "HTTP 503 Service Unavailable"
    assert by[("count", "articles")]["value"] == 9
    assert by[("count", "sources failed")]["value"] == 2
    assert by[("timing", "fetch_seconds")]["value"] == pytest.approx(12.346)
    assert ("count", "pages_fetched") in by
    json.dumps(rows)
    with_stages = report_rows(d, timings={"fetch_pages": 3.14159, "summarize": 0.5})
    stages = {r["name"]: r["value"] for r in with_stages if r["section"] == "timing"}
    assert stages["fetch_pages"] == pytest.approx(3.142) and stages["summarize"] == 0.5
    assert [r["section"] for r in with_stages][-1] == "timing"


def test_footer_counts_sources_by_what_they_gave_in_every_format():
    d = make_digest()
    ok = sum(s.status == "ok" for s in d.sources)
    quiet = sum(s.status == "not_modified" for s in d.sources)
    failed = sum(s.status == "error" for s in d.sources)
    line = f"{ok} with news, {quiet} with nothing new, {failed} failed"
    assert line in render_markdown(d)
    assert line in render_text(d)
    assert line in render_html(d)


def test_each_overview_citation_names_the_outlet_at_its_own_url():
    """A sentence told by two articles of one outlet and one of another (as summarize gives it:
    one outlet per source): each link is named by the outlet of its own URL."""
    from digest.models import Article
    from digest.summarize import summarize_story

    lede = ("Aircraft of the US-led coalition bombed Syrian army positions near Deir ez-Zor on "
            "Saturday, killing dozens of soldiers, the Syrian army said.")
    when = dt.datetime(2016, 9, 17, 16, tzinfo=dt.UTC)
    told = [Article(url=u, canonical_url=u, source=o, outlet=o, title="Strike",
                    text=f"{lede}\n\nMore on this from {o}, filed at {h}:00.",
                    published=when + dt.timedelta(hours=h))
            for h, (o, u) in enumerate([("Meridian Wire", "https://wire.example/a"),
                                        ("Meridian Wire", "https://wire.example/b"),
                                        ("Eastern Herald", "https://herald.example/c")])]
    overview = summarize_story(told, words=100)
    shown = next(s for s in overview if "Deir ez-Zor" in s.text)
    assert shown.sources == tuple(a.url for a in told)
    assert shown.outlets == ("Meridian Wire", "Meridian Wire", "Eastern Herald")
    md = render_markdown(replace(make_digest(), overview=(shown,)))
    line = next(x for x in md.splitlines() if "Deir ez-Zor" in x and "](http" in x)
    cited = re.findall(r"\[([^\]]+)\]\((http[^)]+)\)", line)
    assert cited == [(a.outlet, a.url) for a in told], cited


def test_a_sentence_told_by_many_outlets_is_cited_shorter_only_when_the_email_is_too_big():
    """Ten overview sentences each told by 80 articles made a 200 KB email: the HTML names a
    sentence's first sources and "and N more"; the Markdown keeps every source."""
    from digest.models import Attributed
    from digest.output.render import MAX_HTML_BYTES, SHORT_CITES

    d = make_digest()
    sentences = tuple(
        Attributed(f"Development number {k} was reported by very many outlets at once.",
                   tuple(f"https://outlet{i}.example/news/2016/09/18/story-{k}.html"
                         for i in range(80)),
                   tuple(f"Outlet {i}" for i in range(80)))
        for k in range(10))
    busy = replace(d, overview=sentences)
    html = render_html(busy)
    assert len(html.encode("utf-8")) <= MAX_HTML_BYTES
    assert f"and {80 - SHORT_CITES} more" in html
    assert "outlet79.example" not in html and "outlet0.example" in html
    assert "source lists are shortened" in html  # and it says so
    md = render_markdown(busy)
    assert md.count("outlet79.example") == 10  # every source in the Markdown digest
    quiet = render_html(d)  # a day within the budget: nothing shortened
    assert "more</span>" not in quiet and "shortened" not in quiet
