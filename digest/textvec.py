"""Bag-of-words vectors for comparing articles: terms, TF-IDF matrices, cosine similarity.

Shared by relevance (similarity to the story) and deduplication (shingles). Pure functions over
strings; numpy/scipy do the arithmetic so a busy day of thousands of articles stays fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)


@lru_cache(maxsize=4)
def _stop_words(language: str) -> frozenset[str]:
    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset()


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer:
    return Stemmer(language)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters first; hyphenated words and apostrophes kept)."""
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


def terms(text: str, language: str = "english") -> list[str]:
    """Stemmed content words: stop words and one-letter tokens removed."""
    stop = _stop_words(language)
    stem = _stem_cached
    return [stem(w, language) for w in words(text) if len(w) > 1 and w not in stop]


@lru_cache(maxsize=200_000)
def _stem_cached(word: str, language: str) -> str:
    return _stemmer(language)(word)


def shingles(text: str, size: int = 5) -> set[str]:
    """Word n-grams of the raw word sequence (stop words kept: wire copy matches verbatim)."""
    toks = words(text)
    if len(toks) < size:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + size]) for i in range(len(toks) - size + 1)}


def tfidf(docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """Row-normalised sublinear TF-IDF matrix of term lists (smoothed IDF over ``docs``)."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    df: Counter[int] = Counter()
    for i, doc in enumerate(docs):
        counts = Counter(vocab.setdefault(t, len(vocab)) for t in doc)
        df.update(counts.keys())
        for j, c in counts.items():
            rows.append(i)
            cols.append(j)
            vals.append(1.0 + math.log(c))
    n = len(docs)
    idf = np.zeros(len(vocab))
    for j, d in df.items():
        idf[j] = math.log((1 + n) / (1 + d)) + 1.0
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)))
    m = m.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(m.multiply(1.0 / norms[:, None]))


def cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """Dense matrix of cosine similarities between the rows of two row-normalised matrices."""
    return np.asarray((a @ b.T).todense())
