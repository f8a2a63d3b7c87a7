"""Bag-of-words vectors for comparing articles: terms, TF-IDF matrices, cosine similarity.

Shared by relevance (similarity to the story) and deduplication (shingles). Pure functions over
strings; numpy/scipy do the arithmetic so a busy day of thousands of articles stays fast.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset[str]:
    """sumy's stop words of ``language`` (none for a language it lacks); the project's one list."""
    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset()


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer:
    return Stemmer(language)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters first; hyphenated words and apostrophes kept)."""
    # ’ and ' are both inside WORD's middle class and neither ends a token, so replacing before
    # matching gives the same tokens as replacing in each token, in one pass over the text.
    return WORD.findall(text.lower().replace("’", "'"))


def terms(text: str, language: str = "english") -> list[str]:
    """Stemmed content words: stop words and one-letter tokens removed."""
    stop = stop_words(language)
    stem = _stems(language).__getitem__
    return [stem(w) for w in words(text) if len(w) > 1 and w not in stop]


STEM_CACHE = 200_000  # words per language whose stems are kept


class _Stems(dict[str, str]):
    """word -> stem, filled on first use (a dict lookup: far cheaper than ``lru_cache``)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.stemmer = _stemmer(language)

    def __missing__(self, word: str) -> str:
        if len(self) >= STEM_CACHE:
            self.clear()
        stem = self[word] = self.stemmer(word)
        return stem


@lru_cache(maxsize=4)
def _stems(language: str) -> _Stems:
    return _Stems(language)


def shingles(text: str, size: int = 5) -> set[str]:
    """Word n-grams of the raw word sequence (stop words kept: wire copy matches verbatim)."""
    toks = words(text)
    if len(toks) < size:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + size]) for i in range(len(toks) - size + 1)}


def tfidf(docs: Iterable[Sequence[str]]) -> sparse.csr_matrix:
    """Row-normalised sublinear TF-IDF matrix of term lists (smoothed IDF over ``docs``).

    ``docs`` may be a generator: each term list is counted and dropped, and the matrix is built
    from packed arrays, so memory stays small for thousands of articles."""
    vocab: dict[str, int] = {}
    indptr, cols, vals = array("q", [0]), array("i"), array("d")
    df: Counter[int] = Counter()
    log = math.log
    for doc in docs:
        counts = Counter(doc)  # first-occurrence order: term ids in order of first appearance
        ids = [vocab.setdefault(t, len(vocab)) for t in counts]
        df.update(ids)
        cols.extend(ids)
        vals.extend([1.0 + log(c) for c in counts.values()])
        indptr.append(len(cols))
    n = len(indptr) - 1
    idf = np.zeros(len(vocab))
    for j, d in df.items():
        idf[j] = math.log((1 + n) / (1 + d)) + 1.0
    m = sparse.csr_matrix((np.frombuffer(vals, dtype=np.float64),
                           np.frombuffer(cols, dtype=np.int32),
                           np.frombuffer(indptr, dtype=np.int64)), shape=(n, len(vocab)))
    del vals, cols, indptr, df  # the packed arrays go with the first matrix: one copy at a time
    m = m.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(m.multiply(1.0 / norms[:, None]))


def cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """Dense matrix of cosine similarities between the rows of two row-normalised matrices."""
    return np.asarray((a @ b.T).todense())


COSINE_BLOCK = 512  # rows of ``a`` per block in :func:`cosine_rows`


def cosine_rows(a: sparse.csr_matrix, b: sparse.csr_matrix,
                reduce: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``reduce`` of each row's cosines with the rows of ``b`` (one value or one row of values
    per row of ``a``), a block of rows at a time: the whole dense matrix (8,000 pages against
    2,000 story texts: 128 MB, and as much again for a sorted copy) is never held at once."""
    blocks = [reduce(sims) for _, sims in cosine_blocks(a, b)]
    return np.concatenate(blocks) if blocks else reduce(np.zeros((0, b.shape[0])))


def cosine_blocks(a: sparse.csr_matrix, b: sparse.csr_matrix
                  ) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, dense cosines) of each block of COSINE_BLOCK rows of ``a`` with ``b``."""
    for i in range(0, a.shape[0], COSINE_BLOCK):
        yield i, cosine(a[i:i + COSINE_BLOCK], b)
