"""Flow runs that say what they are: names ``<slug>-<date>`` (backfills
``<slug>-backfill-<from>-<to>``; several stories ``<n>-stories-<date>`` and
``<n>-stories-backfill-<from>-<to>``) and the story's tags, however the run was started."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from digest.config import load_config
from digest.pipeline import window_for

log = logging.getLogger(__name__)
TAG = "story-digest"


def _when(value: Any) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _day(cfg: Any, params: dict[str, Any], scheduled: dt.datetime | None) -> dt.date:
    """The date a run with these parameters digests (a deployment run without dates: the day
    of its scheduled start)."""
    date, since, until = params.get("date"), _when(params.get("since")), _when(params.get("until"))
    if not (date or since or until) and scheduled is not None:
        until = scheduled
    day, _ = window_for(cfg, day=dt.date.fromisoformat(date) if date else None,
                        since=since, until=until)
    return day


def day_name(params: dict[str, Any], scheduled: dt.datetime | None = None) -> str:
    """``<slug>-<date>`` for a daily-digest run with these parameters: the date its digest
    carries."""
    cfg = load_config(params["config"])
    return f"{cfg.story.slug}-{_day(cfg, params, scheduled).isoformat()}"


def stories_name(params: dict[str, Any], scheduled: dt.datetime | None = None) -> str:
    """``<n>-stories-<date>`` for a many-story run: the date of its first readable story."""
    configs = list(params.get("configs") or [])
    for path in configs:
        try:
            day = _day(load_config(path), params, scheduled)
        except Exception:  # noqa: BLE001 - an unreadable config is the run's to report
            continue
        return f"{len(configs)}-stories-{day.isoformat()}"
    return f"{len(configs)}-stories"


def stories_backfill_name(params: dict[str, Any]) -> str:
    return f"{len(params.get('configs') or [])}-stories-backfill-{params['start']}-{params['end']}"


def backfill_name(params: dict[str, Any]) -> str:
    """``<slug>-backfill-<from>-<to>``."""
    cfg = load_config(params["config"])
    return f"{cfg.story.slug}-backfill-{params['start']}-{params['end']}"


def _fallback(prefix: str) -> str:
    return f"{prefix}-{dt.datetime.now(dt.UTC):%Y-%m-%dT%H%M%S}"


def _run_name(name: Callable[[dict[str, Any], dt.datetime | None], str],
              fallback: str) -> str:
    """A ``flow_run_name`` (called by Prefect inside the new run's context): ``name`` of the
    run's parameters and, for a deployment run, its scheduled start. Never raises: a config that
    cannot be read fails the run itself, with its own message."""
    from prefect.runtime import deployment, flow_run

    try:
        scheduled = flow_run.scheduled_start_time if deployment.id else None
        return name(dict(flow_run.parameters), scheduled)
    except Exception as exc:  # noqa: BLE001 - a name must never sink the run
        log.debug("no name for this run: %s", exc)
        return _fallback(fallback)


def daily_run_name() -> str:
    """``flow_run_name`` of the daily flow."""
    return _run_name(day_name, "daily-digest")


def backfill_run_name() -> str:
    """``flow_run_name`` of the backfill flow."""
    return _run_name(lambda params, _: backfill_name(params), "digest-backfill")


def stories_run_name() -> str:
    """``flow_run_name`` of the many-story flow."""
    return _run_name(stories_name, "daily-digests")


def stories_backfill_run_name() -> str:
    """``flow_run_name`` of the many-story backfill flow."""
    return _run_name(lambda params, _: stories_backfill_name(params), "digests-backfill")


def tag_run(slug: str) -> None:
    """Give the current flow run the story's tags (``story-digest`` and the slug) if it lacks
    them: runs started from the CLI, a test or a deployment made without them."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None:
        return
    run = ctx.flow_run
    wanted = [t for t in (TAG, slug) if t not in run.tags]
    if not wanted:
        return
    tags = [*run.tags, *wanted]
    try:
        ctx.client.update_flow_run(run.id, tags=tags)
        run.tags = tags
    except Exception as exc:  # noqa: BLE001 - tags are a courtesy, never a failure
        log.warning("could not tag flow run %s: %s", run.name, exc)
