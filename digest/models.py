"""Frozen dataclasses passed between the pipeline's stages.

Every stage takes and returns these; none of them holds a live resource. Times are timezone-aware
``datetime`` objects in UTC unless a field says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

SourceStatus = Literal["ok", "not_modified", "error"]
# Why an item of the window is not in the digest.
SkipKind = Literal["failed", "no_date", "screened", "off_story", "earlier", "folded", "over_limit",
                   ""]


@dataclass(frozen=True)
class Window:
    """The half-open time interval ``[since, until)`` a digest covers."""

    since: dt.datetime
    until: dt.datetime

    def __contains__(self, when: dt.datetime | None) -> bool:
        return when is not None and self.since <= when < self.until


@dataclass(frozen=True)
class FeedSource:
    """One configured feed: a display name and an absolute ``http(s)://`` or ``file:`` URL."""

    name: str
    url: str


@dataclass(frozen=True)
class Response:
    """What the fetcher got back for one URL (after redirects)."""

    url: str  # the URL asked for
    final_url: str  # the URL that answered, after redirects
    status: int  # 200, or 304 when a conditional GET found nothing new
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    elapsed: float = 0.0  # seconds

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class Entry:
    """One item of a feed, as the feed describes it."""

    source: str  # FeedSource.name
    url: str  # absolute link to the article page
    title: str
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    summary: str = ""  # plain-text teaser from the feed
    guid: str | None = None
    author: str | None = None
    # An item with no link but text of its own (RSS 0.92 items, Atom entries without a link):
    # its article is this text, and ``url`` is the feed's URL marked with the item's identity.
    text: str = ""

    @property
    def inline(self) -> bool:
        """The item is its own article: there is no page to fetch."""
        return bool(self.text)


@dataclass(frozen=True)
class ParsedFeed:
    """The result of parsing one feed body (never raises; problems go to ``warning``)."""

    entries: tuple[Entry, ...]
    title: str = ""
    link: str = ""
    warning: str | None = None  # one line, set when the feed was malformed but (partly) read
    is_html: bool = False  # the body was a web page, not a feed
    alternates: tuple[str, ...] = ()  # feed URLs an HTML page advertises
    linkless: int = 0  # entries left out because they carry no usable link (still a feed)


@dataclass(frozen=True)
class FeedResult:
    """One source after reading: its entries and how reading went."""

    source: FeedSource
    status: SourceStatus
    entries: tuple[Entry, ...] = ()
    error: str | None = None  # one line when status is "error"
    warning: str | None = None  # one line when the feed was read despite problems
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Article:
    """An article page after extraction: clean text plus metadata."""

    url: str  # the page URL as fetched (after redirects)
    canonical_url: str  # normalised identity used for state and deduplication
    source: str  # the feed it came from (FeedSource.name)
    outlet: str  # the publisher's display name (site name, or the feed's name)
    title: str
    text: str  # body text, paragraphs separated by a blank line
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    author: str | None = None
    description: str = ""
    language: str | None = None
    content_hash: str = ""  # sha256 of the normalised text

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.text.split("\n\n") if p.strip())


@dataclass(frozen=True)
class Screened:
    """A fetched page that was not extracted because it cannot be about the story: no word of
    the required concept ``missing`` in it (screen.py). Title and dates come from the feed item;
    ``screen`` identifies the story terms it was screened under (other terms: look again)."""

    url: str
    canonical_url: str
    source: str
    outlet: str
    title: str
    missing: str
    screen: str
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    author: str | None = None


@dataclass(frozen=True)
class Judgement:
    """Whether an article belongs to the story, with a score and a human-readable reason."""

    relevant: bool
    score: float
    why: str
    matched_terms: tuple[str, ...] = ()
    nearest: str | None = None  # URL of the most similar story article, if any


@dataclass(frozen=True)
class Reporter:
    """Another outlet that carried the same article (a syndicated copy or a second feed)."""

    outlet: str
    url: str


@dataclass(frozen=True)
class StoryArticle:
    """One entry of the digest: the fullest version of an article and who else reported it."""

    article: Article
    judgement: Judgement
    summary: tuple[str, ...] = ()
    also_reported_by: tuple[Reporter, ...] = ()
    updated: bool = False  # carried by an earlier digest, but substantially changed since


@dataclass(frozen=True)
class Attributed:
    """A sentence of the story overview and the articles it came from."""

    text: str
    sources: tuple[str, ...]  # article URLs, each once
    outlets: tuple[str, ...] = ()  # the outlet of each source, in order ("" when unknown)


@dataclass(frozen=True)
class Quote:
    """A direct quote with its speaker and where it was reported."""

    text: str
    speaker: str
    outlet: str
    url: str


@dataclass(frozen=True)
class FigureClaim:
    """One source's value for a disputed quantity."""

    value: str  # as written, e.g. "62"
    number: float
    attributed_to: str  # who gives the figure, e.g. "Russian military"
    outlet: str
    url: str
    sentence: str = ""


@dataclass(frozen=True)
class Figure:
    """A quantity that different sources report differently, side by side."""

    label: str  # e.g. "soldiers killed"
    claims: tuple[FigureClaim, ...]


@dataclass(frozen=True)
class TimelineEntry:
    """One earlier day of the story and its main development."""

    date: dt.date
    text: str
    url: str | None = None


@dataclass(frozen=True)
class SourceReport:
    """How one configured feed fared in this run."""

    name: str
    url: str
    status: SourceStatus
    error: str | None = None
    items: int = 0


@dataclass(frozen=True)
class Skipped:
    """An item in the window that was left out of the digest: ``kind`` says why (for code),
    ``reason`` in words (for people), ``ref`` the article it repeats (folded, earlier)."""

    url: str
    reason: str
    title: str = ""
    kind: SkipKind = ""  # "" only in tests and hand-made records
    ref: str | None = None


@dataclass(frozen=True)
class Story:
    slug: str
    title: str


@dataclass(frozen=True)
class Digest:
    """The day's digest: everything the renderers and the email need."""

    story: Story
    date: dt.date
    window: Window
    generated_at: dt.datetime
    overview: tuple[Attributed, ...]
    articles: tuple[StoryArticle, ...]
    sources: tuple[SourceReport, ...]
    skipped: tuple[Skipped, ...] = ()
    # the closest pages relevance left out, with its why (also in ``skipped``)
    near_misses: tuple[Skipped, ...] = ()
    quotes: tuple[Quote, ...] = ()
    figures: tuple[Figure, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    # "What is new since the last digest": the day's main developments, newest information first.
    developments: tuple[Attributed, ...] = ()
    previous_date: dt.date | None = None  # date of the story's previous digest, if any
    stats: Mapping[str, float] = field(default_factory=dict)  # counts and timings of the run
    rebuilt: str | None = None  # one line when a published day was made again with earlier items

    @property
    def outlets(self) -> tuple[str, ...]:
        """Every outlet that reported a story article today, first-seen order."""
        seen: dict[str, None] = {}
        for item in self.articles:
            seen.setdefault(item.article.outlet, None)
            for other in item.also_reported_by:
                seen.setdefault(other.outlet, None)
        return tuple(seen)

    @property
    def failed_sources(self) -> tuple[SourceReport, ...]:
        return tuple(s for s in self.sources if s.status == "error")
