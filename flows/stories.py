"""Many stories, one crawl: the flow that runs a desk's stories together.

``daily-digests`` reads the union of the stories' feeds once and fetches and extracts each page
once (a :class:`digest.crawl.Crawl` shared by the run), then judges, composes, writes and mails
each story in its own child flow run (a ``daily-digest`` run, as when the story runs alone) with
its own state, ledger, output and alerts. A story that fails (its feeds all down, an SMTP server
that is down) is reported once, by its own run, which ends Failed; the others go on, and the
parent ends Completed, listing it. A config that cannot be read has no run of its own: the parent
reports it, and ends Failed. The child runs send no heartbeats (the parent run does): a flow run that
does costs about a second more at its end (Prefect joins its heartbeat thread), which fifty
stories would pay fifty times. A story whose run would only keep its day's digest (nothing new,
nothing to fetch or mail: :mod:`digest.pipeline.keep`) gets no child run: the parent reports it
as ``kept``, as its run would have (Prefect's cost of a flow run, ~0.35 s, is most of a warm
story's time).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from digest import pipeline
from digest.config import Config, load_config
from digest.crawl import Crawl, CrawlFetcher, share, shared, unshare
from digest.errors import DigestError, UndeliveredError
from digest.pipeline import RunContext, collect, keep, many
from digest.progress import progress
from digest.text.lines import one_line
from flows.daily_digest import _parse_time, _scheduled_time, story_day
from flows.hooks import alert_on_completion, alert_on_failure
from flows.naming import daily_run_name, stories_backfill_run_name, stories_run_name
from flows.runners import flow_for, no_heartbeats
from flows.tasks import Lent, lend

log = logging.getLogger(__name__)


class StoriesError(DigestError):
    """One or more stories of a many-story run failed; the others were done. ``report`` holds
    every story's report and every failure."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report


@flow(name="daily-digest", flow_run_name=daily_run_name, log_prints=False,
      on_failure=[alert_on_failure], on_crashed=[alert_on_failure],
      on_completion=[alert_on_completion])
def story_digest(config: str, date: str | None = None, since: str | None = None,
                 until: str | None = None, out: str | None = None, send_email: bool = True,
                 resend: bool = False, crawl: str | None = None) -> dict[str, Any]:
    """One story's day inside a many-story run: its feeds and pages come from the run's crawl
    (``crawl`` names it), its judgement, files, state and email are its own."""
    return story_day(config, date=date, since=since, until=until, out=out,
                     send_email=send_email, resend=resend,
                     crawl=shared(crawl) if crawl else None)


def shared_crawl(configs: Sequence[Config], window: dict[str, Any], crawl: Crawl,
                 batch: int = 64, runner: str | None = None) -> float:
    """Read every story's feeds once and fetch, screen and extract the pages they will ask for
    once, before the stories run: in a local process pool, or (``[runner] kind = "dask"`` in
    the first story's config, or ``runner``) as page batches on the run's Dask workers."""
    if not configs:
        return 0.0
    runner = runner or configs[0].runner.kind
    logger = get_run_logger()
    start = time.perf_counter()
    ctxs = []
    try:
        for cfg in configs:
            try:
                ctxs.append(pipeline.open_run(cfg, send_email=False, crawl=crawl, **window))
            except (DigestError, OSError, ValueError):
                continue  # the story's own run reports it
        if runner == "dask":
            for ctx, cands in many.wanted_by_fetcher(ctxs):
                fetched = lend(collect_crawl_fetch, ctx, cands)
                jobs = [job for _, job in fetched]
                futures = [crawl_batch.submit(jobs[i:i + batch], crawl.screens)
                           for i in range(0, len(jobs), batch)]
                pages = [page for future in futures for page in future.result()]
                via = ctx.fetcher
                assert isinstance(via, CrawlFetcher)
                for (c, _), page in zip(fetched, pages, strict=True):
                    via.keep(c.entry, page)
        else:
            lend(crawl_task, ctxs)
    finally:
        for ctx in ctxs:
            ctx.close()
    seconds = time.perf_counter() - start
    logger.info("shared crawl: %d feed requests, %d pages in %.1f s", crawl.feed_requests,
                crawl.pages, seconds)
    return seconds


@task(name="shared-crawl", cache_policy=NO_CACHE, cache_result_in_memory=False)
def crawl_task(ctxs: Lent[list[RunContext]]) -> dict[str, float]:
    """Every story's feeds read and pages fetched, screened and extracted, once."""
    return many.prefetch(ctxs.get())


@task(name="crawl-fetch", cache_policy=NO_CACHE, cache_result_in_memory=False)
def collect_crawl_fetch(ctx: Lent[RunContext], cands: Lent[list[Any]]) -> list[Any]:
    """Fetch the shared crawl's pages; the run's Dask workers reduce and extract them."""
    return collect.crawl_fetch(ctx.get(), cands.get())


@task(name="crawl-batch", cache_policy=NO_CACHE)  # submitted: its future reads the result
def crawl_batch(jobs: list[Any], screens: tuple[Any, ...]) -> list[Any]:
    """Reduce and extract one batch of the shared crawl's pages (on a worker of the runner)."""
    return collect.crawl_batch(jobs, screens)


def kept_reports(loaded: Sequence[tuple[str, Config]], window: dict[str, Any], out: str | None,
                 send_email: bool, resend: bool, crawl: Crawl, workers: int | None = None,
                 here_while: Callable[[], bool] | None = None) -> dict[str, dict[str, Any]]:
    """The report of each story, marked ``kept``, whose day's run would only keep the stored
    digest (:func:`digest.pipeline.keep.check_all`), by config path; the others (or any whose
    check failed) get their child run. Library only: it runs inside the flow or before it."""
    if resend or not loaded:
        return {}

    def opener(cfg: Config) -> RunContext:
        return pipeline.open_run(cfg, out_dir=Path(out) if out else None, send_email=send_email,
                                 resend=resend, crawl=crawl, **window)

    found = keep.check_all([cfg for _, cfg in loaded], opener, crawl,
                           workers=loaded[0][1].fetch.workers if workers is None else workers,
                           here_while=here_while)
    kept: dict[str, dict[str, Any]] = {}
    for (path, cfg), report in zip(loaded, found, strict=True):
        if isinstance(report, keep.Failed):
            log.debug("%s: keep check failed, running the story: %s", cfg.story.slug, report)
        elif report is not None:
            kept[path] = report
    return kept


def _log_kept(kept: dict[str, dict[str, Any]], stories: int) -> None:
    if kept:  # one line for them all: fifty stories' lines cost the API fifty log records
        get_run_logger().info(
            "%d of %d stories kept without a flow run (inputs unchanged since their digests "
            "were made: summarise and publish skipped): %s", len(kept), stories,
            ", ".join(f"{r['story']} ({r['articles']} articles)" for r in kept.values()))


@dataclass
class Prepared:
    """A many-story run's configs (those that load, and a failure record for each other), its
    shared crawl and the stories found kept, made before its flow."""

    loaded: list[tuple[str, Config]]
    failed: list[dict[str, Any]]
    crawl: Crawl
    kept: dict[str, dict[str, Any]]


_prepared: dict[str, Prepared] = {}  # by the key that shares the crawl


def _window(date: str | None, since: str | None, until: str | None) -> dict[str, Any]:
    return dict(day=dt.date.fromisoformat(date) if date else None, since=_parse_time(since),
                until=_parse_time(until))


def prepare(configs: Sequence[str], date: str | None = None, since: str | None = None,
            until: str | None = None, out: str | None = None, send_email: bool = True,
            resend: bool = False, booting: Callable[[], bool] | None = None,
            loaded: Mapping[str, Config] | None = None) -> str | None:
    """What :func:`daily_digests` does first, done before it starts (the command line calls
    this while Prefect's temporary server boots): the shared crawl and the stories whose day
    would only be kept. Returns the key to pass as its ``prepared``; None when there is nothing
    to find (``resend``, no config that loads, a check that raised: the flow then does it).
    ``booting()``: whether the server is still booting; the checks run one by one in this
    process while it is (the boot has a core to itself), in worker processes after (None: from
    the start, as when a server is up already). ``loaded``: configs already read, by path."""
    if resend:
        return None
    ready, failed = _load(configs, loaded)
    if not ready:
        return None
    crawl = Crawl(cfg for _, cfg in ready)
    try:
        kept = kept_reports(ready, _window(date, since, until), out, send_email, resend, crawl,
                            here_while=booting)
    except Exception as exc:  # noqa: BLE001 - the flow checks again, and reports
        log.debug("preparing the stories failed; the flow checks them: %s", exc)
        crawl.close()
        return None
    key = share(crawl)
    _prepared[key] = Prepared(ready, failed, crawl, kept)
    return key


def to_run(prepared: str | None) -> int | None:
    """How many stories of a prepared run will run (not kept); None when not prepared."""
    found = _prepared.get(prepared) if prepared else None
    return None if found is None else len(found.loaded) - len(found.kept)


def _load(paths: Sequence[str], known: Mapping[str, Config] | None = None,
          ) -> tuple[list[tuple[str, Config]], list[dict[str, Any]]]:
    """The configs that load, and a failure record for each that does not (``known``: configs
    read already, by path)."""
    loaded: list[tuple[str, Config]] = []
    failed: list[dict[str, Any]] = []
    slugs: dict[str, str] = {}
    for path in paths:
        try:
            cfg = (known or {}).get(path) or load_config(path)
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


@flow(name="daily-digests", flow_run_name=stories_run_name, log_prints=False)
def daily_digests(configs: list[str], date: str | None = None, since: str | None = None,
                        until: str | None = None, out: str | None = None,
                        send_email: bool = True, resend: bool = False,
                        prepared: str | None = None) -> dict[str, Any]:
    """The day's digest of every story in ``configs``, over one shared crawl. Returns each
    story's run report and the failed stories (each reported by its own run); raises
    :class:`StoriesError` (after all stories ran) when a config could not be read.
    ``prepared``: the key :func:`prepare` gave for these parameters in this process."""
    logger = get_run_logger()
    if not (date or since or until):
        until = _scheduled_time()
    ready = _prepared.pop(prepared, None) if prepared else None
    loaded, failed = (ready.loaded, ready.failed) if ready else _load(configs)
    for f in failed:
        logger.error("story config %s: %s", f["config"], f["error"])
    reports: list[dict[str, Any]] = []
    crawl = ready.crawl if ready else Crawl(cfg for _, cfg in loaded)
    key = prepared if ready and prepared else share(crawl)
    crawl_seconds = 0.0
    try:
        window = _window(date, since, until)
        # a story whose run would only keep its day needs no pages and no child run: found
        # first (its feeds are read into the crawl), the crawl looks ahead for the others only
        kept = ready.kept if ready else kept_reports(loaded, window, out, send_email, resend,
                                                     crawl)
        _log_kept(kept, len(loaded))
        crawl_seconds = shared_crawl([cfg for path, cfg in loaded if path not in kept], window,
                                     crawl, runner=loaded[0][1].runner.kind if loaded else None)
        for path, cfg in loaded:
            if path in kept:
                reports.append(kept[path])
                continue
            child = story_digest  # its pages are in the crawl: threads suffice
            try:
                # no tags() around the child: its task runs would carry the story's tags, and
                # Prefect keeps one concurrency-slot service per tag set alive for the process,
                # holding the context (and the parameters) of the task run that started it: every
                # story's draft and history stayed in memory. The child tags its own flow run.
                with no_heartbeats():
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
        unshare(key)
        crawl.close()
    result = {"stories": reports, "failed": failed,
              "crawl": {"feed_requests": crawl.feed_requests, "pages": crawl.pages,
                        "seconds": round(crawl_seconds, 3)}}
    logger.info("%d stories: %d done, %d failed; %d feed requests, %d pages crawled once",
                len(configs), len(configs) - len(failed), len(failed), crawl.feed_requests,
                crawl.pages)
    unreadable = [f for f in failed if f["story"] is None]
    if unreadable:  # no run of their own reported these: this run does
        names = ", ".join(f["story"] or Path(f["config"]).name for f in failed)
        raise StoriesError(f"{len(failed)} of {len(configs)} stories failed: {names}", result)
    return result


def runner_for(configs: Sequence[str], flow_: Any) -> Any:
    """``flow_`` with the task runner the first story's config asks for (its ``[runner]``
    runs the shared crawl); threads when no config can be read."""
    for path in configs:
        try:
            return flow_for(load_config(path), flow_)
        except DigestError:
            continue
    return flow_


@flow(name="digests-backfill", flow_run_name=stories_backfill_run_name)
def backfill_digests(configs: list[str], start: str, end: str, out: str | None = None,
                           send_email: bool = False) -> list[dict[str, Any]]:
    """Each day's digests of every story from ``start`` to ``end`` in order: one shared crawl
    (one ``daily-digests`` child run) per day. Failed stories are listed in each day's result
    (their own runs reported them); raises :class:`StoriesError` when a config could not be
    read."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    results: list[dict[str, Any]] = []
    failure: StoriesError | None = None
    child = runner_for(configs, daily_digests)
    with progress(len(days), "backfill") as advance:
        for day in days:
            try:
                results.append(child(configs=list(configs), date=day.isoformat(), out=out,
                                     send_email=send_email))
            except StoriesError as exc:  # an unreadable config; go on with the days
                failure = exc
                results.append(exc.report)
            advance(day.isoformat())
    if failure is not None:  # a config could not be read: no run of its own reported it
        failed = [f for r in results for f in r.get("failed", [])]
        raise StoriesError(failed_line(failed, len(days)), {"days": results, "failed": failed})
    return results


def failed_line(failed: Sequence[dict[str, Any]], days: int) -> str:
    """One line naming the failed stories of a backfill, with how many days each failed."""
    counts: dict[str, int] = {}
    for f in failed:
        name = f["story"] or Path(f["config"]).name
        counts[name] = counts.get(name, 0) + 1
    names = ", ".join(f"{name} ({n} of {days} days)" for name, n in counts.items())
    return f"{len(failed)} story runs failed: {names}"
