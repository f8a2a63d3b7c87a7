"""Disputed figures: the same quantity, different numbers, each credited to who gives it."""

from __future__ import annotations

import datetime as dt

from digest.figures import extract_figures, word_number
from digest.models import Article


def article(url: str, outlet: str, text: str, hour: int) -> Article:
    return Article(url=url, canonical_url=url, source=outlet, outlet=outlet, title="T", text=text,
                   published=dt.datetime(2016, 9, 17, hour, tzinfo=dt.UTC))


WIRE = article("https://wire.example/a", "Meridian Wire", """BEIRUT (Meridian Wire) — A US-led coalition air strike near Deir ez-Zor killed 62 Syrian soldiers and wounded more than 100 on Saturday, Russia's military said.

The Syrian Observatory for Human Rights, a Britain-based monitor, said at least 83 soldiers were killed in the raid, which began at about 5 p.m. on Sept. 17, 2016.

The war has killed more than 300,000 people since 2011.""", 9)
TRIBUNE = article("https://tribune.example/b", "Levant Tribune", """According to the Syrian Observatory for Human Rights, the death toll rose to 90 soldiers by Sunday.

Russia's Defence Ministry said sixty-two soldiers were killed.

An aid convoy was hit near Aleppo: 18 of 31 trucks were destroyed, the Syrian Arab Red Crescent said.""", 10)
COURIER = article("https://courier.example/c", "Capital Courier", """The U.N. said 18 trucks were destroyed. Four people were hurt, officials said.""", 11)


def test_numbers_in_digits_and_words() -> None:
    assert word_number("62") == 62 and word_number("1,000") == 1000 and word_number("3.5") == 3.5
    assert word_number("sixty-two") == 62 and word_number("Eighteen") == 18
    assert word_number("3 million") == 3_000_000 and word_number("many") is None


def test_the_death_toll_disputed_between_sources() -> None:
    figures = extract_figures([WIRE, TRIBUNE, COURIER])
    assert [f.label for f in figures] == ["soldiers killed"]
    claims = figures[0].claims
    assert [(c.attributed_to, c.number) for c in claims] == [
        ("Russia's military", 62),
        ("Syrian Observatory for Human Rights", 83),
        ("Syrian Observatory for Human Rights", 90),
    ]
    assert claims[0].outlet == "Meridian Wire" and claims[0].url == WIRE.url
    assert claims[1].value == "at least 83"
    assert "62 Syrian soldiers" in claims[0].sentence
    assert claims[2].outlet == "Levant Tribune"


def test_agreeing_sources_are_no_figure() -> None:
    # trucks: 18 from the Red Crescent and the U.N. ("31" is the convoy's total, not a claim)
    figures = extract_figures([TRIBUNE, COURIER])
    assert all(f.label != "trucks destroyed" for f in figures)


def test_one_source_alone_is_no_dispute() -> None:
    alone = article("https://x.example/d", "X", "Russia's military said 62 soldiers were killed. "
                    "Russia's military later said 64 soldiers were killed.", 12)
    assert extract_figures([alone]) == ()


def test_years_dates_and_war_totals_are_not_compared() -> None:
    text = ("The Observatory said 83 soldiers were killed on Sept. 17. Since 2011 the war has killed "
            "more than 300,000 people, the U.N. says. Activists said 290,000 people were killed in the war.")
    figures = extract_figures([article("https://y.example/e", "Y", text, 13)])
    assert len(figures) == 1 and figures[0].label == "people killed"
    assert {c.number for c in figures[0].claims} == {300_000, 290_000}
