"""``digest check`` and ``digest feeds add/import`` against real HTTP servers on 127.0.0.1.

A news site whose home page advertises its feeds with ``<link rel="alternate">``, a site that
advertises none, and a misbehaving server (503, 404, refused connections).
"""

from __future__ import annotations

import datetime as dt
import json
from email.utils import format_datetime
from pathlib import Path

import pytest

from digest.cli import commands as cli
from digest.config import load_config
from tests.support.servers import FaultServer, StaticServer, closed_port, respond

pytestmark = pytest.mark.network_local

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = dt.datetime.now(dt.UTC)


def rss(title: str, n: int = 3) -> str:
    items = "".join(
        f"<item><title>Story {i}</title><link>https://levant.example/news/{i}.html</link>"
        f"<pubDate>{format_datetime(NOW - dt.timedelta(hours=3 * i + 1))}</pubDate></item>"
        for i in range(n))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://levant.example/</link>{items}</channel></rss>")


def html(head: str = "", body: str = "<p>Front page</p>") -> str:
    return f"<!doctype html><html><head><title>Site</title>{head}</head><body>{body}</body></html>"


@pytest.fixture()
def news_site(tmp_path: Path):
    root = tmp_path / "news"
    (root / "feeds").mkdir(parents=True)
    (root / "news" / "2016").mkdir(parents=True)
    (root / "feeds" / "world.xml").write_text(rss("Levant Tribune: World"))
    (root / "feeds" / "politics.xml").write_text(rss("Levant Tribune: Politics", 2))
    (root / "feeds" / "comments.xml").write_text(rss("Comments", 1))
    (root / "index.html").write_text(html(
        '<link rel="alternate" type="application/rss+xml" title="World" href="/feeds/world.xml">'
        '<link rel="alternate" type="application/rss+xml; charset=utf-8" title="Politics" '
        'href="feeds/politics.xml">'
        '<link rel="alternate" type="application/rss+xml" href="/feeds/comments.xml">'))
    (root / "news" / "2016" / "truce.html").write_text(html(body="<article><p>An article page "
                                                           "without feed links.</p></article>"))
    with StaticServer(root) as site:
        yield site


@pytest.fixture()
def plain_site(tmp_path: Path):
    root = tmp_path / "plain"
    root.mkdir()
    (root / "index.html").write_text(html(body="<p>No feeds here.</p><a href='/about'>About</a>"))
    with StaticServer(root) as site:
        yield site


@pytest.fixture()
def bad_server():
    with FaultServer({"/down.xml": respond(503, b"busy", {"Content-Type": "text/plain"})}) as s:
        yield s


CONFIG_HEAD = """\
# Test story: comments and layout must survive every edit.
[story]
title = "Test story"   # inline comment
slug = "test-story"

"""
CONFIG_TAIL = """
# The schedule: every morning.
[schedule]
cron = "0 7 * * *"
timezone = "Europe/London"

[fetch]
timeout = 5
retries = 0          # fail fast in tests
per_host = {per_host}
allow_networks = ["127.0.0.0/8"]
"""


def write_config(tmp_path: Path, feeds: list[tuple[str, str]], per_host: int = 4) -> Path:
    tables = "".join(f'[[feeds]]\nname = "{n}"\nurl = "{u}"\n\n' for n, u in feeds)
    path = tmp_path / "story.toml"
    path.write_text(CONFIG_HEAD + tables + CONFIG_TAIL.format(per_host=per_host))
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_kept(before: str, after: str) -> None:
    """Every line of ``before`` is still in ``after``, in the same order."""
    remaining = iter(after.splitlines())
    for line in before.splitlines():
        assert any(line == other for other in remaining), f"lost line: {line!r}"


# -- feeds add ----------------------------------------------------------------------------------


def test_feeds_add_finds_the_feed_a_home_page_advertises(tmp_path, news_site, capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    before = cfg.read_text()
    code, out, err = run(["feeds", "add", news_site.url("/"), "--config", str(cfg)], capsys)
    assert code == 0, err
    world = news_site.url("feeds/world.xml")
    assert out.splitlines()[0] == f'added "Levant Tribune: World" {world}'
    assert f"the page also advertises: {news_site.url('feeds/politics.xml')}" in out
    assert "comments.xml" not in out  # comment feeds are not news
    after = cfg.read_text()
    assert_kept(before, after)
    assert after.index(world) < after.index("# The schedule")
    assert [f.url for f in load_config(cfg).feeds] == ["https://existing.example/feed.xml", world]


def test_feeds_add_all_and_then_again(tmp_path, news_site, capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    code, out, _err = run(["feeds", "add", news_site.url("/"), "--all", "--config", str(cfg)],
                          capsys)
    assert code == 0 and out.count("added ") == 2
    snapshot = cfg.read_text()
    code, out, _err = run(["feeds", "add", news_site.url("/"), "--all", "--config", str(cfg)],
                          capsys)
    assert code == 0 and "added" not in out and "already in the config: 2" in out
    assert cfg.read_text() == snapshot
    assert len(load_config(cfg).feeds) == 3


def test_feeds_add_on_an_article_page_falls_back_to_the_home_page(tmp_path, news_site,
                                                                  capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    code, out, _err = run(["feeds", "add", news_site.url("news/2016/truce.html"), "--name",
                           "Levant", "--config", str(cfg)], capsys)
    assert code == 0
    assert out.splitlines()[0] == f'added "Levant" {news_site.url("feeds/world.xml")}'
    assert news_site.count("/") == 1  # the home page was read


def test_feeds_add_of_a_feed_url_adds_it_directly(tmp_path, news_site, capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    url = news_site.url("feeds/politics.xml")
    code, out, _err = run(["feeds", "add", url, "--config", str(cfg)], capsys)
    assert code == 0 and out.strip() == f'added "Levant Tribune: Politics" {url}'
    assert news_site.count("/") == 0


def test_feeds_add_on_a_site_without_feeds_fails_and_writes_nothing(tmp_path, plain_site,
                                                                    capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    before = cfg.read_text()
    code, out, err = run(["feeds", "add", plain_site.url("/"), "--config", str(cfg)], capsys)
    assert code == 1 and out == ""
    assert err.startswith("digest: error: ") and "no feed found" in err and err.count("\n") == 1
    assert cfg.read_text() == before


def test_feeds_add_of_an_unreachable_url_is_one_line(tmp_path, capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    url = f"http://127.0.0.1:{closed_port()}/"
    code, _out, err = run(["feeds", "add", url, "--config", str(cfg)], capsys)
    assert code == 1 and err.startswith(f"digest: error: {url}: ") and err.count("\n") == 1


def test_feeds_add_refuses_addresses_the_config_does_not_allow(tmp_path, news_site,
                                                               capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", "https://existing.example/feed.xml")])
    cfg.write_text(cfg.read_text().replace('allow_networks = ["127.0.0.0/8"]', ""))
    code, _out, err = run(["feeds", "add", news_site.url("/"), "--config", str(cfg)], capsys)
    assert code == 1 and news_site.count() == 0 and err.count("\n") == 1


# -- check --------------------------------------------------------------------------------------


def test_check_of_good_sources_prints_a_table_and_exits_0(tmp_path, news_site, capsys) -> None:
    cfg = write_config(tmp_path, [("World", news_site.url("feeds/world.xml")),
                                  ("Politics", news_site.url("feeds/politics.xml"))])
    code, out, _err = run(["check", "--config", str(cfg)], capsys)
    assert code == 0
    rows = {line.split()[1]: line.split() for line in out.splitlines()
            if line.startswith(("ok ", "warn ", "error "))}
    assert rows["World"][:4] == ["ok", "World", "200", "3"]
    assert rows["Politics"][:4] == ["ok", "Politics", "200", "2"]
    assert rows["World"][4] == (NOW - dt.timedelta(hours=1)).strftime("%Y-%m-%d") or \
        rows["World"][4] == NOW.strftime("%Y-%m-%d")
    assert out.rstrip().endswith("2 sources: 2 ok, 0 with warnings, 0 failed")


def test_check_of_broken_sources_exits_1_with_a_reason_per_source(tmp_path, news_site,
                                                                   plain_site, bad_server,
                                                                   capsys) -> None:
    refused = f"http://127.0.0.1:{closed_port()}/feed.xml"
    cfg = write_config(tmp_path, [
        ("World", news_site.url("feeds/world.xml")),
        ("Front page", news_site.url("/")),  # a page that advertises a feed: usable
        ("Busy", bad_server.url("down.xml")),
        ("Gone", news_site.url("feeds/gone.xml")),
        ("No feed", plain_site.url("/")),
        ("Refused", refused),
    ])
    code, out, _err = run(["check", "--config", str(cfg)], capsys)
    assert code == 1
    assert out.rstrip().endswith("6 sources: 1 ok, 1 with warnings, 4 failed")
    code, out, _err = run(["check", "--config", str(cfg), "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    got = {s["name"]: s for s in data["sources"]}
    assert got["Front page"]["status"] == "warn"
    assert got["Front page"]["feed_url"] == news_site.url("feeds/world.xml")
    assert (got["Busy"]["http_status"], got["Busy"]["reachable"]) == (503, True)
    assert "503" in got["Busy"]["error"]
    assert (got["Gone"]["http_status"], got["Gone"]["status"]) == (404, "error")
    assert got["No feed"]["error"].startswith("not a feed")
    assert got["Refused"]["reachable"] is False and got["Refused"]["http_status"] is None
    assert all("\n" not in (s["error"] or "") for s in data["sources"])


def test_check_fetches_one_host_politely(tmp_path, capsys) -> None:
    root = tmp_path / "slow"
    root.mkdir()
    for i in range(6):
        (root / f"f{i}.xml").write_text(rss(f"Feed {i}", 1))
    with StaticServer(root, latency=0.15) as site:
        cfg = write_config(tmp_path, [(f"Feed {i}", site.url(f"f{i}.xml")) for i in range(6)],
                           per_host=1)
        code, out, _err = run(["check", "--config", str(cfg)], capsys)
        assert code == 0 and site.count() == 6
        assert site.max_in_flight == 1  # per_host = 1: never two requests at once


def test_check_of_an_invalid_config_exits_2_naming_the_key(tmp_path, capsys) -> None:
    cfg = write_config(tmp_path, [("A", "https://a.example/feed")])
    cfg.write_text(cfg.read_text().replace('timezone = "Europe/London"',
                                           'timezone = "Europe/Londn"'))
    code, out, err = run(["check", "--config", str(cfg)], capsys)
    assert code == 2 and out == ""
    assert "schedule.timezone" in err and "Europe/Londn" in err and err.count("\n") == 1


# -- OPML ---------------------------------------------------------------------------------------


def test_import_of_a_real_world_opml_export_keeps_the_config_intact(tmp_path, capsys) -> None:
    cfg = write_config(tmp_path, [("BBC", "https://feeds.bbci.co.uk/news/world/middle_east/"
                                          "rss.xml")])
    before = cfg.read_text()
    opml = FIXTURES / "opml" / "feedly-news.opml"
    code, out, _err = run(["feeds", "import", str(opml), "--config", str(cfg)], capsys)
    assert code == 0
    # 13 outlines, one feed in two folders, and the BBC feed already in the config (http/https).
    assert out.splitlines()[-1] == f"12 feeds in {opml}: 11 added, 1 already in the config"
    assert_kept(before, cfg.read_text())
    feeds = load_config(cfg).feeds
    assert len(feeds) == 12 and "NYT > World News" in [f.name for f in feeds]


def test_imported_local_feeds_can_be_checked(tmp_path, news_site, plain_site, capsys) -> None:
    cfg = write_config(tmp_path, [("Existing", news_site.url("feeds/world.xml"))])
    opml = tmp_path / "mine.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>Export</title>'
        '</head><body><outline text="News">'
        f'<outline type="rss" text="Politics" xmlUrl="{news_site.url("feeds/politics.xml")}"/>'
        f'<outline type="rss" text="Plain" xmlUrl="{plain_site.url("/")}"/>'
        "</outline></body></opml>")
    code, _out, _err = run(["feeds", "import", str(opml), "--config", str(cfg)], capsys)
    assert code == 0 and len(load_config(cfg).feeds) == 3
    code, out, _err = run(["check", "--config", str(cfg)], capsys)
    assert code == 1 and out.rstrip().endswith("3 sources: 2 ok, 0 with warnings, 1 failed")
