"""Fold syndicated copies and repeated articles into one entry per story article.

Two articles are the same when their canonical URLs match (tracking parameters, AMP and mobile
variants, a second feed) or when one text is mostly contained in the other (the same wire copy
under a new headline with a trimmed ending). Candidates come from MinHash LSH (datasketch);
each candidate pair is then verified on exact word-shingle containment.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from digest.text import shingleset
from digest.text.vec import shingles

NUM_PERM = 128
LSH_THRESHOLD = 0.3  # Jaccard at which LSH proposes a pair (recall-oriented)
CONTAINMENT = 0.6  # share of the shorter text's shingles found in the longer one
SHINGLE = 5


@dataclass(frozen=True)
class Group:
    """Indices of items that are the same article; ``primary`` is the fullest version."""

    primary: int
    members: tuple[int, ...]  # every index, primary included, in input order


@functools.cache
def _empty() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1)


def _minhash(sh: set[str]) -> MinHash:
    m = _empty().copy()  # shares the permutations (drawn anew for every MinHash otherwise)
    m.update_batch([s.encode("utf-8") for s in sh])
    return m


def containment(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def group_duplicates(texts: Sequence[str], keys: Sequence[str] | None = None) -> list[Group]:
    """Group items whose ``keys`` (canonical URLs) are equal or whose texts are near-duplicates.

    Returns groups in order of their first member; the primary of a group is its longest text
    (ties: the earliest item).
    """
    n = len(texts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    if keys is not None:
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k in first:
                union(first[k], i)
            else:
                first[k] = i

    # each text's shingle strings live while it is compared; earlier texts are kept hashed
    # (shingleset.py) and their strings made again only for a pair the hashes cannot rule out
    kept: dict[int, shingleset.Hashed] = {}
    again = functools.lru_cache(maxsize=32)(lambda j: shingles(texts[j], SHINGLE))
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for i, t in enumerate(texts):
        s = shingles(t, SHINGLE)
        if not s:
            continue
        mh = _minhash(s)
        mine = shingleset.hashed(s)
        for j in lsh.query(mh):
            if find(i) == find(j):
                continue  # already one group: the pair changes nothing
            bound = shingleset.shared_at_most(mine, kept[j])
            if bound is not None and bound / min(mine.size, kept[j].size) < CONTAINMENT:
                continue  # fewer shared shingles than a copy has, even counting every hash
            if containment(s, again(j)) >= CONTAINMENT:
                union(i, j)
        lsh.insert(i, mh)
        kept[i] = mine

    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    groups = []
    for root in sorted(members):
        idx = members[root]
        primary = max(idx, key=lambda i: (len(texts[i]), -i))
        groups.append(Group(primary=primary, members=tuple(idx)))
    return groups
