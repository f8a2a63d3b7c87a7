"""``digest feedback``: a reader tells relevance that a page is (not) the story; list, undo."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from digest.cli.common import UsageError
from digest.cli.common import config_path as _config_path
from digest.feedback import NOT_STORY, STORY, mark, undo, verdicts
from digest.store import Store

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
    from digest.config import load_config

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
