"""SQLite state: feeds, articles, digests, delivery ledger; atomic and reopenable."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from digest.errors import StateError
from digest.models import Article, Entry
from digest.store import Store

T = dt.datetime(2016, 9, 17, 17, 5, tzinfo=dt.UTC)


def article(n: int = 1, text: str = "Body text.") -> Article:
    return Article(url=f"https://ex.com/{n}?utm_source=x", canonical_url=f"https://ex.com/{n}",
                   source="Wire", outlet="Wire", title=f"Title {n}", text=text, published=T,
                   content_hash=f"h{n}")


def test_feed_validators_and_entries_round_trip(tmp_path):
    with Store(tmp_path / "s.db") as s:
        e = Entry(source="Wire", url="https://ex.com/1", title="T", published=T, summary="x")
        s.save_feed("https://ex.com/feed", "Wire", [e], '"etag"', "Sat, 17 Sep 2016", T)
        assert s.feed_validators("https://ex.com/feed") == ('"etag"', "Sat, 17 Sep 2016")
        assert s.feed_entries("https://ex.com/feed") == (e,)
        assert s.feed_validators("https://other") == (None, None)


def test_article_is_found_by_any_alias(tmp_path):
    with Store(tmp_path / "s.db") as s:
        a = article()
        s.save_article(a, aliases=["https://ex.com/amp/1"], entry_updated=T)
        for url in (a.url, a.canonical_url, "https://ex.com/amp/1"):
            found, updated = s.article_for(url)
            assert found == a and updated == T
        assert s.article_for("https://ex.com/2") is None


def test_many_addresses_are_looked_up_as_one_at_a_time_would(tmp_path):
    with Store(tmp_path / "s.db") as s:
        saved = [article(n) for n in range(1, 1203)]  # more than one query's chunk of 500
        for a in saved:
            s.save_article(a, aliases=[f"https://ex.com/amp/{a.canonical_url[15:]}"],
                           entry_updated=T)
        s.record_failure("https://ex.com/gone", "404 Not Found")
        asked = ([a.url for a in saved[::3]] + [f"https://ex.com/amp/{n}" for n in (2, 700)]
                 + ["https://ex.com/unknown", "https://ex.com/gone"])
        batch = s.articles_for(asked)
        assert set(batch) == {u for u in asked if s.article_for(u) is not None}
        assert all(batch[u] == s.article_for(u) for u in batch)
        assert s.failures(asked + ["https://ex.com/1"]) == {"https://ex.com/gone": "404 Not Found"}


def test_digests_carried_and_sentences_are_scoped_to_earlier_dates(tmp_path):
    with Store(tmp_path / "s.db") as s:
        d1, d2 = dt.date(2016, 9, 17), dt.date(2016, 9, 18)
        s.save_digest("story", d1, T, {"articles": []}, [("https://ex.com/1", "h1")], ["one."])
        s.save_digest("story", d2, T, {"articles": []}, [("https://ex.com/2", "h2")], ["two."])
        assert s.carried_before("story", d2) == {"https://ex.com/1": "h1"}
        assert s.carried_before("story", d1) == {}
        assert s.sentences_before("story", d2) == ["one."]
        assert [d for d, _ in s.digests_before("story", dt.date(2016, 9, 19))] == [d1, d2]
        # re-saving a date replaces, never duplicates
        s.save_digest("story", d1, T, {"articles": []}, [("https://ex.com/3", "h3")], ["uno."])
        assert s.carried_before("story", d2) == {"https://ex.com/3": "h3"}
        assert s.sentences_before("story", d2) == ["uno."]


def test_delivery_ledger_ignores_recipient_order_and_case(tmp_path):
    with Store(tmp_path / "s.db") as s:
        day = dt.date(2016, 9, 18)
        assert s.delivery("story", day, ["a@x.org", "b@x.org"]) is None
        s.record_delivery("story", day, ["a@x.org", "b@x.org"], "<id@x>")
        assert s.delivery("story", day, ["B@x.org", "a@x.org"]) == "<id@x>"
        assert s.delivery("story", day, ["a@x.org"]) is None


def test_failed_transaction_leaves_nothing_behind(tmp_path):
    with Store(tmp_path / "s.db") as s:
        with pytest.raises(RuntimeError), s.transaction() as db:
            db.execute("INSERT INTO aliases VALUES ('u', 'c')")
            raise RuntimeError("crash mid-write")
        assert s.article_for("u") is None


def test_state_survives_reopen_and_uses_wal(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as s:
        s.save_article(article())
    with Store(path) as s:
        assert s.article_count() == 1
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_garbage_file_is_a_clear_state_error(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="cannot open state database"):
        Store(path)


def test_summary_cache(tmp_path):
    with Store(tmp_path / "s.db") as s:
        assert s.summary("h1", "lead", 3) is None
        s.save_summary("h1", "lead", 3, ["A.", "B."])
        assert s.summary("h1", "lead", 3) == ("A.", "B.")
        assert s.summary("h1", "lead", 2) is None


def test_a_version_1_state_file_is_migrated_screened_pages_get_their_own_column(tmp_path):
    import sqlite3

    from digest.models import Article, Screened
    from digest.store import SCHEMA_VERSION, Store

    path = tmp_path / "old.sqlite"
    with Store(path) as store:  # make a current file, then turn it back into version 1
        store.save_article(Article(url="https://a.example/x", canonical_url="https://a.example/x",
                                   source="s", outlet="A", title="Kept", text="Body text.",
                                   content_hash="abc"))
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE articles DROP COLUMN screened")
    db.execute("INSERT INTO articles VALUES ('https://b.example/y','https://b.example/y','s','B',"
               "'Off','','2016-09-18T00:00:00+00:00',NULL,NULL,'Syria','en',"
               "'screened:f00d',NULL,'2016-09-18T00:00:00+00:00')")
    db.execute("INSERT INTO aliases VALUES ('https://b.example/y','https://b.example/y')")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(path) as store:
        kept, _ = store.article_for("https://a.example/x")
        screened, _ = store.article_for("https://b.example/y")
        assert isinstance(kept, Article) and kept.text == "Body text."
        assert isinstance(screened, Screened)
        assert (screened.screen, screened.missing, screened.title) == ("f00d", "Syria", "Off")
        assert list(store.articles(["https://b.example/y"])) == []  # never as an article
    version = sqlite3.connect(path).execute(
        "SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION == 2


def test_runs_opening_one_new_state_file_at_once_all_get_it(tmp_path):
    import threading

    from digest.store import Store

    for round_ in range(5):
        path = tmp_path / f"state-{round_}.sqlite"
        barrier, errors = threading.Barrier(6), []

        def open_it(path=path, barrier=barrier, errors=errors) -> None:  # type: ignore[no-untyped-def]
            barrier.wait()
            try:
                Store(path).close()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []


def test_feed_entries_follow_what_state_holds_now(tmp_path):
    """Decoded entries are shared by their stored text (stories of one run keep the same feeds):
    another text, in this state or another, is decoded anew."""
    feed = "https://ex.com/feed"
    e = Entry(source="Wire", url="https://ex.com/1", title="T", published=T, summary="x")
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        a.save_feed(feed, "Wire", [e], None, None, T)
        b.save_feed(feed, "Wire", [e], None, None, T)
        assert a.feed_entries(feed) == b.feed_entries(feed) == (e,)
        assert a.feed_entries_between(feed, T, T + dt.timedelta(hours=1)) == (e,)
        changed = Entry(source="Wire", url="https://ex.com/1", title="T, updated", published=T,
                        summary="x")
        b.save_feed(feed, "Wire", [changed], None, None, T)
        assert b.feed_entries(feed) == (changed,)
        assert b.feed_entries_between(feed, T, T + dt.timedelta(hours=1)) == (changed,)
        assert a.feed_entries(feed) == (e,)  # the other state still holds the first text
        assert a.feed_entries_between(feed, T, T + dt.timedelta(hours=1)) == (e,)


def test_a_file_is_checked_page_by_page_once_while_it_is_unchanged(tmp_path, monkeypatch):
    """The integrity check reads every page: a process opening a state file again (a many-story
    run opens each two or three times) does not read it again while only its own writes
    changed it; a file changed by someone else, or checked too long ago, is checked again."""
    import digest.store as store_module

    checks = []
    real = Store._check_pages
    monkeypatch.setattr(Store, "_check_pages", lambda self: (checks.append(self.path), real(self)))
    monkeypatch.setattr(store_module, "_checked", {})
    path = tmp_path / "state.sqlite"
    with Store(path) as s:
        s.record_failure("https://example.org/a", "HTTP 404")  # this process's own writes
    Store(path).close()
    assert checks == [path]
    other = sqlite3.connect(path)  # someone else writes to the file
    other.execute("INSERT INTO failures VALUES ('https://example.org/b', 'HTTP 404', '')")
    other.commit()
    other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    other.close()
    Store(path).close()
    assert checks == [path, path]
    monkeypatch.setattr(store_module, "CHECKED_FRESH", 0.0)  # checked too long ago
    Store(path).close()
    assert checks == [path, path, path]


def test_the_next_process_trusts_a_check_stamped_beside_an_unchanged_file(tmp_path, monkeypatch):
    """A re-run right after a run does not read every page again: the run leaves a stamp of
    the file as it left it, checked; a file changed since (damaged, written by another tool),
    an old or a garbled stamp means checking again, and the damage is found."""
    import digest.store as store_module

    checks = []
    real = Store._check_pages
    monkeypatch.setattr(Store, "_check_pages", lambda self: (checks.append(self.path), real(self)))
    path = tmp_path / "state.sqlite"
    stamp = tmp_path / "state.sqlite-checked"
    monkeypatch.setattr(store_module, "_checked", {})
    with Store(path) as s:
        for i in range(300):
            s.record_failure(f"https://example.org/{i}", "HTTP 404 " + "x" * 200)
    assert checks == [path] and stamp.is_file()
    monkeypatch.setattr(store_module, "_checked", {})  # another process: only the stamp is left
    Store(path).close()
    assert checks == [path]
    stamp.write_text("{not json", encoding="utf-8")  # garbled: checked again, stamped anew
    monkeypatch.setattr(store_module, "_checked", {})
    Store(path).close()
    assert checks == [path, path]
    monkeypatch.setattr(store_module, "_checked", {})
    monkeypatch.setattr(store_module, "CHECKED_FRESH", 0.0)  # stamped too long ago
    Store(path).close()
    assert checks == [path, path, path]
    monkeypatch.setattr(store_module, "CHECKED_FRESH", 600.0)
    data = bytearray(path.read_bytes())  # damaged after its stamp: the stamp no longer names it
    middle = (len(data) // 4096 // 2) * 4096
    data[middle:middle + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))
    monkeypatch.setattr(store_module, "_checked", {})
    with pytest.raises(StateError, match="damaged"):
        Store(path)
    assert checks == [path, path, path, path]
