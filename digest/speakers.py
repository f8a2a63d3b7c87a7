"""Who says things in news text: speech verbs, person names, roles and their resolution.

Shared by quotes (who is quoted) and figures (who gives a number). Regex rules only. A person is
a run of two or more capitalised words with evidence that it names someone: a title or role
before it ("President Bashar al-Assad"), an apposition after it ("Vitaly Churkin, Russia's
envoy") or a speech verb next to it ("said Kerry"). Surnames, pronouns and roles ("the Russian
envoy") resolve to the full name the article gives.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|asked|stated|declared|warned|insisted|noted|explained|"
    "wrote|tweeted|argued|stressed|urged|announced|acknowledged|admitted|continued|replied|"
    "commented|remarked|claimed|complained|conceded|countered|cautioned|recalled|vowed|"
    "reported|reports|confirmed|estimated|suggested|charged|alleged|predicted|responded"
)
TITLES = frozenset(
    """secretary minister president vice prime ambassador envoy spokesman spokeswoman
    spokesperson chief head leader director commander general gen lt col maj adm sgt capt mr
    mrs ms dr prof sen rep gov senator governor chairman chairwoman official officer deputy
    secretary-general under-secretary undersecretary representative coordinator adviser advisor
    analyst expert researcher professor correspondent king queen prince pope sheikh emir colonel
    lieutenant major captain admiral sergeant mayor foreign defence defense state special""".split()
)
ROLE_WORDS = TITLES | frozenset(
    """us u.s. un u.n. russian syrian american british french turkish iranian israeli saudi
    kurdish iraqi lebanese russia's syria's america's britain's the a an of for and to his her
    their its executive""".split()
)
ORG_WORDS = frozenset(
    """council nations observatory ministry department command army forces force coalition house
    crescent union organization organisation agency office committee group front party
    government times news post press reuters wire tribune herald courier dispatch brief rights
    human international republic federation kremlin pentagon islamic isis isil daesh nusra sham
    ahrar jabhat hezbollah monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december street road
    airport hospital university school city province region district county media tv
    television radio channel network bank fund assembly states kingdom united york new east west
    north south middle centre center support""".split()
)
PARTICLES = frozenset("al bin ibn de da di van von der la le du".split())
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})

_TOKEN = r"(?:[A-Z]\.|[A-Z][\w’'-]*|(?:al|el|ez|as|ad)-[A-Z]?\w+|bin|ibn|de|da|di|van|von|der|la|le|du)"
NAME_RUN = re.compile(rf"(?<![\w’'-])[A-Z][\w’'-]*(?:\s+{_TOKEN})*")
_WORD = re.compile(r"[\w’'.-]+")
_APPOSITION = re.compile(r"^\s*,\s*(?P<words>[^,;]{1,50})")
_ROLE_BEFORE = re.compile(  # "Russia's ambassador, Vitaly Churkin"
    r"\b(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r"),\s*$", re.IGNORECASE
)
_VERB_NEAR = re.compile(rf"^\s*(?:{SPEECH_VERBS})\b|(?:{SPEECH_VERBS})\s*$")


@dataclass(frozen=True)
class Mention:
    """A person's full name as found in a text, and the offset where the mention ends."""

    name: str
    end: int


def _name_word(word: str) -> bool:
    low = word.lower()
    if low in PARTICLES or re.match(r"(?:al|el|ez|as|ad)-", low):
        return True
    return word[:1].isupper() and low.rstrip(".") not in ROLE_WORDS and low.strip(".’'") not in ORG_WORDS


def clean_speaker(phrase: str) -> str:
    """'U.S. Secretary of State John Kerry' -> 'John Kerry'; an organisation or role stays whole."""
    words = _WORD.findall(phrase.strip().rstrip(".,"))
    if words and words[-1].lower().strip(".’'") in ORG_WORDS:  # "U.S. Central Command"
        return " ".join(w for w in words if w.lower() not in {"the", "a", "an"})
    name: list[str] = []
    for word in reversed(words):
        if _name_word(word):
            name.insert(0, word)
        elif name:
            break
    while name and name[0].lower() in PARTICLES:
        name.pop(0)
    if name:
        return " ".join(name)
    return " ".join(w for w in words if w.lower() not in {"the", "a", "an"})


def is_person(name: str) -> bool:
    """1-5 name words (capitalised or particles), none a role, organisation or month."""
    words = name.split()
    return 1 <= len(words) <= 5 and words[0][:1].isupper() and all(_name_word(w) for w in words)


@lru_cache(maxsize=8)  # resolve() asks once per quote: once per text keeps quotes linear
def person_mentions(text: str) -> tuple[Mention, ...]:
    """Every mention of a person in ``text`` (full name or surname), as the full name."""
    full: dict[str, None] = {}
    for match in NAME_RUN.finditer(text):
        run = match.group(0)
        name = clean_speaker(run)
        if len(name.split()) < 2 or not is_person(name):
            continue
        titled = name != run.strip() and run.split()[0].lower().rstrip(".") in TITLES | ROLE_WORDS
        after = text[match.end() : match.end() + 60]
        before = text[max(0, match.start() - 30) : match.start()]
        apposition = _APPOSITION.match(after)
        described = apposition and any(
            w.lower() in TITLES for w in _WORD.findall(apposition.group("words"))[:5]
        )
        role_before = _ROLE_BEFORE.search(before)
        if titled or described or role_before or _VERB_NEAR.search(before) or _VERB_NEAR.match(after):
            full.setdefault(name, None)
    if not full:
        return ()
    surnames = {n.split()[-1]: n for n in full}
    pattern = re.compile(
        r"(?<![\w’'-])(" + "|".join(re.escape(n) for n in sorted(full, key=len, reverse=True))
        + "|" + "|".join(re.escape(s) for s in surnames) + r")(?![\w’'-])"
    )
    mentions = []
    for match in pattern.finditer(text):
        found = match.group(1)
        mentions.append(Mention(found if found in full else surnames[found], match.end()))
    return tuple(mentions)


def resolve(speaker: str, text: str, before: int, known: list[Mention]) -> str:
    """Turn a surname, a pronoun or a role into the full name the text gives, when it can.

    ``before`` is the offset of the attribution in ``text``; ``known`` are earlier speakers.
    """
    speaker = speaker.strip(" ,")
    if speaker[:1].isupper() and not is_person(speaker):
        speaker = clean_speaker(speaker) or speaker
    low = speaker.lower()
    mentions = person_mentions(text)
    earlier = [m for m in mentions if m.end <= before]
    if low in PRONOUNS:
        candidates = sorted(earlier + [k for k in known if k.end <= before], key=lambda m: m.end)
        role = _last_role(text, before)
        if role and (not candidates or role[1] > candidates[-1].end):
            # the latest subject is a role ("the secretary-general called it…"): its name or itself
            return _resolve_role(role[0], text, role[1], mentions) or _describe(role[0], text, role[1])
        return candidates[-1].name if candidates else ""
    if speaker[:1].isupper() and is_person(speaker):
        last = speaker.split()[-1]
        for mention in reversed(earlier or mentions):  # a surname: the full name ending with it
            if mention.name.split()[-1] == last and len(mention.name) >= len(speaker):
                return mention.name
        if len(speaker.split()) == 1:  # a family name written first ("Ban" for Ban Ki-moon)
            for mention in reversed(earlier or mentions):
                if mention.name.split()[0] == speaker:
                    return mention.name
        return speaker
    return _resolve_role(speaker, text, before, mentions) or _describe(speaker, text, before)


_DESCRIBE_WINDOW = 20_000  # characters before a quote searched for a fuller description
_NOT_HEADS = frozenset("state foreign defence defense special vice prime mr mrs ms dr".split())
ROLE_HEADS = TITLES - _NOT_HEADS
_ROLE_SUBJECT = re.compile(
    r"\b[Tt]he\s+(?:[\w.’'-]+\s+){0,3}?(?P<head>"
    + "|".join(sorted(ROLE_HEADS, key=len, reverse=True))
    + r")\b(?!\s+[A-Z])"
)


def _last_role(text: str, before: int) -> tuple[str, int] | None:
    """The last 'the secretary-general' style role used as a subject in the 300 characters of
    ``text`` before ``before``."""
    start = max(0, before - 300)
    matches = list(_ROLE_SUBJECT.finditer(text[start:before]))
    if not matches:
        return None
    last = matches[-1]
    return last.group(0), start + last.end()


_ROLE_LOOK = 20  # uses of a role word either side of a quote that are read for its name


@lru_cache(maxsize=64)
def _uses(head: str, text: str) -> tuple[tuple[int, int], ...]:
    """Where the role word ``head`` occurs in ``text`` (start, end), once per text and word."""
    return tuple(m.span() for m in re.finditer(rf"\b{re.escape(head)}\b", text, re.IGNORECASE))


def _mention_end(mention: Mention) -> int:
    return mention.end


def _resolve_role(role: str, text: str, before: int, mentions: tuple[Mention, ...]) -> str:
    """'the Russian envoy' -> the person named next to 'envoy' in the text (either side): at the
    nearest use of the word before ``before`` that has a name next to it, else the first after."""
    heads = [w for w in _WORD.findall(role.lower()) if w not in {"the", "a", "an", "of", "for"}]
    if not heads:
        return ""
    uses = _uses(heads[-1], text)
    k = bisect_left(uses, (before, -1))  # the first use at or after ``before``
    for start, end in (*reversed(uses[max(0, k - _ROLE_LOOK) : k]), *uses[k : k + _ROLE_LOOK]):
        window = mentions[bisect_left(mentions, start - 80, key=_mention_end) :
                          bisect_right(mentions, end + 60, key=_mention_end)]
        right = [m for m in window if m.end > end]
        left = [m for m in window if m.end <= start]
        if right and re.match(r"^[\s,]*(?:[A-Z][\w’'.-]*\s+)*$", text[end : right[0].end - len(right[0].name.split()[-1])]):
            return right[0].name
        if left and re.search(r",\s*(?:the\s+|a\s+|[\w’'.]+[’']s\s+)?(?:[\w.-]+\s+){0,3}$", text[left[-1].end : start]):
            return left[-1].name
    return ""


def _describe(role: str, text: str, before: int) -> str:
    """An unnamed speaker as the article describes them: "a volunteer", "a Western diplomat";
    "the official" becomes the fuller "a State Department official" given earlier."""
    phrase = " ".join(role.strip(" ,.;:").split())
    words = phrase.split()
    if not words:
        return ""
    if words[0].lower() in {"the", "a", "an"}:
        words[0] = words[0].lower()
    if words[0] == "the" and len(words) >= 2:
        head = re.escape(words[-1])
        start = max(0, before - _DESCRIBE_WINDOW)
        earlier = list(re.finditer(rf"\b([Aa]n?\s+(?:[\w’'.-]{{1,40}}\s+){{0,3}}?{head})\b",
                                   text[start:before]))
        if earlier and len(earlier[-1].group(1).split()) > len(words):  # more telling
            found = earlier[-1].group(1)
            return found[:1].lower() + found[1:]
    return " ".join(words)
