"""The day's developments ("developments"): one best sentence per distinct development.

Sentences are grouped by the *salient* words they share: content stems weighted by how many
outlets use them today (each outlet's earliest use, with the lead prior), by how rare they are
among the day's sentences (idf: the story's setting is in every sentence and says nothing), and
by how new they are (words of sentences sent in earlier digests weigh ``known_discount``). Two
sentences whose salient-weighted cosine reaches ``same_development`` report one development.

Selection is the story method's concept coverage (outlets × lead prior × novelty × each source's
confidence), with that grouping as the redundancy rule: the first pick of a development is its
best sentence and no other sentence of it is chosen. Developments come out heaviest first;
:func:`development_of` tells attribution which sentences belong to which chosen one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sumy.models.dom import ObjectDocumentModel, Sentence

from . import coverage
from .budget import word_count
from .document import StoryDocument, origins_of
from .features import Concept, TermIndex, normalize_rows, tfidf_matrix
from .story import StorySummarizer


class DevelopmentSummarizer(StorySummarizer):
    """One sentence per development, heaviest development first (a sumy AbstractSummarizer)."""

    same_development = 0.3  # salient-weighted cosine at which two sentences tell one development

    def pick(
        self, document: ObjectDocumentModel, words: int | None, sentences: int | None
    ) -> list[Sentence]:
        candidates = list(dict.fromkeys(document.sentences))
        if not candidates or (words is not None and words <= 0) or sentences == 0:
            return []
        pool = candidates
        index = TermIndex([str(s) for s in pool], self.language)
        weights = self.concept_weights(document, pool, index)
        if words is not None:
            costs = np.array([word_count(s) for s in pool], dtype=float)
            budget, exponent = float(words), self.length_exponent
        else:
            costs, budget, exponent = np.ones(len(pool)), float(sentences or 0), 0.0
        vectors = self.salient_vectors(document, pool, index)
        problem = coverage.build_problem(
            index.concepts, weights, costs, vectors, self.lead_concepts(weights), self.same_news
        )
        preferred = np.array([self._standalone(s) for s in pool])
        if words is not None and preferred.any():
            problem = coverage.restrict(problem, preferred)
        chosen = coverage.select(
            problem, budget, length_exponent=exponent, redundancy=self.same_development,
            prefer=preferred if preferred.any() else None,
        )
        if sentences is not None and words is not None:
            chosen = chosen[:sentences]
        return [pool[i] for i in chosen]

    def select(
        self, document: ObjectDocumentModel, *, words: int | None = None,
        sentences: int | None = None,
    ) -> tuple[Sentence, ...]:
        """Heaviest development first (the order of picking), not reading order."""
        return tuple(self.pick(document, words, sentences))

    def salient_vectors(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> sp.csr_matrix:
        """L2-normalised rows over content stems: idf among the day's sentences × outlet spread
        (lead prior, source confidence) × novelty."""
        matrix, vocab = tfidf_matrix(index.content)  # normalised rows of binary tf × idf
        origins = origins_of(document)
        sources = getattr(document, "sources", ())
        told = self.known_stems()
        spread: dict[str, dict[int, float]] = {}
        for sentence, stems in zip(pool, index.content, strict=True):
            for origin in origins.get(sentence, ()):
                prior = _confidence(sources, origin.doc) / (1.0 + origin.index) ** self.position_decay
                for stem in stems:
                    per_doc = spread.setdefault(stem, {})
                    if per_doc.get(origin.doc, 0.0) < prior:
                        per_doc[origin.doc] = prior
        scale = np.ones(max(len(vocab), 1))
        for stem, col in vocab.items():
            value = sum(spread.get(stem, {}).values()) or 1.0
            scale[col] = np.sqrt(value) * (self.known_discount if stem in told else 1.0)
        return normalize_rows(sp.csr_matrix(matrix @ sp.diags(scale)))

    def known_stems(self) -> set[str]:
        """Content stems of the sentences sent in earlier digests."""
        return {word for concept in self.known_concepts() for word in concept}

    def concept_weights(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> dict[Concept, float]:
        """The story method's weights, each document's share scaled by its confidence."""
        sources = getattr(document, "sources", ())
        if not sources or all(_confidence(sources, d) == 1.0 for d in range(len(sources))):
            return super().concept_weights(document, pool, index)
        origins = origins_of(document)
        told = self.known_concepts()
        best: dict[Concept, dict[int, float]] = {}
        for sentence, concepts in zip(pool, index.concepts, strict=True):
            for origin in origins.get(sentence, ()):
                prior = _confidence(sources, origin.doc) / (1.0 + origin.index) ** self.position_decay
                for concept in concepts:
                    value = prior
                    if origin.index > 0 and concept in told:
                        value *= self.known_discount
                    per_doc = best.setdefault(concept, {})
                    if per_doc.get(origin.doc, 0.0) < value:
                        per_doc[origin.doc] = value
        return {c: sum(v.values()) for c, v in best.items()}


def _confidence(sources: Sequence[object], doc: int) -> float:
    if doc >= len(sources):
        return 1.0
    return float(getattr(sources[doc], "weight", 1.0))


def development_of(
    summarizer: DevelopmentSummarizer, document: StoryDocument, chosen: Sequence[Sentence]
) -> dict[Sentence, Sentence]:
    """Each sentence of the document that tells a chosen sentence's development -> that chosen
    sentence (the most similar one, at or above ``same_development``)."""
    pool = list(dict.fromkeys(document.sentences))
    if not pool or not chosen:
        return {}
    index = TermIndex([str(s) for s in pool], summarizer.language)
    vectors = summarizer.salient_vectors(document, pool, index)
    row = {s: i for i, s in enumerate(pool)}
    picked = [row[s] for s in chosen if s in row]
    similarity = (vectors @ vectors[picked].T).toarray()
    out: dict[Sentence, Sentence] = {}
    for i, s in enumerate(pool):
        j = int(np.argmax(similarity[i]))
        if similarity[i, j] >= summarizer.same_development:
            out[s] = pool[picked[j]]
    for s in chosen:
        out[s] = s
    return out
