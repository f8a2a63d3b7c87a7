"""The replay key (digest/pipeline/replay.py ``input_key``): the same inputs, built anew, give
the same key; any change to what a digest is made from (an article's text or any other field, a
feed item, a seed) gives another."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from digest.config import load_config
from digest.history import History
from digest.models import Article, Entry, FeedResult, FeedSource, Screened
from digest.pipeline import replay
from digest.pipeline.collect import Candidate, Found, Gathered, Selection

CONFIG = Path(__file__).resolve().parents[3] / "config" / "syria-ceasefire.toml"
UTC = dt.UTC
WHEN = dt.datetime(2016, 9, 17, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


def _entry(i: int, **change) -> Entry:
    return replace(Entry(source="Feed", url=f"https://example.org/{i}", title=f"Title {i}",
                         published=WHEN, summary=f"teaser {i}"), **change)


def _article(i: int, **change) -> Article:
    return replace(Article(url=f"https://example.org/{i}", canonical_url=f"https://example.org/{i}",
                           source="Feed", outlet="Example", title=f"Title {i}",
                           text=f"Paragraph one of {i}.\n\nParagraph two, caf\u00e9 \u2014 {i}.",
                           published=WHEN, content_hash=f"h{i}"), **change)


def _inputs(article=_article, entry=_entry):
    """(feeds, selection, gathered, history) of a day of two articles and a screened page, new
    objects on every call."""
    cands = tuple(Candidate(entry(i), f"https://example.org/{i}", (f"https://example.org/{i}",),
                            ("Feed",), True) for i in range(3))
    feeds = [FeedResult(FeedSource("Feed", "https://example.org/feed"), "ok",
                        tuple(c.entry for c in cands))]
    screened = Screened(url="https://example.org/2", canonical_url="https://example.org/2",
                        source="Feed", outlet="Example", title="Title 2", missing="Syria",
                        screen="abc", published=WHEN)
    found = (Found(cands[0], article(0), False), Found(cands[1], article(1), False),
             Found(cands[2], screened, False))
    return (feeds, Selection(cands, (), 3), Gathered(found, (), fetched=0, reused=3),
            History())


def _key(config, inputs, seeds=None) -> str:
    cfg = config if seeds is None else replace(config, story=replace(config.story, seeds=seeds))
    ctx = SimpleNamespace(config=cfg, day=dt.date(2016, 9, 18), window=None)
    return replay.input_key(ctx, *inputs)  # type: ignore[arg-type]


def test_the_same_inputs_built_again_give_the_same_key(config):
    assert _key(config, _inputs()) == _key(config, _inputs())


@pytest.mark.parametrize("change", [
    {"text": "Paragraph one of 1.\n\nParagraph two, cafe \u2014 1."},  # one letter of the text
    {"text": "Paragraph one of 1.\n\nParagraph two, caf\u00e9 \u2014 1. "},  # a trailing space
    {"title": "Another title"},
    {"published": WHEN + dt.timedelta(hours=1)},
    {"description": "a standfirst"},
    {"content_hash": "other"},
])
def test_any_change_to_an_article_changes_the_key(config, change):
    def changed(i: int) -> Article:
        return _article(i, **change) if i == 1 else _article(i)
    assert _key(config, _inputs(article=changed)) != _key(config, _inputs())


def test_texts_are_not_run_together(config):
    """Text moved from one article's end to the next one's start is another day."""
    def moved(i: int) -> Article:
        a = _article(i)
        if i == 0:
            return replace(a, text=a.text + " x")
        return a

    def moved_back(i: int) -> Article:
        a = _article(i)
        if i == 1:
            return replace(a, text=" x" + a.text)
        return a
    assert _key(config, _inputs(article=moved)) != _key(config, _inputs(article=moved_back))


def test_a_changed_feed_item_changes_the_key(config):
    def changed(i: int) -> Entry:
        return _entry(i, summary="a new teaser") if i == 2 else _entry(i)
    assert _key(config, _inputs(entry=changed)) != _key(config, _inputs())


def test_a_candidate_that_is_not_the_selection_s_own_is_hashed_whole(config):
    feeds, selection, gathered, history = _inputs()
    c = gathered.articles[0].candidate
    other = replace(c, sources=("Feed", "Other feed"))  # same canonical URL, other candidate
    swapped = replace(gathered, articles=(gathered.articles[0]._replace(candidate=other),
                                          *gathered.articles[1:]))
    assert _key(config, (feeds, selection, swapped, history)) \
        != _key(config, (feeds, selection, gathered, history))


def test_a_changed_seed_changes_the_key(config, tmp_path):
    seed = tmp_path / "seed.txt"
    seed.write_text("The ceasefire in Syria.", encoding="utf-8")
    before = _key(config, _inputs(), seeds=(seed,))
    seed.write_text("The ceasefire in Syria holds.", encoding="utf-8")
    assert _key(config, _inputs(), seeds=(seed,)) != before


@pytest.mark.parametrize("change", [{"aliases": ("https://example.org/1", "https://m.example.org/1")},
                                    {"sources": ("Feed", "Other feed")}, {"dated": False}])
def test_a_changed_candidate_changes_the_key(config, change):
    feeds, selection, gathered, history = _inputs()
    cands = list(selection.candidates)
    cands[1] = replace(cands[1], **change)
    found = tuple(f._replace(candidate=cands[i]) for i, f in enumerate(gathered.articles))
    changed = (feeds, replace(selection, candidates=tuple(cands)),
               replace(gathered, articles=found), history)
    assert _key(config, changed) != _key(config, _inputs())
