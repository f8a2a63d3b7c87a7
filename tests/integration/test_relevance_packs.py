"""Relevance over both story packs through the library pipeline: a config a newcomer writes
(defaults kept, a one-sentence description, a simple ``require``) scores well, and a story's slug
never changes what it accepts."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
import tomlkit

from bench.story_eval import (
    backfill_library,
    config_with_feeds,
    evaluate,
    pack_feeds,
    read_digests,
)
from tests.support.packserve import serve_pack

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"
PACKS = {"seeds": ROOT / "seeds", "other-outlets": ROOT / "tests" / "packs" / "other-outlets"}


def newcomer_config(pack: Path, base_url: str | None, dest: Path, slug: str | None = None) -> Path:
    """The bundled config as a newcomer would write it from the README: no threshold,
    min_similarity or terms, a one-sentence description and two short ``require`` groups."""
    cfg = config_with_feeds(CONFIG, pack_feeds(pack, base_url), dest)
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["story"]["description"] = ("The ceasefire in Syria agreed by the US and Russia (John "
                                   "Kerry and Sergei Lavrov) in Geneva in September 2016, and "
                                   "what happened to it.")
    for key in ("threshold", "min_similarity", "terms"):
        doc["relevance"].pop(key, None)
    doc["relevance"]["require"] = [["Syria", "Syrian", "Aleppo"],
                                   ["ceasefire", "truce", "cease-fire"]]
    doc["fetch"]["local_root"] = str(pack)
    if slug:
        doc["story"]["slug"] = slug
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return cfg


def backfill(pack: Path, tmp: Path, config: Path | None = None, slug: str | None = None,
             days: tuple[str, str] | None = None) -> list[dict]:
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    first, last = days or (min(key["days"]), max(key["days"]))
    tmp.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(serve_pack(pack))
        cfg = newcomer_config(pack, base, tmp / "config.toml", slug) if config is None else \
            config_with_feeds(config, pack_feeds(pack, base), tmp / "config.toml")
        if config is not None and slug:
            doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
            doc["story"]["slug"] = slug
            cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
        backfill_library(cfg, dt.date.fromisoformat(first), dt.date.fromisoformat(last), tmp)
        slug_dir = tomlkit.parse(cfg.read_text(encoding="utf-8"))["story"]["slug"]
    return read_digests(tmp / str(slug_dir))


@pytest.mark.parametrize("name", sorted(PACKS))
def test_a_newcomers_config_with_defaults_scores_well(name, tmp_path):
    pack = PACKS[name]
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    ev = evaluate(backfill(pack, tmp_path), key)
    detail = "\n".join(ev.wrong)
    assert ev.days == len(key["days"])
    assert ev.precision >= 0.97, detail
    assert ev.recall >= 0.95, detail


def test_renaming_the_slug_changes_nothing_that_is_judged(tmp_path):
    pack = PACKS["seeds"]
    days = ("2016-09-16", "2016-09-19")  # the strike, the end of the truce: busy days
    a = backfill(pack, tmp_path / "a", CONFIG, days=days)
    b = backfill(pack, tmp_path / "b", CONFIG, slug="story-9", days=days)

    def verdicts(bodies: list[dict]) -> list[tuple[str, list[tuple[str, float]], list[str]]]:
        return [(d["date"], [(x["url"].split("/sites/")[1], x["relevance"]) for x in d["articles"]],
                 sorted(s["url"].split("/sites/")[1] for s in d["skipped"]
                        if s["reason"].startswith("not about the story")))
                for d in bodies]

    assert len(a) == 4 and all(d["articles"] for d in a)
    assert verdicts(a) == verdicts(b)
