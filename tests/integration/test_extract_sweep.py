"""extract_article over the real-world page sets, scored against plain trafilatura in the same run.

scrapinghub-aeb: token-shingle F1 exactly as the benchmark's evaluate.py computes it must not be
below plain ``trafilatura.extract(html, include_comments=False)``; trafilatura-eval: snippet F1 at
least plain trafilatura's minus 0.005. No page may raise anything but ExtractError.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.extraction import (  # noqa: E402
    PUBLISHED,
    Page,
    aeb_scores,
    load_pages,
    plain_trafilatura,
    shared_data,
    shingle_tp_fp_fn,
    snippet_counts,
    snippet_scores,
)
from digest.errors import ExtractError  # noqa: E402
from digest.extract import extract_article  # noqa: E402

DATA = shared_data()
pytestmark = pytest.mark.skipif(
    DATA is None or not (DATA / "extraction").is_dir(),
    reason="shared real-world data not found (../shared/data)",
)


def ours(page: Page, errors: list[str]) -> str:
    try:
        article = extract_article(page.html, url=page.url or "", entry=None, outlet="sweep")
    except ExtractError as exc:
        assert str(exc) and "\n" not in str(exc)
        errors.append(f"{page.id}: {exc}")
        return ""
    assert article.text.strip() and article.content_hash
    assert article.published is None or article.published.utcoffset() is not None
    assert "\n\n\n" not in article.text
    return article.text


def test_scrapinghub_article_extraction_benchmark() -> None:
    assert DATA is not None
    pages = load_pages(DATA, "scrapinghub-aeb")
    assert len(pages) >= 90
    errors: list[str] = []
    mine = aeb_scores([shingle_tp_fp_fn(p.truth, ours(p, errors)) for p in pages])
    plain = aeb_scores([shingle_tp_fp_fn(p.truth, plain_trafilatura(p)) for p in pages])
    print(
        f"\nscrapinghub-aeb ({len(pages)} pages): ours P {mine[0]:.3f} R {mine[1]:.3f} F1 {mine[2]:.3f}; "
        f"plain trafilatura P {plain[0]:.3f} R {plain[1]:.3f} F1 {plain[2]:.3f}; published {PUBLISHED['scrapinghub-aeb']}"
    )
    print(f"  extraction errors: {len(errors)}", *errors[:10], sep="\n  ")
    assert mine[2] >= plain[2]
    assert mine[2] >= PUBLISHED["scrapinghub-aeb"]
    assert len(errors) <= 2  # every page of this benchmark is an article


def test_trafilatura_evaluation_corpus() -> None:
    assert DATA is not None
    pages = load_pages(DATA, "trafilatura-eval")
    assert len(pages) >= 400
    errors: list[str] = []
    mine = snippet_scores(snippet_counts(ours(p, errors), p) for p in pages)
    plain = snippet_scores(snippet_counts(plain_trafilatura(p), p) for p in pages)
    print(
        f"\ntrafilatura-eval ({len(pages)} pages): ours P {mine[0]:.3f} R {mine[1]:.3f} F1 {mine[2]:.3f}; "
        f"plain trafilatura P {plain[0]:.3f} R {plain[1]:.3f} F1 {plain[2]:.3f}; published {PUBLISHED['trafilatura-eval']}"
    )
    print(f"  extraction errors: {len(errors)}", *errors[:10], sep="\n  ")
    assert mine[2] >= plain[2] - 0.005
    assert mine[0] >= plain[0]  # the debris rules must not let more boilerplate through
    assert len(errors) <= len(pages) * 0.03


# --- the bundled story pack (seeds/): every article page against the pack's own answer key ----

SEEDS = ROOT / "seeds"


def _front_matter(article_id: str) -> dict:
    import tomllib

    text = (SEEDS / "src" / "articles" / f"{article_id}.md").read_text(encoding="utf-8")
    return tomllib.loads(text.split("+++")[1])


@pytest.mark.skipif(not (SEEDS / "answer_key.json").is_file(), reason="story pack not built")
def test_story_pack_pages_extract_cleanly() -> None:
    import datetime as dt
    import json

    from digest.feeds import parse_datetime, parse_feed
    from digest.text.clean import html_to_text

    key = json.loads((SEEDS / "answer_key.json").read_text(encoding="utf-8"))
    feeds: dict[str, dict[str, object]] = {}
    for feed_file in {a["feed"] for a in key["articles"]}:
        path = SEEDS / feed_file
        feeds[feed_file] = {
            e.url: e
            for e in parse_feed(path.read_bytes(), url=path.as_uri(), source=path.stem).entries
        }
    checked = 0
    for truth in key["articles"]:
        path = SEEDS / truth["url"]
        entry = feeds[truth["feed"]].get(path.as_uri())
        assert entry is not None, f"{truth['id']}: not in {truth['feed']}"
        article = extract_article(path.read_bytes(), url=path.as_uri(), entry=entry, outlet="x")  # type: ignore[arg-type]
        where = truth["id"]
        assert html_to_text(article.title) == html_to_text(truth["title"]), where
        assert article.published == parse_datetime(truth["published"]), where
        assert article.published is not None and article.published.tzinfo == dt.UTC, where
        meta = _front_matter(truth["id"])
        text = article.text
        if meta.get("caption"):
            caption = html_to_text(meta["caption"])
            kept = [p for p in article.paragraphs if p.startswith(caption) and len(p) < len(caption) + 80]
            assert not kept, (where, "caption kept", kept)
        for comment in meta.get("comments", []):
            assert html_to_text(comment["text"]) not in text, (where, "comment kept")
        for headline in meta.get("related", []):
            assert headline not in text, (where, "related headline kept")
        if meta.get("author"):
            assert f"By {meta['author']}" not in text, (where, "byline kept")
        checked += 1
    assert checked >= 50
    for quote in key["quotes"]:
        for article_id in quote["articles"]:
            truth = next(a for a in key["articles"] if a["id"] == article_id)
            path = SEEDS / truth["url"]
            text = extract_article(
                path.read_bytes(), url=path.as_uri(), entry=None, outlet="x"
            ).text
            assert html_to_text(quote["contains"]) in html_to_text(text), (
                article_id,
                quote["contains"],
            )
