"""A cheap test on a fetched page, before extraction: can it be about the story at all?

The relevance model rejects any article that has no term of one of the story's required concepts
(``[relevance] require``) in its title or text. A page's title and text come from its HTML, so if
no word of a concept appears anywhere in the page (markup stripped, entities decoded) or in the
feed item, extraction cannot change the verdict: the page is "screened out" and never extracted.
On a busy general-news feed that is most pages, and extraction is the run's main cost.

The test is deliberately loose, so it only ever rules out what the full judgement would reject:
it looks for the longest word of each term (lower-cased, as the judgement's case-insensitive
match does) as a plain substring anywhere in the page, chrome included. A concept with a term
that is not plain ASCII is never used to screen.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from digest.models import Entry
from digest.relevance import _fold, _folded_pattern
from digest.text import acronyms

if TYPE_CHECKING:
    from digest.config import Config

_TAG = re.compile(r"<[^>]*>")
# characters a browser (and trafilatura) drops inside a word: soft hyphen, zero-width marks
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class Screen:
    """The story's required concepts, reduced to words that must occur in any page about it."""

    concepts: tuple[tuple[str, tuple[str, ...]], ...]  # (concept name, its terms' longest words)

    @classmethod
    def for_story(cls, require: Sequence[Sequence[str]], texts: Sequence[str] = ()) -> Screen:
        """The screen of ``require``; ``texts`` (the story's seeds and description) add the
        other form of an acronym or name they write both ways, as the judgement does."""
        concepts = []
        for group in acronyms.spelled(require, texts):
            words = [_folded_pattern(t) for t in group if t.strip()]
            if not words or any(w is None for w in words):
                continue  # a non-ASCII term: this concept cannot be screened on
            concepts.append((group[0], tuple(dict.fromkeys(w[0] for w in words if w))))
        return cls(tuple(concepts))

    @property
    def fingerprint(self) -> str:
        """Identifies this screen: a page screened out under another one is judged again."""
        return hashlib.sha256(repr(self.concepts).encode()).hexdigest()[:16]

    def missing(self, page_html: str, entry: Entry | None = None) -> str | None:
        """The first required concept of which neither the page nor the feed item has a word,
        or None when the page may be about the story."""
        if not self.concepts:
            return None
        return self.missing_in(screen_text(page_html, entry))

    def missing_in(self, text: str) -> str | None:
        """:meth:`missing` for a page already reduced by :func:`screen_text`."""
        for name, words in self.concepts:
            if not any(w in text for w in words):
                return name
        return None


def story_screen(config: Config) -> Screen | None:
    """The pre-extraction screen of a story's config (None when its screen is switched off)."""
    rel = config.relevance
    if not rel.prefilter:
        return None
    texts = [config.story.description]
    for path in config.story.seeds:
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue  # the run reports an unreadable seed; the screen does without it
    return Screen.for_story(rel.require, texts)


def screen_text(page_html: str, entry: Entry | None = None) -> str:
    """What a screen searches: the page's text, markup stripped and folded, and the feed item's
    title and teaser. Made once per page, however many stories' screens look at it."""
    text = _fold(_INVISIBLE.sub("", html.unescape(_TAG.sub("", page_html))))
    if entry is not None:
        text += "\n" + _fold(f"{entry.title}\n{entry.summary}")
    return text

