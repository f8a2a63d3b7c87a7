"""Feed bytes to a ParsedFeed (RSS 0.9x/1.0/2.0, Atom, JSON Feed); never raises."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import feedparser
from feedparser.datetimes import _parse_date as _feedparser_date
from feedparser.datetimes.rfc822 import timezone_names as rfc822_zones

from digest.discover import discover_feeds
from digest.models import Entry, ParsedFeed
from digest.text.bounds import MAX_NAME, cap_title
from digest.text.clean import html_to_text
from digest.text.lines import one_line
from digest.urls import ITEM_PARAM

log = logging.getLogger(__name__)

# Zone names news feeds write in RFC 822 dates that feedparser does not know (it reads an unknown
# name as UTC without a word: "11:15 BST" became 11:15 UTC, an hour late). Hours east of UTC;
# only names with one meaning in news (IST, which is India, Ireland or Israel, is left out).
ZONE_NAMES = {
    "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "wet": 0, "west": 1, "msk": 3,
    "jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "awst": 8, "acst": 9.5, "acdt": 10.5, "aest": 10,
    "aedt": 11, "nzst": 12, "nzdt": 13, "utc": 0,
}
for _name, _hours in ZONE_NAMES.items():  # feedparser's own table; never overrides its names
    rfc822_zones.setdefault(_name, _hours)

MIN_INLINE_WORDS = 40  # an item without a link is an article when it has this many words
MAX_INLINE_CHARS = 100_000  # of an item's own text

MIN_YEAR = 1990  # older dates in news feeds are placeholders ("1970-01-01") or parse errors
MAX_AHEAD = dt.timedelta(days=2)  # further in the future than this is a wrong date, not news
MAX_SUMMARY_CHARS = 5000

# feedparser mangles "file:///a/b" into "file://a/b" when it joins URLs, so file: feeds are parsed
# against this stand-in base and mapped back afterwards.
_FILE_BASE = "http://local-file.invalid"
# What precedes the root element: BOM, whitespace, XML declaration, comments, a DOCTYPE.
_PROLOG = re.compile(
    rb"^(?:\xef\xbb\xbf|\s+|<\?[^>]*\?>|<!--.*?-->|<!doctype[^>\[]*(?:\[.*?\])?\s*>)*", re.S | re.I
)
_HTML_TAGS = frozenset(b"html head body meta title div p h1 script link table".split())
_XML_DECL_ENCODING = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.I
)
_XML_TYPE = re.compile(r"^(?:application|text)/(?:[\w.+-]*\+)?xml$|^application/xml", re.I)


def parse_feed(
    body: bytes, *, url: str, source: str, headers: Mapping[str, str] = {}
) -> ParsedFeed:
    """Parse one feed body fetched from ``url`` into entries; problems go to ``warning``.

    ``headers`` are the HTTP response headers (any case); their ``Content-Type`` charset is
    honoured. Relative links and ``xml:base`` resolve against ``url`` (``file:`` URLs too).
    An HTML page comes back with ``is_html=True`` and the feeds it advertises in ``alternates``.
    """
    try:
        return _parse(body or b"", url, source, {k.lower(): v for k, v in headers.items()})
    except Exception as exc:  # noqa: BLE001 - a feed must never break a run
        log.warning("feed %s: unexpected parser failure: %r", url, exc)
        return ParsedFeed(
            entries=(), warning=f"could not parse feed: {type(exc).__name__}: {exc}"[:300]
        )


def _parse(body: bytes, url: str, source: str, headers: dict[str, str]) -> ParsedFeed:
    prolog = _PROLOG.match(body[:8192])
    head = body[prolog.end() if prolog else 0 :][:512]
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return ParsedFeed(entries=(), warning="empty response: no feed")
    if head[:1] in (b"{", b"["):
        parsed_json = _parse_json_feed(body, url, source)
        if parsed_json is not None:
            return parsed_json
    root = re.match(rb"<([A-Za-z][\w:.-]*)", head)
    if root and root.group(1).lower() in _HTML_TAGS:
        return _html_page(body, url)

    data = feedparser.parse(
        io.BytesIO(body),  # a stream: feedparser opens bytes that look like a path or URL
        response_headers=_response_headers(body, url, headers),
        resolve_relative_uris=False,  # only links are kept, and they are resolved anyway
        sanitize_html=False,  # every text field is reduced to plain text below
    )
    version = data.get("version") or ""
    raw_entries = data.get("entries") or []
    if not version and not raw_entries and re.search(rb"<(?:html|body|head)\b", body[:8192], re.I):
        return _html_page(body, url)

    allow_file = url.startswith("file:")
    entries: list[Entry] = []
    skipped = 0
    for raw in raw_entries:
        entry = _entry(raw, url, source, allow_file, body)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)

    feed = data.get("feed") or {}
    problems: list[str] = []
    if data.get("bozo") and not _harmless_bozo(data, body, version):
        exc = data.get("bozo_exception")
        problems.append(f"malformed feed ({type(exc).__name__}: {one_line(exc)})")
    if not version and not raw_entries:
        problems.append("not a feed: no RSS, Atom or JSON Feed document found")
    elif skipped:
        problems.append(linkless_warning(skipped, len(raw_entries)))
    if problems and entries:
        problems.append(f"{len(entries)} entries read")
    return ParsedFeed(
        entries=tuple(entries),
        title=cap_title(html_to_text(feed.get("title")), MAX_NAME),
        link=_absolute(feed.get("link"), url, allow_file) or "",
        warning="; ".join(problems) or None,
        linkless=skipped if (version or raw_entries) else 0,
    )


def linkless_warning(skipped: int, total: int) -> str:
    """How entries without a usable link are reported (a feed of only such entries is a feed)."""
    if skipped == total:
        return f"a feed of {total} entries, none with a usable link (nothing to read)"
    return f"{skipped} of {total} entries skipped: no usable link"


def _harmless_bozo(data: Mapping[str, Any], body: bytes, version: str) -> bool:
    """A feed served with a non-XML type, or read in the very encoding its XML declaration names."""
    name = type(data.get("bozo_exception")).__name__
    if name == "NonXMLContentType":
        return bool(version)
    if name == "CharacterEncodingOverride":
        declared = _XML_DECL_ENCODING.match(body[:512])
        if declared is None:
            return False
        return _same_codec(declared.group(1).decode("ascii"), data.get("encoding") or "")
    return False


def _same_codec(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _response_headers(body: bytes, url: str, headers: Mapping[str, str]) -> dict[str, str]:
    """Headers for feedparser: the feed's URL as base, a Content-Type that decodes right."""
    content_type = headers.get("content-type", "").strip()
    mime = content_type.split(";")[0].strip().lower()
    if not mime:
        content_type = mime = "application/xml"  # like a local file: the document decides
    if _valid_utf8_text(body) and (_XML_TYPE.match(mime) or mime.startswith("text/")):
        # Bytes that are valid UTF-8 with non-ASCII text are UTF-8, whatever a prolog or a header
        # claims (the usual lie is "ISO-8859-1" on a UTF-8 feed); this never misreads real
        # single-byte text, which is almost never valid UTF-8.
        content_type = f"{mime if _XML_TYPE.match(mime) else 'application/xml'}; charset=utf-8"
    split = urlsplit(url)
    if split.scheme == "file":
        location = _FILE_BASE + (split.path or "/")
    else:
        location = url
        if headers.get("content-location"):  # the server names the document's own URL: its base
            try:
                joined = urljoin(url, headers["content-location"].strip())
            except ValueError:
                joined = ""
            if urlsplit(joined).scheme in ("http", "https"):
                location = joined
    return {"content-type": content_type, "content-location": location}


def _valid_utf8_text(body: bytes) -> bool:
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:4096]:
        return False  # UTF-16/32: leave it to the BOM / declaration
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _html_page(body: bytes, url: str) -> ParsedFeed:
    alternates = tuple(discover_feeds(body, url))
    found = f"it advertises {len(alternates)} feed(s)" if alternates else "no feed advertised"
    return ParsedFeed(
        entries=(),
        is_html=True,
        alternates=alternates,
        warning=f"not a feed: an HTML page ({found})",
    )


def _entry(
    raw: Mapping[str, Any], feed_url: str, source: str, allow_file: bool, body: bytes
) -> Entry | None:
    guid = _unplace((raw.get("id") or "").strip()) or None
    link = _absolute(raw.get("link"), feed_url, allow_file)
    made_from_id = raw.get("guidislink") and raw.get("link") == raw.get("id")
    if link and made_from_id and not (_literally_in(raw.get("id") or "", body)
                                      or _written_as_root_path(link, body)):
        # feedparser made the link from a guid/id it resolved against the base: "abc-123" became
        # "https://site/abc-123". Only a guid written as a URL (absolute, or a root-relative
        # path such as "/world/2016/story.html") is a permalink.
        link = None
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    text = ""
    if not link:  # no page: the item is an article only if it carries its own text
        content = (raw.get("content") or [{}])[0].get("value") or raw.get("summary") or ""
        text = html_to_text(content)[:MAX_INLINE_CHARS]
        if len(text.split()) < MIN_INLINE_WORDS:
            return None
        title = html_to_text(raw.get("title"))
        link = inline_url(feed_url, guid or _digest_of(f"{title}\n{text}"))
    published = to_utc(raw.get("published_parsed")) or to_utc(raw.get("created_parsed"))
    updated = to_utc(raw.get("updated_parsed"))
    author = _author(raw)
    return Entry(
        source=source,
        url=link,
        title=cap_title(html_to_text(raw.get("title"))),
        published=published or updated,
        updated=updated,
        summary=_cap(html_to_text(summary)),
        guid=guid,
        author=author,
        text=text,
    )


def inline_url(feed_url: str, item_id: str) -> str:
    """The address of an item that has no link: its feed's URL with the item's identity."""
    parts = urlsplit(feed_url)
    query = "&".join(filter(None, [parts.query, f"{ITEM_PARAM}={quote(item_id, safe='')}"]))
    return parts._replace(query=query, fragment="").geturl()


def _digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")  # RSS: "desk@example.com (Jane Doe)"
_NAME_EMAIL = re.compile(r"^\s*(.+?)\s*<\S+@\S+>\s*$")  # "Jane Doe <desk@example.com>"


def _author(raw: Mapping[str, Any]) -> str | None:
    text = cap_title(html_to_text(raw.get("author")), MAX_NAME)  # the patterns read short text
    match = _EMAIL_NAME.match(text) or _NAME_EMAIL.match(text)
    if match:
        return match.group(1).strip() or None
    name = cap_title(html_to_text((raw.get("author_detail") or {}).get("name")), MAX_NAME)
    if name and "(" not in name and "@" not in name:
        return name
    return None if "@" in text else text or None


def _unplace(value: str) -> str:
    """Map the stand-in base of file: feeds back to ``file://``."""
    return "file://" + value[len(_FILE_BASE) :] if value.startswith(_FILE_BASE + "/") else value


def _literally_in(value: str, body: bytes) -> bool:
    if not value or value.startswith(_FILE_BASE):
        return False
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError:
        return True  # an IRI: cannot tell in a legacy-encoded body, keep it
    return raw in body or raw.replace(b"&", b"&amp;") in body


def _written_as_root_path(link: str, body: bytes) -> bool:
    """True when ``link``'s path (and query) stands alone as an element's text in the body."""
    parts = urlsplit(link)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or len(path) < 2:
        return False
    try:
        raw = path.encode("ascii")
    except UnicodeEncodeError:
        return False
    return any(b">" + variant + b"<" in body for variant in (raw, raw.replace(b"&", b"&amp;")))


def _absolute(link: object, base: str, allow_file: bool, relative: bool = True) -> str | None:
    """An absolute http(s) URL (or ``file:`` when the feed itself is a file), else None."""
    if not isinstance(link, str) or not link.strip():
        return None
    link = link.strip()
    if link.startswith(_FILE_BASE + "/"):
        link = _unplace(link)
    elif relative:
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    try:
        split = urlsplit(link)
    except ValueError:
        return None
    if (
        split.scheme in ("http", "https")
        and split.hostname
        and not split.hostname.endswith(".invalid")
    ):
        return link
    if split.scheme == "file" and allow_file:
        if split.netloc and split.netloc != "localhost":  # "file:///a/b" mangled into "file://a/b"
            return f"file:///{split.netloc}{split.path}"
        return link
    return None


def to_utc(value: object) -> dt.datetime | None:
    """A sane, timezone-aware UTC datetime from a UTC ``struct_time`` or a ``datetime``."""
    try:
        if isinstance(value, time.struct_time) or (isinstance(value, tuple) and len(value) >= 6):
            when = dt.datetime(*value[:6], tzinfo=dt.UTC)  # type: ignore[misc]
        elif isinstance(value, dt.datetime):
            when = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
            when = when.astimezone(dt.UTC)
        else:
            return None
    except (ValueError, TypeError, OverflowError):
        return None
    if when.year < MIN_YEAR or when > dt.datetime.now(dt.UTC) + MAX_AHEAD:
        return None
    return when


def parse_datetime(text: str | None) -> dt.datetime | None:
    """Parse an ISO 8601, RFC 822 or other common date string into sane aware UTC (or None).

    A string without a time zone is taken as UTC; a date alone as midnight UTC.
    """
    if not text or not isinstance(text, str):
        return None
    text = text.strip()[:64]
    try:
        return to_utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1)))
    except ValueError:
        pass
    try:
        return to_utc(_feedparser_date(text))
    except Exception:  # noqa: BLE001 - feedparser's date handlers are many and lenient
        return None


def _parse_json_feed(body: bytes, url: str, source: str) -> ParsedFeed | None:
    """JSON Feed 1.0/1.1 (feedparser 6.0 does not read it); None when it is not one."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return None
    if "jsonfeed.org" not in str(doc.get("version", "")):
        return None
    allow_file = url.startswith("file:")
    entries: list[Entry] = []
    items = [item for item in doc["items"] if isinstance(item, dict)]
    for item in items:
        link = _absolute(item.get("url"), url, allow_file) or _absolute(
            item.get("external_url"), url, allow_file
        )
        guid = str(item["id"]) if item.get("id") is not None else None
        link = link or _absolute(guid, url, allow_file, relative=False)
        text = ""
        if not link:  # no page: an article only if the item carries its own text
            content = item.get("content_text") or item.get("content_html") or ""
            text = html_to_text(str(content))[:MAX_INLINE_CHARS]
            if len(text.split()) < MIN_INLINE_WORDS:
                continue
            title = html_to_text(str(item.get("title") or ""))
            link = inline_url(url, guid or _digest_of(f"{title}\n{text}"))
        authors = item.get("authors") or (
            [item["author"]] if isinstance(item.get("author"), dict) else []
        )
        author = next(
            (a.get("name") for a in authors if isinstance(a, dict) and a.get("name")), None
        )
        summary = item.get("summary") or item.get("content_text") or item.get("content_html") or ""
        published = parse_datetime(item.get("date_published"))
        updated = parse_datetime(item.get("date_modified"))
        entries.append(
            Entry(
                source=source,
                url=link,
                title=cap_title(html_to_text(str(item.get("title") or ""))),
                published=published or updated,
                updated=updated,
                summary=_cap(html_to_text(str(summary))),
                guid=guid,
                author=cap_title(html_to_text(str(author)), MAX_NAME) if author else None,
                text=text,
            )
        )
    skipped = len(items) - len(entries)
    return ParsedFeed(
        entries=tuple(entries),
        title=cap_title(html_to_text(str(doc.get("title") or "")), MAX_NAME),
        link=_absolute(doc.get("home_page_url"), url, allow_file) or "",
        warning=linkless_warning(skipped, len(items)) if skipped else None,
        linkless=skipped,
    )


def _cap(text: str) -> str:
    if len(text) <= MAX_SUMMARY_CHARS:
        return text
    return text[:MAX_SUMMARY_CHARS].rsplit(" ", 1)[0] + " \u2026"


