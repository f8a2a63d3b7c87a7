"""From the window's articles to the day's digest: membership, folding, novelty, summaries.

Everything here is deterministic given the window's articles and the digests of earlier dates, so
re-running a date (or a whole backfill) gives the same digest.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import editing, parallel
from digest.dedup import group_duplicates
from digest.figures import extract_figures
from digest.history import History
from digest.models import (
    Article,
    Attributed,
    Digest,
    FeedResult,
    Judgement,
    Reporter,
    Screened,
    Skipped,
    SourceReport,
    StoryArticle,
    TimelineEntry,
)
from digest.pipeline import replay, rerun
from digest.pipeline.collect import Gathered, Selection
from digest.quotes import extract_quotes
from digest.relevance import ProfileDoc, RelevanceModel
from digest.summarize import summarize_article, summarize_story

if TYPE_CHECKING:
    from digest.pipeline.context import RunContext

log = logging.getLogger(__name__)

SPARE_SENTENCES = 5  # article summary candidates beyond the size, for what others told already
NEAR_MISSES, NEAR_SHARE = 3, 0.6  # "Possibly related": at most 3, scoring 60% of the threshold
PARALLEL_ITEMS = 8  # from this many story articles, the overview, quotes and figures run in parallel
SPARE_QUOTES = 3  # quotes found beyond ``digest.quotes``, for those the overview tells already
STAGE_TIMEOUT = 300.0  # seconds for the overview, quotes and figures; past it each is left out


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
    rebuilt: str | None = None  # why a published day was made again with earlier items (rerun.py)
    near_misses: tuple[Skipped, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds: relevance, dedup


# -- membership and folding -------------------------------------------------------------------


def story_profile(ctx: RunContext, history: History) -> RelevanceModel:
    """The relevance model of the day: the story's definition (seeds, description), the
    articles recent digests accepted, and recent articles in general to weigh words."""
    cfg = ctx.config
    definition = [ProfileDoc(p.name, p.read_text(encoding="utf-8", errors="replace"))
                  for p in cfg.story.seeds]
    if cfg.story.description:
        definition.append(ProfileDoc("story description", cfg.story.description))
    accepted = [ProfileDoc(a.url, f"{a.title}\n{a.text}") for a in history.recent]
    background = [f"{a.title}\n{a.text}" for a in history.background]
    taught = history.verdicts  # a reader's corrections (feedback.py)
    marked = ctx.store.articles(v.url for v in taught)
    accepted += [ProfileDoc(v.url, f"{marked[v.url].title}\n{marked[v.url].text}")
                 for v in taught if v.is_story and v.url in marked]
    rejected = [ProfileDoc(v.url, f"{marked[v.url].title}\n{marked[v.url].text}")
                for v in taught if not v.is_story and v.url in marked]
    return RelevanceModel(cfg.relevance, definition, accepted, background, rejected=rejected,
                          verdicts={v.url: v.is_story for v in taught}, title=cfg.story.title,
                          derived=ctx.crawl.derived if ctx.crawl is not None else None)


def assemble(ctx: RunContext, feeds: Sequence[FeedResult], selection: Selection,
             gathered: Gathered, history: History) -> Draft:
    cfg = ctx.config
    skipped = list(selection.skipped) + list(gathered.skipped)
    # pages screened out before extraction (screen.py) have no text to judge: they never
    # mention one of the story's required concepts
    rows, screened = [], 0
    names = editing.outlet_names(f.name for f in cfg.feeds)  # one spelling per outlet
    for cand, art, updated in gathered.articles:
        art = editing.named(art, names)
        if isinstance(art, Screened):
            screened += 1
            skipped.append(Skipped(cand.entry.url, editing.off_story(
                f"never mentions {art.missing} (page not extracted)"), art.title,
                kind="screened"))
        else:
            rows.append((cand, art, updated))
    start = time.perf_counter()
    model = story_profile(ctx, history)
    judgements = model.judge([a for _, a, _ in rows])
    timings = {"relevance": time.perf_counter() - start}

    def name_of(url: str) -> str | None:
        found = ctx.store.article_for(url)
        return editing.reported(editing.named(found[0], names)) if found else None

    relevant: list[tuple[Article, Judgement, bool]] = []
    rejected: list[tuple[float, Skipped]] = []
    for (cand, art, updated), j in zip(rows, judgements, strict=True):
        if j.relevant:
            relevant.append((art, j, updated))
        else:
            reason = editing.readable(j.why, name_of)  # one state lookup per page named in it
            skipped.append(Skipped(cand.entry.url, editing.off_story(reason), art.title,
                                   kind="off_story"))
            rejected.append((j.score, Skipped(cand.entry.url, reason, art.title,
                                              kind="off_story")))
    near = near_misses(rejected, cfg.relevance.threshold)

    carried = history.carried
    today_keys = {a.canonical_url for a, _, _ in relevant}
    earlier = sorted((a for a in history.recent if a.canonical_url not in today_keys),
                     key=lambda a: a.canonical_url)
    texts = [a.text for a, _, _ in relevant] + [a.text for a in earlier]
    keys = [a.canonical_url for a, _, _ in relevant] + [a.canonical_url for a in earlier]
    start = time.perf_counter()
    groups = group_duplicates(texts, keys)
    timings["dedup"] = time.perf_counter() - start

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
                skipped.append(Skipped(a.url, editing.told_before(editing.named(ref, names)),
                                       a.title, kind="earlier", ref=ref.url))
            continue
        primary = max(today, key=lambda i: (len(relevant[i][0].text), -i))
        art, judgement, _ = relevant[primary]
        members = tuple(relevant[i][0] for i in today)
        also = tuple(dict.fromkeys(Reporter(m.outlet, m.url) for m in members
                                   if m.outlet != art.outlet))
        for m in members:
            if m is not art:
                folded += 1
                skipped.append(Skipped(m.url, editing.same_report(art, m),
                                       editing.copy_title(m, art), kind="folded", ref=art.url))
        updated = any(relevant[i][2] for i in today)
        items.append(Item(art, judgement, also, members, updated))

    items.sort(key=lambda it: (-len({m.outlet for m in it.members}), -it.judgement.score,
                               _ts(it.article.published), it.article.canonical_url))
    if len(items) > cfg.digest.max_articles:
        for it in items[cfg.digest.max_articles:]:
            skipped.append(Skipped(it.article.url, "over the digest's max_articles limit",
                                   it.article.title, kind="over_limit"))
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
    if selection.kept:
        counts["items_kept_from_earlier_reads"] = sum(n for _, n in selection.kept)
    return Draft(tuple(items), _dedupe_skipped(skipped, items), sources, counts,
                 rerun.note(ctx, feeds, dict(selection.kept)), near_misses=near, timings=timings)


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


def summarise(ctx: RunContext, draft: Draft, history: History) -> Digest:
    cfg, store = ctx.config, ctx.store
    draft = _named(draft, editing.outlet_names(f.name for f in cfg.feeds))
    primaries = [it.article for it in draft.items]
    confidence = {m.url: it.judgement.score for it in draft.items for m in it.members}
    # Syndicated copies go in too: how many outlets carry a fact is evidence of its weight, and
    # each overview sentence is then attributed to every outlet that carried it.
    everyone = [m for it in draft.items for m in it.members]
    sent = history.sentences
    # The overview, quotes and figures are independent: worker processes make them while this
    # one summarises the articles (which reads and writes the summary cache in state).
    calls: list[parallel.Call] = [
        (summarize_story, (everyone,), {"words": cfg.digest.overview_words,
                                        "method": cfg.digest.overview_method,
                                        "already_sent": sent, "confidence": confidence}),
        (extract_figures, (primaries,), {})]
    if cfg.digest.quotes:
        # a few more than shown: a quote the overview already tells is not shown again
        calls.append((extract_quotes, (primaries,), {"limit": cfg.digest.quotes + SPARE_QUOTES}))
    workers = parallel.cores(cfg.fetch.workers) if len(draft.items) >= PARALLEL_ITEMS else 1
    batch = parallel.Batch(calls, workers, timeout=STAGE_TIMEOUT, default=())
    method, size = cfg.digest.article_method, cfg.digest.article_sentences
    candidates: list[tuple[str, ...]] = []
    for it in draft.items:  # more than needed: the overview and quotes may tell some of them
        a = it.article
        summary = store.summary(a.content_hash, method, size + SPARE_SENTENCES)
        if summary is None:
            summary = summarize_article(a, sentences=size + SPARE_SENTENCES, method=method)
            store.save_summary(a.content_hash, method, size + SPARE_SENTENCES, summary)
        candidates.append(tuple(summary))

    overview, figures, *found = batch.results()
    told = editing.Printed([s.text for s in overview])
    every_quote = found[0] if found else ()
    in_overview = {q for q in every_quote if told.carries_quote(q.text)}
    quotes = tuple(q for q in every_quote if q not in in_overview)[:cfg.digest.quotes]
    # each fact once: an article's summary says what the overview and the quotes do not (nor
    # a quote the overview tells)
    printed = editing.Printed([s.text for s in overview],
                              [q.text for q in every_quote if q in quotes or q in in_overview])
    stories = [StoryArticle(it.article, it.judgement,
                            editing.what_it_adds(c, printed, size, it.article.description or ""),
                            it.also, it.updated)
               for it, c in zip(draft.items, candidates, strict=True)]
    today = {a.article.title for a in stories}
    timeline = tuple(t for t in (_timeline_entry(d, body) for d, body in history.digests)
                     if t and t.text not in today)
    developments: tuple[Attributed, ...] = ()  # the overview tells only what is new: no copy

    return Digest(story=cfg.story.story, date=ctx.day, window=ctx.window,
                  generated_at=ctx.now, overview=tuple(overview), articles=tuple(stories),
                  sources=draft.sources, skipped=draft.skipped, quotes=tuple(quotes),
                  near_misses=draft.near_misses,
                  figures=tuple(figures), timeline=timeline, developments=developments,
                  previous_date=history.previous_date, stats=dict(draft.counts),
                  rebuilt=draft.rebuilt)


def _named(draft: Draft, names: dict[str, str]) -> Draft:
    """The draft with every outlet spelled as the config's feed of that name spells it."""
    items = tuple(Item(editing.named(it.article, names), it.judgement,
                       tuple(editing.named_reporter(r, names) for r in it.also),
                       tuple(editing.named(m, names) for m in it.members), it.updated)
                  for it in draft.items)
    return replace(draft, items=items)


def _timeline_entry(day: dt.date, body: Mapping[str, Any]) -> TimelineEntry | None:
    arts = body.get("articles") or []
    if not arts:
        return None
    return TimelineEntry(date=day, text=arts[0].get("title", ""), url=arts[0].get("url"))


# -- output -----------------------------------------------------------------------------------


def publish(ctx: RunContext, digest: Digest, inputs: replay.Inputs | None = None
            ) -> dict[str, Path]:
    """Write the four files and the archive index, then record the digest in state (with the
    replay key of its inputs, so a re-run with nothing new keeps it: replay.py)."""
    from digest.output.archive import rebuild_index, write_digest
    from digest.output.render import digest_to_json

    tz = ctx.config.story.timezone
    paths = write_digest(digest, ctx.out_dir, tz=tz)
    rebuild_index(ctx.out_dir / digest.story.slug, digest.story, base_url=ctx.config.base_url)
    carried = []
    for item in digest.articles:
        carried.append((item.article.canonical_url, item.article.content_hash))
    body = digest_to_json(digest)
    if inputs:
        body["replay"] = replay.record(inputs.key, digest, paths)
    ctx.store.save_digest(digest.story.slug, digest.date, digest.generated_at,
                          body, carried + _folded(ctx, digest),
                          [s.text for s in digest.overview],
                          unchanged=replay.mark(ctx, inputs) if inputs else None)
    return paths


def _folded(ctx: RunContext, digest: Digest) -> list[tuple[str, str]]:
    """Canonical URLs of the folded copies, so a copy never returns as news later."""
    urls = [r.url for item in digest.articles for r in item.also_reported_by]
    urls += [s.url for s in digest.skipped if s.kind == "folded"]
    out = []
    for url in urls:
        found = ctx.store.article_for(url)
        if found and isinstance(found[0], Article):
            out.append((found[0].canonical_url, found[0].content_hash))
    return out


def deliver(ctx: RunContext, digest: Digest, password: str | None = None):  # -> delivery.Round
    """Email what earlier runs owe, then the digest, when email is enabled; the ledger makes a
    second send a no-op and keeps what could not be sent (digest/delivery.py)."""
    from digest.delivery import deliver_round

    settings = ctx.config.email
    if not settings.enabled:
        return None
    return deliver_round(digest, settings, ctx.store, resend=ctx.resend, password=password,
                         tz=ctx.config.story.timezone)
