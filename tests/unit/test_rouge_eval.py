"""The pooled ROUGE scorer reproduces MultiLing 2011's published scores; the defaults meet the bar.

Needs ../shared/data/summ (or $DIGEST_SHARED_DATA); skipped cleanly without it.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench/ is a repo-level package, not installed

from bench import summ_data as datasets  # noqa: E402
from bench.rouge import pooled_rouge_n, single_reference_f1  # noqa: E402
from digest.summarize import summarize_texts  # noqa: E402
from digest.summarizers import DEFAULT_ARTICLE_METHOD, DEFAULT_OVERVIEW_METHOD  # noqa: E402

needs_data = pytest.mark.skipif(
    not (datasets.shared_data() / "summ" / "multiling2011_en").is_dir()
    or not (datasets.shared_data() / "summ" / "cnndm_dev125").is_dir(),
    reason="shared summarisation data not available",
)


def test_pooling_sums_hits_over_references() -> None:
    # candidate "a b", references "a b" and "a c": hits 2 + 1 over 2 + 2 reference unigrams
    score = pooled_rouge_n("a b", ["a b", "a c"], 1)
    assert score.recall == pytest.approx(3 / 4)
    assert score.precision == pytest.approx(3 / 4)
    assert pooled_rouge_n("a b", ["a b", "a c"], 2).recall == pytest.approx(1 / 2)
    assert pooled_rouge_n("", ["a"], 1).recall == 0.0


@needs_data
def test_scorer_reproduces_published_participant_scores() -> None:
    published = datasets.multiling_published()
    topics = datasets.multiling_topics()
    assert len(published) == 10 and len(topics) == 10
    for peer, scores in published.items():
        for n in (1, 2):
            ours = statistics.mean(
                pooled_rouge_n(datasets.multiling_peer(peer, t.name), t.refs, n).recall for t in topics
            )
            assert abs(100 * ours - 100 * scores[f"r{n}"]) < 0.1, (peer, n, ours, scores[f"r{n}"])


@needs_data
def test_default_overview_beats_every_participant_on_multiling() -> None:
    r1, r2 = [], []
    for topic in datasets.multiling_topics():
        summary = summarize_texts(topic.docs, words=250, method=DEFAULT_OVERVIEW_METHOD)
        text = " ".join(summary)
        assert len(text.split()) <= 250
        r1.append(pooled_rouge_n(text, topic.refs, 1).recall)
        r2.append(pooled_rouge_n(text, topic.refs, 2).recall)
    assert 100 * statistics.mean(r1) >= 47.0
    assert 100 * statistics.mean(r2) >= 17.5


@needs_data
def test_default_article_summary_matches_lead3_on_cnndm() -> None:
    ours: dict[str, list[float]] = {}
    lead3: dict[str, list[float]] = {}
    for item in datasets.cnndm_items():
        lines = [line.strip() for line in item.doc.splitlines() if line.strip()][:3]
        summary = summarize_texts([item.doc], sentences=3, method=DEFAULT_ARTICLE_METHOD)
        assert len(summary) <= 3
        for store, candidate in ((ours, summary), (lead3, lines)):
            for key, value in single_reference_f1("\n".join(candidate), item.ref).items():
                store.setdefault(key, []).append(value)
    for key in ("rouge1", "rouge2", "rougeLsum"):
        assert statistics.mean(ours[key]) >= statistics.mean(lead3[key]), key
