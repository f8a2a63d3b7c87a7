"""One crawl serving many stories: each feed answer and each page's extraction, made once.

A desk that follows many stories over the same outlets would otherwise read every feed, and
fetch and extract every page, once per story. A :class:`Crawl` sits under the stories' runs
of one flow run and remembers, for the length of that run:

- every feed answer, keyed by URL and the validators the request carried (two stories whose
  state holds the same ETag share one conditional GET; a story new to a feed sends its own);
- every page: fetched once, reduced once for all the stories' screens (``digest.screen``), and
  extracted once when any story may want it; or the fetch error, so a dead link is tried once.

Each story still plans, judges, writes and mails from its own state: it gets exactly the
records it would have made alone (a story whose screen rules a page out gets its
:class:`~digest.models.Screened` record, the others the article), so its digest is the one it
would have produced alone. Stories with different fetch settings (timeouts, allowed networks,
``file:`` root) use different fetchers and share only with their like.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from digest.config import Config, FetchSettings
from digest.errors import FetchError
from digest.extract import ExtractFailure
from digest.fetch import Fetcher
from digest.models import Article, Entry, ParsedFeed, Response, Screened
from digest.screen import Screen, story_screen

FetchKey = tuple[FetchSettings, Path | None]
_SHARED: dict[str, Crawl] = {}  # crawls of the runs in this process, by key

T = TypeVar("T")


def share(crawl: Crawl) -> str:
    """A key by which the runs of this process find ``crawl`` (a flow parameter cannot carry
    the object itself)."""
    key = uuid.uuid4().hex
    _SHARED[key] = crawl
    return key


def shared(key: str) -> Crawl | None:
    return _SHARED.get(key)


def unshare(key: str) -> None:
    _SHARED.pop(key, None)


@dataclass(frozen=True)
class Page:
    """A fetched page as the crawl keeps it: what each screen made of it (``missing``: by the
    screen's fingerprint, the required concept the page never names; absent: it passed), one
    screened record to give those stories (``light``), and its extraction (None when every
    screen ruled it out, so nobody needs it). Kept small: fifty stories' screens over 8,000
    pages are 400,000 verdicts."""

    missing: dict[str, str]
    light: Screened | None
    extracted: Article | ExtractFailure | None
    screens: frozenset[str | None] = frozenset()  # the screens it was reduced for (None: none)

    def covers(self, screen: Screen | None) -> bool:
        """The page was reduced for ``screen`` (a story added to the crawl after the page was
        fetched needs it reduced again)."""
        return (screen.fingerprint if screen is not None else None) in self.screens

    def for_screen(self, screen: Screen | None) -> Article | Screened | ExtractFailure:
        """The record a story with ``screen`` would have made of this page alone."""
        if screen is not None and self.light is not None:
            name = self.missing.get(screen.fingerprint)
            if name is not None:
                return replace(self.light, missing=name, screen=screen.fingerprint)
        if self.extracted is None:  # cannot happen for a screen the crawl was built with
            return ExtractFailure("not extracted: no story of this crawl needed it")
        return self.extracted


class Unremembered(Exception):
    """A feed request an offline crawl (a forked copy: digest/pipeline/keep.py) holds no answer
    for; not a FetchError: nothing failed, the request was not made."""


class CrawlFetcher:
    """A story's view of the crawl's fetcher: feed answers are shared, pages go to the crawl."""

    def __init__(self, crawl: Crawl, key: FetchKey, fetcher: Fetcher) -> None:
        self.crawl = crawl
        self.key = key
        self.inner = fetcher
        self.settings = fetcher.settings

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            max_bytes: int | None = None, deadline: float | None = None) -> Response:
        return self.crawl._feed(self, url, etag, last_modified, max_bytes, deadline)

    def remembers(self, url: str, etag: str | None, last_modified: str | None) -> bool:
        """The crawl holds the answer to this feed request (:meth:`get` sends none)."""
        return self.crawl._remembers(self, url, etag, last_modified)

    def get_many(self, urls: Iterable[str], *, deadline: float | None = None,
                 max_pending: int | None = None) -> Iterator[tuple[str, Response | FetchError]]:
        return self.inner.get_many(urls, deadline=deadline, max_pending=max_pending)

    def page(self, entry: Entry, screen: Screen | None | bool = False,
             ) -> Page | FetchError | None:
        """:meth:`Crawl.page` through this fetcher."""
        return self.crawl.page(self, entry, screen)

    def keep(self, entry: Entry, page: Page | FetchError) -> None:
        """:meth:`Crawl.keep` through this fetcher."""
        self.crawl.keep(self, entry, page)

    def close(self) -> None:
        """Nothing: the crawl closes its fetchers when the whole run is done."""


class Crawl:
    """What one flow run has read for all its stories (see the module docstring)."""

    def __init__(self, configs: Iterable[Config] = ()) -> None:
        self.screens: tuple[Screen | None, ...] = ()
        self._fetchers: dict[FetchKey, Fetcher] = {}
        self._feeds: dict[tuple[FetchKey, str, str | None, str | None], Response | FetchError] = {}
        self._pages: dict[tuple[FetchKey, str, Entry], Page | FetchError] = {}
        self._parsed: dict[tuple[bytes, str], ParsedFeed] = {}
        self._feed_urls: set[str] = set()
        self._covers: dict[frozenset[str | None], frozenset[str | None]] = {}
        self._lock = threading.Lock()
        self._derived: dict[tuple[str, str, bytes], Any] = {}
        self.feed_requests = 0  # feed requests sent (the rest were answered from memory)
        self.offline = False  # a forked copy: answer from memory only (Unremembered otherwise)
        for cfg in configs:
            self.add(cfg)

    def derived(self, fn: Callable[[str, str], T], text: str, language: str) -> T:
        """``fn(text, language)``, computed once for all the stories of the crawl: what every
        story derives from the same page text (its stemmed terms, its names) before judging."""
        # keyed by a digest of the text: the text itself is often built for the call (headline,
        # standfirst and body joined), and kept as a key it doubled the crawl's text in memory
        key = (fn.__qualname__, language, hashlib.blake2b(text.encode(), digest_size=16).digest())
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = fn(text, language)
            return value

    def add(self, config: Config) -> None:
        """Take a story's screen into account (before its pages are crawled)."""
        screen = story_screen(config)
        if screen not in self.screens:
            self.screens = (*self.screens, screen)

    def fetcher_for(self, config: Config) -> CrawlFetcher:
        """The fetcher a story's run uses: one per distinct fetch setting, shared."""
        self.add(config)
        key: FetchKey = (config.fetch, config.fetch.local_root)
        with self._lock:
            fetcher = self._fetchers.get(key)
            if fetcher is None:
                fetcher = self._fetchers[key] = Fetcher(config.fetch,
                                                        local_root=config.fetch.local_root)
        return CrawlFetcher(self, key, fetcher)

    # -- feeds --------------------------------------------------------------------------------

    def _feed(self, via: CrawlFetcher, url: str, etag: str | None, last_modified: str | None,
              max_bytes: int | None, deadline: float | None) -> Response:
        key = (via.key, url, etag, last_modified)
        with self._lock:
            known = self._feeds.get(key)
        if known is None and self.offline:
            raise Unremembered(url)
        if known is None:
            try:
                known = via.inner.get(url, etag=etag, last_modified=last_modified,
                                      max_bytes=max_bytes, deadline=deadline)
            except FetchError as exc:
                known = exc
            with self._lock:
                self.feed_requests += 1
                self._feed_urls.add(url)
                known = self._feeds.setdefault(key, known)
        if isinstance(known, FetchError):
            raise known
        return known

    def _remembers(self, via: CrawlFetcher, url: str, etag: str | None,
                   last_modified: str | None) -> bool:
        with self._lock:
            return (via.key, url, etag, last_modified) in self._feeds

    def read_all(self, urls: Iterable[str]) -> bool:
        """Every one of these feeds was read before in this crawl (so parsing them again will
        mostly be remembered, not done)."""
        with self._lock:
            return set(urls) <= self._feed_urls

    def parser(self, parse: Callable[..., ParsedFeed]) -> Callable[..., ParsedFeed]:
        """``parse``, remembered: a feed body shared by many stories is parsed once for each
        distinct way it is asked for (the URL, the story's name for the feed, the headers)."""
        def parse_once(body: bytes, **kwargs: Any) -> ParsedFeed:
            key = (hashlib.sha1(body).digest(), repr(sorted(kwargs.items())))
            with self._lock:
                known = self._parsed.get(key)
            if known is None:
                known = parse(body, **kwargs)
                with self._lock:
                    self._parsed[key] = known
            return known
        return parse_once

    # -- pages --------------------------------------------------------------------------------

    def page(self, via: CrawlFetcher, entry: Entry,
             screen: Screen | None | bool = False) -> Page | FetchError | None:
        """What the crawl holds of the page of ``entry`` (None: not fetched yet, or, given a
        ``screen``, not reduced for it)."""
        with self._lock:
            found = self._pages.get((via.key, entry.url, entry))
        if (screen is not False and isinstance(found, Page)
                and not found.covers(screen if isinstance(screen, Screen) else None)):
            return None
        return found

    def keep(self, via: CrawlFetcher, entry: Entry, page: Page | FetchError) -> None:
        with self._lock:
            if isinstance(page, Page):  # one set object for all pages reduced alike
                page = replace(page, screens=self._covers.setdefault(page.screens, page.screens))
            self._pages[(via.key, entry.url, entry)] = page

    @property
    def pages(self) -> int:
        return len(self._pages)

    def close(self) -> None:
        for fetcher in self._fetchers.values():
            fetcher.close()
        self._fetchers.clear()
        self._derived.clear()

    def __enter__(self) -> Crawl:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
