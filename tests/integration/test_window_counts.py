"""What a source is credited with: only the items of the day's window. An undated feed item
whose page turns out to be from another day is neither in the window count nor the source's."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from bench.story_eval import config_with_feeds
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_f6ec1dbff53cdc1f.txt").read_text(encoding="utf-8")
PARAS = [p for p in SEED.split("\n\n")[1:] if len(p) > 80]


def page(title: str, paragraphs: list[str], published: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title><meta property='article:published_time' "
            f"content='{published}'></head><body><article><h1>{title}</h1>{body}"
            "</article></body></html>")


def test_undated_item_from_another_day_counts_for_nothing(tmp_path):
    pack = tmp_path / "pack"
    (pack / "sites").mkdir(parents=True)
    (pack / "sites" / "today.html").write_text(
        page("Coalition strike near Deir ez-Zor threatens Syria truce", PARAS[:8],
             "2016-09-17T18:00:00Z"), encoding="utf-8")
    (pack / "sites" / "old.html").write_text(
        page("Kerry and Lavrov agree Syria ceasefire in Geneva", PARAS[8:] or PARAS[:6],
             "2016-09-10T09:00:00Z"), encoding="utf-8")
    (pack / "feed.xml").write_text(
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>W</title>"
        "<link>x</link>"
        "<item><title>Strike</title><link>sites/today.html</link>"
        "<pubDate>Sat, 17 Sep 2016 18:00:00 GMT</pubDate></item>"
        "<item><title>Deal</title><link>sites/old.html</link></item>"
        "</channel></rss>", encoding="utf-8")
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            [{"name": "Wire", "url": str(pack / "feed.xml")}], tmp_path / "s.toml")
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["fetch"]["local_root"] = str(pack)
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")

    body, _ = run_day(cfg, tmp_path / "out", "2016-09-18")
    assert [a["url"].rsplit("/", 1)[-1] for a in body["articles"]] == ["today.html"]
    assert body["stats"]["items_in_window"] == 1
    assert [(s["name"], s["items"]) for s in body["sources"]] == [("Wire", 1)]
