"""The summarise stage: per-article summaries, the attributed story overview, plain-text summaries.

Any registered method (``digest.summarizers``) can be named; the defaults are "lead" for one
article and "story" for the day's overview. Summaries are whole sentences only (no captions,
bylines or "Read more" debris), with leading datelines dropped for display.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence

from sumy.models.dom import Sentence
from sumy.utils import normalize_language

from digest.models import Article, Attributed
from digest.summarizers import DEFAULT_ARTICLE_METHOD, DEFAULT_OVERVIEW_METHOD, get_summarizer
from digest.summarizers.budget import select
from digest.summarizers.developments import DevelopmentSummarizer, development_of
from digest.summarizers.document import (
    SourceText,
    StoryDocument,
    build_document,
    build_story_document,
    demote,
)
from digest.summarizers.features import cross_cosine
from digest.text.tokenize import Tokenizer, strip_dateline

log = logging.getLogger(__name__)

SAME_FACT = 0.5  # TF-IDF cosine at or above which two sentences are near-paraphrases
COPY = 0.8  # TF-IDF cosine at or above which two sentences are copies of one (wire edits)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def summarize_article(
    article: Article, sentences: int = 3, method: str = DEFAULT_ARTICLE_METHOD
) -> tuple[str, ...]:
    """The article's best ``sentences`` sentences in reading order (empty if it has none)."""
    language = _language(article.language)
    summarizer = get_summarizer(method, language)  # an unknown method is a config error
    document = build_document(article.text, Tokenizer(language), title=article.title)
    try:
        chosen = select(summarizer, document, sentences=sentences)
    except Exception as exc:  # one bad article must not stop the digest
        log.warning("summarizing %s with %s failed (%s); using lead", article.url, method, exc)
        chosen = select(get_summarizer("lead", language), document, sentences=sentences)
    return tuple(_display(s) for s in chosen)


def summarize_story(
    articles: Sequence[Article],
    words: int = 250,
    method: str = DEFAULT_OVERVIEW_METHOD,
    already_sent: Sequence[str] = (),
    confidence: Mapping[str, float] | None = None,
) -> tuple[Attributed, ...]:
    """The day's overview within ``words`` words, each sentence with every source carrying it.

    Sentences equal to or near-paraphrases of ``already_sent`` (earlier digests' overviews) are
    not repeated, and facts already sent weigh less, so the day's new developments come first.
    ``confidence`` (article URL -> relevance score) lets a method that reads it ("developments")
    weigh sentences of doubtful articles less. With "developments" each sentence is one
    development, attributed to every article telling it, heaviest first.
    """
    if not articles or words <= 0:
        return ()
    language = _language(articles[0].language)
    summarizer = get_summarizer(method, language)
    ordered = sorted(articles, key=lambda a: (a.published or _LATEST, a.url))
    sources = [
        SourceText(a.text, title=a.title, key=a.url, outlet=a.outlet, published=a.published,
                   weight=(confidence or {}).get(a.url, 1.0), standfirst=a.description or "")
        for a in ordered
    ]
    document = build_story_document(sources, Tokenizer(language))
    document = demote(document, _repeats(document, already_sent, language))
    if already_sent and hasattr(summarizer, "known_texts"):
        summarizer.known_texts = tuple(already_sent)
    if hasattr(summarizer, "without_history"):
        summarizer.without_history = True  # a digest tells each development once from day one
    try:
        chosen = list(select(summarizer, document, words=words))
    except Exception as exc:
        log.warning("story overview with %s failed (%s); using lead", method, exc)
        chosen = list(select(get_summarizer("lead", language), document, words=words))
    if isinstance(summarizer, DevelopmentSummarizer):
        return _attribute_developments(summarizer, document, chosen)
    return _attribute(document, chosen, language)


def summarize_texts(
    texts: Sequence[str],
    words: int | None = None,
    sentences: int | None = None,
    method: str | None = None,
    language: str = "english",
) -> list[str]:
    """Summary sentences of plain texts (one document each; several make a multi-document summary).

    Defaults: one text → 3 sentences with "lead"; several → 250 words with "story".
    """
    texts = [t for t in texts if t.strip()]
    if not texts:
        return []
    many = len(texts) > 1
    method = method or (DEFAULT_OVERVIEW_METHOD if many else DEFAULT_ARTICLE_METHOD)
    if words is None and sentences is None:
        words, sentences = (250, None) if many else (None, 3)
    summarizer = get_summarizer(method, language)
    tokenizer = Tokenizer(language)
    if not many:
        document = build_document(texts[0], tokenizer)
        return [_display(s) for s in select(summarizer, document, words=words, sentences=sentences)]
    story = build_story_document([SourceText(t, key=str(i)) for i, t in enumerate(texts)], tokenizer)
    chosen = select(summarizer, story, words=words, sentences=sentences)
    return [_display(s) for s in _reading_order(story, chosen)]


def _language(code: str | None) -> str:
    if not code:
        return "english"
    try:
        return normalize_language(code.split("-")[0].split("_")[0])
    except Exception:  # pycountry lookup problems: fall back to English rules
        return "english"


def _display(sentence: Sentence | str) -> str:
    return " ".join(strip_dateline(str(sentence)).split())


def _repeats(document: StoryDocument, already_sent: Sequence[str], language: str) -> set[Sentence]:
    """Sentences equal to, or near-paraphrases of, sentences sent before. An article's opening
    sentence is news again unless it copies one (cosine ``COPY``): a running story's lede shares
    most of its words with what was sent ("summon Stumpf" then "Stumpf will testify Tuesday")."""
    if not already_sent:
        return set()
    sentences = list(dict.fromkeys(document.sentences))
    if not sentences:
        return set()
    similarity = cross_cosine([str(s) for s in sentences], list(already_sent), language)
    best = similarity.max(axis=1).toarray().ravel()
    sent_before = {_norm(t) for t in already_sent}
    origins = document.origins
    return {
        s for s, score in zip(sentences, best, strict=True)
        if _norm(str(s)) in sent_before
        or score >= (COPY if any(o.index == 0 for o in origins.get(s, ())) else SAME_FACT)
    }


def _norm(text: str) -> str:
    return " ".join(strip_dateline(text).lower().split())


def _reading_order(document: StoryDocument, chosen: Sequence[Sentence]) -> list[Sentence]:
    """Earliest article first (documents are in time order), then position within it."""

    def key(sentence: Sentence) -> tuple[int, int]:
        first = min(document.origins[sentence], key=lambda o: (o.doc, o.index))
        return first.doc, first.index

    return sorted(dict.fromkeys(chosen), key=key)


def _attribute_developments(
    summarizer: DevelopmentSummarizer, document: StoryDocument, chosen: Sequence[Sentence]
) -> tuple[Attributed, ...]:
    """Each chosen sentence (one per development, heaviest first) with every article that
    tells its development, earliest article first."""
    chosen = list(dict.fromkeys(chosen))
    of = development_of(summarizer, document, chosen)
    docs: dict[Sentence, set[int]] = {s: set() for s in chosen}
    for sentence, head in of.items():
        docs[head].update(o.doc for o in document.origins.get(sentence, ()))
    out = []
    for sentence in chosen:
        sources = [document.sources[d] for d in sorted(docs[sentence])]
        out.append(Attributed(text=_display(sentence), **_cited(sources)))
    return tuple(out)


def _cited(sources: Sequence[SourceText]) -> dict[str, tuple[str, ...]]:
    """An attributed sentence's ``sources`` (each article once, in order) and ``outlets`` (the
    outlet of each of them, in the same order: an outlet with two articles is named twice)."""
    outlet: dict[str, str] = {}
    for s in sources:
        outlet.setdefault(s.key, s.outlet or "")
    return {"sources": tuple(outlet), "outlets": tuple(outlet.values())}


def _attribute(
    document: StoryDocument, chosen: Sequence[Sentence], language: str
) -> tuple[Attributed, ...]:
    """Each chosen sentence with the articles carrying it or a near-paraphrase of it.

    A sentence that several sources carry in slightly different copies (wire edits) is shown in
    the earliest source's version, and every sentence is placed where the earliest source carrying
    it or a near-paraphrase tells it (reading order: earliest article first, then position in
    it). Two chosen sentences that
    paraphrase each other are merged (the first kept), so the same fact appears once whatever
    the method.
    """
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        return ()
    everything = list(dict.fromkeys(document.sentences))
    column = {s: k for k, s in enumerate(everything)}
    similarity = cross_cosine([str(s) for s in chosen], [str(s) for s in everything], language)
    scores = similarity.toarray()

    def first(sentence: Sentence) -> tuple[int, int]:
        return min((o.doc, o.index) for o in document.origins[sentence])

    rows = []
    for row, sentence in enumerate(chosen):
        copies = [everything[c] for c in (scores[row] >= COPY).nonzero()[0]] + [sentence]
        shown = min(copies, key=first)
        same = [everything[c] for c in (scores[row] >= SAME_FACT).nonzero()[0]] + [sentence]
        rows.append((min(first(s) for s in same), row, shown))  # where the fact was first told
    rows.sort()
    kept: list[tuple[int, Sentence, list[int]]] = []  # (row in chosen, shown, documents)
    for _, row, shown in rows:
        sentence = chosen[row]
        docs = [o.doc for o in document.origins[sentence]]
        for col in (scores[row] >= SAME_FACT).nonzero()[0]:
            docs.extend(o.doc for o in document.origins[everything[col]])
        twin = next((k for k in kept if scores[k[0], column[sentence]] >= SAME_FACT), None)
        if twin is not None:
            twin[2].extend(docs)
        else:
            kept.append((row, shown, docs))
    out = []
    for _, shown, docs in kept:
        sources = [document.sources[d] for d in sorted(set(docs))]  # earliest article first
        out.append(Attributed(text=_display(shown), **_cited(sources)))
    return tuple(out)
