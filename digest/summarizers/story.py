"""The story overview: position-weighted concept coverage across outlets ("story").

Concepts are stemmed word bigrams (not both stop words). A concept's weight is the sum over the
documents carrying it of ``1 / (1 + position)`` of its earliest sentence there: document frequency
(what many outlets report) times a lead prior (what each outlet reports first). Concepts already
told in earlier digests are discounted outside the day's opening sentences, so the day's new
developments win. Selection maximises covered weight within the budget (:mod:`.coverage`), each
concept counted once; two sentences are redundant when their cosine is high or, given a history,
when they share two of the day's lead phrases (outlets paraphrasing the same news).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer

from digest.summarizers import coverage
from digest.summarizers.budget import word_count
from digest.summarizers.document import origins_of
from digest.summarizers.features import Concept, TermIndex, stemmed_stop_words, tfidf_matrix
from digest.summarizers.standalone import leans_on_context


class StorySummarizer(AbstractSummarizer):
    """Multi-document (and single-document) extractive summarizer on sumy's document model."""

    position_decay = 1.0  # weight of a document's i-th sentence: 1 / (1 + i) ** decay
    min_words = 8  # shorter sentences only fill what budget the longer ones leave
    redundancy: float | None = 0.5  # TF-IDF cosine above which two sentences say the same thing
    length_exponent = 0.5  # gain per cost ** exponent: between pure gain (0) and density (1)
    avoid_dangling = True  # sentences leaning on context (standalone.py) only fill leftovers
    known_discount = 0.25  # weight of concepts already sent, outside today's opening sentences
    same_news = 2  # sentences sharing this many of the day's lead phrases report the same news
    lead_share = 0.5  # lead concepts: not sent before, at least this share of the heaviest's weight

    def __init__(self, stemmer=None, language: str = "english") -> None:  # type: ignore[no-untyped-def]
        super().__init__(stemmer or (lambda w: w.lower()))
        self.language = language
        self.known_texts: Sequence[str] = ()  # overview sentences of earlier digests
        self._known: tuple[tuple[str, ...], set[Concept]] | None = None

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
        problem = coverage.build_problem(
            index.concepts, weights, costs, vectors, self.lead_concepts(weights), self.same_news
        )
        same = self.relation(document, pool, index)
        if same is not None:  # sentences telling one development count as one (subclasses)
            problem = dataclasses.replace(problem, same=same)
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

    def relation(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> Callable[[int], np.ndarray] | None:
        """``same(j)``: the sentences of ``pool`` that tell what sentence j tells; None (here):
        sentences are related only through the concepts they share."""
        return None

    def _standalone(self, sentence: Sentence) -> bool:
        """Long enough, and not leaning on a previous sentence ("He added…", "But…")."""
        text = str(sentence)
        if word_count(text) < self.min_words:
            return False
        return not (self.avoid_dangling and leans_on_context(text))

    def known_concepts(self) -> set[Concept]:
        """Concepts of the texts already sent (earlier digests)."""
        texts = tuple(self.known_texts)
        if not texts:
            return set()
        if self._known is None or self._known[0] != texts:
            index = TermIndex(list(texts), self.language)
            self._known = (texts, {c for cs in index.concepts for c in cs})
        return self._known[1]

    def lead_concepts(self, weights: dict[Concept, float]) -> set[Concept]:
        """The day's lead concepts: not sent before, and weighing at least ``lead_share`` of the
        heaviest such concept (what most outlets report first today)."""
        known = self.known_concepts()
        if not self.same_news or not known:
            return set()  # without a history the story's setting cannot be told from the news
        stops = stemmed_stop_words(self.language)
        fresh = {
            c: w for c, w in weights.items()
            if c not in known and not (c[0] in stops or c[1] in stops)
        }
        if not fresh:
            return set()
        top = max(fresh.values())
        return {c for c, w in fresh.items() if w >= self.lead_share * top}

    def concept_weights(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> dict[Concept, float]:
        """Per concept, the sum over documents of the position prior of its earliest sentence.

        A concept already sent in an earlier digest counts ``known_discount`` of that, except in
        a document's opening sentence: what an outlet leads with today is news again, even if an
        earlier digest previewed it (the deal agreed today that yesterday was only planned).
        """
        origins = origins_of(document)
        told = self.known_concepts()
        best: dict[Concept, dict[int, float]] = {}
        for sentence, concepts in zip(pool, index.concepts, strict=True):
            for origin in origins.get(sentence, ()):
                prior = 1.0 / (1.0 + origin.index) ** self.position_decay
                for concept in concepts:
                    value = prior
                    if origin.index > 0 and concept in told:
                        value *= self.known_discount
                    per_doc = best.setdefault(concept, {})
                    if per_doc.get(origin.doc, 0.0) < value:
                        per_doc[origin.doc] = value
        return {c: sum(v.values()) for c, v in best.items()}
