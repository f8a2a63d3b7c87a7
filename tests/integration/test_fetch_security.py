"""SSRF guard end to end: loopback servers record every request, and refused URLs must reach none.

Only loopback aliases are ever targeted (127.x.y.z, localhost, [::1]); non-loopback ranges are
covered by the pure policy tests in tests/unit/test_netguard.py, never by connections.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from digest.config import FetchSettings
from digest.errors import BlockedURLError, FetchError, TransientFetchError
from digest.fetch import Fetcher
from tests.support.servers import FaultServer, page, redirect

pytestmark = pytest.mark.network_local
BODY = b"<!doctype html><html><body><p>internal admin page</p></body></html>"


@pytest.fixture
def fetcher() -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def make(*, lookup: Any = None, verify: Any = True, http2: bool | None = None,
             **settings: Any) -> Fetcher:
        settings.setdefault("timeout", 3.0)
        settings.setdefault("retries", 0)
        f = Fetcher(FetchSettings(**settings), lookup=lookup, verify=verify, http2=http2)
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer({"/admin": page(BODY)}, host="127.0.0.1") as srv:
        yield srv


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def hosts_file_loopback_names() -> list[str]:
    """Names /etc/hosts maps to 127.0.0.1 (other than localhost), to prove resolution is checked."""
    try:
        lines = Path("/etc/hosts").read_text().splitlines()
    except OSError:
        return []
    names = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "127.0.0.1":
            names += [n for n in fields[1:] if n != "localhost" and "." not in n.strip(".")]
    return names[:2]


SPELLINGS = ["127.0.0.1", "localhost", "localhost.", "LocalHost", "2130706433", "0x7f000001",
             "0177.0.0.1", "0x7f.0.0.1", "127.1", "017700000001", "[::ffff:127.0.0.1]",
             "[::ffff:7f00:1]"]


@pytest.mark.parametrize("host", SPELLINGS)
def test_loopback_in_any_spelling_is_refused_and_nothing_arrives(fetcher, server, host) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BlockedURLError) as err:
        fetcher().get(f"http://{host}:{server.port}/admin")
    assert err.value.problem.startswith("refused: ") and "loopback" in err.value.problem
    assert server.requests == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "localhost.", "2130706433",
                                  "0x7f000001", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"])
def test_the_same_spellings_work_when_allow_listed(fetcher, server, host) -> None:  # type: ignore[no-untyped-def]
    resp = fetcher(allow_networks=("127.0.0.0/8",)).get(f"http://{host}:{server.port}/admin")
    assert resp.body == BODY and server.count("/admin") == 1


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_loopback_is_refused_unless_allow_listed(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/admin": page(BODY)}, host="::1") as srv:
        with pytest.raises(BlockedURLError, match=r"refused: ::1 is a loopback address"):
            fetcher().get(srv.url("/admin"))
        with pytest.raises(BlockedURLError):  # allowing IPv4 loopback does not allow ::1
            fetcher(allow_networks=("127.0.0.0/8",)).get(srv.url("/admin"))
        assert srv.requests == []
        assert fetcher(allow_networks=("::1/128",)).get(srv.url("/admin")).body == BODY


@pytest.mark.parametrize("name", hosts_file_loopback_names() or ["localhost"])
def test_names_from_the_hosts_file_resolving_to_loopback_are_refused(fetcher, server, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BlockedURLError, match="loopback address"):
        fetcher().get(f"http://{name}:{server.port}/admin")
    assert server.requests == []


def test_allow_list_is_precise(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/p": page(BODY)}, host="127.0.0.2") as ok, \
            FaultServer({"/p": page(BODY)}, host="127.0.0.3") as other:
        f = fetcher(allow_networks=("127.0.0.2/32",))
        assert f.get(ok.url("/p")).body == BODY
        with pytest.raises(BlockedURLError, match=r"refused: 127.0.0.3 is a loopback address"):
            f.get(other.url("/p"))
        assert other.requests == [] and ok.count("/p") == 1


def test_redirect_to_a_refused_address_is_refused(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/p": page(BODY)}, host="127.0.0.3") as internal:
        routes = {"/to-ip": redirect(internal.url("/p")),
                  "/to-name": redirect(f"http://localhost:{internal.port}/p"),
                  "/to-decimal": redirect(f"http://2130706435:{internal.port}/p"),
                  "/to-file": redirect("file:///etc/passwd")}
        with FaultServer(routes, host="127.0.0.2") as public:
            f = fetcher(allow_networks=("127.0.0.2/32",), retries=2)
            problems = {}
            for route in routes:
                with pytest.raises(BlockedURLError) as err:
                    f.get(public.url(route))
                problems[route] = err.value.problem
            assert public.count() == len(routes)  # each redirect was asked for once, no retries
        assert internal.requests == []
    assert problems["/to-ip"] == "refused: 127.0.0.3 is a loopback address"
    assert problems["/to-name"] == "refused: localhost is a loopback address"
    assert problems["/to-decimal"] == "refused: 2130706435 (127.0.0.3) is a loopback address"
    assert problems["/to-file"] == "refused: redirect to a file: URL"


def test_dns_names_are_resolved_checked_and_pinned(fetcher) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def lookup(name: str) -> list[str]:  # a resolver that "rebinds" after its first answer
        calls.append(name)
        return ["127.0.0.2"] if len(calls) == 1 else ["127.0.0.3"]

    with FaultServer({"/p": page(BODY)}, host="127.0.0.2") as good, \
            FaultServer({"/p": page(BODY)}, host="127.0.0.3") as evil:
        f = fetcher(allow_networks=("127.0.0.2/32",), lookup=lookup)
        for _ in range(3):
            assert f.get(f"http://news.example:{good.port}/p").body == BODY
        assert good.count("/p") == 3 and evil.requests == []
        assert {r.headers["host"] for r in good.requests} == {f"news.example:{good.port}"}
    assert calls == ["news.example"]  # resolved once for the run, connected to what was checked


def test_name_resolving_to_any_refused_address_is_refused(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/p": page(BODY)}, host="127.0.0.2") as a, \
            FaultServer({"/p": page(BODY)}, host="127.0.0.3") as b:
        f = fetcher(allow_networks=("127.0.0.2/32",),
                    lookup=lambda name: ["127.0.0.2", "127.0.0.3"])
        with pytest.raises(BlockedURLError,
                           match=r"refused: mixed.example resolves to 127.0.0.3, a loopback"):
            f.get(f"http://mixed.example:{a.port}/p")
        assert a.requests == [] and b.requests == []


def test_name_resolving_to_loopback_is_refused_by_default(fetcher, server) -> None:  # type: ignore[no-untyped-def]
    f = fetcher(lookup=lambda name: ["127.0.0.1"])
    with pytest.raises(BlockedURLError, match=r"refused: intranet.example resolves to 127.0.0.1"):
        f.get(f"http://intranet.example:{server.port}/admin")
    assert server.requests == []


def test_https_to_a_checked_address_keeps_sni_and_certificate_checks(fetcher) -> None:  # type: ignore[no-untyped-def]
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("news.example")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    with FaultServer({"/p": page(BODY)}, host="127.0.0.2", tls=server_ctx) as srv:
        f = fetcher(allow_networks=("127.0.0.0/8",), verify=client_ctx,
                    lookup=lambda name: ["127.0.0.2"])
        resp = f.get(f"https://news.example:{srv.port}/p")
        assert resp.body == BODY
        assert srv.requests[0].headers["host"] == f"news.example:{srv.port}"
        with pytest.raises(FetchError, match="TLS certificate rejected"):  # IP is not on the cert
            f.get(f"https://127.0.0.2:{srv.port}/p")
        assert srv.count("/p") == 1


def test_file_urls_outside_the_local_root_are_refused(fetcher, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "config"
    root.mkdir()
    (root / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'/>")
    f = Fetcher(FetchSettings(), local_root=root)
    try:
        assert f.get((root / "feed.xml").as_uri()).status == 200
        for url in ["file:///etc/passwd", f"file://{root}/../../../etc/passwd",
                    "file://otherhost/etc/passwd", "file:/etc/hostname"]:
            with pytest.raises(BlockedURLError, match="refused"):
                f.get(url)
    finally:
        f.close()


@contextmanager
def h2_server(answer: Callable[[str], bool]) -> Iterator[tuple[int, ssl.SSLContext, H2Log]]:
    """A TLS server for "news.example" on 127.0.0.2 that offers only HTTP/2 (ALPN "h2"), built on
    the h2 state machine: ``answer(path)`` True serves BODY, False drops the connection with the
    request unanswered. Yields its port, a client context that trusts it, and what it saw."""
    trustme = pytest.importorskip("trustme")
    h2conn = pytest.importorskip("h2.connection")
    h2config = pytest.importorskip("h2.config")
    h2events = pytest.importorskip("h2.events")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.example").configure_cert(server_ctx)
    server_ctx.set_alpn_protocols(["h2"])
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    listener = socket.socket()
    listener.bind(("127.0.0.2", 0))
    listener.listen()
    seen = H2Log()

    def serve(sock: ssl.SSLSocket) -> None:
        conn = h2conn.H2Connection(config=h2config.H2Configuration(client_side=False))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        try:
            while data := sock.recv(65_535):
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2events.RequestReceived):
                        headers = dict(ev.headers)
                        path = headers[b":path"].decode()
                        seen.streams.append((headers[b":authority"], path))
                        if not answer(path):
                            sock.close()  # dropped, the request unanswered
                            return
                        conn.send_headers(ev.stream_id, [(":status", "200"),
                                                         ("content-type", "text/html"),
                                                         ("content-length", str(len(BODY)))])
                        conn.send_data(ev.stream_id, BODY, end_stream=True)
                sock.sendall(conn.data_to_send())
        except OSError:
            return

    def accept() -> None:
        while True:
            try:
                raw, _ = listener.accept()
                sock = server_ctx.wrap_socket(raw, server_side=True)
            except OSError:
                return
            seen.connections.append(sock)
            seen.protocols.append(sock.selected_alpn_protocol())
            threading.Thread(target=serve, args=(sock,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1], client_ctx, seen
    finally:
        listener.close()
        for sock in seen.connections:
            sock.close()


@dataclass
class H2Log:
    connections: list[ssl.SSLSocket] = field(default_factory=list)
    protocols: list[str | None] = field(default_factory=list)
    streams: list[tuple[bytes, str]] = field(default_factory=list)  # (authority, path)


def test_http2_is_used_when_the_server_offers_it(fetcher) -> None:  # type: ignore[no-untyped-def]
    """Over TLS with ALPN "h2", requests to one host share a connection, still pinned."""
    with h2_server(lambda path: True) as (port, client_ctx, seen):
        f = fetcher(allow_networks=("127.0.0.2/32",), verify=client_ctx, http2=True,
                    lookup=lambda name: ["127.0.0.2"], concurrency=8, per_host=4)
        urls = [f"https://news.example:{port}/p{i}" for i in range(12)]
        results = dict(f.get_many(urls))
    assert all(getattr(r, "body", None) == BODY for r in results.values()) and len(results) == 12
    # HTTP/2 on every connection, and the requests multiplexed: fewer connections than the
    # four HTTP/1.1 would open at per_host = 4 (usually one; now and then httpcore's pool opens
    # a second while the first is busy)
    assert set(seen.protocols) == {"h2"} and len(seen.protocols) <= 2
    # every stream pinned to the name asked for; more than 12 when httpcore, sharing one
    # connection between threads, failed its streams as "Server disconnected" now and then
    # (about 1 run in 30 here) and the fetcher asked again (the next test)
    assert {a for a, _ in seen.streams} == {f"news.example:{port}".encode()}
    assert len(seen.streams) >= 12


def test_an_http2_connection_closed_with_a_request_on_it_is_retried_once(fetcher) -> None:  # type: ignore[no-untyped-def]
    """An HTTP/2 server that drops the connection with a request on it (httpcore fails the
    stream as "Server disconnected") is asked again, at once, on a new connection: the same
    free retry as a stale HTTP/1.1 keep-alive; a server that always does so is one line."""
    asked: list[str] = []

    def answer(path: str) -> bool:
        asked.append(path)
        return path != "/never" and asked.count(path) > 1

    with h2_server(answer) as (port, client_ctx, _):
        f = fetcher(allow_networks=("127.0.0.2/32",), verify=client_ctx, http2=True,
                    lookup=lambda name: ["127.0.0.2"], retries=0)
        assert f.get(f"https://news.example:{port}/once").body == BODY
        with pytest.raises(TransientFetchError) as caught:
            f.get(f"https://news.example:{port}/never")
    assert asked == ["/once", "/once", "/never", "/never"]
    assert caught.value.problem == "server closed the connection without a response"
