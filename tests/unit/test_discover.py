"""discover_feeds finds the feeds a page advertises, without fetching anything."""

from __future__ import annotations

import socket

import pytest

from digest.discover import discover_feeds

PAGE = b"""<!DOCTYPE html><html><head>
<meta charset="utf-8"><title>Capital Courier</title>
<link rel="stylesheet" href="/css/site.css">
<link rel="alternate" type="application/rss+xml" title="World" href="/world/rss.xml">
<link rel="alternate" type="application/atom+xml; charset=utf-8" href="https://courier.example/atom">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/rss+xml" href="/world/rss.xml">
<link rel="alternate" type="application/rss+xml" href="/comments/feed/">
<link rel="alternate" hreflang="fr" href="https://courier.example/fr/">
<link rel="Alternate Feed" type="application/RSS+XML" href="/politics.rss">
</head><body><a href="/other.rss">other</a></body></html>"""


def test_link_alternates_in_page_order_absolute_and_deduplicated() -> None:
    assert discover_feeds(PAGE, "https://courier.example/world/index.html") == [
        "https://courier.example/world/rss.xml",
        "https://courier.example/atom",
        "https://courier.example/world/feed.json",
        "https://courier.example/politics.rss",
    ]


def test_anchor_fallback_when_no_link_elements() -> None:
    html = """<html><body><nav>
      <a href="/about">About</a><a href="/rss/world.xml">World RSS</a>
      <a href="https://blog.example/feed/">Blog feed</a><a href="/news?feed=rss2">RSS2</a>
      <a href="/2016/09/story.html">Story</a><a href="/comments/feed">Comments feed</a>
    </nav></body></html>"""
    assert discover_feeds(html, "https://news.example/") == [
        "https://news.example/rss/world.xml",
        "https://blog.example/feed/",
        "https://news.example/news?feed=rss2",
    ]


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="https://cdn.example/site/"><link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>'
    assert discover_feeds(html, "https://news.example/page") == ["https://cdn.example/site/rss.xml"]


def test_file_pages_resolve_relative_feeds_but_web_pages_cannot_name_local_files() -> None:
    html = '<html><head><link rel="alternate" type="application/rss+xml" href="../../feeds/post.xml"></head></html>'
    assert discover_feeds(html, "file:///pack/sites/post/index.html") == [
        "file:///pack/feeds/post.xml"
    ]
    local = '<html><head><link rel="alternate" type="application/rss+xml" href="file:///etc/feed.xml"></head></html>'
    assert discover_feeds(local, "https://news.example/") == []


@pytest.mark.parametrize(
    "html",
    [
        b"",
        "",
        "   ",
        b"\x00\xff\xfe",
        "not html at all",
        b"<html>",
        "<?xml version='1.0' encoding='utf-8'?><html/>",
    ],
)
def test_nothing_to_find_returns_empty(html: bytes | str) -> None:
    assert discover_feeds(html, "https://news.example/") == []


def test_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("discover_feeds opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert (
        discover_feeds(PAGE, "https://courier.example/")[0]
        == "https://courier.example/world/rss.xml"
    )
