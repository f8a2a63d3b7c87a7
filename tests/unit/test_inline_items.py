"""Feed items with no link but text of their own are articles (RSS 0.92 items, Atom entries
without a link, JSON Feed items without a url); items with neither are counted as linkless."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import tomlkit

from bench.story_eval import config_with_feeds
from digest.extract import inline_article
from digest.feeds import MIN_INLINE_WORDS, parse_feed
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
STORY = ("Syria's ceasefire held for a second day on Wednesday as the United States and Russia "
         "pressed both sides to let aid convoys reach Aleppo, where food and medicine have run "
         "short. Diplomats in Geneva said the truce, agreed by John Kerry and Sergei Lavrov, was "
         "fragile but holding, with only scattered violations reported by monitors across the "
         "country, and the UN said it was ready to send trucks along the Castello Road.")
OTHER = ("The city council met on Tuesday evening to discuss the new cycle lanes planned for the "
         "harbour district, and residents spoke for and against the plan for nearly three hours "
         "before the vote was put off until next month, when engineers will present a revised "
         "design with fewer parking spaces removed.")


def rss092(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><description>{d}</description></item>"
                   for t, d in items)
    return (f"<?xml version='1.0'?><rss version='0.92'><channel><title>Wire</title>"
            f"<link>https://wire.example/</link><description>d</description>{body}"
            f"</channel></rss>").encode()


def test_an_item_with_its_own_text_is_an_entry_with_an_address_of_its_own() -> None:
    feed = parse_feed(rss092([("Truce holds", STORY), ("Council", OTHER), ("Short", "Two words")]),
                      url="https://wire.example/feed.xml", source="Wire")
    assert [e.title for e in feed.entries] == ["Truce holds", "Council"]
    assert all(e.inline and e.text for e in feed.entries)
    urls = [e.url for e in feed.entries]
    assert len(set(urls)) == 2 and all(u.startswith("https://wire.example/feed.xml?digest-item=")
                                       for u in urls)
    assert feed.linkless == 1  # the short item: no link and nothing to read
    again = parse_feed(rss092([("Truce holds", STORY)]), url="https://wire.example/feed.xml",
                       source="Wire")
    assert again.entries[0].url == urls[0]  # the same item keeps its address on the next read


def test_too_little_text_is_not_an_article() -> None:
    short = " ".join(["word"] * (MIN_INLINE_WORDS - 1))
    feed = parse_feed(rss092([("Short", short)]), url="https://wire.example/f.xml", source="W")
    assert feed.entries == () and feed.linkless == 1


def test_atom_entries_and_json_feed_items_without_links() -> None:
    atom = (f"<feed xmlns='http://www.w3.org/2005/Atom'><title>A</title><id>urn:a</id>"
            f"<updated>2016-09-14T10:00:00Z</updated><entry><title>Truce holds</title>"
            f"<id>urn:uuid:1</id><updated>2016-09-14T10:00:00Z</updated>"
            f"<content type='html'>&lt;p&gt;{STORY}&lt;/p&gt;</content></entry></feed>").encode()
    feed = parse_feed(atom, url="https://a.example/atom.xml", source="A")
    assert len(feed.entries) == 1 and feed.entries[0].inline
    assert feed.entries[0].published == dt.datetime(2016, 9, 14, 10, tzinfo=dt.UTC)
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J",
           "items": [{"id": "x1", "title": "Truce holds", "content_text": STORY}]}
    feed = parse_feed(json.dumps(doc).encode(), url="https://j.example/feed.json", source="J")
    assert len(feed.entries) == 1 and "digest-item=x1" in feed.entries[0].url


def test_the_article_of_an_item_is_its_text() -> None:
    entry = parse_feed(rss092([("Truce holds", STORY)]), url="https://wire.example/feed.xml",
                       source="Wire").entries[0]
    art = inline_article(entry, outlet="Wire")
    assert art.title == "Truce holds" and "Castello Road" in art.text and art.content_hash
    assert art.outlet == "Wire" and art.url == entry.url


def test_a_run_puts_an_on_story_item_without_a_link_in_the_digest(tmp_path: Path) -> None:
    when = "Wed, 14 Sep 2016 10:00:00 GMT"
    items = "".join(f"<item><title>{t}</title><description>{d}</description>"
                    f"<pubDate>{when}</pubDate></item>"
                    for t, d in [("Syria truce holds as aid waits", STORY), ("Cycle lanes", OTHER)])
    feed = tmp_path / "feeds" / "wire.xml"
    feed.parent.mkdir()
    feed.write_bytes(f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
                     f"<link>https://wire.example/</link><description>d</description>{items}"
                     f"</channel></rss>".encode())
    config = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                               [{"name": "Wire", "url": feed.as_uri()}], tmp_path / "c.toml")
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["fetch"]["local_root"] = str(tmp_path)
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    body, result = run_day(config, tmp_path / "out", "2016-09-15")
    assert result.fetched == 0  # nothing to download: the items carry their text
    titles = [a["title"] for a in body["articles"]]
    assert titles == ["Syria truce holds as aid waits"]
    assert any(s["title"] == "Cycle lanes" and s["kind"] == "off_story" for s in body["skipped"]), body["skipped"]
