"""The digest's editing pass: each fact once (summaries say what the overview and quotes do not),
one name per outlet, and reasons for leaving an item out in words a reader understands."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from digest import entities
from digest.models import Article, Reporter, Screened
from digest.summarizers.features import TermIndex, cross_cosine
from digest.summarizers.standalone import leans_on_context
from digest.text.tokenize import split_words, strip_dateline

A = TypeVar("A", bound=Article | Screened)

TOLD = 2 / 3  # a sentence whose content words are this much in printed sentences it overlaps
QUOTED = 8  # this many words in a row from a shown quote make a sentence repeat it
SAME = 0.5  # TF-IDF cosine at or above which a summary sentence re-tells a printed one
# a sentence naming no one and no figure not printed yet re-tells a printed one from this cosine,
# or from ECHO_NEAR when ECHO_TOLD of its content words are printed nearby
ECHO, ECHO_NEAR, ECHO_TOLD = 0.3, 0.25, 0.5
_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _norm(text: str) -> str:
    words = (w.lower() for w in split_words(strip_dateline(text).translate(_QUOTE_CHARS)))
    return " ".join(w for w in words if any(c.isalnum() for c in w))


_FIGURE = re.compile(r"\d[\d,.]*")
_SUFFIXED = re.compile(r"\b([A-Z][\w.]*)-[a-z]+\b")  # "U.S.-led", "Qaeda-linked": the name
_OPENER = re.compile(r"^\W*[A-Z]\w*(?=\s+[a-z])")  # "Warplanes of…": a capital, not a name


def _facts(text: str, language: str) -> set[str]:
    """The names and figures a sentence carries (what makes a re-telling new): name words cut
    to their first five letters ("Syria" and "Syrian", "U.S." and "US" are one), figures whole."""
    figures = {m.group().rstrip(".,").replace(",", "") for m in _FIGURE.finditer(text)}
    plain = _SUFFIXED.sub(r"\1", _OPENER.sub("", text, count=1))
    words = {k.replace(".", "")[:5] for k in entities.names(plain, language)}
    return {w for w in words if w} | {f"#{f}" for f in figures}


def _is_quote(normal: str) -> bool:
    return len(normal.split()) >= 3  # a scare-quoted word or two is no quote to repeat


def _carries(sentence: str, quotes: Sequence[str]) -> bool:
    """``sentence`` (normalised) carries one of ``quotes`` whole, or QUOTED words in a row."""
    words = sentence.split()
    runs = {" ".join(words[i:i + QUOTED]) for i in range(len(words) - QUOTED + 1)}
    return any(q in sentence or any(r in q for r in runs) for q in quotes)


class Printed:
    """What the digest has printed so far; tells whether a sentence would repeat it."""

    def __init__(self, sentences: Iterable[str] = (), quotes: Iterable[str] = (),
                 language: str = "english") -> None:
        self.sentences: list[str] = [s for s in sentences if s.strip()]
        self.normal = {_norm(s) for s in self.sentences}
        self.quotes = [q for q in map(_norm, quotes) if _is_quote(q)]
        self.language = language
        self.facts: set[str] = set()  # the names and figures printed so far
        for text in self.sentences:
            self.facts |= _facts(text, language)

    def repeats(self, candidates: Sequence[str]) -> list[bool]:
        """For each candidate: the same sentence, a near-paraphrase, or one carrying a quote
        already shown."""
        out = [_norm(c) in self.normal or self._quoted(_norm(c)) for c in candidates]
        if self.sentences and candidates:
            best = cross_cosine(list(candidates), self.sentences, self.language).max(axis=1)
            scores = best.toarray().ravel()
            told = self._told(candidates)
            out = [o or v >= SAME or t >= TOLD
                   or ((v >= ECHO or (v >= ECHO_NEAR and t >= ECHO_TOLD)) and self._echoes(c))
                   for o, v, t, c in zip(out, map(float, scores), told, candidates, strict=True)]
        return out

    def _told(self, candidates: Sequence[str]) -> list[float]:
        """How much is told already: the share of the sentence's content words that are in the
        printed sentences sharing three or more of them (a lede re-telling two overview lines
        has ``TOLD`` or more); 0 for a sentence of under five content words."""
        index = TermIndex(list(candidates) + self.sentences, self.language)
        printed = [set(c) for c in index.content[len(candidates):]]
        out = []
        for words in (set(c) for c in index.content[:len(candidates)]):
            near = set().union(*(p for p in printed if len(p & words) >= 3)) if printed else set()
            out.append(len(words & near) / len(words) if len(words) >= 5 else 0.0)
        return out

    def _echoes(self, sentence: str) -> bool:
        """Every name and figure of ``sentence`` is printed already: close to a printed sentence,
        it re-tells it in other words ("Washington has said the strike was a mistake")."""
        return _facts(sentence, self.language) <= self.facts

    def _quoted(self, sentence: str) -> bool:
        """Carries a shown quote, or QUOTED words (a run of them) from one."""
        return _carries(sentence, self.quotes)

    def carries_quote(self, quote: str) -> bool:
        """A printed sentence carries ``quote`` (whole, or QUOTED words in a row of it)."""
        q = _norm(quote)
        return _is_quote(q) and any(_carries(n, [q]) for n in self.normal)

    def add(self, sentences: Iterable[str]) -> None:
        for s in sentences:
            if s.strip():
                self.sentences.append(s)
                self.normal.add(_norm(s))
                self.facts |= _facts(s, self.language)


def what_it_adds(candidates: Sequence[str], printed: Printed, size: int,
                 standfirst: str = "") -> tuple[str, ...]:
    """Up to ``size`` of ``candidates`` (best first) that the digest has not printed yet and that
    make sense alone, in the article's order; else the standfirst when the digest has not printed
    it; else nothing (the headline alone)."""
    fresh = [c for c, seen in zip(candidates, printed.repeats(candidates), strict=True)
             if not seen]
    # sentences that make sense alone first ('It said…' lost its subject with the sentences left
    # out), in the article's order
    alone = [c for c in fresh if not leans_on_context(c)]
    if alone:
        fresh = sorted(alone[:size], key=candidates.index)
    elif standfirst.strip() and not printed.repeats([standfirst])[0]:
        fresh = [standfirst.strip()]
    else:
        fresh = []  # a sentence leaning on what was left out ('It said…') reads as debris
    printed.add(fresh)
    return tuple(fresh)


def outlet_names(feed_names: Iterable[str]) -> dict[str, str]:
    """Case-folded outlet name -> the config's spelling of it (one name per outlet)."""
    return {_key(n): n for n in feed_names if n.strip()}


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def named(article: A, names: dict[str, str]) -> A:
    """The article with its outlet spelled as the config's feed of that name spells it."""
    spelled = names.get(_key(article.outlet or ""))
    return replace(article, outlet=spelled) if spelled and spelled != article.outlet else article


def named_reporter(reporter: Reporter, names: dict[str, str]) -> Reporter:
    spelled = names.get(_key(reporter.outlet or ""))
    return replace(reporter, outlet=spelled) if spelled else reporter


def reported(article: Article | Screened | None) -> str | None:
    """``Outlet's 'headline'`` for an article, to name it in a sentence."""
    if article is None:
        return None
    return f"{article.outlet or 'an outlet'}'s '{_title(article.title)}'"


def _title(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def same_report(original: Article, copy: Article | None = None) -> str:
    """Why a folded copy is left out."""
    if copy is not None and _key(copy.outlet or "") == _key(original.outlet or ""):
        return "The same article at another address"
    return (f"Same report as {original.outlet or 'another outlet'}'s "
            f"'{_title(original.title)}' — see Also reported by")


def copy_title(copy: Article, original: Article) -> str:
    """What the Left out list shows for a folded copy: its own headline, or, when that is the
    original's (printed in the article list already), whose copy it is."""
    if _norm(copy.title) != _norm(original.title):
        return copy.title
    return f"{copy.outlet or 'Another outlet'}'s copy"


def told_before(original: Article) -> str:
    """Why an article an earlier digest carried is left out."""
    return (f"Already in an earlier digest: {original.outlet or 'an outlet'}'s "
            f"'{_title(original.title)}'")


_SCORE = re.compile(r"^\s*score\s+[\d.]+\s*:\s*", re.I)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+?(?=[\s,;)]|$)", re.I)


def readable(why: str, name_of: Callable[[str], str | None] | None = None) -> str:
    """A judgement's reason for a reader: a URL in it becomes the name of what it points to
    (``name_of``), never the raw address."""
    why = _SCORE.sub("", " ".join(why.split())).strip(" ;")
    return _URL.sub(lambda m: (name_of(m.group(0)) if name_of else None) or "an earlier article",
                    why)


_OFF = "Not about the story"
# what a judgement's ``why`` says of a page (diagnostics: what was measured), not why it failed
_MEASURED = ("terms:", "no story terms", "similarity ", "story names:", "concepts ", "nearest:",
             "a copy of story article", "off-story terms:")
_PLAIN = (
    (re.compile(r"^missing concept: (.+)$"), r"never names \1"),
    (re.compile(r"^in passing: (.+)$"), r"\1"),
    (re.compile(r"^not about: (.+)$"), r"about \1, which this story is not"),
    (re.compile(r"^score below threshold [\d.]+$"), "too little of the story in it"),
    (re.compile(r"^its text is hardly more like the story than the day's other pages$"),
     "its text is hardly more like the story than other news"),
    (re.compile(r"^like a page marked not the story \([\d.]+\)$"),
     "like a page a reader marked not the story"),
)


def plain(reason: str) -> str:
    """A Left out reason as a reader reads it: for a page judged not about the story, what
    failed, in words (the measurements behind it stay in the JSON digest's reason)."""
    head, sep, rest = reason.partition(": ")
    if head != _OFF or not sep:
        return reason
    failed = []
    for part in rest.split("; "):
        part = part.strip()
        if not part or part.startswith(_MEASURED):
            continue
        for pattern, words in _PLAIN:
            if pattern.match(part):
                part = pattern.sub(words, part)
                break
        failed.append(part)
    return f"{_OFF}: {'; '.join(failed)}" if failed else _OFF


def off_story(why: str, name_of: Callable[[str], str | None] | None = None) -> str:
    """Why an article judged not to belong to the story is left out (see :func:`readable`)."""
    why = readable(why, name_of)
    return f"{_OFF}: {why}" if why else _OFF
