"""ROUGE-N with references pooled as ROUGE-1.5.5's ``-f A`` does, on rouge-score's tokenizer.

``rouge_score.RougeScorer.score_multi`` keeps the best single reference; ROUGE-1.5.5 with
``-f A`` instead sums clipped n-gram hits and reference n-gram counts over all references, so
recall = sum(hits) / sum(reference n-grams) and precision = sum(hits) / (references × candidate
n-grams). Scores of a set are the mean of per-topic scores (ROUGE-1.5.5's ``Average_R``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rouge_score import rouge_scorer, tokenizers


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    f1: float


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _cut(tokens: list[str], limit: int | None) -> list[str]:
    return tokens if limit is None else tokens[:limit]


def pooled_rouge_n(
    candidate: str,
    references: Sequence[str],
    n: int,
    *,
    stem: bool = False,
    word_limit: int | None = None,
    alpha: float = 0.5,
) -> Score:
    """ROUGE-N of one candidate against several references pooled (ROUGE-1.5.5 ``-f A``).

    ``word_limit`` cuts candidate and references alike to their first N tokens (ROUGE's ``-l``).
    """
    tokenizer = tokenizers.DefaultTokenizer(use_stemmer=stem)
    cand = _ngrams(_cut(tokenizer.tokenize(candidate), word_limit), n)
    cand_total = sum(cand.values())
    hits = ref_total = peer_total = 0
    for reference in references:
        ref = _ngrams(_cut(tokenizer.tokenize(reference), word_limit), n)
        hits += sum(min(count, cand[gram]) for gram, count in ref.items())
        ref_total += sum(ref.values())
        peer_total += cand_total
    recall = hits / ref_total if ref_total else 0.0
    precision = hits / peer_total if peer_total else 0.0
    denom = alpha * recall + (1 - alpha) * precision  # F = 1 / (alpha / P + (1 - alpha) / R)
    f1 = precision * recall / denom if denom else 0.0
    return Score(recall, precision, f1)


def single_reference_f1(candidate: str, reference: str, *, stem: bool = True) -> dict[str, float]:
    """rouge1/rouge2/rougeLsum F1 with rouge-score (sentences one per line, no NLTK splitting)."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=stem)
    scores = scorer.score(reference, candidate)
    return {name: s.fmeasure for name, s in scores.items()}
