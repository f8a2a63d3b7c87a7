"""Names (people, organisations, places) found by the offline rule-based extractor."""

from __future__ import annotations

from digest.entities import names


def test_multi_word_names_and_their_words_are_found() -> None:
    found = names("Secretary of State John Kerry met Sergei Lavrov in Geneva on Friday.")
    assert {"john", "kerry", "sergei", "lavrov", "geneva", "secretary", "state"} <= set(found)
    assert "friday" not in found and "met" not in found


def test_a_capitalised_sentence_start_is_not_a_name_unless_it_is_one_elsewhere() -> None:
    found = names("Officials said the talks failed. Kerry said so. Later, Kerry left. Talks end.")
    assert found["kerry"] == 2
    assert "officials" not in found and "talks" not in found and "later" not in found


def test_particles_are_dropped_so_spellings_meet() -> None:
    a = names("The strike near Deir ez-Zor hit al-Assad's forces.")
    b = names("Jets struck near Deir al-Zor, Assad loyalists said.")
    assert {"deir", "zor", "assad"} <= set(a) & set(b)


def test_a_dateline_in_capitals_is_a_name_and_possessives_are_dropped() -> None:
    found = names("GENEVA — The minister spoke of Russia's role.")
    assert "geneva" in found and "russia" in found


def test_text_without_names() -> None:
    assert not names("it rained all day and nobody came.")
    assert not names("")
