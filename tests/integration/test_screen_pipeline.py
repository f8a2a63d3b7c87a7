"""The screen in the pipeline: a page that never mentions a required concept is fetched once,
not extracted, reported as off-story with the reason, remembered in state (a re-run fetches
nothing), and judged afresh when the story's required terms change or the screen is switched off."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from bench.story_eval import config_with_feeds
from digest import pipeline
from digest.config import load_config
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_f6ec1dbff53cdc1f.txt").read_text(encoding="utf-8")
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>x</link>{items}</channel></rss>"""
ITEM = ("<item><title>{title}</title><link>{link}</link>"
        "<pubDate>Sat, 17 Sep 2016 18:00:00 GMT</pubDate></item>")
CRICKET = ["Rain stopped play at Lord's on the final afternoon of the county season, leaving "
           "the title race to be settled on bonus points after a week of close finishes.",
           "The home captain said his side had done everything asked of them, and that the "
           "young bowlers who came in during the summer had earned their places next year.",
           "Supporters stayed under umbrellas for two hours before the umpires called it off."]


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
            "</article></body></html>")


def make_pack(root: Path) -> None:
    (root / "sites").mkdir(parents=True)
    story = "US-led coalition strike near Deir ez-Zor threatens Syria ceasefire"
    paras = [p for p in SEED.split("\n\n")[1:] if len(p) > 80][:8]
    (root / "sites" / "strike.html").write_text(page(story, paras), encoding="utf-8")
    (root / "sites" / "cricket.html").write_text(page("Rain settles the county title", CRICKET),
                                                 encoding="utf-8")
    items = (ITEM.format(title=story, link="sites/strike.html")
             + ITEM.format(title="Rain settles the county title", link="sites/cricket.html"))
    (root / "feed.xml").write_text(FEED.format(items=items), encoding="utf-8")


def story_config(tmp: Path, pack: Path, **relevance: object) -> Path:
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            [{"name": "Test Wire", "url": str(pack / "feed.xml")}],
                            tmp / f"story-{len(list(tmp.glob('story-*')))}.toml")
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["fetch"]["local_root"] = str(pack)
    for key, value in relevance.items():
        doc["relevance"][key] = value
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return cfg


def run(config: Path, out: Path) -> tuple[dict, pipeline.RunResult]:
    return run_day(config, out, "2016-09-18")


def cricket_reason(body: dict) -> str:
    return next(s["reason"] for s in body["skipped"] if s["url"].endswith("cricket.html"))


def test_screened_page_is_reported_remembered_and_judged_again_when_terms_change(tmp_path):
    pack, out = tmp_path / "pack", tmp_path / "out"
    make_pack(pack)
    cfg = story_config(tmp_path, pack)

    body, result = run(cfg, out)
    assert [a["title"] for a in body["articles"]] == [
        "US-led coalition strike near Deir ez-Zor threatens Syria ceasefire"]
    assert cricket_reason(body).startswith("Not about the story: never mentions Syria")
    assert "page not extracted" in cricket_reason(body)
    assert pipeline.report(result)["screened_out"] == 1 and result.fetched == 2

    again, result = run(cfg, out)  # same day, same state: nothing fetched, same verdicts
    assert result.fetched == 0 and result.reused == 2
    assert cricket_reason(again) == cricket_reason(body)

    # the story's required terms change: the screened page is fetched and looked at again
    require = load_config(cfg).relevance.require
    widened = story_config(tmp_path, pack, require=[list(require[0]) + ["county"], list(require[1])])
    third, result = run(widened, out)
    assert result.fetched == 1
    assert "never mentions ceasefire" in cricket_reason(third)


def test_with_the_screen_off_every_page_is_extracted_and_judged(tmp_path):
    pack, out = tmp_path / "pack", tmp_path / "out"
    make_pack(pack)
    body, result = run(story_config(tmp_path, pack, prefilter=False), out)
    reason = cricket_reason(body)
    assert "page not extracted" not in reason and "missing concept: Syria" in reason
    assert pipeline.report(result)["screened_out"] == 0 and len(body["articles"]) == 1


def test_a_reader_marking_a_screened_page_the_story_gets_it_read_and_kept(tmp_path):
    """`digest feedback URL --story` on a page screened out unread: the next run of the day
    fetches and extracts it whatever the screen says, and the verdict keeps it."""
    from digest import cli

    pack = tmp_path / "pack"
    make_pack(pack)
    cfg = story_config(tmp_path, pack)
    out = tmp_path / "out"
    body, _ = run(cfg, out)
    assert "page not extracted" in cricket_reason(body)
    url = next(s["url"] for s in body["skipped"] if s["url"].endswith("cricket.html"))
    assert cli.main(["feedback", url, "--story", "--config", str(cfg), "--state",
                     str(out / "state.sqlite")]) == 0
    again, result = run(cfg, out)
    kept = {a["url"] for a in again["articles"]}
    assert url in kept
    why = next(a["why"] for a in again["articles"] if a["url"] == url)
    assert "a reader marked it the story" in why
    assert result.fetched == 1  # only the marked page is read again
