"""Key quotes: direct quotes with the speaker resolved from the attribution, and the outlet.

A quote is a span in quotation marks (“…”, "…", ‘…’) attributed in its sentence ("…," said
Kerry / Churkin told reporters: "…" / "…," the Russian envoy said / "…," he said), or a paragraph
that continues the previous speaker's quote. Surnames, pronouns and roles resolve to the full name
the article gives (:mod:`digest.speakers`). The same quote from several outlets is kept once;
the selection prefers quotes many outlets carry and a variety of speakers and outlets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from digest.issuers import one_name_per_speaker, statement_issuer
from digest.models import Article, Quote
from digest.speakers import (
    ORG_WORDS,
    SPEECH_VERBS,
    TITLES,
    Mention,
    clean_speaker,
    is_person,
    resolve,
)
from digest.text.bounds import rule_text

log = logging.getLogger(__name__)

MIN_WORDS = 5  # shorter quoted spans are scare quotes or titles, unless "called it a '…'"
PER_ARTICLE = 60  # quotes read from one article (real ones carry far fewer); keeps merging cheap
_SPANS = re.compile(
    r"“(?P<a>[^“”]{2,800})”"
    r'|"(?P<b>[^"]{2,800})"'
    r"|(?:^|(?<=[\s(\[—–-]))‘(?P<c>[^‘]{2,800}?[\w.,!?…])’(?=[\s.,;:!?)\]—–-]|$)"
    r"|(?:^|(?<=[\s(\[—–-]))'(?P<d>[A-Z][^']{1,800}?[\w.,!?…])'(?=[\s.,;:!?)\]—–-]|$)"
)
# Starts at a word start, words of at most 40 characters: linear on a long token.
_WHO = r"(?P<who>(?<![\w’'.-])(?:[Tt]he\s+)?[\w’'.-]{1,40}(?:\s+[\w’'.-]{1,40}){0,5}?)"
_VERB = rf"(?P<verb>{SPEECH_VERBS})"
# "^\s*(?:[,—–-]\s*)?" reads a run of spaces one way only ("\s*[,—–-]?\s*" split it every way).
_TAIL_WHO_VERB = re.compile(rf"^\s*(?:[,—–-]\s*)?{_WHO}\s*(?:,[^,.;“”\"]{{1,80}},\s*)?{_VERB}\b")
_TAIL_VERB_WHO = re.compile(
    rf"^\s*(?:[,—–-]\s*)?{_VERB}\s+(?!that\b|it\b|in\b|on\b){_WHO}\s*(?:[,;]|(?<!\b[A-Z])\.|$)"
)
# '"…," Defence Ministry spokesman Major General Igor Konashenkov said': a long run of names and
# titles ending on a name (too long for _WHO, which also has to stop short of clauses)
_TITLE_WORDS = "|".join(sorted(TITLES, key=len, reverse=True))
_TAIL_LONG_NAME = re.compile(
    rf"^\s*[,—–-]?\s*(?P<who>(?:(?:[A-Z][\w’'.-]*|{_TITLE_WORDS})\s+){{5,9}}[A-Z][\w’'-]*)\s+{_VERB}\b"
)
_HEAD = re.compile(
    rf"{_WHO}\s+{_VERB}(?:\s+(?:reporters|journalists|the\s+\w+|\w+))?(?:\s+(?:on|in)\s+\w+)?"
    r"(?:\s+that)?\s*[:,]?\s*$"
)
_ACCORDING = re.compile(r"according to\s+(?P<who>[^,]{2,60}),\s*$", re.IGNORECASE)
_CALLED = re.compile(
    rf"{_WHO}\s+(?:called|described|termed|labell?ed|dubbed)\s+(?:it|this|that|the\s+\w+)"
    r"\s+(?:as\s+)?(?:an?\s+)?$"
)
_REPORTED = re.compile(
    rf"(?P<who>(?<![\w’'.-])(?:[A-Z][\w’'.-]{{0,40}}\s+){{0,3}}[A-Z][\w’'.-]{{0,40}}|\b[Hh]e|\b[Ss]he)\s+{_VERB}\b"
)
_VERB_ANYWHERE = re.compile(rf"\b{_VERB}\b")
_NOT_SPEAKERS = frozenset("it this that which there what".split())
# Sentence ends, but not after an initial ("U.N. Syria envoy", "George W. Bush").
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+(?=[A-Z“\"‘])")
_HEAD_BREAK = re.compile(r"(?<!\b[A-Z])[.!?][”\"’']?\s+")
_SUBJECT = re.compile(r"^(?:[A-Z][\w’'.-]*\s+){0,6}[A-Z][\w’'.-]*(?=\s*[,\s])")


@dataclass
class _Found:
    text: str
    speaker: str
    article: Article
    paragraph: int
    fragment: bool = False


def extract_quotes(articles: Sequence[Article], limit: int = 6) -> tuple[Quote, ...]:
    """Up to ``limit`` key quotes of the day's articles, most important first."""
    found: list[_Found] = []
    for article in articles:
        try:
            found.extend(_article_quotes(article)[:PER_ARTICLE])
        except Exception as exc:  # one odd article must not lose the section
            log.warning("quote extraction failed for %s: %s", article.url, exc)
    groups = _dedupe(found)
    return one_name_per_speaker(_select(groups, limit))


def _article_quotes(article: Article) -> list[_Found]:
    out: list[_Found] = []
    text = rule_text(article.text)
    known: list[Mention] = []
    offset = 0
    last_speaker = ""
    last_paragraph = -2
    paragraphs = [p for p in text.split("\n\n") if p.strip()]  # Article.paragraphs, bounded
    for pi, paragraph in enumerate(paragraphs):
        offset = text.find(paragraph, offset)
        for match in _SPANS.finditer(paragraph):
            quote = next(g for g in match.groups() if g is not None).strip()
            head = paragraph[max(0, match.start() - 160) : match.start()]
            tail = paragraph[match.end() : match.end() + 160]
            who, kind, at = _attribution(head, tail, quote)
            speaker = ""
            words = len(quote.split())
            if who:
                # a pronoun before the quote ('he said … "…"') refers to someone named before it
                where = offset + match.start() - len(head) + at if at >= 0 else offset + match.start()
                speaker = statement_issuer(resolve(who, text, where, known), text, where)
            elif _VERB_ANYWHERE.search(tail[:60]) and not _ends_sentence(quote, tail):
                continue  # attributed to someone we cannot name: better no quote than a wrong one
            elif last_speaker and last_paragraph == pi and out and words >= MIN_WORDS:
                out[-1].text = _join(out[-1].text, _tidy(quote))  # second half of a split quote
                continue
            elif match.start() == 0 and last_speaker and pi - last_paragraph == 1:
                speaker = last_speaker  # a paragraph continuing the previous speaker's quote
            fragment = kind != "said" and words < MIN_WORDS
            if not speaker or (words < MIN_WORDS and not fragment) or _cut_clause(quote):
                continue
            out.append(_Found(_tidy(quote), speaker, article, pi, fragment=fragment))
            if not fragment:
                last_speaker, last_paragraph = speaker, pi
                known.append(Mention(speaker, offset + match.end()))
    return out


# A quote opening on one of these words is a clause cut out of reported speech
# ('… with ground operations "in the coming hours and days."'), not something said whole.
_CLAUSE_WORDS = frozenset(
    """in on at to for from with by of into over under after before during about against was
    were is are be been being had has have would will could should may might can must do does
    did and or but nor that which who whom whose when while if because as than not""".split()
)


def _cut_clause(quote: str) -> bool:
    first = re.match(r"[^\w]*(\w+)", quote)
    return first is not None and first.group(1) in _CLAUSE_WORDS  # lower case: "In" opens one


def _ends_sentence(quote: str, tail: str) -> bool:
    """The quote closes its sentence ('…again."') and the next one begins after it."""
    return bool(re.search(r"[.!?…]$", quote.strip())) and bool(re.match(r"\s+[A-Z]", tail))


def _attribution(head: str, tail: str, quote: str = "") -> tuple[str, str, int]:
    """The speaker phrase around a quote; how it is attributed: "said" (a quote said whole),
    "called" ('called it a "…"') or "reported" (a phrase quoted inside reported speech); and
    where in ``head`` the phrase is (-1 when it follows the quote)."""
    if not _ends_sentence(quote, tail):  # else what follows is another sentence, not attribution
        sentence_tail = _SENTENCE_BREAK.split(tail, maxsplit=1)[0]
        for pattern in (_TAIL_VERB_WHO, _TAIL_WHO_VERB):
            match = pattern.match(sentence_tail)
            if match and _plausible(match.group("who")):
                return match.group("who"), "said", -1
        match = _TAIL_LONG_NAME.match(sentence_tail)
        if match and is_person(clean_speaker(match.group("who"))):
            return clean_speaker(match.group("who")), "said", -1
    start = max((m.end() for m in _HEAD_BREAK.finditer(head)), default=0)
    sentence_head = head[start:]
    match = _CALLED.search(sentence_head)
    if match and _plausible(match.group("who")):
        return match.group("who"), "called", start + match.start("who")
    for pattern in (_HEAD, _ACCORDING):
        match = pattern.search(sentence_head)
        if match and _plausible(match.group("who")):
            who = clean_speaker(match.group("who")) or match.group("who")
            return who, "said", start + match.start("who")
    # a quoted phrase inside reported speech: 'Churkin said the strike raised "a … mark"'
    names = [m for m in _REPORTED.finditer(sentence_head) if _plausible(m.group("who"))]
    if names:
        return names[-1].group("who"), "reported", start + names[-1].start("who")
    # ... or the sentence's subject, named first: 'Kerry, who spoke after him, … and said … "…"'
    subject = _SUBJECT.match(sentence_head)
    if subject and _VERB_ANYWHERE.search(sentence_head[subject.end() :]):
        name = clean_speaker(subject.group(0))
        if len(name.split()) >= 2 and is_person(name):
            return name, "reported", start
    return "", "", -1


def _join(first: str, second: str) -> str:
    if first and first[-1] not in ".!?…":
        first += "."
    return f"{first} {second}"


def _plausible(who: str) -> bool:
    """A pronoun, a capitalised name or a short "the …" role; not 'it' or a clause."""
    words = who.split()
    if not words or words[0].lower() in _NOT_SPEAKERS or len(words) > 6:
        return False
    first = words[0]
    return first.lower() in {"he", "she", "they", "we", "the", "a", "an"} or first[:1].isupper()


def _tidy(quote: str) -> str:
    quote = " ".join(quote.split())
    return quote[:-1] if quote.endswith(",") else quote


def _key(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def _dedupe(found: list[_Found]) -> list[list[_Found]]:
    """The same quote from several outlets (or twice in one) as one group, first seen first."""
    groups: list[tuple[frozenset[str], list[_Found]]] = []
    for item in found:
        key = _key(item.text)
        for other_key, members in groups:
            small = min(len(key), len(other_key)) or 1
            if small < 4 and members[0].speaker != item.speaker:
                continue
            if len(key & other_key) / small >= 0.8:
                members.append(item)
                break
        else:
            groups.append((key, [item]))
    return [members for _, members in groups]


def _named(speaker: str) -> bool:
    """A person's full name or an organisation's name, not a description ("a volunteer")."""
    words = speaker.split()
    if not words or not speaker[:1].isupper():
        return False
    return (len(words) >= 2 and is_person(speaker)) or words[-1].lower().strip(".’'") in ORG_WORDS


def _score(members: list[_Found]) -> float:
    best = max(members, key=lambda m: (not m.fragment, _named(m.speaker), len(m.text)))
    outlets = len({m.article.outlet for m in members})
    words = len(best.text.split())
    length = 0.5 if best.fragment else min(words, 12) / 12 * (0.6 if words > 70 else 1.0)
    named = 1.0 if _named(best.speaker) else 0.6
    if not best.fragment and best.text[:1].islower():
        length *= 0.5  # a quoted clause inside reported speech, not something said whole
    position = 1.0 / (1 + min(m.paragraph for m in members)) ** 0.3
    return outlets * length * named * position


def _select(groups: list[list[_Found]], limit: int) -> tuple[Quote, ...]:
    scored = [(_score(g), g) for g in groups]
    chosen: list[Quote] = []
    speakers: dict[str, int] = {}
    outlets: dict[str, int] = {}
    while scored and len(chosen) < limit:
        def adjusted(item: tuple[float, list[_Found]]) -> float:
            score, members = item
            first = members[0]
            return score * 0.5 ** speakers.get(first.speaker, 0) * 0.8 ** outlets.get(first.article.outlet, 0)

        best = max(scored, key=adjusted)
        scored.remove(best)
        members = best[1]
        _, pick = max(
            enumerate(members),
            key=lambda im: (not im[1].fragment, _named(im[1].speaker), -im[0]),
        )
        chosen.append(Quote(pick.text, pick.speaker, pick.article.outlet, pick.article.url))
        speakers[pick.speaker] = speakers.get(pick.speaker, 0) + 1
        outlets[pick.article.outlet] = outlets.get(pick.article.outlet, 0) + 1
    return tuple(chosen)
