"""Across days: an article carried once is not repeated, unless it was substantially updated (then
it returns, marked as updated); a cosmetic edit does not bring it back."""

from __future__ import annotations

from pathlib import Path

from bench.story_eval import config_with_feeds
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_f6ec1dbff53cdc1f.txt").read_text(encoding="utf-8")
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>x</link>
{items}
</channel></rss>"""
ITEM = ("<item><title>{title}</title><link>{link}</link><pubDate>{pub}</pubDate>"
        "<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>{upd}</atom:updated></item>")


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
            "</article></body></html>")


def write_pack(root: Path, paragraphs: list[str], updated: str, extra: str = "") -> None:
    (root / "sites").mkdir(parents=True, exist_ok=True)
    title = "US-led coalition strike near Deir ez-Zor threatens Syria ceasefire"
    (root / "sites" / "strike.html").write_text(page(title, paragraphs), encoding="utf-8")
    items = ITEM.format(title=title, link="sites/strike.html", pub="Sat, 17 Sep 2016 18:00:00 GMT",
                        upd=updated)
    (root / "feed.xml").write_text(FEED.format(items=items + extra), encoding="utf-8")


def run(config: Path, out: Path, day: str) -> dict:
    return run_day(config, out, day)[0]


def test_only_substantial_updates_return_and_are_marked(tmp_path):
    pack, out = tmp_path / "pack", tmp_path / "out"
    paras = [p for p in SEED.split("\n\n")[1:] if len(p) > 80]
    write_pack(pack, paras[:8], "2016-09-17T18:00:00Z")
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            [{"name": "Test Wire", "url": str(pack / "feed.xml")}],
                            tmp_path / "story.toml")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        f'local_root = "{ROOT / "seeds"}"', f'local_root = "{pack}"'), encoding="utf-8")

    first = run(cfg, out, "2016-09-18")
    assert [a["title"] for a in first["articles"]] == [
        "US-led coalition strike near Deir ez-Zor threatens Syria ceasefire"]
    assert first["articles"][0]["updated"] is False

    # a cosmetic edit (one word), entry marked updated: fetched again but not news again
    cosmetic = [paras[0].replace("Saturday", "Saturday afternoon"), *paras[1:8]]
    write_pack(pack, cosmetic, "2016-09-18T09:00:00Z")
    second = run(cfg, out, "2016-09-19")
    assert second["articles"] == []
    assert any(s["reason"].startswith("Already in an earlier digest: ") for s in second["skipped"])

    # a substantial update: new paragraphs on the emergency council meeting
    write_pack(pack, paras[:4] + paras[8:], "2016-09-19T10:00:00Z")
    third = run(cfg, out, "2016-09-20")
    assert len(third["articles"]) == 1 and third["articles"][0]["updated"] is True
