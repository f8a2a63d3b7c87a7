"""`digest run` and its Prefect surroundings, through the real CLI: an unusable Prefect home or an
unreachable PREFECT_API_URL is one line (exit 2, no traceback, before Prefect starts), and a
running server named by PREFECT_API_URL is the one the run reports to, named and tagged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from digest.cli import prefectenv
from tests.support.prefect_server import PrefectServer, Processes, clean_env, free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"
DIGEST = Path(sys.executable).parent / "digest"


def run(tmp_path: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    out = tmp_path / "out"
    return subprocess.run([str(DIGEST), "run", "--config", str(CONFIG), "--date", "2016-09-18",
                           "--out", str(out), "--state", str(out / "state.sqlite"), "--no-email"],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


def assert_one_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("digest: error: ")
    for word in words:
        assert word in lines[0]


def test_an_unusable_prefect_home_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = run(tmp_path, clean_env(blocker / "prefect-home"), timeout=60)
    assert_one_line(proc, "Prefect home", str(blocker / "prefect-home"), "PREFECT_HOME")
    assert not (tmp_path / "out").exists()  # stopped before any work


def test_an_unreachable_prefect_server_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api"
    proc = run(tmp_path, clean_env(tmp_path / "home", api_url=url), timeout=60)
    assert_one_line(proc, url, "PREFECT_API_URL")


def test_a_running_server_named_by_prefect_api_url_gets_the_run(tmp_path):
    with Processes() as procs:
        server = PrefectServer.start(procs, tmp_path / "prefect")
        proc = run(tmp_path, server.env)
        assert proc.returncode == 0, proc.stderr
        found = httpx.post(f"{server.api_url}/flow_runs/filter",
                           json={"flow_runs": {"name": {"any_": ["syria-ceasefire-2016-09-18"]}}},
                           timeout=30).json()
        assert len(found) == 1
        assert {"story-digest", "syria-ceasefire"} <= set(found[0]["tags"])
        assert found[0]["state_type"] == "COMPLETED"


def test_the_start_up_wait_is_a_prefect_setting_that_prefect_reads(monkeypatch):
    from prefect.settings import Settings

    for key, value in prefectenv.defaults().items():
        monkeypatch.setenv(key, value)
    assert Settings().server.ephemeral.startup_timeout_seconds == prefectenv.STARTUP_WAIT
