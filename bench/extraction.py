"""Extraction benchmark: plain trafilatura vs extract_article on the shared real-world page sets.

Run as ``python -m bench.extraction`` (``--favor`` to compare trafilatura's precision/recall modes,
``--limit N`` for a quick look). The scoring functions are also used by the integration tests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PUBLISHED = {"scrapinghub-aeb": 0.958, "trafilatura-eval": 0.924}


def shared_data() -> Path | None:
    """The shared real-world data folder (``$DIGEST_SHARED_DATA`` or ``../shared/data``), if any."""
    env = os.environ.get("DIGEST_SHARED_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    return path.resolve() if path.is_dir() else None


@dataclass(frozen=True)
class Page:
    id: str
    url: str | None
    html: bytes
    truth: str = ""  # scrapinghub: the full article body
    with_: tuple[str, ...] = ()  # trafilatura-eval: snippets that must appear
    without: tuple[str, ...] = ()  # trafilatura-eval: snippets that must not


def load_pages(data: Path, name: str, limit: int | None = None) -> list[Page]:
    root = data / "extraction" / name
    items = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["items"][:limit]
    return [
        Page(
            id=item["id"],
            url=item.get("url"),
            html=gzip.decompress((root / item["html_path"]).read_bytes()),
            truth=item.get("ground_truth") or "",
            with_=tuple(item.get("with") or ()),
            without=tuple(item.get("without") or ()),
        )
        for item in items
    ]


# --- scrapinghub article-extraction-benchmark metric (evaluate.py) ---------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def shingle_tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Multiset 4-token-shingle overlap, normalised to sum to 1 (so long texts weigh the same)."""
    t, p = _shingles(true), _shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def aeb_scores(counts: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Precision and recall averaged over documents (as the benchmark does), and their F1."""

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean([precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- trafilatura evaluation metric (tests/comparison.py) -------------------------------------


def snippet_counts(text: str | None, page: Page) -> tuple[int, int, int]:
    """(TP, FN, FP): ``with`` snippets found, ``with`` snippets missing, ``without`` found."""
    if not text:
        return 0, len(page.with_), 0
    tp = sum(1 for s in page.with_ if s in text)
    fp = sum(1 for s in page.without if s in text)
    return tp, len(page.with_) - tp, fp


def snippet_scores(counts: Iterable[tuple[int, int, int]]) -> tuple[float, float, float]:
    tp = fn = fp = 0
    for a, b, c in counts:
        tp, fn, fp = tp + a, fn + b, fp + c
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- the two extractors ----------------------------------------------------------------------


def plain_trafilatura(page: Page) -> str:
    """trafilatura as the benchmarks run it: ``extract(html, include_comments=False)``."""
    import trafilatura

    html: str | bytes = page.html
    try:
        html = page.html.decode("utf-8")  # the benchmark harnesses hand over text when they can
    except UnicodeDecodeError:
        pass
    return trafilatura.extract(html, include_comments=False) or ""


def ours(page: Page) -> str:
    from digest.errors import ExtractError
    from digest.extract import extract_article

    try:
        return extract_article(page.html, url=page.url or "", entry=None, outlet="bench").text
    except ExtractError:
        return ""


@dataclass(frozen=True)
class Result:
    name: str
    precision: float
    recall: float
    f1: float
    pages_per_s: float
    ms_per_100kb: float


def evaluate(pages: Sequence[Page], run: Callable[[Page], str], name: str, kind: str) -> Result:
    counts: list = []
    if pages:
        run(pages[0])  # warm up: imports, option objects, regex caches
    start = time.perf_counter()
    for page in pages:
        text = run(page)
        counts.append(
            shingle_tp_fp_fn(page.truth, text) if kind == "aeb" else snippet_counts(text, page)
        )
    elapsed = time.perf_counter() - start
    p, r, f1 = aeb_scores(counts) if kind == "aeb" else snippet_scores(counts)
    size = sum(len(page.html) for page in pages) / 100_000
    return Result(name, p, r, f1, len(pages) / elapsed if elapsed else 0.0, elapsed * 1000 / size)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--limit", type=int, default=None, help="only the first N pages of each set"
    )
    parser.add_argument(
        "--favor", action="store_true", help="also run our pipeline in each favor mode"
    )
    args = parser.parse_args(argv)
    data = shared_data()
    if data is None:
        print("shared data not found (set DIGEST_SHARED_DATA)", file=sys.stderr)
        return 1
    import logging

    logging.disable(logging.WARNING)  # trafilatura logs every discarded page
    from digest import extract

    print(
        f"{'set':<18} {'extractor':<28} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8} "
        f"{'ms/100KB':>8} {'published F1':>12}"
    )
    for name, kind in (("scrapinghub-aeb", "aeb"), ("trafilatura-eval", "snippets")):
        pages = load_pages(data, name, args.limit)
        runs: list[tuple[str, Callable[[Page], str]]] = [("plain trafilatura", plain_trafilatura)]
        modes = ("balanced", "precision", "recall") if args.favor else (extract.FAVOR,)
        for mode in modes:
            runs.append((f"extract_article ({mode})", _with_favor(mode)))
        for label, run in runs:
            res = evaluate(pages, run, label, kind)
            print(
                f"{name:<18} {label:<28} {res.precision:6.3f} {res.recall:6.3f} {res.f1:6.3f} "
                f"{res.pages_per_s:8.1f} {res.ms_per_100kb:8.1f} {PUBLISHED[name]:12.3f}"
            )
    return 0


def _with_favor(mode: str) -> Callable[[Page], str]:
    from digest import extract

    def run(page: Page) -> str:
        if extract.FAVOR != mode:
            extract.FAVOR = mode
            extract._options.cache_clear()
        return ours(page)

    return run


if __name__ == "__main__":
    raise SystemExit(main())
