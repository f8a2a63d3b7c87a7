"""The ``digest story new`` command: a thin wrapper over :mod:`digest.storynew`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXAMPLE = ('digest story new "Bayer buys Monsanto" --from https://example.com/bayer-deal.html '
           "notes/monsanto.txt --feeds https://www.example.com/ --out config/bayer.toml")


def add_parsers(sub: Any) -> None:
    """Register ``digest story new`` on ``digest``'s subparsers."""
    fmt = argparse.RawDescriptionHelpFormatter
    st = sub.add_parser("story", help="draft a story config from a few seed articles",
                        formatter_class=fmt, epilog=f"example:\n  {EXAMPLE}")
    st.set_defaults(handler=lambda _args: _usage(st))
    ssub = st.add_subparsers(dest="story_command", metavar="ACTION")
    new = ssub.add_parser(
        "new", help="draft a story config from seed articles (URLs or text files)",
        formatter_class=fmt, epilog=f"example:\n  {EXAMPLE}\n\n"
        "Seeds given as URLs are fetched, extracted and saved as text next to the config;\n"
        "files are used as they are. require and terms are proposed from the names every\n"
        "seed carries; read the config, edit it, then run digest check --config PATH.")
    new.add_argument("title", metavar="TITLE", help="the story's name")
    new.add_argument("--from", dest="seeds", nargs="+", required=True, metavar="URL_OR_FILE",
                     help="seed articles: web pages or plain-text files (two or three is best)")
    new.add_argument("--feeds", nargs="+", default=[], metavar="URL",
                     help="feeds, or sites that advertise one (default: the seed pages' sites)")
    new.add_argument("--out", metavar="PATH", help="config to write (default: config/<slug>.toml)")
    new.add_argument("--force", action="store_true", help="replace an existing config")
    new.add_argument("--allow-network", action="append", default=[], metavar="CIDR",
                     help="a private or loopback range the fetcher may read (also written to "
                          "the config's [fetch] allow_networks); repeatable")
    new.set_defaults(handler=cmd_story_new)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def cmd_story_new(args: argparse.Namespace) -> int:
    from digest._configread import slugify
    from digest.cli.common import UsageError
    from digest.cli.ops import _as_url
    from digest.config import FetchSettings
    from digest.errors import FetchError
    from digest.fetch import Fetcher
    from digest.sources import find_feeds
    from digest.storynew import (
        StoryDraftError,
        draft_story,
        fetch_seed,
        is_url,
        read_seed_file,
        write_story,
    )

    if not args.title.strip():
        raise UsageError("the story needs a title")
    out = Path(args.out or f"config/{slugify(args.title)}.toml")
    if out.exists() and not args.force:
        raise UsageError(f"{out}: already exists (use --force to replace it)")
    settings = FetchSettings(allow_networks=tuple(args.allow_network))
    seeds = []
    with Fetcher(settings) as fetcher:
        for value in args.seeds:
            try:
                seeds.append(fetch_seed(fetcher, value) if is_url(value)
                             else read_seed_file(value))
            except StoryDraftError as exc:
                print(f"digest: warning: seed skipped: {exc}", file=sys.stderr)
        if not seeds:
            raise StoryDraftError("no seed article could be read")
        feeds: list[tuple[str, str]] = []
        sources = args.feeds or [s for s in args.seeds if is_url(s)]
        for value in sources:
            url = _as_url(value)
            local = None if is_url(url) else Fetcher(settings, local_root=Path("/"))
            try:
                found = find_feeds(local or fetcher, url)
            except FetchError as exc:
                print(f"digest: warning: feed skipped: {value}: {exc.problem}", file=sys.stderr)
                continue
            finally:
                if local:
                    local.close()
            if not found:
                print(f"digest: warning: no feed found at {value}", file=sys.stderr)
            for f in found[:1]:
                feeds.append((f.title or value, url if f.url == url else f.url))
    draft = draft_story(args.title, seeds)
    written = write_story(out, draft, seeds, feeds, allow_networks=args.allow_network,
                          force=args.force)
    print(f"wrote {written.config}")
    for p in written.seeds:
        print(f"  seed: {p}")
    print(f"  require: {' AND '.join('(' + ' | '.join(g) + ')' for g in draft.require)}")
    print(f"  terms: {', '.join(draft.terms)}")
    for name, url in written.feeds:
        print(f'  feed: "{name}" {url}')
    print(f"next: read and edit it, then digest check --config {written.config}")
    return 0
