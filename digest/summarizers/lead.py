"""Position baseline ("lead"): each document's first sentences, round-robin across documents.

For one article this is Lead-N over real sentences only: the document builder has already
turned captions, bylines, datelines alone and "Read more" lines into headings, so they are never
picked. For several documents it takes every document's first sentence, then every second one,
and so on (documents in the order given).
"""

from __future__ import annotations

from sumy.models.dom import ObjectDocumentModel, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer

from digest.summarizers.budget import fill
from digest.summarizers.document import origins_of


class LeadSummarizer(AbstractSummarizer):
    """Lead-N (one document) or round-robin lead (several documents)."""

    def __init__(self, stemmer=None, language: str = "english") -> None:  # type: ignore[no-untyped-def]
        super().__init__(stemmer or (lambda w: w.lower()))
        self.language = language

    def __call__(self, document: ObjectDocumentModel, sentences_count: int | str) -> tuple:
        return self.select(document, sentences=int(sentences_count))

    def rank(self, document: ObjectDocumentModel) -> list[Sentence]:
        origins = origins_of(document)
        unique = list(dict.fromkeys(document.sentences))

        def key(sentence: Sentence) -> tuple[int, int]:
            first = min(origins[sentence], key=lambda o: (o.index, o.doc))
            return first.index, first.doc

        return sorted(unique, key=key)

    def select(
        self,
        document: ObjectDocumentModel,
        *,
        words: int | None = None,
        sentences: int | None = None,
    ) -> tuple[Sentence, ...]:
        best = self.rank(document)
        if words is not None:
            best = fill(best, words)
        if sentences is not None:
            best = best[: max(sentences, 0)]
        order = {s: i for i, s in enumerate(document.sentences)}
        return tuple(sorted(best, key=lambda s: order[s]))
