"""Checking sources (reachable, a feed, last published) and finding the feeds a site advertises.

Every function takes a fetcher (``digest.fetch.client.Fetcher`` or anything with its ``get``) so the
same SSRF guard, size caps, timeouts and per-host politeness apply as in a run. A failure is
returned as a one-line ``error``, never raised.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from digest.discover import discover_feeds
from digest.errors import DigestError, FetchError
from digest.feedlist import add_feeds
from digest.feeds import parse_feed
from digest.models import FeedSource, ParsedFeed, Response

log = logging.getLogger(__name__)

__all__ = ["FoundFeed", "NoFeedFound", "SourceCheck", "add_feeds", "check_source", "check_sources",
           "find_feeds"]

MAX_CANDIDATES = 8  # advertised feeds tried per page
HTTP_STATUS = re.compile(r"HTTP (\d{3})\b")  # how the fetcher words an error answer
STALE_DAYS = 14.0  # a feed with nothing newer than this is reported as a warning


class Getter(Protocol):
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            max_bytes: int | None = None) -> Response: ...


@dataclass(frozen=True)
class SourceCheck:
    """How one source answered: reachable, a feed, how many entries, when it last published."""

    name: str
    url: str
    reachable: bool = False
    status: int | None = None  # HTTP status of the last answer (200 for local files)
    is_feed: bool = False
    entries: int = 0
    newest: dt.datetime | None = None  # the newest entry's date (published, else updated)
    feed_url: str | None = None  # the feed actually read (differs when a page advertised it)
    error: str | None = None  # one line: why the source is unusable
    warning: str | None = None  # one line: usable, but something is off
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def verdict(self) -> str:
        return "error" if self.error else ("warn" if self.warning else "ok")


@dataclass(frozen=True)
class FoundFeed:
    """A feed found for a URL: where it is, its title and how many entries it holds."""

    url: str
    title: str
    entries: int
    via: str | None = None  # the page that advertised it, when the URL was not a feed itself


def _newest(parsed: ParsedFeed) -> dt.datetime | None:
    dates = [e.published or e.updated for e in parsed.entries]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _read(fetcher: Getter, url: str, name: str) -> tuple[Response, ParsedFeed]:
    resp = fetcher.get(url)
    return resp, parse_feed(resp.body, url=resp.final_url, source=name, headers=resp.headers)


def _is_feed(parsed: ParsedFeed) -> bool:
    return not parsed.is_html and (bool(parsed.entries or parsed.linkless)
                                   or parsed.warning is None)


class NoFeedFound(DigestError):
    """A page advertised feeds, but none of them could be read; the message says why."""


def check_source(fetcher: Getter, source: FeedSource, *, now: dt.datetime | None = None,
                 stale_days: float = STALE_DAYS) -> SourceCheck:
    """Fetch and parse one source as a run would (following a page's advertised feed)."""
    now = now or dt.datetime.now(dt.UTC)
    start = time.perf_counter()

    def result(**kw: object) -> SourceCheck:
        return SourceCheck(name=source.name, url=source.url,
                           elapsed=time.perf_counter() - start, **kw)  # type: ignore[arg-type]

    try:
        resp, parsed = _read(fetcher, source.url, source.name)
        feed_url = resp.final_url
        via_page = parsed.is_html and bool(parsed.alternates)
    except FetchError as exc:
        answered = HTTP_STATUS.match(exc.problem)  # the server answered, with an error status
        return result(reachable=answered is not None,
                      status=int(answered.group(1)) if answered else None, error=exc.problem)
    if via_page:
        feed_url = parsed.alternates[0]
        try:
            resp, parsed = _read(fetcher, feed_url, source.name)
        except FetchError as exc:
            return result(reachable=True, status=resp.status, feed_url=feed_url,
                          error=f"the page advertises the feed {feed_url}, which failed: "
                                f"{exc.problem}")
    base = dict(reachable=True, status=resp.status, feed_url=feed_url)
    if parsed.is_html:
        return result(**base, error="not a feed: a web page that advertises no feed")
    if not parsed.entries and parsed.linkless:  # a feed, but nothing in it can be read
        return result(**base, is_feed=True, entries=parsed.linkless, warning=parsed.warning)
    if not parsed.entries and parsed.warning:
        return result(**base, error=f"not a feed: {parsed.warning}")
    newest = _newest(parsed)
    warning = parsed.warning
    if via_page:
        warning = warning or f"a web page; reading the feed it advertises: {feed_url}"
    if not parsed.entries:
        warning = warning or "the feed has no entries"
    elif newest is None:
        warning = warning or "no entry carries a date"
    elif stale_days and now - newest > dt.timedelta(days=stale_days):
        warning = warning or f"nothing new for {(now - newest).days} days"
    return result(**base, is_feed=True, entries=len(parsed.entries), newest=newest,
                  warning=warning)


def check_sources(fetcher: Getter, sources: Sequence[FeedSource], *,
                  now: dt.datetime | None = None, stale_days: float = STALE_DAYS,
                  workers: int = 8,
                  on_done: Callable[[SourceCheck], None] | None = None) -> list[SourceCheck]:
    """Check many sources at once (the fetcher keeps its per-host limits); config order."""
    now = now or dt.datetime.now(dt.UTC)
    if not sources:
        return []

    def one(source: FeedSource) -> SourceCheck:
        check = check_source(fetcher, source, now=now, stale_days=stale_days)
        if on_done is not None:
            on_done(check)
        return check

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(sources)))) as pool:
        return list(pool.map(one, sources))


def find_feeds(fetcher: Getter, url: str, *, limit: int = MAX_CANDIDATES) -> list[FoundFeed]:
    """The feeds at ``url``: the URL itself when it is a feed, else the feeds its page advertises
    (``<link rel="alternate">``, then feed-like links, as trafilatura's feed finder does), else
    those of the site's home page. Only candidates that parse as feeds are returned.
    Raises :class:`FetchError` when ``url`` itself cannot be fetched, and
    :class:`NoFeedFound` (saying why) when feeds were advertised but none could be read."""
    resp, parsed = _read(fetcher, url, "")
    if _is_feed(parsed):
        return [FoundFeed(url=url, title=parsed.title,
                          entries=len(parsed.entries) or parsed.linkless)]
    candidates = list(dict.fromkeys([*parsed.alternates,
                                     *discover_feeds(resp.body, resp.final_url)]))
    rejected: list[str] = []
    found = _verified(fetcher, candidates[:limit], via=resp.final_url, rejected=rejected)
    home = _home_page(resp.final_url)
    if found or home is None or home == resp.final_url:
        return found or _none_found(url, rejected)
    try:  # an article page without feed links: try the site's home page
        home_resp = fetcher.get(home)
    except FetchError as exc:
        log.info("feeds of %s: home page %s: %s", url, home, exc.problem)
        return _none_found(url, rejected)
    return _verified(fetcher, discover_feeds(home_resp.body, home_resp.final_url)[:limit],
                     via=home_resp.final_url, rejected=rejected) or _none_found(url, rejected)


def _none_found(url: str, rejected: Sequence[str]) -> list[FoundFeed]:
    """No feed: an empty list when none was advertised, else NoFeedFound with the reasons."""
    if not rejected:
        return []
    more = f" (and {len(rejected) - 1} more)" if len(rejected) > 1 else ""
    raise NoFeedFound(f"{url}: the page advertises {len(rejected)} feed(s), but none could be "
                      f"read: {rejected[0]}{more}")


def _verified(fetcher: Getter, candidates: Sequence[str], via: str,
              rejected: list[str] | None = None) -> list[FoundFeed]:
    found: list[FoundFeed] = []
    for cand in candidates:
        try:
            _resp, parsed = _read(fetcher, cand, "")
        except FetchError as exc:
            log.info("advertised feed %s: %s", cand, exc.problem)
            if rejected is not None:
                rejected.append(f"{cand}: {exc.problem}")
            continue
        if _is_feed(parsed):
            found.append(FoundFeed(url=cand, title=parsed.title,
                                   entries=len(parsed.entries) or parsed.linkless, via=via))
        else:
            log.info("advertised feed %s is not a feed", cand)
    return found


def _home_page(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))

