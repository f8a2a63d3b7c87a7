"""Bounds on text from the web: what the regex rules read, and how long a title we print."""

from __future__ import annotations

MAX_RULE_TEXT = 200_000  # characters of one article read by the quote and figure rules
MAX_SENTENCE = 1_500  # characters; a longer "sentence" is a list, a table or junk, not prose
MAX_TITLE = 300  # characters of a feed item's or a page's title (real headlines: under 200)
MAX_NAME = 120  # characters of an author's, an outlet's or a feed's name


def rule_text(text: str, limit: int = MAX_RULE_TEXT) -> str:
    """``text`` cut to at most ``limit`` characters, at the last paragraph break before it if any.

    News articles are far shorter (the longest real ones run to some 60,000 characters); what
    is beyond is page junk or an attack, and the rules would only spend time on it.
    """
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit)
    if cut < limit // 2:  # no paragraph break near the limit: cut between words
        cut = text.rfind(" ", 0, limit)
    return text[:cut] if cut > limit // 2 else text[:limit]


def cap_title(text: str, limit: int = MAX_TITLE) -> str:
    """``text`` when it has at most ``limit`` characters, else cut between words and ended
    with an ellipsis, ``limit`` characters in all."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit - 1
    return text[:cut].rstrip() + "\u2026"
