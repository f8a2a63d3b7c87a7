"""`digest run` and its Prefect surroundings, through the real CLI: an unusable Prefect home or an
unreachable PREFECT_API_URL is one line (exit 2, no traceback, before Prefect starts), a
running server named by PREFECT_API_URL is the one the run reports to, named and tagged, and
without one the run starts Prefect's temporary server itself, uses it, and leaves nothing
behind, even when it is killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from digest.cli import prefectenv
from tests.support.prefect_server import (
    PrefectServer,
    Processes,
    clean_env,
    free_port,
    group_alive,
)

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


def _gone(pgid: int, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not group_alive(pgid)


@pytest.mark.parametrize("early", ["1", "0"])
def test_without_a_server_the_run_gets_a_temporary_one_and_leaves_none(tmp_path, early):
    home = tmp_path / "home"
    env = clean_env(home) | {prefectenv.EARLY_SETTING: early}
    out = tmp_path / "out"
    proc = subprocess.Popen([str(DIGEST), "run", "--config", str(CONFIG), "--date", "2016-09-18",
                             "--out", str(out), "--state", str(out / "state.sqlite"),
                             "--no-email", "--json"], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert json.loads(stdout)["articles"] > 0
    # the temporary server kept the run in the run's own Prefect home
    with sqlite3.connect(home / "prefect.db") as db:
        runs = db.execute("SELECT name, state_type FROM flow_run").fetchall()
    assert ("syria-ceasefire-2016-09-18", "COMPLETED") in runs
    assert _gone(proc.pid), "a process of the run (the temporary server?) outlived it"


def test_prefect_uses_the_server_the_run_started_and_starts_none_of_its_own(tmp_path):
    script = """
import json, os
from digest.cli import prefectenv
server = prefectenv.start_temporary()
from prefect import flow
from prefect.server.api.server import SubprocessASGIServer
prefectenv.wait_ready(120)

@flow
def hello() -> str:
    return "hi"

print(json.dumps({"result": hello(), "api": os.environ["PREFECT_API_URL"],
                  "ours": server.api_url, "prefects": len(SubprocessASGIServer._instances)}))
"""
    env = clean_env(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=300, start_new_session=True)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["result"] == "hi" and got["api"] == got["ours"]
    assert got["prefects"] == 0  # Prefect never started a temporary server of its own


def test_a_run_killed_outright_leaves_no_temporary_server(tmp_path):
    home = tmp_path / "home"
    out = tmp_path / "out"
    proc = subprocess.Popen([str(DIGEST), "run", "--config", str(CONFIG), "--date", "2016-09-18",
                             "--out", str(out), "--state", str(out / "state.sqlite"),
                             "--no-email"], env=clean_env(home), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _children(proc.pid), "the run started no server process"
        os.kill(proc.pid, signal.SIGKILL)  # no handler, no atexit: only the kernel is left
        proc.wait(10)
        assert _gone(proc.pid), "the temporary server outlived the run that started it"
    finally:
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]
