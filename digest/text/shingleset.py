"""Word-shingle sets held small: a text's shingles as sorted 64-bit hashes, for telling whether
one text contains another (dedup, relevance's copies) without keeping every text's shingle strings.

A set of 600 shingle strings takes about 85 KB; the same set as hashes in an array takes 5 KB.
Hashes only rule pairs out: when no two shingles of either text share a hash, the hashes the two
texts share are at least the shingles they share, so a bound under the threshold is a sure "no";
anything else is decided on the shingle strings themselves (:func:`shared_at_most`), so results
are exactly those of comparing the string sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Hashed:
    """A text's distinct shingles as sorted, distinct hashes, and how many shingles there were."""

    hashes: np.ndarray  # int64, sorted, distinct
    size: int  # distinct shingles (more than len(hashes) when two shared a hash)

    @property
    def distinct(self) -> bool:
        """No two shingles share a hash."""
        return len(self.hashes) == self.size


def hashed(shingles: set[str]) -> Hashed:
    """The hashed form of a set of shingles (Python's string hash: the same within a process)."""
    h = np.fromiter(map(hash, shingles), dtype=np.int64, count=len(shingles))
    return Hashed(np.unique(h), len(shingles))


def shared_at_most(a: Hashed, b: Hashed) -> int | None:
    """An upper bound of the shingles ``a`` and ``b`` have in common: the hashes they share
    (None when either has two shingles under one hash, and the hashes bound nothing)."""
    if not (a.distinct and b.distinct):
        return None
    small, big = (a.hashes, b.hashes) if len(a.hashes) <= len(b.hashes) else (b.hashes, a.hashes)
    if not len(small) or not len(big):
        return 0
    at = np.searchsorted(big, small)
    at[at == len(big)] = 0
    return int(np.count_nonzero(big[at] == small))
