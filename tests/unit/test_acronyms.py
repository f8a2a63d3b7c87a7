"""Acronyms and the names they stand for, read from the story's own texts."""

from __future__ import annotations

from digest.text import acronyms

SEED = ("MONTREAL — The World Anti-Doping Agency said on Tuesday that hackers had broken into its "
        "database. WADA's director general, Olivier Niggli, said the attack came from Russia. "
        "The National Transportation Safety Board (NTSB) has nothing to do with it; neither has "
        "the United States, which the US embassy said.")


def test_an_acronym_is_matched_to_the_name_the_texts_spell_out():
    found = acronyms.expansions([SEED])
    assert found["WADA"] == "World Anti-Doping Agency"  # hyphenated words give two initials
    assert found["NTSB"] == "National Transportation Safety Board"
    assert acronyms.initials("World Anti-Doping Agency") == "WADA"
    assert acronyms.initials("Bank of Korea") == "BK"  # small words give none


def test_required_groups_gain_the_other_form_only_where_the_texts_write_both():
    assert acronyms.spelled([["Fancy Bears"], ["WADA"]], [SEED]) == (
        ("Fancy Bears",), ("WADA", "World Anti-Doping Agency"))
    assert acronyms.spelled([["World Anti-Doping Agency"]], [SEED]) == (
        ("World Anti-Doping Agency", "WADA"),)
    # a two-letter acronym is never added as a term: "US" would match every "us"
    assert acronyms.spelled([["United States"]], [SEED]) == (("United States",),)
    # but a two-letter acronym that is required gains its name
    assert acronyms.spelled([["US"]], [SEED]) == (("US", "United States"),)
    # nothing the texts do not write both ways, and no second copy of a form already there
    assert acronyms.spelled([["IOC"]], [SEED]) == (("IOC",),)
    assert acronyms.spelled([["WADA", "World Anti-Doping Agency"]], [SEED]) == (
        ("WADA", "World Anti-Doping Agency"),)
    assert acronyms.spelled([["WADA"]], []) == (("WADA",),)
