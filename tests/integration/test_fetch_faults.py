"""The fetcher against real local servers that misbehave: each fault has an asserted outcome."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from digest.config import FetchSettings
from digest.errors import FetchError, TransientFetchError
from digest.fetch import Fetcher
from digest.models import Response
from tests.support.servers import (
    HTML,
    PDF,
    PNG,
    ZIP,
    FaultServer,
    Handler,
    StaticServer,
    closed_port,
    drip,
    endless,
    gzip_bomb,
    gzipped,
    hang,
    page,
    raw,
    redirect,
    reset_mid_body,
    respond,
    sequence,
    unresponsive_port,
)

pytestmark = pytest.mark.network_local
LOOPBACK = ("127.0.0.0/8", "::1/128")
ARTICLE = b"<!doctype html><html><head><title>Truce</title></head><body><p>" + b"Kerry said. " * 80 + b"</p></body></html>"


@pytest.fixture
def fetcher() -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def make(**settings: Any) -> Fetcher:
        settings.setdefault("allow_networks", LOOPBACK)
        settings.setdefault("timeout", 5.0)
        settings.setdefault("retries", 0)
        f = Fetcher(FetchSettings(**settings), backoff=0.05)
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


def failure(f: Fetcher, url: str, **kw: Any) -> tuple[FetchError, float]:
    start = time.monotonic()
    with pytest.raises(FetchError) as err:
        f.get(url, **kw)
    return err.value, time.monotonic() - start


# -- connection-level faults ------------------------------------------------------------------


def test_connection_refused(fetcher) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{closed_port()}/feed.xml"
    err, _ = failure(fetcher(), url)
    assert isinstance(err, TransientFetchError) and err.problem == "connection refused"
    err, _ = failure(fetcher(retries=2), url)
    assert err.problem == "connection refused (after 3 attempts)"


def test_connect_timeout(fetcher) -> None:  # type: ignore[no-untyped-def]
    with unresponsive_port() as port:
        err, took = failure(fetcher(timeout=1.0), f"http://127.0.0.1:{port}/feed.xml")
    assert isinstance(err, TransientFetchError) and err.problem == "timed out after 1 s"
    assert 0.9 <= took < 2.5


@pytest.mark.parametrize("answer", [
    b"220 mail.example ESMTP ready\r\n\r\n",  # not HTTP at all
    b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n<html>",
    b"HTTP/1.1 999999 Whatever\r\n\r\n",
])
def test_broken_http_is_a_permanent_one_line_error(fetcher, answer: bytes) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/x": raw(answer)}) as srv:
        err, _ = failure(fetcher(retries=2), srv.url("/x"))
        assert srv.count("/x") == 1
    assert err.problem.startswith("invalid HTTP response (") and "\n" not in err.problem
    assert not err.retryable


def test_connection_closed_without_answer_gets_one_free_retry(fetcher) -> None:  # type: ignore[no-untyped-def]
    # What a stale keep-alive connection looks like: retried at once even with retries = 0.
    with FaultServer({"/once": sequence(raw(b""), page(ARTICLE)), "/never": raw(b"")}) as srv:
        f = fetcher(retries=0)
        assert f.get(srv.url("/once")).body == ARTICLE
        err, _ = failure(f, srv.url("/never"))
        assert srv.count("/once") == 2 and srv.count("/never") == 2
    assert err.problem == "server closed the connection without a response"


def test_server_that_never_answers_times_out(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/hang": hang(30)}) as srv:
        err, took = failure(fetcher(timeout=1.0), srv.url("/hang"))
    assert isinstance(err, TransientFetchError) and err.problem == "timed out after 1 s"
    assert 0.9 <= took < 2.5


def test_slow_drip_hits_the_total_timeout(fetcher) -> None:  # type: ignore[no-untyped-def]
    # Every read succeeds within a second, so only a total deadline can stop this.
    with FaultServer({"/drip": drip(ARTICLE, interval=0.5)}) as srv:
        err, took = failure(fetcher(timeout=2.0), srv.url("/drip"))
        sent = srv.bytes_sent["/drip"]
    assert err.problem == "timed out after 2 s"
    assert 1.9 <= took < 3.5
    assert sent < 10 < len(ARTICLE)


def test_reset_mid_body_is_transient_and_retried(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/cut": reset_mid_body(ARTICLE[:500], declared=len(ARTICLE))}) as srv:
        err, _ = failure(fetcher(retries=1), srv.url("/cut"))
        assert srv.count("/cut") == 2
    assert isinstance(err, TransientFetchError)
    assert err.problem.split(" (after")[0] in {
        "connection reset", "connection closed before the body was complete"}


def test_reset_then_recovery_succeeds(fetcher) -> None:  # type: ignore[no-untyped-def]
    flaky = sequence(reset_mid_body(ARTICLE[:100]), page(ARTICLE))
    with FaultServer({"/flaky": flaky}) as srv:
        resp = fetcher(retries=2).get(srv.url("/flaky"))
        assert srv.count("/flaky") == 2
    assert resp.body == ARTICLE


# -- HTTP status faults -----------------------------------------------------------------------


@pytest.mark.parametrize("status, text", [(404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone"),
                                          (403, "HTTP 403 Forbidden"), (400, "HTTP 400 Bad Request")])
def test_client_errors_are_permanent_and_not_retried(fetcher, status: int, text: str) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/x": respond(status, b"gone", {"Content-Type": "text/plain"})}) as srv:
        err, _ = failure(fetcher(retries=3), srv.url("/x"))
        assert srv.count("/x") == 1
    assert err.problem == text and not err.retryable


def test_429_with_retry_after_seconds_is_retried_then_succeeds(fetcher) -> None:  # type: ignore[no-untyped-def]
    busy = sequence(respond(429, b"", {"Retry-After": "1"}), page(ARTICLE))
    with FaultServer({"/busy": busy}) as srv:
        start = time.monotonic()
        resp = fetcher(retries=2).get(srv.url("/busy"))
        took = time.monotonic() - start
        times = [r.time for r in srv.requests]
    assert resp.status == 200 and resp.body == ARTICLE
    assert len(times) == 2 and times[1] - times[0] >= 0.95  # honoured Retry-After
    assert took < 3


def test_503_with_retry_after_date_is_retried_then_succeeds(fetcher) -> None:  # type: ignore[no-untyped-def]
    def unavailable(h: Handler) -> None:
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        respond(503, b"", {"Retry-After": when})(h)

    with FaultServer({"/down": sequence(unavailable, page(ARTICLE))}) as srv:
        resp = fetcher(retries=1).get(srv.url("/down"))
        times = [r.time for r in srv.requests]
    assert resp.body == ARTICLE
    assert 0.9 <= times[1] - times[0] <= 3.5  # an HTTP date has one-second precision


def test_persistent_503_gives_up_with_a_clear_message(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/down": respond(503, b"", {"Retry-After": "0"})}) as srv:
        err, _ = failure(fetcher(retries=2), srv.url("/down"))
        assert srv.count("/down") == 3
    assert isinstance(err, TransientFetchError)
    assert err.problem == "HTTP 503 Service Unavailable (after 3 attempts)"


def test_retry_after_longer_than_the_cap_gives_up_at_once(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/later": respond(429, b"", {"Retry-After": "3600"})}) as srv:
        err, took = failure(fetcher(retries=3), srv.url("/later"))
        assert srv.count("/later") == 1
    assert err.problem == "HTTP 429 Too Many Requests (server asks to retry after 3600 s)"
    assert err.retry_after == 3600 and took < 1  # type: ignore[attr-defined]


def test_500_without_retry_after_backs_off_exponentially(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/err": sequence(respond(500), respond(502), page(ARTICLE))}) as srv:
        f = fetcher(retries=2)
        f.backoff = 0.2
        resp = f.get(srv.url("/err"))
        t = [r.time for r in srv.requests]
    assert resp.body == ARTICLE and len(t) == 3
    assert 0.09 <= t[1] - t[0] and 0.19 <= t[2] - t[1]  # 0.2 s then 0.4 s, each jittered x0.5-1.5


# -- redirects --------------------------------------------------------------------------------


def test_redirect_chain_is_followed(fetcher) -> None:  # type: ignore[no-untyped-def]
    routes = {"/a": redirect("/b", 301), "/b": redirect("/c?x=1", 307), "/c": page(ARTICLE)}
    with FaultServer(routes) as srv:
        resp = fetcher().get(srv.url("/a"))
    assert resp.url == srv.url("/a") and resp.final_url == srv.url("/c?x=1")
    assert resp.body == ARTICLE


def test_redirect_loop_is_detected(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/a": redirect("/b"), "/b": redirect("/a")}) as srv:
        err, _ = failure(fetcher(retries=2), srv.url("/a"))
        assert srv.count() == 2
    assert err.problem == "redirect loop" and not err.retryable


def test_long_redirect_chain_is_cut(fetcher) -> None:  # type: ignore[no-untyped-def]
    routes = {f"/r{i}": redirect(f"/r{i + 1}") for i in range(20)}
    with FaultServer(routes) as srv:
        err, _ = failure(fetcher(max_redirects=5), srv.url("/r0"))
        assert srv.count() == 6
    assert err.problem == "too many redirects (6)"


# -- bodies -----------------------------------------------------------------------------------


def test_body_far_over_the_cap_stops_reading_early(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/huge": endless(total=2_000_000_000)}) as srv:
        err, took = failure(fetcher(max_bytes=1_000_000), srv.url("/huge"))
        time.sleep(0.2)
        sent = srv.bytes_sent["/huge"]
    assert err.problem == "body larger than 1000000 bytes"
    assert took < 2 and sent < 50_000_000  # the server was cut off after a few MB, not 2 GB


def test_declared_length_over_the_cap_is_refused_before_reading(fetcher) -> None:  # type: ignore[no-untyped-def]
    huge = respond(200, b"<html>" + b"x" * 2_000_000, {"Content-Type": HTML})
    with FaultServer({"/big": huge}) as srv:
        err, _ = failure(fetcher(max_bytes=1_000_000), srv.url("/big"))
    assert err.problem == "body larger than 1000000 bytes"


def test_gzip_bomb_is_stopped(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/bomb": gzip_bomb(total=10_000_000_000)}) as srv:
        err, took = failure(fetcher(max_bytes=2_000_000), srv.url("/bomb"))
        time.sleep(0.2)
        sent = srv.bytes_sent["/bomb"]
    assert err.problem == "body larger than 2000000 bytes"
    assert took < 3 and sent < 20_000_000  # compressed bytes; 10 GB would inflate from ~10 MB


def test_gzip_encoded_pages_are_decoded(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/gz": gzipped(ARTICLE)}) as srv:
        resp = fetcher().get(srv.url("/gz"))
        assert "gzip" in srv.requests[0].headers["accept-encoding"]
    assert resp.body == ARTICLE and "content-encoding" not in resp.headers


@pytest.mark.parametrize("ctype", [None, "application/octet-stream", "image/png", "text/plain"])
def test_wrong_or_missing_content_type_on_real_html_is_tolerated(fetcher, ctype) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/p": page(ARTICLE, content_type=ctype)}) as srv:
        resp = fetcher().get(srv.url("/p"))
    assert resp.body == ARTICLE


def test_feed_served_as_text_plain_is_tolerated(fetcher) -> None:  # type: ignore[no-untyped-def]
    rss = b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title></channel></rss>"
    with FaultServer({"/feed": respond(200, rss, {"Content-Type": "text/plain"})}) as srv:
        assert fetcher().get(srv.url("/feed")).body == rss


@pytest.mark.parametrize("body, ctype, problem", [
    (PNG, "image/png", "not a web page (content-type image/png)"),
    (PDF, "application/pdf", "not a web page (content-type application/pdf)"),
    (ZIP, "application/zip", "not a web page (content-type application/zip)"),
    (PNG, None, "not a web page (PNG image)"),
    (PDF, "text/html; charset=utf-8", "not a web page (PDF document served as text/html)"),
])
def test_binary_file_where_a_page_should_be_is_refused(fetcher, body, ctype, problem) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/f": respond(200, body, {"Content-Type": ctype} if ctype else {})}) as srv:
        err, _ = failure(fetcher(retries=2), srv.url("/f"))
        assert srv.count("/f") == 1
    assert err.problem == problem


def test_large_binary_is_refused_after_its_first_bytes(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/doc.pdf": endless(prefix=PDF, content_type="application/pdf")}) as srv:
        err, took = failure(fetcher(max_bytes=50_000_000), srv.url("/doc.pdf"))
        time.sleep(0.2)
        sent = srv.bytes_sent["/doc.pdf"]
    assert err.problem == "not a web page (content-type application/pdf)"
    assert took < 2 and sent < 20_000_000


def test_empty_200_is_an_error(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({"/e": respond(200, b"", {"Content-Type": HTML})}) as srv:
        err, _ = failure(fetcher(), srv.url("/e"))
    assert err.problem == "empty response (no body)"


# -- conditional GET --------------------------------------------------------------------------


def test_conditional_get_returns_304_with_empty_body(fetcher, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>")
    with StaticServer(tmp_path) as site:
        f = fetcher()
        first = f.get(site.url("feed.xml"))
        assert first.status == 200 and first.content_type == "application/rss+xml"
        by_etag = f.get(site.url("feed.xml"), etag=first.etag)
        by_date = f.get(site.url("feed.xml"), last_modified=first.last_modified)
        sent = [r.headers for r in site.requests]
    assert by_etag.status == 304 and by_etag.body == b"" and by_etag.not_modified
    assert by_date.status == 304 and by_date.body == b""
    assert sent[1]["if-none-match"] == first.etag
    assert sent[2]["if-modified-since"] == first.last_modified


def test_static_server_serves_the_pack_with_real_content_types(fetcher, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = {
        "feeds/wire.xml": b"<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>",
        "feeds/courier.xml": b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>",
        "feeds/herald.xml": b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='x'/>",
        "feeds/other.xml": b"<?xml version='1.0'?><opml/>",
        "sites/post/a.html": b"<html><head><meta charset='windows-1252'></head><body>caf\xe9</body></html>",
        "sites/post/b.html": b"<!doctype html><html><body>plain</body></html>",
        "sites/post/index.html": b"<html><body>home</body></html>",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    expected = {"feeds/wire.xml": "application/rss+xml", "feeds/courier.xml": "application/atom+xml",
                "feeds/herald.xml": "application/rss+xml", "feeds/other.xml": "application/xml",
                "sites/post/a.html": "text/html; charset=windows-1252",
                "sites/post/b.html": "text/html; charset=utf-8"}
    with StaticServer(tmp_path, host="127.0.0.5", latency=0.01) as site:
        site.override("sites/post/b.html", status=503, headers={"Retry-After": "0"})
        f = fetcher()
        for name, ctype in expected.items():
            if name.endswith("b.html"):
                with pytest.raises(TransientFetchError, match="HTTP 503"):
                    f.get(site.url(name))
                continue
            resp = f.get(site.url(name))
            assert resp.content_type == ctype and resp.body == files[name]  # bytes unmodified
        assert f.get(site.url("sites/post/")).body == files["sites/post/index.html"]
        with pytest.raises(FetchError, match="HTTP 404"):
            f.get(site.url("../../etc/passwd"))
        assert site.count("feeds/wire.xml") == 1 and site.count() == len(expected) + 2


# -- concurrency and politeness ---------------------------------------------------------------


def test_per_host_concurrency_is_respected(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({f"/p{i}": page(ARTICLE) for i in range(24)}, latency=0.1) as srv:
        f = fetcher(concurrency=12, per_host=3)
        got = dict(f.get_many([srv.url(f"/p{i}") for i in range(24)]))
        peak = srv.max_in_flight
    assert all(isinstance(r, Response) for r in got.values()) and len(got) == 24
    assert peak == 3


def test_one_fetcher_shared_by_threads_keeps_the_per_host_limit(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({f"/p{i}": page(ARTICLE) for i in range(40)}, latency=0.05) as srv:
        f = fetcher(concurrency=8, per_host=2)
        batches = [[srv.url(f"/p{i}") for i in range(k, 40, 4)] for k in range(4)]
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda urls: dict(f.get_many(urls)), batches))
            singles = list(pool.map(f.get, [srv.url("/p0")] * 4))
        peak = srv.max_in_flight
    assert sum(len(r) for r in results) == 40 and all(r.body == ARTICLE for r in singles)
    assert all(isinstance(v, Response) for r in results for v in r.values())
    assert peak == 2  # the limit is per Fetcher, not per get_many call


def test_hosts_are_fetched_in_parallel_each_within_its_limit(fetcher) -> None:  # type: ignore[no-untyped-def]
    routes = {f"/p{i}": page(ARTICLE) for i in range(12)}
    with FaultServer(routes, host="127.0.0.2", latency=0.2) as a, \
            FaultServer(routes, host="127.0.0.3", latency=0.2) as b:
        f = fetcher(concurrency=8, per_host=2)
        urls = [s.url(f"/p{i}") for s in (a, b) for i in range(12)]
        start = time.monotonic()
        results = list(f.get_many(urls))
        took = time.monotonic() - start
        peaks = (a.max_in_flight, b.max_in_flight)
    assert len(results) == 24 and peaks == (2, 2)
    assert took < 2.0  # 12 pages, 2 at a time, 0.2 s each: 1.2 s per host; one after the other: 2.4 s


def test_throughput_with_latency_across_many_hosts(fetcher) -> None:  # type: ignore[no-untyped-def]
    """Issue 7 in small: pooled keep-alive connections keep every slot busy."""
    n, hosts, latency = 400, 8, 0.05
    routes = {f"/p{i}": page(ARTICLE) for i in range(n)}
    with ExitStack() as stack:
        servers = [stack.enter_context(FaultServer(routes, host=f"127.0.0.{10 + h}", latency=latency))
                   for h in range(hosts)]
        f = fetcher(concurrency=16, per_host=4)
        urls = [servers[i % hosts].url(f"/p{i}") for i in range(n)]
        start = time.monotonic()
        ok = sum(isinstance(r, Response) for _, r in f.get_many(urls))
        took = time.monotonic() - start
        peaks = {s.max_in_flight for s in servers}
        connections = {(s.host, r.port) for s in servers for r in s.requests}
    ideal = n * latency / 16  # 1.25 s
    assert ok == n and max(peaks) <= 4
    assert len(connections) <= hosts * 4  # keep-alive: no connection per request
    assert took < 3 * ideal, f"{n} pages took {took:.2f} s (ideal {ideal:.2f} s)"


def test_politeness_delay_spaces_requests_to_one_host(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({f"/p{i}": page(ARTICLE) for i in range(5)}) as srv:
        f = fetcher(concurrency=5, per_host=5, delay=0.2)
        list(f.get_many([srv.url(f"/p{i}") for i in range(5)]))
        times = sorted(r.time for r in srv.requests)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 5 and min(gaps) >= 0.18


def test_connections_are_kept_alive_and_reused(fetcher) -> None:  # type: ignore[no-untyped-def]
    with FaultServer({f"/p{i}": page(ARTICLE) for i in range(40)}) as srv:
        f = fetcher(concurrency=4, per_host=2)
        list(f.get_many([srv.url(f"/p{i}") for i in range(40)]))
        connections = {r.port for r in srv.requests}
    assert len(srv.requests) == 40 and len(connections) <= 4


def test_source_budget_fails_unfinished_work(fetcher) -> None:  # type: ignore[no-untyped-def]
    routes = {f"/slow{i}": hang(30) for i in range(6)} | {"/fast": page(ARTICLE)}
    with FaultServer(routes) as srv:
        f = fetcher(concurrency=2, per_host=2, timeout=20, retries=2)
        urls = [srv.url("/fast")] + [srv.url(f"/slow{i}") for i in range(6)]
        start = time.monotonic()
        got = dict(f.get_many(urls, deadline=time.monotonic() + 1.0))
        took = time.monotonic() - start
    assert isinstance(got[srv.url("/fast")], Response)
    late = [r for u, r in got.items() if u != srv.url("/fast")]
    assert len(late) == 6 and all(isinstance(r, FetchError) for r in late)
    assert {r.problem for r in late} == {"source time budget exhausted"}
    assert took < 2.5
