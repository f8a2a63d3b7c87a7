"""Both story packs' backfills, read as a subscriber reads the Markdown digest: nothing printed
twice, one overview sentence per development, the overview alone carrying the day's facts,
readable "Left out" reasons, one name per outlet, quotes kept with their attribution."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tomllib

import pytest

from bench.story_eval import ROOT, backfill_library, config_with_feeds, pack_feeds
from tests.support.repetition import (
    overview_facts,
    overview_sentences,
    printed_twice,
    same_development_pairs,
    section,
)

CONFIG = ROOT / "config" / "syria-ceasefire.toml"
PACKS = {"seeds": ROOT / "seeds", "other-outlets": ROOT / "tests" / "packs" / "other-outlets"}


@pytest.fixture(scope="module", params=sorted(PACKS))
def pack_run(request, tmp_path_factory):
    """(answer key, {date: (markdown, json body)}, feed names) of the pack's whole backfill."""
    pack = PACKS[request.param]
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    days = sorted(key["days"])
    out = tmp_path_factory.mktemp(request.param)
    with contextlib.ExitStack() as stack:
        config = CONFIG
        if request.param != "seeds":  # served over HTTP, only its feeds (as bench.story_eval)
            from tests.support.packserve import serve_pack

            base = stack.enter_context(serve_pack(pack))
            config = config_with_feeds(CONFIG, pack_feeds(pack, base), out / "config.toml")
        backfill_library(config, dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1]),
                         out)
    folder = out / "syria-ceasefire"
    digests = {p.stem: (p.read_text(encoding="utf-8"),
                        json.loads(p.with_suffix(".json").read_text(encoding="utf-8")))
               for p in sorted(folder.glob("????-??-??.md"))}
    names = [f["name"] for f in tomllib.loads(config.read_text(encoding="utf-8"))["feeds"]]
    assert len(digests) == len(days)
    return key, digests, names


def test_no_sentence_of_eight_words_is_printed_twice(pack_run):
    _, digests, _ = pack_run
    twice = {day: printed_twice(md) for day, (md, _) in digests.items()}
    assert {d: t for d, t in twice.items() if t} == {}


def test_no_two_overview_sentences_report_the_same_development(pack_run):
    _, digests, _ = pack_run
    pairs = {day: same_development_pairs(overview_sentences(md))
             for day, (md, _) in digests.items()}
    assert {d: p for d, p in pairs.items() if p} == {}
    assert all(len(overview_sentences(md)) >= 2 for md, _ in digests.values())


def test_the_overview_alone_carries_the_days_facts(pack_run):
    key, digests, _ = pack_run
    found = total = 0
    missing = []
    for day, spec in key["days"].items():
        got, miss = overview_facts(digests[day][0], spec["facts"])
        found, total = found + got, total + len(spec["facts"])
        missing += [f"{day} {m}" for m in miss]
        assert got * 2 >= len(spec["facts"]), (day, miss)  # never most of a day's facts lost
    assert found >= 0.9 * total, missing


def test_whats_new_is_not_a_copy_of_the_article_list(pack_run):
    _, digests, _ = pack_run
    for day, (md, body) in digests.items():
        assert body["developments"] == []
        assert "## What's new" not in md and "## New since" not in md
        titles = [a["title"] for a in body["articles"]]
        for title in titles:  # each headline is printed once: in the article list
            assert md.count(f"[{_md(title)}]") <= 1, (day, title)


def test_summaries_say_what_the_overview_does_not(pack_run):
    _, digests, _ = pack_run
    for day, (_, body) in digests.items():
        overview = {s["text"] for s in body["overview"]}
        quotes = [q["text"] for q in body["quotes"]]
        for a in body["articles"]:
            for sentence in a["summary"]:
                assert sentence not in overview, (day, sentence)
                assert not any(q in sentence for q in quotes if len(q.split()) >= 4), (day, sentence)


def test_the_story_so_far_is_one_line_per_earlier_day_never_today(pack_run):
    _, digests, _ = pack_run
    for day, (_, body) in digests.items():
        dates = [t["date"] for t in body["timeline"]]
        assert dates == sorted(set(dates)) and all(d < day for d in dates), day
        today = {a["title"] for a in body["articles"]} | {s["text"] for s in body["overview"]}
        assert not any(t["text"] in today for t in body["timeline"]), day


def test_left_out_reasons_are_words_a_reader_understands(pack_run):
    _, digests, _ = pack_run
    reasons = [s["reason"] for _, body in digests.values() for s in body["skipped"]]
    assert reasons
    for reason in reasons:
        assert "://" not in reason and "also_reported_by" not in reason, reason
        assert reason[:1].isupper(), reason
    folded = [r for r in reasons if r.startswith("Same report as ")]
    assert folded and all(r.endswith("— see Also reported by") for r in folded)
    for md, _ in digests.values():  # the URL stays a link, not a reason
        for line in section(md, "Left out").strip().splitlines():
            assert line.startswith("- [") and "](" in line, line


def test_each_outlet_is_named_one_way(pack_run):
    _, digests, names = pack_run
    for day, (_, body) in digests.items():
        shown = {a["outlet"] for a in body["articles"]}
        shown |= {o for s in body["overview"] for o in s["outlets"]}
        shown |= {q["outlet"] for q in body["quotes"]}
        by_key: dict[str, set[str]] = {}
        for name in shown | set(names):
            by_key.setdefault(name.casefold(), set()).add(name)
        assert all(len(v) == 1 for v in by_key.values()), (day, by_key)


def test_each_quotes_attribution_is_on_its_own_line(pack_run):
    _, digests, _ = pack_run
    quoted = 0
    for md, _ in digests.values():
        lines = section(md, "Key quotes").strip().splitlines()
        for i, line in enumerate(lines):
            if line.startswith("> “"):
                quoted += 1
                assert lines[i + 1] == ">" and lines[i + 2].startswith("> — **"), lines[i:i + 3]
    assert quoted


def _md(text: str) -> str:
    from digest.output.render import md_escape

    return md_escape(text)


def test_reasons_name_the_original_report():
    """A unit-sized check kept next to the pack runs: the reason text a reader sees."""
    from digest.editing import same_report
    from digest.models import Article

    a = Article(url="https://x.example/a", canonical_url="https://x.example/a", source="Wire",
                outlet="Meridian Wire", title="Coalition strike kills Syrian soldiers", text="")
    assert re.fullmatch(r"Same report as Meridian Wire's '.+' — see Also reported by",
                        same_report(a))


def test_a_quote_the_overview_tells_is_not_shown_again_under_key_quotes(pack_run):
    _, digests, _ = pack_run
    shown = 0
    for day, (_, body) in digests.items():
        overview = " ".join(re.sub(r"\W+", " ", s["text"]).lower() for s in body["overview"])
        for q in body["quotes"]:
            words = re.sub(r"\W+", " ", q["text"]).lower().split()
            shown += 1
            if len(words) < 3:  # a scare-quoted word ("terrorists") is no quote to repeat
                continue
            runs = {" ".join(words[i:i + 8]) for i in range(max(1, len(words) - 7))}
            assert not any(f" {r} " in f" {overview} " for r in runs), (day, q["text"])
    assert shown >= 5  # the section is still there on other days, with other quotes
