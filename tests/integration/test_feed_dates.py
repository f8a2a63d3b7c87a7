"""The Atom feed as a subscriber sees it after a real backfill of the story pack (library
pipeline, no Prefect): entries dated by their digest's send time, RFC 4287's required elements,
``self``/``alternate`` links (absolute under ``[output] base_url``, else relative with
``xml:base``), and a re-run that leaves ``feed.xml`` byte-identical."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import time
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
import tomlkit

from bench.story_eval import backfill_library, config_with_feeds, pack_feeds
from digest.config import load_config
from digest.errors import ConfigError
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
FIRST, LAST = dt.date(2016, 9, 16), dt.date(2016, 9, 19)


def make_config(tmp_path: Path, base_url: str | None = None) -> Path:
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            pack_feeds(ROOT / "seeds"), tmp_path / "story.toml")
    if base_url is not None:
        doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
        doc["output"]["base_url"] = base_url
        cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feed")
    cfg = make_config(tmp)
    out = tmp / "out"
    backfill_library(cfg, FIRST, LAST, out)
    return cfg, out


def test_entries_are_dated_by_their_digests_send_time(backfilled):
    cfg, out = backfilled
    feed = feedparser.parse(str(out / "syria-ceasefire" / "feed.xml"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    schedule = load_config(cfg).schedule
    days = [LAST - dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    expected = [schedule.send_time(d).astimezone(dt.UTC) for d in days]  # newest first
    got = [dt.datetime.fromtimestamp(calendar.timegm(e.published_parsed), dt.UTC)
           for e in feed.entries]
    assert got == expected  # four different days, each its own, none the day of the run
    assert [dt.datetime.fromtimestamp(calendar.timegm(e.updated_parsed), dt.UTC)
            for e in feed.entries] == expected
    assert dt.datetime.fromtimestamp(calendar.timegm(feed.feed.updated_parsed), dt.UTC) == \
        expected[0]
    assert [e.link.rsplit("/", 1)[-1] for e in feed.entries] == \
        [f"{d.isoformat()}.html" for d in days]


def test_rfc4287_required_elements_and_links(backfilled):
    _, out = backfilled
    root = ElementTree.parse(out / "syria-ceasefire" / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{tag}") or "").strip(), tag
    assert root.find(f"{ATOM}author/{ATOM}name").text  # so entries need no author of their own
    links = {ln.get("rel"): ln for ln in root.findall(f"{ATOM}link")}
    assert links["self"].get("href") == "feed.xml"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "index.html"
    assert root.get(XML_BASE) == "./"  # relative links, resolved against the feed's own URL
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 4
    for e in entries:
        for tag in ("id", "title", "updated"):
            assert (e.findtext(f"{ATOM}{tag}") or "").strip(), tag
        # an entry without content needs an alternate link; no rel means "alternate"
        assert [ln.get("rel", "alternate") for ln in e.findall(f"{ATOM}link")] == ["alternate"]
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 4


def test_a_rerun_leaves_the_feed_byte_identical(backfilled):
    cfg, out = backfilled
    feed = out / "syria-ceasefire" / "feed.xml"
    before = feed.read_bytes()
    middle = FIRST + dt.timedelta(days=1)
    stored = json.loads((out / "syria-ceasefire" / f"{middle.isoformat()}.json").read_text())
    (out / "syria-ceasefire" / f"{middle.isoformat()}.md").unlink()  # so it is built again ...
    time.sleep(1.1)  # (generated_at has whole seconds: make "later" a different second)
    again, _ = run_day(cfg, out, middle)  # ... by hand, later, with a new generated_at
    assert again["generated_at"] != stored["generated_at"]  # (not a replay of the stored one)
    run_day(cfg, out, LAST)
    assert feed.read_bytes() == before


def test_base_url_makes_every_link_absolute(tmp_path):
    cfg = make_config(tmp_path, base_url="https://digests.example.org/story/")
    out = tmp_path / "out"
    run_day(cfg, out, LAST)
    path = out / "syria-ceasefire" / "feed.xml"
    feed = feedparser.parse(str(path))
    assert feed.bozo == 0
    base = "https://digests.example.org/story/syria-ceasefire/"
    rels = {ln["rel"]: ln["href"] for ln in feed.feed.links}
    assert rels == {"self": base + "feed.xml", "alternate": base + "index.html"}
    assert feed.entries[0].link == base + "2016-09-19.html"
    assert ElementTree.parse(path).getroot().get(XML_BASE) is None


@pytest.mark.parametrize("value", ["ftp://example.org/x", "example.org/digests", "https://",
                                   "https://u:p@example.org/", "https://example.org/?a=1",
                                   "https://example.org/a b", "https://example.org:99999/"])
def test_a_bad_base_url_is_a_one_line_config_error(tmp_path, value):
    with pytest.raises(ConfigError) as info:
        load_config(make_config(tmp_path, base_url=value))
    assert "output.base_url" in str(info.value) and "\n" not in str(info.value)
