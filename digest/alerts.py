"""Operator alerts: when a run deserves one (it failed, or most sources failed) and what it says.

Sending goes through :func:`digest.email.send_alert` (the story's SMTP settings, to
``[email] alert_to``). Nothing here raises past :func:`notify`: an alert that cannot be sent is
logged and reported, it never turns a run into a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from digest.config import EmailSettings
from digest.errors import DeliveryError
from digest.text.lines import one_line

log = logging.getLogger(__name__)
ALERT_LINE = 500  # characters of one reason or error in an alert mail

SOURCES_FAILED_SHARE = 0.5  # alert when more than this share of the sources failed
SUBJECT_PREFIX = "[story digest]"
UNDELIVERED = "email: not sent to "  # how digest.delivery.Round.line starts for a failed round


@dataclass(frozen=True)
class Alert:
    """One alert: a subject line and a plain-text body; ``kind`` is "failed" or "sources"."""

    kind: str
    subject: str
    body: str


@dataclass(frozen=True)
class AlertOutcome:
    """What happened to an alert: "sent", "disabled" (no ``alert_to``) or "failed"."""

    status: str
    error: str | None = None


def sources_failed_share(report: Mapping[str, Any]) -> float:
    """The share of configured sources that failed in a run report (0 when there are none)."""
    failed = int(report.get("feeds_failed", 0) or 0)
    total = failed + int(report.get("feeds_ok", 0) or 0)
    return failed / total if total else 0.0


def sources_alert(title: str, report: Mapping[str, Any], *, config_path: str | None = None,
                  run_url: str | None = None,
                  threshold: float = SOURCES_FAILED_SHARE) -> Alert | None:
    """An alert when more than ``threshold`` of the sources failed in a finished run, else None."""
    share = sources_failed_share(report)
    if share <= threshold:
        return None
    failed = int(report.get("feeds_failed", 0))
    total = failed + int(report.get("feeds_ok", 0))
    date = report.get("date", "")
    lines = [f'The digest of "{title}" for {date} was made, but {failed} of {total} sources '
             "failed:", ""]
    for item in report.get("failed", ()):
        lines.append(f"  - {one_line(item.get('name'), limit=ALERT_LINE)}: {one_line(item.get('error'), limit=ALERT_LINE)}")
    lines.append("")
    paths = report.get("paths") or {}
    if paths:
        lines.append("It holds only what the other sources had: " +
                     ", ".join(str(p) for p in paths.values()))
    lines += _footer(config_path, run_url)
    return Alert(kind="sources",
                 subject=f"{SUBJECT_PREFIX} {title} {date}: {failed} of {total} sources failed",
                 body="\n".join(lines) + "\n")


def failure_alert(title: str, *, state: str, message: str | None = None,
                  run_name: str | None = None, config_path: str | None = None,
                  run_url: str | None = None) -> Alert:
    """An alert for a run that ended Failed, Crashed or TimedOut: no digest was written (or, when
    the reason is an undelivered email, the digest was written but not emailed)."""
    run = f' "{run_name}"' if run_name else ""
    what = ("the digest was written but not emailed (it is owed: the next run sends it "
            "first; see digest status)" if UNDELIVERED in (message or "")
            else "no digest was written")
    lines = [f'The daily digest run{run} of "{title}" ended {state}: {what}.', "",
             f"Reason: {one_line(message, limit=ALERT_LINE) or 'not given'}", ""]
    lines += _footer(config_path, run_url)
    return Alert(kind="failed", subject=f"{SUBJECT_PREFIX} {title}: run {state.lower()}",
                 body="\n".join(lines) + "\n")


def notify(settings: EmailSettings, alert: Alert, *, password: str | None = None,
           **send_options: Any) -> AlertOutcome:
    """Send ``alert`` to ``settings.alert_to``; never raises (problems are logged and returned).
    With ``store=`` (and ``slug=``) in ``send_options``, alerts owed by earlier runs go first and
    one that cannot be sent stays owed; a failed alert is never itself alerted about."""
    from digest.email import (
        send_alert,  # late: keeps this module light for callers that only decide
    )

    if not settings.alert_to:
        log.warning("alert not sent (no [email] alert_to configured): %s", alert.subject)
        return AlertOutcome("disabled")
    if not settings.sender:
        log.error("alert not sent: [email] from is not set: %s", alert.subject)
        return AlertOutcome("failed", "email.from is not set")
    try:
        if send_options.get("store") is not None:
            from digest.delivery import send_owed_alerts

            owed = send_owed_alerts(settings, send_options["store"], send_options.get("slug", ""),
                                    password=password,
                                    **{k: v for k, v in send_options.items()
                                       if k in ("ssl_context", "backoff")})
            failed = [r for r in owed if r.status == "failed"]
            if failed:  # the server is still down: this one is owed too, untried
                send_options = {**send_options, "owe_only": failed[0].error}
        result = send_alert(settings, alert.subject, alert.body, password=password,
                            **send_options)
    except DeliveryError as exc:
        log.error("alert not sent: %s", exc)
        return AlertOutcome("failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - an alert must never break the run it reports on
        log.exception("alert not sent: unexpected error")
        return AlertOutcome("failed", f"{type(exc).__name__}: {one_line(exc, limit=ALERT_LINE)}")
    if result.status == "failed":
        log.error("alert not sent: %s", result.error)
        return AlertOutcome("failed", result.error)
    log.info("alert sent to %s: %s", ", ".join(result.recipients), alert.subject)
    return AlertOutcome(result.status)


def _footer(config_path: str | None, run_url: str | None) -> list[str]:
    lines = []
    if run_url:
        lines.append(f"Prefect run: {run_url}")
    if config_path:
        lines.append(f"Config: {config_path}")
        lines.append(f"Check every source: digest check --config {config_path}")
    return lines


