"""Summarisation benchmark: ROUGE on MultiLing 2011 (multi-document) and CNN/DM (single), timing.

Run ``python -m bench.summ_eval`` from the repository root. It prints the tables and writes
``bench/results/summ-<timestamp>.json``. Every method goes through the same library call the CLI
uses (``digest.summarize.summarize_texts``), so the numbers are those of the product.

- Scorer check: the pooled ROUGE-1.5.5 ``-f A`` scorer (``bench.rouge``) re-scores the MultiLing
  participants' own summaries, next to their published scores.
- Multi-document: MultiLing 2011 English, 250 words, no stemming, references pooled, recall and F1.
- Single document: CNN/DM dev125, 3 sentences, rouge-score F1 with stemming.
- Timing: sentences per second on 250 and 2,000 sentences (one core, 250-word overview).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, before numpy is imported

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

from bench import summ_data as datasets  # noqa: E402
from bench.rouge import pooled_rouge_n, single_reference_f1  # noqa: E402
from digest.summarize import summarize_texts  # noqa: E402
from digest.summarizers import OWN_METHODS, SUMY_METHODS  # noqa: E402
from digest.summarizers.document import build_document  # noqa: E402
from digest.text.tokenize import Tokenizer  # noqa: E402

OWN = list(OWN_METHODS)
SUMY = list(SUMY_METHODS)
MULTI_WORDS = 250
SINGLE_SENTENCES = 3
TIMING_SIZES = (250, 2000)
TIMING_CAP = 300.0  # seconds: a method whose estimated 2,000-sentence run exceeds it is skipped


def pct(x: float) -> float:
    return round(100 * x, 2)


def scorer_check() -> list[dict]:
    """Our pooled scorer on the participants' summaries vs the published ROUGE-1.5.5 numbers."""
    published = datasets.multiling_published()
    topics = datasets.multiling_topics()
    rows = []
    for peer in sorted(published, key=lambda p: int(p[2:])):
        r1, r2 = [], []
        for topic in topics:
            text = datasets.multiling_peer(peer, topic.name)
            r1.append(pooled_rouge_n(text, topic.refs, 1).recall)
            r2.append(pooled_rouge_n(text, topic.refs, 2).recall)
        rows.append(
            {
                "peer": peer,
                "name": datasets.PARTICIPANTS.get(peer, peer),
                "published_r1": pct(published[peer]["r1"]),
                "published_r2": pct(published[peer]["r2"]),
                "ours_r1": pct(statistics.mean(r1)),
                "ours_r2": pct(statistics.mean(r2)),
            }
        )
    return rows


def multi_doc(methods: Sequence[str]) -> list[dict]:
    topics = datasets.multiling_topics()
    rows = []
    for method in methods:
        scores: dict[str, list[float]] = {k: [] for k in ("r1", "r2", "f1_1", "f1_2")}
        started = time.perf_counter()
        for topic in topics:
            text = " ".join(summarize_texts(topic.docs, words=MULTI_WORDS, method=method))
            assert len(text.split()) <= MULTI_WORDS, (method, topic.name)
            one = pooled_rouge_n(text, topic.refs, 1)
            two = pooled_rouge_n(text, topic.refs, 2)
            scores["r1"].append(one.recall)
            scores["r2"].append(two.recall)
            scores["f1_1"].append(one.f1)
            scores["f1_2"].append(two.f1)
        row = {"method": method, **{k: pct(statistics.mean(v)) for k, v in scores.items()}}
        row["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(row)
    return rows


def _lead_lines(doc: str, n: int) -> list[str]:
    return [line.strip() for line in doc.splitlines() if line.strip()][:n]


def single_doc(methods: Sequence[str]) -> list[dict]:
    items = datasets.cnndm_items()
    runs: list[tuple[str, Callable[[datasets.Item], list[str]]]] = [
        ("Lead-3 (first 3 lines as shipped)", lambda it: _lead_lines(it.doc, SINGLE_SENTENCES))
    ]
    for method in methods:
        runs.append(
            (method, lambda it, m=method: summarize_texts([it.doc], sentences=SINGLE_SENTENCES, method=m))
        )
    rows = []
    for name, run in runs:
        started = time.perf_counter()
        scores = [single_reference_f1("\n".join(run(item)), item.ref) for item in items]
        row = {"method": name}
        row.update({k: pct(statistics.mean(s[k] for s in scores)) for k in scores[0]})
        row["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(row)
    for system in datasets.cnndm_systems():  # published abstractive outputs, for context
        scores = [
            single_reference_f1(datasets.cnndm_system_output(item.name, system), item.ref)
            for item in items
        ]
        row = {"method": f"{system} (abstractive, FRANK output)"}
        row.update({k: pct(statistics.mean(s[k] for s in scores)) for k in scores[0]})
        rows.append(row)
    return rows


def timing_texts(sentences: int) -> list[str]:
    """Whole news documents (MultiLing, then CNN/DM) cut to exactly ``sentences`` sentences."""
    tokenizer = Tokenizer()
    sources = [d for t in datasets.multiling_topics() for d in t.docs]
    sources += [item.doc for item in datasets.cnndm_items()]
    texts: list[str] = []
    total = 0
    for text in sources:
        found = [str(s) for s in build_document(text, tokenizer).sentences]
        if not found:
            continue
        take = found[: sentences - total]
        texts.append("\n\n".join(take))
        total += len(take)
        if total >= sentences:
            break
    return texts


def timing(methods: Sequence[str], repeats: int = 3) -> list[dict]:
    inputs = {n: timing_texts(n) for n in TIMING_SIZES}
    rows = []
    for method in methods:
        row: dict = {"method": method}
        estimate = None
        for n in TIMING_SIZES:
            if estimate is not None and estimate > TIMING_CAP:
                row[f"sps_{n}"] = None
                row[f"seconds_{n}"] = None
                row[f"estimated_seconds_{n}"] = round(estimate, 1)
                continue
            best = float("inf")
            for _ in range(repeats if n <= 250 else 1 if method in SUMY else repeats):
                started = time.perf_counter()
                summarize_texts(inputs[n], words=MULTI_WORDS, method=method)
                best = min(best, time.perf_counter() - started)
            row[f"seconds_{n}"] = round(best, 3)
            row[f"sps_{n}"] = round(n / best)
            estimate = best * (TIMING_SIZES[-1] / n) ** 2
        rows.append(row)
    return rows


def _table(title: str, rows: list[dict], columns: Sequence[str]) -> str:
    lines = [f"\n## {title}", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = ["" if row.get(c) is None else str(row.get(c)) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", action="append", default=[],
                        choices=["scorer", "multi", "single", "timing"], help="leave a part out")
    parser.add_argument("--methods", help="comma-separated method names (default: all)")
    args = parser.parse_args(argv)
    if not (datasets.shared_data() / "summ").is_dir():
        print(f"no data at {datasets.shared_data() / 'summ'}", file=sys.stderr)
        return 2
    methods = args.methods.split(",") if args.methods else ["lead", *SUMY, *[m for m in OWN if m != "lead"]]
    results: dict = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    out: list[str] = []
    if "scorer" not in args.skip:
        results["scorer_check"] = rows = scorer_check()
        out.append(_table("Scorer check: MultiLing 2011 participants, ROUGE recall (published vs ours)",
                          rows, ["peer", "name", "published_r1", "ours_r1", "published_r2", "ours_r2"]))
    if "multi" not in args.skip:
        published = datasets.multiling_published()
        rows = [
            {"method": f"{datasets.PARTICIPANTS[p]} ({p}, published)", "r1": pct(v["r1"]),
             "r2": pct(v["r2"]), "f1_1": pct(v["f1"]), "f1_2": pct(v["f2"])}
            for p, v in sorted(published.items(), key=lambda kv: -kv[1]["r1"])
        ]
        results["multi_doc"] = mine = multi_doc(methods)
        out.append(_table(f"MultiLing 2011 English, {MULTI_WORDS} words, no stemming, pooled refs",
                          mine + rows, ["method", "r1", "r2", "f1_1", "f1_2", "seconds"]))
    if "single" not in args.skip:
        results["single_doc"] = rows = single_doc([m for m in methods if m != "concepts"])
        out.append(_table(f"CNN/DM dev125, {SINGLE_SENTENCES} sentences, F1 with stemming",
                          rows, ["method", "rouge1", "rouge2", "rougeLsum", "seconds"]))
    if "timing" not in args.skip:
        results["timing"] = rows = timing(methods)
        out.append(_table(f"Speed: {MULTI_WORDS}-word overview, sentences per second (one core)",
                          rows, ["method", "sps_250", "seconds_250", "sps_2000", "seconds_2000",
                                 "estimated_seconds_2000"]))
    print("\n".join(out))
    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"summ-{stamp}.json"
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
