"""Budgeted concept coverage: pick sentences that cover the most concept weight within a budget.

The objective (Gillick & Favre 2009) counts each concept once however many chosen sentences
carry it, which is what keeps the same fact from several outlets out of the summary twice. It is
maximised greedily by gain per cost (Khuller et al. 1999), then improved by swapping one chosen
sentence for another while the objective grows; a cosine threshold between chosen sentences
catches paraphrases that share few bigrams. All steps are sparse matrix–vector products.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from digest.summarizers.features import Concept

_EPS = 1e-9


@dataclass(frozen=True)
class Problem:
    """Candidates as rows: concept incidence ``M``, concept weights, costs and TF-IDF rows."""

    incidence: sp.csr_matrix  # candidates × concepts, 0/1
    weights: np.ndarray  # concept weights
    costs: np.ndarray  # words (word budget) or ones (sentence count)
    vectors: sp.csr_matrix | None = None  # L2-normalised rows for the redundancy threshold
    news: sp.csr_matrix | None = None  # candidates × the day's lead concepts, 0/1
    news_words: sp.csr_matrix | None = None  # candidates × the words of those concepts, 0/1
    same_news: int = 0  # sharing this many lead phrases makes two candidates redundant
    same: Callable[[int], np.ndarray] | None = None  # more candidates telling what j tells


def build_problem(
    concepts: Sequence[set[Concept]],
    weights: dict[Concept, float],
    costs: Sequence[float] | np.ndarray,
    vectors: sp.csr_matrix | None = None,
    lead: set[Concept] | None = None,
    same_news: int = 0,
) -> Problem:
    keys = {c: i for i, c in enumerate(c for c, w in weights.items() if w > 0)}
    rows: list[int] = []
    cols: list[int] = []
    for r, cs in enumerate(concepts):
        for c in cs:
            col = keys.get(c)
            if col is not None:
                rows.append(r)
                cols.append(col)
    incidence = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(concepts), max(len(keys), 1))
    )
    w = np.zeros(max(len(keys), 1))
    for c, i in keys.items():
        w[i] = weights[c]
    news = words = None
    if lead and same_news > 0:
        present = [cs & lead for cs in concepts]
        news = _incidence(present)
        words = _incidence([{word for c in cs for word in c} for cs in present])
    return Problem(incidence, w, np.asarray(costs, dtype=float), vectors, news, words, same_news)


def _incidence(rows_of: Sequence[set]) -> sp.csr_matrix:
    keys = {k: i for i, k in enumerate(sorted({k for ks in rows_of for k in ks}))}
    pairs = [(r, keys[k]) for r, ks in enumerate(rows_of) for k in ks]
    rows = [r for r, _ in pairs]
    cols = [c for _, c in pairs]
    return sp.csr_matrix(
        (np.ones(len(pairs)), (rows, cols)), shape=(len(rows_of), max(len(keys), 1))
    )


def restrict(problem: Problem, keep: np.ndarray) -> Problem:
    """The same problem with the other candidates made unaffordable (indices unchanged)."""
    costs = np.where(keep, problem.costs, np.inf)
    return Problem(
        problem.incidence, problem.weights, costs, problem.vectors, problem.news,
        problem.news_words, problem.same_news, problem.same,
    )


class _State:
    def __init__(self, problem: Problem, budget: float, redundancy: float | None) -> None:
        self.p = problem
        self.budget = budget
        self.redundancy = redundancy
        self.count = np.zeros(problem.incidence.shape[1])  # chosen sentences carrying a concept
        self.blocked = np.zeros(problem.incidence.shape[0])  # chosen near-paraphrases
        self.chosen: list[int] = []
        self.used = 0.0
        self.excluded = np.zeros(problem.incidence.shape[0], dtype=bool)

    def similar(self, j: int) -> np.ndarray:
        """Candidates that say what ``j`` says: a near-paraphrase (cosine), or the same news
        (``same_news`` of the day's lead phrases in common)."""
        if self.redundancy is None or self.p.vectors is None:
            return np.zeros(0, dtype=int)
        row = (self.p.vectors[j] @ self.p.vectors.T).toarray().ravel()
        same = row >= self.redundancy
        if self.p.news is not None and self.p.news_words is not None:
            # shared lead phrases: a run of k shared lead bigrams has k + 1 words, so words minus
            # bigrams counts runs ("syrian arab red crescent" is one phrase, not three concepts)
            bigrams = (self.p.news[j] @ self.p.news.T).toarray().ravel()
            words = (self.p.news_words[j] @ self.p.news_words.T).toarray().ravel()
            same |= (bigrams > 0) & (words - bigrams >= self.p.same_news)
        if self.p.same is not None:
            same |= self.p.same(j)
        hits = np.flatnonzero(same)
        return hits[hits != j]

    def add(self, j: int) -> None:
        self.chosen.append(j)
        self.used += self.p.costs[j]
        self.count[self.p.incidence[j].indices] += 1
        self.blocked[self.similar(j)] += 1

    def remove(self, j: int) -> None:
        self.chosen.remove(j)
        self.used -= self.p.costs[j]
        self.count[self.p.incidence[j].indices] -= 1
        self.blocked[self.similar(j)] -= 1

    def value(self) -> float:
        return float(self.p.weights[self.count > 0].sum())

    def gains(self) -> np.ndarray:
        return self.p.incidence @ (self.p.weights * (self.count == 0))

    def allowed(self) -> np.ndarray:
        ok = (self.p.costs <= self.budget - self.used + _EPS) & (self.blocked == 0) & ~self.excluded
        ok[self.chosen] = False
        return ok


def select(
    problem: Problem,
    budget: float,
    *,
    length_exponent: float = 1.0,
    redundancy: float | None = 0.5,
    bonus: np.ndarray | None = None,
    swaps: int = 10,
    prefer: np.ndarray | None = None,
) -> list[int]:
    """Row indices chosen, in the order picked; ``bonus`` adds a per-candidate value.

    With ``prefer`` (a boolean mask) the others are only used for what budget is left after the
    preferred candidates (e.g. short sentences fill up a summary, never displace long ones).
    """
    n = problem.incidence.shape[0]
    if n == 0 or budget <= 0:
        return []
    extra = np.zeros(n) if bonus is None else np.asarray(bonus, dtype=float)
    state = _State(problem, budget, redundancy)
    scale = np.maximum(problem.costs, 1.0) ** length_exponent
    if prefer is not None:
        state.excluded = ~np.asarray(prefer, dtype=bool)
    _fill(state, extra, scale)
    for _ in range(swaps):
        if not _improve(state, extra, scale):
            break
    if prefer is not None:
        state.excluded[:] = False
        _fill(state, extra, scale)
    return state.chosen


def _fill(state: _State, extra: np.ndarray, scale: np.ndarray) -> None:
    while True:
        ok = state.allowed()
        if not ok.any():
            return
        score = np.where(ok, (state.gains() + extra) / scale, -1.0)
        j = int(np.argmax(score))
        if score[j] <= _EPS:
            return
        state.add(j)


def _improve(state: _State, extra: np.ndarray, scale: np.ndarray) -> bool:
    """One pass of 1-for-1 swaps (then refill); True if the objective grew."""
    improved = False
    for j in list(state.chosen):
        before = state.value() + extra[state.chosen].sum()
        state.remove(j)
        ok = state.allowed()
        ok[j] = False
        gain = np.where(ok, state.gains() + extra, -1.0)
        i = int(np.argmax(gain))
        if gain[i] > 0 and state.value() + extra[state.chosen].sum() + gain[i] > before + _EPS:
            state.add(i)
            _fill(state, extra, scale)
            improved = True
        else:
            state.add(j)
    return improved
