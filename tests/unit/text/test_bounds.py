"""Hostile text does not hang the text rules: long tokens, runs of punctuation, many quotes or
numbers each finish within a generous bound (the old rules took hours on a 1 MB word), and the
bounds on what the rules read and on titles hold.

Each timed case runs in a forked process, killed at a hard wall-clock limit, so a regression fails
the test after that limit instead of hanging the suite. The bounds are "does not hang" bounds, not speed targets
(speed goes to ``bench/hostile_text.py``).
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.extract import page_metadata
from digest.figures import extract_figures
from digest.models import Article
from digest.quotes import extract_quotes
from digest.summarize import summarize_article, summarize_story
from digest.text.bounds import MAX_RULE_TEXT, MAX_TITLE, cap_title, rule_text
from digest.text.clean import clean_article_text, html_to_text
from digest.text.tokenize import split_paragraphs, split_sentences, split_words, strip_dateline

MB = 1_000_000
LIMIT = 10.0  # CPU seconds: a "does not hang" bound for ~1 MB, some 5-50x what the rules need


def _article(text: str, url: str = "https://example.com/a") -> Article:
    return Article(url=url, canonical_url=url, source="s", outlet="Example", title="Syria truce",
                   text=text)


def _page(body: str) -> str:
    return f"The ceasefire began on Monday in Syria, officials said.\n\n{body} end.\n\nIt held."


def _repeat(seed: str, size: int) -> str:
    return (seed * (size // len(seed) + 1))[:size]


def _tokenize(text: str) -> None:
    for paragraph in split_paragraphs(text):
        for sentence in split_sentences(paragraph):
            strip_dateline(sentence, lead=True)
            split_words(sentence)


def _clean(text: str) -> None:
    clean_article_text(text)
    html_to_text(text)


STAGES: dict[str, Callable[[str], object]] = {
    "figures": lambda text: extract_figures([_article(text)]),
    "quotes": lambda text: extract_quotes([_article(text)]),
    "tokenizer": _tokenize,
    "textclean": _clean,
    "summarize_article": lambda text: summarize_article(_article(text)),
    "summarize_story": lambda text: summarize_story(
        [_article(text), _article(text[::-1], "https://example.org/b")]),
    "metadata": lambda text: page_metadata(f"<html><head><meta {text}><title>t</title></head>"),
}


def _run(stage: str, text: str, out) -> None:  # type: ignore[no-untyped-def]
    start = time.process_time()
    STAGES[stage](text)
    out.send(time.process_time() - start)


def _finishes(stage: str, text: str, limit: float = LIMIT) -> bool:
    """True when the stage finishes on ``text`` within ``limit`` CPU seconds. It runs in a forked
    process, killed after six times the limit in wall-clock time (a busy machine gets slack;
    a quadratic rule, taking hours, does not)."""
    STAGES[stage]("Imports first. Then the case.")  # imports are not the case's time
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run, args=(stage, text, send))
    proc.start()
    proc.join(6 * limit)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return False
    assert proc.exitcode == 0, f"{stage} raised on hostile text"
    return receive.recv() <= limit


# The old rules were quadratic (or worse) on each of these: the figures' source-phrase and
# number rules on long tokens and many numbers, the quote speaker resolution on many quotes.
HOSTILE = {
    "a 1 MB word": "a",
    "1 MB of capitals": "A",
    "1 MB of initials": "A.",
    "100k digits": "1",
    "a 1 MB decimal": "1.",
    "1 MB of dots": ".",
    "1 MB of dashes": "-",
    "1 MB of apostrophes": "'",
    "hyphenated capitals": "Aa-",
    "many numbers": "1 ",
    "many quotes": '"We will not give up the fight," he said. ',
    "many role quotes": "Vitaly Churkin, Russia's envoy, spoke. \"We will not give up now,\" "
                        "the envoy said. ",
    "many claims": "At least 62 soldiers were killed, Russia said. ",
    "capitalised words": "Aa ",
    "spaces": " ",
}
SIZES = {"100k digits": 100_000}


@pytest.mark.parametrize("case", list(HOSTILE))
@pytest.mark.parametrize("stage", ["figures", "quotes"])
def test_quote_and_figure_rules_do_not_hang_on_hostile_text(stage: str, case: str) -> None:
    text = _page(_repeat(HOSTILE[case], SIZES.get(case, MB)))
    assert _finishes(stage, text), f"{stage} did not finish within {LIMIT} s on {case}"


@pytest.mark.parametrize("case", ["a 1 MB word", "1 MB of dots", "many quotes", "capitalised words"])
@pytest.mark.parametrize("stage", ["tokenizer", "textclean", "summarize_article",
                                   "summarize_story"])
def test_tokenizer_cleaning_and_summaries_do_not_hang_on_hostile_text(stage: str, case: str) -> None:
    text = _page(_repeat(HOSTILE[case], MB))
    assert _finishes(stage, text), f"{stage} did not finish within {LIMIT} s on {case}"


# Long tokens built from the characters the rules care about: letters, capitals, digits,
# separators, quotes, apostrophes, dashes.
_CHUNK = st.text(alphabet="aA1.,'’-\"“” :;()", min_size=1, max_size=4)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(chunk=_CHUNK, size=st.integers(20_000, 40_000))
def test_any_long_token_is_read_in_bounded_time(chunk: str, size: int) -> None:
    text = _page("Officials said " + _repeat(chunk, size))
    for stage in ("figures", "quotes", "tokenizer"):
        assert _finishes(stage, text, limit=5.0), f"{stage} on {chunk!r} x {size}"


def test_rules_read_a_bounded_prefix_cut_at_a_paragraph_break() -> None:
    paragraph = ("The truce held on Monday. " * 40).strip()
    text = "\n\n".join([paragraph] * 20_000)
    cut = rule_text(text)
    assert len(cut) <= MAX_RULE_TEXT and text.startswith(cut) and not cut.endswith(" ")
    assert text[len(cut):].startswith("\n\n")
    word = "a" * (3 * MAX_RULE_TEXT)
    assert rule_text(word) == word[:MAX_RULE_TEXT]  # one long token: cut hard
    assert rule_text("short text") == "short text"


def test_figures_past_the_bound_are_not_read_and_before_it_still_are() -> None:
    claim = "At least 62 soldiers were killed, Russia's military said."
    other = "The Syrian Observatory said 90 soldiers were killed."
    filler = "\n\n".join(["The talks went on in Geneva for a second day."] * 8_000)
    near = _article(f"{claim}\n\n{filler}")
    far = _article(f"{filler}\n\n{claim}", "https://example.net/c")
    second = _article(other, "https://example.org/b")
    assert len(filler) > MAX_RULE_TEXT
    assert {c.number for f in extract_figures([near, second]) for c in f.claims} == {62, 90}
    assert extract_figures([far, second]) == ()


def test_titles_are_capped_between_words_with_an_ellipsis() -> None:
    title = "Syria ceasefire " * 100
    capped = cap_title(title)
    assert len(capped) <= MAX_TITLE and capped.endswith("\u2026")
    assert title.startswith(capped[:-1]) and capped[-2] != " "
    assert cap_title("x" * 10_000).startswith("x" * (MAX_TITLE - 1))
    assert len(cap_title("x" * 10_000)) == MAX_TITLE
    assert cap_title("A short headline") == "A short headline"


@pytest.mark.parametrize("seed", ["A", "<a ", 'a="1" '])
def test_page_metadata_does_not_hang_on_a_hostile_head(seed: str) -> None:
    assert _finishes("metadata", _repeat(seed, 300_000)), f"page metadata on {seed!r}"
