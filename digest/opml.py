"""Read feed subscriptions from an OPML file (the export format of every feed reader)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from digest.errors import ConfigError
from digest.text.clean import html_to_text
from digest.text.lines import one_line

log = logging.getLogger(__name__)

MAX_OPML_BYTES = 20_000_000
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_URL_ATTRS = ("xmlUrl", "xmlurl", "XMLURL", "xmlURL", "url")


def read_opml(path_or_bytes: str | Path | bytes) -> list[tuple[str, str]]:
    """The ``(name, feed URL)`` pairs of an OPML file, in document order, without duplicates.

    Nested folders are flattened; the name is the outline's ``title``, else its ``text``, else the
    URL. ``feed://`` URLs become ``http(s)://``; outlines without an ``http(s)`` feed URL are
    skipped. Raises :class:`ConfigError` (one line) when the file is unreadable or not OPML.
    Entity declarations are refused; DTDs and the network are never loaded.
    """
    where, data = _read(path_or_bytes)
    if _ENTITY_DECL.search(data[:65536]):
        # No feed reader writes them; they are how XXE and "billion laughs" attacks start.
        raise ConfigError(
            where, None, "not an OPML file: entity declarations (<!ENTITY>) are refused"
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ConfigError(where, None, f"not an OPML file: {one_line(exc)}") from None
    if root is None:
        raise ConfigError(where, None, "not an OPML file: no XML document found")
    tag = etree.QName(root).localname.lower() if isinstance(root.tag, str) else ""
    if tag != "opml":
        raise ConfigError(
            where, None, f"not an OPML file: the root element is <{tag or '?'}>, not <opml>"
        )
    body = next(
        (
            el
            for el in root
            if isinstance(el.tag, str) and etree.QName(el).localname.lower() == "body"
        ),
        None,
    )
    if body is None:
        raise ConfigError(where, None, "not an OPML file: <opml> has no <body>")

    feeds: dict[str, str] = {}
    for outline in body.iter():
        if not isinstance(outline.tag, str) or etree.QName(outline).localname.lower() != "outline":
            continue
        raw = next((outline.get(a) for a in _URL_ATTRS if outline.get(a)), None)
        if not raw:
            continue  # a folder, or a plain link outline
        url = _feed_url(raw)
        if url is None:
            log.info("%s: skipping outline with unusable feed URL %r", where, raw[:200])
            continue
        name = html_to_text(outline.get("title") or outline.get("text") or "") or url
        feeds.setdefault(url, name)
    return [(name, url) for url, name in feeds.items()]


def _read(path_or_bytes: str | Path | bytes) -> tuple[str, bytes]:
    if isinstance(path_or_bytes, bytes):
        return "<opml>", path_or_bytes
    text = str(path_or_bytes)
    if text.lstrip().startswith("<"):
        return "<opml>", text.encode("utf-8")
    path = Path(text)
    try:
        if path.stat().st_size > MAX_OPML_BYTES:
            raise ConfigError(path, None, f"OPML file larger than {MAX_OPML_BYTES} bytes")
        return str(path), path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read OPML file: {exc.strerror or exc}") from None


def _feed_url(raw: str) -> str | None:
    url = raw.strip()
    lower = url.lower()
    if lower.startswith("feed://"):
        url = "http://" + url[7:]
    elif lower.startswith("feed:"):
        url = url[5:]
    try:
        split = urlsplit(url)
    except ValueError:
        return None
    if split.scheme.lower() not in ("http", "https") or not split.hostname:
        return None
    from digest._configcheck import url_problem  # one that a config would refuse is skipped too

    return None if url_problem(url) else url


