"""Score a run of daily digests against a story pack's answer key.

    python -m bench.story_eval [--pack seeds] [--config config/syria-ceasefire.toml]

runs a backfill over every digest date of the pack (the library pipeline, no Prefect, fresh state
in a temporary folder) and prints relevance precision/recall, duplicate folding, repeats across days
and the must-carry facts found, the figures the README reports. Tests import :func:`evaluate`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from digest.urls import canonical_url

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Evaluation:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    wrong: list[str] = field(default_factory=list)  # ids judged wrongly, with the reason
    groups: int = 0  # duplicate groups with two or more members
    groups_folded: int = 0
    unfolded: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # ids carried by more than one digest
    facts: int = 0
    facts_found: int = 0
    missing_facts: list[str] = field(default_factory=list)
    quotes: int = 0
    quotes_found: int = 0
    figures: int = 0
    figures_found: int = 0
    days: int = 0

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)

    def table(self) -> str:
        rows = [
            ("days evaluated", f"{self.days}"),
            ("relevance precision", f"{self.precision:.3f}"),
            ("relevance recall", f"{self.recall:.3f}"),
            ("duplicate groups folded", f"{self.groups_folded}/{self.groups}"),
            ("articles repeated across days", f"{len(self.repeated)}"),
            ("must-carry facts present", f"{self.facts_found}/{self.facts}"),
            ("key quotes shown (speaker right)", f"{self.quotes_found}/{self.quotes}"),
            ("disputed figures shown", f"{self.figures_found}/{self.figures}"),
        ]
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{a:<{width}}  {b}" for a, b in rows)


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).lower()


class PackIndex:
    """Maps digest URLs (file: or http: URLs of pack pages, with variants) to answer-key ids."""

    def __init__(self, key: dict) -> None:
        self.key = key
        self.by_path: dict[str, str] = {}
        for a in key["articles"]:
            self.by_path[self._path(a["url"])] = a["id"]
        for item in key.get("aggregator", []):
            self.by_path.setdefault(self._path(item["url"]), item["article"])
        self.meta = {a["id"]: a for a in key["articles"]}

    @staticmethod
    def _path(url: str) -> str:
        path = unquote(urlsplit(canonical_url(url)).path if "://" in url else
                       urlsplit(canonical_url("https://pack/" + url)).path)
        m = re.search(r"(sites/.*)$", path)
        return m.group(1) if m else path

    def id_of(self, url: str) -> str | None:
        return self.by_path.get(self._path(url))


def digest_text(body: dict) -> str:
    parts = [s["text"] for s in body.get("overview", [])]
    parts += [d.get("text", "") for d in body.get("developments", [])]
    for a in body.get("articles", []):
        parts.append(a["title"])
        parts.extend(a.get("summary", []))
    return _norm("\n".join(parts))


def evaluate(digests: Iterable[dict], key: dict) -> Evaluation:
    """Score digests (parsed JSON bodies) of the pack's digest dates against its answer key."""
    idx = PackIndex(key)
    ev = Evaluation()
    bodies = sorted(digests, key=lambda b: b["date"])
    dates = {b["date"] for b in bodies}
    ev.days = len(bodies)
    judged: dict[str, bool] = {}  # id -> judged relevant
    carried_by: dict[str, list[str]] = {}  # dup group -> dates it was carried as an entry
    entry_of: dict[str, set[str]] = {}  # dup group -> ids in entries (primary + also)
    for body in bodies:
        for a in body.get("articles", []):
            ids = [idx.id_of(a["url"])] + [idx.id_of(r["url"]) for r in a["also_reported_by"]]
            for i in filter(None, ids):
                judged[i] = True
            primary = idx.id_of(a["url"])
            if primary:
                group = idx.meta[primary]["dup_group"]
                carried_by.setdefault(group, []).append(body["date"])
                entry_of.setdefault(group, set()).update(filter(None, ids))
        for s in body.get("skipped", []):
            i = idx.id_of(s["url"])
            if i is None:
                continue
            if s.get("kind") in ("earlier", "folded"):  # a copy of a story article
                judged.setdefault(i, True)
            elif s.get("kind") in ("off_story", "screened"):
                judged.setdefault(i, False)
    for a in key["articles"]:
        if a["digest_date"] not in dates:
            continue
        got = judged.get(a["id"])
        if got is None:
            if a["relevant"]:
                ev.false_neg += 1
                ev.wrong.append(f"{a['id']}: relevant but missing from the digest")
            continue
        if a["relevant"] and got:
            ev.true_pos += 1
        elif a["relevant"]:
            ev.false_neg += 1
            ev.wrong.append(f"{a['id']}: relevant but judged off-story")
        elif got:
            ev.false_pos += 1
            ev.wrong.append(f"{a['id']}: distractor judged relevant")
    groups: dict[str, list[str]] = {}
    for a in key["articles"]:
        if a["digest_date"] in dates and a["relevant"]:
            groups.setdefault(a["dup_group"], []).append(a["id"])
    for group, members in groups.items():
        if len(carried_by.get(group, [])) > 1:
            ev.repeated.append(f"{group}: carried on {', '.join(carried_by[group])}")
        if len(members) < 2:
            continue
        ev.groups += 1
        if len(carried_by.get(group, [])) == 1:
            ev.groups_folded += 1
        else:
            ev.unfolded.append(f"{group}: entries on {carried_by.get(group, [])}")
    by_date = {b["date"]: b for b in bodies}
    for day, spec in key["days"].items():
        if day not in by_date:
            continue
        text = digest_text(by_date[day])
        for fact in spec["facts"]:
            ev.facts += 1
            if all(any(_norm(alt) in text for alt in group) for group in fact["all"]):
                ev.facts_found += 1
            else:
                ev.missing_facts.append(f"{day} {fact['id']}")
    for q in key.get("quotes", []):
        body = by_date.get(str(q["date"]))
        if body is None:
            continue
        ev.quotes += 1
        # under Key quotes with its speaker, or told by an overview sentence naming the speaker
        # (the digest does not show a quote again that its overview already tells)
        if any(_norm(q["contains"]) in _norm(x["text"]) and _speaker_matches(q["speaker"], x)
               for x in body.get("quotes", [])) or any(
                _norm(q["contains"]) in _norm(s["text"])
                and _speaker_matches(q["speaker"], {"speaker": s["text"]})
                for s in body.get("overview", [])):
            ev.quotes_found += 1
    for f in key.get("figures", []):
        body = by_date.get(str(f["date"]))
        if body is None:
            continue
        ev.figures += 1
        values = {c["value"] for c in f["claims"]}
        for fig in body.get("figures", []):
            shown = {re.sub(r"[^\d.]", "", c["value"]) for c in fig["claims"]}
            if values <= shown:
                ev.figures_found += 1
                break
    return ev


def _speaker_matches(expected: str, quote: dict) -> bool:
    last = expected.split()[-1].split("-")[-1].lower()  # "Bashar al-Assad": Assad
    return last in quote.get("speaker", "").lower()


def read_digests(story_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(story_dir.glob("????-??-??.json"))]


def config_with_feeds(config_path: Path, feeds: list[dict], dest: Path) -> Path:
    """Write a copy of ``config_path`` to ``dest`` in which only ``[[feeds]]`` differ (relative
    paths made absolute so the copy can live anywhere)."""
    import tomlkit

    doc = tomlkit.parse(config_path.read_text(encoding="utf-8"))
    base = config_path.resolve().parent

    def absolute(value: str) -> str:
        return str((base / value).resolve())

    doc["story"]["seeds"] = [absolute(p) for p in doc["story"].get("seeds", [])]
    for table, key in (("output", "dir"), ("state", "path"), ("fetch", "local_root")):
        if table in doc and key in doc[table]:
            doc[table][key] = absolute(doc[table][key])
    aot = tomlkit.aot()
    for f in feeds:
        t = tomlkit.table()
        t["name"], t["url"] = f["name"], f["url"]
        aot.append(t)
    doc["feeds"] = aot
    dest.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return dest


def pack_feeds(pack: Path, base_url: str | None = None) -> list[dict]:
    """The feeds of a pack: from its answer key's articles (``feed`` paths), served or on disk."""
    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    paths = sorted({a["feed"] for a in key["articles"]} |
                   {a["feed"] for a in key.get("aggregator", []) if "feed" in a})
    return [{"name": Path(p).stem, "url": f"{base_url}/{p}" if base_url else str(pack / p)}
            for p in paths]


def backfill_library(config_path: Path, first: dt.date, last: dt.date, out: Path) -> list[dict]:
    """Run each day through the library pipeline (no Prefect), sharing state in ``out``."""
    from digest import pipeline
    from digest.config import load_config

    cfg = load_config(config_path)
    day, reports = first, []
    while day <= last:
        ctx = pipeline.open_run(cfg, day=day, out_dir=out, state_path=out / "state.sqlite",
                                send_email=False)
        try:
            reports.append(pipeline.report(pipeline.run(ctx)))
        finally:
            ctx.close()
        day += dt.timedelta(days=1)
    return reports


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", type=Path, default=ROOT / "seeds")
    ap.add_argument("--config", type=Path, default=ROOT / "config" / "syria-ceasefire.toml")
    ap.add_argument("--serve", action="store_true",
                    help="serve the pack over HTTP on 127.0.0.1 and use only its feeds")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    key = json.loads((args.pack / "answer_key.json").read_text(encoding="utf-8"))
    days = sorted(key["days"])
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        out = Path(tmp)
        config = args.config
        if args.serve:
            from tests.support.packserve import serve_pack

            base_url = stack.enter_context(serve_pack(args.pack))
            config = config_with_feeds(args.config, pack_feeds(args.pack, base_url),
                                       out / "config.toml")
        backfill_library(config, dt.date.fromisoformat(days[0]),
                         dt.date.fromisoformat(days[-1]), out)
        from digest.config import load_config

        slug = load_config(config).story.slug
        ev = evaluate(read_digests(out / slug), key)
    print(ev.table())
    if args.verbose:
        for line in ev.wrong + ev.unfolded + ev.repeated + ev.missing_facts:
            print("  ", line)


if __name__ == "__main__":
    main()
