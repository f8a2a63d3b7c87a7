"""Real Prefect processes for end-to-end tests: a server on 127.0.0.1 with its own PREFECT_HOME,
and any command run against it (``digest serve``, ``prefect worker start``), each started in its
own process group and stopped by that group's id, with a check that nothing of it is left.

    with Processes() as procs:
        server = PrefectServer.start(procs, tmp_path / "prefect")
        procs.start(["digest", "serve", ...], env=server.env, log=tmp_path / "serve.log")
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """The caller's environment without any Prefect setting, plus a private PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false"})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Started:
    proc: subprocess.Popen[bytes]
    log: Path
    name: str

    @property
    def pgid(self) -> int:
        return self.proc.pid  # start_new_session: the leader's pid is the group id


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Processes:
    """Processes started by a test; on exit every group is stopped and checked to be gone."""

    def __init__(self) -> None:
        self.started: list[Started] = []

    def start(self, argv: Sequence[str], *, env: dict[str, str], log: Path,
              cwd: Path | None = None) -> Started:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:
            proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        started = Started(proc, log, Path(argv[0]).name)
        self.started.append(started)
        return started

    def stop(self, s: Started, timeout: float = 20.0) -> None:
        """SIGTERM the process group, SIGKILL what is left after ``timeout``; wait until empty."""
        if group_alive(s.pgid):
            os.killpg(s.pgid, signal.SIGTERM)
        try:
            s.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + timeout
        while group_alive(s.pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if group_alive(s.pgid):
            os.killpg(s.pgid, signal.SIGKILL)
            s.proc.wait(10)
            end = time.monotonic() + 10
            while group_alive(s.pgid) and time.monotonic() < end:
                time.sleep(0.1)

    def stop_all(self) -> None:
        for s in reversed(self.started):
            self.stop(s)

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()
        left = [s.name for s in self.started if group_alive(s.pgid) or s.proc.poll() is None]
        assert not left, f"processes still running after the test: {left}"


@dataclass
class PrefectServer:
    url: str  # http://127.0.0.1:PORT
    home: Path
    process: Started

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def env(self) -> dict[str, str]:
        return clean_env(self.home, self.api_url)

    @classmethod
    def start(cls, procs: Processes, home: Path, timeout: float = 120.0) -> PrefectServer:
        home.mkdir(parents=True, exist_ok=True)
        port = free_port()
        started = procs.start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=clean_env(home), log=home / "server.log")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if started.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited ({started.proc.returncode}):\n"
                                   f"{tail(started.log)}")
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    return cls(url, home, started)
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"prefect server did not answer in {timeout:.0f} s:\n"
                           f"{tail(started.log)}")
