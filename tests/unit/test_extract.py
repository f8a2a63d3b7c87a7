"""extract_article returns clean article text and metadata, or a one-line ExtractError."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import pickle

import pytest

from digest.errors import ExtractError
from digest.extract import decode_html, extract_article, page_metadata
from digest.models import Entry
from digest.text.clean import clean_article_text, count_words, html_to_text

UTC = dt.UTC

BODY = [
    "BEIRUT: A US-led coalition air strike near Deir ez-Zor airport killed dozens of Syrian soldiers on "
    "Saturday, Russia's military said, putting a fragile week-old truce under severe strain.",
    "The Russian defence ministry said 62 soldiers were killed and more than 100 wounded when four "
    "aircraft struck positions on Jabal Tharda, a hill overlooking the airport.",
    "US Central Command said the coalition had halted the strike as soon as Russian officials told it "
    "that it might be hitting Syrian personnel and vehicles, and expressed regret for the loss of life.",
    '"We are investigating," a coalition official said. The Syrian Observatory for Human Rights put the '
    "death toll at 83 and said Islamic State fighters had advanced on the hill after the strike.",
    "Russia called an emergency meeting of the UN Security Council for Saturday night, where the US "
    "ambassador Samantha Power called the move a stunt.",
]


def page(
    *,
    head: str = "",
    body: list[str] | None = None,
    charset: str = "utf-8",
    extra: str = "",
    byline: str = '<p class="byline">By Rania Haddad</p>',
) -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in (BODY if body is None else body))
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="{charset}">
<title>US-led strike kills Syrian troops, Russia says | The Levant Tribune</title>
<meta property="og:title" content="US-led strike kills Syrian troops, Russia says">
{head}</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/me">Middle East</a></nav></header>
<main><article>
<h1>US-led strike kills Syrian troops, Russia says</h1>
{byline}
<p class="date">September 17, 2016</p>
<figure><img src="/img/dez.jpg" alt="Smoke rises near Deir ez-Zor airport">
<figcaption>Smoke rises near Deir ez-Zor airport on Saturday. Photo: Reuters/Stringer</figcaption></figure>
{paragraphs}
{extra}
</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Kerry and Lavrov agree Syria truce</a></li>
<li><a href="/b">Aid convoys stuck at border</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3><div class="comment"><p>Reader1</p>
<p>This is a disgrace and everyone knows exactly who is to blame for the terrible mess in Syria now.</p>
</div></section></main>
<footer><p>Copyright 2016 The Levant Tribune. All rights reserved.</p></footer></body></html>"""


META = """<meta property="og:site_name" content="The Levant Tribune">
<meta property="og:description" content="Russia says a coalition strike killed 62 Syrian soldiers.">
<meta property="article:published_time" content="2016-09-17T20:05:00+03:00">
<meta property="article:modified_time" content="2016-09-17T22:30:00+03:00">
<meta name="author" content="Rania Haddad">"""

DEBRIS = """<div class="ad">Advertisement</div>
<p>Read more: Aid convoys still stuck at the Turkish border</p>
<p>Sign up for our Middle East newsletter to get the latest in your inbox.</p>
<p>Share this article</p>
<p>(Reporting by Rania Haddad; Editing by Tom Brown)</p>"""

URL = "https://tribune.example/2016/09/17/strike.html"


def extract(html: str | bytes, entry: Entry | None = None, **kw: object):
    body = html.encode("utf-8") if isinstance(html, str) else html
    return extract_article(body, url=kw.pop("url", URL), entry=entry, outlet="Feed Name", **kw)  # type: ignore[arg-type]


def test_article_text_is_the_body_without_debris() -> None:
    article = extract(page(head=META, extra=DEBRIS))
    assert article.paragraphs == tuple(BODY)
    assert article.text == "\n\n".join(BODY)
    for debris in (
        "Advertisement",
        "Read more",
        "newsletter",
        "Share this",
        "Reporting by",
        "By Rania",
        "September 17, 2016",
        "Photo:",
        "Related stories",
        "disgrace",
        "Copyright",
        "Home",
    ):
        assert debris not in article.text


def test_metadata_from_the_page() -> None:
    article = extract(page(head=META), url=URL + "?utm_source=rss&utm_medium=feed")
    assert article.title == "US-led strike kills Syrian troops, Russia says"
    assert article.outlet == "The Levant Tribune"  # og:site_name wins over the feed's name
    assert article.published == dt.datetime(2016, 9, 17, 17, 5, tzinfo=UTC)
    assert article.updated == dt.datetime(2016, 9, 17, 19, 30, tzinfo=UTC)
    assert article.author == "Rania Haddad"
    assert article.description == "Russia says a coalition strike killed 62 Syrian soldiers."
    assert article.language == "en"
    assert article.url == URL + "?utm_source=rss&utm_medium=feed"
    assert article.canonical_url == URL  # digest.urls.canonical_url drops the tracking parameters


def test_json_ld_escaped_as_html_keeps_the_authors_name_whole() -> None:
    # a site's template escaped its JSON-LD like attribute text; trafilatura's fallback for
    # invalid JSON then ran the name together ("RaniaHaddad")
    ld = ('{"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": '
          '"Person", "name": "Rania Haddad"}, "datePublished": "2016-09-17T17:05:00Z"}')
    escaped = ld.replace('"', "&#34;")
    head = f'<script type="application/ld+json">{escaped}</script>'
    article = extract(page(head=head, byline=""))
    assert article.author == "Rania Haddad"
    assert article.published == dt.datetime(2016, 9, 17, 17, 5, tzinfo=UTC)
    # valid JSON-LD, and a block that is not JSON however it is read, are left as they are
    assert extract(page(head=f'<script type="application/ld+json">{ld}</script>',
                        byline="")).author == "Rania Haddad"
    broken = '<script type="application/ld+json">{&#34;author&#34;: </script>'
    assert extract(page(head=broken)).author == "Rania Haddad"  # the byline still says it


def test_feed_entry_date_wins_and_fills_gaps() -> None:
    entry = Entry(
        source="levant-tribune",
        url=URL,
        title="Feed headline",
        author="Desk",
        published=dt.datetime(2016, 9, 17, 17, 10, tzinfo=UTC),
    )
    article = extract(page(byline=""), entry=entry)
    assert article.published == entry.published
    assert article.source == "levant-tribune"
    assert article.outlet == "Feed Name"  # no og:site_name on the page
    assert article.author == "Desk"


def test_page_date_fills_in_when_the_feed_has_none() -> None:
    entry = Entry(source="post", url=URL, title="Undated in the feed")
    jsonld = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2016-09-18T08:40:00+01:00"}</script>'
    assert extract(page(head=jsonld), entry=entry).published == dt.datetime(
        2016, 9, 18, 7, 40, tzinfo=UTC
    )
    timetag = '<time itemprop="datePublished" datetime="2016-09-18T07:40:00Z">18 Sep</time>'
    assert extract(page(extra=timetag), entry=entry).published == dt.datetime(
        2016, 9, 18, 7, 40, tzinfo=UTC
    )


def test_a_page_dated_by_its_day_only_is_placed_at_noon() -> None:
    # "September 17, 2016" as text, nothing machine-readable: the day's daytime, so a morning
    # digest's window (07:00 to 07:00) takes it the next morning, after it was out
    entry = Entry(source="post", url=URL, title="Undated in the feed")
    assert extract(page(), entry=entry).published == dt.datetime(2016, 9, 17, 12, 0, tzinfo=UTC)


def test_absurd_page_dates_are_ignored() -> None:
    head = '<meta property="article:published_time" content="1970-01-01T00:00:00Z">'
    assert page_metadata(page(head=head))["published"] is None


def test_title_falls_back_to_the_entry() -> None:
    html = page().replace(
        "<title>US-led strike kills Syrian troops, Russia says | The Levant Tribune</title>", ""
    )
    html = html.replace(
        '<meta property="og:title" content="US-led strike kills Syrian troops, Russia says">', ""
    )
    html = html.replace("<h1>US-led strike kills Syrian troops, Russia says</h1>", "")
    entry = Entry(source="s", url=URL, title="Strike near Deir ez-Zor")
    assert extract(html, entry=entry).title == "Strike near Deir ez-Zor"


def test_content_hash_is_sha256_of_normalised_text() -> None:
    a = extract(page(head=META))
    b = extract(page(body=[p.upper().replace(" ", "   ") for p in BODY]))
    expected = hashlib.sha256(" ".join(" ".join(BODY).split()).lower().encode()).hexdigest()
    assert a.content_hash == expected
    assert b.content_hash == a.content_hash  # case and spacing do not change the identity


def test_legacy_charset_declared_in_meta() -> None:
    body = [
        "\u00abLe cessez-le-feu est fragile\u00bb, a d\u00e9clar\u00e9 le ministre fran\u00e7ais \u00e0 "
        "Gen\u00e8ve, o\u00f9 les n\u00e9gociations reprennent apr\u00e8s une semaine difficile."
    ] + BODY
    html = page(body=body, charset="windows-1252").encode("cp1252")
    article = extract(html)
    assert article.paragraphs[0] == body[0]


def test_decode_html_order_bom_utf8_declared_guess() -> None:
    text = "<html><head><meta charset='iso-8859-1'></head><body><p>caf\u00e9 \u2014 \u20ac</p></body></html>"
    assert decode_html(text.encode("utf-8")) == text  # valid UTF-8 beats a lying meta charset
    assert decode_html(text.encode("utf-16")) == text  # BOM
    latin = "<html><body><p>Caf\u00e9</p></body></html>".encode("latin-1")
    assert "Caf\u00e9" in decode_html(latin, "text/html; charset=ISO-8859-1")
    koi8 = "<html><head><meta charset=koi8-r></head><body><p>\u041f\u0440\u0438\u043c\u0435\u0440</p></body></html>"
    assert "\u041f\u0440\u0438\u043c\u0435\u0440" in decode_html(koi8.encode("koi8-r"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not HTML (binary data)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not HTML (binary data)"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
            "not HTML (a feed)",
        ),
        (b'{"items": []}', "not HTML (JSON)"),
        (b"", "not HTML (empty page)"),
        (b"just a line of plain text without any markup at all", "not HTML (no markup)"),
    ],
)
def test_not_html(body: bytes, reason: str) -> None:
    with pytest.raises(ExtractError) as err:
        extract(body)
    assert str(err.value) == reason


def test_too_short_page() -> None:
    html = "<html><head><title>Brief</title></head><body><article><p>Kerry and Lavrov will meet in Geneva on Friday.</p></article></body></html>"
    with pytest.raises(ExtractError, match=r"^page too short \(9 words\)$"):
        extract(html)


def test_page_without_article_text() -> None:
    html = "<html><head><title>Home</title></head><body><nav><a href='/a'>A</a><a href='/b'>B</a></nav></body></html>"
    with pytest.raises(ExtractError) as err:
        extract(html)
    assert str(err.value) in ("no article text found",) or str(err.value).startswith(
        "page too short"
    )
    assert "\n" not in str(err.value)


def test_extract_article_is_picklable_and_runs_in_a_worker_process() -> None:
    assert pickle.loads(pickle.dumps(extract_article)) is extract_article
    body = page(head=META).encode()
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        article = pool.submit(extract_article, body, url=URL, entry=None, outlet="x").result(
            timeout=60
        )
    assert article.paragraphs == tuple(BODY)


# --- the cleaning rules, one by one ------------------------------------------------------------

KEEP = "The ceasefire, brokered by Washington and Moscow, took effect at sundown on Monday across Syria."


@pytest.mark.parametrize(
    "debris",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "Share this article",
        "Read more: Kerry presses Moscow over aid",
        "READ MORE: Aid convoys stuck at the border",
        "Related: UN suspends aid convoys",
        "RELATED COVERAGE: What the truce says",
        "See also - Russia's role in Syria",
        "Sign up for our daily newsletter",
        "Get the best of our journalism delivered to your inbox every morning.",
        "Click here to read the full text of the agreement",
        "By Jane Doe",
        "By JANE DOE and John Smith, Reuters",
        "By Lena Marsh | Meridian Wire",
        "September 17, 2016",
        "Updated: 17 Sep 2016 10:00 GMT",
        "Published 3 hours ago",
        "BEIRUT, Sept 17 (Reuters) -",
        "GENEVA \u2014",
        "Smoke rises over Aleppo. Photo: Reuters/Stringer",
        "A boy walks in the rubble of Aleppo. REUTERS/Abdalrhman Ismail",
        "Syrian Red Crescent trucks wait at the border (AP Photo/Hassan Ammar)",
        "Secretary of State John Kerry speaks in Geneva | Getty Images",
        "Kerry and Lavrov shake hands AFP via Getty Images",
        "Image copyright Getty Images",
        "Copyright 2016 The Associated Press. All rights reserved.",
        "(Reporting by Tom Perry; Editing by Peter Graff)",
        "Reporting by Lena Marsh in Geneva; additional reporting by Sam Ortega",
        "Cookies on this site: we use cookies to improve your experience. Read more: our cookie "
        "policy.",
        "We and our partners use cookies to personalise content and adverts. By using this site "
        "you agree to our cookie policy.",
        "This website uses cookies. Accept all cookies",
    ],
)
def test_debris_lines_are_dropped(debris: str) -> None:
    assert clean_article_text(f"{KEEP}\n{debris}\n{KEEP} Again.") == f"{KEEP}\n\n{KEEP} Again."


@pytest.mark.parametrize(
    "prose",
    [
        "By Tuesday evening, the convoy had still not crossed into Syria, officials said.",
        "Turkey has refused to sign up to the agreement.",
        "Moscow does not subscribe to the view that the truce has failed.",
        "He told Reuters.",
        "The bigger picture is that Russia wants to keep its base at Tartus.",
        "Reporting by the BBC has shown that the convoy was hit from the air, witnesses said.",
        "More than 60 soldiers were killed, Russia said.",
        "Watch for the Security Council vote on Tuesday, diplomats said.",
        "Related talks will resume in Geneva next week.",
        "By Aaron Humes: The Americas cannot ignore the risk of further surges, officials warned.",
        "Regulators said the bank used cookies to track customers without their consent.",
    ],
)
def test_prose_that_looks_like_debris_is_kept(prose: str) -> None:
    assert clean_article_text(f"{KEEP}\n{prose}") == f"{KEEP}\n\n{prose}"


def test_caption_printed_twice_with_a_glued_credit() -> None:
    text = f"Smoke rises over Aleppo\nSmoke rises over AleppoReuters\n{KEEP}"
    assert clean_article_text(text) == KEEP
    text = f"Smoke rises over Aleppo\nSmoke rises over Aleppo Getty Images\n{KEEP}"
    assert clean_article_text(text) == KEEP


def test_wire_tail_glued_to_the_last_paragraph() -> None:
    text = (
        f"{KEEP}\nThe talks will resume on Friday. (Reporting by Tom Perry; Editing by Peter Graff)"
    )
    assert clean_article_text(text) == f"{KEEP}\n\nThe talks will resume on Friday."


def test_headline_repeated_at_the_top_and_consecutive_duplicates() -> None:
    text = f"Truce holds\n{KEEP}\n{KEEP}\nNext paragraph.\n{KEEP}"
    assert clean_article_text(text, title="Truce holds") == f"{KEEP}\n\nNext paragraph.\n\n{KEEP}"


def test_html_to_text_and_word_counts() -> None:
    assert html_to_text("<p>Tom &amp;amp; <b>Jerry</b></p><script>x()</script>") == "Tom & Jerry"
    assert html_to_text("&lt;em&gt;double&lt;/em&gt; escaped") == "double escaped"
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("Truce &lt;\x00A&lt;b&gt;holds") == "Truce holds"  # found by hypothesis
    assert count_words("one two three") == 3
    assert count_words("\u8fd9\u662f\u4e00\u4e2a\u4e2d\u6587\u53e5\u5b50") == 4  # 8 CJK characters
