"""A story's day that a run would only keep: found without running it (a warm many-story run).

:func:`kept_day` takes the steps :func:`digest.pipeline.runner.run` takes up to its replay check
(feeds, entries, pages from state, history, :func:`~digest.pipeline.replay.input_key`,
:func:`~digest.pipeline.replay.stored_digest`) without writing anything, and answers with the
result that run would return only when the run would do nothing else: no page to fetch or store,
no email owed or to send (the day's digest already sent to these recipients, nothing in the
outbox), no ``--resend``, no sources alert. Otherwise it answers None and the story runs as
always. Only when the day is kept does it write what the run would have written on a replay: the
feeds that answered with a body (their validators and items), and the removal of stale
temporary files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from digest import alerts, outbox
from digest.delivery import Round
from digest.email import DeliveryResult
from digest.models import FeedResult
from digest.output.archive import remove_stale_temps
from digest.pipeline import collect, replay
from digest.pipeline.context import RunContext
from digest.pipeline.runner import RunResult, load_history


def kept_day(ctx: RunContext) -> RunResult | None:
    """What :func:`~digest.pipeline.runner.run` would return for ``ctx`` when it would keep the
    day's stored digest and do nothing else; None (state and files untouched) otherwise."""
    start = time.perf_counter()
    if ctx.resend:
        return None
    feeds = collect.read_feeds(ctx, save=False)
    ok = sum(f.status != "error" for f in feeds)
    failed = len(feeds) - ok
    if not ok:  # no source read: the run fails, and says so
        return None
    if alerts.sources_failed_share({"feeds_ok": ok, "feeds_failed": failed}) \
            > alerts.SOURCES_FAILED_SHARE:  # the run's completion alerts the operator
        return None
    selection = collect.select_entries(ctx, feeds)
    plan = collect.plan_pages(ctx, selection)
    if plan.to_fetch or plan.inline:  # pages to fetch or articles to store: not only a replay
        return None
    gathered = collect.finish(ctx, plan, [], [])  # nothing extracted: writes nothing
    history = load_history(ctx)
    key = replay.input_key(ctx, feeds, selection, gathered, history)
    again = replay.stored_digest(ctx, key, gathered)
    if again is None:
        return None
    digest, paths = again
    delivery: Round | None = None
    if ctx.send_email and ctx.config.email.enabled:
        delivery = _sent_already(ctx)
        if delivery is None:
            return None
    _save_feeds(ctx, feeds)
    remove_stale_temps(ctx.out_dir / ctx.config.story.slug)
    remove_stale_temps(ctx.out_dir)
    seconds = time.perf_counter() - start
    return RunResult(digest=digest, paths=paths, delivery=delivery, feeds_ok=ok,
                     feeds_failed=failed, fetched=0, reused=len(plan.known),
                     timings={"keep": seconds, "run": seconds}, replayed=True)


def _sent_already(ctx: RunContext) -> Round | None:
    """The email round a run would have when the day's digest went to these recipients already
    and nothing is owed or being sent for the story; else None (the run has mail to send)."""
    settings, slug = ctx.config.email, ctx.config.story.slug
    recipients = tuple(settings.to)
    if not recipients or outbox.pending(ctx.store, slug):
        return None
    previous = ctx.store.delivery(slug, ctx.day, recipients)
    if previous is None:
        return None
    return Round((DeliveryResult(status="skipped", message_id=previous, recipients=recipients,
                                 date=ctx.day),))


def _save_feeds(ctx: RunContext, feeds: Sequence[FeedResult]) -> None:
    """What :func:`digest.pipeline.collect.read_feed` saves of a feed that answered with a body."""
    for f in feeds:
        if f.status == "ok":
            collect.save_feed(ctx, f)
