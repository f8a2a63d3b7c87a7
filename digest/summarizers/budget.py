"""Run any summarizer to a sentence count or a word budget, returning whole sentences only.

sumy's summarizers take a sentence count. For a word budget we read the full ranking they
compute (every built-in rates sentences and hands the ratings to ``_get_best_sentences``) and
fill the budget best-first with whole sentences that fit; the project's own summarizers have a
``select`` method that optimises the budget directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer, SentenceInfo

MIN_FILL_WORDS = 5  # stop filling when fewer words than this are left


def word_count(sentence: Sentence | str) -> int:
    return len(str(sentence).split())


def ranked(summarizer: AbstractSummarizer, document: ObjectDocumentModel) -> list[Sentence]:
    """Every sentence of ``document``, best first, as ``summarizer`` rates them."""
    sentences = document.sentences
    if not sentences:
        return []
    own = getattr(summarizer, "rank", None)
    if callable(own):
        return list(own(document))
    captured: list[SentenceInfo] = []

    def capture(sents: Sequence[Sentence], count: Any, rating: Any, *args: Any, **kwargs: Any):
        rate: Callable[..., float] = (lambda s: rating[s]) if isinstance(rating, dict) else rating
        infos = [SentenceInfo(s, o, rate(s, *args, **kwargs)) for o, s in enumerate(sents)]
        captured.extend(sorted(infos, key=attrgetter("rating"), reverse=True))
        return tuple(i.sentence for i in captured)

    summarizer._get_best_sentences = capture  # type: ignore[method-assign]
    try:
        result = summarizer(document, len(sentences))
    finally:
        del summarizer._get_best_sentences
    if not captured:  # a summarizer that does not rate: keep its own order
        return list(result)
    return [info.sentence for info in captured]


def fill(candidates: Sequence[Sentence], words: int) -> list[Sentence]:
    """Whole sentences, best first, that fit in ``words``; sentences that do not fit are skipped."""
    chosen: list[Sentence] = []
    seen: set[Sentence] = set()
    left = words
    for sentence in candidates:
        size = word_count(sentence)
        if sentence in seen or size > left:
            continue
        chosen.append(sentence)
        seen.add(sentence)
        left -= size
        if left < MIN_FILL_WORDS:
            break
    return chosen


def select(
    summarizer: AbstractSummarizer,
    document: ObjectDocumentModel,
    *,
    words: int | None = None,
    sentences: int | None = None,
) -> tuple[Sentence, ...]:
    """The summary of ``document`` in document order: ``sentences`` sentences or ``words`` words."""
    if words is None and sentences is None:
        raise ValueError("give a word budget or a sentence count")
    own = getattr(summarizer, "select", None)
    if callable(own):
        return tuple(own(document, words=words, sentences=sentences))
    order = {s: i for i, s in reversed(list(enumerate(document.sentences)))}
    if words is None:
        assert sentences is not None
        best = list(summarizer(document, max(sentences, 0))) if sentences > 0 else []
    else:
        best = fill(ranked(summarizer, document), words)
        if sentences is not None:
            best = best[: max(sentences, 0)]
    return tuple(sorted(best, key=lambda s: order.get(s, 0)))
