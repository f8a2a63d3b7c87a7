"""Operations commands of ``digest``: ``serve``, ``check``, ``feeds add`` and ``feeds import``.

Thin over :mod:`digest.sources`, :mod:`digest.feedlist`, :mod:`digest.opml` and
:mod:`flows.serve`. Exit codes follow ``digest.cli.commands``: 0 fine, 1 a check or fetch failed,
2 usage or config errors; every error is one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from digest.cli import args as cliargs
from digest.cli.common import DEFAULT_CONFIG, UsageError, one_config, several_configs
from digest.cli.common import config_path as _config_path
from digest.errors import DigestError
from digest.text.lines import one_line

EXAMPLES = {
    "serve": "digest serve --config config/syria-ceasefire.toml",
    "check": "digest check --config config/syria-ceasefire.toml",
    "feeds add": "digest feeds add https://www.example.com/ --config config/syria-ceasefire.toml",
    "feeds import": "digest feeds import subscriptions.opml --config config/syria-ceasefire.toml",
}
CONFIG_HELP = f"story config (default: $DIGEST_CONFIG or {DEFAULT_CONFIG})"


class CheckFailed(DigestError):
    """A source could not be fetched or held no feed (exit code 1)."""


def _epilog(*names: str, more: str = "") -> str:
    label = "example" if len(names) == 1 else "examples"
    lines = "\n".join(f"  {EXAMPLES[n]}" for n in names)
    return f"{label}:\n{lines}" + (f"\n\n{more}" if more else "")


def add_parsers(sub: Any) -> None:
    """Register the operations subcommands on ``digest``'s subparsers."""
    fmt = argparse.RawDescriptionHelpFormatter
    sv = sub.add_parser(
        "serve", help="serve the stories' scheduled deployments (needs a Prefect server)",
        formatter_class=fmt, epilog=_epilog("serve", more=(
            "A config becomes the deployment daily-digest/<slug>, run at its [schedule] cron\n"
            "in its time zone; stories sharing a schedule become one deployment\n"
            "daily-digests/<names> that reads their feeds and pages once for all of them.\n"
            "Start a server first: prefect server start, then\n"
            "export PREFECT_API_URL=http://127.0.0.1:4200/api (see docs/SCHEDULING.md).")))
    sv.add_argument("--config", action="append", metavar="PATH",
                    help="a story config or a folder of them; repeatable (default: "
                         f"$DIGEST_CONFIG or {DEFAULT_CONFIG})")
    sv.add_argument("--limit", type=_positive, metavar="N", help="most flow runs at once")
    sv.add_argument("--one-per-story", action="store_true",
                    help="a deployment per story, even for stories that share a schedule "
                         "(by default they share one run and one crawl)")
    sv.add_argument("--dry-run", action="store_true",
                    help="show the deployments and their next runs, serve nothing")
    sv.add_argument("--verbose", "-v", action="store_true", help="show our library's debug logs")
    sv.set_defaults(handler=cmd_serve)

    ck = sub.add_parser(
        "check", help="validate a config and every source (reachable, a feed, last published)",
        formatter_class=fmt, epilog=_epilog("check", more=(
            "Exit code 0 when every source is usable (warnings allowed), 1 when any source or\n"
            "setting has an error, 2 when the config itself is invalid.")))
    ck.add_argument("--config", action="append", metavar="PATH",
                    help=CONFIG_HELP + "; repeat it, or name a folder of configs, to check "
                                       "several stories")
    ck.add_argument("--stale-days", type=cliargs.days_arg, default=14.0, metavar="DAYS",
                    help="warn about feeds with nothing newer (default 14; 0 turns it off)")
    ck.add_argument("--json", action="store_true", help="print the results as JSON")
    ck.set_defaults(handler=cmd_check)

    fd = sub.add_parser("feeds", help="add feeds to a config (by URL, or from an OPML file)",
                        formatter_class=fmt,
                        epilog=_epilog("feeds add", "feeds import"))
    fd.set_defaults(handler=lambda _args: _usage(fd))
    fsub = fd.add_subparsers(dest="feeds_command", metavar="ACTION")
    fa = fsub.add_parser(
        "add", help="add a feed, found from a site's home page if needed", formatter_class=fmt,
        epilog=_epilog("feeds add", more=(
            "URL may be a feed, or a page that advertises one (<link rel=\"alternate\">, or\n"
            "links that look like feeds); an article page falls back to its site's home page.\n"
            "Comments and layout of the config are kept; a feed already there is skipped.")))
    fa.add_argument("url", metavar="URL", help="a feed, a web page, or a local file")
    fa.add_argument("--config", help=CONFIG_HELP)
    fa.add_argument("--name", help="display name (default: the feed's title)")
    fa.add_argument("--all", action="store_true", help="add every feed the page advertises")
    fa.add_argument("--dry-run", action="store_true", help="show what would be added")
    fa.set_defaults(handler=cmd_feeds_add)
    fi = fsub.add_parser(
        "import", help="add the feeds of an OPML file (a feed reader's export)",
        formatter_class=fmt, epilog=_epilog("feeds import", more=(
            "Folders are flattened; feeds already in the config are skipped. Run digest check\n"
            "afterwards to see which of them answer.")))
    fi.add_argument("opml", metavar="FILE.opml")
    fi.add_argument("--config", help=CONFIG_HELP)
    fi.add_argument("--dry-run", action="store_true", help="show what would be added")
    fi.set_defaults(handler=cmd_feeds_import)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return n


# -- serve --------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import config_paths, load_configs

    values = args.config or [os.environ.get("DIGEST_CONFIG") or DEFAULT_CONFIG]
    configs = load_configs(config_paths(values))
    from flows.serve import deployment_name, schedule_groups

    for group in schedule_groups(configs, one_per_story=args.one_per_story):
        sched = group[0].schedule
        when = _next_run(sched.cron, sched.timezone)
        paths = ", ".join(str(cfg.path) for cfg in group)
        what = "config" if len(group) == 1 else f"{len(group)} stories over one crawl; configs"
        print(f"{deployment_name(group)}: {sched.cron!r} ({sched.timezone}), "
              f"next run {when:%Y-%m-%d %H:%M %Z}; {what} {paths}")
    if args.dry_run:
        return 0
    _serve_environment(args.verbose)
    from flows.serve import ServerError, serve_configs

    try:
        serve_configs(configs, limit=args.limit, one_per_story=args.one_per_story)
    except ServerError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _next_run(cron: str, timezone: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    from croniter import croniter

    return croniter(cron, dt.datetime.now(ZoneInfo(timezone))).get_next(dt.datetime)


def _serve_environment(verbose: bool) -> None:
    """Runs log to Prefect at INFO (the UI shows them); a user's own environment still wins."""
    import logging

    for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                       "PREFECT_LOGGING_LEVEL": "INFO",
                       "PREFECT_LOGGING_EXTRA_LOGGERS": "digest",
                       "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore"}.items():
        os.environ.setdefault(key, value)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


# -- check --------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from digest.checks import check_settings
    from digest.config import load_config
    from digest.fetch import Fetcher
    from digest.progress import progress
    from digest.sources import check_sources

    paths = several_configs(args.config)
    if paths is not None:
        return _check_several(args, paths)
    cfg = load_config(one_config(args.config))
    settings = check_settings(cfg)
    now = dt.datetime.now(dt.UTC)
    with Fetcher(cfg.fetch, local_root=cfg.fetch.local_root) as fetcher, \
            progress(len(cfg.feeds), "checking feeds") as advance:
        results = check_sources(fetcher, cfg.feeds, now=now, stale_days=args.stale_days,
                                on_done=lambda c: advance(c.name))
    failed = sum(not c.ok for c in results) + sum(s.verdict == "error" for s in settings)
    if args.json:
        print(json.dumps({"config": str(cfg.path), "ok": failed == 0,
                          "settings": [s.as_dict() for s in settings],
                          "sources": [_check_dict(c) for c in results]}, indent=2))
    else:
        print(_table(["STATUS", "SETTING", "DETAIL"],
                     [[s.verdict, s.name, s.detail] for s in settings]))
        print()
        print(_table(["STATUS", "SOURCE", "HTTP", "ENTRIES", "LAST PUBLISHED", "DETAIL"],
                     [[c.verdict, c.name, str(c.status or "-"),
                       str(c.entries) if c.is_feed else "-", _when(c.newest, now),
                       c.error or c.warning or ""] for c in results]))
        counts = {v: sum(c.verdict == v for c in results) for v in ("ok", "warn", "error")}
        print(f"\n{len(results)} sources: {counts['ok']} ok, {counts['warn']} with warnings, "
              f"{counts['error']} failed")
    return 1 if failed else 0


def _check_several(args: argparse.Namespace, paths: list[str]) -> int:
    """``digest check`` over several stories: each config in turn (one that does not load is
    reported in one line and the others are still checked); exit 2 if any config is invalid,
    else 1 if any source or setting has an error."""
    import contextlib
    import io

    worst, reports = 0, []
    for path in paths:
        one = argparse.Namespace(**{**vars(args), "config": [str(path)]})
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                code = cmd_check(one)
        except DigestError as exc:  # an invalid config: said, and the others still checked
            code = 2
            print(f"digest: error: {one_line(exc)}", file=sys.stderr)
        worst = max(worst, code)
        if args.json:
            text = buf.getvalue()
            reports.append(json.loads(text) if text.strip() else
                           {"config": str(path), "ok": False, "error": "invalid config"})
        else:
            print(f"== {path}")
            print(buf.getvalue())
    if args.json:
        print(json.dumps(reports, indent=2))
    return worst


def _check_dict(c: Any) -> dict[str, Any]:
    return {"name": c.name, "url": c.url, "status": c.verdict, "reachable": c.reachable,
            "http_status": c.status, "is_feed": c.is_feed, "entries": c.entries,
            "newest": c.newest.isoformat() if c.newest else None, "feed_url": c.feed_url,
            "error": c.error, "warning": c.warning, "seconds": round(c.elapsed, 3)}


def _when(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return "-"
    age = (now - when).total_seconds()
    if age < 0:
        ago = "in the future"
    elif age < 3600:
        ago = f"{int(age // 60)} min ago"
    elif age < 2 * 86400:
        ago = f"{int(age // 3600)} h ago"
    else:
        ago = f"{int(age // 86400)} days ago"
    return f"{when.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC ({ago})"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain aligned columns (readable in a terminal, a pipe or a log); the last is free width."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = []
    for row in [headers, ["-" * w for w in widths], *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1], strict=True)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


# -- feeds --------------------------------------------------------------------------------------


def cmd_feeds_add(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.errors import FetchError
    from digest.fetch import Fetcher
    from digest.sources import add_feeds, find_feeds

    if args.all and args.name:
        raise UsageError("--name names one feed; it cannot be used with --all")
    path = _config_path(args.config)
    cfg = load_config(path)
    url = _as_url(args.url)
    with Fetcher(cfg.fetch, local_root=cfg.fetch.local_root) as fetcher:
        try:
            found = find_feeds(fetcher, url)
        except FetchError as exc:
            raise CheckFailed(f"{args.url}: {exc.problem}") from None
    if not found:
        raise CheckFailed(f"{args.url}: no feed found (the page advertises none, and neither "
                          "does the site's home page)")
    chosen = found if args.all else found[:1]
    pairs = [(args.name or f.title or _host(f.url), f.url) for f in chosen]
    added = add_feeds(path, pairs, dry_run=args.dry_run)
    verb = "would add" if args.dry_run else "added"
    for name, written in added:
        print(f'{verb} "{name}" {written}')
    skipped = len(pairs) - len(added)
    if skipped:
        print(f"already in the config: {pairs[0][1]}" if len(pairs) == 1 else
              f"already in the config: {skipped} of these feeds")
    others = [f.url for f in found if f not in chosen]
    if others:
        print(f"the page also advertises: {', '.join(others)} (use --all to add them)")
    return 0


def cmd_feeds_import(args: argparse.Namespace) -> int:
    from digest.opml import read_opml
    from digest.sources import add_feeds

    path = _config_path(args.config)
    if not Path(args.opml).is_file():
        raise UsageError(f"{args.opml}: file not found")
    pairs = read_opml(args.opml)
    if not pairs:
        raise CheckFailed(f"{args.opml}: the OPML file lists no http(s) feeds")
    added = add_feeds(path, pairs, dry_run=args.dry_run)
    verb = "would add" if args.dry_run else "added"
    for name, url in added:
        print(f'{verb} "{name}" {url}')
    print(f"{len(pairs)} feeds in {args.opml}: {len(added)} {verb.split()[-1]}, "
          f"{len(pairs) - len(added)} already in the config")
    return 0


def _as_url(value: str) -> str:
    """A URL as typed: a local file becomes ``file:``, a bare host name gets ``https://``."""
    value = value.strip()
    if "://" in value or value.startswith("file:"):
        problem = cliargs.url_problem(value)
        if problem:
            raise UsageError(f"{value!r} {problem}")
        return value
    if Path(value).expanduser().exists():
        return Path(value).expanduser().resolve().as_uri()
    if "." in value.split("/", 1)[0] and " " not in value:
        return f"https://{value}"
    raise UsageError(f"{value!r} is neither a URL nor an existing file")


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url
