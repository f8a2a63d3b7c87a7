"""The httpcore network backend the fetcher's connection pool uses: checked addresses, hard deadlines.

:class:`GuardedBackend` asks a :class:`~digest.fetch.guard.Guard` for the checked addresses of a host
and connects to exactly those (TLS still uses the URL's host name for SNI and certificate checks,
because httpcore passes it to ``start_tls`` separately). Its streams clamp every socket timeout to
the calling thread's request deadline (see :func:`deadline_scope`), so a server dripping one byte
per second still hits the total timeout instead of resetting a read timeout forever.
"""

from __future__ import annotations

import ssl
import threading
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

from digest.fetch.guard import Guard

_local = threading.local()


@contextmanager
def deadline_scope(deadline: float | None) -> Iterator[None]:
    """Within this block, this thread's sockets never wait past ``deadline`` (monotonic time)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = previous


def _clamp(timeout: float | None, exc: type[Exception]) -> float | None:
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc("request deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes never outlive the caller's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        # An HTTP/2 connection is shared by threads; one thread's deadline must not kill it.
        self._shared = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if not self._shared:
            timeout = _clamp(timeout, httpcore.ReadTimeout)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not self._shared:
            timeout = _clamp(timeout, httpcore.WriteTimeout)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        stream = DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))
        ssl_object = stream.get_extra_info("ssl_object")
        stream._shared = bool(ssl_object and ssl_object.selected_alpn_protocol() == "h2")
        return stream

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve and check with the guard, then connect to a checked address (never re-resolve)."""

    def __init__(self, guard: Guard, inner: httpcore.NetworkBackend | None = None) -> None:
        self.guard = guard
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None,
                    ) -> httpcore.NetworkStream:
        addresses = self.guard.addresses(host)  # raises RefusedAddress / ResolveError
        start = time.monotonic()
        last: Exception | None = None
        for addr in addresses:
            budget = timeout
            if timeout is not None:
                budget = timeout - (time.monotonic() - start)
                if budget <= 0:
                    break
            try:
                stream = self._inner.connect_tcp(str(addr), port, _clamp(budget, httpcore.ConnectTimeout),
                                                 local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return DeadlineStream(stream)
        if last is not None:
            raise last
        raise httpcore.ConnectTimeout("connect timed out")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[typing.Any] | None = None,
                            ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the fetcher")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def h2_available() -> bool:
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses :class:`GuardedBackend`."""

    def __init__(self, guard: Guard, *, verify: ssl.SSLContext | str | bool = True,
                 max_connections: int = 64, keepalive_expiry: float = 30.0,
                 http2: bool | None = None) -> None:
        ctx = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        http2 = h2_available() if http2 is None else http2
        super().__init__(verify=ctx, http2=http2)  # builds a default pool, replaced below
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ctx,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            http1=True,
            http2=http2,
            retries=0,
            network_backend=GuardedBackend(guard),
        )


class PerHostTransport(httpx.BaseTransport):
    """One small connection pool per origin instead of one big pool for every host.

    httpcore's pool looks at each of its connections, and compares it with every other, on every
    request: one pool of 32 connections spread over 50 hosts cost about 1 ms of CPU per request
    and, being full, closed one host's idle connection to open another's (no keep-alive at all).
    Per-origin pools of ``per_host`` connections keep both cheap. At most ``max_hosts`` pools stay
    open; the least recently used idle one is closed first.
    """

    def __init__(self, make: typing.Callable[[], httpx.BaseTransport], max_hosts: int = 128) -> None:
        self._make = make
        self.max_hosts = max(1, max_hosts)
        self._pools: dict[tuple[bytes, bytes, int | None], httpx.BaseTransport] = {}
        self._busy: dict[tuple[bytes, bytes, int | None], int] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        evicted = []
        with self._lock:
            pool = self._pools.pop(key, None)  # re-inserted last: dicts keep use order
            if pool is None:
                pool = self._make()
                idle = [k for k in self._pools if not self._busy.get(k)]
                while len(self._pools) + 1 > self.max_hosts and idle:
                    evicted.append(self._pools.pop(idle.pop(0)))
            self._pools[key] = pool
            self._busy[key] = self._busy.get(key, 0) + 1
        for old in evicted:
            old.close()
        try:
            response = pool.handle_request(request)
        except BaseException:
            self._release(key)
            raise
        response.stream = _Released(response.stream, lambda: self._release(key))  # type: ignore[arg-type]
        return response

    def _release(self, key: tuple[bytes, bytes, int | None]) -> None:
        with self._lock:
            left = self._busy.get(key, 1) - 1
            if left:
                self._busy[key] = left
            else:
                self._busy.pop(key, None)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


class _Released(httpx.SyncByteStream):
    """A response body that reports when it is closed (its connection is then free again)."""

    def __init__(self, inner: typing.Any, on_close: typing.Callable[[], None]) -> None:
        self._inner, self._on_close, self._closed = inner, on_close, False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if not self._closed:
                self._closed = True
                self._on_close()
