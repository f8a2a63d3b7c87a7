"""The worker pool's time limit: a call past it is abandoned (its worker killed), never waited for."""

from __future__ import annotations

import logging
import os
import time

from digest.parallel import Batch


def _sleep_then(value: str, seconds: float) -> str:
    time.sleep(seconds)
    return value


def _spin_forever() -> str:  # a worker stuck in a regular expression: no sleep, no signals
    while True:
        pass


def _pid() -> int:
    return os.getpid()


def _fail() -> str:
    raise ValueError("bad page")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie not yet reaped counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_call_past_the_time_limit_gives_the_default_and_its_worker_is_killed(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="digest.parallel")
    calls = [(_sleep_then, ("fast", 0.0), {}), (_spin_forever, (), {})]
    start = time.monotonic()
    batch = Batch(calls, workers=2, timeout=2.0, default=())
    workers = list(batch.pool._processes)  # the worker pids, to check they are gone
    assert batch.results() == ["fast", ()]
    assert time.monotonic() - start < 30  # "does not hang": the spinning call never returns
    assert "_spin_forever abandoned" in caplog.text and "2 s time limit" in caplog.text
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_with_a_time_limit_even_one_worker_runs_outside_this_process() -> None:
    batch = Batch([(_pid, (), {}), (_pid, (), {})], workers=1, timeout=60.0)
    pids = batch.results()
    assert os.getpid() not in pids and len(set(pids)) == 1


def test_a_failing_call_under_a_time_limit_gives_the_default(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="digest.parallel")
    batch = Batch([(_fail, (), {}), (_sleep_then, ("ok", 0.0), {})], workers=2, timeout=60.0,
                  default=())
    assert batch.results() == [(), "ok"]
    assert "_fail failed in a worker process (ValueError: bad page)" in caplog.text


def test_without_a_time_limit_small_batches_still_run_here() -> None:
    assert Batch([(_pid, (), {})], workers=1).results() == [os.getpid()]


_ORPHAN_SCRIPT = """
import sys, time
from digest.parallel import Batch
from tests.unit.test_parallel import _spin_forever
batch = Batch([(_spin_forever, (), {})], workers=1, timeout=600.0)
print(*batch.pool._processes, flush=True)
time.sleep(600)
"""


def test_workers_die_with_a_killed_parent() -> None:
    import signal
    import subprocess
    import sys

    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE,
                              text=True, env={**os.environ})
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]  # type: ignore[union-attr]
        assert workers and all(_alive(pid) for pid in workers)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = [pid for pid in workers if _alive(pid)]
    for pid in orphans:  # a failing run must not leave them spinning
        os.kill(pid, signal.SIGKILL)
    assert not orphans
