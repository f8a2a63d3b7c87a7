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
