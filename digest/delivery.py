"""One run's email round: what earlier runs owe first (oldest first), then the day's digest, then
owed operator alerts; and the round's outcome in one line."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from typing import Any

from digest import outbox
from digest.config import EmailSettings
from digest.email import DeliveryResult, owe_digest, send_digest, send_owed
from digest.models import Digest
from digest.store import Store

log = logging.getLogger(__name__)

RETRY_NOTE = "will retry at the next run"


@dataclass(frozen=True)
class Round:
    """Every digest message of a run's round (owed ones first) and the owed alerts sent."""

    results: tuple[DeliveryResult, ...] = ()
    alerts: tuple[DeliveryResult, ...] = ()

    @property
    def failed(self) -> tuple[DeliveryResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")

    @property
    def status(self) -> str:
        """``failed`` when any digest was not sent, else ``sent``, ``skipped``, ``busy`` or
        ``disabled`` (the day's digest's own status when nothing owed was sent)."""
        if self.failed:
            return "failed"
        if any(r.status == "sent" for r in self.results):
            return "sent"
        return self.results[-1].status if self.results else "disabled"

    @property
    def line(self) -> str:
        """The round in one line, e.g. ``email: not sent to 1 recipient: 127.0.0.1:2525
        connection refused; will retry at the next run``."""
        failed = self.failed
        if failed:
            people = {p for r in failed for p in r.recipients}
            n = len(people)
            days = sorted({r.date.isoformat() for r in failed if r.date})
            what = f" ({len(days)} digests: {', '.join(days)})" if len(days) > 1 else ""
            error = failed[-1].error or "unknown error"
            if error.startswith("email: "):
                error = error[len("email: "):]
            return (f"email: not sent to {n} recipient{'s' if n != 1 else ''}{what}: {error}; "
                    f"{RETRY_NOTE}")
        sent = [r for r in self.results if r.status == "sent"]
        if sent:
            dates = ", ".join(r.date.isoformat() for r in sent if r.date)
            owed = sum(r.owed for r in sent)
            more = f" ({owed} owed by earlier runs)" if owed else ""
            return f"email: sent {len(sent)} digest{'s' if len(sent) != 1 else ''}{more}: {dates}"
        busy = [r for r in self.results if r.status == "busy"]
        if busy:
            return busy[-1].error or "email: being sent by another run"
        return f"email: {self.status}"

    def rows(self) -> list[dict[str, Any]]:
        """Rows for the run-report table (same keys as :func:`digest.output.serialize.report_rows`)."""
        out = []
        for r in (*self.results, *self.alerts):
            name = f"{r.kind} {r.date.isoformat() if r.date else ''}".strip()
            if r.owed:
                name += " (owed)"
            detail = r.error or r.message_id or ""
            if r.status == "failed":
                detail = f"{detail}; {RETRY_NOTE}"
            out.append({"section": "email", "name": name, "status": r.status,
                        "value": len(r.recipients), "detail": detail})
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "line": self.line,
                "messages": [{"kind": r.kind, "date": r.date.isoformat() if r.date else None,
                              "status": r.status, "owed": r.owed, "error": r.error,
                              "recipients": len(r.recipients)} for r in self.results]}


def deliver_round(digest: Digest, settings: EmailSettings, store: Store, *,
                  resend: bool = False, password: str | None = None, tz: str = "UTC",
                  ssl_context: ssl.SSLContext | None = None, backoff: float = 2.0) -> Round:
    """Send what earlier runs owe for this story (oldest first), then ``digest``, then owed
    alerts. Once the server itself fails, the rest is recorded as owed without being tried."""
    if not settings.enabled:
        return Round()
    slug = digest.story.slug
    today = (digest.date.isoformat(), outbox.recipients_key(settings.to))
    results: list[DeliveryResult] = []
    down: str | None = None
    for item in outbox.owed(store, slug, "digest"):
        if (item.key, outbox.recipients_key(item.recipients)) == today:
            continue  # today's digest is sent fresh below (it may have been rebuilt)
        if down:
            results.append(DeliveryResult(status="failed", error=down, kind="digest",
                                          date=item.date, recipients=item.recipients, owed=True))
            continue
        r = send_owed(item, settings, store, password=password, ssl_context=ssl_context,
                      backoff=backoff)
        results.append(r)
        if r.status == "failed" and r.server_down:
            down = r.error
    if down:
        results.append(owe_digest(digest, settings, store, down, tz))
    else:
        results.append(send_digest(digest, settings, store, resend=resend, password=password,
                                   tz=tz, ssl_context=ssl_context, backoff=backoff))
        if results[-1].status == "failed" and results[-1].server_down:
            down = results[-1].error
    alerts: list[DeliveryResult] = []
    if not down:
        alerts = send_owed_alerts(settings, store, slug, password=password,
                                  ssl_context=ssl_context, backoff=backoff)
    return Round(tuple(results), tuple(alerts))


def send_owed_alerts(settings: EmailSettings, store: Store, slug: str, *,
                     password: str | None = None, ssl_context: ssl.SSLContext | None = None,
                     backoff: float = 2.0) -> list[DeliveryResult]:
    """Send the alerts earlier runs could not send, oldest first; stop at the first failure.
    Their failures are logged, never alerted about."""
    out = []
    for item in outbox.owed(store, slug, "alert"):
        r = send_owed(item, settings, store, password=password, ssl_context=ssl_context,
                      backoff=backoff, wait=0)
        out.append(r)
        if r.status == "failed":
            log.warning("owed alert still not sent: %s", r.error)
            break
    return out
