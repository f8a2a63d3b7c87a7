"""Whether a sentence makes sense on its own, out of its article (for overviews)."""

from __future__ import annotations

import re

from digest.speakers import ROLE_WORDS, SPEECH_VERBS, TITLES, is_person, person_mentions

# Opening on a pronoun, a demonstrative or a connective: "He added…", "But…", "Neither…".
_OPENER = re.compile(
    r"^[\"“‘']?(?:He|She|It|They|His|Her|Its|Their|This|That|These|Those|But|And|Yet|So|Also|"
    r"However|Still|Instead|Then|There|Neither|Either|Such|Meanwhile|Separately|Moreover|"
    r"Furthermore|Besides|Nevertheless|Nonetheless|Otherwise|Likewise|Similarly|Thus|Therefore|"
    r"Hence|Again|Earlier|Later|In addition|As a result|By contrast|In turn|At the same time|"
    r"In the meantime|(?:If|When|While|Although|Though|Because|As|After|Before|Since|Unless|Until|"
    r"Once)\s+(?:he|she|it|they|this|these|those)\b|"
    r"Both(?=\s+(?:are|were|have|had|will|would|said|say|says|remain|remained)\b))\b"
    r"(?!\s+(?:week|weekend|morning|afternoon|evening|night|month|year|summer|autumn|winter|"
    r"spring|season|time)s?\b)(?<!Those(?=\s+who))"  # "This weekend …", "Those who confess …"
)
# A quote with no one saying it in the sentence: '"We are ready to go."'
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b|\baccording to\b", re.IGNORECASE)
# Ending on a pronoun object: "The United States has declined to publish them."
_PRONOUN_END = re.compile(r"\b(?:them|it|him|her)[.!?]$")
_IT_END = re.compile(r"\bit[.!?]$")
_IT_END_WORDS = 12  # a longer sentence names the thing its last "it" stands for ("… the cup;
# Europe need 7 1/2 to keep it."), not the people a "him" or "them" would; a pronoun inside a
# quote is the speaker's ("… he said, "I had to do it."")
# A pronoun as the subject after an opening phrase or clause: "In a letter to commanders, they
# objected…", "Shots are heard, and she asks whether he is dead."
_PRONOUN_SUBJECT = re.compile(
    r"^(?P<clause>[^,;:\"“]{3,60}),\s+(?:(?:and|but|then|so)\s+)?(?P<pronoun>he|she|it|they)\s+"
    r"(?!is\s+|was\s+)[a-z]+")
# ... unless it is "he" or "she" and that opening clause names a person: "If the jury in Dylann
# Roof's trial convicts him, he …" (not "On Monday, he …" or "In New York, they …")
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")
# A pronoun as the speaker: '"…," it said', "The footage, he said, suggested…".
_PRONOUN_SPEAKER = re.compile(
    rf"[,;:“”\"’]\s*(?:he|she|it|they)\s+(?:{SPEECH_VERBS})\b", re.IGNORECASE
)
# Words that answer an earlier sentence: "Mr Lavrov, for his part, …", "…, however, …",
# "The U.N. also said…" (but not "also known as").
_ANSWERS = re.compile(
    r",\s*(?:for (?:his|her|its|their) part|however|in turn|instead|too)\s*[,.]"
    r"|(?<!\bbut\s)\balso\b(?!\s+(?:known|called|spelled|spelt|referred)\b)",  # not "but also"
    re.IGNORECASE,
)


def leans_on_context(text: str) -> bool:
    """True when the sentence needs the one before it: it opens on a pronoun or connective,
    quotes a speaker known only as "he" or "it" (or no one), is only part of a longer quote (its
    opening or its end), or answers something said earlier."""
    text = text.strip()
    subject = _PRONOUN_SUBJECT.match(text)
    return bool(
        _OPENER.match(_after_attributed_quote(text))
        or (subject and not (subject.group("pronoun") in ("he", "she")
                             and _names_a_person(subject.group("clause"))))
        or _PRONOUN_SPEAKER.search(text)
        or _ANSWERS.search(text)
        or (_PRONOUN_END.search(text) and not _open_quote(text)
            and not (_IT_END.search(text) and len(text.split()) > _IT_END_WORDS))
        or (text[:1] in "\"“‘'" and (_open_quote(text) or not _SPEECH.search(_unquoted(text))))
        or _closes_unopened(text)
    )


def _after_attributed_quote(text: str) -> str:
    """The sentence after an opening quote that closes and is attributed in it ('"It is out of
    the question," said Dmitry Peskov'): a pronoun inside the quote is its speaker's, not one
    that leans on an earlier sentence. Any other sentence whole."""
    if text[:1] not in "\"“" or _open_quote(text) or _closes_unopened(text):
        return text
    rest = _unquoted(text)
    if not _SPEECH.search(rest):
        return text
    return rest.strip(" ,;:")


def _names_a_person(clause: str) -> bool:
    return any(is_person(re.sub(r"[’']s$", "", m.group(0))) for m in _NAME_RUN.finditer(clause))


def _open_quote(text: str) -> bool:
    """A quote opened and not closed: the sentence ends inside someone's words."""
    if text.count("“") > text.count("”"):
        return True
    return text.count('"') % 2 == 1


_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')


def _unquoted(text: str) -> str:
    """The sentence without its quoted words: who says it, if anyone ("alleged" inside a quote
    names no speaker)."""
    return _QUOTED.sub(" ", text)


def _closes_unopened(text: str) -> bool:
    """The end of a quote begun in an earlier sentence: 'If you are reading this, you need to
    leave now."' (its opening and its speaker are elsewhere)."""
    if text.count("”") > text.count("“"):
        return True
    if text.count('"') % 2 == 0:
        return False
    first = text.index('"')  # a lone straight quote closes when it follows a word or a stop
    return first > 0 and not text[first - 1].isspace()


# "He said…", "She told reporters…": a person's pronoun as the subject, opening the sentence
_PERSON_PRONOUN = re.compile(r"^(?:He|She)(?=\s+[a-z])")


def on_its_own(text: str, before: str = "", previous: int = 0) -> str:
    """``text`` rewritten, where that is safe, so that it needs no earlier sentence: an opening
    "He" or "She" replaced by the person's full name when the sentence before it
    (``before[previous:]``, where ``before`` is its article up to this sentence) is about exactly
    one person, named in full or by surname, and no other person shares the surname
    ("Governor Andrew Cuomo …" … '"…," Cuomo said.' + "He said the state would deploy 1,000
    troopers." -> "Andrew Cuomo said the state would deploy…"). Anything else is returned as it
    is: a sentence that cannot be resolved keeps leaning, and stays out of overviews.

    (Dropping a leading connective, "But officials said…" -> "Officials said…", was measured
    too: it let such sentences crowd others out of the overview and lost a fact on each of the
    two bundled packs for three gained on 42 others; not kept.)"""
    out = text
    if _PERSON_PRONOUN.match(out) and before[previous:].strip():
        mentions = person_mentions(before)
        people = {m.name for m in mentions if m.end > previous}
        if len(people) == 1:
            person = people.pop()
            surname = re.escape(person.split()[-1])
            kin = set(re.findall(rf"\b([A-Z][\w’'-]+)\s+{surname}(?![\w’'-])", before))
            kin -= _TITLES_CAPITALISED
            if len(kin) <= 1 and _is_subject(person, before[previous:]):  # not Shimon or Chemi
                out = person + out[out.index(" "):]
    return out


_TITLE_WORDS = ROLE_WORDS - {"the", "a", "an"}  # "Chief Executive", "US", "Russian Foreign"
_TITLES_CAPITALISED = frozenset(t.capitalize() for t in TITLES) | {"Mr", "Mrs", "Ms", "Dr"}


_QUOTE_THEN_SPEAKER = re.compile(
    rf"^[\"“][^\"“”]+[,?!][\"”]\s+(?P<who>[A-Z][\w’'. -]+?)\s+(?:{SPEECH_VERBS})\b")


def _is_subject(person: str, sentence: str) -> bool:
    """``person`` (a full name) is who the sentence is about: it opens it, after any titles
    ("Governor Andrew Cuomo said…", "Cook said…", "Temer, who…"; not "Cook's office said…"),
    or says its quote ('"…," Cuomo said'). A "he" after a sentence about someone else who names
    one person ("He called Burhan Wani a martyr.") or after one that only mentions them ("…
    is the daughter of Joe Manchin.") must not become that person."""
    quoted = _QUOTE_THEN_SPEAKER.match(sentence)
    if quoted:
        opening = quoted.group("who")
    else:
        words = sentence.split()
        while words and words[0].lower().strip(".,") in _TITLE_WORDS and words[0][:1].isupper():
            words.pop(0)
        opening = " ".join(words)
    names = (person, person.split()[-1])
    return any(re.match(rf"{re.escape(n)}(?![\w’'-])(?!\s*[’']s\b)", opening) for n in names)
