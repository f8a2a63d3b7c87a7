"""Canonical URLs: one identity for the many addresses of the same article.

Folds what the web varies without changing the article: scheme (http/https), host case, ``www.``,
mobile and AMP hosts or paths, default ports, tracking parameters, fragments, trailing slashes,
``index.html`` and percent-encoding case. The result is an identity, never fetched.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_SECRET_PARAM = re.compile(r"(?i)(token|key|secret|pass|password|passwd|pwd|sig|signature|auth)")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")

# Query parameters that track the reader, not the resource.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "ref", "ref_src", "ref_url", "referrer", "source", "src",
    "cmpid", "cmp", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
    "ns_fee", "ocid", "sr_share", "share", "smid", "smtyp", "soc_src", "soc_trk", "rss",
    "partner", "outputtype", "amp", "amp_js_v", "usqp", "__twitter_impression", "s_cid",
    "icid", "mbid", "taid", "spm", "feature", "via", "xtor", "at_medium", "at_campaign",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "at_")
MOBILE_HOST = re.compile(r"^(?:m|mobile|amp|www|www\d)\.", re.I)
AMP_PATH = re.compile(r"(?:/amp|/amp\.html|\.amp)(?=/?$)|\.amp(?=\.html?$)|(?<=/)amp/(?=.)", re.I)
INDEX_FILE = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?)$", re.I)


ITEM_PARAM = "digest-item"  # marks the address of a feed item that has no link (feeds.inline_url)


@lru_cache(maxsize=1 << 16)  # a day's thousands of items are asked for again by every story
def canonical_url(url: str) -> str:
    """Return the canonical identity of ``url`` (idempotent; never raises)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if scheme != "file":
            return url.strip()
        # a local file's query means nothing, except the identity of a feed item with no link
        item = parts.query if parts.query.startswith(ITEM_PARAM + "=") else ""
        return _canonical_file(parts.path) + (f"?{item}" if item else "")
    host = (parts.hostname or "").rstrip(".").lower()
    while MOBILE_HOST.match(host) and host.count(".") >= 2:
        host = host.split(".", 1)[1]
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = _canonical_path(parts.path)
    query = _canonical_query(parts.query)
    return urlunsplit(("https", netloc, path, query, ""))


def _canonical_path(path: str) -> str:
    path = quote(unquote(path or "/"), safe="/:@!$&'()*+,;=-._~")
    path = re.sub(r"/{2,}", "/", path)
    path = posixpath.normpath(path) if path not in ("", "/") else "/"
    if not path.startswith("/"):
        path = "/" + path
    path = AMP_PATH.sub("", path) or "/"
    path = INDEX_FILE.sub("/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
            if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)]
    return urlencode(sorted(kept))


def _canonical_file(path: str) -> str:
    path = _canonical_path(path)
    return "file://" + path


def redact_url(url: str) -> str:
    """``url`` without user:password and with secret-looking query values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc.rsplit("@", 1)[-1] if "@" in parts.netloc else parts.netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(k) for k, _ in pairs):
            query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Free text (an error message) with credentials in any URL it quotes removed."""
    return _USERINFO.sub(r"\1***@", text)
