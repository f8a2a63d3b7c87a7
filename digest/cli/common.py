"""What every command of the ``digest`` command line shares: the default config, how a config
path is found, and the usage error (exit code 2)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from digest.errors import ConfigError, DigestError

DEFAULT_CONFIG = "config/syria-ceasefire.toml"


class UsageError(DigestError):
    """Bad command-line arguments (exit code 2)."""


def config_path(value: str | None) -> str:
    """The config file to use: ``value``, else ``$DIGEST_CONFIG``, else the bundled story's."""
    path = value or os.environ.get("DIGEST_CONFIG") or DEFAULT_CONFIG
    if Path(path).is_dir():
        raise ConfigError(path, None, "is a directory, not a config file (pass --config FILE)")
    if Path(path).exists() and not Path(path).is_file():
        raise ConfigError(path, None, "not a regular file")
    if not Path(path).is_file():
        raise ConfigError(path, None, "file not found (pass --config PATH or set DIGEST_CONFIG)")
    return str(Path(path).resolve())


def several_configs(values: list[str] | None, state: str | None = None) -> list[str] | None:
    """The config files of a command over several stories (``--config`` repeated, or a folder:
    its ``*.toml``), or None for one story. ``state`` (a ``--state`` value) names one story's
    state database, so it is refused with several."""
    values = values or []
    if len(values) <= 1 and not (values and Path(values[0]).is_dir()):
        return None
    from flows.serve import config_paths

    if state:
        raise UsageError("--state names one story's state; with several stories each keeps "
                         "its own (its config's [state] path)")
    return [str(p) for p in config_paths(values)]


def one_config(values: list[str] | None) -> str:
    """The config file of a command over one story (see :func:`config_path`)."""
    return config_path(values[0] if values else None)


_IMPORTED = time.monotonic()


def process_seconds() -> float:
    """Seconds since this process started (Linux: from ``/proc``; elsewhere since the command
    line was imported, which leaves out the interpreter's own start)."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(stat[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in ticks
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


def add_fixed_cost(report: dict, work: float) -> dict:
    """``report`` with the process's whole time and its fixed part (everything but ``work``,
    the digest's own stages: Python and Prefect start-up, the temporary server, flow runs)."""
    total = process_seconds()
    timings = report.setdefault("timings", {})
    timings["process"] = round(total, 3)
    timings["fixed"] = round(max(0.0, total - work), 3)
    return report
