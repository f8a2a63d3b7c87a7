"""parse_feed turns any body into entries with absolute links, plain text and sane UTC dates."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from digest.feeds import parse_datetime, parse_feed, to_utc

UTC = dt.UTC

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Meridian &amp; Co: Top News</title>
  <link>https://wire.example/</link>
  <item>
    <title>Kerry and Lavrov &lt;b&gt;agree&lt;/b&gt; Syria truce</title>
    <link>https://wire.example/2016/09/10/truce.html</link>
    <guid isPermaLink="false">wire-0910-truce</guid>
    <pubDate>Sat, 10 Sep 2016 00:30:00 GMT</pubDate>
    <description>&lt;p&gt;GENEVA &amp;mdash; The United States and Russia   agreed&lt;/p&gt;
      &lt;script&gt;alert(1)&lt;/script&gt;</description>
    <author>desk@wire.example (Lena Marsh)</author>
  </item>
  <item>
    <title>Aid convoy waits at border</title>
    <guid>https://wire.example/2016/09/14/convoy.html</guid>
    <pubDate>Wed, 14 Sep 2016 09:00:00 +0300</pubDate>
    <content:encoded><![CDATA[<p>Trucks <em>wait</em> at Cilvegozu.</p>]]></content:encoded>
  </item>
  <item>
    <title>No link and a non-permalink guid</title>
    <guid isPermaLink="false">urn:x:1</guid>
  </item>
  <item>
    <title>Relative link</title>
    <link>/2016/09/15/relative.html</link>
    <dc:date>2016-09-15T10:00:00+05:30</dc:date>
  </item>
</channel>
</rss>"""

RSS1 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://herald.example/rss">
    <title>The Eastern Herald</title><link>https://herald.example/</link>
    <description>International desk</description>
  </channel>
  <item rdf:about="https://herald.example/2016/09/12/truce-begins.html">
    <title>Truce begins at sundown</title>
    <link>https://herald.example/2016/09/12/truce-begins.html</link>
    <dc:date>2016-09-12T19:00:00+05:30</dc:date>
    <dc:creator>International Desk</dc:creator>
  </item>
</rdf:RDF>"""

ATOM_XML_BASE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://courier.example/world/">
  <title type="html">Capital Courier: &lt;i&gt;World&lt;/i&gt;</title>
  <link href="./" rel="alternate"/>
  <id>tag:courier.example,2016:world</id>
  <updated>2016-09-21T00:20:00-04:00</updated>
  <entry>
    <title>Kerry: truce "not dead"</title>
    <link href="2016/09/21/not-dead.html" rel="alternate"/>
    <id>tag:courier.example,2016:1</id>
    <published>2016-09-20T20:20:00-04:00</published>
    <updated>2016-09-20T22:00:00-04:00</updated>
    <author><name>Marcus Bell</name></author>
    <summary type="html">&lt;p&gt;NEW YORK &#8212; Kerry said&lt;/p&gt;</summary>
  </entry>
  <entry xml:base="/archive/">
    <title>Only updated</title>
    <link href="old.html"/>
    <id>https://courier.example/archive/old.html</id>
    <updated>2016-09-19T12:00:00Z</updated>
  </entry>
</feed>"""

WINDOWS_1252 = (
    '<?xml version="1.0" encoding="windows-1252"?>\n<rss version="2.0"><channel>'
    "<title>The Northern Post</title><link>https://post.example/</link>"
    "<item><title>\u2018Painful\u2019 talks cost \u00a3 and caf\u00e9 diplomacy</title>"
    "<link>https://post.example/a.html</link><pubDate>Thu, 22 Sep 2016 21:05:00 +0100</pubDate></item>"
    "<item><title>Undated story</title><link>https://post.example/b.html</link></item>"
    "</channel></rss>"
).encode("cp1252")

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Levant Tribune</title>
<link rel="alternate" type="application/rss+xml" title="Middle East" href="/feeds/middle-east.xml">
<link rel="alternate" type="application/atom+xml" href="https://tribune.example/atom.xml">
<link rel="stylesheet" href="/style.css">
</head><body><p>Welcome</p></body></html>"""


def parse(body: bytes, url: str = "https://wire.example/rss.xml", **kw: object):
    return parse_feed(body, url=url, source="test", **kw)  # type: ignore[arg-type]


def test_rss2_entries_are_plain_text_with_absolute_links() -> None:
    feed = parse(RSS2)
    assert feed.title == "Meridian & Co: Top News"
    assert feed.link == "https://wire.example/"
    assert not feed.is_html
    urls = [e.url for e in feed.entries]
    assert urls == [
        "https://wire.example/2016/09/10/truce.html",
        "https://wire.example/2016/09/14/convoy.html",  # permalink guid used as the link
        "https://wire.example/2016/09/15/relative.html",  # relative link resolved on the feed URL
    ]
    first = feed.entries[0]
    assert first.title == "Kerry and Lavrov agree Syria truce"
    assert first.summary == "GENEVA \u2014 The United States and Russia agreed"
    assert first.author == "Lena Marsh"
    assert first.guid == "wire-0910-truce"
    assert first.source == "test"
    assert feed.entries[1].summary == "Trucks wait at Cilvegozu."  # content:encoded teaser


def test_entry_without_usable_link_is_skipped_and_counted() -> None:
    feed = parse(RSS2)
    assert feed.warning is not None
    assert "1 of 4 entries skipped" in feed.warning
    assert "\n" not in feed.warning


def test_dates_are_aware_utc() -> None:
    entries = parse(RSS2).entries
    assert entries[0].published == dt.datetime(2016, 9, 10, 0, 30, tzinfo=UTC)
    assert entries[1].published == dt.datetime(2016, 9, 14, 6, 0, tzinfo=UTC)
    assert entries[2].published == dt.datetime(2016, 9, 15, 4, 30, tzinfo=UTC)  # dc:date
    for entry in entries:
        assert entry.published is not None and entry.published.utcoffset() == dt.timedelta(0)


def test_rss1_rdf_with_dc_date() -> None:
    feed = parse(RSS1, url="https://herald.example/rss")
    assert feed.title == "The Eastern Herald"
    [entry] = feed.entries
    assert entry.url == "https://herald.example/2016/09/12/truce-begins.html"
    assert entry.published == dt.datetime(2016, 9, 12, 13, 30, tzinfo=UTC)
    assert entry.author == "International Desk"
    assert feed.warning is None


def test_atom_xml_base_and_relative_links() -> None:
    feed = parse(ATOM_XML_BASE, url="https://courier.example/feeds/world.atom")
    assert feed.title == "Capital Courier: World"
    assert feed.link == "https://courier.example/world/"
    first, second = feed.entries
    assert first.url == "https://courier.example/world/2016/09/21/not-dead.html"
    assert first.title == 'Kerry: truce "not dead"'
    assert first.published == dt.datetime(2016, 9, 21, 0, 20, tzinfo=UTC)
    assert first.updated == dt.datetime(2016, 9, 21, 2, 0, tzinfo=UTC)
    assert first.author == "Marcus Bell"
    assert first.summary == "NEW YORK \u2014 Kerry said"
    assert second.url == "https://courier.example/archive/old.html"
    # no <published>: the entry's updated time stands in for it
    assert second.published == second.updated == dt.datetime(2016, 9, 19, 12, 0, tzinfo=UTC)


def test_atom_relative_links_resolve_against_file_url() -> None:
    body = ATOM_XML_BASE.replace(b' xml:base="https://courier.example/world/"', b"")
    feed = parse(body, url="file:///srv/pack/feeds/courier.xml")
    assert feed.entries[0].url == "file:///srv/pack/feeds/2016/09/21/not-dead.html"
    assert feed.entries[1].url == "file:///archive/old.html"


def test_document_relative_links_climb_out_of_the_feed_folder() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>a</title><link>../sites/post/2016/09/18/a.html</link></item></channel></rss>"""
    feed = parse(body, url="file:///srv/pack/feeds/post.xml")
    assert feed.entries[0].url == "file:///srv/pack/sites/post/2016/09/18/a.html"


def test_http_feed_cannot_point_at_local_files() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>a</title><link>file:///etc/passwd</link></item>
      <item><title>b</title><link>javascript:alert(1)</link></item>
      <item><title>c</title><link>https://ok.example/c</link></item></channel></rss>"""
    feed = parse(body)
    assert [e.url for e in feed.entries] == ["https://ok.example/c"]
    assert feed.warning and "2 of 3 entries skipped" in feed.warning


def test_windows_1252_feed_declared_in_prolog() -> None:
    feed = parse(WINDOWS_1252, url="https://post.example/rss")
    assert feed.entries[0].title == "\u2018Painful\u2019 talks cost \u00a3 and caf\u00e9 diplomacy"
    assert feed.entries[0].published == dt.datetime(2016, 9, 22, 20, 5, tzinfo=UTC)


def test_item_without_date_has_none() -> None:
    feed = parse(WINDOWS_1252, url="https://post.example/rss")
    assert feed.entries[1].title == "Undated story"
    assert feed.entries[1].published is None and feed.entries[1].updated is None


def test_charset_header_wins_over_missing_declaration() -> None:
    body = "<rss version='2.0'><channel><title>Caf\u00e9</title></channel></rss>".encode("latin-1")
    feed = parse(body, headers={"Content-Type": "text/xml; charset=ISO-8859-1"})
    assert feed.title == "Caf\u00e9"


def test_utf8_bytes_behind_a_lying_latin1_prolog() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Euro \u20ac</title>'
    body += "<item><title>Caf\u00e9</title><link>https://x.example/a</link></item></channel></rss>"
    feed = parse(body.encode("utf-8"))
    assert feed.title == "Euro \u20ac"
    assert feed.entries[0].title == "Caf\u00e9"


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("Sat, 31 Feb 2016 10:00:00 +0300", None),  # impossible day
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),  # placeholder epoch
        ("Mon, 01 Jan 2091 00:00:00 GMT", None),  # far future
        ("yesterday-ish", None),
        ("Sat, 17 Sep 2016 17:05:00 GMT", dt.datetime(2016, 9, 17, 17, 5, tzinfo=UTC)),
    ],
)
def test_absurd_or_missing_dates_become_none(stamp: str, expected: dt.datetime | None) -> None:
    body = f"""<rss version="2.0"><channel><title>t</title><item><title>a</title>
      <link>https://x.example/a</link><pubDate>{stamp}</pubDate></item></channel></rss>"""
    [entry] = parse(body.encode()).entries
    assert entry.published == expected


def test_html_page_is_detected_with_its_advertised_feeds() -> None:
    feed = parse(HTML_PAGE, url="https://tribune.example/world/")
    assert feed.is_html
    assert feed.entries == ()
    assert feed.alternates == (
        "https://tribune.example/feeds/middle-east.xml",
        "https://tribune.example/atom.xml",
    )
    assert feed.warning and feed.warning.startswith("not a feed: an HTML page")


def test_tiny_html_without_doctype_is_detected() -> None:
    body = b'<head><title>Document Moved</title></head><body><a HREF="http://x.example/rss/">here</a></body>'
    feed = parse(body)
    assert feed.is_html and feed.entries == ()
    assert feed.alternates == ("http://x.example/rss/",)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"\x00\x01\x02garbage\xff\xfe",
        b"<rss><channel><item><title>unterminated",
        b"{not json",
        b"/etc/passwd",
        b"http://127.0.0.1:9/feed",
        b"<?xml version='1.0'?><note><to>x</to></note>",
    ],
)
def test_garbage_never_raises_and_explains(body: bytes) -> None:
    feed = parse(body)
    assert feed.entries == ()
    assert feed.warning and "\n" not in feed.warning


def test_bozo_feed_with_entries_is_kept_with_a_warning() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>One &nbsp; two</title><link>https://x.example/1</link></item>
      <item><title>Three</title><link>https://x.example/2</link></item>
    </channel>"""  # undefined entity and a missing </rss>
    feed = parse(body)
    assert [e.url for e in feed.entries] == ["https://x.example/1", "https://x.example/2"]
    assert (
        feed.warning
        and feed.warning.startswith("malformed feed")
        and "2 entries read" in feed.warning
    )


def test_json_feed() -> None:
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "Dispatch",
      "home_page_url": "https://dispatch.example/", "items": [
        {"id": "1", "url": "/2016/09/19/convoy.html", "title": "Convoy hit",
         "content_html": "<p>Twenty <b>killed</b></p>", "date_published": "2016-09-19T21:00:00+03:00",
         "authors": [{"name": "Sam Ortega"}]},
        {"id": "2", "title": "no url"}]}"""
    feed = parse(body, url="https://dispatch.example/feed.json")
    assert feed.title == "Dispatch"
    [entry] = feed.entries
    assert entry.url == "https://dispatch.example/2016/09/19/convoy.html"
    assert entry.summary == "Twenty killed"
    assert entry.published == dt.datetime(2016, 9, 19, 18, 0, tzinfo=UTC)
    assert entry.author == "Sam Ortega"
    assert feed.warning == "1 of 2 entries skipped: no usable link"


def test_body_that_looks_like_a_path_is_not_opened(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "feed.xml"
    secret.write_bytes(RSS2)
    feed = parse(str(secret).encode())
    assert feed.entries == ()  # feedparser would have read the file had it been given the bytes


def test_to_utc_and_parse_datetime() -> None:
    assert to_utc(time.struct_time((2016, 9, 17, 17, 5, 0, 5, 261, 0))) == dt.datetime(
        2016, 9, 17, 17, 5, tzinfo=UTC
    )
    assert to_utc(dt.datetime(2016, 9, 17, 12, 0)) == dt.datetime(2016, 9, 17, 12, 0, tzinfo=UTC)
    assert parse_datetime("2016-09-17T20:05:00+03:00") == dt.datetime(
        2016, 9, 17, 17, 5, tzinfo=UTC
    )
    assert parse_datetime("2016-09-17T17:05:00Z") == dt.datetime(2016, 9, 17, 17, 5, tzinfo=UTC)
    assert parse_datetime("2016-09-17") == dt.datetime(2016, 9, 17, tzinfo=UTC)
    assert parse_datetime("Sat, 17 Sep 2016 18:05:00 +0100") == dt.datetime(
        2016, 9, 17, 17, 5, tzinfo=UTC
    )
    assert parse_datetime("0000-00-00") is None
    assert parse_datetime("") is None


def test_large_real_sized_feed_parses_whole() -> None:  # its speed: bench/, not a timed test
    item = (
        "<item><title>Story {i} &amp; more</title><link>https://x.example/{i}</link>"
        "<pubDate>Sat, 17 Sep 2016 17:05:00 GMT</pubDate><description>{body}</description></item>"
    )
    body = "&lt;p&gt;" + "word " * 150 + "&lt;/p&gt;"
    xml = "<rss version='2.0'><channel><title>t</title>" + "".join(
        item.format(i=i, body=body) for i in range(200)
    )
    xml += "</channel></rss>"
    feed = parse(xml.encode())
    assert len(feed.entries) == 200 and feed.warning is None


def test_root_relative_permalink_guid_is_the_link():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>A</title><guid isPermaLink="true">/world/2016/09/17/story/index.html</guid>
<pubDate>Sat, 17 Sep 2016 14:30:00 EDT</pubDate></item>
<item><title>B</title><guid>abc-123</guid></item>
</channel></rss>"""
    parsed = parse_feed(body, url="https://example.com/feeds/top.xml", source="T")
    assert [e.url for e in parsed.entries] == [
        "https://example.com/world/2016/09/17/story/index.html"]


@pytest.mark.parametrize(("text", "utc"), [
    ("Thu, 08 Sep 2016 11:15:00 BST", "2016-09-08T10:15:00+00:00"),  # British Summer Time
    ("Thu, 08 Sep 2016 11:15:00 CEST", "2016-09-08T09:15:00+00:00"),
    ("Thu, 08 Sep 2016 18:30:00 KST", "2016-09-08T09:30:00+00:00"),
    ("Thu, 08 Sep 2016 19:00:00 ACST", "2016-09-08T09:30:00+00:00"),  # half an hour
    ("Thu, 08 Sep 2016 06:15:00 EDT", "2016-09-08T10:15:00+00:00"),  # feedparser's own
])
def test_named_zones_news_feeds_use_are_read_right(text: str, utc: str) -> None:
    from digest.feeds import parse_datetime

    assert parse_datetime(text) == dt.datetime.fromisoformat(utc)
    rss = (f"<rss version='2.0'><channel><title>t</title><item><title>a</title>"
           f"<link>https://example.org/a</link><pubDate>{text}</pubDate></item></channel></rss>")
    parsed = parse_feed(rss.encode(), url="https://example.org/feed", source="t")
    assert parsed.entries[0].published == dt.datetime.fromisoformat(utc)
