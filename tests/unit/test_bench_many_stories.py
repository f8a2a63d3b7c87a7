"""The many-stories benchmark's story configs (they load, differ, and match the pages the
benchmark says they match) and its extrapolation of stories run alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.many_stories import extrapolate_alone, story_specs, write_stories
from bench.synthweb import SyntheticWeb, WebSpec
from digest.config import load_config
from digest.screen import Screen, screen_text


def test_fifty_configs_load_with_their_own_slug_state_and_the_same_feeds(tmp_path: Path) -> None:
    specs = story_specs(50)
    feeds = [{"name": f"Outlet {i}", "url": f"http://127.0.0.{i + 2}:8000/feeds/d1/{i:03d}.xml"}
             for i in range(3)]
    folder = write_stories(specs, feeds, tmp_path)
    configs = [load_config(p) for p in sorted(folder.glob("*.toml"))]
    assert [c.story.slug for c in configs] == [s.slug for s in specs]
    assert len({c.state_path for c in configs}) == 50
    assert all([f.url for f in c.feeds] == [f["url"] for f in feeds] for c in configs)
    assert Counter(s.kind for s in specs) == {"syria": 20, "pack": 15, "chrome": 15}
    assert Counter(s.kind for s in specs[:10]) == {"syria": 4, "pack": 3, "chrome": 3}
    syria = [c for c in configs if c.story.slug.split("-")[1] == "syria"]
    assert len({c.story.description for c in syria}) == 5  # five focuses
    assert len({c.relevance.terms for c in syria}) > 5
    assert all(c.story.seeds for c in syria)


def test_pack_topics_pass_the_screen_on_few_pages_chrome_topics_on_most() -> None:
    web = SyntheticWeb(WebSpec(articles=160, items=40))
    texts = [screen_text(web.page(it, 8000).decode("utf-8")) for it in web.items]
    share: dict[str, list[float]] = {"syria": [], "pack": [], "chrome": []}
    for spec in story_specs(30):
        screen = Screen.for_story(spec.require)
        passed = sum(screen.missing_in(t) is None for t in texts)
        share[spec.kind].append(passed / len(texts))
    assert min(share["syria"]) > 0.8
    assert max(share["pack"]) < 0.35 and sum(share["pack"]) / len(share["pack"]) < 0.15
    assert sum(share["chrome"]) / len(share["chrome"]) > 0.4


def test_alone_extrapolated_by_kind() -> None:
    specs = story_specs(10)  # 4 syria, 3 pack, 3 chrome
    sample = [{"kind": "syria", "wall": 30.0}, {"kind": "pack", "wall": 20.0},
              {"kind": "syria", "wall": 34.0}]
    # chrome is missing from the sample: the overall mean (28) stands in for it
    assert extrapolate_alone(sample, specs, 10) == pytest.approx(4 * 32 + 3 * 20 + 3 * 28)
