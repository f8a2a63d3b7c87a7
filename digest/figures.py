"""Disputed figures: the same quantity reported with different numbers by different sources.

Each number in a sentence (digits or words) is read with what it counts ("62 Syrian soldiers")
and what happened to them ("were killed", "killing at least 83", "the death toll rose to 90"),
and who gives it ("Russia's military said", "according to the Syrian Observatory", else the
outlet itself). Claims about the same quantity (noun and event) and of the same magnitude are
put side by side; a Figure is returned only when different sources give different numbers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from digest.models import Article, Figure, FigureClaim
from digest.text.bounds import MAX_SENTENCE, rule_text
from digest.text.tokenize import split_paragraphs, split_sentences

log = logging.getLogger(__name__)

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_NUMBERS = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_WORD_NUM = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?|{'|'.join(_UNITS[2:])})"
_NUMBER = re.compile(
    rf"(?<![\w.,:/-])(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{_WORD_NUM})(?P<scale>\s+(?:hundred|thousand|million))?"
    rf"(?![\w:]|[.,]\d|-year|\s*(?:%|percent|per cent|a\.m|p\.m|GMT|BST|km|miles|years?\b|days?\b|hours?\b|minutes?\b))",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"(?:at least|more than|over|nearly|almost|about|around|some|up to|as many as|fewer than|"
    r"less than|roughly|approximately|an estimated)\s*$",
    re.IGNORECASE,
)
EVENTS = {  # word prefix -> event label
    "kill": "killed", "dead": "killed", "die": "killed", "died": "killed", "death": "killed",
    "toll": "killed", "wound": "wounded", "injur": "wounded", "hurt": "wounded",
    "destroy": "destroyed", "damag": "damaged", "missing": "missing", "displac": "displaced",
    "captur": "captured", "arrest": "arrested", "detain": "detained", "evacuat": "evacuated",
    "hit": "hit", "struck": "hit",
}
NOUN_GROUPS = {
    "soldier": "soldiers", "troop": "soldiers", "servicem": "soldiers", "fighter": "fighters",
    "militant": "fighters", "rebel": "rebels", "truck": "trucks", "lorr": "trucks",
    "vehicle": "vehicles",
    # people of any kind count together ("20 civilians" vs "12 aid workers and drivers")
    **{w: "people" for w in (
        "people person civilian child women men man woman worker driver staff volunteer "
        "resident patient doctor member medic journalist"
    ).split()},
}
_AUX = frozenset("were was have has had are is been be being reportedly also all".split())
_STOP = frozenset(
    """were was have has had are is been be in on at by near and or who that which from to during
    after as with including since while when but the a an its their this these those""".split()
)
_SOURCE_VERB = (
    r"said|says|say|told|reported|reports|claimed|claims|estimated|confirmed|announced|counted|"
    r"counts|stated|suggested|put the (?:death )?toll at|puts the (?:death )?toll at|"
    r"gave a toll of|put the number at"
)
# Words of at most 40 characters, starting at a word start: linear on a page-long "word"
# (an unbounded word made every start inside a long token rescan the rest of it).
_NP = r"(?<![\w’'.-])(?:(?:[Tt]he|[Aa]n?)\s+)?(?:[\w’'.-]{1,40}\s+){0,7}?[\w’'.-]{1,40}"
_WHO_VERB = re.compile(
    rf"(?P<who>{_NP})(?P<appos>\s*,\s*[^,;]{{2,80}},)?\s+(?:had\s+|has\s+|later\s+|also\s+)?(?:{_SOURCE_VERB})\b"
)
_VERB_WHO = re.compile(
    rf",\s*(?:{_SOURCE_VERB})\s+(?P<who>(?:the\s+)?[A-Z][^,.;]{{1,60}}|the\s+[^,.;]{{2,60}})\s*(?:[,.;]|$)"
)
_ACCORDING = re.compile(r"[Aa]ccording to (?P<who>(?:the\s+)?[^,.;]{2,80})")
_PRONOUN = frozenset({"it", "he", "she", "they", "we", "officials"})
_NEAR = 100  # characters either side of a number that its rules read (every window is bounded)


@dataclass(frozen=True)
class _Claim:
    noun: str
    event: str
    value: str
    number: float
    source: str
    article: Article
    sentence: str


def word_number(text: str) -> float | None:
    """'62' -> 62, '1,000' -> 1000, 'sixty-two' -> 62, '3 million' -> 3e6; None if not a number."""
    text = text.lower().strip()
    scale = 1.0
    for word, factor in (("hundred", 100), ("thousand", 1e3), ("million", 1e6)):
        if text.endswith(word):
            scale, text = factor, text[: -len(word)].strip()
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", text):
        return float(text.replace(",", "")) * scale
    parts = re.split(r"[- ]", text)
    if all(p in WORD_NUMBERS for p in parts) and parts:
        return float(sum(WORD_NUMBERS[p] for p in parts)) * scale
    return None


def extract_figures(articles: Sequence[Article]) -> tuple[Figure, ...]:
    """Quantities that sources report differently, each with every source's number."""
    claims: list[_Claim] = []
    for article in sorted(articles, key=lambda a: (a.published is None, a.published and a.published.timestamp(), a.url)):
        try:
            claims.extend(_article_claims(article))
        except Exception as exc:
            log.warning("figure extraction failed for %s: %s", article.url, exc)
    groups: dict[tuple[str, str], list[_Claim]] = {}
    for claim in claims:
        groups.setdefault((claim.noun, claim.event), []).append(claim)
    figures = []
    for (noun, event), members in groups.items():
        for cluster in _magnitude_clusters(members):
            figure = _figure(noun, event, cluster)
            if figure is not None:
                figures.append(figure)
    return tuple(sorted(figures, key=lambda f: -len(f.claims)))


def _article_claims(article: Article) -> list[_Claim]:
    out: list[_Claim] = []
    last_source = ""
    last_noun: dict[str, str] = {}
    for paragraph in split_paragraphs(rule_text(article.text)):
        for sentence in split_sentences(paragraph):
            if len(sentence) > MAX_SENTENCE:
                continue  # not prose: reading it would cost time and find no claim worth it
            sources = [
                (at, last_source if who.lower() in _PRONOUN else who)
                for at, who in _sources(sentence)
                if who.lower() not in _PRONOUN or last_source
            ]
            if sources:
                last_source = sources[-1][1]
            previous = ""
            for match in _NUMBER.finditer(sentence):
                number = word_number(match.group("num") + (match.group("scale") or ""))
                if number is None or _is_date_or_year(sentence, match, number):
                    continue
                before = sentence[max(0, match.start() - _NEAR) : match.start()]
                if re.search(r"\d[\d,]*\s+of\s+(?:the\s+|its\s+|their\s+)?$", before):
                    continue  # the total in "18 of 31 trucks"
                noun, event = _quantity(sentence, match)
                if not event:
                    continue
                noun = noun or previous or last_noun.get(event, "")
                if not noun:
                    continue
                previous = last_noun[event] = noun
                qualifier = _QUALIFIER.search(before)
                value = (qualifier.group(0) if qualifier else "") + match.group(0).strip()
                source = _nearest(sources, match.start()) or article.outlet
                out.append(_Claim(noun, event, value, number, source, article, sentence))
    return out


def _is_date_or_year(sentence: str, match: re.Match[str], number: float) -> bool:
    before = sentence[max(0, match.start() - 12) : match.start()].lower()
    if re.search(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", before):
        return True
    return number.is_integer() and 1900 <= number <= 2100 and "," not in match.group(0)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][\w’'-]*", text)


def _event(word: str) -> str:
    low = word.lower()
    return next((label for prefix, label in EVENTS.items() if low.startswith(prefix)), "")


def _quantity(sentence: str, match: re.Match[str]) -> tuple[str, str]:
    """(noun group, event) of the number at ``match``: "62 soldiers were killed" -> soldiers/killed."""
    after = sentence[match.end() : match.end() + 2 * _NEAR]
    of_total = re.match(r"\s+of\s+(?:the\s+|its\s+|their\s+)?(?:\d[\d,]*|\w+)\s+", after)
    if of_total:  # "18 of 31 trucks"
        after = after[of_total.end() - 1 :]
    right = _words(after[:80])
    noun = ""
    taken = 0
    for word in right[:4]:
        if word.lower() in _STOP or _event(word):
            break
        taken += 1
        noun = word.lower()
    event = ""
    left_text = sentence[max(0, match.start() - 50) : match.start()]
    left_text = _QUALIFIER.sub("", left_text)
    nearest = _words(left_text)[-1:]
    if nearest and _event(nearest[0]) and nearest[0].lower().endswith(("ed", "ing", "ll", "t")):
        return _noun_group(noun), _event(nearest[0])  # "killed 62 soldiers", "killing at least 83"
    clause = re.split(r"[,;:.()]|\d", after[:100])[0]
    for word in _words(clause)[taken : taken + 6]:
        if _event(word):
            event = _event(word)
            break
    if not event:
        left = _words(sentence[max(0, match.start() - 50) : match.start()])[-5:]
        for word in reversed(left):
            if _event(word):
                event = _event(word)
                break
    return _noun_group(noun), event


def _noun_group(noun: str) -> str:
    if not noun:
        return ""
    for prefix, group in NOUN_GROUPS.items():
        if noun.startswith(prefix):
            return group
    return noun if noun.endswith("s") else ""  # a counted thing is plural ("62 soldiers")


def _sources(sentence: str) -> list[tuple[int, str]]:
    """Who gives numbers in ``sentence``, with the offset of each attribution: "according to X",
    "X said", "X, a monitoring group, said", "…, said X"."""
    found: list[tuple[int, str]] = []
    for pattern in (_ACCORDING, _VERB_WHO):
        for match in pattern.finditer(sentence):
            tidy = _tidy_source(match.group("who"))
            if tidy:
                found.append((match.start(), tidy))
    for match in _WHO_VERB.finditer(sentence):
        who = match.group("who")
        # keep the noun phrase just before the verb (or before the apposition)
        appos = (match.group("appos") or "").strip(" ,")
        if re.match(r"(?:the\s+)?[A-Z]", appos) and not re.search(r"[’']s\b", appos):
            who = appos  # "…received from the Syrian command, the Syrian Observatory, suggested"
        who = re.split(r"[,;:—–()]|\b(?:but|while|as|that|which|when|though|although)\b", who)[-1]
        who = re.sub(r"^(?:(?:[a-z]\S*|Though|Although|While|But|And|However|Meanwhile|Yet)\s+)+",
                     "", who.strip(), count=1)
        tidy = _tidy_source(who)
        if tidy:
            found.append((match.end(), tidy))
    return sorted(found)


def _nearest(sources: list[tuple[int, str]], at: int) -> str:
    """The attribution closest before ``at`` in the sentence, else the first one after it."""
    before = [who for pos, who in sources if pos <= at]
    if before:
        return before[-1]
    return sources[0][1] if sources else ""


def _tidy_source(who: str) -> str:
    who = re.sub(r"^(?:the|an?)\s+", "", who.strip(" ,.;"), flags=re.IGNORECASE)
    words = who.split()
    if not words or len(words) > 8:
        return ""
    if words[0].lower() in _PRONOUN:
        return words[0].lower()
    return who[:1].upper() + who[1:]


def _source_key(source: str) -> frozenset[str]:
    """Comparable words of a source: "Russia's military" ~ "Russian military", "U.N." = "UN"."""
    text = source.lower().replace(".", "").replace("’s", "").replace("'s", "")
    words = re.findall(r"[a-z]+", text)
    return frozenset(
        w[:-1] if w.endswith("ian") and len(w) > 5 else w
        for w in words
        if w not in {"the", "of", "for", "and", "a", "an"}
    )


def _magnitude_clusters(claims: list[_Claim]) -> list[list[_Claim]]:
    """Split claims whose numbers are more than 3x apart (a different quantity, e.g. a war toll)."""
    ordered = sorted(claims, key=lambda c: c.number)
    clusters: list[list[_Claim]] = []
    for claim in ordered:
        if clusters and claim.number <= 3 * max(clusters[-1][0].number, 1):
            clusters[-1].append(claim)
        else:
            clusters.append([claim])
    return clusters


def _figure(noun: str, event: str, claims: list[_Claim]) -> Figure | None:
    """A Figure when different sources give different numbers; one claim per source and value."""
    outlets = {c.article.outlet for c in claims}
    attributed = {c.number for c in claims if c.source not in outlets}
    kept: list[tuple[frozenset[str], _Claim]] = []
    for claim in sorted(claims, key=_when):
        if claim.source in outlets and claim.number in attributed:
            continue  # the outlet repeating a number someone else is credited with
        key = _source_key(claim.source)
        # the same number from sources sharing a word ("Russian military", "Russian Defence
        # Ministry") or from the same source is one claim, credited to the first seen
        if any(c.number == claim.number and (k & key) for k, c in kept):
            continue
        kept.append((key, claim))
    by_value: dict[float, set[frozenset[str]]] = {}
    for key, claim in kept:
        by_value.setdefault(claim.number, set()).add(key)
    if len(by_value) < 2:
        return None
    if len({frozenset(v) for v in by_value.values()}) < 2 or len({k for k, _ in kept}) < 2:
        return None  # one source giving several numbers is not a dispute between sources
    return Figure(
        label=f"{noun} {event}",
        claims=tuple(
            FigureClaim(c.value, c.number, c.source, c.article.outlet, c.article.url, c.sentence)
            for _, c in kept
        ),
    )


def _when(claim: _Claim) -> tuple:
    published = claim.article.published
    return (published is None, published.timestamp() if published else 0.0)
