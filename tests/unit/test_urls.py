"""Canonical URLs fold the many addresses of one article into one identity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.urls import canonical_url

SAME = [
    ("https://example.com/world/story", "http://www.example.com/world/story/"),
    ("https://example.com/world/story", "https://EXAMPLE.com/world/story?utm_source=rss&utm_medium=feed"),
    ("https://example.com/world/story", "https://m.example.com/world/story#comments"),
    ("https://example.com/world/story", "https://example.com/amp/world/story"),
    ("https://example.com/world/story", "https://example.com/world/story/amp/"),
    ("https://example.com/world/story.html", "https://example.com/world/story.amp.html"),
    ("https://example.com/world/story", "https://example.com:443/world/story?fbclid=abc"),
    ("https://example.com/a?id=7", "https://example.com/a?id=7&gclid=x"),
    ("https://example.com/a?b=2&id=7", "https://example.com/a?id=7&b=2"),
    ("https://example.com/section", "https://example.com/section/index.html"),
    ("file:///pack/sites/a/story.html", "file:///pack/sites/a/story.html?utm_campaign=x"),
]

DIFFERENT = [
    ("https://example.com/a?id=7", "https://example.com/a?id=8"),
    ("https://example.com/world/story", "https://example.org/world/story"),
    ("https://example.com/world/story-1", "https://example.com/world/story-2"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_variants_of_one_article_share_a_canonical_url(a, b):
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_articles_stay_different(a, b):
    assert canonical_url(a) != canonical_url(b)


@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent(text):
    once = canonical_url(text)
    assert canonical_url(once) == once


@given(st.from_regex(r"https?://[a-z]{1,8}\.(com|org)(/[a-z0-9_-]{1,8}){0,4}/?(\?[a-z]{1,5}=[a-z0-9]{1,5})?",
                     fullmatch=True))
def test_canonical_http_urls_are_https_without_fragments(url):
    out = canonical_url(url + "#x")
    assert out.startswith("https://")
    assert "#" not in out
    assert canonical_url(out) == out
