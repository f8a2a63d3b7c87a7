"""A reader's corrections to relevance: "this page is (not) the story", kept in state per story.

``digest feedback URL --not-story`` (or ``--story``, digest/cli/feedback.py) records a verdict; from the next run it
decides that page, and the page's text teaches the model: pages closer to a page marked "not the
story" than to the story are left out too, and a page marked "the story" joins the articles that
refine its profile. ``--list`` shows the verdicts, ``--undo URL`` removes one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digest.store import Store
from digest.urls import canonical_url

STORY, NOT_STORY = "story", "not-story"
_TABLE = """CREATE TABLE IF NOT EXISTS feedback (
    slug TEXT NOT NULL, url TEXT NOT NULL, verdict TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (slug, url))"""


@dataclass(frozen=True)
class Verdict:
    url: str  # canonical URL
    verdict: str  # STORY or NOT_STORY
    at: dt.datetime

    @property
    def is_story(self) -> bool:
        return self.verdict == STORY


def _key(store: Store, url: str) -> str:
    found = store.article_for(url)
    return found[0].canonical_url if found else canonical_url(url)


def mark(store: Store, slug: str, url: str, verdict: str, now: dt.datetime) -> Verdict:
    """Record (or replace) a reader's verdict on ``url`` for the story ``slug``."""
    if verdict not in (STORY, NOT_STORY):
        raise ValueError(verdict)
    key = _key(store, url)
    with store.transaction() as db:
        db.execute(_TABLE)
        db.execute("INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?)",
                   (slug, key, verdict, now.isoformat()))
    return Verdict(key, verdict, now)


def undo(store: Store, slug: str, url: str) -> bool:
    """Remove the verdict on ``url``; False when there was none."""
    with store.transaction() as db:
        db.execute(_TABLE)
        gone = db.execute("DELETE FROM feedback WHERE slug=? AND url IN (?, ?)",
                          (slug, _key(store, url), canonical_url(url))).rowcount
    return bool(gone)


def verdicts(store: Store, slug: str) -> list[Verdict]:
    """The story's verdicts, oldest first."""
    with store.transaction(inputs=False) as db:  # a read (the table made if missing)
        db.execute(_TABLE)
        rows = db.execute("SELECT url, verdict, at FROM feedback WHERE slug=? ORDER BY at, url",
                          (slug,)).fetchall()
    return [Verdict(r[0], r[1], dt.datetime.fromisoformat(r[2])) for r in rows]
