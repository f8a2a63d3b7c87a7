"""Near-duplicate and syndication grouping."""

from __future__ import annotations

import random

from digest.dedup import containment, group_duplicates
from digest.text.vec import shingles

WORDS = ("ceasefire truce aleppo convoy kerry lavrov geneva council strike deir army rebels "
         "monitor observatory aid trucks border statement ministry spokesman officials said "
         "government opposition agreement talks week sunday monday night forces city").split()


def prose(seed: int, paragraphs: int = 8) -> str:
    rnd = random.Random(seed)
    return "\n\n".join(" ".join(rnd.choice(WORDS) for _ in range(60)) for _ in range(paragraphs))


def test_trimmed_syndicated_copy_with_new_dateline_joins_its_wire_story():
    wire = prose(1)
    paras = wire.split("\n\n")
    copy = "LONDON (Meridian Wire) — " + "\n\n".join(paras[:-3])  # ending trimmed
    other = prose(2)
    groups = group_duplicates([wire, other, copy])
    assert [g.members for g in groups] == [(0, 2), (1,)]
    assert groups[0].primary == 0  # the fullest version is shown


def test_independent_reports_of_the_same_event_stay_apart():
    a = prose(3)
    b = prose(4)
    assert len(group_duplicates([a, b])) == 2


def test_same_canonical_key_groups_even_when_text_differs():
    groups = group_duplicates([prose(5), prose(6)], keys=["https://x/a", "https://x/a"])
    assert len(groups) == 1 and groups[0].members == (0, 1)


def test_empty_texts_do_not_group_by_accident():
    assert len(group_duplicates(["", "", prose(7)])) == 3


def test_containment_of_a_subset_is_one():
    text = prose(8)
    part = "\n\n".join(text.split("\n\n")[:4])
    assert containment(shingles(part), shingles(text)) == 1.0
