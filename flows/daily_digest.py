"""The daily digest flow of one story, and the backfill flow over a range of days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from digest import memory, pipeline
from digest.config import load_config
from digest.crawl import Crawl
from digest.errors import UndeliveredError
from digest.output.render import render_markdown, report_rows
from digest.progress import progress
from digest.runlog import replay_line
from flows import tasks
from flows.hooks import alert_on_completion, alert_on_failure
from flows.naming import backfill_run_name, daily_run_name, tag_run
from flows.runners import flow_for


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _scheduled_time() -> str | None:
    """A deployment run's scheduled start: its window ends there, so a retry or a late start
    digests the same 24 hours. ``None`` (now) for runs started by hand in-process."""
    from prefect.runtime import deployment, flow_run

    if not deployment.id:
        return None
    return flow_run.scheduled_start_time.isoformat()


def _secret(name: str | None) -> str | None:
    if not name:
        return None
    from prefect.blocks.system import Secret

    block: Any = Secret.load(name)
    return block.get()


@flow(name="daily-digest", flow_run_name=daily_run_name, log_prints=False,
      on_failure=[alert_on_failure], on_crashed=[alert_on_failure],
      on_completion=[alert_on_completion])
def daily_digest(config: str, date: str | None = None, since: str | None = None,
                 until: str | None = None, out: str | None = None, state: str | None = None,
                 send_email: bool = True, resend: bool = False) -> dict[str, Any]:
    """Fetch the story's feeds and pages, keep the story's articles, fold copies, summarise, and
    write (and email) the day's digest. Returns a short run report."""
    if not (date or since or until):
        until = _scheduled_time()
    return story_day(config, date=date, since=since, until=until, out=out, state=state,
                     send_email=send_email, resend=resend)


def story_day(config: str, *, date: str | None = None, since: str | None = None,
              until: str | None = None, out: str | None = None, state: str | None = None,
              send_email: bool = True, resend: bool = False, crawl: Crawl | None = None,
              tag: bool = True) -> dict[str, Any]:
    """The body of a story's daily flow run (inside that run's context): with ``crawl``, its
    feeds and pages come from the crawl the run shares with other stories."""
    logger = get_run_logger()
    cfg = load_config(config)
    if tag:
        tag_run(cfg.story.slug)
    ctx = pipeline.open_run(
        cfg, day=dt.date.fromisoformat(date) if date else None, since=_parse_time(since),
        until=_parse_time(until), out_dir=_path(out), state_path=_path(state),
        send_email=send_email, resend=resend, crawl=crawl)
    password = _secret(cfg.email.password_block) if send_email and cfg.email.enabled else None
    try:
        result = pipeline.run(ctx, tasks.stages(ctx, password))
    finally:
        ctx.close()
        memory.release()  # what the run freed: the next story or day of this process reuses it
    digest = result.digest
    if result.replayed:  # the kept digest's sources are those of the run that made it
        logger.info(replay_line(digest))
    else:
        logger.info("digest for %s: %d articles from %d outlets; sources: %d with news, %d with "
                    "nothing new, %d failed", digest.date, len(digest.articles),
                    len(digest.outlets), sum(s.status == "ok" for s in digest.sources),
                    sum(s.status == "not_modified" for s in digest.sources), result.feeds_failed)
    slug = digest.story.slug
    create_markdown_artifact(markdown=_markdown(result.paths, digest, cfg.story.timezone),
                             key=f"digest-{slug}", description=f"{digest.story.title} {digest.date}")
    delivery = result.delivery
    create_table_artifact(table=report_rows(digest, timings=result.timings)
                          + (delivery.rows() if delivery is not None else []),
                          key=f"run-report-{slug}",
                          description="sources, counts, timings and email")
    report = pipeline.report(result)
    if delivery is not None and delivery.status == "failed":
        # the files are written; the run fails so that alert_to and automations fire
        logger.error("%s", delivery.line)
        raise UndeliveredError(delivery.line, report)
    return report


@flow(name="digest-backfill", flow_run_name=backfill_run_name)
def backfill(config: str, start: str, end: str, out: str | None = None,
             state: str | None = None, send_email: bool = False) -> list[dict[str, Any]]:
    """Produce each day's digest from ``start`` to ``end`` in order, sharing state: one child
    flow run per day."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    cfg = load_config(config)
    tag_run(cfg.story.slug)
    child = flow_for(cfg, daily_digest)
    reports = []
    undelivered: UndeliveredError | None = None
    with progress(len(days), "backfill") as advance:
        for day in days:
            try:
                reports.append(child(config=config, date=day.isoformat(), out=out, state=state,
                                     send_email=send_email))
            except UndeliveredError as exc:  # written, not emailed: owed; go on with the days
                undelivered = exc
                reports.append(exc.report or {})
            advance(day.isoformat())
    if undelivered is not None:
        raise UndeliveredError(str(undelivered), {"days": reports})
    return reports


def _markdown(paths: dict, digest: Any, tz: str) -> str:
    """The digest's Markdown: the file just written (or kept), else rendered again."""
    from pathlib import Path

    md = paths.get("md")
    try:
        return Path(md).read_text(encoding="utf-8") if md else render_markdown(digest, tz=tz)
    except OSError:
        return render_markdown(digest, tz=tz)


def _path(value: str | None):
    from pathlib import Path

    return Path(value) if value else None
