"""The scale benchmark's harness: the synthetic web (sizes, templates, shares, determinism, feeds),
its server (conditional GET, gzip, latency, loopback aliases), the report's arithmetic, a tiny
end-to-end run through the library pipeline (cold, then warm with nothing new), and the exact
fast paths the benchmark led to (relevance term matching, fetch back-pressure, parallel batches).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.naive_peer import run as naive_run
from bench.scale import latency_floor, render_table, stage_split, verdicts
from bench.story_eval import config_with_feeds
from bench.synthweb import TEMPLATES, SyntheticWeb, WebServer, WebSpec, host_ip
from digest import parallel, pipeline
from digest.config import load_config
from digest.extract import extract_article
from digest.feeds import parse_feed
from digest.fetch.pool import fetch_concurrently
from digest.models import Response
from digest.relevance import _compile, _fold, _weighted_hits

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"
END = WebSpec.window_end


@pytest.fixture(scope="module")
def web() -> SyntheticWeb:
    return SyntheticWeb(WebSpec(articles=60, items=10))


# -- the generator ----------------------------------------------------------------------------


def test_same_seed_same_web_other_seed_other_web(web: SyntheticWeb) -> None:
    again = SyntheticWeb(WebSpec(articles=60, items=10))
    assert again.items == web.items
    assert again.page(again.items[7], 8000) == web.page(web.items[7], 8000)
    other = SyntheticWeb(WebSpec(articles=60, items=10, seed=99))
    assert [i.title for i in other.items] != [i.title for i in web.items]


def test_pages_are_40_to_120_kb_in_every_template(web: SyntheticWeb) -> None:
    sizes = {t: [] for t in TEMPLATES}
    for item in web.items:
        sizes[item.template].append(len(web.page(item, 8000)))
    assert all(sizes.values()), sizes  # every template is used
    every = [s for v in sizes.values() for s in v]
    assert min(every) >= 40 * 1024
    assert max(every) <= 120 * 1024 + 16 * 1024  # the last chrome block may overshoot a little
    assert max(every) - min(every) > 30 * 1024  # sizes vary


def test_article_text_survives_the_chrome_of_each_template(web: SyntheticWeb) -> None:
    for template in TEMPLATES:
        item = next(i for i in web.items if i.template == template and i.kind != "copy")
        paras = web.paragraphs(item)
        art = extract_article(web.page(item, 8000), url=f"http://{host_ip(item.host)}{item.path}",
                              entry=None, outlet="x")
        assert art.title == item.title
        assert paras[0][:80] in art.text, template
        assert paras[-1][:80] in art.text, template


def test_story_passing_and_syndicated_shares() -> None:
    spec = WebSpec(articles=400)
    w = SyntheticWeb(spec)
    kinds = [i.kind for i in w.items]
    assert kinds.count("story") == round(400 * spec.story_share)
    assert kinds.count("passing") == round(400 * spec.passing_share)
    assert kinds.count("copy") == round(400 * spec.syndicated_share)
    story_words = re.compile(r"Syria|ceasefire|cease-fire|truce", re.I)
    for item in w.items[:80]:
        text = " ".join(w.paragraphs(item))
        if item.kind == "story":
            assert len(story_words.findall(text)) >= 2
        if item.copy_of is not None:
            original = w.items[item.copy_of]
            assert original.host != item.host or w.spec.host_count == 1
            assert w.paragraphs(item) == w.paragraphs(original)[:len(w.paragraphs(item))]


def test_feeds_are_rss_and_atom_dated_in_one_day_or_seven(web: SyntheticWeb) -> None:
    spans = {}
    for span in (1, 7):
        dates = []
        for f in range(web.spec.feeds):
            body = web.feed(f, span, 8000)
            assert body.lstrip().startswith(b"<?xml")
            parsed = parse_feed(body, url=f"http://x/feed{f}", source="s")
            assert len(parsed.entries) == web.spec.items and parsed.warning is None
            dates += [e.published for e in parsed.entries]
        spans[span] = dates
    assert {b"<rss" in web.feed(f, 1, 8000) for f in range(3)} == {True, False}  # both kinds
    assert all(END - dt.timedelta(days=1) <= d < END for d in spans[1])
    assert all(END - dt.timedelta(days=7) <= d < END for d in spans[7])
    assert len({d.date() for d in spans[7]}) >= 5


# -- the server ---------------------------------------------------------------------------------


def test_server_answers_conditional_gets_gzip_and_latency(web: SyntheticWeb) -> None:
    with WebServer(web, latency=0.05) as server, httpx.Client() as client:
        feeds = server.feeds(1)
        assert len({httpx.URL(f["url"]).host for f in feeds}) == web.spec.host_count > 1
        url = feeds[0]["url"]
        start = time.perf_counter()
        first = client.get(url)
        assert time.perf_counter() - start >= 0.05
        assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == first.content
        assert client.get(url + "nope").status_code == 404
        page_url, body, _ = server.pages()[0]
        assert client.get(page_url).content == body
        assert server.counts["304"] == 2 and server.counts["404"] == 1


# -- the report's arithmetic ----------------------------------------------------------------------


def test_latency_floor_counts_rounds_at_the_effective_concurrency() -> None:
    assert latency_floor(50, 2000, hosts=50, latency=0.05) == pytest.approx((4 + 125) * 0.05)
    # two hosts at 4 per host: 8 in flight at most
    assert latency_floor(2, 80, hosts=2, latency=0.1) == pytest.approx((1 + 10) * 0.1)


def _run(wall: float, timings: dict) -> dict:
    return {"wall": wall, "cpu": wall, "peak_rss_mb": 900.0, "peak_pipeline_rss_mb": 700.0,
            "peak_pss_mb": 600.0, "other_cpu": 0.0, "report": {"timings": timings,
                                                                  "items_in_window": 100}}


def test_verdicts_and_table_from_a_result() -> None:
    t = {"feeds": 1.0, "fetch_extract": 10.0, "relevance_dedup": 1.0, "summarise": 1.0,
         "render_write": 1.0, "run": 14.5}
    cold = _run(30.0, t)
    from bench.scale import Run

    cold["split"] = stage_split(Run(**{k: cold[k] for k in ("wall", "cpu")}, peak_rss_mb=0,
                                       peak_pipeline_rss_mb=0, peak_pss_mb=0, other_cpu=0,
                                       returncode=0, report=cold["report"]), fixed=15.0)
    assert cold["split"]["stages"] == 14.0
    assert cold["split"]["task_overhead"] == pytest.approx(0.5)
    assert cold["split"]["prefect_overhead"] == pytest.approx(1.0)
    big = _run(15.0 + 60.0, t) | {"split": cold["split"]}
    result = {"params": {"articles": 100, "latency": 0.05}, "when": "now",
              "machine": {"cores": 2, "cpu": "test"},
              "fixed_startup": {"temporary_server": [20.0, 15.0, 16.0]},
              "runs": {"100": {"cold": cold, "warm": _run(15.5, t) | {"requests": {"304": 5}},
                               "naive": {"estimated_wall": 150.0, "sample": None},
                               "limit": {"extract_cpu": 16.0, "summarise_cpu": 2.0,
                                         "latency_floor": 3.0}},
                       "400": {"cold": big}}}
    v = verdicts(result)
    assert v["8x_faster_than_naive"]["speedup"] == pytest.approx(10.0)
    assert v["within_1.5x_limit"]["ratio"] == pytest.approx(15.0 / 12.0)
    assert v["warm_rerun"]["ok"] and v["warm_rerun"]["budget_s"] == pytest.approx(15.75)
    assert v["linear_time"]["exponent"] == pytest.approx(1.0)
    result["verdicts"] = v
    table = render_table(result)
    assert "naive peer" in table and "PASS  8x_faster_than_naive" in table


# -- end to end -----------------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "sqlite" not in p.name}


def test_tiny_web_end_to_end_cold_then_warm(tmp_path: Path) -> None:
    small = SyntheticWeb(WebSpec(articles=15, items=5, story_share=0.4, syndicated_share=0.2))
    day = dt.date(2016, 9, 18)
    with WebServer(small, latency=0.0) as server:
        cfg = load_config(config_with_feeds(CONFIG, server.feeds(1), tmp_path / "c.toml"))

        def run() -> pipeline.RunResult:
            ctx = pipeline.open_run(cfg, day=day, out_dir=tmp_path / "out",
                                    state_path=tmp_path / "state.sqlite", send_email=False)
            try:
                return pipeline.run(ctx)
            finally:
                ctx.close()

        cold = run()
        report = pipeline.report(cold)
        assert report["items_in_window"] == 15 and report["pages_fetched"] == 15
        assert report["feeds_ok"] == 3 and report["relevant"] >= 3
        assert "relevance_dedup" in cold.timings
        written = _files(tmp_path / "out")
        server.reset_counts()
        warm = run()
        assert server.counts["304"] == 3 and server.counts["200"] == 0  # nothing downloaded
        assert warm.reused == 15 and warm.fetched == 0
        assert "relevance_dedup" not in warm.timings  # the stored digest was kept
        assert warm.digest == cold.digest
        assert _files(tmp_path / "out") == written
        (tmp_path / "out" / cfg.story.slug / f"{day}.md").unlink()
        again = run()  # a missing file: the day is made again
        assert "relevance_dedup" in again.timings
        assert (tmp_path / "out" / cfg.story.slug / f"{day}.md").is_file()


def test_naive_peer_reads_every_entry(tmp_path: Path) -> None:
    small = SyntheticWeb(WebSpec(articles=6, items=3))
    with WebServer(small, latency=0.0) as server:
        stats = naive_run([f["url"] for f in server.feeds(1)], tmp_path / "naive.txt")
    assert stats["pages"] == 6 and stats["extracted"] == 6
    assert (tmp_path / "naive.txt").read_text().count("## ") == 6


# -- fast paths the benchmark led to --------------------------------------------------------------

TERMS = ["Syria", "cease-fire", "US-Russian", "Deir ez-Zor", "Security Council", "Kerry",
         "Syria's", "K-9", "Zürich"]
ALPHABET = list("syriaSYRIA cease-fireKERRYkerry deirEZzor'’.-–\n9İıſK ü ZÜRICH")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET + ["Syria", "cease fire", "US-Russian", "Deir Ezzor"]),
                max_size=40).map("".join))
def test_relevance_folded_matching_counts_like_the_patterns(text: str) -> None:
    patterns = _compile(TERMS)
    title, lead, body = text[:10], text[10:25], text[25:]
    folded = (_fold(title), _fold(lead), _fold(body), _fold(f"{title}\n{lead}\n{body}"))
    assert _weighted_hits(patterns, title, lead, body, folded) == \
        _weighted_hits(patterns, title, lead, body)


def test_fetching_pauses_while_results_wait_to_be_taken() -> None:
    started: list[str] = []
    lock = threading.Lock()

    def fetch(url: str) -> Response:
        with lock:
            started.append(url)
        return Response(url=url, final_url=url, status=200, headers={}, body=b"x")

    urls = [f"http://h{i % 5}/{i}" for i in range(200)]
    seen = 0
    for _ in fetch_concurrently(fetch, urls, host_of=lambda u: u.split("/")[2],
                                concurrency=8, per_host=4, max_pending=10):
        seen += 1
        time.sleep(0.002)  # a slow consumer
        with lock:
            assert len(started) <= seen + 10 + 8
    assert seen == 200 and len(set(started)) == 200


def _square(x: int) -> int:
    return x * x


def test_parallel_batch_gives_the_results_in_order() -> None:
    calls = [(_square, (i,), {}) for i in range(5)]
    assert parallel.Batch(calls, workers=2).results() == [0, 1, 4, 9, 16]
    assert parallel.Batch(calls, workers=1).results() == [0, 1, 4, 9, 16]


def test_page_sizes_stay_within_bounds_when_compressed(web: SyntheticWeb) -> None:
    res = web.resources(8000)
    pages = [r for (ip, path), r in res.items() if not path.startswith("/feeds/")]
    assert len(pages) == 60
    assert all(len(gzip.decompress(r.body)) == r.size for r in pages)
    assert all(r.size > 3 * len(r.body) for r in pages)  # realistic HTML compresses well
