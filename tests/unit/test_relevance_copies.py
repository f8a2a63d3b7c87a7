"""A copy of a story article (syndicated, trimmed, retitled) is the story too: relevance gives it
its original's verdict, and only its original's (a copy of a rejected page stays out, and a page
that shares one paragraph with a story article is no copy); and what the lede is."""

from __future__ import annotations

from digest.relevance import ProfileDoc, head_text, lede_split
from tests.unit.test_relevance import (
    BACKGROUND,
    ELECTION,
    ELECTION_PASSING,
    ELECTION_SEED,
    ELECTION_TRUE,
    art,
    model,
)

ORIGINAL = art("observers", "Ostland election will be watched by 120 foreign observers, says Marr", [
    "Ilse Marr, the head of Ostland's electoral commission, said 120 foreign observers would watch "
    "Sunday's general election, the most the country has ever invited.",
    "Observers from the Nordic Council, the Baltic Assembly and the Council of Europe will visit "
    "polling stations in Aldberg, Mersk and the industrial north.",
    "Jan Kowal, who leads the Baltic Assembly's team of 40, said they would stay until the last "
    "postal ballot was counted.",
    "Results of the Ostland vote are expected on the morning of 3 October, when Anna Varga and "
    "Tomas Berg will learn who has won."])
# a partner's trimmed copy under its own headline: its lede now leads with other names
COPY = art("observers-copy", "Nordic Council and Baltic Assembly send observers to Aldberg",
           list(ORIGINAL.paragraphs[1:]))


def test_a_trimmed_copy_alone_reads_as_another_story() -> None:
    j = model(ELECTION, ELECTION_SEED).judge([COPY, *BACKGROUND])[0]
    assert not j.relevant and "a copy of" not in j.why


def test_a_copy_of_a_story_article_of_the_same_day_is_the_story() -> None:
    judged = model(ELECTION, ELECTION_SEED).judge([ORIGINAL, COPY, *BACKGROUND])
    assert judged[0].relevant and judged[1].relevant
    assert judged[1].why.startswith(f"a copy of story article {ORIGINAL.url}")
    assert "score below threshold" not in judged[1].why


def test_a_copy_trimmed_of_the_only_word_of_a_required_concept_is_still_the_story() -> None:
    # the partner kept the observers' paragraphs and cut the two that name Ostland
    trimmed = art("observers-trim", "Baltic Assembly team to stay until the last ballot",
                  list(ORIGINAL.paragraphs[1:3]))
    assert "ostland" not in trimmed.text.lower()
    alone = model(ELECTION, ELECTION_SEED).judge([trimmed, *BACKGROUND])[0]
    assert not alone.relevant and "missing concept: Ostland" in alone.why
    judged = model(ELECTION, ELECTION_SEED).judge([ORIGINAL, trimmed, *BACKGROUND])
    assert judged[0].relevant and judged[1].relevant
    assert judged[1].why.startswith(f"a copy of story article {ORIGINAL.url}")


def test_a_copy_of_an_article_an_earlier_digest_carried_is_the_story() -> None:
    m = model(ELECTION, ELECTION_SEED, accepted=[ELECTION_TRUE[0], ORIGINAL])
    j = m.judge([COPY, *BACKGROUND])[0]
    assert j.relevant and f"a copy of story article {ORIGINAL.url}" in j.why


def test_a_copy_of_a_rejected_page_stays_out() -> None:
    p = ELECTION_PASSING.paragraphs
    copy = art("cup-copy", "Kessel celebrates its first cup since 1998", list(p[1:]))
    judged = model(ELECTION, ELECTION_SEED).judge([*ELECTION_TRUE, ELECTION_PASSING, copy,
                                                   *BACKGROUND])
    assert all(j.relevant for j in judged[:3])
    assert not judged[3].relevant and not judged[4].relevant


def test_one_shared_paragraph_is_no_copy() -> None:
    # the cup final report quotes one paragraph of the story article: not the same article
    quoting = art("cup-observers", ELECTION_PASSING.title,
                  [*ELECTION_PASSING.paragraphs, ORIGINAL.paragraphs[1]])
    judged = model(ELECTION, ELECTION_SEED).judge([*ELECTION_TRUE, ORIGINAL, quoting,
                                                   *BACKGROUND])
    assert all(j.relevant for j in judged[:4])
    assert not judged[4].relevant and "a copy of" not in judged[4].why


def test_a_reader_who_marks_the_copy_not_the_story_wins() -> None:
    m = model(ELECTION, ELECTION_SEED)
    m.verdicts[COPY.canonical_url] = False
    judged = m.judge([ORIGINAL, COPY, *BACKGROUND])
    assert judged[0].relevant and not judged[1].relevant


def test_a_copy_of_a_page_a_reader_rejected_stays_out() -> None:
    # the reader marked the original "not the story": it is no story article, nor is its copy
    m = model(ELECTION, ELECTION_SEED)
    m.rejected = (ProfileDoc(ORIGINAL.url, f"{ORIGINAL.title}\n{ORIGINAL.text}"),)
    m.verdicts[ORIGINAL.canonical_url] = False
    judged = m.judge([ORIGINAL, COPY, *BACKGROUND])
    assert not judged[0].relevant and not judged[1].relevant


def test_the_lede_skips_a_repeated_standfirst_and_the_dateline() -> None:
    # pages often print a section label and the standfirst again before the first paragraph
    a = art("z", "Haiti's dead near 900", ["WORLD", "Aid struggles to reach the south.",
                                           "PORT-AU-PRINCE, Haiti (Wire) — The toll from "
                                           "Hurricane Matthew rose.", "Second.", "Third."],
            description="Aid struggles to reach the south.")
    lede, body = lede_split(a)  # nor is the label a paragraph of the lede
    assert lede == ("The toll from Hurricane Matthew rose.", "Second.")
    assert body == ("Third.",)
    assert head_text(a) == ("Haiti's dead near 900\nAid struggles to reach the south.\n"
                            "The toll from Hurricane Matthew rose.\nSecond.")
    assert lede_split(art("n", "T", ["NATO-led forces moved.", "US officials - who knew."]))[0] \
        == ("NATO-led forces moved.", "US officials - who knew.")


def test_a_round_up_that_quotes_a_whole_story_article_is_no_copy() -> None:
    # dedup would fold it (the shorter text is contained in it), but most of it is other news
    round_up = art("round-up", "Morning briefing: cup final, storm, phones and the election", [
        *ELECTION_PASSING.paragraphs, *BACKGROUND[0].paragraphs, *BACKGROUND[1].paragraphs,
        *ORIGINAL.paragraphs])
    judged = model(ELECTION, ELECTION_SEED).judge([*ELECTION_TRUE, ORIGINAL, round_up,
                                                   *BACKGROUND])
    assert all(j.relevant for j in judged[:4])
    assert not judged[4].relevant and "a copy of" not in judged[4].why
