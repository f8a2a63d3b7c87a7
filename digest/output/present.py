"""The presentation model of a digest: what every template shows, with web text cleaned, links
checked, times in the story's time zone and overview citations numbered."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from digest import editing
from digest.models import Attributed, Digest
from digest.text.lines import CONTROL
from digest.text.lines import SPACE as _SPACE
from digest.urls import redact_text, redact_url

SAFE_SCHEMES = frozenset({"http", "https", "file"})
HTML_SKIPPED_LIMIT = 25
SKIPPED_LIMIT = 50  # "Left out" entries listed in Markdown and text; the JSON keeps them all


def inline(value: object) -> str:
    """Like :func:`clean` but keeps leading and trailing spaces (template separators)."""
    return _SPACE.sub(" ", CONTROL.sub("", str(value)))


def clean(text: object) -> str:
    """One line of displayable text: no control characters, whitespace runs collapsed."""
    if text is None:
        return ""
    return _SPACE.sub(" ", CONTROL.sub("", str(text))).strip()


def safe_url(url: str | None) -> str | None:
    """``url`` if it may become a link (http, https, file), else None (``javascript:``, ``data:``)."""
    if not url:
        return None
    u = CONTROL.sub("", re.sub(r"[\t\r\n]", "", str(url))).strip().replace(" ", "%20")
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "file" and not parts.netloc:
        return None
    return u


def zone(tz: str | dt.tzinfo | None) -> dt.tzinfo:
    if tz is None:
        return dt.UTC
    if isinstance(tz, dt.tzinfo):
        return tz
    return dt.UTC if tz.upper() == "UTC" else zoneinfo.ZoneInfo(tz)


def fmt_time(when: dt.datetime | None, tz: dt.tzinfo) -> str:
    """``Sat 17 Sep, 18:05 BST``; an empty string for an unknown time."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    t = when.astimezone(tz)
    return f"{t:%a} {t.day} {t:%b}, {t:%H:%M} {t:%Z}".strip()


def fmt_day(day: dt.date, long: bool = False) -> str:
    """``Sun 18 Sep 2016`` (or ``Sunday 18 September 2016`` when ``long``)."""
    return f"{day:%A} {day.day} {day:%B %Y}" if long else f"{day:%a} {day.day} {day:%b %Y}"


def fmt_window(since: dt.datetime, until: dt.datetime, tz: dt.tzinfo) -> str:
    a, b = since.astimezone(tz), until.astimezone(tz)
    return (f"{a:%a} {a.day} {a:%b} {a:%H:%M} – {b:%a} {b.day} {b:%b} {b:%H:%M} {b:%Z}").strip()


@dataclass(frozen=True)
class Link:
    """Text shown, the link it may carry (None when unsafe or absent), and an article number."""

    text: str
    url: str | None = None
    ref: int | None = None


@dataclass(frozen=True)
class Sentence:
    text: str
    cites: tuple[Link, ...]


@dataclass(frozen=True)
class ArticleView:
    n: int
    title: str
    url: str | None
    outlet: str
    author: str
    when: str
    modified: str
    updated: bool
    summary: tuple[str, ...]
    also: tuple[Link, ...]


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _numbering(d: Digest) -> dict[str, tuple[int, str]]:
    """Every URL an article is known by -> (its number in the digest, the outlet at that URL)."""
    refs: dict[str, tuple[int, str]] = {}
    for n, item in enumerate(d.articles, 1):
        a = item.article
        refs.setdefault(a.url, (n, a.outlet))
        refs.setdefault(a.canonical_url, (n, a.outlet))
        for r in item.also_reported_by:
            refs.setdefault(r.url, (n, r.outlet))
    return refs


def _sentences(items: Sequence[Attributed], refs: dict[str, tuple[int, str]]) -> list[Sentence]:
    out = []
    for s in items:
        cites: list[Link] = []
        seen: set[str] = set()
        for i, url in enumerate(s.sources):
            if url in seen:
                continue
            seen.add(url)
            n, outlet = refs.get(url, (None, ""))
            if i < len(s.outlets) and s.outlets[i]:
                outlet = s.outlets[i]
            cites.append(Link(text=clean(outlet) or _host(clean(url)), url=safe_url(url), ref=n))
        out.append(Sentence(text=clean(s.text), cites=tuple(cites)))
    return out


def present(d: Digest, tz: str | dt.tzinfo | None = "UTC") -> dict[str, object]:
    """Everything the templates show, as plain values (still unescaped: templates escape)."""
    z = zone(tz)
    refs = _numbering(d)
    articles = [
        ArticleView(
            n=n, title=clean(item.article.title) or clean(item.article.url), outlet=clean(
                item.article.outlet), url=safe_url(item.article.url),
            author=clean(item.article.author), when=fmt_time(item.article.published, z),
            modified=fmt_time(item.article.updated, z), updated=item.updated,
            summary=tuple(t for t in (clean(s) for s in item.summary) if t),
            also=tuple(Link(text=clean(r.outlet) or _host(r.url), url=safe_url(r.url))
                       for r in item.also_reported_by))
        for n, item in enumerate(d.articles, 1)]
    sources = [{"name": clean(s.name), "url": redact_url(clean(s.url)), "status": s.status,
                "error": clean(redact_text(s.error or "")), "items": s.items} for s in d.sources]
    failed = [s for s in sources if s["status"] == "error"]
    quotes = [{"text": clean(q.text), "speaker": clean(q.speaker),
               "source": Link(text=clean(q.outlet) or _host(q.url), url=safe_url(q.url),
                              ref=refs.get(q.url, (None, ""))[0])} for q in d.quotes]
    figures = [{"label": _sentence_case(clean(f.label)), "claims": [
        {"value": clean(c.value), "by": clean(c.attributed_to),
         "source": Link(text=clean(c.outlet) or _host(c.url), url=safe_url(c.url),
                        ref=refs.get(c.url, (None, ""))[0])} for c in f.claims]}
        for f in d.figures if f.claims]
    timeline = [{"day": f"{t.date:%a} {t.date.day} {t.date:%b}", "text": clean(t.text),
                 "url": safe_url(t.url)} for t in sorted(d.timeline, key=lambda t: t.date)]
    near_urls = {s.url for s in d.near_misses}  # listed once, under "Possibly related"
    skipped = [{"title": clean(s.title), "url": clean(s.url), "link": safe_url(s.url),
                "reason": clean(editing.plain(s.reason))} for s in d.skipped
               if s.url not in near_urls]
    near = [{"title": clean(s.title), "url": clean(s.url), "link": safe_url(s.url),
             "why": clean(s.reason)} for s in d.near_misses]
    new_heading = (f"New since {fmt_day(d.previous_date)}" if d.previous_date else "What's new")
    return {
        "title": clean(d.story.title), "slug": d.story.slug,
        "date_long": fmt_day(d.date, long=True), "date_short": fmt_day(d.date),
        "window": fmt_window(d.window.since, d.window.until, z),
        "generated": fmt_time(d.generated_at, z),
        "n_articles": len(d.articles), "n_outlets": len(d.outlets),
        "overview": _sentences(d.overview, refs),
        "developments": _sentences(d.developments, refs), "new_heading": new_heading,
        "articles": articles, "quotes": quotes, "figures": figures, "timeline": timeline,
        "sources": sources, "failed": failed, "skipped": skipped, "near_misses": near,
        "skipped_shown": skipped[:HTML_SKIPPED_LIMIT],
        "skipped_listed": skipped[:SKIPPED_LIMIT],
        "n_ok": sum(s.status == "ok" for s in d.sources),
        "n_unchanged": sum(s.status == "not_modified" for s in d.sources),
        "previous": fmt_day(d.previous_date) if d.previous_date else "",
        "rebuilt": clean(d.rebuilt or ""),
    }
