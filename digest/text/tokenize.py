"""Offline sentence and word splitting for English news text (regex rules, no NLTK data).

The :class:`Tokenizer` has the interface sumy expects (``language``, ``to_sentences``,
``to_words``). It knows news abbreviations (U.S., U.N., Gen., Sept., a.m.), initials, decimals,
quotes closing a sentence, datelines ("GENEVA (Reuters) —"), bullet lists and lines that are
captions or headings rather than wrapped prose.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Titles before a name: never end a sentence.
_TITLES = frozenset(
    """mr mrs ms mx dr prof gen lt col sgt capt maj adm cmdr cmdt cpl pvt gov sen rep reps sens
    rev fr st mt ft pres supt insp det hon messrs mme mlle brig gens amb atty ald cdr cllr lieut
    vs v cf viz approx ca""".split()
)
# Before a number ("No. 10", "Sept. 17", "Art. 5"): no sentence end when a digit follows.
_NUMBERED = frozenset(
    """no nos art arts vol vols fig figs pp p para ch sec secs op ed eds jan feb mar apr jun jul
    aug sep sept oct nov dec""".split()
)
# Abbreviations that may also close a sentence: a boundary only when a sentence starter follows.
_SOFT = frozenset(
    """inc corp ltd co cos bros jr sr plc llc etc ave blvd rd est dept univ assn intl govt
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    e.g i.e a.m p.m""".split()
)
_ALWAYS_JOIN = frozenset({"e.g", "i.e", "vs", "v", "cf", "viz"})

# Capitalised words that usually start a sentence (so "the U.S. The" ends one, "the U.S. Army"
# does not).
_STARTERS = frozenset(
    """the a an he she it they we i you his her its their our my this that these those there
    here but and or so yet if when while as after before since although though because in on
    at by for from with without to of into over under about during meanwhile however still
    also then now later earlier some many most several no not all both each every one two
    what who why how where which mr mrs ms dr according asked speaking""".split()
)

# Starts at the first mark of a run only: from inside a long run of dots every start rescanned it.
_TERMINATOR = re.compile(r"(?<![.!?…])([.!?…]+)([\"'”’»)\]]*)(\s+)(?=[\"'“‘«(\[]*(\S))")
_WORD_BEFORE = re.compile(r"((?:[^\W\d_]\.)+[^\W\d_]?|[^\W_]+(?:[.'’-][^\W_]+)*)\W*$")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦‣∙■□➢►]|[-–—*](?=\s)|\(?\d{1,2}[.)](?=\s))\s*")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*\s*$")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2009\u202f]+")
_WORD = re.compile(r"[^\W_]+(?:[-'’.,/&][^\W_]+)*")
_NUMBER_WORD = re.compile(r"^[\d.,/]+$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

# Datelines and wire credits at the start of a sentence: "GENEVA (Reuters) —",
# "BEIRUT, Lebanon —", "WASHINGTON:", "BEIRUT, Sept 17 (AP) -", "Geneva, Sep 10 (Meridian Wire):".
_PLACE_UPPER = r"[A-Z][A-Z'’.\-]+(?:[ /][A-Z][A-Z'’.\-]+){0,3}"  # GENEVA, UNITED NATIONS
_PLACE_MIXED = r"[A-Z][a-z'’.\-]+(?:[ -][A-Z][a-z'’.\-]+){0,2}"  # Geneva, New York
_REGION = r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?"  # ", Syria" / ", N.J."
_DATE = (
    r",?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?"  # "Sept. 17", "Sep 10, 2016"
    r"|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?)"  # "17 September"
)
_AGENCY = r"\s*\([^()]{1,40}\)"  # "(Reuters)"
_SEPARATOR = r"\s*(?:—|–|--|-|:)\s+"
# An upper-case place (with optional region, date and agency) and a separator.
DATELINE = re.compile(rf"^\s*{_PLACE_UPPER}{_REGION}(?:{_DATE})?(?:{_AGENCY})?{_SEPARATOR}")
# A place in ordinary case is a dateline only with a date or an agency credit after it.
DATED_PLACE = re.compile(
    rf"^\s*{_PLACE_MIXED}{_REGION}(?:(?:{_DATE})(?:{_AGENCY})?|{_AGENCY}){_SEPARATOR}"
)
# At the start of an article or paragraph, "New York: …" / "Beirut — …" (syndication style).
LEAD_PLACE = re.compile(rf"^\s*{_PLACE_MIXED}{_REGION}\s*(?::|—|–|--)\s+")
# "(CNN) --", "(AP) —": an agency tag alone at the start.
AGENCY_TAG = re.compile(r"^\s*\((?:[A-Z][A-Za-z.&]*\s?){1,3}\)\s*(?:—|–|--|-|:)?\s*")


class Tokenizer:
    """Offline news-text tokenizer usable wherever sumy expects its ``Tokenizer``."""

    def __init__(self, language: str = "english") -> None:
        self._language = language.lower()

    @property
    def language(self) -> str:
        return self._language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return split_words(sentence)


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs separated by blank lines, stripped, empty ones dropped."""
    return tuple(p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip())


def split_words(sentence: str) -> tuple[str, ...]:
    """Words, numbers ("3.5", "1,000"), contractions and hyphenated words; no punctuation."""
    return tuple(_WORD.findall(sentence))


def is_number(word: str) -> bool:
    return bool(_NUMBER_WORD.match(word))


def strip_dateline(sentence: str, lead: bool = False) -> str:
    """The sentence without a leading dateline or wire credit ("GENEVA (Reuters) —",
    "Geneva, Sep 10 (Meridian Wire):", "(CNN) --"). With ``lead`` (the sentence opens an article
    or a paragraph) a bare place in ordinary case counts too ("New York: …")."""
    candidates = [DATELINE.match(sentence)]
    if candidates[0] and not _is_upper_token(candidates[0].group(0)):
        candidates[0] = None
    candidates.append(DATED_PLACE.match(sentence))
    if lead:
        candidates.append(LEAD_PLACE.match(sentence))
    candidates.append(AGENCY_TAG.match(sentence))
    for match in candidates:
        if match and match.end() < len(sentence):
            rest = sentence[match.end() :]
            if rest[:1].isupper() or rest[:1] in "\"'“‘":
                return rest
    return sentence


def _is_upper_token(text: str) -> bool:
    head = text.split("(")[0].split(",")[0]
    letters = [c for c in head if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of one paragraph (single line breaks are handled: bullets, captions, wraps)."""
    sentences: list[str] = []
    for unit in _line_units(text):
        sentences.extend(_split_unit(unit))
    return tuple(sentences)


def _line_units(text: str) -> list[str]:
    """Group a paragraph's lines into runs of prose; bullets and unpunctuated lines stand alone."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    wrapped = _looks_wrapped(lines)
    units: list[str] = []
    current = ""
    for line in lines:
        bullet = _is_bullet(line)
        if bullet:
            line = _BULLET.sub("", line)
        if current and not bullet and (wrapped or line[:1].islower() or _continues(current)):
            current = f"{current} {line}"
        else:
            if current:
                units.append(current)
            current = line
        if bullet:
            units.append(current)
            current = ""
    if current:
        units.append(current)
    return units


def _is_bullet(line: str) -> bool:
    match = _BULLET.match(line)
    return match is not None and match.end() < len(line)


def _continues(line: str) -> bool:
    """A line cut mid-phrase: it ends with a comma, a dash or a word that needs a following one."""
    if line.endswith(":"):
        return True
    if _SENTENCE_END.search(line):
        return False
    return line.endswith((",", "-", "—", "–", "(")) or line.rsplit(" ", 1)[-1].lower() in _JOINERS


_JOINERS = frozenset("the a an of and or to in on at by for with from as that which who".split())


def _looks_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped prose: most lines but the last are nearly as long as the longest (<= 100)."""
    if len(lines) < 3:
        return False
    body = lines[:-1]
    longest = max(len(line) for line in body)
    if longest > 100 or longest < 30:
        return False
    full = sum(1 for line in body if len(line) >= 0.7 * longest)
    return full >= 0.8 * len(body)


def _split_unit(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _TERMINATOR.finditer(text):
        if _is_boundary(text, match):
            piece = text[start : match.start(3)].strip()
            if piece:
                out.append(piece)
            start = match.end(3)
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    marks, closers, _, following = match.group(1), match.group(2), match.group(3), match.group(4)
    after = text[match.end(3) : match.end(3) + 80]  # enough for the next word; never the rest
    if following.islower():
        return False  # "U.S. officials", "... and then", '"Why?" he asked'
    if marks != "." or closers:
        return True  # "!", "?", "...", or a period inside closing quotes/brackets
    word = _word_before(text, match.start(1))
    if not word:
        return True
    lower = word.lower()
    if lower in _ALWAYS_JOIN or lower in _TITLES:
        return False
    next_word = _next_word(after)
    if lower in _NUMBERED and following.isdigit():
        return False
    if lower in _SOFT or _is_initials(word):
        return next_word.lower() in _STARTERS or not next_word[:1].isalpha()
    return True


def _word_before(text: str, end: int) -> str:
    match = _WORD_BEFORE.search(text, max(0, end - 40), end)
    if not match:
        return ""
    word = match.group(1)
    return word.rstrip(".")


@lru_cache(maxsize=4096)
def _is_initials(word: str) -> bool:
    """'W' (George W. Bush), 'U.S', 'a.m': single letters with periods."""
    parts = word.split(".")
    return all(len(p) == 1 and p.isalpha() for p in parts)


def _next_word(after: str) -> str:
    match = re.match(r"[\"'“‘«(\[]*([^\W_]+)", after)
    return match.group(1) if match else ""
