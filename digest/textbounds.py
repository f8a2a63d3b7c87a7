"""Bounds on the text that the regex rules (quotes, figures) read, so hostile pages stay cheap."""

from __future__ import annotations

MAX_RULE_TEXT = 200_000  # characters of one article read by the quote and figure rules
MAX_SENTENCE = 1_500  # characters; a longer "sentence" is a list, a table or junk, not prose


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
