"""Vectorised sentence features shared by the project's summarizers: stems, concepts, TF-IDF.

Everything is computed once per call with numpy/scipy sparse matrices, so a busy day's 2,000
sentences cost milliseconds, not the pure-Python pairwise loops of sumy's graph methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sumy.nlp.stemmers import Stemmer, null_stemmer

from digest.text.tokenize import split_words
from digest.text.vec import stop_words

Concept = tuple[str, str]


@lru_cache(maxsize=16)
def stemmer_for(language: str) -> Callable[[str], str]:
    """A cached snowball stemmer (sumy's, via nltk.stem: no downloads), or lower-casing."""
    try:
        stem = Stemmer(language)
    except LookupError:
        stem = null_stemmer
    return lru_cache(maxsize=100_000)(lambda word: stem(word.lower()))


@lru_cache(maxsize=16)
def stemmed_stop_words(language: str) -> frozenset[str]:
    """Stop words and their stems (concepts are made of stems)."""
    stem = stemmer_for(language)
    words = stop_words(language)
    return frozenset(words | {stem(w) for w in words})


class TermIndex:
    """Stems of each text, its content stems (no stop words) and its bigram concepts."""

    def __init__(self, texts: Sequence[str], language: str = "english") -> None:
        stem = stemmer_for(language)
        stops = stop_words(language)
        self.language = language
        self.stems: list[list[str]] = []
        self.content: list[list[str]] = []
        self.concepts: list[set[Concept]] = []
        for text in texts:
            words = [w.lower() for w in split_words(text)]
            stems = [stem(w) for w in words]
            is_stop = [w in stops for w in words]
            self.stems.append(stems)
            self.content.append([s for s, stop in zip(stems, is_stop, strict=True) if not stop])
            self.concepts.append(
                {
                    (stems[i], stems[i + 1])
                    for i in range(len(stems) - 1)
                    if not (is_stop[i] and is_stop[i + 1])
                }
            )

    def __len__(self) -> int:
        return len(self.stems)


def tfidf_matrix(
    docs: Sequence[Sequence[str]], vocabulary: dict[str, int] | None = None
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Rows of L2-normalised TF-IDF (smoothed idf over the rows); returns the vocabulary too."""
    vocab: dict[str, int] = dict(vocabulary or {})
    rows: list[int] = []
    cols: list[int] = []
    for r, terms in enumerate(docs):
        for term in terms:
            col = vocab.get(term)
            if col is None:
                if vocabulary is not None:
                    continue
                col = vocab[term] = len(vocab)
            rows.append(r)
            cols.append(col)
    tf = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(docs), max(len(vocab), 1))
    )
    tf.sum_duplicates()
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    matrix = tf.multiply(idf[None, :]).tocsr()
    return normalize_rows(matrix), vocab


def normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def cosine_matrix(index: TermIndex, others: Iterable[Sequence[str]] = ()) -> sp.csr_matrix:
    """Pairwise cosine of the index's texts (content stems); ``others`` are appended rows."""
    docs = list(index.content) + [list(o) for o in others]
    matrix, _ = tfidf_matrix(docs)
    return sp.csr_matrix(matrix @ matrix.T)


def cross_cosine(
    texts: Sequence[str], others: Sequence[str], language: str = "english"
) -> sp.csr_matrix:
    """Cosine between each of ``texts`` (rows) and each of ``others`` (columns), TF-IDF fitted
    on both together; texts with no content words are similar to nothing."""
    index = TermIndex(list(texts) + list(others), language)
    matrix, _ = tfidf_matrix(index.content)
    a = matrix[: len(texts)]
    b = matrix[len(texts) :]
    return sp.csr_matrix(a @ b.T)
