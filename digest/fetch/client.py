"""HTTP(S) and ``file:`` fetching: timeouts, size caps, conditional GET, retries, redirects, SSRF guard.

One :class:`Fetcher` per run, shared by every thread: one keep-alive connection pool (HTTP/2 when
``h2`` is installed and the server offers it), one DNS cache, one set of per-host slots. Every
failure is a :class:`~digest.errors.FetchError` with a one-line ``problem`` ("HTTP 404 Not Found",
"timed out after 20 s", "refused: 10.0.0.5 is a private address" ...), logged once at WARNING.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from digest.config import FetchSettings
from digest.errors import BlockedURLError, FetchError, TransientFetchError
from digest.fetch.backend import GuardedTransport, PerHostTransport, deadline_scope
from digest.fetch.body import DeadlinePassed, UnusableBody, content_problem, read_body
from digest.fetch.faults import (
    HTTP_STACK_ERRORS,
    NO_RESPONSE,
    TRANSIENT_STATUS,
    first_line,
    header_safe,
    parse_retry_after,
    stack_error,
    status_text,
)
from digest.fetch.files import read_local
from digest.fetch.guard import (
    AddressPolicy,
    Guard,
    Lookup,
    RefusedAddress,
    ResolveError,
    normalize_host,
)
from digest.fetch.pool import BUDGET_EXHAUSTED, HostGate, SlotTimeout, fetch_concurrently
from digest.models import Response
from digest.urls import redact_url

log = logging.getLogger(__name__)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_WAIT = 30.0  # never sleep longer than this between attempts
ACCEPT = ("text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
          "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.8")
DRAIN_BYTES = 65_536  # a redirect's body is read (to keep the connection) only up to this


class Fetcher:
    """Fetch ``http``, ``https`` and (under ``local_root``) ``file:`` URLs; thread-safe."""

    def __init__(self, settings: FetchSettings | None = None, local_root: Path | None = None, *,
                 verify: ssl.SSLContext | str | bool = True, lookup: Lookup | None = None,
                 backoff: float = 0.5, http2: bool | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.local_root = Path(local_root).resolve() if local_root is not None else None
        self.guard = Guard(AddressPolicy(self.settings.allow_networks), lookup,
                           timeout=min(self.settings.timeout, 10.0))
        self.gate = HostGate(self.settings.per_host, self.settings.delay)
        self.backoff = backoff
        s = self.settings
        if not isinstance(verify, ssl.SSLContext):  # one context (CA bundle) for every pool
            verify = httpx.create_ssl_context(verify=verify)
        ctx = verify
        transport = PerHostTransport(lambda: GuardedTransport(
            self.guard, verify=ctx, http2=http2, max_connections=max(2, s.per_host)))
        self._transport = transport  # requests go straight to it: redirects are ours to judge
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(s.timeout, connect=min(s.timeout, 10.0)),
            headers={"User-Agent": s.user_agent, "Accept": ACCEPT,
                     "Accept-Encoding": "gzip, deflate"})

    # -- public API --------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            max_bytes: int | None = None, deadline: float | None = None) -> Response:
        """Fetch one URL (following redirects, retrying transient failures) or raise FetchError.

        ``etag``/``last_modified`` make the request conditional: an unchanged resource returns
        ``Response(status=304)`` with an empty body. ``deadline`` (a ``time.monotonic()`` value)
        bounds everything, retries included.
        """
        try:
            try:
                return self._get(url, etag, last_modified, max_bytes or self.settings.max_bytes,
                                 deadline)
            except HTTP_STACK_ERRORS as exc:  # whatever the URL and HTTP libraries raise
                raise stack_error(url, exc) from None
        except FetchError as exc:
            log.warning("fetch failed: %s: %s", redact_url(url), exc.problem)
            raise

    def get_many(self, urls: Iterable[str], *, deadline: float | None = None,
                 max_pending: int | None = None) -> Iterator[tuple[str, Response | FetchError]]:
        """Fetch URLs concurrently; yield ``(url, Response | FetchError)`` as each completes.

        At most ``concurrency`` requests in flight, ``per_host`` per host, ``delay`` seconds
        between starts to one host. Work not finished by ``deadline`` fails with
        "source time budget exhausted". Each distinct URL is yielded exactly once. With
        ``max_pending``, no new request starts while that many results wait to be taken (a slow
        consumer then bounds memory).
        """
        return fetch_concurrently(lambda u: self.get(u, deadline=deadline), urls,
                                  host_of=host_key, concurrency=self.settings.concurrency,
                                  per_host=self.settings.per_host, deadline=deadline,
                                  max_pending=max_pending)

    def close(self) -> None:
        self._client.close()
        self.guard.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one URL -----------------------------------------------------------------------------

    def _get(self, url: str, etag: str | None, last_modified: str | None, max_bytes: int,
             deadline: float | None) -> Response:
        start = time.monotonic()
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError as exc:
            raise FetchError(url, f"invalid URL ({first_line(exc)})") from None
        if scheme == "file":
            resp = read_local(url, self.local_root, max_bytes, etag, last_modified)
            if resp.status == 200:
                problem = content_problem(resp.body, resp.content_type)
                if problem:
                    raise FetchError(url, problem)
            return replace(resp, elapsed=time.monotonic() - start)
        if scheme not in ("http", "https"):
            shown = f"{scheme}:" if scheme else "a relative"
            raise BlockedURLError(url, f"refused: {shown} URL (only http, https and file)")
        headers = {}
        if etag and header_safe(etag):  # validators come from servers: never resend junk
            headers["If-None-Match"] = etag
        if last_modified and header_safe(last_modified):
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        attempt, stale_retry = 0, True
        while attempt < attempts:
            attempt += 1
            if deadline is not None and time.monotonic() >= deadline:
                raise FetchError(url, BUDGET_EXHAUSTED)
            try:
                resp = self._follow(url, headers, max_bytes, deadline)
                return replace(resp, elapsed=time.monotonic() - start)
            except TransientFetchError as exc:
                last = exc
                if exc.problem == NO_RESPONSE and stale_retry:  # a pooled connection went stale:
                    stale_retry = False  # one free, immediate retry on a fresh connection
                    attempt -= 1
                    continue
                wait = self._retry_wait(attempt, exc.retry_after)
                if attempt == attempts:
                    break
                if wait is None:
                    raise TransientFetchError(
                        url, f"{exc.problem} (server asks to retry after {exc.retry_after:.0f} s)",
                        exc.retry_after) from None
                if deadline is not None and time.monotonic() + wait >= deadline:
                    break
                time.sleep(wait)
        if attempt > 1:
            raise TransientFetchError(url, f"{last.problem} (after {attempt} attempts)",
                                      last.retry_after) from None
        raise last

    def _retry_wait(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt; None when the server asks for too long."""
        if retry_after is not None:
            return None if retry_after > MAX_RETRY_WAIT else max(0.0, retry_after)
        return min(MAX_RETRY_WAIT, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)

    def _follow(self, url: str, headers: dict[str, str], max_bytes: int,
                deadline: float | None) -> Response:
        current, seen, redirects = url, {_no_fragment(url)}, 0
        while True:
            step = self._exchange(url, current, headers, max_bytes, deadline)
            if isinstance(step, Response):
                return step
            redirects += 1
            if redirects > self.settings.max_redirects:
                raise FetchError(url, f"too many redirects ({redirects})")
            try:
                nxt = str(httpx.URL(current).join(step))
            except (httpx.InvalidURL, ValueError) as exc:
                raise FetchError(url, f"bad redirect location ({first_line(exc)})") from None
            try:
                scheme = urlsplit(nxt).scheme.lower()
            except ValueError as exc:
                raise FetchError(url, f"bad redirect location ({first_line(exc)})") from None
            if scheme not in ("http", "https"):
                raise BlockedURLError(url, f"refused: redirect to a {scheme}: URL")
            if _no_fragment(nxt) in seen:
                raise FetchError(url, "redirect loop")
            seen.add(_no_fragment(nxt))
            current = nxt

    def _exchange(self, url: str, current: str, headers: dict[str, str], max_bytes: int,
                  deadline: float | None) -> Response | str:
        """One request: a Response, or the Location of a redirect."""
        try:
            host = urlsplit(current).hostname
        except ValueError as exc:
            raise FetchError(url, f"invalid URL ({first_line(exc)})") from None
        if not host:
            raise FetchError(url, "invalid URL (no host)")
        try:
            literal = self.guard.check_literal(host)  # fast refusal before any connection
        except RefusedAddress as exc:
            raise BlockedURLError(url, exc.problem) from None
        if literal is not None and literal.version == 4 and host != str(literal):
            current = _with_host(current, str(literal))  # 0177.0.0.1 -> 127.0.0.1, as browsers do
        try:
            target = httpx.URL(current)
            if not target.host:  # .host decodes IDNA: it can raise too
                raise FetchError(url, "invalid URL (no host)")
        except (httpx.InvalidURL, ValueError) as exc:
            raise FetchError(url, f"invalid URL ({first_line(exc)})") from None
        try:
            with self.gate.slot(normalize_host(target.host), deadline):
                timeout = self.settings.timeout
                limit = time.monotonic() + timeout
                hard = limit if deadline is None else min(limit, deadline)
                try:
                    with deadline_scope(hard):
                        request = self._client.build_request("GET", target, headers=headers)
                        # Not Client.send: it parses every Location itself (even with redirects
                        # off) and raises outside httpx.HTTPError on javascript:, data: ...
                        response = self._transport.handle_request(request)
                        response.request = request
                        try:
                            return self._handle(url, current, response, headers, max_bytes, hard)
                        finally:
                            response.close()
                except httpx.TimeoutException:
                    if deadline is not None and deadline <= limit and time.monotonic() >= deadline - 0.05:
                        raise FetchError(url, BUDGET_EXHAUSTED) from None
                    raise TransientFetchError(url, f"timed out after {timeout:g} s") from None
        except SlotTimeout:
            raise FetchError(url, BUDGET_EXHAUSTED) from None
        except RefusedAddress as exc:
            raise BlockedURLError(url, exc.problem) from None
        except ResolveError as exc:
            cls = TransientFetchError if exc.transient else FetchError
            raise cls(url, exc.problem) from None
        except HTTP_STACK_ERRORS as exc:
            raise stack_error(url, exc) from None

    def _handle(self, url: str, current: str, response: httpx.Response, sent: dict[str, str],
                max_bytes: int, hard: float) -> Response | str:
        status = response.status_code
        headers = _headers(response)
        if status in REDIRECTS and headers.get("location"):
            _drain(response)
            return headers["location"]
        if status == 304 and sent:
            return Response(url=url, final_url=current, status=304, headers=headers, body=b"")
        if 200 <= status < 300:
            ctype = headers.get("content-type", "")
            try:
                body = read_body(response.iter_raw(), headers.get("content-encoding", ""), ctype,
                                 headers.get("content-length", ""), max_bytes, hard)
            except UnusableBody as exc:
                raise FetchError(url, str(exc)) from None
            except DeadlinePassed:
                raise httpx.ReadTimeout("request deadline passed") from None
            problem = content_problem(body, ctype)
            if problem:
                raise FetchError(url, problem)
            headers.pop("content-encoding", None)
            headers["content-length"] = str(len(body))
            return Response(url=url, final_url=current, status=status, headers=headers, body=body)
        text = status_text(status, response.reason_phrase)
        if status in TRANSIENT_STATUS:
            raise TransientFetchError(url, text, parse_retry_after(headers.get("retry-after")))
        raise FetchError(url, text)


# -- helpers ---------------------------------------------------------------------------------


def host_key(url: str) -> str:
    """The politeness key of a URL: its host name (``file:`` URLs share one key)."""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            return "file:"
        return normalize_host(parts.hostname or "")
    except ValueError:  # "http://[::1": get() reports it; any key will do
        return ""


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _no_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _drain(response: httpx.Response) -> None:
    """Read a small redirect body so the connection can be reused; give up on large ones."""
    got = 0
    try:
        for raw in response.iter_raw():
            got += len(raw)
            if got > DRAIN_BYTES:
                return
    except httpx.HTTPError:
        return
