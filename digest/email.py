"""SMTP delivery of the digest (multipart text + HTML) with an idempotency ledger, and alerts.

A digest goes to a given set of recipients once per story and date: the ledger in the state
database remembers the Message-ID sent, and a second run or a retry sends nothing unless
``resend``. Transient failures (connection problems, 4xx answers) are retried with exponential
backoff; authentication and other permanent failures are not. Errors are one line and never carry
the password.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Literal

from digest.config import EmailSettings
from digest.errors import DeliveryError
from digest.models import Digest
from digest.output.present import clean, zone
from digest.output.render import render_html, render_text
from digest.store import Store

log = logging.getLogger(__name__)

DeliveryStatus = Literal["sent", "skipped", "failed", "disabled"]
MESSAGE_DOMAIN = "story-digest"
DEFAULT_SUBJECT = EmailSettings.subject


@dataclass(frozen=True)
class DeliveryResult:
    """How sending went: ``sent``, ``skipped`` (already sent), ``failed`` or ``disabled``."""

    status: DeliveryStatus
    message_id: str | None = None
    error: str | None = None  # one line, no secrets
    attempts: int = 0
    recipients: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "skipped", "disabled")


def _header_text(value: object) -> str:
    """Text safe inside a header: no CR, LF or other control characters, whitespace collapsed."""
    return clean(value)


def subject_for(digest: Digest, template: str = DEFAULT_SUBJECT) -> str:
    """The subject line from the ``[email] subject`` template (fields: title, date, articles,
    outlets); everything interpolated is stripped of CR/LF and control characters."""
    fields = {"title": _header_text(digest.story.title), "date": digest.date,
              "articles": len(digest.articles), "outlets": len(digest.outlets)}
    try:
        text = template.format(**fields)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        known = ", ".join(fields)
        raise DeliveryError(f"email.subject: cannot format {template!r}: {exc!s} "
                            f"(fields: {known})") from None
    return _header_text(text)


def message_id(digest: Digest, recipients: tuple[str, ...], nonce: str = "") -> str:
    """``<slug.date.hash@story-digest>``: the same for the same story, date and recipients."""
    key = ",".join(sorted({r.strip().lower() for r in recipients}))
    digest_hash = hashlib.sha256(f"{digest.story.slug}|{digest.date}|{key}|{nonce}".encode())
    return f"<{digest.story.slug}.{digest.date.isoformat()}.{digest_hash.hexdigest()[:16]}" \
           f"@{MESSAGE_DOMAIN}>"


def build_message(digest: Digest, settings: EmailSettings, tz: str = "UTC", *,
                  msg_id: str | None = None, now: dt.datetime | None = None) -> EmailMessage:
    """The digest as a ``multipart/alternative`` message (plain text first, then HTML)."""
    recipients = tuple(settings.to)
    msg = EmailMessage()
    msg["Subject"] = subject_for(digest, settings.subject)
    msg["From"] = _header_text(settings.sender)
    msg["To"] = ", ".join(_header_text(r) for r in recipients)
    msg["Date"] = format_datetime((now or dt.datetime.now(dt.UTC)).astimezone(zone(tz)))
    msg["Message-ID"] = msg_id or message_id(digest, recipients)
    msg["List-Id"] = f"<{digest.story.slug}.{MESSAGE_DOMAIN}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Precedence"] = "bulk"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(render_text(digest, tz))
    msg.add_alternative(render_html(digest, tz), subtype="html")
    return msg


def resolve_password(settings: EmailSettings, password: str | None = None) -> str | None:
    """The SMTP password: given by the caller (a Prefect Secret block), else from the environment
    variable named by ``password_env``. Raises a one-line DeliveryError naming what is missing."""
    if password:
        return password
    if settings.password_env:
        value = os.environ.get(settings.password_env)
        if not value:
            raise DeliveryError(f"email: environment variable {settings.password_env} "
                                "(email.password_env) is not set")
        return value
    if settings.username:
        hint = (f"resolve Secret block {settings.password_block!r} and pass it"
                if settings.password_block else "set email.password_env")
        raise DeliveryError(f"email: email.username is set but no password is available: {hint}")
    return None


class _Permanent(Exception):
    """A failure that retrying cannot fix."""


def _scrub(text: str, password: str | None) -> str:
    """One line, with the password (and its base64 forms used by AUTH) removed."""
    line = " ".join(str(text).split())
    if password:
        forms = {password, base64.b64encode(password.encode()).decode()}
        for form in sorted(forms, key=len, reverse=True):
            line = line.replace(form, "***")
    return line[:300]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"{exc.smtp_code} {msg}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "all recipients refused: " + "; ".join(
            f"{r}: {code} {m.decode('utf-8', 'replace') if isinstance(m, bytes) else m}"
            for r, (code, m) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError
                  | ssl.SSLError | ssl.CertificateError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError
                      | socket.timeout | ConnectionError | OSError)


def _send_once(msg: EmailMessage, settings: EmailSettings, recipients: tuple[str, ...],
               password: str | None, ssl_context: ssl.SSLContext | None) -> dict:
    ctx = ssl_context or ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ctx)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=ctx)
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, password or "")
        return smtp.send_message(msg, from_addr=parseaddr(settings.sender)[1],
                                 to_addrs=[parseaddr(r)[1] for r in recipients])


def _deliver(msg: EmailMessage, settings: EmailSettings, recipients: tuple[str, ...],
             password: str | None, ssl_context: ssl.SSLContext | None,
             backoff: float) -> tuple[int, str | None]:
    """Send with retries; return (attempts, one-line error or None)."""
    if settings.username and settings.security == "none":
        log.warning("email: logging in to %s without TLS (security = \"none\"): the password "
                    "crosses the network in the clear", settings.host)
    attempts = 0
    while True:
        attempts += 1
        try:
            refused = _send_once(msg, settings, recipients, password, ssl_context)
        except (smtplib.SMTPException, OSError) as exc:
            error = _scrub(f"{settings.host}:{settings.port}: {_describe(exc)}", password)
            if not _is_transient(exc) or attempts > settings.retries:
                return attempts, error
            delay = backoff * 2 ** (attempts - 1)
            log.warning("email attempt %d failed (%s); retrying in %.1f s", attempts, error, delay)
            time.sleep(delay)
            continue
        if refused:
            log.warning("email: some recipients refused: %s",
                        _scrub(", ".join(sorted(refused)), password))
        return attempts, None


def send_digest(digest: Digest, settings: EmailSettings, store: Store, *, resend: bool = False,
                password: str | None = None, tz: str = "UTC",
                ssl_context: ssl.SSLContext | None = None, backoff: float = 2.0) -> DeliveryResult:
    """Email the digest once per story, date and recipients (``resend`` sends it again).

    ``password`` overrides ``password_env`` (the flow passes a resolved Prefect Secret block);
    ``ssl_context`` replaces the default certificate checks (tests trust their own CA with it).
    Failures are returned, not raised; a missing password variable raises DeliveryError.
    """
    recipients = tuple(settings.to)
    if not settings.enabled:
        return DeliveryResult(status="disabled")
    if not recipients:
        return DeliveryResult(status="failed", error="email: no recipients (email.to)")
    slug, day = digest.story.slug, digest.date
    previous = store.delivery(slug, day, recipients)
    if previous and not resend:
        log.info("email: digest %s/%s already sent to these recipients as %s; not sending again",
                 slug, day, previous)
        return DeliveryResult(status="skipped", message_id=previous, recipients=recipients)
    secret = resolve_password(settings, password)
    nonce = dt.datetime.now(dt.UTC).strftime("resend-%Y%m%dT%H%M%S.%f") if previous else ""
    msg_id = message_id(digest, recipients, nonce)
    msg = build_message(digest, settings, tz, msg_id=msg_id)
    attempts, error = _deliver(msg, settings, recipients, secret, ssl_context, backoff)
    if error:
        log.error("email: digest %s/%s not sent after %d attempt(s): %s", slug, day, attempts, error)
        return DeliveryResult(status="failed", error=error, attempts=attempts,
                              recipients=recipients)
    store.record_delivery(slug, day, recipients, msg_id)
    log.info("email: sent digest %s/%s to %d recipient(s) as %s", slug, day, len(recipients),
             msg_id)
    return DeliveryResult(status="sent", message_id=msg_id, attempts=attempts,
                          recipients=recipients)


def send_alert(settings: EmailSettings, subject: str, body: str, *, password: str | None = None,
               ssl_context: ssl.SSLContext | None = None, backoff: float = 2.0) -> DeliveryResult:
    """A plain-text operator alert (a failed run) to ``alert_to``; no ledger, retried like mail."""
    recipients = tuple(settings.alert_to)
    if not recipients:
        return DeliveryResult(status="disabled")
    secret = resolve_password(settings, password)
    msg = EmailMessage()
    msg["Subject"] = _header_text(subject) or "story digest alert"
    msg["From"] = _header_text(settings.sender)
    msg["To"] = ", ".join(_header_text(r) for r in recipients)
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    stamp = hashlib.sha256(f"{subject}|{time.time_ns()}".encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<alert.{stamp}@{MESSAGE_DOMAIN}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body if not secret else body.replace(secret, "***"))
    attempts, error = _deliver(msg, settings, recipients, secret, ssl_context, backoff)
    if error:
        return DeliveryResult(status="failed", error=error, attempts=attempts,
                              recipients=recipients)
    return DeliveryResult(status="sent", message_id=msg["Message-ID"], attempts=attempts,
                          recipients=recipients)
