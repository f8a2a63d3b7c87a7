"""digest/crawl.py: feed answers shared by request (URL and validators), pages reduced once for
every story's screen and handed to each story as the record it would make alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.config import Config, FetchSettings, RelevanceSettings
from digest.crawl import Crawl, Page, story_screen
from digest.errors import FetchError
from digest.extract import ExtractFailure
from digest.models import Entry
from digest.pipeline.collect import crawl_page
from digest.screen import Screen
from tests.support.packserve import serve_pack

WHEN = dt.datetime(2016, 9, 17, 18, tzinfo=dt.UTC)
PAGE = ("<html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
        + "<p>{p}</p>" * 4 + "</article></body></html>")


def _config(require: list[list[str]], prefilter: bool = True) -> Config:
    from dataclasses import replace

    from digest.config import load_config

    base = load_config(Path(__file__).resolve().parents[2] / "config" / "syria-ceasefire.toml")
    rel = replace(base.relevance or RelevanceSettings(), require=tuple(map(tuple, require)),
                  prefilter=prefilter)
    return replace(base, relevance=rel, fetch=replace(FetchSettings(),
                                                      allow_networks=("127.0.0.0/8",)))


def test_feed_answers_are_shared_by_url_and_validators(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text("<rss version='2.0'><channel><title>x</title></channel>"
                                       "</rss>", encoding="utf-8")
    a, b = _config([["Syria"]]), _config([["Ukraine"]])
    with serve_pack(tmp_path) as base, Crawl([a, b]) as crawl:
        url = f"{base}/feed.xml"
        first = crawl.fetcher_for(a).get(url)
        again = crawl.fetcher_for(b).get(url)  # the same request: answered from memory
        assert again is first and crawl.feed_requests == 1
        etag = first.etag
        assert etag
        conditional = crawl.fetcher_for(b).get(url, etag=etag)  # other validators: asked
        assert conditional.not_modified and crawl.feed_requests == 2
        assert [p for p in base.server.requests if p.endswith("feed.xml")] == ["/feed.xml"] * 2
        with pytest.raises(FetchError):
            crawl.fetcher_for(a).get(f"{base}/missing.xml")
        with pytest.raises(FetchError):  # a failure is remembered too
            crawl.fetcher_for(b).get(f"{base}/missing.xml")
        assert crawl.feed_requests == 3


def test_a_page_is_reduced_once_for_every_screen_and_extracted_when_anyone_needs_it() -> None:
    syria = Screen.for_story([["Syria"], ["ceasefire"]])
    ukraine = Screen.for_story([["Ukraine"], ["ceasefire"]])
    entry = Entry(source="Wire", url="https://example.org/a", title="Truce", published=WHEN)
    text = ("The ceasefire in Syria held through the night, monitors said on Saturday, as aid "
            "convoys waited at the border crossing for permission to move towards Aleppo.")
    body = PAGE.format(t="Syria ceasefire holds", p=text).encode()
    page = crawl_page(body, entry.url, entry, "Wire", (syria, ukraine, None))
    assert page.covers(syria) and page.covers(ukraine) and page.covers(None)
    assert page.missing == {ukraine.fingerprint: "Ukraine"}  # Ukraine is never named
    assert page.for_screen(ukraine).missing == "Ukraine"  # type: ignore[union-attr]
    article = page.for_screen(syria)
    assert article is page.for_screen(None) and "ceasefire" in article.text  # type: ignore[union-attr]
    other = Screen.for_story([["Yemen"]])
    assert not page.covers(other)  # a story the crawl did not know: reduced again

    nobody = crawl_page(body, entry.url, entry, "Wire", (ukraine,))
    assert nobody.extracted is None  # every story rules it out: not extracted at all
    assert isinstance(Page({}, None, None).for_screen(syria), ExtractFailure)


def test_a_story_screen_follows_its_config() -> None:
    assert story_screen(_config([["Syria"]])) == Screen.for_story([["Syria"]])
    assert story_screen(_config([["Syria"]], prefilter=False)) is None


def test_what_stories_derive_from_the_same_text_is_computed_once_per_crawl():
    from digest.crawl import Crawl

    calls: list[tuple[str, str]] = []

    def terms(text: str, language: str) -> list[str]:
        calls.append((text, language))
        return text.lower().split()

    crawl = Crawl()
    first = crawl.derived(terms, "Kerry and Lavrov", "english")
    again = crawl.derived(terms, "Kerry and Lavrov", "english")
    assert first == again == ["kerry", "and", "lavrov"] and len(calls) == 1
    crawl.derived(terms, "Kerry and Lavrov", "german")  # another language is another value
    crawl.derived(terms, "Churkin", "english")
    assert len(calls) == 3
    crawl.close()
    crawl.derived(terms, "Kerry and Lavrov", "english")  # closed: nothing kept
    assert len(calls) == 4


def test_a_story_whose_feed_answers_the_crawl_holds_reads_them_without_threads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads only for requests the crawl has not answered: a story with the validators
    another story of the run sent reads its feeds inline, as it would through threads; one with
    other validators (a fresh state) still asks, in threads."""
    from dataclasses import replace

    from digest.models import FeedSource
    from digest.pipeline import collect
    from digest.pipeline.context import open_run

    item = ("<item><title>Truce</title><link>{base}/a.html</link>"
            "<pubDate>Sat, 17 Sep 2016 18:00:00 GMT</pubDate></item>")
    with serve_pack(tmp_path) as base:
        for name in ("one", "two"):
            (tmp_path / f"{name}.xml").write_text(
                "<rss version='2.0'><channel><title>x</title>" + item.format(base=base)
                + "</channel></rss>", encoding="utf-8")
        cfg = replace(_config([["Syria"]]), feeds=(FeedSource("One", f"{base}/one.xml"),
                                                   FeedSource("Two", f"{base}/two.xml")))
        threads = []
        real = collect.ThreadPoolExecutor

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            threads.append(1)
            return real(*args, **kwargs)
        monkeypatch.setattr(collect, "ThreadPoolExecutor", counted)

        def read(crawl: Crawl, state: str, save: bool = True) -> list:
            ctx = open_run(cfg, day=WHEN.date(), state_path=tmp_path / state, crawl=crawl)
            try:
                return collect.read_feeds(ctx, save=save)
            finally:
                ctx.close()

        with Crawl([cfg]) as crawl:  # first day: both states fresh, the same request
            first = read(crawl, "a.sqlite")
            assert len(threads) == 1 and crawl.feed_requests == 2
            assert read(crawl, "b.sqlite") == first  # answered: inline
            assert len(threads) == 1 and crawl.feed_requests == 2
        assert [f.status for f in first] == ["ok", "ok"] and first[0].entries

        with Crawl([cfg]) as crawl:  # the next run: conditional requests, answered 304
            again = read(crawl, "a.sqlite")
            assert len(threads) == 2 and crawl.feed_requests == 2
            assert read(crawl, "b.sqlite") == again  # the same validators: inline
            assert len(threads) == 2 and crawl.feed_requests == 2
            assert [f.status for f in again] == ["not_modified"] * 2
            assert [f.entries for f in again] == [f.entries for f in first]
            fresh = read(crawl, "c.sqlite", save=False)  # no validators: not the same request
            assert len(threads) == 3 and crawl.feed_requests == 4
            assert [f.status for f in fresh] == ["ok", "ok"]
