"""A reader teaches relevance: `digest feedback URL --not-story` / `--story`, `--list`, `--undo`,
applied when the day is run again (library pipeline over the bundled pack, state on disk)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.story_eval import PackIndex, config_with_feeds, pack_feeds
from digest import cli
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "seeds"
KEY = json.loads((PACK / "answer_key.json").read_text(encoding="utf-8"))
INDEX = PackIndex(KEY)
DAY = "2016-09-18"
ORIGINAL, COPY = "mw-0917-deir-ezzor-strike", "gd-0917-coalition-strike-truce-risk"


@pytest.fixture()
def story(tmp_path: Path) -> tuple[Path, Path]:
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml", pack_feeds(PACK),
                            tmp_path / "story.toml")
    return cfg, tmp_path / "out"


def feedback(cfg: Path, out: Path, *args: str) -> int:
    return cli.main(["feedback", *args, "--config", str(cfg), "--state",
                     str(out / "state.sqlite")])


def kept(body: dict) -> set[str]:
    ids = set()
    for a in body["articles"]:
        ids.add(INDEX.id_of(a["url"]))
        ids.update(INDEX.id_of(r["url"]) for r in a["also_reported_by"])
    return ids


def reason(body: dict, aid: str) -> str:
    return next(s["reason"] for s in body["skipped"] if INDEX.id_of(s["url"]) == aid)


def url_of(body: dict, aid: str) -> str:
    urls = [a["url"] for a in body["articles"]] + [r["url"] for a in body["articles"]
                                                   for r in a["also_reported_by"]]
    urls += [s["url"] for s in body["skipped"]]
    return next(u for u in urls if INDEX.id_of(u) == aid)


def test_not_story_leaves_the_page_and_its_copies_out_and_undo_restores_them(story, capsys):
    cfg, out = story
    body, _ = run_day(cfg, out, DAY)
    assert {ORIGINAL, COPY} <= kept(body)

    assert feedback(cfg, out, url_of(body, ORIGINAL), "--not-story") == 0
    again, _ = run_day(cfg, out, DAY)  # the same day again: the verdict applies
    assert ORIGINAL not in kept(again) and COPY not in kept(again)
    assert "a reader marked it not the story" in reason(again, ORIGINAL)
    assert "like a page marked not the story" in reason(again, COPY)  # its neighbour follows
    assert set(KEY["days"][DAY]["relevant"]) - {ORIGINAL, COPY} <= kept(again)

    capsys.readouterr()
    assert feedback(cfg, out, "--list") == 0
    listed = capsys.readouterr().out
    assert listed.startswith("not-story") and "deir-ezzor" in listed

    assert feedback(cfg, out, url_of(body, ORIGINAL), "--undo") == 0
    restored, _ = run_day(cfg, out, DAY)
    assert {ORIGINAL, COPY} <= kept(restored)
    capsys.readouterr()
    assert feedback(cfg, out, "--list") == 0 and "no feedback" in capsys.readouterr().out
    assert feedback(cfg, out, url_of(body, ORIGINAL), "--undo") == 1  # nothing left to undo


def test_story_keeps_a_page_the_model_left_out(story):
    cfg, out = story
    day = "2016-09-17"  # pages about al-Rai and Raqqa are read and left out
    for earlier in ("2016-09-15", "2016-09-16"):  # the story's recent days, as in daily use
        run_day(cfg, out, earlier)
    body, _ = run_day(cfg, out, day)
    # the digest lists the closest pages it left out, with their why...
    near = body["possibly_related"]
    assert 1 <= len(near) <= 3 and all(n["why"] and n["title"] for n in near)
    assert {INDEX.id_of(n["url"]) for n in near} <= {a["id"] for a in KEY["articles"]
                                                     if a["digest_date"] == day}
    md = (out / "syria-ceasefire" / f"{day}.md").read_text()
    assert "Possibly related, left out" in md
    # in words a reader understands (a page it names by outlet and headline, not its address),
    # and listed once: not again under "Left out"
    assert not any("http" in n["why"] for n in near)
    assert all(md.count(f"]({n['url']})") == 1 for n in near)
    target = INDEX.id_of(near[0]["url"])
    assert target not in kept(body)
    # ...and a reader corrects one in one command
    assert feedback(cfg, out, near[0]["url"], "--story") == 0
    again, _ = run_day(cfg, out, day)
    assert target in kept(again)
    why = next(a["why"] for a in again["articles"] if INDEX.id_of(a["url"]) == target)
    assert "a reader marked it the story" in why


def test_feedback_usage_errors_are_one_line(story, capsys):
    cfg, out = story
    assert feedback(cfg, out) == 2
    assert feedback(cfg, out, "https://x.example/a") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and all(line.startswith("digest: error: feedback:")
                                        for line in err.splitlines())
