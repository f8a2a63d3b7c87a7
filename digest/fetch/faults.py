"""What went wrong, in one line: HTTP statuses, transport failures and Retry-After for the fetcher.

Transport failures (refused, reset, TLS, protocol errors) become :class:`~digest.errors.FetchError`
or :class:`~digest.errors.TransientFetchError` with a short human message; ``redact`` strips
credentials from URLs before they are logged.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import ssl
from http import HTTPStatus

import httpx

from digest.errors import FetchError, TransientFetchError
from digest.text.lines import one_line

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
NO_RESPONSE = "server closed the connection without a response"  # often a stale keep-alive


def status_text(status: int, reason: str = "") -> str:
    """``"HTTP 404 Not Found"``."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason.strip()
    return f"HTTP {status} {phrase}".rstrip()


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return one_line(text[0]) if text else type(exc).__name__


def _root_oserror(exc: BaseException) -> OSError | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, OSError) and (cur.errno is not None or isinstance(cur, ssl.SSLError)):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def network_error(url: str, exc: httpx.HTTPError) -> FetchError:
    """A one-line FetchError for a transport failure; resets and refusals are transient."""
    root = _root_oserror(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        return FetchError(url, f"TLS certificate rejected ({root.verify_message or 'invalid'})")
    if isinstance(root, ssl.SSLError):
        return TransientFetchError(url, f"TLS error ({root.reason or 'handshake failed'})")
    code = root.errno if root is not None else None
    named = {errno.ECONNREFUSED: "connection refused", errno.ECONNRESET: "connection reset",
             errno.EPIPE: "connection reset", errno.ECONNABORTED: "connection aborted",
             errno.EHOSTUNREACH: "host unreachable", errno.ENETUNREACH: "network unreachable"}
    if code in named:
        return TransientFetchError(url, named[code])
    text = first_line(exc).lower()
    if isinstance(exc, httpx.LocalProtocolError):  # our request was malformed: retrying won't help
        return FetchError(url, f"invalid request ({first_line(exc)})")
    if isinstance(exc, httpx.RemoteProtocolError):
        # HTTP/1.1's stale keep-alive, or an HTTP/2 connection that closed with requests on it
        # (httpcore fails every stream of it as "Server disconnected"): retried, once, freely
        if ("without sending" in text and "response" in text) or text == "server disconnected":
            return TransientFetchError(url, NO_RESPONSE)
        if "incomplete" in text or "complete message body" in text:
            return TransientFetchError(url, "connection closed before the body was complete")
        return FetchError(url, f"invalid HTTP response ({first_line(exc)})")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchError(url, f"invalid URL ({first_line(exc)})")
    if isinstance(exc, httpx.TransportError):
        return TransientFetchError(url, f"network error ({first_line(exc)})")
    return FetchError(url, f"request failed ({first_line(exc)})")


# Everything the URL and HTTP libraries may raise for hostile input: httpx's own errors, its
# InvalidURL/StreamError/CookieConflict (outside httpx.HTTPError), and the ValueError/UnicodeError
# family (urllib's "Invalid IPv6 URL", idna's IDNAError, non-ASCII header values).
HTTP_STACK_ERRORS: tuple[type[Exception], ...] = (
    httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict, ValueError)


def stack_error(url: str, exc: Exception) -> FetchError:
    """A one-line FetchError for any exception in :data:`HTTP_STACK_ERRORS`."""
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, httpx.HTTPError):
        return network_error(url, exc)
    if isinstance(exc, httpx.InvalidURL):
        return FetchError(url, f"invalid URL ({first_line(exc)})")
    if isinstance(exc, UnicodeError):
        return FetchError(url, f"invalid URL or header value ({first_line(exc)})")
    if isinstance(exc, ValueError):
        return FetchError(url, f"invalid request ({first_line(exc)})")
    return FetchError(url, f"request failed ({first_line(exc)})")


def header_safe(value: str) -> bool:
    """True when ``value`` can be sent as an HTTP header value as is (printable ASCII, tabs)."""
    return all(c == "\t" or " " <= c <= "~" for c in value)
