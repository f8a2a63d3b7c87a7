"""Speakers as people or bodies: a statement's issuer for "the US statement", and one name per
speaker across the day's quotes ("Syrian Army Command" and "Syrian army's general command")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from digest.models import Quote
from digest.speakers import clean_speaker

_STATEMENT = re.compile(r"^(?:the|a|an|its|their)\s+(?:[\w.’'-]+\s+){0,2}statement$", re.I)
_BODY = r"(?P<org>(?:[A-Z][\w.’'-]*\s+){0,4}[A-Z][\w.’'-]*)"
_ISSUERS = (
    # "In a statement on Saturday, the U.S. Central Command said"
    re.compile(rf"\b[Ii]n\s+a\s+statement\b[^.\"“”]{{0,80}}?,\s+(?:the\s+)?{_BODY}\s+(?:said|says)\b"),
    # "U.S. Central Command said in a statement"
    re.compile(rf"\b(?:the\s+)?{_BODY}\s+(?:said|says)\s+in\s+a\s+statement\b"),
    # "a statement issued by the Syrian military's general command"
    re.compile(rf"\bstatement\s+(?:issued\s+)?(?:by|from)\s+(?:the\s+)?{_BODY}"),
)
_POSSESSIVE = re.compile(r"[’']s$")
_FILLER = frozenset({"the", "a", "an", "general", "of"})


def statement_issuer(speaker: str, text: str, before: int) -> str:
    """For a speaker that is a statement ("the US statement"), the body that issued it, named
    earlier in ``text`` (before offset ``before``); otherwise ``speaker`` unchanged."""
    if not _STATEMENT.match(speaker.strip()):
        return speaker
    head = text[:before]
    found: list[tuple[int, str]] = []
    for pattern in _ISSUERS:
        for m in pattern.finditer(head):
            found.append((m.start(), m.group("org")))
    if not found:
        return speaker
    return clean_speaker(max(found)[1]) or speaker


def _tokens(name: str) -> frozenset[str]:
    words = (_POSSESSIVE.sub("", w.lower().strip(".,")) for w in name.split())
    return frozenset(w for w in words if w and w not in _FILLER)


def one_name_per_speaker(quotes: Sequence[Quote]) -> tuple[Quote, ...]:
    """Speakers whose names are the same words, one inside the other ("Kerry" / "John Kerry",
    "Syrian Army Command" / "Syrian army's general command"), shown with the fuller name."""
    names = list(dict.fromkeys(q.speaker for q in quotes))
    canonical: dict[str, str] = {}
    for name in names:
        mine = _tokens(name)
        best = name
        for other in names:
            theirs = _tokens(other)
            if other != name and mine and len(mine) >= 1 and mine <= theirs and (
                len(mine) >= 2 or len(theirs) <= 3
            ) and len(other.split()) > len(best.split()):
                best = other
        canonical[name] = best
    return tuple(replace(q, speaker=canonical.get(q.speaker, q.speaker)) for q in quotes)
