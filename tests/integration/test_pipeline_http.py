"""The library pipeline over real HTTP: the story pack served on 127.0.0.1, plus sources that fail
in every way a feed or page can. One failing source never sinks the digest; the digest lists it.
A second run fetches no page (state) and costs no feed parsing (conditional GET answers 304).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from bench.story_eval import PackIndex, config_with_feeds, digest_text, pack_feeds
from digest import pipeline
from digest.config import load_config
from tests.support.servers import StaticServer

ROOT = Path(__file__).resolve().parents[2]
KEY = json.loads((ROOT / "seeds" / "answer_key.json").read_text(encoding="utf-8"))
DAY = dt.date(2016, 9, 18)
WHEN = "Sat, 17 Sep 2016 15:00:00 GMT"  # inside the 2016-09-18 window

BROKEN_ITEMS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Flaky Times</title><link>/</link>
<item><title>Dead link about the Syria truce</title><link>/gone.html</link><pubDate>{WHEN}</pubDate></item>
<item><title>Binary where a page should be</title><link>/photo.html</link><pubDate>{WHEN}</pubDate></item>
<item><title>Empty page</title><link>/empty.html</link><pubDate>{WHEN}</pubDate></item>
<item><title>Not an article</title><link>/nav.html</link><pubDate>{WHEN}</pubDate></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    extra = tmp_path_factory.mktemp("flaky")
    (extra / "flaky.xml").write_text(BROKEN_ITEMS, encoding="utf-8")
    (extra / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (extra / "empty.html").write_bytes(b"")
    # navigation that names the story (so the screen lets it through), and no article at all
    (extra / "nav.html").write_text("<html><body><nav><a href='/'>Home</a> "
                                    "<a href='/syria'>Syria ceasefire</a></nav></body></html>")
    (extra / "garbage.xml").write_bytes(b"\x00\x01 this is not < a feed & at all")
    (extra / "home.html").write_text("<html><head><title>A site</title></head><body>Hi</body>"
                                     "</html>")
    (extra / "front.html").write_text(
        '<html><head><title>Flaky Times</title><link rel="alternate" '
        'type="application/rss+xml" href="/flaky.xml"></head><body>News</body></html>')
    with StaticServer(ROOT / "seeds") as pack, StaticServer(extra) as flaky:
        flaky.override("feed-500.xml", status=500)
        yield pack, flaky


def config_for(served, tmp: Path) -> Path:
    pack, flaky = served
    feeds = pack_feeds(ROOT / "seeds", pack.base)
    feeds += [{"name": "Flaky Times", "url": flaky.url("flaky.xml")},
              {"name": "Server Error", "url": flaky.url("feed-500.xml")},
              {"name": "Garbage", "url": flaky.url("garbage.xml")},
              {"name": "Just A Page", "url": flaky.url("home.html")},
              {"name": "Nowhere", "url": flaky.url("missing.xml")},
              {"name": "Front Page", "url": flaky.url("front.html")}]
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml", feeds, tmp / "story.toml")
    text = cfg.read_text(encoding="utf-8").replace("retries = 2", "retries = 0")
    cfg.write_text(text, encoding="utf-8")
    return cfg


def run_day(config: Path, out: Path) -> pipeline.RunResult:
    ctx = pipeline.open_run(load_config(config), day=DAY, out_dir=out,
                            state_path=out / "state.sqlite", send_email=False)
    try:
        return pipeline.run(ctx)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def runs(served, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    config = config_for(served, tmp)
    pack, flaky = served
    first = run_day(config, tmp / "out")
    pages_first = [r.path for r in pack.requests if "/sites/" in r.path]
    pack.reset_log()
    second = run_day(config, tmp / "out")
    return first, second, pages_first, list(pack.requests), tmp


def test_failing_sources_are_listed_and_do_not_sink_the_digest(runs):
    first, _, _, _, tmp = runs
    body = json.loads(first.paths["json"].read_text(encoding="utf-8"))
    status = {s["name"]: s for s in body["sources"]}
    for name in ("Server Error", "Garbage", "Just A Page", "Nowhere"):
        assert status[name]["status"] == "error", name
        assert status[name]["error"] and "\n" not in status[name]["error"]
    assert "500" in status["Server Error"]["error"]
    assert "404" in status["Nowhere"]["error"]
    assert status["meridian-wire"]["status"] == "ok"
    # an HTML page given as a feed URL: its advertised feed is read instead
    assert status["Front Page"]["status"] == "ok" and status["Front Page"]["items"] == 4
    assert len(body["articles"]) >= 4 and "deir" in digest_text(body)
    md = first.paths["md"].read_text(encoding="utf-8")
    for name in ("Server Error", "Garbage", "Just A Page", "Nowhere"):
        assert name in md


def test_bad_pages_are_skipped_with_a_reason(runs):
    first, _, _, _, _ = runs
    body = json.loads(first.paths["json"].read_text(encoding="utf-8"))
    reasons = {s["url"].rsplit("/", 1)[-1]: s["reason"] for s in body["skipped"]}
    assert "404" in reasons["gone.html"]
    assert reasons["photo.html"].startswith("fetch failed")  # binary content refused
    assert "empty" in reasons["empty.html"].lower()
    assert reasons["nav.html"].startswith("extraction failed")


def test_the_days_story_articles_arrive_over_http(runs):
    first, _, _, _, _ = runs
    body = json.loads(first.paths["json"].read_text(encoding="utf-8"))
    idx = PackIndex(KEY)
    got = {idx.id_of(a["url"]) for a in body["articles"]}
    got |= {idx.id_of(r["url"]) for a in body["articles"] for r in a["also_reported_by"]}
    assert got == set(KEY["days"]["2016-09-18"]["relevant"])


def test_second_run_downloads_no_page_and_feeds_answer_304(runs):
    first, second, pages_first, requests, _ = runs
    assert len(pages_first) >= 6
    assert [r.path for r in requests if "/sites/" in r.path] == []
    feeds = [r for r in requests if r.path.startswith("/feeds/")]
    assert feeds and all(r.headers.get("if-none-match") or r.headers.get("if-modified-since")
                         for r in feeds)
    assert second.fetched == 0 and second.reused >= 6
    a = json.loads(first.paths["json"].read_text(encoding="utf-8"))
    b = json.loads(second.paths["json"].read_text(encoding="utf-8"))
    a.pop("generated_at"), b.pop("generated_at")
    assert a == b


def test_all_sources_failing_raises_sources_error(served, tmp_path):
    from digest.errors import SourcesError

    _, flaky = served
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            [{"name": "Server Error", "url": flaky.url("feed-500.xml")}],
                            tmp_path / "dead.toml")
    with pytest.raises(SourcesError, match="no source could be read"):
        run_day(cfg, tmp_path / "out")
    assert not (tmp_path / "out" / "syria-ceasefire").exists() or not any(
        (tmp_path / "out" / "syria-ceasefire").glob("*.json"))
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
