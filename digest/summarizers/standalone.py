"""Whether a sentence makes sense on its own, out of its article (for overviews)."""

from __future__ import annotations

import re

from digest.speakers import SPEECH_VERBS

# Opening on a pronoun, a demonstrative or a connective: "He added…", "But…", "Neither…".
_OPENER = re.compile(
    r"^[\"“‘']?(?:He|She|It|They|His|Her|Its|Their|This|That|These|Those|But|And|Yet|So|Also|"
    r"However|Still|Instead|Then|There|Neither|Either|Such|Meanwhile|Separately|Moreover|"
    r"Furthermore|Besides|Nevertheless|Nonetheless|Otherwise|Likewise|Similarly|Thus|Therefore|"
    r"Hence|Again|Earlier|Later|In addition|As a result|By contrast|In turn|At the same time|"
    r"In the meantime|(?:If|When|While|Although|Though|Because|As|After|Before|Since|Unless|Until|"
    r"Once)\s+(?:he|she|it|they|this|these|those)\b)\b"
)
# A quote with no one saying it in the sentence: '"We are ready to go."'
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b|\baccording to\b", re.IGNORECASE)
# Ending on a pronoun object: "The United States has declined to publish them."
_PRONOUN_END = re.compile(r"\b(?:them|it|him|her)[.!?][\"'”’]?$")
# A pronoun as the subject after an opening phrase or clause: "In a letter to commanders, they
# objected…", "Shots are heard, and she asks whether he is dead."
_PRONOUN_SUBJECT = re.compile(
    r"^[^,;:\"“]{3,60},\s+(?:(?:and|but|then|so)\s+)?(?:he|she|it|they)\s+(?!is\s+|was\s+)[a-z]+")
# A pronoun as the speaker: '"…," it said', "The footage, he said, suggested…".
_PRONOUN_SPEAKER = re.compile(
    rf"[,;:“”\"’]\s*(?:he|she|it|they)\s+(?:{SPEECH_VERBS})\b", re.IGNORECASE
)
# Words that answer an earlier sentence: "Mr Lavrov, for his part, …", "…, however, …",
# "The U.N. also said…" (but not "also known as").
_ANSWERS = re.compile(
    r",\s*(?:for (?:his|her|its|their) part|however|in turn|instead|too)\s*[,.]"
    r"|\balso\b(?!\s+(?:known|called|spelled|spelt|referred)\b)",
    re.IGNORECASE,
)


def leans_on_context(text: str) -> bool:
    """True when the sentence needs the one before it: it opens on a pronoun or connective,
    quotes a speaker known only as "he" or "it" (or no one), or answers something said earlier."""
    text = text.strip()
    return bool(
        _OPENER.match(text)
        or _PRONOUN_SUBJECT.match(text)
        or _PRONOUN_SPEAKER.search(text)
        or _ANSWERS.search(text)
        or _PRONOUN_END.search(text)
        or (text[:1] in "\"“‘'" and not _SPEECH.search(text))
    )
