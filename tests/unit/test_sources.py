"""Source checks and feed finding over real local files (``file:`` URLs through the real Fetcher),
and adding feeds to a config without losing its comments."""

from __future__ import annotations

import datetime as dt
import tomllib
from email.utils import format_datetime
from pathlib import Path

import pytest

from digest.config import FetchSettings, load_config
from digest.errors import ConfigError
from digest.fetch import Fetcher
from digest.models import FeedSource
from digest.sources import add_feeds, check_source, check_sources, find_feeds

NOW = dt.datetime(2016, 9, 20, 12, 0, tzinfo=dt.UTC)


def rss(title: str, items: list[tuple[str, str, dt.datetime | None]]) -> str:
    parts = []
    for t, link, when in items:
        date = f"<pubDate>{format_datetime(when)}</pubDate>" if when else ""
        parts.append(f"<item><title>{t}</title><link>{link}</link>{date}</item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
            f"</title><link>https://example.org/</link>{''.join(parts)}</channel></rss>")


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "fresh.xml").write_text(rss("Fresh Wire", [
        ("Truce holds", "https://example.org/a", NOW - dt.timedelta(hours=5)),
        ("Aid convoy waits", "https://example.org/b", NOW - dt.timedelta(days=1)),
        ("Undated", "https://example.org/c", None)]))
    (root / "old.xml").write_text(rss("Old Wire", [
        ("Old news", "https://example.org/old", NOW - dt.timedelta(days=40))]))
    (root / "empty.xml").write_text(rss("Empty Wire", []))
    (root / "home.html").write_text(
        '<html><head><title>Fresh</title><link rel="alternate" type="application/rss+xml" '
        'href="fresh.xml"></head><body><p>news</p></body></html>')
    (root / "plain.html").write_text("<html><head><title>Plain</title></head><body><p>no feeds "
                                     "here</p></body></html>")
    (root / "junk.xml").write_text("<rss><channel><title>cut off <item><title>half")
    return root


@pytest.fixture()
def fetcher(site: Path) -> Fetcher:
    with Fetcher(FetchSettings(timeout=5, retries=0), local_root=site) as f:
        yield f


def src(site: Path, name: str) -> FeedSource:
    return FeedSource(name=name, url=(site / name).as_uri())


def test_a_good_feed_is_ok_with_count_and_newest_date(site: Path, fetcher: Fetcher) -> None:
    check = check_source(fetcher, src(site, "fresh.xml"), now=NOW)
    assert check.ok and check.verdict == "ok"
    assert (check.reachable, check.is_feed, check.entries) == (True, True, 3)
    assert check.newest == NOW - dt.timedelta(hours=5)
    assert check.error is None and check.warning is None


def test_a_stale_feed_is_usable_with_a_warning(site: Path, fetcher: Fetcher) -> None:
    check = check_source(fetcher, src(site, "old.xml"), now=NOW, stale_days=14)
    assert check.ok and check.verdict == "warn"
    assert "nothing new for 40 days" in check.warning
    assert check_source(fetcher, src(site, "old.xml"), now=NOW, stale_days=0).verdict == "ok"


def test_an_empty_feed_warns(site: Path, fetcher: Fetcher) -> None:
    check = check_source(fetcher, src(site, "empty.xml"), now=NOW)
    assert check.is_feed and check.entries == 0 and check.verdict == "warn"


def test_a_page_that_advertises_a_feed_is_read_through_it(site: Path, fetcher: Fetcher) -> None:
    check = check_source(fetcher, src(site, "home.html"), now=NOW)
    assert check.ok and check.entries == 3
    assert check.feed_url == (site / "fresh.xml").as_uri()
    assert "advertises" in check.warning


@pytest.mark.parametrize("name, expected", [
    ("plain.html", "not a feed: a web page"),
    ("junk.xml", "not a feed"),
    ("missing.xml", "not found"),
])
def test_unusable_sources_are_errors_with_one_line(site: Path, fetcher: Fetcher, name: str,
                                                     expected: str) -> None:
    check = check_source(fetcher, src(site, name), now=NOW)
    assert not check.ok and check.verdict == "error"
    assert expected in check.error.lower() and "\n" not in check.error
    assert not check.is_feed and check.entries == 0


def test_a_file_outside_the_local_root_is_refused(tmp_path: Path, site: Path,
                                                  fetcher: Fetcher) -> None:
    outside = tmp_path / "outside.xml"
    outside.write_text(rss("x", [("a", "https://example.org/x", NOW)]))
    check = check_source(fetcher, FeedSource("outside", outside.as_uri()), now=NOW)
    assert not check.ok and not check.reachable


def test_check_sources_keeps_config_order_and_reports_each(site: Path, fetcher: Fetcher) -> None:
    sources = [src(site, n) for n in ("plain.html", "fresh.xml", "old.xml", "missing.xml")]
    seen: list[str] = []
    checks = check_sources(fetcher, sources, now=NOW, on_done=lambda c: seen.append(c.name))
    assert [c.name for c in checks] == [s.name for s in sources]
    assert sorted(seen) == sorted(s.name for s in sources)
    assert [c.verdict for c in checks] == ["error", "ok", "warn", "error"]


def test_find_feeds_on_a_feed_a_page_and_a_page_without_one(site: Path, fetcher: Fetcher) -> None:
    direct = find_feeds(fetcher, (site / "old.xml").as_uri())
    assert [(f.url, f.title, f.via) for f in direct] == [((site / "old.xml").as_uri(), "Old Wire",
                                                         None)]
    via_page = find_feeds(fetcher, (site / "home.html").as_uri())
    assert [f.url for f in via_page] == [(site / "fresh.xml").as_uri()]
    assert via_page[0].title == "Fresh Wire" and via_page[0].entries == 3
    assert find_feeds(fetcher, (site / "plain.html").as_uri()) == []


# -- add_feeds -----------------------------------------------------------------------------------

CONFIG = """\
# My story: a comment at the top stays.
[story]
title = "Test story"   # an inline comment stays too

[[feeds]]
name = "Fresh Wire"
url = "site/fresh.xml"  # relative to this file

# A comment between feeds.
[[feeds]]
name = "Example"
url = "https://www.example.org/feed/"

[schedule]
cron = "0 7 * * *"
timezone = "Europe/London"

[fetch]
local_root = "site"
"""


@pytest.fixture()
def config(tmp_path: Path, site: Path) -> Path:
    path = tmp_path / "story.toml"
    path.write_text(CONFIG)
    return path


def test_add_feeds_keeps_every_line_and_adds_the_new_ones(config: Path) -> None:
    before = config.read_text()
    added = add_feeds(config, [("Other", "https://other.example.net/rss.xml")])
    assert added == [("Other", "https://other.example.net/rss.xml")]
    after = config.read_text()
    lines = iter(after.splitlines())
    assert all(any(line == got for got in lines) for line in before.splitlines())  # in order
    assert after.index('name = "Other"') < after.index("[schedule]")  # with its siblings
    cfg = load_config(config)
    assert [f.name for f in cfg.feeds] == ["Fresh Wire", "Example", "Other"]


def test_add_feeds_skips_the_same_canonical_url_and_relative_files(config: Path,
                                                                   site: Path) -> None:
    before = config.read_text()
    added = add_feeds(config, [
        ("Again", "http://example.org/feed"),  # same as https://www.example.org/feed/
        ("Local", (site / "fresh.xml").as_uri()),  # same file as "site/fresh.xml"
        ("Local path", str(site / "fresh.xml")),
    ])
    assert added == [] and config.read_text() == before


def test_add_feeds_makes_names_unique_and_drops_repeats(config: Path) -> None:
    added = add_feeds(config, [("Example", "https://news.example.com/feed.xml"),
                               ("Example", "https://news.example.com/feed.xml?utm_source=x")])
    assert added == [("Example (news.example.com)", "https://news.example.com/feed.xml")]
    assert len(load_config(config).feeds) == 3


def test_local_files_are_written_relative_to_the_config(config: Path, site: Path) -> None:
    added = add_feeds(config, [("Old", str(site / "old.xml"))])
    assert added == [("Old", "site/old.xml")]
    cfg = load_config(config)
    assert cfg.feeds[-1].url == (site / "old.xml").as_uri()
    # a relative path means what it means in the config: relative to the config's folder
    assert add_feeds(config, [("Empty", "site/./empty.xml")]) == [("Empty", "site/empty.xml")]
    assert add_feeds(config, [("Again", "file:site/old.xml")]) == []


def test_dry_run_writes_nothing(config: Path) -> None:
    before = config.read_text()
    pair = ("N", "https://n.example/f")
    assert add_feeds(config, [pair], dry_run=True) == [pair]
    assert config.read_text() == before


def test_a_result_that_would_not_load_is_refused_and_the_file_kept(config: Path,
                                                                    tmp_path: Path) -> None:
    before = config.read_text()
    with pytest.raises(ConfigError, match="file not found"):
        add_feeds(config, [("Ghost", str(tmp_path / "site" / "ghost.xml"))])
    assert config.read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".story.toml")]  # no temp left


def test_a_config_without_feeds_gets_its_first(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    path.write_text('# new story\n[story]\ntitle = "New"\n\n[schedule]\ncron = "0 6 * * *"\n')
    add_feeds(path, [("First", "https://first.example/feed")])
    text = path.read_text()
    assert text.startswith("# new story\n")
    assert tomllib.loads(text)["feeds"] == [{"name": "First", "url": "https://first.example/feed"}]
    assert load_config(path).feeds[0].name == "First"


def test_inline_feed_arrays_are_extended_in_place(tmp_path: Path) -> None:
    path = tmp_path / "inline.toml"
    path.write_text('feeds = [{ name = "A", url = "https://a.example/feed" }]  # inline\n\n'
                    '[story]\ntitle = "Inline"\n')
    add_feeds(path, [("B", "https://b.example/feed")])
    assert [f.name for f in load_config(path).feeds] == ["A", "B"]
    assert "# inline" in path.read_text()


def test_an_unreadable_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        add_feeds(tmp_path / "nope.toml", [("A", "https://a.example/feed")])
    bad = tmp_path / "bad.toml"
    bad.write_text("[story\ntitle = 1")
    with pytest.raises(ConfigError, match="invalid TOML"):
        add_feeds(bad, [("A", "https://a.example/feed")])
