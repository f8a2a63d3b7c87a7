"""Does an article belong to the story? A score in [0, 1] and a reason a person can read.

Two kinds of evidence, both from the article's extracted title and text (never page chrome):

* **similarity to the story itself** (TF-IDF cosine): to the story's definition (its seed
  articles and description) and to the centroid of the articles recent digests accepted, so the
  story can drift (Deir ez-Zor, then Urum al-Kubra, then Aleppo) without anyone editing keywords;
* **story concepts**: the config's ``require`` groups (each names one concept of the story, e.g.
  the place and the truce), weighted by prominence: a hit in the title counts more than one in the
  lead, which counts more than a passing mention deep in the text.

``score = SIM_WEIGHT * similarity + (1 - SIM_WEIGHT) * concepts``; an article belongs when every
concept is present, the score reaches ``threshold`` and the similarity reaches ``min_similarity``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from digest.config import RelevanceSettings
from digest.models import Article, Judgement
from digest.text import vec as textvec

TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
LEAD_PARAGRAPHS = 2
SATURATION = 4.0  # weighted hits at which a concept counts as fully present
DEFINITION_SCALE = 0.20  # cosine to the story's definition that counts as full similarity
ACCEPTED_SCALE = 0.35  # cosine to the accepted articles' centroid that counts as full similarity
SIM_WEIGHT = 0.7
COMBINE = max


@dataclass(frozen=True)
class ProfileDoc:
    """A text that defines the story: a seed, the description, or an accepted article."""

    label: str  # a URL or a file name, shown in ``why``
    text: str


def _pattern(term: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in _parts(term)]
    body = r"[\s\-‐‑–]*".join(parts)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _parts(term: str) -> list[str]:
    return [p for p in re.split(r"[\s\-‐‑–]+", term.strip()) if p]


# Fast, exact matching for ASCII terms. ``_fold`` maps the four non-ASCII letters that
# IGNORECASE equates with ASCII ones (Python's re documentation) and lower-cases. Checked over
# every code point: it keeps the length, keeps what is a word character and what the separator
# class matches, and a character folds to an ASCII letter exactly when IGNORECASE matches it to
# that letter. So a term's case-insensitive pattern matches a text exactly where its lower-case,
# case-sensitive pattern matches the folded text: same matches, same counts, and a plain
# substring test of the term's longest word rules most terms out before any regex runs.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLD_CHARS = re.compile("[\u0130\u0131\u017f\u212a]")


def _fold(text: str) -> str:
    if text.isascii() or not _FOLD_CHARS.search(text):
        return text.lower()
    return text.translate(_FOLD).lower()


def _folded_pattern(term: str) -> tuple[str, re.Pattern[str]] | None:
    """The term's longest word and its case-sensitive pattern for folded text (ASCII terms)."""
    parts = _parts(term)
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


@dataclass(frozen=True)
class _Similarity:
    to_definition: float
    to_accepted: float
    nearest: str | None
    nearest_sim: float
    has_accepted: bool = False

    @property
    def score(self) -> float:
        d = min(1.0, self.to_definition / DEFINITION_SCALE)
        if not self.has_accepted:
            return d
        a = min(1.0, self.to_accepted / ACCEPTED_SCALE)
        return COMBINE(d, a)


class RelevanceModel:
    """Scores articles against one story; build once per run, then call :meth:`judge`.

    ``definition``: the seeds and description; ``accepted``: articles recent digests carried;
    ``background``: other recent texts, used only to weigh words (inverse document frequency).
    """

    def __init__(self, settings: RelevanceSettings, definition: Sequence[ProfileDoc],
                 accepted: Sequence[ProfileDoc] = (), background: Sequence[str] = (),
                 language: str = "english") -> None:
        self.settings = settings
        self.definition = tuple(p for p in definition if p.text.strip())
        self.accepted = tuple(p for p in accepted if p.text.strip())
        self.background = tuple(background)
        self.language = language
        self._groups = tuple(_compile(g) for g in settings.require)
        self._extra = _compile(settings.terms)
        self._exclude = _compile(settings.exclude)

    def judge(self, articles: Sequence[Article]) -> list[Judgement]:
        """One judgement per article, in order."""
        if not articles:
            return []
        sims = self._similarities((f"{a.title}\n{a.text}" for a in articles), len(articles))
        return [self._judge_one(a, s) for a, s in zip(articles, sims, strict=True)]

    def _similarities(self, texts: Iterable[str], n: int) -> list[_Similarity]:
        nd = len(self.definition)
        profile = (p.text for p in self.definition + self.accepted)
        # one term list at a time: thousands of articles never sit in memory as term lists
        docs = (textvec.terms(t, self.language) for t in chain(texts, profile, self.background))
        m = textvec.tfidf(docs)
        arts = m[:n]
        defn = m[n:n + nd]
        acc = m[n + nd:n + nd + len(self.accepted)]
        to_def = textvec.cosine(arts, defn) if nd else np.zeros((n, 1))
        to_acc = textvec.cosine(arts, acc) if self.accepted else np.zeros((n, 0))
        centroid_sim = np.zeros(n)
        if self.accepted:
            c = np.asarray(acc.mean(axis=0)).ravel()
            norm = float(np.linalg.norm(c)) or 1.0
            centroid_sim = np.asarray(arts @ (c / norm)).ravel()
        out = []
        labels = [p.label for p in self.definition + self.accepted]
        both = np.hstack([to_def, to_acc]) if self.accepted else to_def
        for i in range(n):
            j = int(both[i].argmax()) if both.shape[1] else -1
            out.append(_Similarity(
                to_definition=float(to_def[i].max()) if nd else 0.0,
                to_accepted=float(centroid_sim[i]),
                nearest=labels[j] if 0 <= j < len(labels) else None,
                nearest_sim=float(both[i, j]) if j >= 0 else 0.0,
                has_accepted=bool(self.accepted)))
        return out

    def _judge_one(self, a: Article, sim: _Similarity) -> Judgement:
        s = self.settings
        paras = a.paragraphs
        lead = "\n".join(paras[:LEAD_PARAGRAPHS])
        body = "\n".join(paras[LEAD_PARAGRAPHS:])
        strengths, matched = [], []
        ft, fl, fb = _fold(a.title), _fold(lead), _fold(body)
        folded = (ft, fl, fb, f"{ft}\n{fl}\n{fb}")
        for group in self._groups:
            hits, found = _weighted_hits(group, a.title, lead, body, folded)
            strengths.append(min(1.0, hits / SATURATION))
            matched.extend(found)
        _, extra = _weighted_hits(self._extra, a.title, lead, body, folded)
        excl_hits, excluded = _weighted_hits(self._exclude, a.title, lead, body, folded)
        concepts = float(np.mean(strengths)) if strengths else 1.0
        score = SIM_WEIGHT * sim.score + (1 - SIM_WEIGHT) * concepts
        if excl_hits:
            score -= min(0.3, 0.05 * excl_hits)
        score = max(0.0, min(1.0, score))
        similarity = max(sim.to_definition, sim.to_accepted)
        missing = [g[0][0] for g, x in zip(self._groups, strengths, strict=True) if x == 0]
        relevant = not missing and score >= s.threshold and similarity >= s.min_similarity

        terms = ", ".join(dict.fromkeys(matched + extra)) or "no story terms"
        parts = [f"terms: {terms}",
                 f"similarity {sim.to_definition:.2f} to the story's definition, "
                 f"{sim.to_accepted:.2f} to recent story articles"]
        if sim.nearest:
            parts.append(f"nearest: {sim.nearest} ({sim.nearest_sim:.2f})")
        if excluded:
            parts.append(f"off-story terms: {', '.join(excluded)}")
        if not relevant:
            if missing:
                parts.append(f"missing concept: {', '.join(missing)}")
            elif similarity < s.min_similarity:
                parts.append("too unlike the story")
            else:
                parts.append(f"score below threshold {s.threshold:.2f}")
        return Judgement(relevant=relevant, score=round(score, 3), why="; ".join(parts),
                         matched_terms=tuple(dict.fromkeys(matched + extra)),
                         nearest=sim.nearest)
