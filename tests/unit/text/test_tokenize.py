"""The offline tokenizer splits news text the way a reader would, with no NLTK data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.text.tokenize import (
    Tokenizer,
    split_paragraphs,
    split_sentences,
    split_words,
    strip_dateline,
)

TRICKY = [
    (
        "U.S. Secretary of State John Kerry met Lavrov in Geneva. They agreed on a truce.",
        ["U.S. Secretary of State John Kerry met Lavrov in Geneva.", "They agreed on a truce."],
    ),
    (
        "The deal was announced by the U.S. and Russia on Sept. 9. It takes effect on Monday.",
        ["The deal was announced by the U.S. and Russia on Sept. 9.", "It takes effect on Monday."],
    ),
    ("He lives in the U.S. The rest of his family is in Syria.", ["He lives in the U.S.", "The rest of his family is in Syria."]),
    ("The U.N. Security Council met late. It adjourned.", ["The U.N. Security Council met late.", "It adjourned."]),
    (
        "Lt. Gen. Sergei Rudskoy said 62 soldiers died. Others disagreed.",
        ["Lt. Gen. Sergei Rudskoy said 62 soldiers died.", "Others disagreed."],
    ),
    ("The strike came at 5 p.m. local time. It lasted an hour.", ["The strike came at 5 p.m. local time.", "It lasted an hour."]),
    (
        '"We will not give up," Kerry said. "This is the best chance we have."',
        ['"We will not give up," Kerry said.', '"This is the best chance we have."'],
    ),
    ("“Why?” he asked. She shrugged.", ["“Why?” he asked.", "She shrugged."]),
    ('He asked: "Is this the end?" Nobody answered.', ['He asked: "Is this the end?"', "Nobody answered."]),
    ("Aid rose 3.5 percent to $1.2 billion in 2016. That was a record.", ["Aid rose 3.5 percent to $1.2 billion in 2016.", "That was a record."]),
    ("President George W. Bush signed it. It passed.", ["President George W. Bush signed it.", "It passed."]),
    ("Power called it a “stunt.” Churkin disagreed.", ["Power called it a “stunt.”", "Churkin disagreed."]),
    ("He was born on Jan. 5, 1960, in St. Petersburg. Mr. Lavrov joined in 1972.", ["He was born on Jan. 5, 1960, in St. Petersburg.", "Mr. Lavrov joined in 1972."]),
    ("Shares of Apple Inc. rose. Microsoft Corp. fell.", ["Shares of Apple Inc. rose.", "Microsoft Corp. fell."]),
    ("The convoy... was hit near Aleppo. At least 20 died.", ["The convoy... was hit near Aleppo.", "At least 20 died."]),
    ("Dr. Smith, e.g. the envoy, spoke. Talks went on.", ["Dr. Smith, e.g. the envoy, spoke.", "Talks went on."]),
    (
        "GENEVA (Reuters) — Kerry and Lavrov agreed a truce. It starts Monday.",
        ["GENEVA (Reuters) — Kerry and Lavrov agreed a truce.", "It starts Monday."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY)
def test_tricky_sentences(text: str, expected: list[str]) -> None:
    assert list(split_sentences(text)) == expected


def test_bullet_list_items_are_sentences() -> None:
    text = "Key points:\n• The truce starts on Monday\n• Aid will reach Aleppo\n- A joint centre follows"
    assert split_sentences(text) == (
        "Key points:",
        "The truce starts on Monday",
        "Aid will reach Aleppo",
        "A joint centre follows",
    )


def test_caption_line_stands_alone_and_wrapped_prose_is_joined() -> None:
    caption = "Syrian soldiers near Deir ez-Zor\nThe strike killed dozens. Moscow condemned it."
    assert split_sentences(caption)[0] == "Syrian soldiers near Deir ez-Zor"
    wrapped = (
        "The United States and Russia signed the deal, which was\n"
        "announced late on Friday in Geneva after more than\n"
        "thirteen hours of talks between the two ministers and\n"
        "their teams."
    )
    assert len(split_sentences(wrapped)) == 1
    assert split_sentences("She likes a busy schedule\nand Wednesday was busy.") == (
        "She likes a busy schedule and Wednesday was busy.",
    )


def test_paragraphs_and_words() -> None:
    assert split_paragraphs("One.\n\n  \nTwo.\n \nThree.") == ("One.", "Two.", "Three.")
    assert split_words("The U.S.-led strike killed 62 soldiers, 1,000 trucks; 3.5% — “stunt”") == (
        "The", "U.S", "led", "strike", "killed", "62", "soldiers", "1,000", "trucks", "3.5", "stunt",
    )
    assert "don't" in split_words("We don't know.")


def test_datelines_are_stripped_for_display() -> None:
    assert strip_dateline("GENEVA (Reuters) — U.S. officials said.") == "U.S. officials said."
    assert strip_dateline("BEIRUT, Sept 17 (Meridian Wire) - The army said.") == "The army said."
    assert strip_dateline("(CNN)Living under ISIS.") == "Living under ISIS."
    assert strip_dateline("US-led coalition - The strike.") == "US-led coalition - The strike."
    assert strip_dateline("Aleppo — a city under siege.") == "Aleppo — a city under siege."


def test_datelines_and_wire_credits_in_every_style_are_stripped() -> None:
    # a place in ordinary case needs a date or an agency credit after it ...
    assert strip_dateline("Geneva, Sep 10 (Meridian Wire): The United States agreed.") == (
        "The United States agreed.")
    assert strip_dateline("Beirut, 17 September (AFP) - Rebels said so.") == "Rebels said so."
    assert strip_dateline("BEIRUT, Lebanon — The army said so.") == "The army said so."
    assert strip_dateline("WASHINGTON: The army said so.") == "The army said so."
    assert strip_dateline("UNITED NATIONS (Meridian Wire) — A meeting was held.") == (
        "A meeting was held.")
    assert strip_dateline("LINDEN, N.J. — Police said so.") == "Police said so."
    # ... except where an article or paragraph opens ("New York: …", syndication style)
    assert strip_dateline("New York: Kerry called for a pause.") == "New York: Kerry called for a pause."
    assert strip_dateline("New York: Kerry called for a pause.", lead=True) == "Kerry called for a pause."
    # not datelines
    assert strip_dateline("Kerry - The strike was bad.", lead=True) == "Kerry - The strike was bad."
    assert strip_dateline("Ankara says the aims are two: First.", lead=True) == (
        "Ankara says the aims are two: First.")


def test_tokenizer_has_the_interface_sumy_expects() -> None:
    tokenizer = Tokenizer("english")
    assert tokenizer.language == "english"
    assert tokenizer.to_sentences("One here. Two there.") == ("One here.", "Two there.")
    assert tokenizer.to_words("Two there.") == ("Two", "there")


@given(st.text(alphabet=st.sampled_from(list("ab .!?\"'“”\n-•AB")), max_size=80))
def test_splitting_never_loses_or_invents_words(text: str) -> None:
    words = [w for s in split_sentences(text) for w in split_words(s)]
    assert words == list(split_words(text))


def test_abbreviations_do_not_split_thousands_of_sentences() -> None:
    # (speed is measured in bench/, not here)
    text = "U.S. officials said on Sept. 17 that 62 soldiers died. " * 2000
    sentences = split_sentences(text)
    assert len(sentences) == 2000
