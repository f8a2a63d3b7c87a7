"""Test-run safety net: a test that fails half-way can leave a server thread of its own blocked
(in accept(), say); such a thread must never keep the run, and CI, from ending."""

from __future__ import annotations

import os
import sys
import threading

_STATUS: dict[str, int] = {}


def pytest_sessionfinish(session, exitstatus) -> None:  # type: ignore[no-untyped-def]
    _STATUS["exit"] = int(exitstatus)


def pytest_unconfigure(config) -> None:  # type: ignore[no-untyped-def]
    lingering = [t for t in threading.enumerate()
                 if t is not threading.main_thread() and t.is_alive() and not t.daemon]
    for t in lingering:
        t.join(timeout=5)
    if any(t.is_alive() for t in lingering) and "exit" in _STATUS:
        print(f"tests: {sum(t.is_alive() for t in lingering)} test thread(s) still running "
              "after the run; exiting anyway", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_STATUS["exit"])
