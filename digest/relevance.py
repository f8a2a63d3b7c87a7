"""Does an article belong to the story? A score in [0, 1] and a reason a person can read.

Two kinds of evidence, both from the article's extracted title and text (never page chrome):

* **story terms**: the config's ``require`` groups (every group names one concept of the story,
  e.g. the place and the truce) weighted by prominence: a hit in the title counts more than one in
  the lead, which counts more than a passing mention deep in the text;
* **similarity to the story itself**: TF-IDF cosine to the story profile — the seed articles, the
  config's description and the articles earlier digests accepted — so the story can drift
  (Deir ez-Zor, then Urum al-Kubra, then Aleppo) without anyone editing keywords.

An article joins when the combined score reaches ``threshold`` and its similarity to the story
reaches ``min_similarity``; or when it is very close to a story article already accepted (the
story's newest turn) and names at least one of the story's concepts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import textvec
from .config import RelevanceSettings
from .models import Article, Judgement

TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
LEAD_PARAGRAPHS = 2
SATURATION = 4.0  # weighted hits at which a concept counts as fully present
SIMILARITY_SCALE = 0.30  # cosine to the profile that counts as full similarity
NEIGHBOUR_SIMILARITY = 0.45  # cosine to one accepted story article that admits on its own


@dataclass(frozen=True)
class ProfileDoc:
    """One text that defines the story: a seed, the description, or an accepted article."""

    label: str  # a URL or a file name, shown in ``why``
    text: str


def _pattern(term: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s\-‐‑–]+", term.strip()) if p]
    body = r"[\s\-‐‑–]*".join(parts)
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class _Terms:
    groups: tuple[tuple[tuple[str, re.Pattern[str]], ...], ...]
    extra: tuple[tuple[str, re.Pattern[str]], ...]
    exclude: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def build(cls, s: RelevanceSettings) -> _Terms:
        def comp(ts: Sequence[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
            return tuple((t, _pattern(t)) for t in ts if t.strip())
        return cls(tuple(comp(g) for g in s.require), comp(s.terms), comp(s.exclude))


def _weighted_hits(patterns: Sequence[tuple[str, re.Pattern[str]]], title: str,
                   lead: str, body: str) -> tuple[float, list[str]]:
    total, found = 0.0, []
    for term, pat in patterns:
        n = (TITLE_WEIGHT * len(pat.findall(title)) + LEAD_WEIGHT * len(pat.findall(lead))
             + BODY_WEIGHT * len(pat.findall(body)))
        if n:
            total += n
            found.append(term)
    return total, found


class RelevanceModel:
    """Scores articles against one story; build once per run, call :meth:`judge`."""

    def __init__(self, settings: RelevanceSettings, profile: Sequence[ProfileDoc],
                 language: str = "english") -> None:
        self.settings = settings
        self.profile = tuple(p for p in profile if p.text.strip())
        self.language = language
        self._terms = _Terms.build(settings)

    @cached_property
    def _profile_terms(self) -> list[list[str]]:
        return [textvec.terms(p.text, self.language) for p in self.profile]

    def judge(self, articles: Sequence[Article]) -> list[Judgement]:
        """One judgement per article, in order."""
        if not articles:
            return []
        docs = [textvec.terms(f"{a.title}\n{a.title}\n{a.text}", self.language) for a in articles]
        sims, nearest = self._similarities(docs)
        return [self._judge_one(a, sims[i], nearest[i]) for i, a in enumerate(articles)]

    def _similarities(self, docs: list[list[str]]) -> tuple[np.ndarray, list[tuple[float, int]]]:
        """Cosine of each article to the profile centroid, and to its nearest profile document."""
        n = len(docs)
        if not self.profile:
            return np.zeros(n), [(0.0, -1)] * n
        matrix = textvec.tfidf(docs + self._profile_terms)
        arts, prof = matrix[:n], matrix[n:]
        pair = textvec.cosine(arts, prof)  # n x p
        centroid = np.asarray(prof.mean(axis=0)).ravel()
        norm = np.linalg.norm(centroid) or 1.0
        to_centroid = np.asarray(arts @ (centroid / norm)).ravel()
        best = pair.argmax(axis=1)
        nearest = [(float(pair[i, j]), int(j)) for i, j in enumerate(best)]
        return to_centroid, nearest

    def _judge_one(self, a: Article, sim: float, nearest: tuple[float, int]) -> Judgement:
        s = self.settings
        paras = a.paragraphs
        lead = "\n".join(paras[:LEAD_PARAGRAPHS])
        body = "\n".join(paras[LEAD_PARAGRAPHS:])
        strengths, matched = [], []
        for group in self._terms.groups:
            hits, found = _weighted_hits(group, a.title, lead, body)
            strengths.append(min(1.0, hits / SATURATION))
            matched.extend(found)
        extra_hits, extra = _weighted_hits(self._terms.extra, a.title, lead, body)
        excl_hits, excluded = _weighted_hits(self._terms.exclude, a.title, lead, body)
        term_score = float(np.mean(strengths)) if strengths else 1.0
        term_score = min(1.0, term_score + 0.05 * min(extra_hits, 4.0))
        sim_score = min(1.0, sim / SIMILARITY_SCALE)
        score = 0.5 * term_score + 0.5 * sim_score
        if excl_hits:
            score -= min(0.3, 0.05 * excl_hits)
        near_sim, near_idx = nearest
        near_label = self.profile[near_idx].label if near_idx >= 0 else None
        all_groups = all(x > 0 for x in strengths)
        any_group = any(x > 0 for x in strengths) or not strengths

        by_score = score >= s.threshold and sim >= s.min_similarity and all_groups
        by_neighbour = near_sim >= NEIGHBOUR_SIMILARITY and any_group and score >= s.threshold - 0.2
        relevant = by_score or by_neighbour
        score = max(0.0, min(1.0, score))

        terms_txt = ", ".join(dict.fromkeys(matched + extra)) or "no story terms"
        parts = [f"terms: {terms_txt}",
                 f"similarity to story {sim:.2f}"]
        if near_label:
            parts.append(f"nearest story text {near_label} ({near_sim:.2f})")
        if excluded:
            parts.append(f"off-story terms: {', '.join(excluded)}")
        if not relevant:
            missing = [g[0][0] for g, x in zip(self._terms.groups, strengths, strict=True) if x == 0]
            if missing:
                parts.append(f"missing concept: {', '.join(missing)}")
            elif sim < s.min_similarity:
                parts.append("too unlike the story")
            else:
                parts.append("below threshold")
        elif by_neighbour and not by_score:
            parts.append("admitted as close to an accepted story article")
        return Judgement(relevant=relevant, score=round(score, 3), why="; ".join(parts),
                         matched_terms=tuple(dict.fromkeys(matched + extra)),
                         nearest=near_label)
