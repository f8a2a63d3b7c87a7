"""Many stories, one crawl: the flow that runs a desk's stories together.

``daily-digests`` reads the union of the stories' feeds once and fetches and extracts each page
once (a :class:`digest.crawl.Crawl` shared by the run), then judges, composes, writes and mails
each story in its own child flow run (``story-digest``) with its own state, ledger and output.
A story that fails (a bad config, an SMTP server that is down) is reported by its own run, and
the others go on. The child runs send no heartbeats (the parent run does): a flow run that
does costs about a second more at its end (Prefect joins its heartbeat thread), which fifty
stories would pay fifty times.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from prefect import flow, get_run_logger, tags
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from digest.config import Config, load_config
from digest.crawl import Crawl
from digest.errors import DigestError, UndeliveredError
from digest.progress import progress
from digest.text.lines import one_line
from flows.daily_digest import _scheduled_time, story_day
from flows.hooks import alert_on_completion, alert_on_failure
from flows.naming import TAG, daily_run_name
from flows.runners import flow_for

_CRAWLS: dict[str, Crawl] = {}  # crawls of the runs in this process, by key (child flows look up)


class StoriesError(DigestError):
    """One or more stories of a many-story run failed; the others were done. ``report`` holds
    every story's report and every failure."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report

    @property
    def undelivered_only(self) -> bool:
        return all(f.get("undelivered") for f in self.report.get("failed", []))


@flow(name="story-digest", flow_run_name=daily_run_name, log_prints=False,
      on_failure=[alert_on_failure], on_crashed=[alert_on_failure],
      on_completion=[alert_on_completion])
def story_digest(config: str, date: str | None = None, since: str | None = None,
                 until: str | None = None, out: str | None = None, send_email: bool = True,
                 resend: bool = False, crawl: str | None = None) -> dict[str, Any]:
    """One story's day inside a many-story run: its feeds and pages come from the run's crawl
    (``crawl`` names it), its judgement, files, state and email are its own."""
    return story_day(config, date=date, since=since, until=until, out=out,
                     send_email=send_email, resend=resend,
                     crawl=_CRAWLS.get(crawl) if crawl else None, tag=False)


@contextlib.contextmanager
def no_heartbeats() -> Any:
    """Flow runs started in this block send no heartbeats (their parent's does)."""
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _load(paths: Sequence[str]) -> tuple[list[tuple[str, Config]], list[dict[str, Any]]]:
    """The configs that load, and a failure record for each that does not."""
    loaded: list[tuple[str, Config]] = []
    failed: list[dict[str, Any]] = []
    slugs: dict[str, str] = {}
    for path in paths:
        try:
            cfg = load_config(path)
        except DigestError as exc:
            failed.append({"config": str(path), "story": None, "error": one_line(exc)})
            continue
        other = slugs.setdefault(cfg.story.slug, str(path))
        if other != str(path):
            failed.append({"config": str(path), "story": cfg.story.slug,
                           "error": f"story.slug {cfg.story.slug!r} is also the slug of "
                                    f"{other}; each story needs its own slug"})
            continue
        loaded.append((str(path), cfg))
    return loaded, failed


@flow(name="daily-digests", log_prints=False)
def daily_digests(configs: list[str], date: str | None = None, since: str | None = None,
                        until: str | None = None, out: str | None = None,
                        send_email: bool = True, resend: bool = False) -> dict[str, Any]:
    """The day's digest of every story in ``configs``, over one shared crawl. Returns each
    story's run report; raises :class:`StoriesError` (after all stories ran) if any failed."""
    logger = get_run_logger()
    if not (date or since or until):
        until = _scheduled_time()
    loaded, failed = _load(configs)
    for f in failed:
        logger.error("story config %s: %s", f["config"], f["error"])
    reports: list[dict[str, Any]] = []
    key = uuid.uuid4().hex
    crawl = _CRAWLS[key] = Crawl(cfg for _, cfg in loaded)
    try:
        for path, cfg in loaded:
            child = flow_for(cfg, story_digest)
            try:
                with tags(TAG, cfg.story.slug), no_heartbeats():
                    reports.append(child(config=path, date=date, since=since,
                                               until=until, out=out, send_email=send_email,
                                               resend=resend, crawl=key))
            except UndeliveredError as exc:  # written, not mailed: owed; its run alerted
                reports.append(exc.report or {})
                failed.append({"config": path, "story": cfg.story.slug,
                               "error": str(exc), "undelivered": True})
            except Exception as exc:  # noqa: BLE001 - one story never stops the others
                failed.append({"config": path, "story": cfg.story.slug,
                               "error": one_line(exc) or type(exc).__name__})
    finally:
        _CRAWLS.pop(key, None)
        crawl.close()
    result = {"stories": reports, "failed": failed,
              "crawl": {"feed_requests": crawl.feed_requests, "pages": crawl.pages}}
    logger.info("%d stories: %d done, %d failed; %d feed requests, %d pages crawled once",
                len(configs), len(configs) - len(failed), len(failed), crawl.feed_requests,
                crawl.pages)
    if failed:
        names = ", ".join(f["story"] or Path(f["config"]).name for f in failed)
        raise StoriesError(f"{len(failed)} of {len(configs)} stories failed: {names}", result)
    return result


@flow(name="digests-backfill")
def backfill_digests(configs: list[str], start: str, end: str, out: str | None = None,
                           send_email: bool = False) -> list[dict[str, Any]]:
    """Each day's digests of every story from ``start`` to ``end`` in order: one shared crawl
    (one ``daily-digests`` child run) per day."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    results: list[dict[str, Any]] = []
    failure: StoriesError | None = None
    with progress(len(days), "backfill") as advance:
        for day in days:
            try:
                results.append(daily_digests(configs=list(configs), date=day.isoformat(),
                                                   out=out, send_email=send_email))
            except StoriesError as exc:  # reported by the stories' runs; go on with the days
                failure = exc
                results.append(exc.report)
            advance(day.isoformat())
    if failure is not None:
        failed = [f for r in results for f in r.get("failed", [])]
        counts: dict[str, int] = {}
        for f in failed:
            name = f["story"] or Path(f["config"]).name
            counts[name] = counts.get(name, 0) + 1
        names = ", ".join(f"{name} ({n} of {len(days)} days)" for name, n in counts.items())
        raise StoriesError(f"{len(failed)} story runs failed: {names}",
                           {"days": results, "failed": failed})
    return results
