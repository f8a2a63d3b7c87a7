"""Collecting the window's articles: read feeds, pick entries, fetch and extract their pages.

State makes re-runs cheap: a feed answering 304 reuses its stored entries, and a page already
extracted is never fetched again unless its feed entry says it was updated. Extraction, the
CPU-heavy part, runs in a process pool fed as pages arrive.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .dedup import containment
from .errors import ExtractError, FetchError
from .extract import extract_article
from .feeds import parse_feed
from .models import Article, Entry, FeedResult, FeedSource, Skipped
from .textvec import shingles
from .urls import canonical_url

if TYPE_CHECKING:
    from .pipeline import RunContext

log = logging.getLogger(__name__)

POOL_MIN_PAGES = 24  # below this, extracting inline beats starting worker processes
UPDATE_CONTAINMENT = 0.9  # a re-fetched page counts as updated below this overlap


@dataclass(frozen=True)
class Candidate:
    """An entry in the window, merged across feeds by canonical URL."""

    entry: Entry
    canonical: str
    aliases: tuple[str, ...]  # every URL seen for it
    sources: tuple[str, ...]  # every feed that listed it
    dated: bool  # the feed gave a date (otherwise the page must)


@dataclass(frozen=True)
class Selection:
    candidates: tuple[Candidate, ...]
    skipped: tuple[Skipped, ...]
    items_seen: int


@dataclass(frozen=True)
class Gathered:
    """Articles of the window (with the candidate they came from) and what could not be read."""

    articles: tuple[tuple[Candidate, Article, bool], ...]  # (candidate, article, updated_since_seen)
    skipped: tuple[Skipped, ...]
    fetched: int
    reused: int
    outside: int = 0  # undated feed items whose page turned out to be from another day


# -- feeds ------------------------------------------------------------------------------------


def read_feeds(ctx: RunContext) -> list[FeedResult]:
    """Read every configured feed (conditional GET), in parallel; never raises per feed."""
    start = time.perf_counter()
    feeds = ctx.config.feeds
    with ThreadPoolExecutor(max_workers=min(16, max(1, len(feeds)))) as pool:
        results = list(pool.map(lambda f: read_feed(ctx, f), feeds))
    ctx.timings["feeds"] = ctx.timings.get("feeds", 0.0) + time.perf_counter() - start
    return results


def read_feed(ctx: RunContext, source: FeedSource) -> FeedResult:
    store, fetcher = ctx.store, ctx.fetcher
    etag, modified = store.feed_validators(source.url)
    stored = store.feed_entries(source.url)
    try:
        resp = fetcher.get(source.url, etag=etag if stored else None,
                           last_modified=modified if stored else None)
        if resp.not_modified:
            return FeedResult(source, "not_modified", stored, etag=etag, last_modified=modified)
        parsed = parse_feed(resp.body, url=resp.final_url, source=source.name,
                            headers=resp.headers)
        if parsed.is_html and parsed.alternates:
            alt = parsed.alternates[0]
            log.info("%s: page advertises feed %s", source.name, alt)
            resp = fetcher.get(alt)
            parsed = parse_feed(resp.body, url=resp.final_url, source=source.name,
                                headers=resp.headers)
    except FetchError as exc:
        log.warning("feed %s: %s", source.name, exc.problem)
        return FeedResult(source, "error", error=exc.problem)
    if parsed.is_html:
        return FeedResult(source, "error", error="not a feed (an HTML page with no feed link)")
    if not parsed.entries and parsed.warning:
        return FeedResult(source, "error", error=f"unreadable feed: {parsed.warning}")
    store.save_feed(source.url, source.name, parsed.entries, resp.etag, resp.last_modified,
                    ctx.now)
    if parsed.warning:
        log.warning("feed %s: %s", source.name, parsed.warning)
    return FeedResult(source, "ok", parsed.entries, warning=parsed.warning, etag=resp.etag,
                      last_modified=resp.last_modified)


# -- entries ----------------------------------------------------------------------------------


def select_entries(ctx: RunContext, feeds: Sequence[FeedResult]) -> Selection:
    """Entries dated in the window (or undated), one candidate per canonical URL."""
    window = ctx.window
    by_key: dict[str, Candidate] = {}
    seen = 0
    for feed in feeds:
        for e in feed.entries:
            seen += 1
            when = e.published or e.updated
            if when is not None and when not in window:
                continue
            key = canonical_url(e.url)
            old = by_key.get(key)
            if old is None:
                by_key[key] = Candidate(e, key, (e.url,), (e.source,), when is not None)
            else:
                by_key[key] = replace(old, aliases=tuple(dict.fromkeys(old.aliases + (e.url,))),
                                      sources=tuple(dict.fromkeys(old.sources + (e.source,))),
                                      dated=old.dated or when is not None)
    ordered = sorted(by_key.values(), key=lambda c: (c.entry.source, c.canonical))
    return Selection(tuple(ordered), (), seen)


# -- pages ------------------------------------------------------------------------------------


Job = tuple[bytes, str, Entry, str]  # page body, final URL, feed entry, outlet
ExtractMany = Callable[[Sequence[Job]], list["Article | str"]]


def _extract_job(body: bytes, url: str, entry: Entry, outlet: str) -> Article | str:
    """Top-level (picklable) extraction for worker processes; returns the article or a reason."""
    try:
        return extract_article(body, url=url, entry=entry, outlet=outlet, source=entry.source)
    except ExtractError as exc:
        return f"extraction failed: {exc}"
    except Exception as exc:  # a malformed page must never sink the run
        return f"extraction failed: {type(exc).__name__}: {exc}"


def extract_batch(jobs: Sequence[Job]) -> list[Article | str]:
    """Extract a batch of pages in this process (the unit of work for distributed runners)."""
    return [_extract_job(*job) for job in jobs]


def _workers(ctx: RunContext) -> int:
    return ctx.config.fetch.workers or os.cpu_count() or 1


def gather_articles(ctx: RunContext, selection: Selection,
                    extract_many: ExtractMany | None = None) -> Gathered:
    """Fetch and extract each candidate's page (or reuse it from state).

    Extraction runs in a local process pool as pages arrive, or, when ``extract_many`` is given
    (a distributed runner), over all fetched pages at once through it.
    """
    store = ctx.store
    to_fetch: list[Candidate] = []
    previous: dict[str, Article] = {}
    done: list[tuple[Candidate, Article, bool]] = []
    for c in selection.candidates:
        known = None
        for url in (c.canonical, *c.aliases):
            known = store.article_for(url)
            if known:
                break
        if known:
            article, entry_updated = known
            newer = c.entry.updated and (entry_updated is None or c.entry.updated > entry_updated)
            if not newer:
                done.append((c, article, False))
                continue
            previous[c.canonical] = article
        to_fetch.append(c)
    reused = len(done)

    skipped: list[Skipped] = []
    t_fetch = time.perf_counter()
    extracted = _fetch_and_extract(ctx, to_fetch, skipped, extract_many)
    ctx.timings["fetch_extract"] = time.perf_counter() - t_fetch
    for c, art in extracted:
        old = previous.get(c.canonical)
        updated = False
        if old is not None:
            if containment(shingles(old.text), shingles(art.text)) >= UPDATE_CONTAINMENT:
                art = old  # cosmetic change: keep the version already seen
            else:
                updated = True
        if art is not old:
            store.save_article(art, aliases=(c.canonical, *c.aliases),
                               entry_updated=c.entry.updated)
        done.append((c, art, updated))

    kept: list[tuple[Candidate, Article, bool]] = []
    outside = 0
    for c, art, updated in done:
        when = c.entry.published or c.entry.updated or art.published
        if when is None:
            skipped.append(Skipped(c.entry.url, "no publication date in feed or page",
                                   c.entry.title))
        elif when not in ctx.window:
            outside += 1  # an undated feed item whose page is from another day
        else:
            kept.append((c, art, updated))
    kept.sort(key=lambda x: x[0].canonical)
    return Gathered(tuple(kept), tuple(skipped), fetched=len(to_fetch), reused=reused,
                    outside=outside)


def _fetch_and_extract(ctx: RunContext, cands: Sequence[Candidate], skipped: list[Skipped],
                       extract_many: ExtractMany | None) -> list[tuple[Candidate, Article]]:
    if not cands:
        return []
    by_url = {c.entry.url: c for c in cands}
    deadline = time.monotonic() + ctx.config.fetch.source_budget
    jobs: list[tuple[Candidate, Job]] = []
    results: list[tuple[Candidate, Article]] = []

    def finish(c: Candidate, out: Article | str) -> None:
        if isinstance(out, str):
            skipped.append(Skipped(c.entry.url, out, c.entry.title))
        else:
            results.append((c, out))

    def fetched() -> Iterator[tuple[Candidate, Job]]:
        for url, resp in ctx.fetcher.get_many(list(by_url), deadline=deadline):
            c = by_url[url]
            if isinstance(resp, FetchError):
                skipped.append(Skipped(url, f"fetch failed: {resp.problem}", c.entry.title))
            else:
                yield c, (resp.body, resp.final_url, c.entry, c.entry.source)

    workers = _workers(ctx)
    if extract_many is not None:
        jobs = list(fetched())
        for (c, _), out in zip(jobs, extract_many([j for _, j in jobs]), strict=True):
            finish(c, out)
    elif len(cands) < POOL_MIN_PAGES or workers < 2:
        for c, job in fetched():
            finish(c, _extract_job(*job))
    else:
        pending: list[tuple[Candidate, Future[Article | str]]] = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for c, job in fetched():
                pending.append((c, pool.submit(_extract_job, *job)))
            for c, fut in pending:
                try:
                    finish(c, fut.result())
                except Exception as exc:  # a crashed worker loses one page, not the run
                    finish(c, f"extraction failed: {type(exc).__name__}")
    return results
