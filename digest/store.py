"""SQLite state kept across runs: feed validators, articles seen, digests produced and sent
(and owed: the ``outbox`` table, managed by :mod:`digest.outbox`).

One file, WAL journal, every write in a transaction: a run killed at any point leaves the database
as it was after the last committed step. The library opens it; nothing else writes it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from digest.errors import StateError
from digest.history import History
from digest.models import Article, Entry, Screened

log = logging.getLogger(__name__)

OPEN_PATIENCE = 30.0  # seconds to wait for another run that holds a new state file locked
CHECKED_FRESH = 600.0  # seconds a file's integrity check stands (the file unchanged since)
_checked: dict[tuple[int, int, int, int], float] = {}  # file identity -> when checked (epoch s)
STAMP_SUFFIX = "-checked"  # beside a state file, like its -wal: the file as last left, checked
SCHEMA_VERSION = 2  # 2: articles.screened (was a 'screened:' prefix of content_hash)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    checked_at TEXT,
    status TEXT,
    error TEXT,
    entries TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS feed_items (
    feed_url TEXT NOT NULL,
    url TEXT NOT NULL,
    published TEXT,
    updated TEXT,
    entry TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_url, url)
);
CREATE TABLE IF NOT EXISTS articles (
    canonical_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    outlet TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    published TEXT,
    updated TEXT,
    author TEXT,
    description TEXT NOT NULL DEFAULT '',
    language TEXT,
    content_hash TEXT NOT NULL,
    entry_updated TEXT,
    fetched_at TEXT NOT NULL,
    screened TEXT  -- a screened-out page (never extracted): the screen's fingerprint; text empty
);
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries (
    content_hash TEXT NOT NULL,
    method TEXT NOT NULL,
    size INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    PRIMARY KEY (content_hash, method, size)
);
CREATE TABLE IF NOT EXISTS digests (
    slug TEXT NOT NULL,
    date TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (slug, date)
);
CREATE TABLE IF NOT EXISTS carried (
    slug TEXT NOT NULL,
    date TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (slug, date, canonical_url)
);
CREATE TABLE IF NOT EXISTS sent_sentences (
    slug TEXT NOT NULL,
    date TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (slug, date, position)
);
CREATE TABLE IF NOT EXISTS deliveries (
    slug TEXT NOT NULL,
    date TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (slug, date, recipients)
);
CREATE TABLE IF NOT EXISTS outbox (
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    date TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    message BLOB NOT NULL,
    owner TEXT,
    lease_until TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    since TEXT NOT NULL,
    PRIMARY KEY (slug, kind, key, recipients)
);
"""


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


class Store:
    """The state database. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        if self.path.exists() and not self.path.is_file():  # a folder, /dev/null, /proc/...
            raise StateError(f"{self.path}: not a state database (not a regular file)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._open_retrying()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise state_error(self.path, exc, "cannot open state database") from None
        except OSError as exc:
            raise StateError(f"{self.path}: cannot create state database: {exc}") from None
        except ValueError:  # a schema_version that is not a number
            self._close_quietly()
            raise StateError(f"{self.path}: not a state database of this program "
                             "(bad schema version)") from None

    def _open_retrying(self, patience: float = OPEN_PATIENCE) -> None:
        """Open the file and bring it up to date. Another run opening the same new file at the
        same moment can hold it locked while it sets it up (SQLite does not wait for a change
        of journal mode): try again, with backoff, for ``patience`` seconds."""
        deadline = time.monotonic() + patience
        pause = 0.05
        while True:
            try:
                self._open()
                return
            except sqlite3.OperationalError as exc:
                locked = "locked" in str(exc) or "busy" in str(exc)
                if not locked or time.monotonic() + pause > deadline:
                    raise
                self._close_quietly()
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    def _open(self) -> None:
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                   isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._check_version()
        self._check_pages_once()
        # A write now, not mid-run: a read-only file or folder fails here, in one line.
        self._db.execute("UPDATE meta SET value=value WHERE key='schema_version'")
        self._keep_feed_items()

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            # OR IGNORE: another run creating the same new file may have written it first
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise StateError(f"{self.path}: state database is from a newer version "
                             f"(schema {row[0]}, this version reads {SCHEMA_VERSION})")
        elif int(row[0]) < SCHEMA_VERSION:
            self._migrate(int(row[0]))

    def _migrate(self, version: int) -> None:
        """Bring an older state database up to :data:`SCHEMA_VERSION`, in one transaction."""
        with self.transaction() as db:
            if version < 2:  # screened pages: an explicit column instead of a hash prefix
                columns = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
                if "screened" not in columns:
                    db.execute("ALTER TABLE articles ADD COLUMN screened TEXT")
                db.execute("UPDATE articles SET screened = substr(content_hash, 10),"
                           " content_hash = '' WHERE content_hash LIKE 'screened:%'")
            db.execute("UPDATE meta SET value=? WHERE key='schema_version'",
                       (str(SCHEMA_VERSION),))

    def _keep_feed_items(self) -> None:
        """Once per database: start the feed-item history from what an older state knows, the
        feeds' last reads and the stored articles (each under the feed of its name)."""
        if self._db.execute("SELECT 1 FROM meta WHERE key='feed_items'").fetchone():
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if not self._db.execute("SELECT 1 FROM meta WHERE key='feed_items'").fetchone():
                self._seed_feed_items()
                self._db.execute("INSERT INTO meta VALUES ('feed_items', '1')")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _seed_feed_items(self) -> None:
        keep = _KEEP_ITEM.replace("INSERT", "INSERT OR IGNORE", 1)
        urls: dict[str, str] = {}
        for row in self._db.execute("SELECT url, name, entries, checked_at FROM feeds").fetchall():
            urls.setdefault(row["name"], row["url"])
            entries = [_entry_from_json(e) for e in json.loads(row["entries"])]
            self._db.executemany(keep, _item_rows(row["url"], entries, row["checked_at"] or ""))
        rows = self._db.execute(
            "SELECT * FROM articles a WHERE NOT EXISTS (SELECT 1 FROM aliases x JOIN feed_items i"
            " ON i.url=x.url WHERE x.canonical_url=a.canonical_url)").fetchall()
        for row in rows:  # an article no stored feed read lists: as its feed entry said
            if row["source"] in urls:
                a = _article_from_row(row)
                entry = Entry(source=a.source, url=a.url, title=a.title, published=a.published,
                              updated=_time(row["entry_updated"]), author=a.author)
                self._db.executemany(keep, _item_rows(urls[a.source], [entry],
                                                      row["fetched_at"] or ""))

    def _check_pages_once(self) -> None:
        """:meth:`_check_pages`, unless the same file was checked within :data:`CHECKED_FRESH`
        seconds and nothing but the checking process's own writes changed it since
        (:meth:`close` notes the file as it leaves it, in this process and in a stamp beside
        it for the next one): a many-story run opens each story's state two or three times, a
        re-run follows a run, and the check reads every page (a state of 8,000 articles, 75 MB,
        took 0.7 s to read back after a cold run of ten stories)."""
        key = _identity(self.path)
        now = time.time()
        when = (_checked.get(key) or _read_stamp(self.path, key)) if key else None
        self._checked_at: float | None = None
        if when is not None and 0.0 <= now - when < CHECKED_FRESH:
            self._checked_at = when
            return
        self._check_pages()
        for old in [k for k, t in _checked.items() if now - t >= CHECKED_FRESH]:
            _checked.pop(old, None)  # a long-lived process (digest serve) keeps only fresh ones
        self._checked_at = now
        if key:
            _checked[key] = now

    def _check_pages(self) -> None:
        """Every page readable and well formed (a damaged page mid-file fails now, not mid-run);
        about a second per 200 MB."""
        rows = self._db.execute("PRAGMA quick_check(3)").fetchall()
        problems = [str(r[0]) for r in rows if str(r[0]) != "ok"]
        if problems:
            raise sqlite3.DatabaseError(f"database disk image is malformed ({'; '.join(problems)})")

    def close(self) -> None:
        self._db.close()
        key = _identity(self.path)  # the file as this process leaves it: checked, then written
        at = getattr(self, "_checked_at", None)
        if key and at is not None:
            _checked[key] = at
            _write_stamp(self.path, key, at)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, inputs: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all. ``inputs``: it
        may change what a digest is made from (all but the summary cache, deliveries and the
        outbox), so the state's :meth:`generation` moves on."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                if inputs:
                    self._db.execute(_NEXT_GENERATION)
                try:
                    yield self._db
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise state_error(self.path, exc) from None

    def generation(self) -> int:
        """How many writes of a digest's inputs this state has had (every write of this program
        goes through :meth:`transaction`): the same number twice, and nothing a digest is made
        from changed in between."""
        rows = self._query("SELECT value FROM meta WHERE key='inputs'")
        return int(rows[0][0]) if rows else 0

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cur = self._db.execute(sql, params)
                return cur.fetchall()
            except sqlite3.Error as exc:
                raise state_error(self.path, exc) from None

    def _query_in(self, sql: str, values: Iterable[str], chunk: int = 500) -> list[sqlite3.Row]:
        """``sql`` with its ``{marks}`` placeholder filled for each chunk of ``values`` (distinct,
        in order): one ``... IN (?, ?, ...)`` query per chunk, the rows of all of them."""
        wanted = list(dict.fromkeys(values))
        rows: list[sqlite3.Row] = []
        for i in range(0, len(wanted), chunk):
            part = wanted[i:i + chunk]
            rows += self._query(sql.format(marks=",".join("?" * len(part))), part)
        return rows

    def read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """A read-only query, for modules that own a table of their own (digest/outbox.py)."""
        return self._query(sql, params)

    # -- feeds ---------------------------------------------------------------------------------

    def feed_validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified a feed last answered with, for a conditional GET."""
        rows = self._query("SELECT etag, last_modified FROM feeds WHERE url=?", (url,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def save_feed(self, url: str, name: str, entries: Sequence[Entry], etag: str | None,
                  last_modified: str | None, checked_at: dt.datetime) -> None:
        """Remember a successfully read feed: its validators and its entries (for 304 answers)."""
        texts = [json.dumps(_entry_to_json(e), ensure_ascii=False) for e in entries]
        body = "[" + ", ".join(texts) + "]"  # as json.dumps of the list, each entry dumped once
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feeds (url, name, etag, last_modified, checked_at, status, error, entries)"
                " VALUES (?,?,?,?,?,'ok',NULL,?) ON CONFLICT(url) DO UPDATE SET name=excluded.name,"
                " etag=excluded.etag, last_modified=excluded.last_modified,"
                " checked_at=excluded.checked_at, status='ok', error=NULL, entries=excluded.entries",
                (url, name, etag, last_modified, _iso(checked_at), body))
            # every item a feed ever listed is kept: a re-run of a day after the feed has moved
            # on still knows what the day's items were (rerun.py)
            db.executemany(_KEEP_ITEM, _item_rows(url, entries, _iso(checked_at) or "", texts))

    def feed_entries(self, url: str) -> tuple[Entry, ...]:
        rows = self._query("SELECT entries FROM feeds WHERE url=?", (url,))
        if not rows:
            return ()
        try:
            return _entries_from_text(rows[0][0])
        except BAD_ROW as exc:
            log.warning("%s: feeds row for %s is damaged (%s): ignored", self.path, url, exc)
            return ()

    def feed_entries_between(self, url: str, since: dt.datetime,
                             until: dt.datetime) -> tuple[Entry, ...]:
        """Every item the feed at ``url`` ever listed that is published or updated in
        ``[since, until)``, or undated with its stored page published then; by URL."""
        lo, hi = _utc(since), _utc(until)
        rows = self._query(
            "SELECT i.entry FROM feed_items i WHERE i.feed_url=? AND ((i.published>=? AND"
            " i.published<?) OR (i.updated>=? AND i.updated<?) OR (i.published IS NULL AND"
            " i.updated IS NULL AND EXISTS (SELECT 1 FROM aliases x JOIN articles a ON"
            " a.canonical_url=x.canonical_url WHERE x.url=i.url AND a.published>=? AND"
            " a.published<?))) ORDER BY i.url", (url, lo, hi, lo, hi, lo, hi))
        return tuple(_entry_from_text(r[0]) for r in rows)

    def has_digest(self, slug: str, day: dt.date) -> bool:
        """Whether a digest of ``day`` was made before."""
        return bool(self._query("SELECT 1 FROM digests WHERE slug=? AND date=?",
                                (slug, day.isoformat())))

    # -- articles ------------------------------------------------------------------------------

    def save_article(self, article: Article | Screened, aliases: Iterable[str] = (),
                     entry_updated: dt.datetime | None = None) -> None:
        """Keep an extracted article, or a screened-out page (title and dates, no text)."""
        a = article
        if isinstance(a, Screened):
            text, description, language, content_hash, screened = "", a.missing, None, "", a.screen
        else:
            text, description, language, content_hash, screened = (
                a.text, a.description, a.language, a.content_hash, None)
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (a.canonical_url, a.url, a.source, a.outlet, a.title, text, _iso(a.published),
                 _iso(a.updated), a.author, description, language, content_hash,
                 _iso(entry_updated), _iso(dt.datetime.now(dt.UTC)), screened))
            for url in {a.url, a.canonical_url, *aliases}:
                db.execute("INSERT OR REPLACE INTO aliases VALUES (?,?)", (url, a.canonical_url))

    def article_for(self, url: str) -> tuple[Article | Screened, dt.datetime | None] | None:
        """A stored article reached by ``url`` (or any alias), with the feed entry's update time."""
        return self.articles_for([url]).get(url)

    def articles_for(self, urls: Iterable[str]
                     ) -> dict[str, tuple[Article | Screened, dt.datetime | None]]:
        """:meth:`article_for` of many addresses at once (a day's thousands of feed items in a
        few queries, each article read once): url -> (stored article, entry update time), for
        the urls state knows. A damaged row is logged and left out."""
        canonical = {r[0]: r[1] for r in self._query_in(
            "SELECT url, canonical_url FROM aliases WHERE url IN ({marks})", urls)}
        records: dict[str, tuple[Article | Screened, dt.datetime | None]] = {}
        for row in self._query_in("SELECT * FROM articles WHERE canonical_url IN ({marks})",
                                  canonical.values()):
            try:
                records[row["canonical_url"]] = (_record_from_row(row),
                                                 _time(row["entry_updated"]))
            except BAD_ROW as exc:
                log.warning("%s: articles row for %s is damaged (%s): ignored", self.path,
                            row["canonical_url"], exc)
        return {u: records[c] for u, c in canonical.items() if c in records}

    def articles(self, canonical_urls: Iterable[str]) -> dict[str, Article]:
        rows = self._query_in("SELECT * FROM articles WHERE canonical_url IN ({marks})"
                              " AND screened IS NULL", canonical_urls)
        return {a.canonical_url: a
                for a in _good_rows(self.path, "articles", rows, _article_from_row)}

    def articles_published(self, since: dt.datetime, until: dt.datetime,
                           limit: int = 2000) -> list[Article]:
        """Stored articles published in ``[since, until)``, newest first (at most ``limit``)."""
        rows = self._query("SELECT * FROM articles WHERE published>=? AND published<?"
                           " AND screened IS NULL"  # screened pages have no text
                           " ORDER BY published DESC, canonical_url LIMIT ?",
                           (_iso(since.astimezone(dt.UTC)), _iso(until.astimezone(dt.UTC)), limit))
        return _good_rows(self.path, "articles", rows, _article_from_row)

    def article_count(self) -> int:
        return int(self._query("SELECT count(*) FROM articles")[0][0])

    # -- pages that failed for good (404, not a page, no article text): not fetched again ------

    def failure(self, url: str) -> str | None:
        rows = self._query("SELECT reason FROM failures WHERE url=?", (url,))
        return rows[0][0] if rows else None

    def failures(self, urls: Iterable[str]) -> dict[str, str]:
        """:meth:`failure` of many addresses at once: url -> reason, for those that failed."""
        return {r[0]: r[1] for r in self._query_in(
            "SELECT url, reason FROM failures WHERE url IN ({marks})", urls)}

    def record_failure(self, url: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO failures VALUES (?,?,?)",
                       (url, reason, _iso(dt.datetime.now(dt.UTC))))

    # -- summaries -----------------------------------------------------------------------------

    def summary(self, content_hash: str, method: str, size: int) -> tuple[str, ...] | None:
        rows = self._query("SELECT sentences FROM summaries WHERE content_hash=? AND method=?"
                           " AND size=?", (content_hash, method, size))
        if not rows:
            return None
        try:
            return tuple(str(s) for s in json.loads(rows[0][0]))
        except BAD_ROW:
            return None  # a damaged cached summary is made again

    def save_summary(self, content_hash: str, method: str, size: int,
                     sentences: Sequence[str]) -> None:
        with self.transaction(inputs=False) as db:
            db.execute("INSERT OR REPLACE INTO summaries VALUES (?,?,?,?)",
                       (content_hash, method, size, json.dumps(list(sentences), ensure_ascii=False)))

    # -- digests -------------------------------------------------------------------------------

    def carried_before(self, slug: str, day: dt.date, days: int | None = None) -> dict[str, str]:
        """Canonical URL -> content hash of every article carried by digests before ``day``."""
        lo = (day - dt.timedelta(days=days)).isoformat() if days is not None else ""
        rows = self._query("SELECT canonical_url, content_hash FROM carried WHERE slug=? AND"
                           " date<? AND date>=? ORDER BY date", (slug, day.isoformat(), lo))
        return {r[0]: r[1] for r in rows}

    def history(self, slug: str, day: dt.date, since: dt.datetime, lookback: int) -> History:
        """Everything the stages need from the story's days before ``day`` (one read per run):
        what earlier digests carried and said, the articles they carried in the ``lookback``
        days, and any articles published in the ``lookback`` days before ``since``."""
        recent = self.articles(self.carried_before(slug, day, lookback))
        start = since - dt.timedelta(days=lookback)
        return History(carried=self.carried_before(slug, day),
                       recent=tuple(a for _, a in sorted(recent.items())),
                       background=tuple(self.articles_published(start, since)),
                       sentences=tuple(self.sentences_before(slug, day)),
                       digests=tuple(self.digests_before(slug, day)))

    def digest_on(self, slug: str, day: dt.date) -> dict | None:
        """The stored body of the story's digest of ``day``, if there is one."""
        rows = self._query("SELECT body FROM digests WHERE slug=? AND date=?",
                           (slug, day.isoformat()))
        return json.loads(rows[0][0]) if rows else None

    def sentences_before(self, slug: str, day: dt.date) -> list[str]:
        rows = self._query("SELECT text FROM sent_sentences WHERE slug=? AND date<?"
                           " ORDER BY date, position", (slug, day.isoformat()))
        return [r[0] for r in rows]

    def digests_before(self, slug: str, day: dt.date) -> list[tuple[dt.date, dict]]:
        rows = self._query("SELECT date, body FROM digests WHERE slug=? AND date<? ORDER BY date",
                           (slug, day.isoformat()))
        return _good_rows(self.path, "digests", rows,
                          lambda r: (dt.date.fromisoformat(r[0]), _mapping(json.loads(r[1]))))

    def save_digest(self, slug: str, day: dt.date, generated_at: dt.datetime, body: dict,
                    carried: Sequence[tuple[str, str]], sentences: Sequence[str],
                    unchanged: dict | None = None) -> None:
        """Record a produced digest, the articles it carried and its overview sentences, at once;
        with ``unchanged``, the mark :meth:`unchanged` returns while state stays as it is now."""
        d = day.isoformat()
        with self.transaction() as db:
            self._mark(db, slug, day, unchanged)
            db.execute("INSERT OR REPLACE INTO digests VALUES (?,?,?,?)",
                       (slug, d, _iso(generated_at), json.dumps(body, ensure_ascii=False)))
            db.execute("DELETE FROM carried WHERE slug=? AND date=?", (slug, d))
            db.executemany("INSERT OR REPLACE INTO carried VALUES (?,?,?,?)",
                           [(slug, d, url, h) for url, h in carried])
            db.execute("DELETE FROM sent_sentences WHERE slug=? AND date=?", (slug, d))
            db.executemany("INSERT INTO sent_sentences VALUES (?,?,?,?)",
                           [(slug, d, i, s) for i, s in enumerate(sentences)])

    def unchanged(self, slug: str, day: dt.date) -> dict | None:
        """The mark of the story's digest of ``day`` (:mod:`digest.pipeline.replay`) when state
        has had no write of a digest's inputs since it was made, or since a run last found the
        digest current; else None."""
        rows = self._query("SELECT value FROM meta WHERE key=?", (_mark_key(slug, day),))
        try:
            mark = _mapping(json.loads(rows[0][0])) if rows else None
        except BAD_ROW:
            return None
        return mark if mark is not None and mark.get("generation") == self.generation() else None

    def confirm_unchanged(self, slug: str, day: dt.date, mark: dict, generation: int) -> None:
        """Mark the day's digest current at ``generation`` (read before its inputs were), unless
        state has moved on since."""
        with self.transaction(inputs=False) as db:
            if self.generation() == generation:
                self._mark(db, slug, day, mark)

    def _mark(self, db: sqlite3.Connection, slug: str, day: dt.date, mark: dict | None) -> None:
        if mark is None:
            db.execute("DELETE FROM meta WHERE key=?", (_mark_key(slug, day),))
        else:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_mark_key(slug, day),
                       json.dumps({**mark, "generation": self.generation()})))

    def digest_dates(self, slug: str) -> list[dt.date]:
        rows = self._query("SELECT date FROM digests WHERE slug=? ORDER BY date DESC", (slug,))
        return _good_rows(self.path, "digests", rows, lambda r: dt.date.fromisoformat(r[0]))

    # -- email ledger --------------------------------------------------------------------------

    def delivery(self, slug: str, day: dt.date, recipients: Sequence[str]) -> str | None:
        """The Message-ID already sent for this story, date and recipients, if any."""
        rows = self._query("SELECT message_id FROM deliveries WHERE slug=? AND date=? AND"
                           " recipients=?", (slug, day.isoformat(), _recipients_key(recipients)))
        return rows[0][0] if rows else None

    def record_delivery(self, slug: str, day: dt.date, recipients: Sequence[str],
                        message_id: str) -> None:
        with self.transaction(inputs=False) as db:
            db.execute("INSERT OR REPLACE INTO deliveries VALUES (?,?,?,?,?)",
                       (slug, day.isoformat(), _recipients_key(recipients), message_id,
                        _iso(dt.datetime.now(dt.UTC))))


_NEXT_GENERATION = ("INSERT INTO meta VALUES ('inputs', '1') ON CONFLICT(key) DO UPDATE"
                    " SET value = CAST(value AS INTEGER) + 1")


def _read_stamp(path: Path, key: tuple[int, int, int, int]) -> float | None:
    """When the file at ``path`` was last checked, if its stamp names it as it is now."""
    try:
        stamp = json.loads(path.with_name(path.name + STAMP_SUFFIX).read_text(encoding="utf-8"))
        if tuple(stamp["file"]) == key:
            return float(stamp["checked"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no stamp, or not one of ours: check the file
    return None


def _write_stamp(path: Path, key: tuple[int, int, int, int], checked: float) -> None:
    """The stamp, replaced whole; its temporary file is named as the archive's are, so one
    left by a killed process is removed by the next run (``archive.remove_stale_temps``). No
    fsync: a stamp lost in a crash only means checking the file again."""
    stamp = path.with_name(path.name + STAMP_SUFFIX)
    part = None
    try:
        fd, part = tempfile.mkstemp(dir=stamp.parent, prefix=f".{stamp.name}.{os.getpid()}.",
                                    suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": list(key), "checked": checked}))
        os.replace(part, stamp)
    except OSError:  # a stamp is an optimisation: without it the next open checks the file
        if part is not None:
            with suppress(OSError):
                os.unlink(part)


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """The file at ``path`` as it is now (device, inode, size, modification time)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _mark_key(slug: str, day: dt.date) -> str:
    return f"unchanged:{slug}:{day.isoformat()}"


BAD_ROW = (ValueError, TypeError, KeyError, AttributeError, IndexError)  # json errors are ValueErrors


def state_error(path: Path, exc: sqlite3.Error, doing: str = "state database") -> StateError:
    """One line for an SQLite failure, saying what to do about the usual ones."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        hint = "the file is damaged; restore a backup, or move it aside to start afresh"
    elif "readonly" in low or "read-only" in low:
        hint = "the file or its folder is read-only; make both writable"
    elif "locked" in low or "busy" in low:
        hint = "another run holds it; try again when it has finished"
    elif "disk" in low and "full" in low:
        hint = "the disk is full"
    else:
        hint = ""
    return StateError(f"{path}: {doing}: {text}" + (f" ({hint})" if hint else ""))


def _good_rows(path: Path, table: str, rows: Iterable[sqlite3.Row],
               parse: Callable[[sqlite3.Row], T]) -> list[T]:
    """Parse rows; a damaged row is logged and left out (it never sinks the run)."""
    out: list[T] = []
    for row in rows:
        try:
            out.append(parse(row))
        except BAD_ROW as exc:
            log.warning("%s: a damaged %s row is ignored (%s)", path, table, exc)
    return out


def _mapping(value: object) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, not {type(value).__name__}")
    return value


def _recipients_key(recipients: Sequence[str]) -> str:
    return ",".join(sorted({r.strip().lower() for r in recipients}))


_KEEP_ITEM = ("INSERT INTO feed_items VALUES (?,?,?,?,?,?) ON CONFLICT(feed_url, url) DO UPDATE"
              " SET published=excluded.published, updated=excluded.updated,"
              " entry=excluded.entry, seen_at=excluded.seen_at"
              " WHERE feed_items.entry IS NOT excluded.entry")  # seen_at: when last changed


def _utc(when: dt.datetime | None) -> str | None:
    """A time as UTC ISO text, so that text order is time order in queries."""
    return when.astimezone(dt.UTC).isoformat() if when else None


def _item_rows(feed_url: str, entries: Sequence[Entry], seen_at: str,
               texts: Sequence[str] | None = None) -> list[tuple]:
    """Rows of ``feed_items`` (the last of several entries with one URL); ``texts`` are the
    entries' JSON when already made."""
    if texts is None:
        texts = [json.dumps(_entry_to_json(e), ensure_ascii=False) for e in entries]
    rows = {e.url: (feed_url, e.url, _utc(e.published), _utc(e.updated), text, seen_at)
            for e, text in zip(entries, texts, strict=True)}
    return list(rows.values())


def _entry_to_json(e: Entry) -> dict:
    return {"source": e.source, "url": e.url, "title": e.title, "published": _iso(e.published),
            "updated": _iso(e.updated), "summary": e.summary, "guid": e.guid, "author": e.author,
            **({"text": e.text} if e.text else {})}


# The stories of a many-story run keep the same feeds' entries, in the same words, each in its
# own state: a text read before is decoded once (entries are immutable values). Bounded: a few
# hundred feeds, a few thousand items of a window.
@lru_cache(maxsize=512)
def _entries_from_text(text: str) -> tuple[Entry, ...]:
    """A feed's stored entries (the ``feeds.entries`` JSON list)."""
    return tuple(_entry_from_json(e) for e in json.loads(text))


@lru_cache(maxsize=8192)
def _entry_from_text(text: str) -> Entry:
    """A stored feed item (the ``feed_items.entry`` JSON object)."""
    return _entry_from_json(json.loads(text))


def _entry_from_json(d: dict) -> Entry:
    return Entry(source=d["source"], url=d["url"], title=d["title"],
                 published=_time(d.get("published")), updated=_time(d.get("updated")),
                 summary=d.get("summary") or "", guid=d.get("guid"), author=d.get("author"),
                 text=d.get("text") or "")


def _record_from_row(row: sqlite3.Row) -> Article | Screened:
    if row["screened"] is not None:
        return Screened(url=row["url"], canonical_url=row["canonical_url"], source=row["source"],
                        outlet=row["outlet"], title=row["title"], missing=row["description"],
                        screen=row["screened"], published=_time(row["published"]),
                        updated=_time(row["updated"]), author=row["author"])
    return _article_from_row(row)


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(url=row["url"], canonical_url=row["canonical_url"], source=row["source"],
                   outlet=row["outlet"], title=row["title"], text=row["text"],
                   published=_time(row["published"]), updated=_time(row["updated"]),
                   author=row["author"], description=row["description"],
                   language=row["language"], content_hash=row["content_hash"])
