"""Run every story pack with its newcomer config (defaults kept) and score relevance per pack.

    python -m bench.story_packs [PACK ...] [--markdown] [--minimal]

Each pack under tests/packs/ with a ``story.toml`` is served over HTTP on 127.0.0.1, its days are
backfilled through the library pipeline with that config (only ``[[feeds]]`` replaced by the
served URLs), and the digests are scored against the pack's answer key: precision and recall
over pages (each digest date on its own and in all), must-carry facts, overview sentences drawn
from off-story pages, and every misjudged page with its score, ``why`` and trap kind.
``tests/e2e/test_story_packs.py`` asserts on :func:`run_pack`; docs/RELEVANCE.md reports it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.story_eval import (
    Evaluation,
    PackIndex,
    backfill_library,
    config_with_feeds,
    evaluate,
    pack_feeds,
    read_digests,
)

ROOT = Path(__file__).resolve().parents[1]
PACKS = ROOT / "tests" / "packs"


def story_packs() -> list[Path]:
    """The packs that carry a newcomer config (``story.toml``), sorted by name."""
    return sorted(p.parent for p in PACKS.glob("*/story.toml"))


@dataclass
class Misjudged:
    id: str
    url: str
    date: str
    relevant: bool  # the truth
    kind: str
    score: str  # what the digest says about it: a score and its why, or how it was lost
    trap_why: str = ""


@dataclass
class PackResult:
    pack: str
    ev: Evaluation
    days: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # date -> tp, fp, fn
    misjudged: list[Misjudged] = field(default_factory=list)
    off_story_overview: list[str] = field(default_factory=list)  # "date: sentence"
    # id -> (truth, score) of the pages the digests carried (a page left out has a why, no score)
    scores: dict[str, tuple[bool, float]] = field(default_factory=dict)
    unseen: list[str] = field(default_factory=list)  # pages neither in the digest nor left out
    twice: list[str] = field(default_factory=list)  # "date: sentence" printed twice in a digest
    # "date: sentence | sentence": overview sentences telling one development (lexical check)
    same_development: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.ev.precision

    @property
    def recall(self) -> float:
        return self.ev.recall

    def day_scores(self) -> dict[str, tuple[float, float]]:
        return {d: (tp / max(1, tp + fp), tp / max(1, tp + fn))
                for d, (tp, fp, fn) in self.days.items()}

    def worst_day(self) -> tuple[float, float]:
        scores = self.day_scores().values()
        return min(p for p, _ in scores), min(r for _, r in scores)


def _judgements(bodies: list[dict], idx: PackIndex) -> dict[str, tuple[bool, str]]:
    """Answer-key id -> (judged on-story, what the digest says: score and why, or the reason)."""
    out: dict[str, tuple[bool, str]] = {}
    for body in bodies:
        for a in body.get("articles", []):
            i = idx.id_of(a["url"])
            if i:
                out[i] = (True, f"{a.get('relevance')}: {a.get('why', '')}")
            for r in a.get("also_reported_by", []):
                j = idx.id_of(r["url"])
                if j:
                    out.setdefault(j, (True, f"folded into {i or a['url']}"))
        for s in body.get("skipped", []):
            i = idx.id_of(s["url"])
            if i is None:
                continue
            if s.get("kind") in ("earlier", "folded"):  # a copy of a story article
                out.setdefault(i, (True, s["reason"]))
            else:
                out.setdefault(i, (False, s["reason"]))
    return out


def score(bodies: list[dict], key: dict, pack: str) -> PackResult:
    """Score a pack's digests (parsed JSON) against its answer key."""
    idx = PackIndex(key)
    res = PackResult(pack=pack, ev=evaluate(bodies, key))
    dates = {b["date"] for b in bodies}
    judged = _judgements(bodies, idx)
    for a in key["articles"]:
        d = a["digest_date"]
        if d not in dates:
            continue
        tp, fp, fn = res.days.get(d, (0, 0, 0))
        if a["id"] not in judged:
            res.unseen.append(a["id"])
        got, said = judged.get(a["id"], (False, "not in the digest, not listed as left out"))
        if a["relevant"] and got:
            tp += 1
        elif a["relevant"]:
            fn += 1
        elif got:
            fp += 1
        res.days[d] = (tp, fp, fn)
        if got and (m := re.match(r"([01]\.\d+)", said)):
            res.scores[a["id"]] = (a["relevant"], float(m.group(1)))
        if got != a["relevant"]:
            res.misjudged.append(Misjudged(a["id"], a["url"], d, a["relevant"], a["kind"], said,
                                           a.get("why", "")))
    relevant = {a["id"] for a in key["articles"] if a["relevant"]}
    for body in bodies:
        for s in body.get("overview", []):
            ids = {idx.id_of(u) for u in s.get("sources", [])}
            if ids and not ids & relevant:
                res.off_story_overview.append(f"{body['date']}: {s['text'][:100]}")
    return res


def minimal_config(config: Path) -> Path:
    """``config`` without its ``[relevance]`` table, in place: what a newcomer who keeps only
    the title, description, seeds and feeds writes (``require`` defaults to none)."""
    import tomlkit

    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc.pop("relevance", None)
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return config


def run_pack(pack: Path, out: Path, minimal: bool = False) -> PackResult:
    """Serve ``pack``, backfill its digest dates with its ``story.toml`` (``minimal``: without
    its ``[relevance]`` table) and score the result."""
    from digest.config import load_config
    from tests.support.packserve import serve_pack

    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    days = sorted(key["days"])
    with serve_pack(pack) as base_url:
        config = config_with_feeds(pack / "story.toml", pack_feeds(pack, base_url),
                                   out / "config.toml")
        if minimal:
            minimal_config(config)
        backfill_library(config, dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1]),
                         out)
    slug = load_config(config).story.slug
    result = score(read_digests(out / slug), key, pack.name)
    result.twice, result.same_development = repetition_in(out / slug, days)
    return result


def repetition_in(folder: Path, days: list[str]) -> tuple[list[str], list[str]]:
    """Sentences of 8+ words printed twice in one day's Markdown digest ("date: sentence"), and
    pairs of its overview sentences that tell one development (the tests' lexical check)."""
    from tests.support.repetition import overview_sentences, printed_twice, same_development_pairs

    twice, pairs = [], []
    for d in days:
        if (folder / f"{d}.md").exists():
            md = (folder / f"{d}.md").read_text(encoding="utf-8")
            twice += [f"{d}: {s}" for s in printed_twice(md)]
            pairs += [f"{d}: {a} | {b}" for a, b, _ in
                      same_development_pairs(overview_sentences(md))]
    return twice, pairs


def markdown(results: list[PackResult]) -> str:
    """The per-pack table and the table of misjudged pages, as in docs/RELEVANCE.md."""
    lines = ["| pack | pages P | pages R | worst day P / R | facts | overview sentences from "
             "off-story pages |", "|---|---|---|---|---|---|"]
    for r in results:
        wp, wr = r.worst_day()
        lines.append(f"| {r.pack} | {r.precision:.3f} | {r.recall:.3f} | {wp:.2f} / {wr:.2f} | "
                     f"{r.ev.facts_found}/{r.ev.facts} | {len(r.off_story_overview)} |")
    # a digest prints the score of the pages it carries only (a page left out gets its why)
    lines += ["", "| pack | lowest score of a story page carried | traps carried |",
              "|---|---|---|"]
    for r in results:
        story = [v for truth, v in r.scores.values() if truth]
        traps = [v for truth, v in r.scores.values() if not truth]
        lines.append(f"| {r.pack} | {min(story, default=0):.2f} | {len(traps)} |")
    lines += ["", "| pack | digest date | page | truth | trap kind | what the digest said |",
              "|---|---|---|---|---|---|"]
    for r in results:
        for m in r.misjudged:
            said = re.sub(r"\s+", " ", m.score).replace("|", "/")
            said = re.sub(r"http://127\.0\.0\.1:\d+/", "", said)
            lines.append(f"| {r.pack} | {m.date} | `{m.url}` | "
                         f"{'story' if m.relevant else 'off-story'} | {m.kind} | {said} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packs", nargs="*", help="pack names (default: every pack with story.toml)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--minimal", action="store_true",
                    help="judge with each config's [relevance] table removed (title, "
                         "description, seeds and feeds only)")
    args = ap.parse_args()
    packs = [PACKS / p for p in args.packs] if args.packs else story_packs()
    results = []
    for pack in packs:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run_pack(pack, Path(tmp), minimal=args.minimal))
    if args.markdown:
        print(markdown(results))
        return
    for r in results:
        wp, wr = r.worst_day()
        print(f"{r.pack}: P={r.precision:.3f} R={r.recall:.3f} worst day P={wp:.2f} R={wr:.2f} "
              f"facts {r.ev.facts_found}/{r.ev.facts} off-story overview sentences "
              f"{len(r.off_story_overview)} printed twice {len(r.twice)} "
              f"same-development pairs {len(r.same_development)}")
        for m in r.misjudged:
            print(f"  {m.date} {m.id} ({'story' if m.relevant else m.kind}): {m.score}")
        for s in r.off_story_overview:
            print(f"  overview {s}")
        for s in r.twice:
            print(f"  printed twice {s[:160]}")
        for s in r.same_development:
            print(f"  same development {s[:200]}")
        for f in r.ev.missing_facts:
            print(f"  missing fact {f}")


if __name__ == "__main__":
    main()
