"""Hashed shingle sets only rule pairs out: folding and copy-finding decide exactly as comparing
the shingle strings does, even when hashes collide."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from datasketch import MinHashLSH

from digest import dedup
from digest.text import shingleset
from digest.text.vec import shingles
from tests.unit.test_dedup import prose
from tests.unit.test_relevance import BACKGROUND, ELECTION, ELECTION_SEED, model
from tests.unit.test_relevance_copies import COPY, ORIGINAL


def _reference_groups(texts: list[str]) -> list[tuple[int, ...]]:
    """group_duplicates as it was with every text's shingle strings held (no hashes)."""
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    sh = [shingles(t, dedup.SHINGLE) for t in texts]
    lsh = MinHashLSH(threshold=dedup.LSH_THRESHOLD, num_perm=dedup.NUM_PERM)
    for i, s in enumerate(sh):
        if not s:
            continue
        mh = dedup._minhash(s)
        for j in lsh.query(mh):
            if dedup.containment(s, sh[j]) >= dedup.CONTAINMENT:
                ri, rj = find(i), find(j)
                parent[max(ri, rj)] = min(ri, rj)
        lsh.insert(i, mh)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(find(i), []).append(i)
    return [tuple(g) for _, g in sorted(groups.items())]


def _corpus() -> list[str]:
    wire, other, third = prose(11), prose(12), prose(13)
    paras = wire.split("\n\n")
    return [wire, other,
            "LONDON (Wire) — " + "\n\n".join(paras[:-3]),  # trimmed copy: joins the wire story
            "\n\n".join(paras[:3] + other.split("\n\n")[:5]),  # shares three paragraphs
            "\n\n".join(paras[:5] + third.split("\n\n")),  # a round-up quoting most of it
            third, "", "too short", other.replace("convoy", "lorries")]


def _collide_all(sh: set[str]) -> shingleset.Hashed:
    """Every shingle under one of three hashes: the hashes bound nothing."""
    h = np.array(sorted({len(s) % 3 for s in sh}), dtype=np.int64)
    return shingleset.Hashed(h, len(sh))


def _collide_across(sh: set[str]) -> shingleset.Hashed:
    """Distinct hashes within a text, but hash k stands for different shingles in each text:
    the bound is far above what two texts share."""
    return shingleset.Hashed(np.arange(len(sh), dtype=np.int64), len(sh))


def test_the_hashes_bound_what_two_texts_share_from_above():
    texts = _corpus()
    for a, b in itertools.product(texts, repeat=2):
        sa, sb = shingles(a, dedup.SHINGLE), shingles(b, dedup.SHINGLE)
        bound = shingleset.shared_at_most(shingleset.hashed(sa), shingleset.hashed(sb))
        assert bound is not None and bound >= len(sa & sb)
    one = shingleset.Hashed(np.array([1, 2], dtype=np.int64), 3)  # two shingles, one hash
    assert not one.distinct
    assert shingleset.shared_at_most(one, shingleset.hashed({"a b c d e"})) is None


@pytest.mark.parametrize("hashing", [None, _collide_all, _collide_across])
def test_folding_groups_as_the_shingle_strings_do(monkeypatch, hashing):
    if hashing is not None:
        monkeypatch.setattr(shingleset, "hashed", hashing)
    texts = _corpus()
    expected = _reference_groups(texts)
    assert [g.members for g in dedup.group_duplicates(texts)] == expected
    assert expected[0][:2] == (0, 2) and len(expected) > 2  # copies folded, not everything


@pytest.mark.parametrize("hashing", [_collide_all, _collide_across])
def test_a_copy_is_found_as_with_plain_hashes(monkeypatch, hashing):
    plain = model(ELECTION, ELECTION_SEED).judge([ORIGINAL, COPY, *BACKGROUND])
    monkeypatch.setattr(shingleset, "hashed", hashing)
    colliding = model(ELECTION, ELECTION_SEED).judge([ORIGINAL, COPY, *BACKGROUND])
    assert plain[1].why.startswith(f"a copy of story article {ORIGINAL.url}")
    assert [j.why for j in colliding] == [j.why for j in plain]
