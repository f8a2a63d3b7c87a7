"""Reader-side checks of a Markdown digest: sentences printed twice, overview sentences that
report the same development, and the must-mention facts the overview alone carries.

These checks are deliberately independent of the summariser's own grouping (digest/developments.py):
they read only the rendered Markdown and the answer key.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations

from digest.summarizers.features import stemmer_for, stop_words
from digest.text.tokenize import split_sentences, split_words

_CITES = re.compile(r"\((?:\[(?:\\.|[^\]\\])*\]\([^)]*\)(?:, )?)+\)")
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\(.)")
SAME_DEVELOPMENT = 0.5  # share of the shorter sentence's content words
SAME_DEVELOPMENT_MIN = 5  # ... and at least this many shared content words


def plain(markdown: str) -> str:
    """The Markdown's text as a reader sees it: link labels kept, escapes and markup dropped."""
    text = _CITES.sub(" ", markdown)  # an overview sentence's list of outlets is not a sentence
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _ESCAPE.sub(r"\1", text)
    return re.sub(r"[*_>#`]+", " ", text)


def _words(sentence: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in split_words(sentence) if any(c.isalnum() for c in w))


def printed_twice(markdown: str, min_words: int = 8) -> list[str]:
    """Sentences of ``min_words`` or more words that the digest prints more than once."""
    seen: Counter[tuple[str, ...]] = Counter()
    shown: dict[tuple[str, ...], str] = {}
    for line in plain(markdown).splitlines():
        for sentence in split_sentences(line):
            words = _words(sentence)
            if len(words) >= min_words:
                seen[words] += 1
                shown.setdefault(words, sentence.strip())
    return [shown[w] for w, n in seen.items() if n > 1]


def section(markdown: str, title: str) -> str:
    """The body of the ``## title`` section ('' when absent)."""
    m = re.search(rf"^## {re.escape(title)}.*?$(.*?)(?=^## |^---|\Z)", markdown, re.M | re.S)
    return m.group(1) if m else ""


def overview_sentences(markdown: str) -> list[str]:
    """The overview's sentences, citations removed."""
    body = section(markdown, "Overview")
    out = []
    for para in body.split("\n\n"):
        para = re.sub(r"\s*\((?:\[[^\]]*\]\([^)]*\)(?:, )?)+\)\s*$", "", para.strip())
        if para:
            out.append(plain(para).strip())
    return out


def content_words(sentence: str, language: str = "english") -> set[str]:
    stem, stops = stemmer_for(language), stop_words(language)
    return {stem(w) for w in _words(sentence) if w not in stops and len(w) > 1}


def same_development_pairs(sentences: list[str]) -> list[tuple[str, str, float]]:
    """Pairs of sentences that share most of the shorter one's content words.

    Two outlets' ledes of one event share its actors, place, act and toll ("coalition … bombed
    Syrian army positions near Deir ez-Zor … killing 62 soldiers"); two different developments of
    one story share its background (the truce, the two powers) but not most of their words.
    """
    out = []
    bags = [content_words(s) for s in sentences]
    for (i, a), (j, b) in combinations(enumerate(bags), 2):
        shared = len(a & b)
        small = min(len(a), len(b)) or 1
        if shared >= SAME_DEVELOPMENT_MIN and shared / small >= SAME_DEVELOPMENT:
            out.append((sentences[i], sentences[j], shared / small))
    return out


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).lower()


def overview_facts(markdown: str, facts: list[dict]) -> tuple[int, list[str]]:
    """How many of ``facts`` (answer-key groups of alternatives) the overview alone carries."""
    text = _norm(" ".join(overview_sentences(markdown)))
    found, missing = 0, []
    for fact in facts:
        if all(any(_norm(alt) in text for alt in group) for group in fact["all"]):
            found += 1
        else:
            missing.append(fact["id"])
    return found, missing
