"""The day's developments ("developments"): one best sentence per distinct development.

Two sentences tell one development when most of the *salient* weight of the lighter one is
shared with the other (weighted containment). A word's salience is how rare it is among the
day's sentences (idf: the story's setting is in every sentence and says nothing), times how many
outlets use it today (each outlet's earliest use, lead prior, scaled by the source's confidence),
times how new it is (words of sentences sent in earlier digests weigh ``known_discount``).
Containment, not cosine, because a development is told at different lengths: "the ISSG failed to
revive the truce" is inside "a meeting of the ISSG in New York ended without agreement on how to
restore the truce" although their cosine is low. Two sentences sharing half the smaller one's
content words (five or more) tell one development too, whatever their weights: on a story's first
day every sentence is about the event, so idf weighs the event's own words ("explosion", "Chelsea",
"29 people") little, and two outlets' ledes of it looked like two developments.

Selection is the story method's concept coverage (outlets × lead prior × novelty × each source's
confidence) with its redundancy rules, plus that grouping: the first pick of a development is its
best sentence, and no other sentence of it is chosen. Developments come out heaviest first, and
:func:`development_of` gives attribution every sentence that tells a chosen one's development.

Without a history (the story's first digest, or a benchmark cluster) novelty cannot be told and
the words most outlets share are the story's own name and setting: then the grouping is off and
the method is the story method (the same rule as the story method's lead phrases).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sumy.models.dom import ObjectDocumentModel, Sentence

from digest.summarizers.document import StoryDocument, origins_of
from digest.summarizers.features import Concept, TermIndex, tfidf_matrix
from digest.summarizers.story import StorySummarizer


class DevelopmentSummarizer(StorySummarizer):
    """One sentence per development, heaviest development first (a sumy AbstractSummarizer)."""

    same_development = 0.4  # share of the lighter sentence's salient weight shared with the other
    same_development_first = 0.5  # the same without a history (idf alone weighs the words)
    without_history = False  # group on a first day too (the digest does; see summarize_story)  # group developments on the story's first day too
    shared_words = 3  # ... in at least this many content words (a short sentence is not inside
    # every sentence that shares one word with it)
    told_weight = 0.5  # salience of a word already sent in an earlier digest (it still names
    # the actors: "the support group" met again is one development, not background)
    same_words = 0.5  # ... or this share of the smaller sentence's content words, unweighted:
    same_words_min = 5  # ... and at least this many (two ledes of one event on a first day,
    # when idf among the day's sentences makes the event's own words weigh little)
    spread_exponent = 0.5  # a word's weight grows as (outlets using it, lead-weighted) ** this

    def select(
        self, document: ObjectDocumentModel, *, words: int | None = None,
        sentences: int | None = None,
    ) -> tuple[Sentence, ...]:
        """Heaviest development first (the order of picking), not reading order."""
        return tuple(self.pick(document, words, sentences))

    def relation(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> Callable[[int], np.ndarray] | None:
        """``same(j)``: which sentences of ``pool`` tell sentence j's development (None without a
        history)."""
        told = self.known_stems()
        if not pool or not (told or self.without_history):
            return None
        salient = self.salient_rows(document, pool, index, told)
        totals = np.asarray(salient.sum(axis=1)).ravel()
        binary = salient.copy()
        binary.data[:] = 1.0
        binary_t = sp.csr_matrix(binary.T)
        threshold = self.same_development if told else self.same_development_first
        sizes = np.asarray(binary.sum(axis=1)).ravel()

        def same(j: int) -> np.ndarray:
            # a word weighs the same in every sentence, so the shared weight is symmetric
            shared = (salient[j] @ binary_t).toarray().ravel()
            count = (binary[j] @ binary_t).toarray().ravel()
            lighter = np.minimum(totals, totals[j])
            lighter[lighter <= 0] = np.inf
            weighted = (shared / lighter >= threshold) & (count >= self.shared_words)
            smaller = np.maximum(np.minimum(sizes, sizes[j]), 1)
            return weighted | ((count / smaller >= self.same_words) & (count >= self.same_words_min))

        return same

    def salient_rows(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex,
        told: set[str],
    ) -> sp.csr_matrix:
        """Per sentence, each content stem's salience: idf among the day's sentences × outlet
        spread (lead prior, source confidence) ** ``spread_exponent`` × novelty."""
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for r, stems in enumerate(index.content):
            for stem in set(stems):
                if len(stem) < 2:  # "4" in "Category 4": no content of its own
                    continue
                rows.append(r)
                cols.append(vocab.setdefault(stem, len(vocab)))
        binary = sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                               shape=(len(pool), max(len(vocab), 1)))
        df = np.bincount(binary.indices, minlength=binary.shape[1])
        idf = np.log((1 + len(pool)) / (1 + df)) + 1.0
        origins = origins_of(document)
        sources = getattr(document, "sources", ())
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
            novelty = self.told_weight if stem in told else 1.0
            spread_weight = value ** self.spread_exponent if told else 1.0
            scale[col] = idf[col] * spread_weight * novelty
        return sp.csr_matrix(binary @ sp.diags(scale))

    def known_stems(self) -> set[str]:
        """Content stems of the sentences sent in earlier digests."""
        return {word for concept in self.known_concepts() for word in concept}

    def concept_weights(
        self, document: ObjectDocumentModel, pool: Sequence[Sentence], index: TermIndex
    ) -> dict[Concept, float]:
        """The story method's weights, each document's share scaled by its confidence."""
        sources = getattr(document, "sources", ())
        if all(_confidence(sources, d) == 1.0 for d in range(len(sources))):
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
    sentence: a near-paraphrase (TF-IDF cosine at the story method's threshold) or, given a
    history, the same development; the most similar chosen sentence wins."""
    pool = list(dict.fromkeys(document.sentences))
    row = {s: i for i, s in enumerate(pool)}
    picked = [row[s] for s in chosen if s in row]
    out: dict[Sentence, Sentence] = {s: s for s in chosen}
    if not picked:
        return out
    index = TermIndex([str(s) for s in pool], summarizer.language)
    vectors, _ = tfidf_matrix(index.content)
    cosine = (vectors @ vectors[picked].T).toarray()
    related = cosine >= (summarizer.redundancy or 1.0)
    same = summarizer.relation(document, pool, index)
    if same is not None:
        related |= np.column_stack([same(j) for j in picked])
    for i, s in enumerate(pool):
        hits = np.flatnonzero(related[i])
        if len(hits) and s not in out:
            out[s] = pool[picked[int(hits[np.argmax(cosine[i, hits])])]]
    return out
