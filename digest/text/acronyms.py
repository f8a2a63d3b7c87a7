"""Acronyms and the names they stand for, as the story's own texts write them.

News writes a body out once and by its initials after ("the World Anti-Doping Agency (WADA)"),
and outlets choose differently: a story that requires "WADA" must also find a lede that only
writes "World Anti-Doping Agency", and the other way round. :func:`spelled` adds to each required
group the other form of any acronym or name in it, where the story's definition (its seeds and
description) writes both; nothing is guessed from pages, so nothing drifts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

_ACRONYM = re.compile(r"(?<![\w.&-])([A-Z]{2,6})(?![\w.&-])")
_IS_ACRONYM = re.compile(r"[A-Z]{2,6}")
# a run of capitalised words, small words allowed between them ("Bank of Korea")
_NAME_RUN = re.compile(
    r"(?<![\w'’])([A-Z][\w'’.-]*(?:\s+(?:(?:of|and|for|the|on|de|du|del|des|la|le|&)\s+)*"
    r"[A-Z][\w'’.-]*)+)"
)
_SMALL = {"of", "and", "for", "the", "on", "de", "du", "del", "des", "la", "le", "&"}
SHORTEST = 3  # an acronym added as a term has at least this many letters ("US" is also "us")


def _capitals(words: Sequence[str]) -> list[str]:
    """The words that give an initial, hyphenated parts apart ("Anti-Doping" gives A and D)."""
    out: list[str] = []
    for word in words:
        if word.lower() in _SMALL:
            continue
        out.extend(p for p in word.split("-") if p[:1].isupper())
    return out


def initials(name: str) -> str:
    """The acronym a name's capitalised words spell ("World Anti-Doping Agency" -> "WADA")."""
    return "".join(w[0] for w in _capitals(name.split())).upper()


def written(text: str) -> set[str]:
    """The acronyms ``text`` writes."""
    return {m.group(1) for m in _ACRONYM.finditer(text)}


def expansions(texts: Iterable[str]) -> dict[str, str]:
    """Acronym -> the name it stands for, for each acronym of ``texts`` whose name they also
    write out (the most frequent such name)."""
    return dict(_expansions(tuple(texts)))


@lru_cache(maxsize=256)  # a story's definition, read again by every run and screen of it
def _expansions(texts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    acronyms = {a for t in texts for a in written(t)}
    if not acronyms:
        return ()
    found: dict[str, Counter[str]] = {}
    for text in texts:
        for m in _NAME_RUN.finditer(text):
            words = [w.rstrip(".,;:'’").removesuffix("'s").removesuffix("’s")
                     for w in m.group(1).split()]
            # every stretch of the run that starts and ends on a capitalised word: "Sunday's
            # National Transportation Safety Board briefing" holds the NTSB's name
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    part = words[i:j]
                    if part[0].lower() in _SMALL or part[-1].lower() in _SMALL:
                        continue
                    caps = _capitals(part)
                    if len(caps) < 2 or any(_IS_ACRONYM.fullmatch(w) for w in part):
                        continue
                    acronym = "".join(w[0] for w in caps).upper()
                    if acronym in acronyms:
                        found.setdefault(acronym, Counter())[" ".join(part)] += 1
    return tuple((a, names.most_common(1)[0][0]) for a, names in sorted(found.items()))


def spelled(groups: Sequence[Sequence[str]], texts: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """``groups`` with the other form of each acronym or name in them that ``texts`` write both
    ways: ["WADA"] -> ["WADA", "World Anti-Doping Agency"] and back."""
    texts = list(texts)
    names = expansions(texts)
    if not names:
        return tuple(tuple(g) for g in groups)
    out = []
    for group in groups:
        terms = list(group)
        for term in group:
            other = names.get(term.strip())
            if other is None:
                short = initials(term)
                if len(short) >= SHORTEST and names.get(short, "").lower() == term.strip().lower():
                    other = short
            if other and other.lower() not in {t.lower() for t in terms}:
                terms.append(other)
        out.append(tuple(terms))
    return tuple(out)
