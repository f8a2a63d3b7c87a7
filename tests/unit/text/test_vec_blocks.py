"""Cosines reduced a block of rows at a time give what the whole dense matrix gives."""

from __future__ import annotations

import numpy as np
import pytest

from digest.text import vec


def _matrices() -> tuple:
    texts = [f"truce {i} aid convoy aleppo {'strike ' * (i % 4)} geneva talks {i % 7}"
             for i in range(23)]
    m = vec.tfidf(vec.terms(t, "english") for t in texts)
    return m[:17], m[17:]


@pytest.mark.parametrize("block", [1, 4, 17, 512])
def test_blocked_reductions_equal_the_whole_matrix(monkeypatch, block):
    monkeypatch.setattr(vec, "COSINE_BLOCK", block)
    a, b = _matrices()
    whole = vec.cosine(a, b)
    k = 3
    kth = vec.cosine_rows(a, b, lambda s: np.partition(s, -k, axis=1)[:, -k])
    assert np.array_equal(kth, np.sort(whole, axis=1)[:, -k])
    best = vec.cosine_rows(a, b, lambda s: np.column_stack([s.argmax(axis=1), s.max(axis=1)]))
    assert np.array_equal(best[:, 0].astype(int), whole.argmax(axis=1))
    assert np.array_equal(best[:, 1], whole.max(axis=1))


def test_no_rows_give_an_empty_reduction():
    a, b = _matrices()
    out = vec.cosine_rows(a[:0], b, lambda s: s.max(axis=1))
    assert out.shape == (0,)
