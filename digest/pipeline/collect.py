"""Collecting the window's articles: read feeds, pick entries, fetch and extract their pages.

State makes re-runs cheap: a feed answering 304 reuses its stored entries, and a page already
extracted is never fetched again unless its feed entry says it was updated. Extraction, the
CPU-heavy part, runs in a process pool fed as pages arrive.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from digest import feedback, parallel
from digest.crawl import CrawlFetcher, Page
from digest.dedup import containment
from digest.errors import ExtractError, FetchError
from digest.extract import (
    ExtractFailure,
    extract_article,
    inline_article,
    screened_article,
    screened_many,
)
from digest.feeds import parse_feed
from digest.fetch.pool import BUDGET_EXHAUSTED
from digest.models import (
    Article,
    Entry,
    FeedResult,
    FeedSource,
    ParsedFeed,
    Screened,
    Skipped,
    Window,
)
from digest.pipeline import rerun
from digest.screen import Screen, story_screen
from digest.text.lines import one_line
from digest.text.vec import shingles
from digest.urls import canonical_url

if TYPE_CHECKING:
    from digest.pipeline.context import RunContext

log = logging.getLogger(__name__)

POOL_MIN_PAGES = 24  # below this, extracting inline beats starting worker processes
UPDATE_CONTAINMENT = 0.9  # a re-fetched page counts as updated below this overlap
PARSE_POOL_FEEDS = 8  # from this many feeds, worker processes parse them
BACKLOG_PER_WORKER = 16  # fetched pages queued per extraction worker: bounds memory at any scale
FETCHED_AHEAD = 32  # fetched pages waiting to be handed over before fetching pauses


@dataclass(frozen=True)
class Candidate:
    """An entry in the window, merged across feeds by canonical URL."""

    entry: Entry
    canonical: str
    aliases: tuple[str, ...]  # every URL seen for it
    sources: tuple[str, ...]  # every feed that listed it
    dated: bool  # the feed gave a date (otherwise the page must)


Extracted = Article | Screened | ExtractFailure


class Found(NamedTuple):
    """An article of the window, the candidate it came from, and whether it changed
    substantially since an earlier digest carried it."""

    candidate: Candidate
    article: Article | Screened
    updated: bool


@dataclass(frozen=True)
class Selection:
    candidates: tuple[Candidate, ...]
    skipped: tuple[Skipped, ...]
    items_seen: int
    kept: tuple[tuple[str, int], ...] = ()  # (feed, items only earlier reads of it listed)


@dataclass(frozen=True)
class Gathered:
    """Articles of the window (with the candidate they came from) and what could not be read."""

    articles: tuple[Found, ...]
    skipped: tuple[Skipped, ...]
    fetched: int
    reused: int
    # canonical URLs of undated feed items whose page turned out to be from another day
    outside_urls: frozenset[str] = frozenset()
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds, by part of the stage

    @property
    def outside(self) -> int:
        return len(self.outside_urls)


# -- feeds ------------------------------------------------------------------------------------


def read_feeds(ctx: RunContext, save: bool = True) -> list[FeedResult]:
    """Read every configured feed (conditional GET), in parallel; never raises per feed.
    ``save=False`` leaves state as it was (a shared crawl looking ahead at a story's pages).

    Threads fetch; with many feeds, worker processes parse (feedparser is CPU-bound, so threads
    alone would parse one feed at a time). When a shared crawl holds the answer to every request
    already (another story of the run read the feeds), they are read here one after the other:
    no request waits, and threads would only pass the GIL around (a warm story's ten feeds: ~5 ms
    in threads, ~1.5 ms here)."""
    feeds = ctx.config.feeds
    asks = [_ask(ctx, f) for f in feeds]  # what state holds of each feed
    via = ctx.fetcher
    if isinstance(via, CrawlFetcher) and all(via.remembers(f.url, *a.sent)
                                             for f, a in zip(feeds, asks, strict=True)):
        return [read_feed(ctx, f, save=save, ask=a) for f, a in zip(feeds, asks, strict=True)]
    workers = _workers(ctx)
    known = ctx.crawl is not None and ctx.crawl.read_all(f.url for f in feeds)
    procs = (parallel.worker_pool(workers)
             if workers >= 2 and len(feeds) >= PARSE_POOL_FEEDS and not known else None)
    try:
        if procs is not None:
            parallel.start_workers(procs)  # before the threads start: a clean fork
        parse = parse_feed if procs is None else _parse_in(procs)
        with ThreadPoolExecutor(max_workers=min(16, max(1, len(feeds)))) as pool:
            results = list(pool.map(lambda fa: read_feed(ctx, fa[0], parse, save, fa[1]),
                                    zip(feeds, asks, strict=True)))
    finally:
        if procs is not None:
            procs.shutdown()
    return results


class _Ask(NamedTuple):
    """What state holds of a feed for the next read of it."""

    stored: tuple[Entry, ...]  # its entries, for a 304
    etag: str | None
    last_modified: str | None

    @property
    def sent(self) -> tuple[str | None, str | None]:
        """The validators the read sends: none without stored entries to fall back on."""
        return (self.etag, self.last_modified) if self.stored else (None, None)


def _ask(ctx: RunContext, source: FeedSource) -> _Ask:
    etag, modified = ctx.store.feed_validators(source.url)
    return _Ask(ctx.store.feed_entries(source.url), etag, modified)


def _parse_in(pool: ProcessPoolExecutor) -> Callable[..., ParsedFeed]:
    def parse(body: bytes, **kwargs: Any) -> ParsedFeed:
        try:
            return pool.submit(parse_feed, body, **kwargs).result()
        except BrokenProcessPool:  # a worker died: parse here
            return parse_feed(body, **kwargs)
    return parse


def read_feed(ctx: RunContext, source: FeedSource,
              parse: Callable[..., ParsedFeed] = parse_feed, save: bool = True,
              ask: _Ask | None = None) -> FeedResult:
    """One feed (``ask``: what state holds of it, read already)."""
    fetcher = ctx.fetcher
    if ctx.crawl is not None:
        parse = ctx.crawl.parser(parse)
    ask = ask or _ask(ctx, source)
    stored, etag, modified = ask
    try:
        sent_etag, sent_modified = ask.sent
        resp = fetcher.get(source.url, etag=sent_etag, last_modified=sent_modified)
        if resp.not_modified:
            return FeedResult(source, "not_modified", stored, etag=etag, last_modified=modified)
        parsed = parse(resp.body, url=resp.final_url, source=source.name,
                       headers=resp.headers)
        if parsed.is_html and parsed.alternates:
            alt = parsed.alternates[0]
            log.info("%s: page advertises feed %s", source.name, alt)
            try:
                resp = fetcher.get(alt)
            except FetchError as exc:
                raise FetchError(alt, f"the page advertises the feed {alt}, which failed: "
                                      f"{exc.problem}") from None
            parsed = parse(resp.body, url=resp.final_url, source=source.name,
                           headers=resp.headers)
    except FetchError as exc:
        log.warning("feed %s: %s", source.name, exc.problem)
        return FeedResult(source, "error", error=exc.problem)
    if parsed.is_html:
        return FeedResult(source, "error", error="not a feed (an HTML page with no feed link)")
    if not parsed.entries and parsed.warning and not parsed.linkless:
        return FeedResult(source, "error", error=f"unreadable feed: {parsed.warning}")
    result = FeedResult(source, "ok", parsed.entries, warning=parsed.warning, etag=resp.etag,
                        last_modified=resp.last_modified)
    if save:
        save_feed(ctx, result)
    if parsed.warning:
        log.warning("feed %s: %s", source.name, parsed.warning)
    return result


def save_feed(ctx: RunContext, result: FeedResult) -> None:
    """What state keeps of a feed that answered with a body: its items and validators."""
    ctx.store.save_feed(result.source.url, result.source.name, result.entries, result.etag,
                        result.last_modified, ctx.now)


# -- entries ----------------------------------------------------------------------------------


def select_entries(ctx: RunContext, feeds: Sequence[FeedResult]) -> Selection:
    """Entries dated in the window (or undated), one candidate per canonical URL."""
    window = ctx.window
    by_key: dict[str, Candidate] = {}
    seen = 0
    kept: dict[str, int] = {}
    # what the feeds list now, then the window's items earlier reads stored that they no longer
    # list (rotated out, or the feed failed this time): a re-run never loses an item
    now = ((None, e) for feed in feeds for e in feed.entries)
    for earlier, e in (*now, *rerun.earlier_entries(ctx, feeds)):
        seen += 1
        when = e.published or e.updated
        if when is not None and not _in_window(e, None, window):
            continue
        key = canonical_url(e.url)
        old = by_key.get(key)
        if old is None:
            by_key[key] = Candidate(e, key, (e.url,), (e.source,), when is not None)
            if earlier is not None:
                kept[earlier] = kept.get(earlier, 0) + 1
        else:
            by_key[key] = replace(old, aliases=tuple(dict.fromkeys(old.aliases + (e.url,))),
                                  sources=tuple(dict.fromkeys(old.sources + (e.source,))),
                                  dated=old.dated or when is not None)
    ordered = sorted(by_key.values(), key=lambda c: (c.entry.source, c.canonical))
    return Selection(tuple(ordered), (), seen, tuple(sorted(kept.items())))


def _in_window(entry: Entry, page_published: dt.datetime | None, window: Window) -> bool:
    """Published in the window, or (an update the feed announces) updated in it."""
    published = entry.published or page_published
    if published in window:
        return True
    updated = entry.updated
    if updated is None or updated not in window:
        return False
    return published is None or updated > published


# -- pages ------------------------------------------------------------------------------------


Job = tuple[bytes, str, Entry, str]  # page body, final URL, feed entry, outlet


def screen_for(ctx: RunContext) -> Screen | None:
    """The pre-extraction screen of the story's required concepts, unless switched off."""
    return story_screen(ctx.config)


def _extract_job(body: bytes, url: str, entry: Entry, outlet: str,
                 screen: Screen | None = None) -> Extracted:
    """Top-level (picklable) extraction for worker processes; returns the article or a reason.
    With a ``screen``, a page that cannot be about the story comes back screened, unextracted."""
    try:
        if screen is not None:
            light = screened_article(body, url=url, entry=entry, outlet=outlet, screen=screen,
                                     source=entry.source)
            if light is not None:
                return light
        return extract_article(body, url=url, entry=entry, outlet=outlet, source=entry.source)
    except ExtractError as exc:
        return ExtractFailure(f"extraction failed: {exc}")
    except Exception as exc:  # a malformed page must never sink the run
        return ExtractFailure(f"extraction failed: {type(exc).__name__}: {one_line(exc)}")


def _extract_timed(body: bytes, url: str, entry: Entry, outlet: str,
                   screen: Screen | None = None) -> tuple[Extracted, float]:
    """:func:`_extract_job` and the CPU seconds it took (for the run's timings)."""
    start = time.process_time()
    out = _extract_job(body, url, entry, outlet, screen)
    return out, time.process_time() - start


def extract_batch(jobs: Sequence[Job], screen: Screen | None = None) -> list[Extracted]:
    """Extract a batch of pages in this process (the unit of work for distributed runners)."""
    return [_extract_job(*job, screen) for job in jobs]


def _workers(ctx: RunContext) -> int:
    return parallel.cores(ctx.config.fetch.workers)


@dataclass(frozen=True)
class Plan:
    """Which candidates state already holds, and which pages must be fetched."""

    known: tuple[tuple[Candidate, Article | Screened], ...]
    to_fetch: tuple[Candidate, ...]
    previous: Mapping[str, Article]  # stored versions of pages re-fetched because updated
    failed: tuple[Skipped, ...] = ()  # pages that failed for good in an earlier run
    inline: tuple[tuple[Candidate, Article], ...] = ()  # items that are their own article
    # pages a reader marked "the story" (digest feedback --story): never screened out
    taught: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Fetched:
    """Fetched pages waiting for extraction (for runners that extract elsewhere)."""

    jobs: tuple[tuple[Candidate, Job], ...]
    skipped: tuple[Skipped, ...]
    timings: Mapping[str, float] = field(default_factory=dict)


def plan_pages(ctx: RunContext, selection: Selection) -> Plan:
    """Reuse what state holds; fetch the rest, and known pages whose entry says "updated"."""
    known: list[tuple[Candidate, Article | Screened]] = []
    to_fetch: list[Candidate] = []
    previous: dict[str, Article] = {}
    failed: list[Skipped] = []
    inline: list[tuple[Candidate, Article]] = []
    screen = screen_for(ctx)
    mark = screen.fingerprint if screen is not None else None
    taught = frozenset(v.url for v in feedback.verdicts(ctx.store, ctx.config.story.slug)
                       if v.is_story)
    # what state holds of the day's items, in a few queries rather than two per item
    failures = ctx.store.failures(c.entry.url for c in selection.candidates)
    stored = ctx.store.articles_for(u for c in selection.candidates
                                    for u in (c.canonical, *c.aliases))
    for c in selection.candidates:
        reason = failures.get(c.entry.url)
        if reason is not None:
            failed.append(Skipped(c.entry.url, reason, c.entry.title, kind="failed"))
            continue
        found = next((stored[u] for u in (c.canonical, *c.aliases) if u in stored), None)
        if found and isinstance(found[0], Screened) and (
                found[0].screen != mark or found[0].canonical_url in taught):
            found = None  # screened out under other story terms (or none now), or a reader
            #               says it is the story: look again
        if found:
            article, entry_updated = found
            newer = c.entry.updated and (entry_updated is None or c.entry.updated > entry_updated)
            if not newer:
                known.append((c, article))
                continue
            if isinstance(article, Article):
                previous[c.canonical] = article
        if c.entry.inline:  # no page to fetch: the feed item carries the article's text
            inline.append((c, inline_article(c.entry, outlet=c.entry.source)))
            continue
        to_fetch.append(c)
    return Plan(tuple(known), tuple(to_fetch), previous, tuple(failed), tuple(inline),
                taught)


def gather_articles(ctx: RunContext, selection: Selection) -> Gathered:
    """Fetch and extract each candidate's page (or reuse it from state); extraction runs in a
    local process pool as pages arrive."""
    start = time.perf_counter()
    plan = plan_pages(ctx, selection)
    skipped: list[Skipped] = []
    middle = time.perf_counter()
    extracted, timings = _fetch_and_extract(ctx, plan.to_fetch, skipped, plan.taught)
    end = time.perf_counter()
    gathered = finish(ctx, plan, extracted, skipped)
    return replace(gathered, timings={**timings, "fetch_extract": end - middle,
                                      "pages_state": middle - start + time.perf_counter() - end})


def fetch_pages(ctx: RunContext, plan: Plan) -> Fetched:
    """Only fetch the planned pages (extraction happens elsewhere, then :func:`finish`)."""
    skipped: list[Skipped] = []
    start = time.perf_counter()
    jobs = tuple(_fetched(ctx, plan.to_fetch, skipped))
    return Fetched(jobs, tuple(skipped), {"fetch": time.perf_counter() - start})


def finish(ctx: RunContext, plan: Plan, extracted: Sequence[tuple[Candidate, Extracted]],
           skipped: list[Skipped]) -> Gathered:
    """Store new articles, mark substantial updates, keep what falls in the window."""
    done = [(c, a, False) for c, a in plan.known]
    skipped.extend(plan.failed)
    for c, art in (*plan.inline, *extracted):
        if isinstance(art, ExtractFailure):
            skipped.append(Skipped(c.entry.url, art.reason, c.entry.title, kind="failed"))
            if not art.crashed:  # a page with no article stays without one
                ctx.store.record_failure(c.entry.url, art.reason)
            continue
        old = plan.previous.get(c.canonical)
        updated = False
        if old is not None and isinstance(art, Article):
            if containment(shingles(old.text), shingles(art.text)) >= UPDATE_CONTAINMENT:
                art = old  # cosmetic change: keep the version already seen
            else:
                updated = True
        if art is not old:
            ctx.store.save_article(art, aliases=(c.canonical, *c.aliases),
                                   entry_updated=c.entry.updated)
        done.append((c, art, updated))

    kept: list[Found] = []
    outside: set[str] = set()
    for c, art, updated in done:
        when = c.entry.published or c.entry.updated or art.published
        if when is None:
            skipped.append(Skipped(c.entry.url, "no publication date in feed or page",
                                   c.entry.title, kind="no_date"))
        elif not _in_window(c.entry, art.published, ctx.window):
            outside.add(c.canonical)  # an undated feed item whose page is from another day
        else:
            kept.append(Found(c, art, updated))
    kept.sort(key=lambda x: x[0].canonical)
    return Gathered(tuple(kept), tuple(skipped), fetched=len(plan.to_fetch),
                    reused=len(plan.known), outside_urls=frozenset(outside))


def _fetched(ctx: RunContext, cands: Sequence[Candidate], skipped: list[Skipped],
             ahead: int | None = None,
             failed: Callable[[Candidate, FetchError], None] | None = None,
             ) -> Iterator[tuple[Candidate, Job]]:
    """Fetch pages concurrently; yield (candidate, extraction job) as each arrives. With
    ``ahead``, fetching pauses while that many fetched pages wait to be taken. A failed fetch
    goes to ``failed`` when given, else it is recorded for the story."""
    if not cands:
        return
    by_url = {c.entry.url: c for c in cands}
    deadline = time.monotonic() + ctx.config.fetch.source_budget
    for url, resp in ctx.fetcher.get_many(list(by_url), deadline=deadline, max_pending=ahead):
        c = by_url[url]
        if isinstance(resp, FetchError):
            if failed is not None:
                failed(c, resp)
            else:
                _fetch_failed(ctx, c, resp, skipped)
        else:
            yield c, (resp.body, resp.final_url, c.entry, c.entry.source)


def _fetch_failed(ctx: RunContext, c: Candidate, error: FetchError,
                  skipped: list[Skipped]) -> None:
    reason = f"fetch failed: {error.problem}"
    skipped.append(Skipped(c.entry.url, reason, c.entry.title, kind="failed"))
    if not error.retryable:  # 404, 410, not a web page, too big: not fetched again
        ctx.store.record_failure(c.entry.url, reason)


def _fetch_and_extract(ctx: RunContext, cands: Sequence[Candidate], skipped: list[Skipped],
                       taught: frozenset[str] = frozenset(),
                       ) -> tuple[list[tuple[Candidate, Extracted]], dict[str, float]]:
    """The pages fetched and extracted (extraction in a process pool as pages arrive), with the
    seconds spent fetching and the CPU seconds extraction took. Under a shared crawl, pages
    another story of the run fetched are taken from it. Pages in ``taught`` (a reader said they
    are the story) are extracted whatever the screen says."""
    if taught and any(c.canonical in taught for c in cands):
        plain = replace(ctx, crawl=None, fetcher=getattr(ctx.fetcher, "inner", ctx.fetcher))
        marked = [c for c in cands if c.canonical in taught]
        rest = [c for c in cands if c.canonical not in taught]
        out, timings = _run_jobs(plain, marked, skipped, _extract_timed, None,
                                 lambda reason: ExtractFailure(reason, crashed=True))
        more, _ = _fetch_and_extract(ctx, rest, skipped)
        return out + more, timings
    if ctx.crawl is not None:
        return _through_crawl(ctx, cands, skipped)
    screen = screen_for(ctx)
    results, timings = _run_jobs(ctx, cands, skipped, _extract_timed, screen,
                                 lambda reason: ExtractFailure(reason, crashed=True))
    return results, timings


def _run_jobs(ctx: RunContext, cands: Sequence[Candidate], skipped: list[Skipped],
              job: Callable[..., tuple[Any, float]], arg: Any, crashed: Callable[[str], Any],
              failed: Callable[[Candidate, FetchError], None] | None = None,
              ) -> tuple[list[tuple[Candidate, Any]], dict[str, float]]:
    """``job(*fetched, arg)`` on every page as it arrives: inline for a few pages, else in a
    process pool; a worker that crashes gives ``crashed(reason)`` for its page."""
    workers = _workers(ctx)
    start = time.perf_counter()
    cpu = 0.0
    results: list[tuple[Candidate, Any]] = []
    if len(cands) < POOL_MIN_PAGES or workers < 2:
        for c, fetched in _fetched(ctx, cands, skipped, failed=failed):
            out, used = job(*fetched, arg)
            results.append((c, out))
            cpu += used
        return results, {"extract_cpu": cpu}
    pending: dict[Future[tuple[Any, float]], Candidate] = {}

    def take() -> None:
        """Wait for at least one extraction, and collect every one that is done."""
        nonlocal cpu
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            c = pending.pop(fut)
            try:
                out, used = fut.result()
                cpu += used
            except Exception as exc:  # a crashed worker loses one page, not the run
                out = crashed(f"extraction crashed: {type(exc).__name__}")
            results.append((c, out))

    with parallel.worker_pool(workers) as pool:
        parallel.start_workers(pool)
        # Bounded on both sides: at most BACKLOG_PER_WORKER pages per worker queued for
        # extraction, and fetching pauses while FETCHED_AHEAD fetched pages wait to be queued,
        # so memory does not grow with the number of pages.
        for c, fetched in _fetched(ctx, cands, skipped, ahead=FETCHED_AHEAD, failed=failed):
            while len(pending) >= BACKLOG_PER_WORKER * workers:
                take()
            pending[pool.submit(job, *fetched, arg)] = c
        fetched_s = time.perf_counter() - start
        while pending:
            take()
    return results, {"fetch": fetched_s, "extract_cpu": cpu}


# -- one crawl, many stories ------------------------------------------------------------------


def crawl_page(body: bytes, url: str, entry: Entry, outlet: str,
               screens: tuple[Screen | None, ...]) -> Page:
    """A fetched page as a shared crawl keeps it: reduced once for every story's screen, and
    extracted when any story may want it (top level: runs in worker processes)."""
    try:
        lights = screened_many(body, url=url, entry=entry, outlet=outlet, screens=screens,
                               source=entry.source)
    except Exception:  # noqa: BLE001 - a page the screen cannot read is left to extraction
        lights = (None,) * len(screens)
    missing = {s.fingerprint: light.missing for s, light in zip(screens, lights, strict=True)
               if s is not None and light is not None}
    template = next((light for light in lights if light is not None), None)
    covered = frozenset(s.fingerprint if s is not None else None for s in screens)
    if all(light is not None for light in lights):  # every story rules it out: not extracted
        return Page(missing, template, None, covered)
    extracted = _extract_job(body, url, entry, outlet)  # no screen: never a Screened record
    return Page(missing, template, None if isinstance(extracted, Screened) else extracted,
                covered)


def _crawl_timed(body: bytes, url: str, entry: Entry, outlet: str,
                 screens: tuple[Screen | None, ...]) -> tuple[Page, float]:
    start = time.process_time()
    out = crawl_page(body, url, entry, outlet, screens)
    return out, time.process_time() - start


def _crawl_fetcher(ctx: RunContext) -> CrawlFetcher:
    """The run's view of its shared crawl (only for runs opened with one)."""
    via = ctx.fetcher
    assert ctx.crawl is not None and isinstance(via, CrawlFetcher)
    return via


def _crawl_lacks(ctx: RunContext, cands: Sequence[Candidate]) -> list[Candidate]:
    """The candidates whose page the crawl has not fetched, or not reduced for this story."""
    via, screen = _crawl_fetcher(ctx), screen_for(ctx)
    return [c for c in cands if via.page(c.entry, screen) is None]


def crawl_pages(ctx: RunContext, cands: Sequence[Candidate]) -> dict[str, float]:
    """Fetch and reduce the pages of ``cands`` the run's crawl does not hold yet, into it."""
    todo = _crawl_lacks(ctx, cands)
    if not todo:
        return {}
    via, screen = _crawl_fetcher(ctx), screen_for(ctx)
    screens = via.crawl.screens
    screens = screens if screen in screens else (*screens, screen)
    results, timings = _run_jobs(
        ctx, todo, [], _crawl_timed, screens,
        lambda reason: Page({}, None, ExtractFailure(reason, crashed=True),
                            frozenset(s.fingerprint if s else None for s in screens)),
        failed=lambda c, error: via.keep(c.entry, error))
    for c, page in results:
        via.keep(c.entry, page)
    return timings


def crawl_fetch(ctx: RunContext, cands: Sequence[Candidate]) -> list[tuple[Candidate, Job]]:
    """Fetch the pages of ``cands`` the crawl lacks (fetch failures go into it) and return
    them for extraction elsewhere: a distributed runner's workers (:func:`crawl_batch`)."""
    via = _crawl_fetcher(ctx)
    return list(_fetched(ctx, _crawl_lacks(ctx, cands), [],
                         failed=lambda c, error: via.keep(c.entry, error)))


def crawl_batch(jobs: Sequence[Job], screens: tuple[Screen | None, ...]) -> list[Page]:
    """Reduce and extract a batch of fetched pages for a shared crawl, in this process."""
    return [crawl_page(*job, screens) for job in jobs]


def _through_crawl(ctx: RunContext, cands: Sequence[Candidate], skipped: list[Skipped],
                   ) -> tuple[list[tuple[Candidate, Extracted]], dict[str, float]]:
    """:func:`_fetch_and_extract` under a shared crawl: the same records, each page fetched
    and extracted once for all the run's stories."""
    via = _crawl_fetcher(ctx)
    timings = crawl_pages(ctx, cands)
    screen = screen_for(ctx)
    results: list[tuple[Candidate, Extracted]] = []
    for c in cands:
        page = via.page(c.entry)
        if page is None:  # not fetched in the budget: as a story alone would see it
            page = FetchError(c.entry.url, BUDGET_EXHAUSTED)
        if isinstance(page, FetchError):
            _fetch_failed(ctx, c, page, skipped)
        else:
            results.append((c, page.for_screen(screen)))
    return results, {"extract_cpu": 0.0, **timings}
