"""The feed-item history in state (every item a feed ever listed) and the note of a rebuilt day."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

from digest.models import Article, Entry, FeedResult, FeedSource
from digest.pipeline import rerun
from digest.store import Store

UTC = dt.UTC
FEED = "http://feeds.example/world.xml"
SINCE, UNTIL = dt.datetime(2016, 9, 17, 6, tzinfo=UTC), dt.datetime(2016, 9, 18, 6, tzinfo=UTC)
IN = dt.datetime(2016, 9, 17, 15, tzinfo=UTC)
BEFORE, AFTER = SINCE - dt.timedelta(hours=3), UNTIL + dt.timedelta(hours=3)


def entry(slug: str, published: dt.datetime | None, updated: dt.datetime | None = None,
          source: str = "world") -> Entry:
    return Entry(source=source, url=f"http://news.example/{slug}.html", title=slug,
                 published=published, updated=updated)


def article(slug: str, published: dt.datetime | None, source: str = "world") -> Article:
    url = f"http://news.example/{slug}.html"
    return Article(url=url, canonical_url=url, source=source, outlet="news", title=slug,
                   text="Text of " + slug, published=published, content_hash="h-" + slug)


def slugs(entries) -> list[str]:
    return [e.title for e in entries]


def test_items_a_feed_no_longer_lists_stay_known_for_their_window(tmp_path):
    with Store(tmp_path / "s.sqlite") as db:
        db.save_feed(FEED, "world", [entry("before", BEFORE), entry("in", IN),
                                     entry("late-update", BEFORE, updated=IN)], None, None, IN)
        db.save_feed(FEED, "world", [entry("after", AFTER)], None, None, AFTER)  # rotated
        assert slugs(db.feed_entries(FEED)) == ["after"]  # the last read, for 304 answers
        assert slugs(db.feed_entries_between(FEED, SINCE, UNTIL)) == ["in", "late-update"]
        assert slugs(db.feed_entries_between(FEED, UNTIL, AFTER + dt.timedelta(1))) == ["after"]
        assert db.feed_entries_between("http://other.example/feed", SINCE, UNTIL) == ()


def test_a_later_read_of_an_item_replaces_the_stored_one(tmp_path):
    with Store(tmp_path / "s.sqlite") as db:
        db.save_feed(FEED, "world", [entry("moved", IN)], None, None, IN)
        db.save_feed(FEED, "world", [entry("moved", AFTER)], None, None, AFTER)  # date corrected
        assert db.feed_entries_between(FEED, SINCE, UNTIL) == ()


def test_an_undated_item_belongs_to_the_window_its_page_is_from(tmp_path):
    with Store(tmp_path / "s.sqlite") as db:
        db.save_feed(FEED, "world", [entry("undated-in", None), entry("undated-out", None),
                                     entry("never-read", None)], None, None, IN)
        db.save_article(article("undated-in", IN))
        db.save_article(article("undated-out", BEFORE))
        assert slugs(db.feed_entries_between(FEED, SINCE, UNTIL)) == ["undated-in"]


def _older_state(path: Path) -> None:
    """A state file as the code before the history wrote it: the last read and the articles."""
    with Store(path) as db:
        db.save_feed(FEED, "world", [entry("rotated-out", IN)], None, None, IN)
        db.save_article(article("rotated-out", IN))
        db.save_article(article("only-an-article", IN))
        db.save_article(article("stranger", IN, source="a feed no longer configured"))
        db.save_feed(FEED, "world", [entry("listed-now", AFTER)], None, None, AFTER)
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM feed_items")
    raw.execute("DELETE FROM meta WHERE key='feed_items'")
    raw.commit()
    raw.close()


def test_an_older_state_starts_the_history_from_its_last_reads_and_articles(tmp_path):
    _older_state(tmp_path / "s.sqlite")
    with Store(tmp_path / "s.sqlite") as db:
        # the last read lists only "listed-now"; the articles stored under the feed's name
        # bring back the window's items (dated as their feed entries were)
        assert slugs(db.feed_entries_between(FEED, SINCE, UNTIL)) == ["only-an-article",
                                                                     "rotated-out"]
        assert slugs(db.feed_entries_between(FEED, UNTIL, AFTER + dt.timedelta(1))) == [
            "listed-now"]


def test_stores_opened_at_once_on_an_older_state_start_the_history_once(tmp_path):
    path = tmp_path / "s.sqlite"
    _older_state(path)
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            Store(path).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as db:
        assert len(db.feed_entries_between(FEED, SINCE, UNTIL)) == 2


def _ctx(db: Store, day: dt.date) -> SimpleNamespace:
    story = SimpleNamespace(slug="s", tz=dt.timezone(dt.timedelta(hours=1)))
    return SimpleNamespace(store=db, day=day, config=SimpleNamespace(story=story),
                           now=dt.datetime(2016, 9, 25, 23, 30, tzinfo=UTC))


def _feeds(*failing: str) -> list[FeedResult]:
    names = ("a", "b", "c")
    return [FeedResult(FeedSource(n, f"http://{n}.example/feed"), "error" if n in failing
                       else "ok", error="HTTP 500" if n in failing else None) for n in names]


def test_the_note_says_when_a_published_day_was_made_again_and_why(tmp_path):
    day = dt.date(2016, 9, 18)
    with Store(tmp_path / "s.sqlite") as db:
        ctx = _ctx(db, day)
        assert rerun.note(ctx, _feeds("a"), {"a": 2}) is None  # never published: no note
        db.save_digest("s", day, IN, {"articles": []}, [], [])
        assert rerun.note(ctx, _feeds(), {}) is None  # nothing only earlier reads knew
        # the date is the day of the rebuild in the story's time zone (UTC+1 here)
        assert rerun.note(ctx, _feeds("a", "b"), {"a": 2, "b": 1}) == (
            "rebuilt on 2016-09-26: 2 sources failed, their earlier items kept")
        assert rerun.note(ctx, _feeds("a"), {"a": 1, "c": 3}) == (
            "rebuilt on 2016-09-26: 1 source failed, its earlier items kept; 3 items no longer"
            " in its feed, kept from an earlier read")
        assert rerun.note(ctx, _feeds(), {"b": 1, "c": 1}).endswith(
            ": 2 items no longer in their feeds, kept from an earlier read")
        assert rerun.note(_ctx(db, day + dt.timedelta(1)), _feeds("a"), {"a": 2}) is None


def test_earlier_entries_are_the_windows_stored_items_a_feed_does_not_list_now(tmp_path):
    with Store(tmp_path / "s.sqlite") as db:
        db.save_feed("http://a.example/feed", "old name", [entry("gone", IN, source="old name"),
                                                            entry("still", IN)], None, None, IN)
        ctx = _ctx(db, dt.date(2016, 9, 18))
        ctx.window = SimpleNamespace(since=SINCE, until=UNTIL)
        now = FeedResult(FeedSource("a", "http://a.example/feed"), "ok",
                         (entry("still", IN, source="a"),))
        found = list(rerun.earlier_entries(ctx, [now]))
        # listed under the feed's name of today, even if it was renamed since
        assert [(name, e.title, e.source) for name, e in found] == [("a", "gone", "a")]
