"""Worker pools a stop signal can kill: own process groups, killed group and all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from digest import interrupts


def _pid() -> int:
    return os.getpid()


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_workers_run_in_their_own_process_groups_and_are_killed():
    pool = interrupts.worker_pool(2)
    try:
        pids = {pool.submit(_pid).result(timeout=60) for _ in range(4)}
        assert pids and os.getpid() not in pids
        assert all(os.getpgid(pid) == pid for pid in pids)
        assert set(pids) <= set(interrupts.children())
        busy = pool.submit(_sleep, 60)
        interrupts.kill_workers()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(p) for p in pids):
            time.sleep(0.05)
        assert not any(_running(p) for p in pids)
        assert busy.exception(timeout=10) is not None  # the pool reports it broken, no hang
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_no_stop_is_pending_until_a_signal_arrives():
    assert interrupts.stopping() is None


PARENT = """
import os, sys, time
from digest import interrupts
pool = interrupts.worker_pool(2)
pids = {pool.submit(os.getpid).result() for _ in range(8)}
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(120)
"""


def test_workers_die_with_a_parent_killed_by_sigkill():
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True,
                              env=env, cwd=root)
    pids: list[int] = []
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert pids and all(_running(p) for p in pids)
        parent.send_signal(signal.SIGKILL)  # no handler runs: only the kernel can clean up
        parent.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(p) for p in pids):
            time.sleep(0.05)
        assert not any(_running(p) for p in pids)
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in pids:  # a failed test leaves no orphan behind
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
