"""The ``digest`` command: thin subcommands over the library and the Prefect flows.

Exit codes: 0 success (a digest was written, even if some sources failed), 1 the run failed (no
source could be read, delivery failed hard), 2 usage or config errors, 3 the digest was written
but could not be emailed (it stays owed; the next run sends it). Errors are one line.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from digest import interrupts, warmup
from digest.cli import args as cliargs
from digest.cli import prefectenv
from digest.cli.common import (
    DEFAULT_CONFIG,
    UsageError,
    add_fixed_cost,
    one_config,
    several_configs,
)
from digest.errors import ConfigError, DigestError, UndeliveredError
from digest.text.lines import one_line

DESCRIPTION = "Follow one news story across many outlets and deliver a daily digest of it."
EXAMPLES = {
    "run": "digest run --config config/syria-ceasefire.toml --date 2016-09-18",
    "backfill": "digest backfill --from 2016-09-09 --to 2016-09-22",
    "summarize": "digest summarize --words 100 a.txt b.txt",
}

LIMIT = 2000  # characters of an error line (hostile URLs and titles are cut)
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
EXIT_UNDELIVERED = 3  # the digest was written, the email not sent (owed: see `digest status`)


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[..., int]]:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
        COMMANDS[name] = fn
        return fn
    return register


# -- environment --------------------------------------------------------------------------------


def quiet_prefect(verbose: bool) -> None:
    """Quiet, offline-friendly Prefect defaults; a user's own environment still wins."""
    defaults = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",  # run logs still reach a Prefect server's UI ...
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO" if verbose else "CRITICAL",  # not stderr
        "PREFECT_LOGGING_EXTRA_LOGGERS": "digest",
        "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",  # logs from fetcher threads
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING" if verbose else "CRITICAL",
        "PREFECT_UI_ENABLED": "false",
        **prefectenv.defaults(),  # a temporary-server start-up wait that suits slow machines
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    # Prefect's console handler (level set above) prints our "digest" loggers too; until Prefect
    # is imported, a null handler keeps Python's last-resort handler from printing warnings.
    logging.getLogger().addHandler(logging.NullHandler())


def _no_heartbeats() -> bool:
    """A one-off run sends no flow-run heartbeats (unless ``DIGEST_HEARTBEATS=1``): on the
    temporary server they have no one to tell, and against a server the person who started the
    run sees it end; a sync flow run waits up to a second at its end for its heartbeat thread.
    Scheduled runs (``digest serve``, a worker) keep them, for crash detection."""
    return os.environ.get("DIGEST_HEARTBEATS") != "1"


def _date(value: str) -> dt.date:
    return cliargs.date_arg(value)


def _instant(value: str) -> dt.datetime:
    return cliargs.instant_arg(value)


def _check_window(cfg: Any, day: dt.date | None = None, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> None:
    """The run's window, worked out now: a bad one is a usage error before Prefect starts."""
    from digest.window import window_for  # light: the pipeline is not imported yet

    try:
        window_for(cfg, day=day, since=since, until=until)
    except (ValueError, OverflowError) as exc:
        raise UsageError(str(exc) if isinstance(exc, ValueError) else
                         f"no digest window fits these dates ({exc})") from None


def _check_state(path: str | Path) -> None:
    """Open (or create) the state database once: a damaged or read-only one fails here."""
    from digest.store import Store

    Store(path).close()


# -- run ----------------------------------------------------------------------------------------


def _prepare(args: argparse.Namespace, cfg: Any) -> None:
    """What a run needs before its flow starts: quiet Prefect defaults, a usable Prefect set-up
    (checked before anything is written, so a run that cannot start leaves nothing), a usable
    state file, and clean stops on Ctrl-C or SIGTERM."""
    quiet_prefect(args.verbose)
    prefectenv.check()
    _check_state(args.state or cfg.state_path)
    _start()


def _preflight(args: argparse.Namespace, paths: Sequence[str],
               days: Sequence[dt.date | None], since: dt.datetime | None = None,
               until: dt.datetime | None = None) -> dict[str, Any]:
    """:func:`_prepare` for several stories: the run's set-up (Prefect's temporary server boots
    from here on), then each config's window and state checked before Prefect runs anything (a
    config that does not load is the flow's to report: the others still run). Returns the
    configs that loaded, by path, for the run to use."""
    from digest.config import load_config

    quiet_prefect(args.verbose)
    prefectenv.check()
    _start()
    loaded: dict[str, Any] = {}
    for path in paths:
        try:
            cfg = load_config(path)
        except ConfigError:
            continue
        for day in days:
            _check_window(cfg, day, since, until)
        _check_state(cfg.state_path)
        loaded[path] = cfg
    return loaded


def _start() -> None:
    """The last of a run's set-up: clean stops on Ctrl-C or SIGTERM, and Prefect's temporary
    server booting while the run imports (waited for by :func:`_flow_call`)."""
    interrupts.install()
    prefectenv.start_temporary()


@contextlib.contextmanager
def _flow_call(warm: bool = True) -> Iterator[None]:
    """Around the call of a run's flow: Prefect failing to start as one line, heartbeats as the
    run wants them, and (``warm``) the later stages' imports in the background while Prefect's
    temporary server finishes booting; it is waited for before the body runs."""
    from flows.runners import no_heartbeats

    with prefectenv.startup_errors(), no_heartbeats(_no_heartbeats()):
        if warm:
            warmup.start()
        prefectenv.wait_ready()
        yield


def _run_several(args: argparse.Namespace, paths: list[str]) -> int:
    """``digest run`` over several stories: one crawl, a child flow run per story."""
    loaded = _preflight(args, paths, [args.date], args.since, args.until)
    from flows.stories import StoriesError, daily_digests, prepare, runner_for, to_run

    params: dict[str, Any] = dict(
        configs=paths, date=args.date.isoformat() if args.date else None,
        since=args.since.isoformat() if args.since else None,
        until=args.until.isoformat() if args.until else None, out=args.out,
        send_email=not args.no_email, resend=args.resend)
    # while Prefect's temporary server boots: which stories' days would only be kept (their
    # feeds read into the shared crawl); no background imports until a story must run
    prepared = prepare(**params, booting=prefectenv.booting, loaded=loaded)
    try:
        with _flow_call(warm=to_run(prepared) != 0):
            result = runner_for(paths, daily_digests)(**params, prepared=prepared)
    except StoriesError as exc:
        result = exc.report
    _print_stories(_fixed_many(result), args.json)
    failed = result.get("failed", [])
    if not failed:
        return 0
    names = ", ".join(f["story"] or Path(f["config"]).name for f in failed)
    print(f"digest: {len(failed)} of {len(paths)} stories failed: {names}", file=sys.stderr)
    return EXIT_UNDELIVERED if all(f.get("undelivered") for f in failed) else 1


def _print_stories(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
        return
    for report in result.get("stories", []):
        if report:
            _print_report(report, False)
    for f in result.get("failed", []):
        print(f"failed: {f.get('story') or f.get('config')}: {f['error']}")
    crawl = result.get("crawl")
    if crawl:
        print(f"shared crawl: {crawl['feed_requests']} feed requests, {crawl['pages']} pages "
              "fetched once for every story")
    _print_time(result.get("timings", {}))


def _print_time(timings: dict[str, float]) -> None:
    if "process" in timings:
        print(f"  time: {timings['process']:.1f} s, of which fixed start-up "
              f"{timings['fixed']:.1f} s (Python, Prefect and its server, flow runs)")


@command("run")
def cmd_run(args: argparse.Namespace) -> int:
    from digest.config import load_config

    if args.date and (args.since or args.until):
        raise UsageError("use either --date or --since/--until, not both")
    several = several_configs(args.config, args.state)
    if several is not None:
        return _run_several(args, several)
    config = one_config(args.config)
    cfg = load_config(config)  # fail fast, before Prefect starts
    _check_window(cfg, args.date, args.since, args.until)
    _prepare(args, cfg)
    from flows.daily_digest import daily_digest
    from flows.runners import flow_for

    try:
        with _flow_call():
            report = flow_for(cfg, daily_digest)(
                config=config, date=args.date.isoformat() if args.date else None,
                since=args.since.isoformat() if args.since else None,
                until=args.until.isoformat() if args.until else None,
                out=args.out, state=args.state, send_email=not args.no_email,
                resend=args.resend)
    except UndeliveredError as exc:  # the files are written; the email is owed
        if exc.report:
            _print_report(_fixed(exc.report), args.json)
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_UNDELIVERED
    _print_report(_fixed(report), args.json)
    return 0


def _fixed(report: dict[str, Any]) -> dict[str, Any]:
    return add_fixed_cost(report, report.get("timings", {}).get("run", 0.0))


def _fixed_many(result: dict[str, Any]) -> dict[str, Any]:
    work = sum(r.get("timings", {}).get("run", 0.0) for r in result.get("stories", []) if r)
    return add_fixed_cost(result, work + result.get("crawl", {}).get("seconds", 0.0))


@command("backfill")
def cmd_backfill(args: argparse.Namespace) -> int:
    from digest.config import load_config

    if args.to < args.from_:
        raise UsageError("--to must not be before --from")
    several = several_configs(args.config, args.state)
    if several is not None:
        return _backfill_several(args, several)
    config = one_config(args.config)
    cfg = load_config(config)
    _check_window(cfg, args.from_)
    _check_window(cfg, args.to)
    _prepare(args, cfg)
    from flows.daily_digest import backfill

    try:
        with _flow_call():
            reports = backfill(config=config, start=args.from_.isoformat(),
                               end=args.to.isoformat(), out=args.out, state=args.state,
                               send_email=args.email)
    except UndeliveredError as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_UNDELIVERED
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        for r in reports:
            print(f"{r['date']}: {r['articles']} articles from {r['outlets']} outlets, "
                  f"{r['feeds_failed']} sources failed -> {r['paths'].get('md', '')}")
    return 0


def _backfill_several(args: argparse.Namespace, paths: list[str]) -> int:
    """``digest backfill`` over several stories: one crawl per day, shared by them all."""
    _preflight(args, paths, [args.from_, args.to])
    from flows.stories import StoriesError, backfill_digests

    code = 0
    try:
        with _flow_call():
            days = backfill_digests(configs=paths, start=args.from_.isoformat(),
                                    end=args.to.isoformat(), out=args.out,
                                    send_email=args.email)
    except StoriesError as exc:
        days = exc.report.get("days", [])
    failed = [f for day in days for f in day.get("failed", [])]
    if failed:
        from flows.stories import failed_line

        print(f"digest: {failed_line(failed, len(days))}", file=sys.stderr)
        code = EXIT_UNDELIVERED if all(f.get("undelivered") for f in failed) else 1
    if args.json:
        print(json.dumps(days, indent=2))
        return code
    for day in days:
        for r in day.get("stories", []):
            if r:
                print(f"{r['story']} {r['date']}: {r['articles']} articles from {r['outlets']} "
                      f"outlets, {r['feeds_failed']} sources failed -> "
                      f"{r['paths'].get('md', '')}")
        for f in day.get("failed", []):
            print(f"failed: {f.get('story') or f.get('config')}: {f['error']}")
    return code


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2))
        return
    w = report["window"]
    print(f"{report['story']} digest for {report['date']} (window {w['since']} .. {w['until']})")
    print(f"  feeds: {report['feeds_ok']} read, {report['feeds_failed']} failed")
    for f in report["failed"]:
        print(f"    failed: {f['name']}: {f['error']}")
    print(f"  items seen: {report['items_seen']}, in window: {report['items_in_window']}, "
          f"screened out unread: {report.get('screened_out', 0)}, relevant: {report['relevant']}, "
          f"duplicates folded: {report['duplicates_folded']}, in digest: {report['articles']} "
          f"articles from {report['outlets']} outlets")
    print(f"  pages fetched: {report['pages_fetched']}, reused from state: "
          f"{report['pages_reused']}")
    if report.get("email"):
        print(f"  {report.get('email_detail') or 'email: ' + report['email']}")
    if report.get("kept"):
        print("  kept: inputs unchanged and nothing to mail, so no flow run")
    for path in report["paths"].values():
        print(f"  wrote {path}")
    _print_time(report.get("timings", {}))


# -- summarize ----------------------------------------------------------------------------------


@command("summarize")
def cmd_summarize(args: argparse.Namespace) -> int:
    from digest.summarize import summarize_texts

    if args.words is not None and args.sentences is not None:
        raise UsageError("use either --words or --sentences, not both")
    texts = []
    for name in args.files:
        try:
            texts.append(cliargs.read_text_file(name))
        except OSError as exc:
            raise UsageError(f"{name}: cannot read: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    kwargs: dict[str, Any] = {"words": args.words, "sentences": args.sentences}
    if args.method:
        kwargs["method"] = args.method
    for sentence in summarize_texts(texts, **kwargs):
        print(sentence)
    return 0


# -- parser -------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line, with where to find the usage (subcommands inherit it)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message, limit=LIMIT)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="digest", description=DESCRIPTION,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the daily digest flow once, locally",
                         epilog=f"example: {EXAMPLES['run']}")
    _common(run)
    run.add_argument("--date", type=_date, help="digest the span since the previous scheduled send, up to this day's send time")
    run.add_argument("--since", type=_instant, help="start of an explicit window (ISO 8601)")
    run.add_argument("--until", type=_instant, help="end of an explicit window (ISO 8601)")
    run.add_argument("--no-email", action="store_true", help="do not send the email")
    run.add_argument("--resend", action="store_true",
                     help="send the email even if this digest was already sent")

    bf = sub.add_parser("backfill", help="produce each day's digest over a range of days",
                        epilog=f"example: {EXAMPLES['backfill']}")
    _common(bf)
    bf.add_argument("--from", dest="from_", type=_date, required=True, metavar="D1")
    bf.add_argument("--to", type=_date, required=True, metavar="D2")
    bf.add_argument("--email", action="store_true", help="also email each day's digest")

    sm = sub.add_parser("summarize", help="summarise plain-text files, one sentence per line",
                        epilog=f"example: {EXAMPLES['summarize']}")
    sm.add_argument("files", nargs="+", metavar="FILE")
    size = sm.add_mutually_exclusive_group()
    size.add_argument("--words", type=cliargs.positive_arg)
    size.add_argument("--sentences", type=cliargs.positive_arg)
    sm.add_argument("--method", help="a summariser name (see docs/SUMMARIES.md)")

    for extra in _extra_parsers():
        extra(sub)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", action="append", metavar="PATH",
                   help=f"story config (default: $DIGEST_CONFIG or {DEFAULT_CONFIG}); repeat it, "
                        "or name a folder of configs, to run several stories over one crawl")
    p.add_argument("--out", help="output folder (default: the config's [output] dir)")
    p.add_argument("--state", help="state database (default: the config's [state] path)")
    p.add_argument("--json", action="store_true", help="print the run report as JSON")
    p.add_argument("--verbose", "-v", action="store_true", help="show Prefect's and our logs")


def _extra_parsers() -> list[Callable[[Any], None]]:
    """Subcommands that live in their own modules (operations: serve, check, feeds; feedback)."""
    from digest.cli import feedback

    try:
        from digest.cli import ops as cli_ops
    except ImportError:
        return [feedback.add_parser]
    from digest.cli import status as cli_status
    from digest.cli import story as cli_story

    return [cli_ops.add_parsers, cli_status.add_parser, cli_story.add_parsers, feedback.add_parser]


def _version() -> str:
    from digest import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    # Our log records never fall through to Python's last-resort stderr handler: the errors a
    # user must see are printed once, as one line, below (--verbose and Prefect add handlers).
    logging.getLogger("digest").addHandler(logging.NullHandler())
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    handler = COMMANDS.get(args.command) or getattr(args, "handler", None)
    if handler is None:  # a command group such as `digest feeds` without its action
        parser.parse_args([args.command, "--help"])
        return 2
    try:
        return handler(args)
    except (ConfigError, UsageError, prefectenv.SetupError) as exc:
        print(f"digest: error: {one_line(exc, limit=LIMIT)}", file=sys.stderr)
        return 2
    except DigestError as exc:
        print(f"digest: error: {one_line(exc, limit=LIMIT)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if interrupts.stopping():  # our handler: stop every child, exit 130 (SIGTERM: 143)
            interrupts.exit_now()
        print("digest: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `digest check | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: still one line (DIGEST_DEBUG=1 shows the traceback)
        if interrupts.stopping():  # Prefect turned the interrupt into its own exception
            interrupts.exit_now()
        if os.environ.get("DIGEST_DEBUG"):
            raise
        print(f"digest: error: unexpected {type(exc).__name__}: {one_line(exc, limit=LIMIT)} "
              "(set DIGEST_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1
    except BaseException:
        if interrupts.stopping():  # Prefect turned the interrupt into its own exception
            interrupts.exit_now()
        raise




if __name__ == "__main__":
    sys.exit(main())
