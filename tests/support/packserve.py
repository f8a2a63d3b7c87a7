"""Serve a story-pack folder over real HTTP on 127.0.0.1 (per-file headers, ETag/304, request log)."""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {".xml": "application/xml", ".html": "text/html; charset=utf-8",
         ".json": "application/json", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8"}


class PackServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server rooted at a pack folder; ``requests`` logs every request path."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        headers = self.root / "_headers.json"
        self.headers: dict[str, dict[str, str]] = (
            json.loads(headers.read_text(encoding="utf-8")) if headers.is_file() else {})
        self._lock = threading.Lock()
        self._log: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        """The paths requested so far (with query strings), in arrival order."""
        with self._lock:
            return list(self._log)

    def record(self, path: str) -> None:
        with self._lock:
            self._log.append(path)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PackServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def log_message(self, format: str, *args: object) -> None:  # quiet under pytest
        pass

    def _serve(self, *, body: bool) -> None:
        self.server.record(self.path)
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        target = (self.server.root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.server.root) or not target.is_file():
            self._send(404, b"not found\n", {"Content-Type": "text/plain"}, body)
            return
        data = target.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        mtime = int(target.stat().st_mtime)
        headers = {"Content-Type": TYPES.get(target.suffix, "application/octet-stream"),
                   "ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
        headers.update(self.server.headers.get(target.relative_to(self.server.root).as_posix(), {}))
        if self._not_modified(etag, mtime):
            self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"}, False)
            return
        self._send(200, data, headers, body)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False

    def _send(self, status: int, data: bytes, headers: dict[str, str], body: bool) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body and data:
            self.wfile.write(data)


class ServedPack(str):
    """The base URL (``http://127.0.0.1:PORT``, no trailing slash) of a served pack, as a ``str``,
    with the server's thread-safe request log as ``.requests``."""

    server: PackServer

    @property
    def base_url(self) -> str:
        return str(self)

    @property
    def requests(self) -> list[str]:
        return self.server.requests


@contextmanager
def serve_pack(root: Path) -> Iterator[ServedPack]:
    """Serve ``root`` on a free loopback port; yields its base URL (a ``ServedPack`` string)."""
    server = PackServer(Path(root))
    thread = threading.Thread(target=server.serve_forever, name="packserve", daemon=True)
    thread.start()
    url = ServedPack(server.base_url)
    url.server = server
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
