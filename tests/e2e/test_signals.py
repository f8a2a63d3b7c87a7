"""Ctrl-C and SIGTERM stop `digest run` within seconds, with exit 130 / 143 and no process left:
a real run on the story pack served slowly over HTTP, interrupted while pages are in flight and
the extraction workers are up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from bench.story_eval import config_with_feeds, pack_feeds
from tests.support.prefect_server import clean_env
from tests.support.servers import StaticServer

ROOT = Path(__file__).resolve().parents[2]
DIGEST = Path(sys.executable).parent / "digest"
STOP_BOUND = 20.0  # seconds; generous: the design is about 3 s of grace plus 2 s to stop children


class SlowPages(StaticServer):
    """The pack with fast feeds and article pages that take a minute (or until the server stops)."""

    def _respond(self, h):  # type: ignore[no-untyped-def]
        if h.route.startswith("/sites/"):
            self.stopping.wait(60)
        super()._respond(h)


def _start(tmp_path: Path, site: SlowPages) -> tuple[subprocess.Popen, Path]:
    config = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                               pack_feeds(ROOT / "seeds", site.base), tmp_path / "story.toml")
    out = tmp_path / "out"
    log = tmp_path / "digest.log"
    env = clean_env(tmp_path / "prefect-home")
    # the whole pack in one window: enough pages that extraction runs in worker processes
    argv = [str(DIGEST), "run", "--config", str(config), "--since", "2016-09-08T00:00:00Z",
            "--until", "2016-09-24T00:00:00Z", "--out", str(out), "--state",
            str(out / "state.sqlite"), "--no-email"]
    with open(log, "wb") as sink:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return proc, log


def _wait_for_pages(proc: subprocess.Popen, site: SlowPages, log: Path) -> list[psutil.Process]:
    """Wait until page requests are in flight; the run's descendants then."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")
        if any(r.path.startswith("/sites/") for r in site.requests):
            time.sleep(1.0)  # let the rest of the page requests go out
            return psutil.Process(proc.pid).children(recursive=True)
        time.sleep(0.2)
    pytest.fail("the run never requested a page:\n" + log.read_text(errors="replace"))


def _assert_clean_stop(proc: subprocess.Popen, sent: float, code: int, log: Path,
                       before: list[psutil.Process]) -> None:
    try:
        proc.wait(STOP_BOUND)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"still running {STOP_BOUND:.0f} s after the signal")
    took = time.monotonic() - sent
    text = log.read_text(errors="replace")
    assert proc.returncode == code, text
    assert "Traceback" not in text, text
    assert text.strip().splitlines()[-1] == "digest: interrupted", text
    assert text.count("digest: interrupted") == 1, text
    time.sleep(0.5)
    left = [p for p in before if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"left running: {[(p.pid, p.cmdline()[:4]) for p in left]}"
    assert took < STOP_BOUND
    print(f"stopped {took:.1f} s after the signal")


def test_ctrl_c_stops_the_run_with_130_and_leaves_no_process(tmp_path):
    with SlowPages(ROOT / "seeds") as site:
        proc, log = _start(tmp_path, site)
        before = _wait_for_pages(proc, site, log)
        workers = [p for p in before if "uvicorn" not in " ".join(p.cmdline())]
        assert workers, "no extraction workers were running"
        # workers live in their own process groups, so a terminal's Ctrl-C does not reach them
        assert all(os.getpgid(p.pid) == p.pid for p in workers)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
        _assert_clean_stop(proc, sent, 130, log, before)


def test_sigterm_stops_the_run_with_143_and_leaves_no_process(tmp_path):
    with SlowPages(ROOT / "seeds") as site:
        proc, log = _start(tmp_path, site)
        before = _wait_for_pages(proc, site, log)
        assert before
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)  # `kill PID`: the main process only
        _assert_clean_stop(proc, sent, 143, log, before)
