"""Plain text → sumy's document model, one document or several (a story), with sentence origins.

Lines that are not sentences (titles, captions, bylines, datelines alone, "Read more" links,
unpunctuated bullet items) become sumy *headings*: every summarizer sees their words through
``document.headings`` but never selects them, so no summary carries debris or a cut sentence.
Leading datelines and wire credits are removed from every sentence first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

from digest.summarizers.standalone import on_its_own
from digest.text.tokenize import Tokenizer, split_paragraphs, strip_dateline

_FINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_DEBRIS = re.compile(
    r"^\s*(?:read (?:more|also|next)|related(?: coverage| stories| articles)?\s*:|see also\b"
    r"|click here|sign up\b|subscribe\b|follow (?:us|him|her)\b|share (?:this|on)\b"
    r"|scroll down\b|advertisement\b|copyright\b|©|all rights reserved|photo(?:graph)?s?\s*:"
    r"|image\s*:|video\s*:|file photo\b|pictured\b|(?:updated|published|posted|last modified)\s*:?\s*\d"
    r"|\(?(?:reporting|writing|editing|additional reporting) by\b"
    r"|this (?:article|story) (?:was|has been) (?:updated|amended|corrected)"
    r"|we use cookies|(?:email|e-mail) (?:us|the author)|contact (?:us|the author)\b"
    r"|the views expressed|for more (?:news|stories|information),? (?:visit|see|go to)\b)",
    re.IGNORECASE,
)
_DEBRIS_ANYWHERE = re.compile(
    r"(?:\bclick here\b|\bread more\b\s*(?:[:»›>]|$)|\bscroll down for\b|\(Photo:|\(Image:"
    r"|\bREAD MORE\b|https?://|www\.\w)",
)


_BYLINE = re.compile(
    r"^By\s+(?:[A-Z][\w.'’-]*\s*){2,4}(?:(?:and|&)\s+(?:[A-Z][\w.'’-]*\s*){2,4})?[.,|]?"
    r"(?:\s*[A-Z][\w ]{0,30})?\.?$"
)


def is_sentence(text: str) -> bool:
    """True for a complete sentence worth showing; False for headings, captions and debris."""
    text = text.strip()
    if len(text) < 12 or len(text.split()) < 4 or not _FINAL.search(text):
        return False
    if _DEBRIS.match(text) or _DEBRIS_ANYWHERE.search(text) or _BYLINE.match(text):
        return False
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) < 0.6 * len(letters)


def build_document(
    text: str, tokenizer: Tokenizer | None = None, title: str = ""
) -> ObjectDocumentModel:
    """One plain-text document (paragraphs separated by blank lines) as a sumy document."""
    tokenizer = tokenizer or Tokenizer()
    paragraphs = []
    if title.strip():
        paragraphs.append(Paragraph([Sentence(title.strip(), tokenizer, is_heading=True)]))
    before, previous = "", 0  # the text so far, and where its last sentence starts
    for block in split_paragraphs(text):
        # datelines and wire credits go before anything reads the sentence, so a syndicated
        # copy's "Geneva, Sep 10 (Wire): …" is the same sentence as the original's; a sentence
        # that leans on the one before it is made to stand alone where that is safe
        texts = []
        for k, raw in enumerate(tokenizer.to_sentences(block)):
            plain = strip_dateline(raw, lead=k == 0)
            texts.append(on_its_own(plain, before, previous))
            previous = len(before) + 1 if before else 0
            before = f"{before} {plain}" if before else plain
        sentences = [Sentence(s, tokenizer, is_heading=not is_sentence(s)) for s in texts]
        if sentences:
            paragraphs.append(Paragraph(sentences))
    return ObjectDocumentModel(paragraphs)


@dataclass(frozen=True)
class SourceText:
    """One input document of a multi-document summary, with what attribution needs."""

    text: str
    title: str = ""
    key: str = ""  # the article URL, or a file name
    outlet: str = ""
    published: dt.datetime | None = None
    weight: float = 1.0  # confidence that the document belongs to the story (relevance score)
    standfirst: str = ""  # the page's summary line (its description), if it opens the text


@dataclass(frozen=True)
class Origin:
    """Where a sentence occurs: document index, sentence index in it, and that document's size."""

    doc: int
    index: int
    count: int


class StoryDocument(ObjectDocumentModel):
    """Several documents as one sumy document; ``origins`` maps each sentence to where it occurs.

    sumy's built-in summarizers see an ordinary document (every document's paragraphs in turn);
    the project's multi-document summarizers also read ``documents``, ``sources`` and ``origins``.
    """

    def __init__(
        self,
        documents: Sequence[ObjectDocumentModel],
        sources: Sequence[SourceText] = (),
    ) -> None:
        self.documents = tuple(documents)
        self.sources = tuple(sources) or tuple(SourceText("") for _ in self.documents)
        super().__init__(p for d in self.documents for p in d.paragraphs)
        origins: dict[Sentence, list[Origin]] = {}
        for di, (document, source) in enumerate(zip(self.documents, self.sources, strict=True)):
            sentences = document.sentences
            head = _standfirst_length(sentences, source.standfirst)
            for si, sentence in enumerate(sentences):
                index = si if si < head else si - head  # the lede opens the article too
                origins.setdefault(sentence, []).append(Origin(di, index, len(sentences)))
        self.origins = {s: tuple(o) for s, o in origins.items()}


def _standfirst_length(sentences: Sequence[Sentence], standfirst: str, most: int = 3) -> int:
    """How many of the opening sentences are the page's standfirst (0 if it does not open the
    text). A standfirst sums up the lede that follows it, so the lede counts as an opening
    sentence too: otherwise the summary line, shorter and poorer in facts, outranks it."""
    target = " ".join(standfirst.split()).lower()
    if not target:
        return 0
    text = ""
    for k, sentence in enumerate(sentences[:most], start=1):
        text = f"{text} {' '.join(str(sentence).split())}".strip().lower()
        if text == target:
            return k
        if not target.startswith(text):
            return 0
    return 0


def build_story_document(
    sources: Sequence[SourceText], tokenizer: Tokenizer | None = None
) -> StoryDocument:
    tokenizer = tokenizer or Tokenizer()
    documents = [build_document(s.text, tokenizer, title=s.title) for s in sources]
    return StoryDocument(documents, sources)


def origins_of(document: ObjectDocumentModel) -> dict[Sentence, tuple[Origin, ...]]:
    """Where each sentence occurs; a plain sumy document counts as one document."""
    if isinstance(document, StoryDocument):
        return document.origins
    sentences = document.sentences
    origins: dict[Sentence, list[Origin]] = {}
    for index, sentence in enumerate(sentences):
        origins.setdefault(sentence, []).append(Origin(0, index, len(sentences)))
    return {s: tuple(o) for s, o in origins.items()}


def demote(document: StoryDocument, sentences: set[Sentence]) -> StoryDocument:
    """The same story with ``sentences`` turned into headings: still read, never selected."""
    if not sentences:
        return document
    documents = []
    for doc in document.documents:
        paragraphs = []
        for paragraph in doc.paragraphs:
            # sumy keeps headings and sentences in their original order only in _sentences
            items = paragraph._sentences
            paragraphs.append(
                Paragraph(
                    Sentence(str(s), s._tokenizer, is_heading=True)
                    if not s.is_heading and s in sentences
                    else s
                    for s in items
                )
            )
        documents.append(ObjectDocumentModel(paragraphs))
    return StoryDocument(documents, document.sources)
