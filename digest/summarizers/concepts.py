"""Concept ILP ("concepts"): Gillick & Favre (2009) bigram coverage solved exactly with HiGHS.

Concepts are stemmed bigrams weighted by document frequency (kept when they occur in at least
three documents, or two when there are fewer than six); the integer program maximises covered
weight under the word budget. Exact but slow on large inputs: a reference point for the bench;
the overview default ("story") keeps this objective, adds a position prior and solves it fast.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from sumy.models.dom import ObjectDocumentModel, Sentence

from digest.summarizers import coverage
from digest.summarizers.budget import word_count
from digest.summarizers.document import origins_of
from digest.summarizers.features import Concept, TermIndex
from digest.summarizers.story import StorySummarizer

log = logging.getLogger(__name__)


class ConceptILPSummarizer(StorySummarizer):
    """Document-frequency bigram concepts, exact integer programme (falls back to greedy)."""

    time_limit = 30.0  # seconds for the solver
    redundancy = None  # the pure ILP objective, as published

    def concept_weights(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> dict[Concept, float]:
        origins = origins_of(document)
        docs: dict[Concept, set[int]] = {}
        for sentence, concepts in zip(pool, index.concepts, strict=True):
            for concept in concepts:
                docs.setdefault(concept, set()).update(o.doc for o in origins[sentence])
        n_docs = len({o.doc for os in origins.values() for o in os}) or 1
        min_df = 3 if n_docs >= 6 else 2 if n_docs >= 2 else 1
        return {c: float(len(d)) for c, d in docs.items() if len(d) >= min_df}

    def pick(
        self, document: ObjectDocumentModel, words: int | None, sentences: int | None
    ) -> list[Sentence]:
        if words is None:
            return super().pick(document, words, sentences)
        candidates = list(dict.fromkeys(document.sentences))
        pool = [s for s in candidates if word_count(s) >= self.min_words] or candidates
        if not pool or words <= 0:
            return []
        index = TermIndex([str(s) for s in pool], self.language)
        weights = self.concept_weights(document, pool, index)
        costs = [word_count(s) for s in pool]
        problem = coverage.build_problem(index.concepts, weights, costs)
        chosen = _solve(problem, float(words), self.time_limit)
        if chosen is None:
            log.info("concept ILP found no solution in time; using the greedy selection")
            chosen = coverage.select(problem, float(words), redundancy=None)
        return [pool[i] for i in chosen][: sentences if sentences is not None else None]


def _solve(problem: coverage.Problem, budget: float, time_limit: float) -> list[int] | None:
    m = problem.incidence
    n_s, n_c = m.shape
    objective = np.concatenate([np.zeros(n_s), -problem.weights])
    # c_k <= sum of the chosen sentences carrying k;  sum of lengths <= budget
    link = sp.hstack([-m.T, sp.identity(n_c)]).tocsr()
    length = np.concatenate([problem.costs, np.zeros(n_c)])[None, :]
    result = milp(
        objective,
        constraints=[
            LinearConstraint(link, -np.inf, 0),
            LinearConstraint(length, 0, budget),
        ],
        integrality=np.ones(n_s + n_c),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit},
    )
    if result.x is None:
        return None
    return [i for i in range(n_s) if result.x[i] > 0.5]
