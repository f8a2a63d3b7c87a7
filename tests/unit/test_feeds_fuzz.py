"""Property tests: parse_feed never raises, dates are None or aware UTC, titles never hold tags."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.feeds import parse_feed
from digest.models import ParsedFeed

TAG = re.compile(r"</?[A-Za-z][^<>]*>")
FUZZ = settings(
    max_examples=int(os.environ.get("DIGEST_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

SEEDS: list[bytes] = [
    b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire &amp; Co</title>
<item><title>Truce &lt;b&gt;holds&lt;/b&gt;</title><link>/a.html</link><pubDate>Sat, 17 Sep 2016 17:05:00 GMT</pubDate>
<description>&lt;p&gt;Text&lt;/p&gt;</description></item></channel></rss>""",
    b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://x.example/a/">
<title type="html">&lt;i&gt;T&lt;/i&gt;</title><entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>b</b></div></title>
<link href="b.html"/><id>tag:x,1</id><updated>2016-09-17T17:05:00-04:00</updated></entry></feed>""",
    '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>\u2018Post\u2019</title>'
    "<item><title>\u00a3 caf\u00e9</title><link>https://p.example/1</link></item></channel></rss>".encode(
        "cp1252"
    ),
    b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="x"><title>H</title></channel>
<item rdf:about="https://h.example/1"><title>One</title><link>https://h.example/1</link><dc:date>2016-09-12T19:00:00+05:30</dc:date></item></rdf:RDF>""",
    b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "url": "https://j.example/1",
"title": "<b>x</b>", "date_published": "2016-09-19T21:00:00+03:00"}]}""",
    b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>x</body></html>',
]


def _real_feeds() -> list[bytes]:
    """A few real feeds from the shared data, when it is there."""
    env = os.environ.get("DIGEST_SHARED_DATA")
    data = Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    picks = [
        "feed-rs/dev/rss2/rss_2.0_bbc.xml",
        "feed-rs/dev/atom/atom_xml_base.xml",
        "feed-rs/dev/rss1/rss_1.0_iso8859.xml",
        "miniflux/dev/encoding/koi8r.xml",
        "rss-parser/dev/input/instant-article.rss",
        "feed-rs/dev/jsonfeed/jsonfeed_example_1.json",
    ]
    return [(data / "feeds" / p).read_bytes() for p in picks if (data / "feeds" / p).is_file()]


CORPUS = SEEDS + _real_feeds()


def check(feed: ParsedFeed) -> None:
    assert isinstance(feed, ParsedFeed)
    assert feed.warning is None or "\n" not in feed.warning
    assert not TAG.search(feed.title)
    for entry in feed.entries:
        assert not TAG.search(entry.title), entry.title
        assert not TAG.search(entry.summary), entry.summary
        assert entry.url.startswith(("http://", "https://", "file:///"))
        for when in (entry.published, entry.updated):
            assert when is None or (when.tzinfo is not None and when.utcoffset() == dt.timedelta(0))
            assert when is None or when.year >= 1990


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(body: bytes) -> None:
    check(parse_feed(body, url="https://fuzz.example/feed", source="fuzz"))


@FUZZ
@given(
    seed=st.sampled_from(CORPUS),
    cuts=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=24)),
        min_size=1,
        max_size=6,
    ),
    headers=st.sampled_from(
        [
            {},
            {"content-type": "text/xml"},
            {"content-type": "text/html; charset=utf-8"},
            {"content-type": "application/rss+xml; charset=ISO-8859-1"},
            {"content-type": "text/plain; charset=bogus-charset"},
        ]
    ),
    url=st.sampled_from(["https://fuzz.example/dir/feed.xml", "file:///srv/pack/feeds/f.xml"]),
)
def test_mutated_real_feeds(
    seed: bytes, cuts: list[tuple[float, int, bytes]], headers: dict[str, str], url: str
) -> None:
    body = bytearray(seed)
    for where, length, insert in cuts:  # delete a slice and insert random bytes at a random place
        at = int(where * len(body))
        body[at : at + length] = insert
    check(parse_feed(bytes(body), url=url, source="fuzz", headers=headers))


MARKUP_TEXT = st.lists(
    st.sampled_from(list("ab <>/&;\"'=#x1\u00e9\u20ac\n"))
    | st.sampled_from(
        [
            "<b>",
            "</b>",
            "<script>",
            "&lt;i&gt;",
            "&amp;",
            "&#60;",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "<img src=x>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&amp;lt;b&amp;gt;",
        ]
    ),
    max_size=20,
).map("".join)
DATES = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda d: d.strftime("%a, %d %b %Y %H:%M:%S +0000") if d.year >= 1000 else str(d)
    ),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2016-02-30T10:00:00Z",
            "0000-00-00",
            "Sat, 31 Feb 2016 10:00:00 GMT",
            "1969-12-31T23:59:59Z",
        ]
    ),
)


@FUZZ
@given(
    title=MARKUP_TEXT,
    summary=MARKUP_TEXT,
    date=DATES,
    escape_title=st.booleans(),
    cdata=st.booleans(),
)
def test_generated_items(
    title: str, summary: str, date: str, escape_title: bool, cdata: bool
) -> None:
    t = escape(title) if escape_title else title
    d = f"<![CDATA[{summary}]]>" if cdata else escape(summary)
    body = (
        f"<rss version='2.0'><channel><title>{t}</title><item><title>{t}</title>"
        f"<link>https://g.example/1</link><pubDate>{escape(date)}</pubDate><description>{d}</description>"
        "</item></channel></rss>"
    )
    check(
        parse_feed(
            body.encode("utf-8", "surrogatepass"), url="https://g.example/feed", source="gen"
        )
    )
