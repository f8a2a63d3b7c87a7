"""Caps on what the web can make us print: titles from feeds and pages, the "Left out" list,
and the size of a digest whose feed carries 100,000 items in the window."""

from __future__ import annotations

import json
from dataclasses import replace

from digest.extract import extract_article
from digest.feeds import parse_feed
from digest.models import Skipped
from digest.output.present import HTML_SKIPPED_LIMIT, SKIPPED_LIMIT
from digest.output.render import render_html, render_markdown, render_text
from digest.output.serialize import digest_to_json
from digest.text.bounds import MAX_NAME, MAX_TITLE
from tests.support.digests import make_digest
from tests.unit.test_extract import BODY, page

HUGE = "Ceasefire " * 100_000  # a 1 MB title


def _rss(items: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{HUGE}</title>'
            f"<link>https://example.com/</link>{items}</channel></rss>").encode()


def test_feed_item_titles_authors_and_the_feed_name_are_capped() -> None:
    item = (f"<item><title>{HUGE}</title><link>https://example.com/a</link>"
            f"<author>desk@example.com ({'Jane ' * 10_000})</author></item>")
    parsed = parse_feed(_rss(item), url="https://example.com/feed", source="s")
    (entry,) = parsed.entries
    assert len(entry.title) <= MAX_TITLE and entry.title.endswith("\u2026")
    assert entry.title.startswith("Ceasefire Ceasefire")
    assert entry.author is not None and len(entry.author) <= MAX_NAME
    assert len(parsed.title) <= MAX_NAME


def test_json_feed_titles_are_capped() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": HUGE,
           "items": [{"id": "1", "url": "https://example.com/a", "title": HUGE}]}
    parsed = parse_feed(json.dumps(doc).encode(), url="https://example.com/feed.json", source="s")
    assert len(parsed.entries[0].title) <= MAX_TITLE and len(parsed.title) <= MAX_NAME


def test_a_page_title_and_site_name_are_capped() -> None:
    html = page(body=BODY).replace(
        "<title>US-led strike kills Syrian troops, Russia says | The Levant Tribune</title>",
        f"<title>{HUGE}</title>").replace(
        'content="US-led strike kills Syrian troops, Russia says"', f'content="{HUGE}"')
    html = html.replace("<head>", f'<head><meta property="og:site_name" content="{HUGE}">', 1)
    article = extract_article(html.encode(), url="https://example.com/a", entry=None,
                              outlet="Feed")
    assert article.title.startswith("Ceasefire") and len(article.title) <= MAX_TITLE
    assert len(article.outlet) <= MAX_NAME
    assert "Russia" in article.text  # the article itself is still read


def _with_left_out(n: int):
    digest = make_digest(3)
    skipped = tuple(Skipped(f"https://example.com/item/{i}", "not about the story (score 0.01)",
                            f"Cricket score update number {i}") for i in range(n))
    return replace(digest, skipped=skipped)


def test_left_out_lists_the_first_entries_then_how_many_more() -> None:
    digest = _with_left_out(SKIPPED_LIMIT + 7)
    md, text, html = render_markdown(digest), render_text(digest), render_html(digest)
    last_shown, first_hidden = (f"number {SKIPPED_LIMIT - 1}", f"number {SKIPPED_LIMIT}")
    for body in (md, text):
        assert last_shown in body and first_hidden not in body
        assert "… and 7 more, listed in the JSON digest." in body
    assert f"number {HTML_SKIPPED_LIMIT - 1}" in html and f"number {HTML_SKIPPED_LIMIT}<" not in html
    assert f"and {SKIPPED_LIMIT + 7 - HTML_SKIPPED_LIMIT} more" in html
    assert len(digest_to_json(digest)["skipped"]) == SKIPPED_LIMIT + 7  # the record keeps all


def test_a_short_left_out_list_has_no_more_line() -> None:
    digest = _with_left_out(3)
    for body in (render_markdown(digest), render_text(digest)):
        assert "number 2" in body and "more, listed in the JSON digest" not in body


def test_a_feed_with_100000_items_in_the_window_makes_a_bounded_digest() -> None:
    few, many = _with_left_out(10), _with_left_out(100_000)
    for render in (render_markdown, render_text):
        grown = len(render(many).encode()) - len(render(few).encode())
        assert grown < 10_000  # 40 more listed lines and one "… and N more": kilobytes, not MB
    assert len(render_html(many).encode()) <= 100_000
