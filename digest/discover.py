"""Feed autodiscovery: the feed URLs an HTML page advertises (never fetches anything)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

# <link rel="alternate" type=...> values that announce a feed.
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json+feed",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
        "application/x.atom+xml",
        "application/rss",
        "application/atom",
        "text/rss+xml",
        "text/atom+xml",
        "text/rdf+xml",
        "text/xml",
        "application/xml",
    }
)
# <a href> that look like feeds: trafilatura.feeds.LINK_VALIDATION_RE (feedfinder's heuristics).
LOOKS_LIKE_FEED = re.compile(
    r"\.(?:atom|rdf|rss|xml)$|\b(?:atom|rss)\b|\?type=100$|feeds/posts/default/?$"
    r"|\?feed=(?:atom|rdf|rss|rss2)|feed/?$|feed\.json$",
    re.I,
)
COMMENT_FEED = re.compile(r"\bcomments?\b", re.I)  # comment feeds are not news
_MAX_ANCHORS = 2000


def discover_feeds(html: bytes | str, base_url: str) -> list[str]:
    """Absolute feed URLs advertised by a page, in page order, without duplicates.

    First ``<link rel="alternate">`` elements with a feed media type; when there are none, ``<a
    href>`` links that look like feeds (``.rss``/``.xml``/``/feed`` ...), as trafilatura's feed
    finder does. ``<base href>`` is honoured. Comment feeds are left out. Never raises.
    """
    try:
        tree = _load(html)
    except (etree.ParserError, ValueError, TypeError) as exc:
        log.debug("discover %s: not parseable HTML: %s", base_url, exc)
        return []
    if tree is None:
        return []
    base = base_url
    for node in tree.iter("base"):
        href = (node.get("href") or "").strip()
        if href:
            base = _join(base_url, href) or base_url
            break

    candidates: list[str] = []
    for node in tree.iter("link"):
        rels = (node.get("rel") or "").lower().split()
        mime = (node.get("type") or "").split(";")[0].strip().lower()
        href = (node.get("href") or "").strip()
        if (
            "alternate" in rels
            and href
            and (mime in FEED_TYPES or (not mime and LOOKS_LIKE_FEED.search(href)))
        ):
            candidates.append(href)
    if not candidates:
        for i, node in enumerate(tree.iter("a")):
            if i >= _MAX_ANCHORS:
                break
            href = (node.get("href") or "").strip()
            if href and LOOKS_LIKE_FEED.search(href.split("#")[0]):
                candidates.append(href)

    found: dict[str, None] = {}
    for href in candidates:
        url = _join(base, href)
        if url and not COMMENT_FEED.search(url) and url not in found:
            found[url] = None
    return list(found)


def _load(html: bytes | str) -> etree._Element | None:
    if isinstance(html, bytes):
        if not html.strip():
            return None
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        return lxml.html.document_fromstring(html, parser=parser)
    if not html.strip():
        return None
    # lxml refuses str input that carries an XML encoding declaration.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
    return lxml.html.document_fromstring(html)


def _join(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href)
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    if scheme not in ("http", "https", "file"):
        return None
    if scheme == "file" and not base.startswith("file:"):
        return None  # a web page cannot point us at local files
    return url
