"""``digest run`` and ``digest backfill`` over several stories, as a user runs them: real
processes, real Prefect runs, one crawl shared by the stories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stories import DONBAS, story_config

ROOT = Path(__file__).resolve().parents[2]
DIGEST = Path(sys.executable).parent / "digest"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    e = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    e["PREFECT_HOME"] = str(home)
    return e


def digest(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(DIGEST), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)


def test_a_folder_of_configs_runs_every_story_once_over_one_crawl(tmp_path: Path, env) -> None:
    syria = story_config(tmp_path, "syria")
    donbas = story_config(tmp_path, "donbas", text=DONBAS)
    desk = tmp_path / "desk"
    desk.mkdir()
    for cfg in (syria, donbas):  # the folder form: every *.toml in it
        (desk / f"{cfg.story.slug}.toml").write_text(cfg.path.read_text(encoding="utf-8"),
                                                      encoding="utf-8")
    proc = digest("run", "--config", str(desk), "--date", "2016-09-21", "--no-email", "--json",
                  env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""
    result = json.loads(proc.stdout)
    assert sorted(r["story"] for r in result["stories"]) == ["donbas-truce", "syria-ceasefire"]
    assert result["failed"] == []
    assert result["crawl"]["feed_requests"] == len(syria.feeds)  # seven feeds, read once
    # the fixed part of the run (start-up, Prefect) is reported apart from the stories' work
    timings = result["timings"]
    work = sum(r["timings"]["run"] for r in result["stories"]) + result["crawl"]["seconds"]
    assert 0 < timings["fixed"] < timings["process"]
    assert abs(timings["process"] - timings["fixed"] - work) < 0.01
    for r in result["stories"]:
        assert Path(r["paths"]["html"]).stat().st_size > 1000
    donbas_md = Path(next(r for r in result["stories"]
                          if r["story"] == "donbas-truce")["paths"]["md"]).read_text("utf-8")
    assert "Donbas" in donbas_md or "Ukrain" in donbas_md


def test_backfill_over_two_stories_and_a_broken_one_reports_it_once(tmp_path: Path,
                                                                    env) -> None:
    syria = story_config(tmp_path, "syria")
    donbas = story_config(tmp_path, "donbas", text=DONBAS)
    broken = tmp_path / "broken.toml"
    broken.write_text("[story]\ntitle = 'No slug'\nlookback = [\n", encoding="utf-8")
    proc = digest("backfill", "--config", str(syria.path), "--config", str(donbas.path),
                  "--config", str(broken), "--from", "2016-09-13", "--to", "2016-09-14",
                  env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "digest: 2 story runs failed: broken.toml (2 of 2 days)\n"
    lines = proc.stdout.splitlines()
    for slug in ("syria-ceasefire", "donbas-truce"):
        for day in ("2016-09-13", "2016-09-14"):
            assert any(line.startswith(f"{slug} {day}:") for line in lines), proc.stdout
    assert sum("broken.toml" in line for line in lines) == 2  # once per day it was due
    assert (syria.story_dir / "2016-09-14.md").is_file()
    assert (donbas.story_dir / "2016-09-14.md").is_file()


def test_state_cannot_be_shared_by_several_stories(tmp_path: Path, env) -> None:
    syria = story_config(tmp_path, "syria")
    donbas = story_config(tmp_path, "donbas", text=DONBAS)
    proc = digest("run", "--config", str(syria.path), "--config", str(donbas.path),
                  "--state", str(tmp_path / "one.sqlite"), env=env)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--state names one story's state" in proc.stderr
