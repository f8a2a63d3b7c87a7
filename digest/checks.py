"""Checks of a loaded config beyond its syntax: can this machine run it as configured?

Output and state folders writable, schedule's next run, email password available, alerts
addressed. Nothing is sent and nothing is written; each check is one verdict and one line.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from dataclasses import asdict, dataclass
from pathlib import Path

from croniter import croniter

from digest.config import Config


@dataclass(frozen=True)
class SettingCheck:
    """One setting's verdict ("ok", "warn" or "error") and a one-line detail."""

    name: str
    verdict: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def check_settings(cfg: Config, now: dt.datetime | None = None) -> list[SettingCheck]:
    """Every setting check of ``cfg``, in a fixed order."""
    now = now or dt.datetime.now(dt.UTC)
    return [
        SettingCheck("config", "ok", f'{cfg.path}: story "{cfg.story.title}" ({cfg.story.slug}), '
                                     f"{len(cfg.feeds)} feeds"),
        _schedule(cfg, now),
        _writable("output", cfg.output_dir),
        _writable("state", cfg.state_path.parent, cfg.state_path),
        _email(cfg),
        _alerts(cfg),
    ]


def _schedule(cfg: Config, now: dt.datetime) -> SettingCheck:
    s = cfg.schedule
    nxt = croniter(s.cron, now.astimezone(zoneinfo.ZoneInfo(s.timezone))).get_next(dt.datetime)
    return SettingCheck("schedule", "ok", f"{s.cron!r} in {s.timezone}: next run "
                                          f"{nxt:%Y-%m-%d %H:%M %Z}")


def _writable(name: str, folder: Path, shown: Path | None = None) -> SettingCheck:
    """``folder`` is writable, or can be created (its nearest existing parent is writable)."""
    shown = shown or folder
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return SettingCheck(name, "error", f"{shown}: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        return SettingCheck(name, "error", f"{shown}: {probe} is not writable")
    note = "writable" if probe == folder else f"{folder} will be created"
    return SettingCheck(name, "ok", f"{shown}: {note}")


def _email(cfg: Config) -> SettingCheck:
    em = cfg.email
    if not em.enabled:
        return SettingCheck("email", "ok", "disabled: digests are written to files only")
    where = f"{em.host}:{em.port} ({em.security}) to {', '.join(em.to)}"
    if em.password_block:
        return SettingCheck("email", "ok", f"{where}; password from Prefect Secret block "
                                           f"{em.password_block!r} (not read here)")
    if em.password_env and not os.environ.get(em.password_env):
        return SettingCheck("email", "error", f"{where}; environment variable "
                                              f"{em.password_env} (email.password_env) is not set")
    if em.username and not em.password_env:
        return SettingCheck("email", "error", f"{where}; email.username is set but no password "
                                              "source (email.password_env or password_block)")
    return SettingCheck("email", "ok", where)


def _alerts(cfg: Config) -> SettingCheck:
    em = cfg.email
    if not em.alert_to:
        return SettingCheck("alerts", "warn", "no [email] alert_to: a failed run shows only in "
                                              "Prefect (docs/SCHEDULING.md has an automation)")
    if not em.sender:
        return SettingCheck("alerts", "error", "alert_to is set but [email] from is not")
    if em.password_env and not os.environ.get(em.password_env):
        return SettingCheck("alerts", "error", f"to {', '.join(em.alert_to)}; environment "
                                               f"variable {em.password_env} is not set")
    return SettingCheck("alerts", "ok", f"failed runs and runs with most sources failed: "
                                        f"email to {', '.join(em.alert_to)} via {em.host}")
