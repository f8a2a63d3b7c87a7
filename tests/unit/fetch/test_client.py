"""Fetcher pieces without the network: bodies, content checks, file: URLs, scheduling, retries."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import zlib
from pathlib import Path

import pytest

from digest.config import FetchSettings
from digest.errors import BlockedURLError, FetchError, TransientFetchError
from digest.fetch.body import BadEncoding, BodyDecoder, BodyTooLarge, content_problem, looks_textual
from digest.fetch.client import Fetcher, host_key, parse_retry_after, status_text
from digest.fetch.pool import BUDGET_EXHAUSTED, HostGate, fetch_concurrently
from digest.models import Response
from digest.urls import redact_url as redact

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)


# -- bodies -----------------------------------------------------------------------------------


def gzip(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


def feed_all(decoder: BodyDecoder, data: bytes, chunk: int = 1000) -> bytes:
    out = [decoder.feed(data[i:i + chunk]) for i in range(0, len(data), chunk)]
    return b"".join(out) + decoder.flush()


@pytest.mark.parametrize("coding, encode", [
    ("gzip", gzip),
    ("deflate", zlib.compress),
    ("deflate", lambda d: zlib.compress(d)[2:-4]),  # raw deflate, as some servers send it
    ("identity", lambda d: d),
    ("", lambda d: d),
])
def test_decoder_round_trips(coding: str, encode) -> None:  # type: ignore[no-untyped-def]
    text = b"<html><body>" + b"story digest " * 5000 + b"</body></html>"
    assert feed_all(BodyDecoder(coding, 10**6), encode(text)) == text


def test_decoder_handles_concatenated_gzip_members() -> None:
    assert feed_all(BodyDecoder("gzip", 1000), gzip(b"first ") + gzip(b"second")) == b"first second"


def test_gzip_bomb_stops_at_the_cap_without_inflating_it() -> None:
    bomb = gzip(bytes(200_000_000))  # about 200 KB that inflates to 200 MB
    decoder = BodyDecoder("gzip", 1_000_000)
    produced = 0
    with pytest.raises(BodyTooLarge, match="body larger than 1000000 bytes"):
        for i in range(0, len(bomb), 16_384):
            produced += len(decoder.feed(bomb[i:i + 16_384]))
    assert produced <= 1_000_000 and decoder.size <= 1_000_001


def test_decoder_ignores_junk_after_a_complete_gzip_member() -> None:
    assert feed_all(BodyDecoder("gzip", 1000), gzip(b"<p>page</p>") + b"junk!") == b"<p>page</p>"


def test_decoder_refuses_unknown_and_corrupt_encodings() -> None:
    with pytest.raises(BadEncoding, match="unsupported content-encoding br"):
        BodyDecoder("br", 100)
    with pytest.raises(BadEncoding, match="corrupt gzip"):
        BodyDecoder("gzip", 100).feed(b"this is not gzip at all")


def test_plain_bodies_count_towards_the_cap() -> None:
    decoder = BodyDecoder("", 10)
    decoder.feed(b"12345")
    with pytest.raises(BodyTooLarge):
        decoder.feed(b"123456")


@pytest.mark.parametrize("body, ctype, problem", [
    (PNG, "image/png", "not a web page (content-type image/png)"),
    (PNG, "", "not a web page (PNG image)"),
    (PNG, "text/html", "not a web page (PNG image served as text/html)"),
    (b"%PDF-1.7\n" + bytes(50), "application/pdf", "not a web page (content-type application/pdf)"),
    (b"PK\x03\x04" + bytes(50), "text/html", "not a web page (ZIP archive served as text/html)"),
    (bytes(range(256)) * 4, "application/octet-stream", "not a web page (content-type application/octet-stream)"),
    (bytes(range(256)) * 4, "text/html", "not a web page (binary content)"),
    (b"", "text/html", "empty response (no body)"),
    (b"  \r\n ", "text/html", "empty response (no body)"),
])
def test_binary_and_empty_bodies_are_refused(body: bytes, ctype: str, problem: str) -> None:
    assert content_problem(body, ctype) == problem


@pytest.mark.parametrize("body, ctype", [
    (b"<!doctype html><html><body>Kerry and Lavrov</body></html>", "application/octet-stream"),
    (b"<?xml version='1.0'?><rss version='2.0'></rss>", "text/plain"),
    (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>", ""),
    (b"<html><body>served as an image by a broken server</body></html>", "image/png"),
    ("<?xml version='1.0' encoding='utf-16'?><rss/>".encode("utf-16"), "application/xml"),
    ("<?xml version='1.0' encoding='utf-16le'?><rss/>".encode("utf-16-le"), ""),  # no BOM
    ("<rss>caf\xe9 \u2014 \xa3</rss>".encode("cp1252"), "application/rss+xml"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/feed+json"),
])
def test_real_markup_is_accepted_whatever_the_declared_type(body: bytes, ctype: str) -> None:
    assert looks_textual(body[:2048])
    assert content_problem(body, ctype) is None


# -- small helpers ----------------------------------------------------------------------------


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = dt.datetime(2016, 9, 18, 6, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after("Sun, 18 Sep 2016 06:00:30 GMT", now) == 30
    assert parse_retry_after("Sun, 18 Sep 2016 05:00:00 GMT", now) == 0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_status_text_and_redaction() -> None:
    assert status_text(404) == "HTTP 404 Not Found"
    assert status_text(503) == "HTTP 503 Service Unavailable"
    assert status_text(599, "Weird") == "HTTP 599 Weird"
    assert redact("https://user:s3cret@example.com/feed?x=1") == "https://example.com/feed?x=1"
    assert "s3cret" not in redact("http://a:s3cret@h/")
    # fetch errors go through the same redactor as the digest: no secret query value survives
    err = FetchError("https://u:pw1@example.com/feed?token=s3cret&x=1", "HTTP 500")
    assert "s3cret" not in str(err) and "pw1" not in str(err) and "x=1" in str(err)


def test_host_keys_group_by_host_name() -> None:
    assert host_key("https://WWW.Example.com:8443/a") == "www.example.com"
    assert host_key("http://[::1]:80/") == "::1"
    assert host_key("file:///tmp/x") == "file:"


# -- file: URLs -------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    (root / "feeds").mkdir(parents=True)
    (root / "feeds" / "wire.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'/>")
    (root / "logo.png").write_bytes(PNG)
    (root / "empty.html").write_bytes(b"")
    (tmp_path / "secret.txt").write_text("do not read")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    return root


def test_file_urls_are_read_under_the_local_root(tree: Path) -> None:
    with Fetcher(FetchSettings(), local_root=tree) as f:
        resp = f.get((tree / "feeds" / "wire.xml").as_uri())
    assert resp.status == 200 and resp.body.startswith(b"<?xml")
    assert resp.content_type == "application/xml" and resp.etag and resp.last_modified


def test_file_urls_answer_conditional_requests(tree: Path) -> None:
    url = (tree / "feeds" / "wire.xml").as_uri()
    with Fetcher(FetchSettings(), local_root=tree) as f:
        first = f.get(url)
        assert f.get(url, etag=first.etag).status == 304
        assert f.get(url, last_modified=first.last_modified).not_modified
        assert f.get(url, etag='"other"').status == 200


@pytest.mark.parametrize("where", ["../secret.txt", "link.txt", "feeds/../../secret.txt"])
def test_file_urls_outside_the_root_are_refused(tree: Path, where: str) -> None:
    url = "file://" + str(tree) + "/" + where
    with Fetcher(FetchSettings(), local_root=tree) as f, pytest.raises(BlockedURLError) as err:
        f.get(url)
    assert "outside the local root" in err.value.problem


def test_file_urls_without_a_local_root_are_refused(tree: Path) -> None:
    with Fetcher(FetchSettings(), local_root=None) as f:
        for url in ["file:///etc/passwd", (tree / "feeds" / "wire.xml").as_uri()]:
            with pytest.raises(BlockedURLError, match="file URLs are not allowed"):
                f.get(url)


def test_file_content_is_checked_too(tree: Path) -> None:
    with Fetcher(FetchSettings(), local_root=tree) as f:
        with pytest.raises(FetchError, match=r"not a web page \(content-type image/png\)"):
            f.get((tree / "logo.png").as_uri())
        with pytest.raises(FetchError, match="empty response"):
            f.get((tree / "empty.html").as_uri())
        with pytest.raises(FetchError, match="file not found"):
            f.get((tree / "missing.html").as_uri())
        with pytest.raises(FetchError, match="body larger than 10 bytes"):
            f.get((tree / "feeds" / "wire.xml").as_uri(), max_bytes=10)


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "gopher://x/", "javascript:alert(1)",
                                 "data:text/html,<p>x</p>", "/relative/path", "mailto:a@b.c"])
def test_other_schemes_are_refused(url: str) -> None:
    with Fetcher(FetchSettings()) as f, pytest.raises(BlockedURLError, match="refused"):
        f.get(url)


def test_failures_are_logged_once_as_one_line_without_secrets(caplog) -> None:  # type: ignore[no-untyped-def]
    with Fetcher(FetchSettings()) as f, pytest.raises(BlockedURLError):
        f.get("http://admin:hunter2@127.0.0.9/feed")  # loopback: no traffic leaves
    lines = [r.getMessage() for r in caplog.records if r.name == "digest.fetch.client"]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert "hunter2" not in lines[0] and "refused: 127.0.0.9 is a loopback address" in lines[0]
    assert caplog.records[0].levelname == "WARNING"


# -- retries ----------------------------------------------------------------------------------


def test_backoff_grows_and_retry_after_is_capped() -> None:
    f = Fetcher(FetchSettings(), backoff=1.0)
    waits = [f._retry_wait(n, None) for n in (1, 2, 3, 4)]
    assert 0.5 <= waits[0] <= 1.5 and 4 <= waits[3] <= 12
    assert f._retry_wait(1, 3.0) == 3.0
    assert f._retry_wait(1, 3600.0) is None  # the server asks for too long: give up now
    assert f._retry_wait(10, None) <= 45  # never more than 30 s (x1.5 jitter)
    f.close()


# -- scheduling -------------------------------------------------------------------------------


def test_host_gate_limits_concurrency_per_host() -> None:
    gate = HostGate(per_host=2, delay=0.0)
    lock, now, peak = threading.Lock(), [0], [0]

    def work() -> None:
        with gate.slot("a.example"):
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.02)
            with lock:
                now[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2


def test_host_gate_spaces_starts_by_the_delay() -> None:
    gate = HostGate(per_host=4, delay=0.05)
    starts: list[float] = []
    for _ in range(4):
        with gate.slot("a.example"):
            starts.append(time.monotonic())
    with gate.slot("b.example"):  # another host is not delayed
        other = time.monotonic()
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.045
    assert other - starts[-1] < 0.04


def fake_fetch(delay: float = 0.01, fail: set[str] = frozenset()):  # type: ignore[no-untyped-def, assignment]
    lock = threading.Lock()
    state = {"now": {}, "peak": {}, "calls": []}

    def fetch(url: str) -> Response:
        host = host_key(url)
        with lock:
            state["now"][host] = state["now"].get(host, 0) + 1
            state["peak"][host] = max(state["peak"].get(host, 0), state["now"][host])
            state["calls"].append(url)
        time.sleep(delay)
        with lock:
            state["now"][host] -= 1
        if url in fail:
            raise TransientFetchError(url, "HTTP 503 Service Unavailable")
        return Response(url=url, final_url=url, status=200, headers={}, body=b"<p>x</p>")

    return fetch, state


def test_fetch_concurrently_yields_each_url_once_within_limits() -> None:
    urls = [f"http://h{i % 3}.example/{i}" for i in range(60)] + ["http://h0.example/0"]
    fetch, state = fake_fetch(fail={"http://h1.example/4"})
    got = list(fetch_concurrently(fetch, urls, host_of=host_key, concurrency=6, per_host=2))
    assert sorted(u for u, _ in got) == sorted(set(urls))
    assert len(state["calls"]) == 60
    assert max(state["peak"].values()) == 2
    errors = {u: r for u, r in got if isinstance(r, FetchError)}
    assert list(errors) == ["http://h1.example/4"]


def test_one_big_host_does_not_starve_the_others() -> None:
    urls = [f"http://big.example/{i}" for i in range(40)] + ["http://small.example/1"]
    fetch, state = fake_fetch(delay=0.02)
    order = [u for u, _ in fetch_concurrently(fetch, urls, host_of=host_key, concurrency=4,
                                                 per_host=2)]
    assert order.index("http://small.example/1") < 5


def test_deadline_fails_the_rest_with_budget_exhausted() -> None:
    urls = [f"http://slow.example/{i}" for i in range(20)]
    fetch, _ = fake_fetch(delay=0.1)
    start = time.monotonic()
    got = dict(fetch_concurrently(fetch, urls, host_of=host_key, concurrency=2, per_host=2,
                                  deadline=time.monotonic() + 0.25))
    assert time.monotonic() - start < 1.0
    assert set(got) == set(urls)
    ok = [u for u, r in got.items() if isinstance(r, Response)]
    late = [r for r in got.values() if isinstance(r, FetchError)]
    assert 2 <= len(ok) <= 8
    assert late and all(r.problem == BUDGET_EXHAUSTED for r in late)


def test_stopping_early_does_not_hang() -> None:
    urls = [f"http://h.example/{i}" for i in range(50)]
    fetch, state = fake_fetch(delay=0.01)
    it = fetch_concurrently(fetch, urls, host_of=host_key, concurrency=4, per_host=4)
    next(it)
    it.close()
    time.sleep(0.1)
    assert len(state["calls"]) < 50
