"""The method registry: every sumy method and the project's own run by name on sumy's model."""

from __future__ import annotations

import pytest
from sumy.models.dom import ObjectDocumentModel
from sumy.summarizers._summarizer import AbstractSummarizer

from digest.errors import ConfigError
from digest.summarizers import (
    DEFAULT_ARTICLE_METHOD,
    DEFAULT_OVERVIEW_METHOD,
    OWN_METHODS,
    SUMY_METHODS,
    available_methods,
    get_summarizer,
)
from digest.summarizers.budget import select, word_count
from digest.summarizers.document import SourceText, build_document, build_story_document

TEXT = """GENEVA (Reuters) — The United States and Russia agreed on a nationwide truce in Syria on Friday after marathon talks in Geneva.

The cessation of hostilities starts at sundown on Monday, the start of the Eid al-Adha holiday, U.S. officials said.

Photo: Reuters

If violence falls for seven days, the two powers will set up a joint centre to coordinate strikes on Islamic State.

Aid convoys are to reach the besieged city of Aleppo along the Castello Road once the truce holds.

Read more: Syria's war in maps.

Syrian rebels voiced reservations about the deal on Saturday, saying it favoured the government.

The Syrian government said it approved the agreement, state media reported on Saturday night."""

ALL = sorted(available_methods())


def test_every_sumy_method_and_ours_are_registered_in_lower_case() -> None:
    methods = available_methods()
    for name in ("lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction"):
        assert name in methods
    assert {"lead", "story", "concepts"} <= set(methods)
    assert all(name == name.lower() for name in methods)
    assert DEFAULT_ARTICLE_METHOD in methods and DEFAULT_OVERVIEW_METHOD in methods


@pytest.mark.parametrize("name", sorted(OWN_METHODS))
def test_own_methods_are_sumy_summarizers(name: str) -> None:
    assert issubclass(OWN_METHODS[name], AbstractSummarizer)
    assert isinstance(get_summarizer(name), AbstractSummarizer)


@pytest.mark.parametrize("name", ALL)
def test_each_method_summarizes_a_small_document(name: str) -> None:
    document = build_document(TEXT)
    summarizer = get_summarizer(name)
    chosen = summarizer(document, 2)  # sumy's own calling convention
    assert 1 <= len(chosen) <= 2
    texts = [str(s) for s in chosen]
    assert all(t in TEXT for t in texts)
    assert not any(t.startswith(("Photo:", "Read more")) for t in texts)


@pytest.mark.parametrize("name", ALL)
def test_each_method_respects_a_word_budget(name: str) -> None:
    document = build_document(TEXT)
    chosen = select(get_summarizer(name), document, words=40)
    assert chosen
    assert sum(word_count(s) for s in chosen) <= 40


@pytest.mark.parametrize("name", ALL)
def test_empty_document(name: str) -> None:
    document = build_document("")
    assert tuple(select(get_summarizer(name), document, sentences=3)) == ()
    assert tuple(select(get_summarizer(name), document, words=100)) == ()


@pytest.mark.parametrize("name", ALL)
def test_fewer_sentences_than_asked(name: str) -> None:
    document = build_document("The truce began on Monday evening in Syria. Aid has not arrived in Aleppo yet.")
    chosen = select(get_summarizer(name), document, sentences=10)
    assert [str(s) for s in chosen] == [
        "The truce began on Monday evening in Syria.",
        "Aid has not arrived in Aleppo yet.",
    ]


def test_lead_takes_the_first_real_sentences() -> None:
    chosen = select(get_summarizer("lead"), build_document(TEXT), sentences=3)
    assert [str(s)[:30] for s in chosen] == [
        "GENEVA (Reuters) — The United ",
        "The cessation of hostilities s",
        "If violence falls for seven da",
    ]


def test_story_covers_each_fact_once_across_documents() -> None:
    same = "A US-led coalition air strike near Deir ez-Zor killed 62 Syrian soldiers, Russia's military said."
    paraphrase = "Russia's military said a US-led coalition air strike killed 62 Syrian soldiers near Deir ez-Zor."
    other = "The UN Security Council met in an emergency session on Saturday night at Russia's request."
    story = build_story_document(
        [
            SourceText(f"{same}\n\n{other}", key="a"),
            SourceText(f"{paraphrase}\n\nAid convoys were still stuck at the Turkish border on Sunday.", key="b"),
            SourceText(f"{same}\n\nThe coalition said it had halted the strike when Russia warned it.", key="c"),
        ]
    )
    chosen = [str(s) for s in select(get_summarizer("story"), story, words=60)]
    assert sum(t in (same, paraphrase) for t in chosen) == 1
    assert len(chosen) >= 2


def test_unknown_method_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown method"):
        get_summarizer("nonsense")
    assert isinstance(get_summarizer("LexRank"), SUMY_METHODS["lexrank"])


def test_story_document_is_an_ordinary_sumy_document() -> None:
    story = build_story_document([SourceText(TEXT, key="a"), SourceText(TEXT, key="b")])
    assert isinstance(story, ObjectDocumentModel)
    first = story.sentences[0]
    assert [o.doc for o in story.origins[first]] == [0, 1]  # the same sentence in both documents
