"""Key quotes and disputed figures of each day of the story pack, checked against its answer key.

Pages are read as the pipeline reads them (trafilatura), syndicated copies folded as dedup does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import pytest

from digest.figures import extract_figures
from digest.models import Article
from digest.quotes import extract_quotes

PACK = Path(__file__).resolve().parents[2] / "seeds"
KEY_FILE = PACK / "answer_key.json"

pytestmark = pytest.mark.skipif(not KEY_FILE.exists(), reason="story pack not built")


@cache
def key() -> dict:
    return json.loads(KEY_FILE.read_text(encoding="utf-8"))


@cache
def load(article_id: str) -> Article:
    import trafilatura

    meta = next(a for a in key()["articles"] if a["id"] == article_id)
    html = (PACK / meta["url"]).read_bytes()
    text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    return Article(
        url=meta["url"],
        canonical_url=meta["url"],
        source=meta["outlet"],
        outlet=meta["outlet"],
        title=meta["title"],
        text="\n\n".join(line for line in text.splitlines() if line.strip()),
        published=dt.datetime.fromisoformat(meta["published"].replace("Z", "+00:00")),
    )


def day_articles(date: str) -> list[Article]:
    groups = {a["id"]: a["dup_group"] for a in key()["articles"]}
    relevant = key()["days"][date]["relevant"]
    return [load(i) for i in relevant if groups[i] == i]  # one copy per syndication group


def url_ids(ids: list[str]) -> set[str]:
    return {a["url"] for a in key()["articles"] if a["id"] in ids}


def quote_cases() -> list[dict]:
    return key()["quotes"] if KEY_FILE.exists() else []


def figure_cases() -> list[dict]:
    return key()["figures"] if KEY_FILE.exists() else []


@pytest.mark.parametrize("expected", quote_cases(), ids=lambda q: f"{q['date']}-{q['speaker']}")
def test_key_quote_with_its_speaker_and_outlet(expected: dict) -> None:
    quotes = extract_quotes(day_articles(expected["date"]), limit=6)
    matching = [q for q in quotes if expected["contains"].lower() in q.text.lower()]
    assert matching, [f"{q.speaker}: {q.text[:60]}" for q in quotes]
    quote = matching[0]
    assert quote.speaker == expected["speaker"]
    assert quote.url in url_ids(expected["articles"])
    outlet = next(a["outlet"] for a in key()["articles"] if a["url"] == quote.url)
    assert quote.outlet == outlet


def _words(source: str) -> set[str]:
    source = re.sub(r"\bU\.?N\.?\b", "United Nations", source)
    source = re.sub(r"\bU\.?S\.?\b", "United States", source)
    words = re.findall(r"[a-z]+", source.lower().replace("’s", "").replace("'s", ""))
    return {w[:-1] if w.endswith("ian") else w for w in words} - {"the", "of", "for", "and"}


@pytest.mark.parametrize("expected", figure_cases(), ids=lambda f: f"{f['date']}-{f['label'][:30]}")
def test_disputed_figure_side_by_side_with_attribution(expected: dict) -> None:
    figures = extract_figures(day_articles(expected["date"]))
    wanted = {float(c["value"]) for c in expected["claims"]}
    figure = next((f for f in figures if wanted <= {c.number for c in f.claims}), None)
    assert figure is not None, [(f.label, [(c.attributed_to, c.value) for c in f.claims]) for f in figures]
    for claim in expected["claims"]:
        found = [c for c in figure.claims if c.number == float(claim["value"])]
        assert found, claim
        assert any(len(_words(c.attributed_to) & _words(claim["attributed_to"])) >= 2 for c in found), (
            claim["attributed_to"], [c.attributed_to for c in found])
        assert all(c.url in url_ids(claim["articles"]) for c in found)
