"""A reader's corrections to relevance: "this page is (not) the story", kept in state per story.

``digest feedback URL --not-story`` (or ``--story``) records a verdict; from the next run it
decides that page, and the page's text teaches the model: pages closer to a page marked "not the
story" than to the story are left out too, and a page marked "the story" joins the articles that
refine its profile. ``--list`` shows the verdicts, ``--undo URL`` removes one.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from typing import Any

from .store import Store
from .urls import canonical_url

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
    with store.transaction() as db:
        db.execute(_TABLE)
        rows = db.execute("SELECT url, verdict, at FROM feedback WHERE slug=? ORDER BY at, url",
                          (slug,)).fetchall()
    return [Verdict(r[0], r[1], dt.datetime.fromisoformat(r[2])) for r in rows]


# -- the command ------------------------------------------------------------------------------

EXAMPLE = "digest feedback https://example.com/2016/09/17/other-story.html --not-story"


def add_parser(sub: Any) -> None:
    fb = sub.add_parser("feedback", help="tell relevance a page is (not) the story; list, undo",
                        epilog=f"example: {EXAMPLE}",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    fb.add_argument("url", nargs="?", metavar="URL", help="the page (as shown in the digest)")
    what = fb.add_mutually_exclusive_group()
    what.add_argument("--not-story", action="store_true", help="the page is not the story")
    what.add_argument("--story", action="store_true", help="the page is the story")
    what.add_argument("--undo", action="store_true", help="forget the verdict on URL")
    what.add_argument("--list", action="store_true", help="list the story's verdicts")
    fb.add_argument("--config", help="story config (default: $DIGEST_CONFIG or the bundled one)")
    fb.add_argument("--state", help="state database (default: the config's [state] path)")
    fb.set_defaults(handler=cmd_feedback)


def cmd_feedback(args: argparse.Namespace) -> int:
    from .cli import UsageError, _config_path
    from .config import load_config

    cfg = load_config(_config_path(args.config))
    slug = cfg.story.slug
    if not args.list and not args.url:
        raise UsageError("feedback: give a URL (with --story, --not-story or --undo) or --list")
    if args.url and not (args.story or args.not_story or args.undo):
        raise UsageError("feedback: say --story, --not-story or --undo for the URL")
    with Store(args.state or cfg.state_path) as store:
        if args.list:
            found = verdicts(store, slug)
            for v in found:
                print(f"{v.verdict:9}  {v.at:%Y-%m-%d %H:%M}  {v.url}")
            if not found:
                print(f"no feedback for {slug}")
            return 0
        if args.undo:
            if not undo(store, slug, args.url):
                print(f"no feedback on {args.url} for {slug}")
                return 1
            print(f"forgot the verdict on {args.url}; it applies no more from the next run")
            return 0
        v = mark(store, slug, args.url, STORY if args.story else NOT_STORY,
                 dt.datetime.now(dt.UTC).replace(microsecond=0))
        print(f"{v.url}: {'the story' if v.is_story else 'not the story'} for {slug}, "
              "from the next run (undo: digest feedback URL --undo)")
    return 0
