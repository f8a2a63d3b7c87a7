"""Hostile servers, feeds and state files against the library: every fault is one line, in its place.

Real loopback servers send redirects to ``javascript:``, ``data:`` and ``mailto:`` URLs, malformed
Location headers and unsendable validators; real SQLite files are damaged, made read-only or given
bad rows. Nothing may raise outside the ``FetchError``/``StateError`` families, and one bad source
never costs the others their articles.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.story_eval import config_with_feeds, pack_feeds
from digest import pipeline
from digest.config import FetchSettings, load_config
from digest.errors import BlockedURLError, FetchError, StateError
from digest.fetch import Fetcher
from digest.models import Article, FeedSource
from digest.sources import NoFeedFound, check_source, find_feeds
from digest.store import Store
from tests.support.servers import FaultServer, StaticServer, page, raw, redirect, respond

pytestmark = pytest.mark.network_local
ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ("127.0.0.0/8", "::1/128")
DAY = dt.date(2016, 9, 18)
RSS_NO_LINKS = b"""<?xml version="1.0"?>
<rss version="0.92"><channel><title>Old Wire</title><link>http://old.example/</link>
<description>items without links</description>
<item><title>Truce holds</title><description>The Syria truce held overnight.</description></item>
<item><title>Aid waits</title><description>Aid convoys wait at the border.</description></item>
<item><description>Kerry and Lavrov spoke again.</description></item>
</channel></rss>"""
ATOM_NO_LINKS = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Linkless</title><id>urn:x</id>
<updated>2016-09-17T10:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><updated>2016-09-17T10:00:00Z</updated><summary>a</summary></entry>
<entry><title>Two</title><id>urn:2</id><updated>2016-09-17T11:00:00Z</updated><summary>b</summary></entry>
</feed>"""
HOSTILE = {  # route -> (what it does, the one-line problem the fetcher reports)
    "/js": (redirect("javascript:alert(1)"), "refused: redirect to a javascript: URL"),
    "/data": (redirect("data:text/html,<script>alert(1)</script>"), "refused: redirect to a data: URL"),
    "/mailto": (redirect("mailto:someone@example.com"), "refused: redirect to a mailto: URL"),
    "/vbs": (redirect("vbscript:msgbox(1)", 301), "refused: redirect to a vbscript: URL"),
    "/v6": (redirect("http://[::1"), "bad redirect location"),
    "/v6rel": (redirect("//[::1/feed"), "bad redirect location"),
    "/port": (redirect("http://127.0.0.1:abc/"), "bad redirect location"),
    "/idna": (redirect("http://xn--/feed.xml"), "invalid URL"),
    "/nul": (redirect("http://exa\x00mple.com/"), "invalid HTTP response"),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[FaultServer]:
    routes = {path: behaviour for path, (behaviour, _) in HOSTILE.items()}
    routes["/linkless.xml"] = respond(200, RSS_NO_LINKS, {"Content-Type": "application/rss+xml"})
    routes["/linkless.atom"] = respond(200, ATOM_NO_LINKS, {"Content-Type": "application/atom+xml"})
    routes["/refused-feed.html"] = page(
        b'<html><head><title>Front</title><link rel="alternate" type="application/rss+xml" '
        b'href="http://10.0.0.1/feed.xml"></head><body><p>News</p></body></html>')
    routes["/js-feed.html"] = page(
        b'<html><head><title>Front</title><link rel="alternate" type="application/rss+xml" '
        b'href="/js"></head><body><p>News</p></body></html>')
    routes["/etag"] = raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                          b"ETag: \"caf\xe9\"\r\nLast-Modified: Sat, 17 Sep 2016 \xff\r\n"
                          b"Content-Length: " + str(len(RSS_NO_LINKS)).encode() + b"\r\n"
                          b"Connection: close\r\n\r\n" + RSS_NO_LINKS)
    with FaultServer(routes) as server:
        yield server


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    f = Fetcher(FetchSettings(allow_networks=LOOPBACK, retries=0, timeout=5.0), backoff=0.05)
    yield f
    f.close()


# -- the fetcher --------------------------------------------------------------------------------


@pytest.mark.parametrize("route", sorted(HOSTILE))
def test_hostile_redirects_are_fetch_errors(hostile: FaultServer, fetcher: Fetcher,
                                            route: str) -> None:
    with pytest.raises(FetchError) as err:
        fetcher.get(hostile.url(route))
    assert HOSTILE[route][1] in err.value.problem
    assert "\n" not in str(err.value)
    if "refused" in HOSTILE[route][1]:
        assert isinstance(err.value, BlockedURLError)


@pytest.mark.parametrize("url", [
    "http://[::1", "http://[::1/feed.xml", "https://[fe80::1%eth0/", "http://xn--/",
    "http://ex\x00ample.com/", "http://:80/", "http:///feed", "http://[::1]:99999999/",
    "javascript:alert(1)", "data:,hi", "", "   ", "http://a" + "b" * 300 + ".invalid/",
])
def test_malformed_urls_are_fetch_errors(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError) as err:
        fetcher.get(url)
    assert err.value.problem and "\n" not in err.value.problem


def test_get_many_keeps_good_urls_beside_hostile_ones(hostile: FaultServer,
                                                      fetcher: Fetcher) -> None:
    urls = [hostile.url(r) for r in HOSTILE] + [hostile.url("/linkless.xml"), "http://[::1"]
    results = dict(fetcher.get_many(urls))
    assert set(results) == set(urls)
    assert results[hostile.url("/linkless.xml")].status == 200
    assert all(isinstance(results[u], FetchError) for u in urls if "linkless" not in u)


def test_unsendable_validators_from_a_server_are_not_sent_back(hostile: FaultServer,
                                                               fetcher: Fetcher) -> None:
    first = fetcher.get(hostile.url("/etag"))
    assert first.etag and not first.etag.isascii()  # "café" as the server sent it
    again = fetcher.get(hostile.url("/etag"), etag=first.etag,
                        last_modified=first.last_modified)  # used to raise UnicodeEncodeError
    assert again.status == 200
    sent = hostile.requests[-1].headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent


URL_PARTS = st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "javascript:", "", "//",
                             "http:/", "file:"])
HOSTS = st.one_of(
    st.sampled_from(["[::1", "[::1]", "xn--", "[fe80::1%eth0]", "a b", "é.invalid", "%zz",
                     "localhost", "h.invalid", "[", "]", "@", "h.invalid:", "h.invalid:abc",
                     "user:pw@h.invalid", "10.0.0.1", "0x7f.1", "999.1.1.1"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda t: "h" + t))


def _no_dns(host: str) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "unknown host")


@pytest.fixture(scope="module")
def offline_fetcher() -> Iterator[Fetcher]:
    """A fetcher whose resolver knows no name (nothing leaves the machine)."""
    with Fetcher(FetchSettings(retries=0, timeout=1.0), lookup=_no_dns) as f:
        yield f


@settings(max_examples=300, deadline=None)
@given(scheme=URL_PARTS, host=HOSTS, rest=st.text(max_size=12))
def test_fuzz_any_url_is_a_response_or_a_fetch_error(offline_fetcher: Fetcher, scheme: str,
                                                     host: str, rest: str) -> None:
    try:
        offline_fetcher.get(scheme + host + "/" + rest)
    except FetchError as exc:
        assert exc.problem
    # nothing else may escape: the test fails on any other exception


# -- sources: check, feeds add, a run -----------------------------------------------------------


def test_check_names_a_refused_advertised_feed(hostile: FaultServer, fetcher: Fetcher) -> None:
    check = check_source(fetcher, FeedSource("Front", hostile.url("/refused-feed.html")))
    assert not check.ok and check.reachable
    assert check.error.startswith("the page advertises the feed http://10.0.0.1/feed.xml, "
                                  "which failed: refused: 10.0.0.1 is a private address")


def test_feeds_add_says_why_the_advertised_feeds_failed(hostile: FaultServer,
                                                        fetcher: Fetcher) -> None:
    with pytest.raises(NoFeedFound) as err:
        find_feeds(fetcher, hostile.url("/js-feed.html"))
    assert "advertises 1 feed(s), but none could be read" in str(err.value)
    assert "refused: redirect to a javascript: URL" in str(err.value)


@pytest.mark.parametrize("route, entries", [("/linkless.xml", 3), ("/linkless.atom", 2)])
def test_a_feed_whose_items_have_no_links_is_a_feed(hostile: FaultServer, fetcher: Fetcher,
                                                    route: str, entries: int) -> None:
    check = check_source(fetcher, FeedSource("Old", hostile.url(route)), stale_days=0)
    assert check.ok and check.is_feed and check.entries == entries
    assert check.warning == f"a feed of {entries} entries, none with a usable link (nothing to read)"
    assert "not a feed" not in (check.warning or "")


def test_a_run_with_hostile_feeds_keeps_every_other_source(hostile: FaultServer,
                                                           tmp_path: Path) -> None:
    with StaticServer(ROOT / "seeds") as pack:
        feeds = pack_feeds(ROOT / "seeds", pack.base)
        hostile_feeds = [{"name": f"Hostile {r}", "url": hostile.url(r)} for r in HOSTILE]
        linkless = [{"name": "Old Wire", "url": hostile.url("/linkless.xml")}]
        cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                                feeds + hostile_feeds + linkless, tmp_path / "story.toml")
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("retries = 2", "retries = 0"),
                       encoding="utf-8")
        ctx = pipeline.open_run(load_config(cfg), day=DAY, out_dir=tmp_path / "out",
                                state_path=tmp_path / "state.sqlite", send_email=False)
        try:
            result = pipeline.run(ctx)
        finally:
            ctx.close()
        body = json.loads(result.paths["json"].read_text(encoding="utf-8"))
    sources = {s["name"]: s for s in body["sources"]}
    for route, (_, problem) in HOSTILE.items():
        s = sources[f"Hostile {route}"]
        assert s["status"] == "error" and problem in s["error"] and "\n" not in s["error"]
    assert sources["Old Wire"]["status"] != "error"  # read: a feed with nothing to read
    assert all(sources[f["name"]]["status"] == "ok" for f in feeds)
    assert len(body["articles"]) >= 4  # the pack's day still has its news


# -- state files --------------------------------------------------------------------------------


def _filled_state(path: Path, n: int = 300) -> None:
    with Store(path) as s:
        for i in range(n):
            s.save_article(Article(url=f"https://e.example/{i}", canonical_url=f"https://e.example/{i}",
                                   source="s", outlet="o", title="t" * 50, text="word " * 400,
                                   published=dt.datetime(2016, 9, 17, tzinfo=dt.UTC),
                                   content_hash=f"h{i}"))
        s._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_damaged_page_in_the_middle_is_one_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled_state(path)
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    assert pages > 100
    middle = (pages // 2) * 4096
    data[middle:middle + 4096] = bytes(range(256)) * 16  # a page of garbage, header intact
    path.write_bytes(bytes(data))
    with pytest.raises(StateError) as err:
        Store(path)
    assert "damaged" in str(err.value) and "\n" not in str(err.value)
    assert str(path) in str(err.value)


@pytest.fixture
def read_only_state(tmp_path: Path) -> Iterator[Path]:
    """A state file nobody may write: chmod for ordinary users, chattr +i for root."""
    path = tmp_path / "state.sqlite"
    _filled_state(path, 5)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield path
        path.chmod(0o644)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                        capture_output=True).returncode:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_read_only_state_file_is_one_state_error(read_only_state: Path) -> None:
    with pytest.raises(StateError) as err:
        Store(read_only_state)
    assert "read-only" in str(err.value) and "\n" not in str(err.value)


def test_bad_rows_are_left_out_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled_state(path, 3)
    db = sqlite3.connect(path)
    db.execute("UPDATE articles SET published='not a date' WHERE canonical_url=?",
               ("https://e.example/1",))
    db.execute("INSERT INTO articles (canonical_url, url, source, outlet, title, text, published,"
               " content_hash, fetched_at) VALUES ('x', 'x', 's', 'o', 't', 'text',"
               " '2016-09-17T10:00:00+00:00', 'hx', 'now')")
    db.execute("UPDATE articles SET updated=X'00FF' WHERE canonical_url='x'")  # a blob, not text
    db.execute("INSERT INTO feeds (url, name, entries) VALUES ('f', 'F', '{not json')")
    db.execute("INSERT INTO feeds (url, name, entries) VALUES ('g', 'G', '[{\"url\": 1}]')")
    db.execute("INSERT INTO digests VALUES ('s', '2016-09-10', 'now', '[1, 2]')")
    db.execute("INSERT INTO digests VALUES ('s', 'yesterday', 'now', '{}')")
    db.execute("INSERT INTO summaries VALUES ('h0', 'lead', 3, '{broken')")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    since, until = dt.datetime(2016, 9, 1, tzinfo=dt.UTC), dt.datetime(2016, 10, 1, tzinfo=dt.UTC)
    with Store(path) as s:
        assert {a.canonical_url for a in s.articles_published(since, until)} == {
            "https://e.example/0", "https://e.example/2"}
        assert s.article_for("https://e.example/1") is None
        assert s.feed_entries("f") == () and s.feed_entries("g") == ()
        assert s.digests_before("s", DAY) == []
        assert s.digest_dates("s") == [dt.date(2016, 9, 10)]  # 'yesterday' left out
        assert s.summary("h0", "lead", 3) is None
        assert set(s.articles(["https://e.example/0", "https://e.example/1", "x"])) == {
            "https://e.example/0"}


def test_a_bad_schema_version_is_one_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _filled_state(path, 1)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='one' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StateError) as err:
        Store(path)
    assert "bad schema version" in str(err.value)


def test_a_file_that_is_not_a_database_is_one_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    with pytest.raises(StateError) as err:
        Store(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("where", ["/dev/null", "{tmp}", "{tmp}/fifo"])
def test_a_state_path_that_is_not_a_file_is_refused_untouched(tmp_path: Path, where: str) -> None:
    os.mkfifo(tmp_path / "fifo")
    path = Path(where.format(tmp=tmp_path))
    with pytest.raises(StateError) as err:
        Store(path)
    assert str(err.value) == f"{path}: not a state database (not a regular file)"
    assert not Path(f"{path}-journal").exists() and not Path(f"{path}-wal").exists()


_PAYLOAD: list[bytes] = [b""]
HEADER_LINES = st.sampled_from([
    b"Content-Type: text/html", b"Content-Type: application/rss+xml; charset=\xff",
    b"Content-Length: 5", b"Content-Length: -1", b"Content-Length: 5, 6", b"Content-Length: x",
    b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip, chunked", b"Content-Encoding: gzip",
    b"Content-Encoding: br", b"Location: javascript:alert(1)", b"Location: http://[::1",
    b"Location: //\xff\xfe", b"Location: \x00", b"Location:", b"Retry-After: nan",
    b"Retry-After: 1e309", b"Retry-After: Mon, 01 Jan 0000 00:00:00 GMT", b"ETag: \"\xe9\"",
    b"Set-Cookie: a=\x01", b"X-\xff: \xff", b": no name", b"No colon", b"Connection: close"])
STATUS_LINES = st.sampled_from([
    b"HTTP/1.1 200 OK", b"HTTP/1.1 302 Found", b"HTTP/1.1 301 \xff", b"HTTP/1.1 304 Not Modified",
    b"HTTP/1.1 999 Odd", b"HTTP/1.1 429 Slow", b"HTTP/1.0 200", b"HTTP/2 200", b"HTTP/1.1 20 OK",
    b"ICY 200 OK", b""])


@pytest.fixture(scope="module")
def raw_server() -> Iterator[FaultServer]:
    def answer(h) -> None:  # type: ignore[no-untyped-def]
        raw(_PAYLOAD[0])(h)

    with FaultServer({"/raw": answer}) as server:
        yield server


@pytest.fixture(scope="module")
def loop_fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchSettings(allow_networks=LOOPBACK, retries=0, timeout=5.0),
                 backoff=0.01) as f:
        yield f


@settings(max_examples=150, deadline=None)
@given(status=STATUS_LINES, headers=st.lists(HEADER_LINES, max_size=5),
       body=st.binary(max_size=64))
def test_fuzz_any_raw_answer_is_a_response_or_a_fetch_error(raw_server: FaultServer,
                                                            loop_fetcher: Fetcher, status: bytes,
                                                            headers: list[bytes],
                                                            body: bytes) -> None:
    _PAYLOAD[0] = b"\r\n".join([status, *headers]) + b"\r\n\r\n" + body
    try:
        resp = loop_fetcher.get(raw_server.url("/raw"))
    except FetchError as exc:
        assert exc.problem and "\n" not in exc.problem
    else:
        assert 200 <= resp.status < 300 and resp.body
