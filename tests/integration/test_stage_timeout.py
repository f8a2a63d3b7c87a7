"""The summarise stage's time limit in a real run: past it, the overview, quotes and figures are
left out with a logged reason and the digest is still made (articles, summaries, files)."""

from __future__ import annotations

import logging
from pathlib import Path

import tomlkit

from bench.story_eval import config_with_feeds
from digest.pipeline import compose
from tests.support.runs import run_day

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_f6ec1dbff53cdc1f.txt").read_text(encoding="utf-8")
PARAS = [p for p in SEED.split("\n\n")[1:] if len(p) > 80]


def test_past_the_time_limit_the_digest_is_made_without_overview_quotes_and_figures(
        tmp_path, monkeypatch, caplog):
    pack = tmp_path / "pack"
    (pack / "sites").mkdir(parents=True)
    body = "".join(f"<p>{p}</p>" for p in PARAS[:8])
    (pack / "sites" / "today.html").write_text(
        "<html><head><title>Coalition strike threatens Syria truce</title></head><body><article>"
        f"<h1>Coalition strike threatens Syria truce</h1>{body}</article></body></html>",
        encoding="utf-8")
    (pack / "feed.xml").write_text(
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>W</title>"
        "<link>x</link><item><title>Strike</title><link>sites/today.html</link>"
        "<pubDate>Sat, 17 Sep 2016 18:00:00 GMT</pubDate></item></channel></rss>",
        encoding="utf-8")
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            [{"name": "Wire", "url": str(pack / "feed.xml")}], tmp_path / "s.toml")
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["fetch"]["local_root"] = str(pack)
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")

    monkeypatch.setattr(compose, "STAGE_TIMEOUT", 0.0)  # every call is already late
    caplog.set_level(logging.WARNING, logger="digest.parallel")
    out, result = run_day(cfg, tmp_path / "out", "2016-09-18")

    assert [a["url"].rsplit("/", 1)[-1] for a in out["articles"]] == ["today.html"]
    assert out["articles"][0]["summary"]  # the per-article summaries are still made
    assert out["overview"] == [] and out["quotes"] == [] and out["figures"] == []
    for name in ("summarize_story", "extract_figures", "extract_quotes"):
        assert f"{name} abandoned: not done within the 0 s time limit" in caplog.text
    assert all(path.exists() for path in result.paths.values())
