"""Clean stops: the first Ctrl-C (SIGINT) or SIGTERM ends a run within seconds, no process left.

Worker processes of our pools run in their own process group (a terminal's Ctrl-C does not reach
them half-way through a page) and are killed, group and all, as soon as a stop signal arrives.
The run then gets :data:`GRACE` seconds to unwind (Prefect marks the flow run Crashed); after that,
or at once on a second signal, every child process left (the temporary Prefect server included)
is stopped and the process exits: 130 after SIGINT, 143 after SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any

GRACE = 3.0  # seconds the run gets to unwind after the first signal
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

_pools: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()
_owner: int | None = None  # pid of the process whose handlers are installed
_stopping: int | None = None  # exit code once a stop signal arrived
_lock = threading.Lock()
_exiting = threading.Lock()  # held by the one caller of exit_now that does the work
_stderr: Any = None  # the real stderr, kept for the last line while the run unwinds quietly


def die_with_parent() -> None:
    """Linux: SIGKILL this process when the thread that forked it ends (the parent killed with
    SIGKILL, which no handler sees); elsewhere nothing."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl: go now
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _worker_start() -> None:
    """In a new worker process: its own process group, gone with its parent, and the parent's
    handlers undone."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us by group
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers live in their own process groups, killed on a stop signal.
    Background imports finish first: a worker never forks while another thread imports."""
    from digest import warmup

    warmup.wait()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start)
    _pools.add(pool)
    return pool


def kill_workers() -> None:
    """SIGKILL every worker process (and its group) of every live pool."""
    for pool in list(_pools):
        for pid in list(getattr(pool, "_processes", None) or {}):
            for kill in (os.killpg, os.kill):  # the group when it has one, else the process
                try:
                    kill(pid, signal.SIGKILL)
                    break
                except (ProcessLookupError, PermissionError):
                    continue


def children(pid: int | None = None) -> list[int]:
    """The live child processes of ``pid`` (default: this process), from /proc (Linux)."""
    pid = pid or os.getpid()
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return sorted(found)


def _descendants() -> list[int]:
    out, todo = [], children()
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children(pid))
    return out


def stop_children(timeout: float = 2.0) -> None:
    """Kill the pools' workers, then SIGTERM every other descendant, SIGKILL what is left after
    ``timeout`` seconds."""
    kill_workers()
    pids = _descendants()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in _descendants() + pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        _alive(pid)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a finished child of ours is reaped here)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def exit_now(code: int | None = None, message: str = "digest: interrupted") -> None:
    """Stop every child process and leave at once (no waiting on threads or atexit hooks)."""
    code = code if code is not None else (_stopping or 130)
    if not _exiting.acquire(blocking=False):  # another thread is already on its way out
        time.sleep(30)
        os._exit(code)
    try:
        stop_children()
    finally:
        try:
            print(message, file=_stderr or sys.stderr, flush=True)
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - a closed stream must not keep us alive
            pass
        os._exit(code)


def stopping() -> int | None:
    """The exit code a stop signal asked for, or ``None`` while none arrived."""
    return _stopping


def _handle(signum: int, frame: FrameType | None) -> None:
    global _stopping
    if os.getpid() != _owner:  # a forked child before its initializer ran
        os._exit(EXIT_CODES.get(signal.Signals(signum), 1))
    with _lock:
        first = _stopping is None
        if first:
            _stopping = EXIT_CODES.get(signal.Signals(signum), 128 + signum)
    if not first:
        exit_now()
    _quiet_stderr()
    kill_workers()
    watchdog = threading.Timer(GRACE, exit_now)
    watchdog.daemon = True
    watchdog.start()
    raise KeyboardInterrupt


def _quiet_stderr() -> None:
    """While the run unwinds, what its threads write to stderr (Prefect failing to send logs to
    a server the terminal's Ctrl-C already stopped, tracebacks of dying threads) is dropped: the
    user gets one line. Handlers that keep their own stream (``-v`` logs) still print."""
    global _stderr
    if _stderr is None:
        _stderr = sys.stderr
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives until exit


def install() -> None:
    """Handle SIGINT and SIGTERM in this (main) thread as described above."""
    global _owner, _stopping
    _owner, _stopping = os.getpid(), None
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _handle)


def uninstall(previous: Any = signal.default_int_handler) -> None:
    """Back to Python's defaults (tests)."""
    signal.signal(signal.SIGINT, previous)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
