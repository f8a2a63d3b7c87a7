"""Real local HTTP servers for tests: a static site with validators, and a misbehaving one.

Both bind a loopback address only (127.0.0.1 or another 127.x.y.z alias), on a free port, run in a
background thread, keep a thread-safe log of every request (so tests can count downloads or prove
that nothing arrived) and the highest number of requests they handled at once, and stop cleanly::

    with StaticServer(Path("seeds")) as site:
        site.url("feeds/meridian-wire.xml")
        site.override("sites/x.html", status=503, headers={"Retry-After": "1"})
        assert site.count("sites/x.html") == 1

    with FaultServer({"/slow": drip(b"<html>...</html>", interval=1.0)}) as bad:
        bad.url("/slow")
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import mimetypes
import re
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

Behaviour = Callable[["Handler"], None]
HTML = "text/html; charset=utf-8"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + bytes(600)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(600)
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(600)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class RequestRecord:
    path: str  # with the query string
    method: str
    headers: Mapping[str, str]  # lower-cased names
    time: float  # time.monotonic() when the request line arrived
    client: str  # the peer's address
    port: int  # the peer's port: one per connection, so tests can count connections


@dataclass
class Override:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    server: _Server
    timeout = 30  # an idle keep-alive connection is dropped after this
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.owner._dispatch(self)

    do_HEAD = do_GET

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    def send_body(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        """A complete response with Content-Length (no body for HEAD, 304 and 204)."""
        self.send_response(status)
        names = {k.lower() for k in headers or {}}
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def reset(self) -> None:
        """Abort the connection with a TCP reset (SO_LINGER 0)."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: _RecordingServer


class _Server6(_Server):
    address_family = socket.AF_INET6


class _RecordingServer:
    """Shared machinery: lifecycle, request log, concurrency record, latency, stop on exit."""

    def __init__(self, host: str = "127.0.0.1", latency: float = 0.0,
                 tls: ssl.SSLContext | None = None) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"test servers bind loopback addresses only, not {host}")
        self.host = host
        self.latency = latency
        self.tls = tls
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        self.bytes_sent: dict[str, int] = {}
        self.stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> _RecordingServer:
        cls = _Server6 if ":" in self.host else _Server
        httpd = cls((self.host, 0), Handler)
        httpd.owner = self
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"test-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:  # idle keep-alive connections would otherwise linger
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(5)
        self._httpd = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # what tests use
    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.base}/{path.lstrip('/')}"

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def count(self, path: str | None = None, method: str = "GET") -> int:
        """Requests for ``path`` (without query; None = all paths) with ``method``."""
        want = None if path is None else "/" + path.lstrip("/")
        return sum(1 for r in self.requests if r.method == method
                   and (want is None or urlsplit(r.path).path == want))

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()
            self.max_in_flight = 0

    # request plumbing
    def _dispatch(self, h: Handler) -> None:
        rec = RequestRecord(h.path, h.command, {k.lower(): v for k, v in h.headers.items()},
                            time.monotonic(), h.client_address[0], h.client_address[1])
        with self._lock:
            self._log.append(rec)
            self._conns.add(h.connection)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            self._respond(h)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            h.close_connection = True
        finally:
            with self._lock:
                self._in_flight -= 1

    def _respond(self, h: Handler) -> None:
        raise NotImplementedError


class StaticServer(_RecordingServer):
    """Serve a folder over HTTP with real Content-Types, ETag/Last-Modified and 304 answers."""

    def __init__(self, root: Path, host: str = "127.0.0.1", latency: float = 0.0,
                 tls: ssl.SSLContext | None = None) -> None:
        super().__init__(host, latency, tls)
        self.root = Path(root).resolve()
        self.overrides: dict[str, Override] = {}

    def override(self, path: str, *, status: int | None = None,
                 headers: Mapping[str, str] | None = None, body: bytes | None = None,
                 delay: float = 0.0) -> None:
        """Answer ``path`` differently: another status, extra headers, another body, a delay."""
        self.overrides["/" + path.lstrip("/")] = Override(status, dict(headers or {}), body, delay)

    def _respond(self, h: Handler) -> None:
        route = unquote(h.route)
        ov = self.overrides.get(route, Override())
        if ov.delay:
            time.sleep(ov.delay)
        file = self._file(route)
        body = ov.body if ov.body is not None else (file.read_bytes() if file else None)
        if body is None:
            h.send_body(ov.status or 404, b"not found\n", {"Content-Type": "text/plain", **ov.headers})
            return
        headers = {"Content-Type": content_type_for(route, body)}
        if file is not None and ov.body is None:
            mtime = file.stat().st_mtime
            headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
            if ov.status is None and _not_modified(h, headers["ETag"], mtime):
                h.send_body(304, b"", {"ETag": headers["ETag"], "Last-Modified": headers["Last-Modified"]})
                return
        headers.update(ov.headers)
        h.send_body(ov.status or 200, body, headers)

    def _file(self, route: str) -> Path | None:
        target = (self.root / route.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None


def content_type_for(path: str, body: bytes) -> str:
    """The Content-Type a careful server sends for ``path`` holding ``body``."""
    suffix = Path(path).suffix.lower()
    head = body[:2048].lstrip()
    if suffix in (".html", ".htm") or head[:15].lower().startswith((b"<!doctype html", b"<html")):
        m = _CHARSET.search(body[:2048])
        charset = m.group(1).decode("ascii").lower() if m else "utf-8"
        return f"text/html; charset={charset}"
    if suffix in (".xml", ".rss", ".atom", ".rdf") or head.startswith(b"<?xml"):
        root = re.search(rb"<(?![?!])([A-Za-z_][\w.:-]*)", head)
        name = root.group(1).lower() if root else b""
        if name in (b"rss", b"rdf:rdf"):
            return "application/rss+xml"
        if name == b"feed":
            return "application/atom+xml"
        return "application/xml"
    if suffix in (".txt", ".md"):
        return "text/plain; charset=utf-8"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _not_modified(h: Handler, etag: str, mtime: float) -> bool:
    inm = h.headers.get("If-None-Match")
    if inm:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag in tags or "*" in tags
    ims = h.headers.get("If-Modified-Since")
    if ims:
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
    return False


class FaultServer(_RecordingServer):
    """A server whose routes misbehave on purpose; unknown paths answer 404."""

    def __init__(self, routes: Mapping[str, Behaviour] | None = None, host: str = "127.0.0.1",
                 latency: float = 0.0, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(host, latency, tls)
        self.routes: dict[str, Behaviour] = {}
        for path, behaviour in (routes or {}).items():
            self.route(path, behaviour)

    def route(self, path: str, behaviour: Behaviour) -> None:
        self.routes["/" + path.lstrip("/")] = behaviour

    def _respond(self, h: Handler) -> None:
        behaviour = self.routes.get(h.route)
        if behaviour is None:
            h.send_body(404, b"not found\n", {"Content-Type": "text/plain"})
        else:
            behaviour(h)

    def sent(self, h: Handler, n: int) -> None:
        with self._lock:
            self.bytes_sent[h.route] = self.bytes_sent.get(h.route, 0) + n


# -- behaviours for FaultServer routes ----------------------------------------------------------


def respond(status: int = 200, body: bytes = b"", headers: Mapping[str, str] | None = None,
            delay: float = 0.0) -> Behaviour:
    """A plain response (``headers`` exactly as given: no Content-Type unless you pass one)."""
    def run(h: Handler) -> None:
        if delay:
            time.sleep(delay)
        h.send_body(status, body, headers)
    return run


def page(html: bytes = b"<html><head><title>t</title></head><body><p>ok</p></body></html>",
         content_type: str | None = HTML) -> Behaviour:
    return respond(200, html, {"Content-Type": content_type} if content_type else {})


def hang(seconds: float) -> Behaviour:
    """Accept the request, then say nothing for ``seconds`` (or until the server stops)."""
    def run(h: Handler) -> None:
        h.server.owner.stopping.wait(seconds)
        h.close_connection = True
    return run


def drip(body: bytes, interval: float = 1.0, content_type: str = HTML) -> Behaviour:
    """Send the headers at once, then the body one byte every ``interval`` seconds."""
    def run(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        owner = h.server.owner
        for i in range(len(body)):
            h.wfile.write(body[i:i + 1])
            h.wfile.flush()
            owner.sent(h, 1)  # type: ignore[attr-defined]
            if owner.stopping.wait(interval):
                break
        h.close_connection = True
    return run


def reset_mid_body(prefix: bytes, declared: int = 100_000, content_type: str = HTML) -> Behaviour:
    """Promise ``declared`` bytes, send ``prefix``, then reset the connection."""
    def run(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(declared))
        h.end_headers()
        h.wfile.write(prefix)
        h.reset()
    return run


def redirect(location: str, status: int = 302) -> Behaviour:
    return respond(status, b"", {"Location": location})


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour; the last one repeats."""
    lock, calls = threading.Lock(), [0]

    def run(h: Handler) -> None:
        with lock:
            i = min(calls[0], len(behaviours) - 1)
            calls[0] += 1
        behaviours[i](h)
    return run


def _stream(h: Handler, chunks: Iterator[bytes], headers: Mapping[str, str]) -> None:
    """Send ``chunks`` with no Content-Length (the body ends when the connection closes)."""
    h.send_response(200)
    for k, v in headers.items():
        h.send_header(k, v)
    h.send_header("Connection", "close")
    h.end_headers()
    owner = h.server.owner
    try:
        for chunk in chunks:
            if owner.stopping.is_set():
                break
            h.wfile.write(chunk)
            owner.sent(h, len(chunk))  # type: ignore[attr-defined]
    except OSError:
        pass
    h.close_connection = True


def endless(total: int = 2_000_000_000, chunk: int = 65_536, content_type: str = HTML,
            prefix: bytes = b"<html><body><p>") -> Behaviour:
    """A huge body (``total`` bytes), streamed until the client stops reading."""
    def gen() -> Iterator[bytes]:
        yield prefix
        block = b"x" * chunk
        for _ in range(total // chunk):
            yield block

    return lambda h: _stream(h, gen(), {"Content-Type": content_type})


def gzip_bomb(total: int = 10_000_000_000, content_type: str = HTML) -> Behaviour:
    """``Content-Encoding: gzip`` whose body inflates to ``total`` bytes (generated on the fly)."""
    def gen() -> Iterator[bytes]:
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        yield z.compress(b"<html><body><p>")
        block = bytes(1 << 20)
        for _ in range(total >> 20):
            out = z.compress(block)
            if out:
                yield out
        yield z.flush()

    return lambda h: _stream(h, gen(), {"Content-Type": content_type, "Content-Encoding": "gzip"})


def gzipped(body: bytes, content_type: str = HTML) -> Behaviour:
    """A normal gzip-encoded response."""
    z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    data = z.compress(body) + z.flush()
    return respond(200, data, {"Content-Type": content_type, "Content-Encoding": "gzip"})


def raw(data: bytes) -> Behaviour:
    """Write ``data`` as the whole answer (no status line of ours), then close: broken HTTP."""
    def run(h: Handler) -> None:
        h.wfile.write(data)
        h.wfile.flush()
        h.close_connection = True
    return run


@contextmanager
def unresponsive_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port whose accept queue is full, so new connections hang until they time out."""
    listener = socket.socket()
    listener.bind((host, 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    try:
        for _ in range(2):  # the queue holds backlog + 1 pending connections
            c = socket.socket()
            c.settimeout(0.5)
            try:
                c.connect((host, port))
            except OSError:
                pass
            fillers.append(c)
        yield port
    finally:
        for c in fillers:
            c.close()
        listener.close()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` with nothing listening (connections are refused)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
