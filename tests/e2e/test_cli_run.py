"""The ``digest`` command end to end, as a user runs it: real processes, real Prefect runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.story_eval import PackIndex, digest_text, evaluate

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"
DIGEST = Path(sys.executable).parent / "digest"
KEY = json.loads((ROOT / "seeds" / "answer_key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A private PREFECT_HOME shared by this module's runs (the temporary server starts faster
    the second time), and none of the caller's Prefect settings."""
    home = tmp_path_factory.mktemp("prefect-home")
    e = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    e["PREFECT_HOME"] = str(home)
    return e


def digest(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(DIGEST), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def day_run(env, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    proc = digest("run", "--config", str(CONFIG), "--date", "2016-09-18", "--out", str(out),
                  "--state", str(out / "state.sqlite"), env=env)
    return proc, out


def test_run_writes_four_files_and_prints_a_short_report(day_run):
    proc, out = day_run
    assert proc.returncode == 0, proc.stderr
    story = out / "syria-ceasefire"
    for ext in ("md", "html", "txt", "json"):
        path = story / f"2016-09-18.{ext}"
        assert path.stat().st_size > 1000
        assert str(path) in proc.stdout
    assert "feeds: 7 read, 0 failed" in proc.stdout
    assert "relevant:" in proc.stdout and "duplicates folded:" in proc.stdout


def test_run_is_quiet(day_run):
    proc, _ = day_run
    assert proc.stderr.strip() == ""  # no banner, telemetry errors or shutdown tracebacks


def test_run_json_follows_the_documented_shape(day_run):
    _, out = day_run
    body = json.loads((out / "syria-ceasefire" / "2016-09-18.json").read_text())
    assert body["story"] == {"slug": "syria-ceasefire", "title": "Syria ceasefire"}
    assert body["date"] == "2016-09-18"
    assert body["window"] == {"since": "2016-09-17T06:00:00+00:00",
                              "until": "2016-09-18T06:00:00+00:00"}
    assert body["overview"] and all(s["text"] and s["sources"] for s in body["overview"])
    for a in body["articles"]:
        assert {"url", "title", "outlet", "published", "summary", "relevance", "why",
                "also_reported_by"} <= a.keys()
        # what the article adds to the overview (its standfirst when the overview tells it all;
        # nothing but the headline when it has none)
        assert len(a["summary"]) <= 3
        assert 0 <= a["relevance"] <= 1 and a["why"]
    assert any(a["summary"] for a in body["articles"])
    assert {s["status"] for s in body["sources"]} <= {"ok", "not_modified", "error"}
    assert all({"name", "url", "status", "error", "items"} <= s.keys() for s in body["sources"])
    assert all(s["url"] and s["reason"] for s in body["skipped"])


def test_run_digest_tells_the_days_story_without_traps_or_repeats(day_run):
    _, out = day_run
    body = json.loads((out / "syria-ceasefire" / "2016-09-18.json").read_text())
    ev = evaluate([body], KEY)
    assert ev.false_pos == 0, ev.wrong
    assert ev.facts_found == ev.facts, ev.missing_facts
    idx = PackIndex(KEY)
    groups = [idx.meta[idx.id_of(a["url"])]["dup_group"] for a in body["articles"]]
    assert len(groups) == len(set(groups))  # each duplicate group listed once
    day = KEY["days"]["2016-09-18"]
    assert len(body["articles"]) + sum(len(a["also_reported_by"]) for a in body["articles"]) \
        == len(day["relevant"])
    assert "deir" in digest_text(body)


def test_second_run_of_the_same_date_fetches_no_page(day_run, env):
    _, out = day_run
    proc = digest("run", "--config", str(CONFIG), "--date", "2016-09-18", "--out", str(out),
                  "--state", str(out / "state.sqlite"), "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["pages_fetched"] == 0 and report["pages_reused"] > 0


def test_bad_config_value_is_one_line_and_exit_2(tmp_path, env):
    from bench.story_eval import config_with_feeds, pack_feeds

    bad = config_with_feeds(CONFIG, pack_feeds(ROOT / "seeds"), tmp_path / "bad.toml")
    bad.write_text(bad.read_text().replace('cron = "0 7 * * *"', 'cron = "at seven"'))
    proc = digest("run", "--config", str(bad), "--date", "2016-09-18", env=env, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "schedule.cron" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in proc.stderr


def test_missing_config_and_conflicting_options_exit_2(tmp_path, env):
    proc = digest("run", "--config", str(tmp_path / "none.toml"), env=env, timeout=60)
    assert proc.returncode == 2 and "file not found" in proc.stderr
    proc = digest("run", "--config", str(CONFIG), "--date", "2016-09-18",
                  "--since", "2016-09-17T00:00:00Z", env=env, timeout=60)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_no_readable_source_exits_1_with_one_line(tmp_path, env):
    from bench.story_eval import config_with_feeds

    cfg = config_with_feeds(CONFIG, [{"name": "Dead", "url": "http://127.0.0.1:9/feed.xml"},
                                     {"name": "Gone", "url": str(ROOT / "seeds" / "README.md")}],
                            tmp_path / "dead.toml")
    proc = digest("run", "--config", str(cfg), "--date", "2016-09-18", "--out",
                  str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite"), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no source could be read" in lines[0]
    assert not (tmp_path / "out" / "syria-ceasefire" / "2016-09-18.json").exists()


def test_summarize_prints_one_sentence_per_line(tmp_path, env):
    a = tmp_path / "a.txt"
    a.write_text("GENEVA — The U.S. and Russia agreed a truce on Friday. It starts on Monday at "
                 "sundown. Aid will reach Aleppo. Officials said the deal was fragile.\n")
    proc = digest("summarize", "--sentences", "2", str(a), env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.endswith(".") for line in lines)
