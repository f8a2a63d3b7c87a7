"""The machine a benchmark ran on: CPU, cores, memory, OS, Python and package versions, and how
busy the machine was with other work while a measurement ran (benchmarks on shared machines lie).
"""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

PACKAGES = ("prefect", "trafilatura", "feedparser", "sumy", "httpx", "h2", "lxml", "numpy",
            "scipy", "datasketch", "psutil")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores() -> int:
    """CPUs this process may run on (affinity), else the machine's logical CPUs."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def describe() -> dict:
    """A JSON-ready description of this machine and software."""
    import psutil

    mem = psutil.virtual_memory()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": _cpu_model(),
        "cores": cores(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(mem.total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "packages": versions,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


class BusyMeter:
    """CPU seconds the whole machine spent busy between :meth:`start` and :meth:`stop` (from
    ``/proc/stat``); minus what the measured work used, that is other people's load."""

    def __init__(self) -> None:
        self.busy = 0.0
        self._start = 0.0

    @staticmethod
    def _busy() -> float:
        try:
            with open("/proc/stat", encoding="ascii") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except OSError:
            return 0.0
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    def start(self) -> BusyMeter:
        self._start = self._busy()
        return self

    def stop(self) -> float:
        self.busy = self._busy() - self._start
        return self.busy
