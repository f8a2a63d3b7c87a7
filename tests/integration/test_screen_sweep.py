"""The pre-extraction screen is sound on real pages: whenever it rules a page out for a missing
concept, the full extraction of that page has no term of that concept either (so the relevance
judgement would have rejected it the same way). Over every real page of ../shared/data/extraction
and several stories' concepts, some common enough that many pages pass."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extraction import load_pages, shared_data  # noqa: E402
from digest.config import load_config  # noqa: E402
from digest.errors import ExtractError  # noqa: E402
from digest.extract import extract_article  # noqa: E402
from digest.relevance import _compile, _weighted_hits  # noqa: E402
from digest.screen import Screen  # noqa: E402

DATA = shared_data()
pytestmark = pytest.mark.skipif(
    DATA is None or not (DATA / "extraction").is_dir(),
    reason="shared real-world data not found (../shared/data)",
)

STORIES = {
    "syria": load_config(ROOT / "config" / "syria-ceasefire.toml").relevance.require,
    "politics": (("election", "vote", "president", "parliament"), ("government", "minister")),
    "common": (("said", "says", "told"), ("year", "people", "time"), ("new",)),
}


def test_screened_pages_have_no_term_of_the_missing_concept_once_extracted():
    pages = [p for name in ("scrapinghub-aeb", "trafilatura-eval")
             for p in load_pages(DATA, name)]
    screens = {k: Screen.for_story(v) for k, v in STORIES.items()}
    groups = {k: {g[0]: _compile(g) for g in v} for k, v in STORIES.items()}
    ruled_out = kept = 0
    wrong = []
    for page in pages:
        try:
            art = extract_article(page.html, url=page.url or "", entry=None, outlet="x")
        except ExtractError:
            continue
        paras = art.paragraphs
        lead, body = "\n".join(paras[:2]), "\n".join(paras[2:])
        html = page.html.decode("utf-8", "replace")
        for story, screen in screens.items():
            missing = screen.missing(html)
            if missing is None:
                kept += 1
                continue
            ruled_out += 1
            hits, found = _weighted_hits(groups[story][missing], art.title, lead, body)
            if hits:
                wrong.append(f"{page.id} [{story}]: screened for {missing!r} but has {found}")
    assert not wrong, wrong[:10]
    # both outcomes are exercised on real pages (many of them are not in English)
    assert ruled_out > 300 and kept > 150, (ruled_out, kept)
