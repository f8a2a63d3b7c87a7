"""Does an article belong to the story? A score in [0, 1] and a reason a person can read.

An article belongs when the story is what it is *about*, judged from the structure extraction
gives (headline, standfirst, lede, body paragraphs) against the story's definition (seeds and
description: the anchor) and the day's background (everything else the feeds carried):

* **similarity** (TF-IDF cosine) of the article and of its headline and lede to the story's
  profile: the anchor, refined by the articles recent digests accepted (their centroid at half the
  anchor's weight, so earlier acceptances refine the story but never pull it off its definition)
  and, for a second look at the pages the first left out, by the day's sure pages.
  The cosine is calibrated per run: 0 at the typical similarity of pages that cannot be the story
  (they miss a required concept) and 1 at that of pages that surely are (every required concept
  in their headline or lede; the articles recent digests carried). The boundary comes from each
  story's own data, not from a per-story threshold;
* **concepts** (``require`` groups): each counts fully when the headline, standfirst or lede
  carries it, or several body paragraphs do; one mention deep in the body counts little;
* **names** (people, organisations, places; :mod:`digest.entities`): the share of the names in
  the headline, standfirst and lede that are the story's names, weighted by rarity. A sibling
  story (same place and kind of event, other actors) leads with other names.

``score = SIM * similarity + CONCEPTS * concepts + NAMES * names``; an article belongs when every
concept is present somewhere, the score reaches ``threshold`` (0.5: halfway between what the
story looks like and what the rest looks like), no ``not_about`` phrase leads it, it is not led by
other names (a sibling) and it is not closer to a page a reader marked "not the story" than to
the story. Names are calibrated per run like similarity. See docs/RELEVANCE.md.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import Any

import numpy as np
from scipy import sparse

from digest import dedup, entities
from digest.config import RelevanceSettings
from digest.models import Article, Judgement
from digest.text import acronyms, shingleset
from digest.text import vec as textvec
from digest.text.vec import shingles

TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0  # for _weighted_hits' callers
LEAD_PARAGRAPHS = 2  # the lede: the first paragraphs after headline and standfirst
SPREAD = 3  # body paragraphs carrying a concept for it to count fully without the lede
ACCEPTED_WEIGHT = 0.5  # weight of the accepted articles' centroid next to the anchor's 1
SIM, CONCEPTS, NAMES = 0.5, 0.25, 0.25
SIBLING_NAMES = 0.25  # story names in its lead this far from "on" towards "off": another story
SIBLING_TEXT = 0.5  # ...unless, with no required concepts, its text is this far to the story
TEXT_FLOOR = 0.15  # a text less than this far from "others" towards the story is not about it
PASSING_TEXT = 0.5  # a concept in one paragraph only is in passing unless the text is at
# least this far from "others" towards the story pages
KNN = 3  # nearest story texts whose mean similarity counts (k-NN topic tracking)
# calibration priors, which weigh as much as PRIOR_WEIGHT pages of a run's own data
PRIOR_OFF, PRIOR_ON, PRIOR_WEIGHT = 0.02, 0.20, 5.0
PRIOR_NAMES_OFF, PRIOR_NAMES_ON = 0.05, 0.5
# "sure" pages (every concept in the lead) may include a sibling story: their upper quartile, not
# their median, says what the story looks like
ON_QUANTILE = 0.75
REJECTED_SIMILAR = 0.5  # this close to a page a reader marked "not the story": left out
# a kept page with every concept up front and its text at least this far from "others" towards
# the story is sure: the day's sure pages refine the profile for a second look at the rest
SURE_TEXT = 0.5
SURE_MOST = 100  # of a busy day's sure pages, the most story-like this many (the k-NN's cost)


@dataclass(frozen=True)
class ProfileDoc:
    """A text that defines the story: a seed, the description, or an accepted article."""

    label: str  # a URL or a file name, shown in ``why``
    text: str


def _pattern(term: str) -> re.Pattern[str]:
    """A term's case- and accent-insensitive pattern ("Orban" finds "Orbán", and "Orbán"
    "ORBAN"); its words may be joined by spaces or dashes."""
    parts = ["".join(_letter(c) for c in p.translate(_ACCENTS)) for p in _parts(term)]
    body = r"[\s\-‐‑–]*".join(parts)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _letter(c: str) -> str:
    """A character of a pattern: a letter with the accented letters that fold to it."""
    more = _ACCENTED.get(c.lower(), "")
    return f"[{re.escape(c)}{more}]" if more else re.escape(c)


def _parts(term: str) -> list[str]:
    return [p for p in re.split(r"[\s\-‐‑–]+", term.strip()) if p]


def _accents() -> dict[int, str]:
    """Each Latin letter with accents (Latin-1, Extended-A and -B, Extended Additional) -> its
    base letter in lower case: "á" and "Á" -> "a", "ğ" -> "g", "ő" -> "o" ("ø", "ß" and "æ"
    have no base letter and stay as they are)."""
    out = {}
    for code in chain(range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        parts = unicodedata.normalize("NFD", chr(code))
        if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha() \
                and all(unicodedata.combining(c) for c in parts[1:]):
            out[code] = parts[0].lower()
    return out


# Matching ignores accents: a newcomer writes "Orban" or "Erdogan" for "Orbán" and "Erdoğan"
_ACCENTS = _accents()
_ACCENTED: dict[str, str] = {}  # base letter -> its accented letters, both cases
for _code, _base in _ACCENTS.items():
    _ACCENTED[_base] = _ACCENTED.get(_base, "") + chr(_code)

# Fast, exact matching for ASCII terms. ``_fold`` maps the four non-ASCII letters that
# IGNORECASE equates with ASCII ones (Python's re documentation) and the accented Latin letters
# to their base letters, and lower-cases. Checked over every code point: it keeps the length,
# keeps what is a word character and what the separator class matches, and a character folds to
# an ASCII letter exactly when a term's pattern (IGNORECASE, each letter with its accented
# forms: ``_pattern``) matches it to that letter. So a term's pattern matches a text exactly
# where its lower-case, case-sensitive pattern matches the folded text: same matches, same
# counts, and a plain substring test of the term's longest word rules most terms out before any
# regex runs.
# (and the two letters IGNORECASE equates with an accented one: "ẛ" with "ṡ", "Å" with "å")
_FOLD = {**str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k",
                          "\u1e9b": "s", "\u212b": "a"}), **_ACCENTS}
_FOLD_CHARS = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u212a\u212b]")


def _fold(text: str) -> str:
    if text.isascii() or not _FOLD_CHARS.search(text):
        return text.lower()
    return text.translate(_FOLD).lower()


def _folded_pattern(term: str) -> tuple[str, re.Pattern[str]] | None:
    """The term's longest word and its case-sensitive pattern for folded text (terms that are
    ASCII once their accents are folded)."""
    parts = _parts(term.translate(_ACCENTS))
    if not parts or not all(p.isascii() for p in parts):
        return None
    low = [re.escape(p.lower()) for p in parts]
    # "(?<!\w)first..." written as "first(?<!\wfirst)...": the same matches, but a pattern that
    # starts with a literal lets the regex engine skip ahead to it (about 20x faster)
    body = f"{low[0]}(?<!\\w{low[0]})" + "".join(rf"[\s\-‐‑–]*{p}" for p in low[1:])
    return max((p.lower() for p in parts), key=len), re.compile(rf"{body}(?!\w)")


Patterns = tuple[tuple[str, re.Pattern[str], tuple[str, re.Pattern[str]] | None], ...]


def _compile(terms: Sequence[str]) -> Patterns:
    return tuple((t, _pattern(t), _folded_pattern(t)) for t in terms if t.strip())


def _weighted_hits(patterns: Patterns, title: str, lead: str, body: str,
                   folded: tuple[str, str, str, str] | None = None) -> tuple[float, list[str]]:
    """Weighted hits of each term. ``folded`` (``_fold`` of title, lead, body and of the three
    together) gives the same result faster."""
    total, found = 0.0, []
    for term, pat, fast in patterns:
        if folded is not None and fast is not None:
            if fast[0] not in folded[3]:
                continue
            title_, lead_, body_, pat = folded[0], folded[1], folded[2], fast[1]
        else:
            title_, lead_, body_ = title, lead, body
        n = (TITLE_WEIGHT * len(pat.findall(title_)) + LEAD_WEIGHT * len(pat.findall(lead_))
             + BODY_WEIGHT * len(pat.findall(body_)))
        if n:
            total += n
            found.append(term)
    return total, found


_TITLE_WORD = re.compile(r"[^\W\d_][\w'’.&-]*")


def implied_concepts(title: str, texts: Sequence[str], language: str = "english"
                     ) -> tuple[tuple[str, ...], ...]:
    """The concepts a story's title names when its config requires none: each run of the
    title's capitalised words that are names ("Hurricane Matthew" -> Matthew, "Bayer's takeover
    of Monsanto" -> Bayer; Monsanto), a word being a name when the definition ``texts`` never
    use it in lower case ("the hurricane"), or a whole run being one when the texts write it so
    and never in lower case ("the Federal Reserve" beside "federal funds"). A run is one concept:
    any of its words, or all."""
    used_lower = {w for t in texts for w in re.findall(r"\b[a-z][\w'’-]*", t)}
    # a title's first word is capitalised anyway: a name only if the texts capitalise it
    # mid-sentence too ("Impeachment of Dilma Rousseff" -> Dilma Rousseff)
    mid = {w.lower() for t in texts for w in re.findall(r"(?<![.!?\n]\s)(?<=\s)[A-Z][\w'’-]*", t)}
    stop = textvec.stop_words(language)
    groups: list[tuple[str, ...]] = []
    run: list[str] = []

    def close() -> None:
        if len(run) > 1:  # a word of a longer name counts alone only where the texts write it
            alone = [w for w in run if w.lower() not in used_lower  # not "Federal" of "federal funds"
                     and w.lower() not in stop and not w.isdigit()  # not "May" or "50" alone
                     and _alone(w, run, texts, stop)]  # so ("Rousseff", not "Rock")
            groups.append(tuple(dict.fromkeys([" ".join(run), *alone])))
        elif run:
            groups.append((run[0],))
        run.clear()

    def capitalised(i: int, word: str) -> bool:
        low = word.lower()
        return bool(word and _TITLE_WORD.fullmatch(word) and word[0].isupper()
                    and (i > 0 or low in mid) and low not in stop
                    and low not in entities.NOT_NAMES and len(word) > 1)

    words = [raw.strip("'’\"“”‘()[]{},;:!?").removesuffix("'s").removesuffix("’s")
             for raw in title.split()]
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and capitalised(j, words[j]):
            j += 1
        # a capitalised stop word or a short number inside a name the texts write whole
        # ("Theresa May", "Article 50"), never a word of it alone
        while i < j < len(words) and _name_part(words[j]) \
                and _written_as_name(" ".join(words[i:j + 1]), texts):
            j += 1
        whole = words[i:j]
        if len(whole) > 1 and _written_as_name(" ".join(whole), texts):
            run.extend(whole)  # "Federal Reserve", "Supreme Court": a name as a whole
            close()
        else:
            for word in whole:
                if word.lower() in used_lower:  # "the hurricane": not a name here
                    close()
                else:
                    run.append(word)
            close()
        i = max(j, i + 1)
    return tuple(groups)


def _name_part(word: str) -> bool:
    """A capitalised word or a number of three digits or fewer: what may continue a name."""
    return bool(_TITLE_WORD.fullmatch(word) and word[:1].isupper()) or \
        (word.isdigit() and len(word) <= 3)


def _written_as_name(phrase: str, texts: Sequence[str]) -> bool:
    """The texts write ``phrase`` with its capitals, and never all in lower case: a name made
    of ordinary words ("the Federal Reserve" next to "federal funds" and "reserves")."""
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
    lower = re.compile(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)")
    return any(pattern.search(t) for t in texts) and not any(lower.search(t) for t in texts)


def _alone(word: str, run: Sequence[str], texts: Sequence[str], stop: frozenset[str]) -> bool:
    """The texts write ``word`` capitalised without another word of its name beside it
    ("Rousseff said", not only "Dilma Rousseff"), and not as a word of another name ("South
    Korea" and "the Korea Meteorological Administration" are not "Korea" of "North Korea"; a
    capitalised stop word starts a sentence: "In Korea")."""
    def base(w: str) -> str:  # "Bears" and "Bear" are one word of the name
        return w.removesuffix("'s").removesuffix("’s").lower().removesuffix("s")

    others = {base(w) for w in run if w != word}
    for text in texts:
        for m in re.finditer(rf"(\S*)\s+{re.escape(word)}\b(?:'s|’s)?(?:\s+(\S*))?", text):
            before = m.group(1).strip("'’\"“”‘()[]{},;:!?")
            after = (m.group(2) or "").strip("'’\"“”‘()[]{},;:!?.")
            if base(before) in others or base(after) in others:
                continue
            if not (_name_word(m.group(1), stop) or _name_word(m.group(2) or "", stop)):
                return True
    return False


def _name_word(raw: str, stop: frozenset[str]) -> bool:
    """A capitalised word that is not a stop word, weekday or month, with no punctuation that
    ends a sentence or a clause: a word of the same name as its neighbour ("South" of "South
    Korea", "Meteorological" of "Korea Meteorological Administration")."""
    return (re.fullmatch(r"[A-Z][\w'’-]*", raw) is not None and raw.lower() not in stop
            and raw.lower() not in entities.NOT_NAMES)


# a capitalised word after a company's name that keeps it the same company ("Hyundai Motor Co")
_SAME_ENTITY = frozenset("co corp corporation inc incorporated ltd limited plc llc ag se sa nv "
                         "bv gmbh spa".split())


@dataclass(frozen=True)
class _ShortForm:
    """A required word that is the first word of a longer name of its group ("Hyundai" of
    "Hyundai Motor"), and the words that may follow it and still name the story's entity."""

    word: str
    pattern: re.Pattern[str]  # the word followed by a capitalised word (group 1)
    allowed: frozenset[str]  # lower-cased: the longer names' second words, the definition's own


def short_forms(groups: Sequence[Sequence[str]], texts: Sequence[str]) -> tuple[_ShortForm, ...]:
    """The short forms of ``groups`` (see :class:`_ShortForm`); ``texts`` (seeds, description)
    say which longer names are the story's own ("Hyundai Motor Group")."""
    out = []
    for group in groups:
        longer = [_parts(t) for t in group if len(_parts(t)) > 1]
        for term in group:
            parts = _parts(term)
            if len(parts) != 1 or not parts[0][:1].isupper():
                continue
            word = parts[0]
            seconds = {p[1].lower() for p in longer if p[0].lower() == word.lower()}
            if not seconds:
                continue
            pattern = re.compile(rf"(?<!\w)(?i:{re.escape(word)})\s+([A-Z][\w&'’-]*)")
            for text in texts:
                seconds.update(m.group(1).lower() for m in pattern.finditer(text))
            out.append(_ShortForm(word, pattern, frozenset(seconds)))
    return tuple(out)


def mask_other_entities(text: str, forms: Sequence[_ShortForm], title: bool = False) -> str:
    """``text`` with each short form that is the first word of another name blanked out:
    "Hyundai Heavy Industries" is not "Hyundai Motor", though both start with "Hyundai". A
    word counts as another name's when it is capitalised and neither the story's longer names
    nor its seeds and description write it after the short form; a company suffix ("Co",
    "Inc") or a weekday does not. A headline in title case capitalises every word: left as is."""
    if not forms or (title and _title_case(text)):
        return text
    for form in forms:
        if form.word.lower() not in text.lower():
            continue

        def blank(m: re.Match[str], form: _ShortForm = form) -> str:
            nxt = m.group(1).lower().rstrip(".")
            if (nxt in form.allowed or nxt in _SAME_ENTITY or nxt in entities.NOT_NAMES
                    or nxt.removesuffix("'s").removesuffix("’s") in form.allowed):
                return m.group(0)
            return "_" * len(form.word) + m.group(0)[len(form.word):]

        text = form.pattern.sub(blank, text)
    return text


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _terms(text: str, language: str) -> list[str]:
    """Stemmed content words, and the parts of hyphenated ones, so that spellings meet:
    "Deir ez-Zor" and "Deir al-Zor", "cease-fire" and "fire", "US-Russian" and "Russian"."""
    out = textvec.terms(text, language)
    out.extend([p for t in out if "-" in t for p in t.split("-") if len(p) > 2])
    return out


def _knn(rows: sparse.csr_matrix, known: sparse.csr_matrix) -> np.ndarray:
    """Cosine of each row to its KNN-th nearest story text (seeds, description, accepted
    articles): KNN story texts must be this close, so one borderline acceptance alone never makes
    its neighbours look like the story."""
    if not known.shape[0] or not rows.shape[0]:
        return np.zeros(rows.shape[0])
    k = min(KNN, known.shape[0])
    # the k-th largest cosine of each row (what a full sort's column -k holds)
    return textvec.cosine_rows(rows, known, lambda sims: np.partition(sims, -k, axis=1)[:, -k])


def _centre(values: Sequence[float], prior: float, q: float = 0.5) -> float:
    """The ``q`` quantile of ``values``, pulled towards ``prior`` when there are few of them."""
    if not len(values):
        return prior
    n = len(values)
    return (n * float(np.quantile(values, q)) + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# a news dateline and credit: "VIENNA (Alpine Press) — ", "PORT-AU-PRINCE, Haiti (Wire) - "
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]*[A-Z.](?:, [A-Z][\w.]*)*\s*(?:\([^)]{1,40}\))?"
                       r"\s*(?:[—–]+|-{1,2}(?=\s))\s*")


LABEL_WORDS = 4  # a paragraph this short that is no sentence is a section label, not the lede
_SENTENCE_MARK = re.compile(r"[.!?…:;\"“”’)]\s*$|[.!?]\s")


def is_label(paragraph: str) -> bool:
    """A section label or kicker printed as a paragraph ("INDIA", "World news", "Analysis"):
    a few words and no sentence."""
    words = paragraph.split()
    return 0 < len(words) <= LABEL_WORDS and not _SENTENCE_MARK.search(paragraph)


def lede_split(a: Article) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The lede and the body paragraphs after it. The lede is the first LEAD_PARAGRAPHS
    paragraphs, not counting a section label printed as a paragraph or a repeat of the
    standfirst (pages often print it again after the label), without their dateline (a place
    and a credit, not what the page is about)."""
    paras = a.paragraphs
    lede: list[str] = []
    i = 0
    while i < len(paras) and len(lede) < LEAD_PARAGRAPHS:
        p = paras[i]
        i += 1
        if not (is_label(p) or (a.description and _same(p, a.description))):
            lede.append(_DATELINE.sub("", p, count=1))
    return tuple(lede), paras[i:]


def head_text(a: Article) -> str:
    """Headline, standfirst and lede: what an article is about."""
    lede, _ = lede_split(a)
    return "\n".join(x for x in (a.title, a.description, *lede) if x)


@dataclass(frozen=True)
class Calibration:
    """Typical raw similarity of pages that cannot be the story and of pages that surely are."""

    off: float
    on: float
    n_off: int
    n_on: int

    def scale(self, sim: float) -> float:
        return float(min(1.0, max(0.0, (sim - self.off) / max(0.02, self.on - self.off))))


class RelevanceModel:
    """Scores articles against one story; build once per run, then call :meth:`judge`.

    ``definition``: the seeds and description (the anchor); ``accepted``: articles recent digests
    carried; ``background``: other recent texts (what the story is not, mostly), used to weigh
    words and to calibrate; ``rejected``: pages a reader marked "not the story"; ``verdicts``: a
    reader's verdicts by canonical URL, which decide those pages. The story's slug or file names
    never enter: only texts do.
    """

    def __init__(self, settings: RelevanceSettings, definition: Sequence[ProfileDoc],
                 accepted: Sequence[ProfileDoc] = (), background: Sequence[str] = (),
                 language: str = "english", rejected: Sequence[ProfileDoc] = (),
                 verdicts: Mapping[str, bool] | None = None, title: str = "",
                 derived: Callable[[Callable[[str, str], Any], str, str], Any] | None = None
                 ) -> None:
        self.settings = settings
        self.definition = tuple(p for p in definition if p.text.strip())
        self.accepted = tuple(p for p in accepted if p.text.strip())
        self.background = tuple(background)
        self.rejected = tuple(p for p in rejected if p.text.strip())  # marked "not the story"
        self.verdicts = dict(verdicts or {})  # canonical URL -> a reader's verdict
        # fn(text, language) shared with the other stories of a crawl (Crawl.derived), or direct
        self._derived = derived or (lambda fn, text, language: fn(text, language))
        self.language = language
        # without required concepts, the title's names stand in for them: they say what a page
        # is about (headline, lede, how many paragraphs); a page lacking them is not left out for
        # that alone, one naming half of them only in passing is
        implied = () if settings.require else implied_concepts(
            title, [p.text for p in self.definition], language)
        self._implied = bool(implied)
        # an acronym and the name it stands for are one term where the definition writes both
        groups = acronyms.spelled(settings.require or implied, [p.text for p in self.definition])
        self._groups = tuple(_compile(g) for g in groups)
        # "Hyundai" of "Hyundai Motor" does not name the story in "Hyundai Heavy Industries"
        self._forms = short_forms(groups, [p.text for p in self.definition])
        self._fast = tuple(tuple(f[2][0] for f in g if f[2] is not None) if all(f[2] for f in g)
                           else None for g in self._groups)
        self._extra = _compile(settings.terms)
        self._exclude = _compile(settings.exclude)
        self._not_about = _compile(settings.not_about)
        # each definition and accepted text's names, read once (the second look asks again)
        self._defined_names = {k for p in self.definition
                               for k in entities.names(p.text, self.language)}
        self._accepted_names = [set(entities.names(p.text[:3000], self.language))
                                for p in self.accepted]
        self._names = self._story_names()
        # the required concepts written as names ("Rosetta", "Hanjin"): the story's own name
        self._named = tuple(g for g in self._groups if all(t[:1].isupper() for t, _, _ in g))
        # two or more required concepts, each written as names: the story's actors ("Bayer" and
        # "Monsanto"), or the title's names standing in for them
        self._actors = len(self._groups) > 1 and len(self._named) == len(self._groups)

    # -- the story's names ------------------------------------------------------------------

    def _story_names(self, more: Sequence[Mapping[str, Any]] = ()) -> dict[str, float]:
        """Names of the definition (weight 1) and names most accepted articles share (0.5);
        ``more``: the names leading the day's sure pages, which count as accepted ones."""
        out = dict.fromkeys(self._defined_names, 1.0)
        found = [*self._accepted_names, *(set(names) for names in more)]
        if found:
            seen: Counter[str] = Counter()
            for names in found:
                seen.update(names)
            need = max(2, len(found) // 3)  # one borderline acceptance adds nothing
            for k, c in seen.items():
                if c >= need:
                    out.setdefault(k, 0.5)
        return out

    # -- judging ----------------------------------------------------------------------------

    def judge(self, articles: Sequence[Article]) -> list[Judgement]:
        """One judgement per article, in order.

        Two passes over the day: the second adds the day's sure pages (kept, every concept up
        front, text at least :data:`SURE_TEXT` of the way to the story) to the accepted
        articles that refine the profile, and keeps a page the first pass left out when it now
        belongs (pseudo-relevance feedback, as adaptive topic tracking does). It only adds: a
        page the first pass kept stays kept, and a borderline page never refines anything."""
        if not articles:
            return []
        n = len(articles)
        heads = [head_text(a) for a in articles]
        # each page's whole text is built when its terms are wanted, never all at once (a copy
        # of every page's text: 50 MB at 8,000 pages)
        fulls = (f"{a.title}\n{a.description}\n{a.text}" for a in articles)
        nd, nc, nr = len(self.definition), len(self.accepted), len(self.rejected)
        profile_docs = self.definition + self.accepted + self.rejected
        docs = (self._derived(_terms, t, self.language)
                for t in chain(fulls, heads, (p.text for p in profile_docs), self.background))
        m = textvec.tfidf(docs)
        o = 2 * n
        day = _Day(full=m[:n], head=m[n:o], defn=m[o:o + nd], acc=m[o + nd:o + nd + nc],
                   bg=m[o + nd + nc + nr:],
                   head_names=[self._derived(entities.names, h, self.language) for h in heads],
                   concept=[self._concepts(a) for a in articles])
        rej = m[o + nd + nc:o + nd + nc + nr]
        to_rej = (textvec.cosine_rows(day.full, rej, lambda sims: sims.max(axis=1)) if nr
                  else np.zeros(n))
        first = self._pass(articles, day, to_rej, [], self._names)
        out = [first.one(i) for i in range(n)]
        sure = [i for i, (a, j, c) in enumerate(zip(articles, out, day.concept, strict=True))
                if j.relevant and first.text(i) >= SURE_TEXT and (c.in_head or not self._groups)
                and a.canonical_url not in self.verdicts]
        if sure and not all(j.relevant for j in out):
            sure = sorted(sorted(sure, key=first.text, reverse=True)[:SURE_MOST])
            names = self._story_names([day.head_names[i] for i in sure])
            second = self._pass(articles, day, to_rej, sure, names)
            for i, j in enumerate(out):
                if not j.relevant:
                    again = second.one(i)
                    if again.relevant:
                        out[i] = again
        for i, story in self._copies(articles, out, day.concept, to_rej, day.full,
                                     day.acc).items():
            out[i] = first.one(i, story)
        return out

    def _pass(self, articles: Sequence[Article], day: _Day, to_rej: np.ndarray,
              sure: Sequence[int], names: Mapping[str, float]) -> _Pass:
        """The day's articles measured against the profile refined by the accepted articles
        and the day's ``sure`` pages (row numbers of ``articles``)."""
        acc = sparse.vstack([day.acc, day.full[list(sure)]]).tocsr() if sure else day.acc
        profile, acc_weight = self._profile(day.defn, acc)
        known = sparse.vstack([day.defn, acc]).tocsr() if acc.shape[0] else day.defn
        s_full = np.asarray(day.full @ profile).ravel()
        s_head = np.asarray(day.head @ profile).ravel()
        # one pass over the pages' cosines to the story texts: the KNN-th and the nearest
        knn, nearest = self._knn_nearest(day.full, known, [
            p.label for p in self.definition + self.accepted] + [articles[i].url for i in sure])
        # like the story as a whole, or like KNN of its texts
        raw = np.maximum((s_full + s_head) / 2, knn)
        s_bg = (np.maximum(np.asarray(day.bg @ profile).ravel(), _knn(day.bg, known))
                if day.bg.shape[0] else np.zeros(0))
        # the accepted articles that shaped the profile also say what the story looks like
        s_acc = (np.asarray(acc @ profile).ravel()[acc_weight >= 0.5] if acc.shape[0]
                 else np.zeros(0))
        calib = self._calibrate(raw, day.concept, s_bg, s_acc)
        name_share = self._name_shares(day.head_names, names)
        return _Pass(self, articles, day, to_rej, raw, calib, name_share,
                     self._calibrate_names(name_share, day.concept), nearest)

    def _copies(self, articles: Sequence[Article], out: Sequence[Judgement],
                concept: Sequence[_Concepts], to_rej: np.ndarray, full_m, acc) -> dict[int, str]:
        """Rejected pages that are copies of a story article (the page's text mostly contained in
        the article's, as dedup measures it), with that article's label: a copy is the same
        article, even one trimmed of the only word a required concept had ("Pakistan" cut from
        a syndicated report). TF-IDF cosine proposes the pairs, word shingles decide, as in
        dedup."""
        cands = [i for i, (a, j, c) in enumerate(zip(articles, out, concept, strict=True))
                 if not j.relevant and not c.not_about
                 and a.canonical_url not in self.verdicts and to_rej[i] < REJECTED_SIMILAR]
        mine = [i for i, j in enumerate(out) if j.relevant]
        if not cands or not (mine or self.accepted):
            return {}
        story = sparse.vstack([full_m[mine], acc]).tocsr() if acc.shape[0] else full_m[mine]
        texts = [articles[i].text for i in mine] + [p.text for p in self.accepted]
        labels = [articles[i].url for i in mine] + [p.label for p in self.accepted]
        # story texts' shingles kept hashed (shingleset.py): the strings of ~1,000 story
        # articles took 90 MB; a pair the hashes cannot rule out is decided on the strings
        hashed: dict[int, shingleset.Hashed] = {}
        again = functools.lru_cache(maxsize=32)(lambda k: shingles(texts[k], dedup.SHINGLE))

        def sh(k: int) -> shingleset.Hashed:
            if k not in hashed:
                hashed[k] = shingleset.hashed(shingles(texts[k], dedup.SHINGLE))
            return hashed[k]

        found: dict[int, str] = {}
        for start, sims in textvec.cosine_blocks(full_m[cands], story):  # never all at once
            for row, i in enumerate(cands[start:start + len(sims)]):
                near = np.flatnonzero(sims[row] >= dedup.LSH_THRESHOLD)
                if not len(near):
                    continue
                mine_sh = shingles(articles[i].text, dedup.SHINGLE)
                if not mine_sh:
                    continue
                page = shingleset.hashed(mine_sh)
                for k in near[np.argsort(-sims[row][near])]:
                    bound = shingleset.shared_at_most(page, sh(int(k)))
                    if bound is not None and bound / len(mine_sh) < dedup.CONTAINMENT:
                        continue  # too few shared shingles even counting every shared hash
                    # most of the page's own text is the story article's (so a round-up that
                    # quotes a whole story article among other news is no copy of it)
                    if len(mine_sh & again(int(k))) / len(mine_sh) >= dedup.CONTAINMENT:
                        found[i] = labels[int(k)]
                        break
        return found

    def _profile(self, defn, acc) -> tuple[np.ndarray, np.ndarray]:
        """The story's profile, and the weight each accepted article had in it.

        An accepted article counts in proportion to how close it is to the anchor, relative to
        the other accepted articles (at most 1): an acceptance far from the definition, such as
        a borderline one, barely moves the profile."""
        weights = np.ones(acc.shape[0])
        anchor = _unit(np.asarray(defn.mean(axis=0)).ravel()) if defn.shape[0] else None
        if not acc.shape[0]:
            return (anchor if anchor is not None else np.zeros(defn.shape[1])), weights
        if anchor is None:
            return _unit(np.asarray(acc.mean(axis=0)).ravel()), weights
        near = np.asarray(acc @ anchor).ravel()
        typical = float(np.median(near))
        if typical > 0:
            weights = np.clip(near / typical, 0.0, 1.0) ** 2
        refine = _unit(np.asarray(acc.multiply(weights[:, None]).sum(axis=0)).ravel())
        return _unit(anchor + ACCEPTED_WEIGHT * float(weights.mean()) * refine), weights

    def _lacks(self, c: _Concepts) -> bool:
        """A required concept is nowhere in the page (the title's names, standing in for
        required concepts, never leave a page out by themselves)."""
        return bool(c.missing) and not self._implied

    def _titled(self, a: Article) -> bool:
        """The headline names the story by one of its required names."""
        title = mask_other_entities(a.title, self._forms, title=True)
        return any(pat.search(title) for group in self._named for _, pat, _ in group)

    def _has_all(self, text: str) -> bool:
        """Every required concept has a word somewhere in ``text`` (a loose, fast test)."""
        low = _fold(text)
        return all(fast is None or any(w in low for w in fast) for fast in self._fast)

    def _calibrate(self, raw: np.ndarray, concept: Sequence[_Concepts], s_bg: np.ndarray,
                   s_acc: np.ndarray) -> Calibration:
        if self._groups:
            off = [float(x) for x, c in zip(raw, concept, strict=True) if c.missing]
            off += [float(x) for x, t in zip(s_bg, self.background, strict=False)
                    if not self._has_all(t)]
            on = [float(x) for x, c in zip(raw, concept, strict=True) if c.in_head]
        else:  # no concept says what cannot be the story: the lower half of the day is not
            everything = np.concatenate([raw, s_bg])
            off = [float(x) for x in everything if x <= np.median(everything)]
            on = [float(x) for x in raw if x > np.quantile(everything, 0.9)]
        on += [float(x) for x in s_acc]
        lo = _centre(off, PRIOR_OFF)
        # "sure" pages may include a sibling story: their upper quartile; the day's top tenth
        # without concepts is extreme already (the seed's own report among it): its median
        hi = _centre(on, max(PRIOR_ON, lo + 0.05), ON_QUANTILE if self._groups else 0.5)
        return Calibration(off=lo, on=max(hi, lo + 0.02), n_off=len(off), n_on=len(on))

    def _calibrate_names(self, shares: Sequence[float | None],
                         concept: Sequence[_Concepts]) -> Calibration:
        """Typical share of story names in the lead of pages that cannot be the story and of
        pages that surely are: a story defined in one sentence has few names to share."""
        off = [x for x, c in zip(shares, concept, strict=True) if x is not None and c.missing]
        on = [x for x, c in zip(shares, concept, strict=True) if x is not None and c.in_head]
        if not self._groups:
            on = [x for x in shares if x is not None]
            on = [x for x in on if x >= np.median(on)] if on else []
        lo = _centre(off, PRIOR_NAMES_OFF)
        hi = _centre(on, PRIOR_NAMES_ON, ON_QUANTILE)
        return Calibration(off=lo, on=max(hi, lo + 0.05), n_off=len(off), n_on=len(on))

    def _name_shares(self, found: Sequence[Mapping[str, Any]], names: Mapping[str, float]
                     ) -> list[float | None]:
        """Each page's share of story ``names`` among the names ``found`` in its lead."""
        df: Counter[str] = Counter()
        for f in found:
            df.update(f.keys())
        n = len(found)
        out: list[float | None] = []
        for f in found:
            if not f:
                out.append(None)
                continue
            total = mine = 0.0
            for k in f:
                w = math.log((1 + n) / (1 + df[k])) + 1.0
                total += w
                mine += w * names.get(k, 0.0)
            out.append(mine / total)
        return out

    @staticmethod
    def _knn_nearest(rows, known, labels: Sequence[str]
                     ) -> tuple[np.ndarray, list[tuple[str | None, float]]]:
        """:func:`_knn` of each row, and the label and cosine of its nearest story text
        (``labels``: one per row of ``known``), from one pass over the cosines."""
        if not known.shape[0] or not rows.shape[0]:
            return np.zeros(rows.shape[0]), [(None, 0.0)] * rows.shape[0]
        k = min(KNN, known.shape[0])
        got = textvec.cosine_rows(rows, known, lambda sims: np.column_stack(
            [np.partition(sims, -k, axis=1)[:, -k], sims.argmax(axis=1), sims.max(axis=1)]))
        return got[:, 0], [(labels[int(i)], float(v)) for i, v in got[:, 1:]]

    def _concepts(self, a: Article) -> _Concepts:
        lede, body = lede_split(a)
        title, description = a.title, a.description
        if self._forms:  # another company's name that starts like the story's is not it
            title = mask_other_entities(title, self._forms, title=True)
            description = mask_other_entities(description, self._forms)
            lede = tuple(mask_other_entities(p, self._forms) for p in lede)
            body = tuple(mask_other_entities(p, self._forms) for p in body)
        head = "\n".join((title, description, *lede))
        fh = _fold(head)
        fb = [_fold(p) for p in body]
        body_text, fb_all = "\n".join(body), "\n".join(fb)
        starts = list(accumulate((len(p) + 1 for p in body[:-1]), initial=0))
        strengths, matched, missing, passing, in_head = [], [], [], [], True
        for group in self._groups:
            _, found_h = _weighted_hits(group, head, "", "", (fh, "", "", fh))
            # only the terms with a word in the body can be in one of its paragraphs
            present = tuple(t for t in group if t[2] is None or t[2][0] in fb_all)
            n_body = 0
            if found_h and present:  # the paragraphs no longer matter, only the terms
                _, found_b = _weighted_hits(present, body_text, "", "",
                                            (fb_all, "", "", fb_all))
                matched.extend(found_b)
            elif present:  # which paragraphs: one search of the body per term
                hit_paras: set[int] = set()
                for term, pat, fast in present:
                    found = [bisect_right(starts, m.start()) for m in
                             (fast[1].finditer(fb_all) if fast else pat.finditer(body_text))]
                    if found:
                        hit_paras.update(found)
                        matched.append(term)
                n_body = len(hit_paras)
            matched.extend(found_h)
            if found_h:
                strengths.append(1.0)
            else:
                in_head = False
                strengths.append(min(1.0, n_body / SPREAD))
                if not n_body:
                    missing.append(group[0][0])
                elif n_body == 1 and len(body) > 1:
                    passing.append(group[0][0])
        text, ft = f"{head}\n{body_text}", f"{fh}\n{fb_all}"
        _, extra = _weighted_hits(self._extra, text, "", "", (ft, "", "", ft))
        excl, excluded = _weighted_hits(self._exclude, text, "", "", (ft, "", "", ft))
        _, off_head = _weighted_hits(self._not_about, head, "", "", (fh, "", "", fh))
        return _Concepts(strength=float(np.mean(strengths)) if strengths else None,
                         matched=tuple(dict.fromkeys(matched + extra)), missing=tuple(missing),
                         in_head=bool(self._groups) and in_head, passing=tuple(passing),
                         excluded=tuple(excluded),
                         exclude_hits=excl, not_about=tuple(off_head))

    def _judge_one(self, a: Article, raw: float, calib: Calibration, c: _Concepts,
                   names: float | None, names_calib: Calibration,
                   nearest: tuple[str | None, float], to_rejected: float,
                   copy_of: str | None = None) -> Judgement:
        s = self.settings
        if a.canonical_url in self.verdicts:
            yes = self.verdicts[a.canonical_url]
            return Judgement(relevant=yes, score=1.0 if yes else 0.0,
                             why=f"a reader marked it {'the story' if yes else 'not the story'} "
                                 "(digest feedback)", nearest=nearest[0])
        sim = calib.scale(raw)
        name_part = 0.5 if names is None else names_calib.scale(names)
        if self._actors and c.in_head:  # every actor up front: other names (the critics,
            name_part = max(name_part, 0.5)  # regulators, banks it quotes) do not count against
        elif not c.missing and not c.passing and self._titled(a):
            name_part = max(name_part, 0.5)  # the headline names the story: its place or
            # people (a ground station's town, a record shop) do not count against it
        concept_part = sim if c.strength is None else c.strength
        score = SIM * sim + CONCEPTS * concept_part + NAMES * name_part
        if c.exclude_hits:
            score -= min(0.3, 0.05 * c.exclude_hits)
        score = max(0.0, min(1.0, score))
        taught = to_rejected >= REJECTED_SIMILAR and to_rejected > nearest[1]
        # a sibling story: other actors lead it, and the story's concepts are not all up front
        # (without required concepts, a text at least halfway to the story's says otherwise)
        other_names = (names is not None and name_part < SIBLING_NAMES and not c.in_head
                       and not (c.strength is None and sim >= SIBLING_TEXT))
        # a concept named in one paragraph only, in a text not clearly the story's: in passing
        # (the title's names, standing in for concepts, are in passing when at least half of
        # them are named once or not at all: "MH17" and "Russia" up front with "Buk" once is the
        # story; "Singapore" up front with "Zika" once is not)
        in_passing = (bool(c.passing) and sim < PASSING_TEXT
                      and (not self._implied
                           or 2 * (len(c.passing) + len(c.missing)) >= len(self._groups)))
        # names and terms alone, in a text hardly more like the story than the day's others
        unlike = sim < TEXT_FLOOR
        relevant = copy_of is not None or (
            not self._lacks(c) and not in_passing and not unlike
            and score >= s.threshold and raw >= s.min_similarity
            and not c.not_about and not taught and not other_names)

        terms = ", ".join(c.matched) or "no story terms"
        parts = [f"a copy of story article {copy_of}"] if copy_of else []
        parts += [f"terms: {terms}",
                  f"similarity {raw:.2f} (story pages here ~{calib.on:.2f}, others "
                  f"~{calib.off:.2f})",
                  "story names: " + ("none in the headline or lede" if names is None
                                     else f"{names:.0%} of the headline and lede's (story pages "
                                          f"here ~{names_calib.on:.0%}, others "
                                          f"~{names_calib.off:.0%})")]
        if c.strength is not None:
            parts.append(f"concepts {c.strength:.0%} in headline, lede or several paragraphs")
        if nearest[0]:
            parts.append(f"nearest: {nearest[0]} ({nearest[1]:.2f})")
        if c.excluded:
            parts.append(f"off-story terms: {', '.join(c.excluded)}")
        if not relevant:
            reasons = [(self._lacks(c), f"missing concept: {', '.join(c.missing)}"),
                       (in_passing, f"in passing: {', '.join(c.passing)} named in one "
                                    "paragraph only, not in the headline or lede"),
                       (bool(c.not_about), f"not about: {', '.join(c.not_about)}"),
                       (raw < s.min_similarity, "too unlike the story"),
                       (unlike, "its text is hardly more like the story than the day's other "
                                "pages"),
                       (score < s.threshold, f"score below threshold {s.threshold:.2f}"),
                       (other_names, "led by other names: another story"),
                       (taught, f"like a page marked not the story ({to_rejected:.2f})")]
            parts.extend(text for failed, text in reasons if failed)
        return Judgement(relevant=relevant, score=round(score, 3), why="; ".join(parts),
                         matched_terms=c.matched, nearest=nearest[0])


@dataclass(frozen=True)
class _Day:
    """One :meth:`RelevanceModel.judge` call's texts as TF-IDF rows, and each page's concepts."""

    full: Any  # the pages' whole texts
    head: Any  # their headline, standfirst and lede
    defn: Any  # the definition's texts
    acc: Any  # the accepted articles'
    bg: Any  # the background's
    head_names: Sequence[Mapping[str, Any]]  # the names in each page's headline and lede
    concept: Sequence[_Concepts]


@dataclass(frozen=True)
class _Pass:
    """What one pass over the day measured: enough to judge any of its pages."""

    model: RelevanceModel
    articles: Sequence[Article]
    day: _Day
    to_rej: np.ndarray
    raw: np.ndarray
    calib: Calibration
    name_share: Sequence[float | None]
    names_calib: Calibration
    nearest: Sequence[tuple[str | None, float]]

    def text(self, i: int) -> float:
        """How far page ``i``'s text is from the day's others towards the story (0 to 1)."""
        return self.calib.scale(float(self.raw[i]))

    def one(self, i: int, copy_of: str | None = None) -> Judgement:
        return self.model._judge_one(
            self.articles[i], float(self.raw[i]), self.calib, self.day.concept[i],
            self.name_share[i], self.names_calib, self.nearest[i], float(self.to_rej[i]), copy_of)


@dataclass(frozen=True)
class _Concepts:
    strength: float | None  # None: the story has no required concepts
    matched: tuple[str, ...]
    missing: tuple[str, ...]  # required concepts with no term anywhere
    in_head: bool  # every required concept in the headline, standfirst or lede
    passing: tuple[str, ...]  # required concepts named in one body paragraph only, not up front
    excluded: tuple[str, ...]
    exclude_hits: float
    not_about: tuple[str, ...]  # ``not_about`` phrases in the headline, standfirst or lede
