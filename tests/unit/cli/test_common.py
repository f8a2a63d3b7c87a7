"""What the command line's commands share: the process clock behind the run report's fixed cost."""

from __future__ import annotations

import subprocess
import sys
import time

from digest.cli.common import add_fixed_cost, process_seconds


def test_process_seconds_counts_from_the_process_start() -> None:
    first = process_seconds()
    time.sleep(0.05)
    assert process_seconds() >= first + 0.04
    # a fresh process counts from its own start: no more than the time it took to run it
    code = "from digest.cli.common import process_seconds; print(process_seconds())"
    start = time.monotonic()
    young = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout)
    assert 0 <= young <= time.monotonic() - start + 0.02  # clock ticks are 10 ms


def test_the_fixed_cost_is_the_time_not_spent_on_the_work() -> None:
    report = add_fixed_cost({"timings": {"run": 0.25}}, 0.25)
    timings = report["timings"]
    assert timings["process"] >= timings["fixed"] >= 0
    assert abs(timings["process"] - timings["fixed"] - 0.25) < 0.002 or timings["fixed"] == 0
