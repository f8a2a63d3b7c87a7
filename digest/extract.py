"""Article page bytes to an Article (trafilatura): clean text plus metadata, debris removed."""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import html as htmllib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from digest.errors import ExtractError
from digest.feeds import parse_datetime
from digest.fetch.body import magic_kind
from digest.models import Article, Entry, Screened
from digest.screen import Screen, screen_text
from digest.text.bounds import MAX_NAME, cap_title
from digest.text.clean import clean_article_text, count_words, html_to_text, normalise_for_hash
from digest.text.lines import one_line

log = logging.getLogger(__name__)

MIN_WORDS = 25  # fewer words than this is a stub, a teaser or a paywall, not an article
FAVOR = "balanced"  # "precision", "recall" or "balanced": see docs/RELIABILITY.md (Article extraction)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG: these labels mean their supersets on the web.
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)

_FEED_ROOT = re.compile(r"^(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S | re.I)
_MARKUP = re.compile(r"<(?:html|head|body|p|div|article|title|meta|br|span|table|h[1-6])\b", re.I)

_META_TAG = re.compile(r"<meta\s[^>]*>", re.I)
_ATTR = re.compile(r"""(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ITEMPROP_DATE = re.compile(
    r"<[a-z]+\s[^<>]*itemprop\s*=\s*[\"']?date(Published|Modified)[\"']?[^<>]*>", re.I
)
_JSONLD_BLOCK = re.compile(
    r"(<script[^>]*type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>)(.*?)(</script>)",
    re.I | re.S)
_JSONLD_DATE = re.compile(r"\"date(Published|Modified|Created)\"\s*:\s*\"([^\"]{8,40})\"")
_HTML_LANG = re.compile(
    r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*", re.I
)
_TITLE_TAG = re.compile(r"<title[^>]*>\s*[^<\s]|<h1\b", re.I)
_PUBLISHED_KEYS = tuple(
    "article:published_time og:article:published_time article:published datepublished publishdate"
    " publish-date pubdate dc.date.issued dcterms.issued dcterms.created"
    " dc.date date sailthru.date parsely-pub-date article.published original-publish-date".split()
)
_MODIFIED_KEYS = tuple(
    "article:modified_time og:updated_time datemodified dcterms.modified article:updated_time lastmod last-modified".split()
)


@dataclass(frozen=True)
class ExtractFailure:
    """A fetched page that gave no article: ``crashed`` (a worker died: worth another try next
    run) or not (a page with no article text stays without one)."""

    reason: str
    crashed: bool = False


def extract_article(
    body: bytes,
    *,
    url: str,
    entry: Entry | None,
    outlet: str,
    source: str = "",
    content_type: str | None = None,
) -> Article:
    """Extract the article of a fetched page; raise ExtractError (one line) when there is none.

    Text comes from trafilatura (comments and tables left out) and is cleaned of debris; the
    title, dates and author prefer what the page declares, then the feed ``entry``, except the
    publication date, where the feed's date wins. ``outlet`` is replaced by the page's
    ``og:site_name`` when it declares one. ``content_type`` (the HTTP header) helps decoding.
    """
    if _is_binary(body):
        raise ExtractError("not HTML (binary data)")
    html = decode_html(body, content_type)
    _check_is_html(html)
    html = _repair_jsonld(_neutralise_declarations(html))
    import trafilatura  # heavy import, deferred so that importing digest stays fast

    try:
        doc = trafilatura.bare_extraction(
            html, url=url if url.startswith("http") else None, options=_options()
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura can fail in many ways on odd markup
        raise ExtractError(f"extraction failed: {type(exc).__name__}: {one_line(exc)}") from None
    raw_text = (getattr(doc, "text", None) or "") if doc is not None else ""
    meta = page_metadata(html)
    page_title = html_to_text(getattr(doc, "title", None)) if meta["has_title"] else ""
    title = (
        page_title or (entry.title if entry else "") or html_to_text(getattr(doc, "title", None))
    )
    text = clean_article_text(raw_text, title)
    if not text:
        raise ExtractError("no article text found")
    words = count_words(text)
    if words < MIN_WORDS:
        raise ExtractError(f"page too short ({words} words)")

    page_date = meta.get("published") or _date_only(getattr(doc, "date", None))
    author = html_to_text(getattr(doc, "author", None)) or (entry.author if entry else None)
    return Article(
        url=url,
        canonical_url=_canonical(url),
        source=source or (entry.source if entry else ""),
        outlet=cap_title(meta.get("site_name") or outlet, MAX_NAME),
        title=cap_title(title),
        text=text,
        published=(entry.published if entry and entry.published else None) or page_date,
        updated=(entry.updated if entry and entry.updated else None) or meta.get("modified"),
        author=cap_title(author, MAX_NAME) if author else None,
        description=html_to_text(getattr(doc, "description", None)) or meta.get("description", ""),
        language=meta.get("language"),
        content_hash=hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest(),
    )


def inline_article(entry: Entry, *, outlet: str) -> Article:
    """The article of a feed item that has no page, only its own text (``Entry.inline``)."""
    text = clean_article_text(entry.text, title=entry.title)
    return Article(
        url=entry.url, canonical_url=_canonical(entry.url), source=entry.source,
        outlet=cap_title(outlet, MAX_NAME), title=cap_title(entry.title), text=text,
        published=entry.published, updated=entry.updated, author=entry.author,
        description=entry.summary if entry.summary != text else "",
        content_hash=hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest(),
    )


def screened_article(body: bytes, *, url: str, entry: Entry, outlet: str, screen: Screen,
                     source: str = "", content_type: str | None = None) -> Screened | None:
    """The page as a :class:`Screened` record (title and dates from the feed item) when it
    cannot be about the story (:mod:`digest.screen`), else None: extract it.

    Only dated feed items are screened (an undated one needs the page's date to place it in a
    day), and never a page that extraction would reject as not HTML."""
    return screened_many(body, url=url, entry=entry, outlet=outlet, screens=(screen,),
                         source=source, content_type=content_type)[0]


def screened_many(body: bytes, *, url: str, entry: Entry, outlet: str,
                  screens: tuple[Screen | None, ...], source: str = "",
                  content_type: str | None = None) -> tuple[Screened | None, ...]:
    """:func:`screened_article` under each of several stories' screens (None: that story does
    not screen), decoding and reducing the page once: one crawl serving many stories."""
    if entry.published is None and entry.updated is None:
        return (None,) * len(screens)
    if all(s is None or not s.concepts for s in screens) or _is_binary(body):
        return (None,) * len(screens)
    text = screen_text(decode_html(body, content_type), entry)
    out: list[Screened | None] = []
    for screen in screens:
        missing = screen.missing_in(text) if screen is not None and screen.concepts else None
        out.append(None if missing is None else Screened(
            url=url, canonical_url=_canonical(url), source=source or entry.source, outlet=outlet,
            title=entry.title, missing=missing, screen=screen.fingerprint,  # type: ignore[union-attr]
            published=entry.published, updated=entry.updated, author=entry.author))
    return tuple(out)


def _is_binary(body: bytes) -> bool:
    """A known binary format, or NUL bytes in a body that is not UTF-16."""
    utf16 = body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return magic_kind(body.lstrip()[:16]) is not None or (b"\x00" in body[:1024] and not utf16)


@functools.lru_cache(maxsize=1)
def _options() -> Any:
    """The one trafilatura options object, built on first use (per worker process)."""
    from trafilatura.settings import Extractor

    _skip_unused_metadata()
    max_date = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    return Extractor(
        output_format="python",
        precision=FAVOR == "precision",
        recall=FAVOR == "recall",
        comments=False,
        tables=True,  # measured: layout tables hold article text on older sites (see docs)
        images=False,
        links=False,
        formatting=False,
        with_metadata=True,
        # our own reader finds exact timestamps; htmldate's text search is only a slow fallback
        date_params={"original_date": True, "extensive_search": False, "max_date": max_date},  # type: ignore[dict-item]
    )


def _skip_unused_metadata() -> None:
    """trafilatura's metadata pass also looks for categories, tags and a licence, which digest
    never reads: 6% of extraction time on real pages, 15% on link-heavy ones (bench/scale.py).
    Skip those two lookups. Text, title, author, dates, site name and description come out the
    same (checked on all 586 real pages of ../shared/data/extraction and 2,000 synthetic ones).
    """
    from trafilatura import metadata

    metadata.extract_catstags = lambda metatype, tree: []  # type: ignore[attr-defined]
    metadata.extract_license = lambda tree: None  # type: ignore[attr-defined]


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page: BOM, then valid UTF-8, then the declared charset, then a guess."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared: list[str] = []
    if content_type and (param := _CHARSET_PARAM.search(content_type)):
        declared.append(param.group(1))
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        if found := pattern.search(head):
            declared.append(found.group(1).decode("ascii", "replace"))
    for label in declared:
        charset = _codec(label)
        if charset and charset not in ("utf-8", "utf-16", "utf-32"):
            try:
                return body.decode(charset)
            except UnicodeDecodeError:
                continue
    try:
        from charset_normalizer import from_bytes

        sample = body if len(body) < 20000 else body[:10000] + body[-10000:]
        best = from_bytes(sample).best()
        if best is not None and best.encoding:
            return body.decode(best.encoding, errors="replace")
    except (LookupError, ImportError):
        pass
    codec = next((c for c in map(_codec, declared) if c), "cp1252")
    return body.decode(codec, errors="replace")


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _check_is_html(html: str) -> None:
    head = html[:2048].lstrip("\ufeff \t\r\n")
    if not head:
        raise ExtractError("not HTML (empty page)")
    if _FEED_ROOT.match(head):
        raise ExtractError("not HTML (a feed)")
    if head[0] in "{[":
        raise ExtractError("not HTML (JSON)")
    if not _MARKUP.search(html[:65536]):
        raise ExtractError("not HTML (no markup)")


def _neutralise_declarations(html: str) -> str:
    """Drop an XML declaration and say utf-8 in meta charset: the text is already decoded."""
    head = re.sub(r"^\s*<\?xml[^>]*\?>", "", html[:4096], count=1)
    head = re.sub(
        r"(<meta[^>]+charset\s*=\s*[\"']?\s*)[A-Za-z0-9_.:-]+",
        r"\g<1>utf-8",
        head,
        count=1,
        flags=re.I,
    )
    return head + html[4096:]


def _repair_jsonld(html: str) -> str:
    """JSON-LD that a site escaped as HTML (``{&#34;author&#34;: ...}``) is not JSON; trafilatura
    then reads it with a fallback that runs the author's words together ("KarinLindholm").
    Such a block is unescaped when that makes it valid JSON; every other block is left alone."""
    def fix(m: re.Match[str]) -> str:
        body = m.group(2)
        if "&" not in body:
            return m.group(0)
        try:
            json.loads(body)
            return m.group(0)
        except ValueError:
            pass
        unescaped = htmllib.unescape(body)
        try:
            json.loads(unescaped)
        except ValueError:
            return m.group(0)
        return m.group(1) + unescaped + m.group(3)

    return _JSONLD_BLOCK.sub(fix, html)


def page_metadata(html: str) -> dict[str, Any]:
    """What the page declares about itself: dates (aware UTC), site name, description, language."""
    found: dict[str, str] = {}
    scope = html[:400_000]
    for tag in _META_TAG.finditer(scope):
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(tag.group(0))
        }
        key = (
            (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "")
            .strip()
            .lower()
        )
        if key and attrs.get("content") and key not in found:
            found[key] = attrs["content"].strip()
    for tag in _ITEMPROP_DATE.finditer(scope):
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(tag.group(0))
        }
        value = attrs.get("datetime") or attrs.get("content")
        if value:
            found.setdefault(f"itemprop:date{tag.group(1).lower()}", value)
    for m in _JSONLD_DATE.finditer(scope):
        found.setdefault(f"jsonld:date{m.group(1).lower()}", m.group(2))

    meta: dict[str, Any] = {}
    meta["published"] = _first_date(
        found,
        (
            "article:published_time",
            "jsonld:datepublished",
            "itemprop:datepublished",
            *_PUBLISHED_KEYS,
            "jsonld:datecreated",
        ),
    )
    meta["modified"] = _first_date(
        found,
        ("article:modified_time", "jsonld:datemodified", "itemprop:datemodified", *_MODIFIED_KEYS),
    )
    site = html_to_text(found.get("og:site_name"))
    if site:
        meta["site_name"] = site
    # trafilatura falls back on any <h2> for a title; only a declared title beats the feed's
    meta["has_title"] = bool(
        found.get("og:title") or found.get("twitter:title") or _TITLE_TAG.search(scope)
    )
    meta["description"] = html_to_text(found.get("og:description") or found.get("description"))
    lang = _HTML_LANG.search(scope[:5000])
    locale = found.get("og:locale") or found.get("content-language") or found.get("language") or ""
    meta["language"] = (lang.group(1) if lang else locale[:2]).lower() or None
    return meta


def _first_date(found: dict[str, str], keys: tuple[str, ...]) -> dt.datetime | None:
    for key in keys:
        when = parse_datetime(found.get(key))
        if when is not None:
            return when
    return None


def _date_only(value: str | None) -> dt.datetime | None:
    """trafilatura/htmldate give a day ("2016-09-17"): noon UTC of that day. A page dated so was
    most likely published in that day's daytime, which a morning digest's window (07:00 to 07:00)
    takes the next morning; midnight put it in the window before, which had closed before the
    page was out, so an undated feed item with such a page was never shown."""
    when = parse_datetime(value) if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    return when.replace(hour=12) if when is not None else None


def _canonical(url: str) -> str:
    try:
        from digest.urls import canonical_url
    except ImportError:  # pragma: no cover - urls.py is written in parallel
        return url
    return canonical_url(url)


