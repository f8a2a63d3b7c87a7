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


def test_the_names_a_config_is_checked_against_are_the_registry() -> None:
    from digest.methods import NAMES, OWN_NAMES, SUMY_NAMES

    assert set(SUMY_NAMES) == set(SUMY_METHODS) and set(OWN_NAMES) == set(OWN_METHODS)
    assert NAMES == set(available_methods())


def test_checking_a_config_does_not_import_the_summarizers() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import sys; from digest.config import load_config; "
            "cfg = load_config('config/syria-ceasefire.toml'); "
            "print(cfg.digest.overview_method, 'sumy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root)
    method, imported = out.stdout.split()
    assert method in available_methods() and imported == "False"


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
        "The United States and Russia a",  # the dateline is gone before summarizers read it
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


def test_the_lede_after_a_standfirst_counts_as_an_opening_sentence() -> None:
    standfirst = "Twenty-six new infections were confirmed on Tuesday."
    lede = "Singapore confirmed 26 more Zika infections on Tuesday, bringing the total to 82."
    text = f"{standfirst}\n\n{lede} Most of the patients live in one area."
    plain, marked = (build_story_document([SourceText(text, standfirst=sf)])
                     for sf in ("", standfirst))
    index = {str(s): [o.index for o in os] for s, os in marked.origins.items()}
    assert index[standfirst] == [0] and index[lede] == [0]
    assert index["Most of the patients live in one area."] == [1]
    assert [o.index for s, os in plain.origins.items() if str(s) == lede for o in os] == [1]
    # a description that does not open the text changes nothing
    other = build_story_document([SourceText(text, standfirst="Zika reaches a new district.")])
    assert [o.index for s, os in other.origins.items() if str(s) == lede for o in os] == [1]


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("He added that the truce was holding.", True),
        ("Neither had arrived by Wednesday evening, aid officials said.", True),
        ('"The coalition would not strike a known unit," it said in a statement.', True),
        ("The footage, he said, suggested the cargo had caught fire.", True),
        ("In a letter to rebel commanders, they objected to the plan.", True),
        ("Shots are heard, and she asks whether he is dead.", True),
        ("Police fired tear gas, and the crowd moved back two blocks.", False),
        ("Mr Lavrov, for his part, called for an inquiry.", True),
        ("The U.N. also said it was waiting for permits.", True),
        ("If it holds for seven days, joint strikes will begin.", True),
        ("The United States has so far declined to publish them.", True),
        ('"We are ready to go, but we need guarantees for the drivers."', True),
        ('"We are ready to go," a U.N. official in Gaziantep told reporters.', False),
        ("Kerry said he would travel to Geneva on Friday.", False),
        ("Jabhat Fateh al-Sham, also known as the Nusra Front, was excluded.", False),
        ("Lavrov said the reports, which he said were unverified, were false.", False),
        ("In Washington, Kerry said it was too early to draw conclusions.", False),
        # held-out packs: sentences that stand alone although they looked as if they lean
        ("This weekend the town was to hold the 50th edition of its festival.", False),
        ("This decision angered the opposition.", True),
        ("Those who confess fully to serious crimes will face five to eight years.", False),
        ("Those are the facts.", True),
        ("To be approved, the Yes must not only win but also reach 13 per cent.", False),
        ("If the jury in Dylann Roof's trial convicts him, he will act as his own lawyer.",
         False),
        ("On Monday, he told reporters the talks had failed.", True),
        ("In New York, they marched to the consulate.", True),
        ('Jurors watched his confession, in which he said, "I had to do it."', False),
        ('In the video, Rakeyia Scott is heard shouting at officers, "Don\'t shoot him.', False),
        ("Dylann Roof sat at the defense table in a grey sweater and did not look at them.", True),
        ("The Americans need five points from the 12 singles to win back the cup; Europe need "
         "7 1/2 to keep it.", False),
        # only part of a longer quote: its end, its opening, or a second quoted sentence whose
        # speaker is in the sentence before ("alleged" inside the quote is nobody speaking)
        ('If you are reading this, you need to leave now."', True),
        ("What is missing are the letters from Damascus,” a UN official told Al Manara.", True),
        ('"Your leaders say they will fight a thousand-year war with India.', True),
        ('"The notion of a strike on alleged bases is an illusion created by India."', True),
        ('"We will leave no stone unturned," Modi told a rally in Kozhikode.', False),
        ("Putin said: “We are ready.”", False),
        ("The “Brexit” vote was close.", False),
        # a quote attributed in the sentence: its pronouns are its speaker's
        ('"It is out of the question that the government could be involved," said Dmitry '
         "Peskov, the Kremlin's spokesman.", False),
        ('"They will pay for this," Modi told a rally in Kozhikode.', False),
        ('"It is out of the question," he said.', True),
        ("Both were taken to a police range in the Bronx.", True),
        ("Both candidates said they would accept the result.", False),
    ],
)
def test_sentences_leaning_on_context(sentence: str, leans: bool) -> None:
    from digest.summarizers.standalone import leans_on_context

    assert leans_on_context(sentence) is leans


@pytest.mark.parametrize(
    ("before", "sentence", "alone"),
    [
        # the person the sentence before is about, by full name or surname
        ('Governor Andrew Cuomo visited the site. "It is terrorism," Cuomo said on Sunday.',
         "He said the state would deploy 1,000 troopers.",
         "Andrew Cuomo said the state would deploy 1,000 troopers."),
        ("Esther George, president of the Kansas City Fed, has dissented four times.",
         "She has argued that rates should rise.", "Esther George has argued that rates should rise."),
        ("Chief Executive Werner Baumann told analysts the deal made sense.",
         "He said Bayer would sell some businesses.",
         "Werner Baumann said Bayer would sell some businesses."),
        # not when the person is only mentioned, or is not the subject, or two people are named
        ("Heather Bresch runs Mylan. Bresch is the daughter of Senator Joe Manchin.",
         "She joined Mylan in 1992.", "She joined Mylan in 1992."),
        ("Prime Minister Nawaz Sharif spoke for twenty minutes. He praised Burhan Wani, the "
         "commander killed in July, said Sharif.", "He did not mention Uri.",
         "He did not mention Uri."),
        ("Secretary John Kerry met Foreign Minister Sergei Lavrov in Geneva.",
         "He said the talks went well.", "He said the talks went well."),
        ("President Shimon Peres died. His son Chemi Peres said the family thanked doctors. "
         "Peres was 93.", "He served twice as prime minister.",
         "He served twice as prime minister."),
        ("", "He said the talks went well.", "He said the talks went well."),
    ],
)
def test_a_leaning_sentence_made_to_stand_alone(before: str, sentence: str, alone: str) -> None:
    from digest.summarizers.standalone import leans_on_context, on_its_own

    last = before.rfind(". ") + 2 if ". " in before else 0
    assert on_its_own(sentence, before, last) == alone
    if alone != sentence:
        assert leans_on_context(sentence) and not leans_on_context(alone)


def test_the_overview_document_carries_the_resolved_sentence() -> None:
    from digest.summarizers.document import build_document

    text = ("Governor Andrew Cuomo called the bombing an act of terrorism on Sunday.\n\n"
            "He said the state would deploy 1,000 troopers to transit hubs. He added that more "
            "would follow.")
    sentences = [str(s) for s in build_document(text).sentences]
    assert sentences[1] == "Andrew Cuomo said the state would deploy 1,000 troopers to transit hubs."
    assert sentences[2] == "He added that more would follow."  # the sentence before names no one


def test_told_concepts_weigh_less_except_where_an_outlet_leads_with_them() -> None:
    from digest.summarizers.features import TermIndex

    lede = "Joint strikes on Jabhat Fateh al-Sham will begin after seven days, the powers agreed."
    later = "Rebels fear joint strikes on Jabhat Fateh al-Sham will hit their own positions."
    story = build_story_document([
        SourceText(f"{lede}\n\nThe plan was agreed in Geneva late on Friday night.", key="a"),
        SourceText(f"The opposition has not yet seen the text of the deal.\n\n{later}", key="b"),
    ])
    pool = list(dict.fromkeys(story.sentences))
    summarizer = get_summarizer("story")
    summarizer.known_texts = ("The two powers plan joint strikes on Jabhat Fateh al-Sham.",)
    weights = summarizer.concept_weights(story, pool, TermIndex([str(s) for s in pool]))
    told = ("joint", "strike")
    # document a leads with it (1.0, not discounted); b has it second (1/2, discounted by 1/4)
    assert weights[told] == pytest.approx(1.0 + 0.5 * summarizer.known_discount)
    assert weights[("rebel", "fear")] == pytest.approx(0.5)  # not told before: not discounted
