"""read_opml reads feed readers' exports: nested folders, names, duplicates, and refuses non-OPML.

The fixtures in tests/fixtures/opml/ are written in the exact shape of real exports (Feedly,
Inoreader, NetNewsWire): no real-world OPML file is in the shared data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.opml import read_opml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "opml"


def test_feedly_export_nested_folders_and_duplicates() -> None:
    feeds = read_opml(FIXTURES / "feedly.opml")
    assert feeds == [
        ("BBC News - World", "http://feeds.bbci.co.uk/news/world/rss.xml"),
        ("World news | The Guardian", "https://www.theguardian.com/world/rss"),
        ("Al Jazeera \u2013 Breaking News", "https://www.aljazeera.com/xml/rss/all.xml"),
        ("Middle East Eye", "https://www.middleeasteye.net/rss"),
        ("In Our Time", "https://podcasts.files.bbci.co.uk/b006qykl.rss"),  # two folders deep
    ]


def test_inoreader_export_feed_scheme_links_and_nameless_outlines() -> None:
    feeds = dict((url, name) for name, url in read_opml(str(FIXTURES / "inoreader.xml")))
    assert feeds["http://feeds.reuters.com/Reuters/worldNews"] == "Reuters: World News"  # feed://
    assert feeds["https://example.org/feed?format=rss&lang=en"] == "untitled"  # &amp; decoded
    assert feeds["https://nameless.example/atom.xml"] == "https://nameless.example/atom.xml"
    assert "https://www.inoreader.com/" not in feeds  # a type="link" outline is not a feed
    assert len(feeds) == 5


def test_netnewswire_export_title_falls_back_to_text_and_skips_local_files() -> None:
    feeds = read_opml((FIXTURES / "netnewswire.opml").read_bytes())
    assert [name for name, _ in feeds] == [
        "Daring Fireball",
        "NPR Topics: News",
        "The Verge - All Posts",
    ]
    assert all(url.startswith("https://") for _, url in feeds)


def test_other_engineers_fixture_reads_twelve_unique_feeds() -> None:
    feeds = read_opml(FIXTURES / "feedly-news.opml")
    assert len(feeds) == 12 == len({url for _, url in feeds})
    assert ("RFE/RL - Russia & Ukraine", "https://www.rferl.org/api/zrqiteuuir") in feeds


def test_case_insensitive_url_attribute_and_plain_string_input() -> None:
    text = '<opml version="2.0"><head/><body><outline text="A" xmlurl="https://a.example/rss"/></body></opml>'
    assert read_opml(text) == [("A", "https://a.example/rss")]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"<html><body>not opml</body></html>", "root element is <html>"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "root element is <rss>"),
        (b"just some words", "not an OPML file"),
        (b"", "not an OPML file"),
        (b'<opml version="1.0"><head/></opml>', "has no <body>"),
    ],
)
def test_not_opml_raises_one_line_config_error(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "subscriptions.opml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as err:
        read_opml(path)
    message = str(err.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read OPML file"):
        read_opml(tmp_path / "nope.opml")


def test_external_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    evil = f"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>
<opml version="1.0"><head/><body>
  <outline text="&xxe;" title="&xxe;" xmlUrl="https://evil.example/rss"/>
</body></opml>"""
    with pytest.raises(ConfigError, match="entity declarations") as err:
        read_opml(evil.encode())
    assert "TOP-SECRET" not in str(err.value)


def test_entity_expansion_bomb_is_refused() -> None:
    bomb = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<opml version="1.0"><head/><body><outline text="&d;" xmlUrl="https://a.example/rss"/></body></opml>"""
    with pytest.raises(ConfigError, match="entity declarations"):
        read_opml(bomb.encode())


def test_a_doctype_without_entities_is_fine() -> None:
    text = '<?xml version="1.0"?><!DOCTYPE opml><opml version="1.0"><head/><body><outline text="A" xmlUrl="https://a.example/rss"/></body></opml>'
    assert read_opml(text.encode()) == [("A", "https://a.example/rss")]
