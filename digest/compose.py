"""From the window's articles to the day's digest: membership, folding, novelty, summaries.

Everything here is deterministic given the window's articles and the digests of earlier dates, so
re-running a date (or a whole backfill) gives the same digest.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import feedback, parallel, replay
from .collect import Gathered, Selection
from .dedup import group_duplicates
from .figures import extract_figures
from .models import (
    Article,
    Attributed,
    Digest,
    FeedResult,
    Judgement,
    Reporter,
    Skipped,
    SourceReport,
    StoryArticle,
    TimelineEntry,
)
from .quotes import extract_quotes
from .relevance import ProfileDoc, RelevanceModel
from .screen import is_screened
from .summarize import summarize_article, summarize_story

if TYPE_CHECKING:
    from .pipeline import RunContext

log = logging.getLogger(__name__)

DEVELOPMENTS = 3
NEAR_MISSES, NEAR_SHARE = 3, 0.6  # "Possibly related": at most 3, scoring 60% of the threshold
PARALLEL_ITEMS = 8  # from this many story articles, the overview, quotes and figures run in parallel


@dataclass(frozen=True)
class Item:
    """A story article to carry, with its folded copies."""

    article: Article
    judgement: Judgement
    also: tuple[Reporter, ...]
    members: tuple[Article, ...]
    updated: bool


@dataclass(frozen=True)
class Draft:
    items: tuple[Item, ...]
    skipped: tuple[Skipped, ...]
    sources: tuple[SourceReport, ...]
    counts: dict[str, int]
    near_misses: tuple[Skipped, ...] = ()


# -- membership and folding -------------------------------------------------------------------


def story_profile(ctx: RunContext) -> RelevanceModel:
    """The relevance model of the day: the story's definition (seeds, description), the
    articles recent digests accepted, and recent articles in general to weigh words."""
    cfg = ctx.config
    definition = [ProfileDoc(p.name, p.read_text(encoding="utf-8", errors="replace"))
                  for p in cfg.story.seeds]
    if cfg.story.description:
        definition.append(ProfileDoc("story description", cfg.story.description))
    lookback = cfg.relevance.lookback_days
    recent = ctx.store.carried_before(cfg.story.slug, ctx.day, lookback)
    accepted = [ProfileDoc(a.url, f"{a.title}\n{a.text}")
                for _, a in sorted(ctx.store.articles(recent).items())]
    since = ctx.window.since - dt.timedelta(days=lookback)
    background = [f"{a.title}\n{a.text}"
                  for a in ctx.store.articles_published(since, ctx.window.since)]
    taught = feedback.verdicts(ctx.store, cfg.story.slug)  # a reader's corrections
    marked = ctx.store.articles(v.url for v in taught)
    accepted += [ProfileDoc(v.url, f"{marked[v.url].title}\n{marked[v.url].text}")
                 for v in taught if v.is_story and v.url in marked]
    rejected = [ProfileDoc(v.url, f"{marked[v.url].title}\n{marked[v.url].text}")
                for v in taught if not v.is_story and v.url in marked]
    return RelevanceModel(cfg.relevance, definition, accepted, background, rejected=rejected,
                          verdicts={v.url: v.is_story for v in taught})


def assemble(ctx: RunContext, feeds: Sequence[FeedResult], selection: Selection,
             gathered: Gathered) -> Draft:
    cfg = ctx.config
    skipped = list(selection.skipped) + list(gathered.skipped)
    # pages screened out before extraction (screen.py) have no text to judge: they never
    # mention one of the story's required concepts
    rows, screened = [], 0
    for cand, art, updated in gathered.articles:
        if is_screened(art.content_hash):
            screened += 1
            skipped.append(Skipped(cand.entry.url, f"not about the story ({art.description}; "
                                                   "page not extracted)", art.title))
        else:
            rows.append((cand, art, updated))
    start = time.perf_counter()
    model = story_profile(ctx)
    judgements = model.judge([a for _, a, _ in rows])
    ctx.timings["relevance"] = time.perf_counter() - start

    relevant: list[tuple[Article, Judgement, bool]] = []
    rejected: list[tuple[float, Skipped]] = []
    for (cand, art, updated), j in zip(rows, judgements, strict=True):
        if j.relevant:
            relevant.append((art, j, updated))
        else:
            skipped.append(Skipped(cand.entry.url, f"not about the story (score {j.score:.2f}: "
                                                   f"{j.why})", art.title))
            rejected.append((j.score, Skipped(cand.entry.url, j.why, art.title)))
    near = near_misses(rejected, cfg.relevance.threshold)

    carried = ctx.store.carried_before(cfg.story.slug, ctx.day)
    recent = ctx.store.articles(ctx.store.carried_before(cfg.story.slug, ctx.day,
                                                         cfg.relevance.lookback_days))
    today_keys = {a.canonical_url for a, _, _ in relevant}
    earlier = sorted((a for a in recent.values() if a.canonical_url not in today_keys),
                     key=lambda a: a.canonical_url)
    texts = [a.text for a, _, _ in relevant] + [a.text for a in earlier]
    keys = [a.canonical_url for a, _, _ in relevant] + [a.canonical_url for a in earlier]
    start = time.perf_counter()
    groups = group_duplicates(texts, keys)
    ctx.timings["dedup"] = time.perf_counter() - start

    items: list[Item] = []
    folded = 0
    n = len(relevant)
    for g in groups:
        today = [i for i in g.members if i < n]
        if not today:
            continue
        before = [earlier[i - n] for i in g.members if i >= n]
        old_today = [relevant[i][0] for i in today
                     if relevant[i][0].canonical_url in carried and not relevant[i][2]]
        if before or old_today:
            ref = (before or old_today)[0]
            for i in today:
                a = relevant[i][0]
                skipped.append(Skipped(a.url, f"already in an earlier digest ({ref.url})", a.title))
            continue
        primary = max(today, key=lambda i: (len(relevant[i][0].text), -i))
        art, judgement, _ = relevant[primary]
        members = tuple(relevant[i][0] for i in today)
        also = tuple(dict.fromkeys(Reporter(m.outlet, m.url) for m in members
                                   if m.outlet != art.outlet))
        for m in members:
            if m is not art:
                folded += 1
                skipped.append(Skipped(m.url, f"same article as {art.url} (folded into "
                                              "also_reported_by)", m.title))
        updated = any(relevant[i][2] for i in today)
        items.append(Item(art, judgement, also, members, updated))

    items.sort(key=lambda it: (-len({m.outlet for m in it.members}), -it.judgement.score,
                               _ts(it.article.published), it.article.canonical_url))
    if len(items) > cfg.digest.max_articles:
        for it in items[cfg.digest.max_articles:]:
            skipped.append(Skipped(it.article.url, "over the digest's max_articles limit",
                                   it.article.title))
        items = items[:cfg.digest.max_articles]

    used: dict[str, int] = {}
    for c in selection.candidates:
        if c.canonical in gathered.outside_urls:
            continue  # undated in the feed, and its page is from another day
        for s in c.sources:
            used[s] = used.get(s, 0) + 1
    sources = tuple(_source_report(f, used.get(f.source.name, 0)) for f in feeds)
    counts = {"items_seen": selection.items_seen,
              "items_in_window": len(selection.candidates) - gathered.outside, "articles_read": len(rows),
              "screened_out": screened,
              "relevant": len(relevant), "duplicates_folded": folded,
              "story_articles": len(items), "sources_failed": sum(s.status == "error"
                                                                  for s in sources)}
    return Draft(tuple(items), _dedupe_skipped(skipped, items), sources, counts, near)


def near_misses(rejected: Sequence[tuple[float, Skipped]], threshold: float) -> tuple[Skipped, ...]:
    """The closest pages left out ("Possibly related"), best first: a reader can correct one
    with `digest feedback URL --story`."""
    close = sorted((x for x in rejected if x[0] >= threshold * NEAR_SHARE),
                   key=lambda x: (-x[0], x[1].url))
    return tuple(dict.fromkeys(s for _, s in close))[:NEAR_MISSES]


def _source_report(feed: FeedResult, items: int) -> SourceReport:
    """A source is "ok" when it contributed items to the window, "not_modified" when it was read
    (or answered 304) but had nothing in the window, "error" when it could not be read."""
    if feed.status == "error":
        return SourceReport(feed.source.name, feed.source.url, "error", feed.error, 0)
    if items:
        return SourceReport(feed.source.name, feed.source.url, "ok", None, items)
    return SourceReport(feed.source.name, feed.source.url, "not_modified", None, 0)


def _dedupe_skipped(skipped: list[Skipped], items: Sequence[Item]) -> tuple[Skipped, ...]:
    shown = {it.article.url for it in items}
    out = {s.url: s for s in skipped if s.url not in shown}
    return tuple(sorted(out.values(), key=lambda s: s.url))


def _ts(when: dt.datetime | None) -> float:
    return when.timestamp() if when else 0.0


# -- summaries and the digest -----------------------------------------------------------------


def summarise(ctx: RunContext, draft: Draft) -> Digest:
    cfg, store = ctx.config, ctx.store
    start = time.perf_counter()
    primaries = [it.article for it in draft.items]
    # Syndicated copies go in too: how many outlets carry a fact is evidence of its weight, and
    # each overview sentence is then attributed to every outlet that carried it.
    everyone = [m for it in draft.items for m in it.members]
    sent = store.sentences_before(cfg.story.slug, ctx.day)
    # The overview, quotes and figures are independent: worker processes make them while this
    # one summarises the articles (which reads and writes the summary cache in state).
    calls: list[parallel.Call] = [
        (summarize_story, (everyone,), {"words": cfg.digest.overview_words,
                                        "method": cfg.digest.overview_method,
                                        "already_sent": sent}),
        (extract_figures, (primaries,), {})]
    if cfg.digest.quotes:
        calls.append((extract_quotes, (primaries,), {"limit": cfg.digest.quotes}))
    workers = parallel.cores(cfg.fetch.workers) if len(draft.items) >= PARALLEL_ITEMS else 1
    batch = parallel.Batch(calls, workers)
    method, size = cfg.digest.article_method, cfg.digest.article_sentences
    stories: list[StoryArticle] = []
    for it in draft.items:
        a = it.article
        summary = store.summary(a.content_hash, method, size)
        if summary is None:
            summary = summarize_article(a, sentences=size, method=method)
            store.save_summary(a.content_hash, method, size, summary)
        stories.append(StoryArticle(a, it.judgement, tuple(summary), it.also, it.updated))

    overview, figures, *found = batch.results()
    quotes = found[0] if found else ()
    earlier = store.digests_before(cfg.story.slug, ctx.day)
    timeline = tuple(t for t in (_timeline_entry(d, body) for d, body in earlier) if t)
    developments = tuple(
        Attributed(text=it.article.title,
                   sources=(it.article.url, *(r.url for r in it.also)),
                   outlets=tuple(dict.fromkeys((it.article.outlet, *(r.outlet for r in it.also)))))
        for it in draft.items[:DEVELOPMENTS])
    ctx.timings["summarise"] = time.perf_counter() - start
    return Digest(story=cfg.story.story, date=ctx.day, window=ctx.window,
                  generated_at=ctx.now, overview=tuple(overview), articles=tuple(stories),
                  sources=draft.sources, skipped=draft.skipped, quotes=tuple(quotes),
                  near_misses=draft.near_misses,
                  figures=tuple(figures), timeline=timeline, developments=developments,
                  previous_date=earlier[-1][0] if earlier else None, stats=dict(draft.counts))


def _timeline_entry(day: dt.date, body: dict) -> TimelineEntry | None:
    arts = body.get("articles") or []
    if not arts:
        return None
    return TimelineEntry(date=day, text=arts[0].get("title", ""), url=arts[0].get("url"))


# -- output -----------------------------------------------------------------------------------


def publish(ctx: RunContext, digest: Digest) -> dict[str, Path]:
    """Write the four files and the archive index, then record the digest in state."""
    from .archive import rebuild_index, write_digest
    from .render import digest_to_json

    tz = ctx.config.story.timezone
    start = time.perf_counter()
    paths = write_digest(digest, ctx.out_dir, tz=tz)
    rebuild_index(ctx.out_dir / digest.story.slug, digest.story)
    carried = []
    for item in digest.articles:
        carried.append((item.article.canonical_url, item.article.content_hash))
    body = digest_to_json(digest)
    if ctx.input_key:  # lets a re-run with nothing new keep this digest (replay.py)
        body["replay"] = replay.record(ctx.input_key, digest)
    ctx.store.save_digest(digest.story.slug, digest.date, digest.generated_at,
                          body, carried + _folded(ctx, digest),
                          [s.text for s in digest.overview])
    ctx.timings["render_write"] = time.perf_counter() - start
    return paths


def _folded(ctx: RunContext, digest: Digest) -> list[tuple[str, str]]:
    """Canonical URLs of the folded copies, so a copy never returns as news later."""
    urls = [r.url for item in digest.articles for r in item.also_reported_by]
    urls += [s.url for s in digest.skipped if s.reason.startswith("same article as")]
    out = []
    for url in urls:
        found = ctx.store.article_for(url)
        if found:
            out.append((found[0].canonical_url, found[0].content_hash))
    return out


def deliver(ctx: RunContext, digest: Digest, password: str | None = None):  # -> DeliveryResult
    """Email the digest when email is enabled; the ledger makes a second send a no-op."""
    from .email import send_digest

    settings = ctx.config.email
    if not settings.enabled:
        return None
    return send_digest(digest, settings, ctx.store, resend=ctx.resend, password=password,
                       tz=ctx.config.story.timezone)
