"""The story overview: position-weighted concept coverage across outlets ("story").

Concepts are stemmed word bigrams (not both stop words). A concept's weight is the sum over the
documents carrying it of ``1 / (1 + position)`` of its earliest sentence there: document frequency
(what many outlets report) times a lead prior (what each outlet reports first). Concepts already
told in earlier digests are discounted, so the day's new developments win. Selection maximises
covered weight within the budget (:mod:`.coverage`), each concept counted once, with a cosine
threshold against near-paraphrases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer

from . import coverage
from .budget import word_count
from .document import origins_of
from .features import Concept, TermIndex, tfidf_matrix

_DANGLING = re.compile(
    r"^[\"“‘']?(?:He|She|It|They|His|Her|Its|Their|This|That|These|Those|But|And|Yet|So|Also|"
    r"However|Still|Instead|Then|There)\b"
)


class StorySummarizer(AbstractSummarizer):
    """Multi-document (and single-document) extractive summarizer on sumy's document model."""

    position_decay = 1.0  # weight of a document's i-th sentence: 1 / (1 + i) ** decay
    min_words = 8  # shorter sentences only fill what budget the longer ones leave
    redundancy: float | None = 0.5  # TF-IDF cosine above which two sentences say the same thing
    length_exponent = 0.5  # gain per cost ** exponent: between pure gain (0) and density (1)
    avoid_dangling = True  # sentences opening on a pronoun or connective only fill leftovers
    singleton_factor = float(__import__("os").environ.get("SF", "1"))
    known_discount = 0.25  # weight factor of concepts already sent in earlier digests

    def __init__(self, stemmer=None, language: str = "english") -> None:  # type: ignore[no-untyped-def]
        super().__init__(stemmer or (lambda w: w.lower()))
        self.language = language
        self.known_texts: Sequence[str] = ()

    def __call__(self, document: ObjectDocumentModel, sentences_count: int | str) -> tuple:
        return self.select(document, sentences=int(sentences_count))

    def select(
        self,
        document: ObjectDocumentModel,
        *,
        words: int | None = None,
        sentences: int | None = None,
    ) -> tuple[Sentence, ...]:
        order = {s: i for i, s in enumerate(document.sentences)}
        return tuple(sorted(self.pick(document, words, sentences), key=lambda s: order[s]))

    def rank(self, document: ObjectDocumentModel) -> list[Sentence]:
        """Best first: the sentences in the order the selection picks them, for every count."""
        return self.pick(document, None, len(document.sentences))

    def pick(
        self, document: ObjectDocumentModel, words: int | None, sentences: int | None
    ) -> list[Sentence]:
        """The chosen sentences in the order they were picked."""
        candidates = list(dict.fromkeys(document.sentences))
        if not candidates or (words is not None and words <= 0) or sentences == 0:
            return []
        pool = candidates
        index = TermIndex([str(s) for s in pool], self.language)
        weights = self.concept_weights(document, pool, index)
        if words is not None:
            costs = np.array([word_count(s) for s in pool], dtype=float)
            budget = float(words)
            exponent = self.length_exponent
        else:
            costs = np.ones(len(pool))
            budget = float(sentences or 0)
            exponent = 0.0
        vectors, _ = tfidf_matrix(index.content)
        problem = coverage.build_problem(index.concepts, weights, costs, vectors)
        preferred = np.array([self._standalone(s) for s in pool])
        if words is not None and preferred.any():
            problem = coverage.restrict(problem, preferred)  # the rest never fill a word budget
        chosen = coverage.select(
            problem,
            budget,
            length_exponent=exponent,
            redundancy=self.redundancy,
            prefer=preferred if preferred.any() else None,
        )
        if sentences is not None and words is not None:
            chosen = chosen[:sentences]
        return [pool[i] for i in chosen]

    def _standalone(self, sentence: Sentence) -> bool:
        """Long enough, and not leaning on a previous sentence ("He added…", "But…")."""
        text = str(sentence)
        if word_count(text) < self.min_words:
            return False
        return not (self.avoid_dangling and _DANGLING.match(text))

    def concept_weights(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> dict[Concept, float]:
        origins = origins_of(document)
        best: dict[Concept, dict[int, float]] = {}
        for sentence, concepts in zip(pool, index.concepts, strict=True):
            for origin in origins.get(sentence, ()):
                prior = 1.0 / (1.0 + origin.index) ** self.position_decay
                for concept in concepts:
                    per_doc = best.setdefault(concept, {})
                    if per_doc.get(origin.doc, 0.0) < prior:
                        per_doc[origin.doc] = prior
        weights = {c: sum(v.values()) for c, v in best.items()}
        n_docs = len({o.doc for os in origins.values() for o in os})
        if n_docs > 1 and self.singleton_factor != 1.0:
            for c, v in best.items():
                if len(v) == 1:
                    weights[c] *= self.singleton_factor
        if self.known_texts:
            known = TermIndex(list(self.known_texts), self.language)
            for concepts in known.concepts:
                for concept in concepts:
                    if concept in weights:
                        weights[concept] *= self.known_discount
        return weights
