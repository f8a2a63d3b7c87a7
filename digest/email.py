"""SMTP delivery of the digest (multipart text + HTML) with an idempotency ledger, and alerts.

A digest goes to a given set of recipients once per story and date: the ledger in the state
database remembers the Message-ID sent, and a second run or a retry sends nothing unless
``resend``. Every message is claimed in state before it is sent (:mod:`digest.outbox`), so two
runs at once never both send it, and one that could not be sent stays owed for the next run.
Transient failures (connection problems, 4xx answers) are retried with exponential backoff;
authentication and other permanent failures are not. Errors are one line and never carry the
password.
"""

from __future__ import annotations

import base64
import datetime as dt
import email as emaillib
import email.policy
import hashlib
import logging
import os
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Literal, cast

from digest import outbox
from digest.config import EmailSettings
from digest.errors import DeliveryError
from digest.models import Digest
from digest.output.present import clean, zone
from digest.output.render import render_html, render_text
from digest.store import Store

log = logging.getLogger(__name__)

DeliveryStatus = Literal["sent", "skipped", "failed", "disabled", "busy"]
MESSAGE_DOMAIN = "story-digest"
DEFAULT_SUBJECT = EmailSettings.subject


@dataclass(frozen=True)
class DeliveryResult:
    """How sending went: ``sent``, ``skipped`` (already sent), ``failed``, ``disabled`` or
    ``busy`` (another run holds the claim on this message and is sending it)."""

    status: DeliveryStatus
    message_id: str | None = None
    error: str | None = None  # one line, no secrets
    attempts: int = 0
    recipients: tuple[str, ...] = ()
    kind: outbox.Kind = "digest"
    date: dt.date | None = None  # the digest's date
    owed: bool = False  # sent from the ledger of what earlier runs could not send
    server_down: bool = False  # the failure was the server's (not this message's): stop trying

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "skipped", "disabled", "busy")


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


WHOLE_WORD_BELOW = 8  # a shorter password is masked only where it stands as a whole word


def mask(text: str, password: str | None, username: str | None = None) -> str:
    """``text`` with the password and the base64 forms AUTH sends (LOGIN, PLAIN) replaced by
    ``***``. A short password is masked only as a whole word: a one-character password must not
    turn every such letter of a message into stars."""
    if not password:
        return text
    forms = {password, base64.b64encode(password.encode()).decode()}
    if username:
        forms.add(base64.b64encode(f"\0{username}\0{password}".encode()).decode())
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= WHOLE_WORD_BELOW:
            text = text.replace(form, "***")
        else:
            text = re.sub(rf"(?<![\w+/=]){re.escape(form)}(?![\w+/=])", "***", text)
    return text


def _scrub(text: str, password: str | None, username: str | None = None) -> str:
    """One line, with the password (and its base64 forms used by AUTH) removed."""
    return mask(" ".join(str(text).split()), password, username)[:300]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"host not found ({exc.strerror or exc})"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"server closed the connection ({exc})" if str(exc) else \
            "server closed the connection"
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


def _message_level(exc: BaseException) -> bool:
    """A failure that concerns this message (its data, sender or recipients), not the server."""
    return isinstance(exc, smtplib.SMTPDataError | smtplib.SMTPRecipientsRefused
                      | smtplib.SMTPSenderRefused)


def _deliver(msg: EmailMessage, settings: EmailSettings, recipients: tuple[str, ...],
             password: str | None, ssl_context: ssl.SSLContext | None,
             backoff: float) -> tuple[int, str | None, bool]:
    """Send with retries; return (attempts, one-line error or None, whether the server (not
    this message) failed)."""
    if settings.username and settings.security == "none":
        log.warning("email: logging in to %s without TLS (security = \"none\"): the password "
                    "crosses the network in the clear", settings.host)
    attempts = 0
    while True:
        attempts += 1
        try:
            refused = _send_once(msg, settings, recipients, password, ssl_context)
        except (smtplib.SMTPException, OSError) as exc:
            error = _scrub(f"{settings.host}:{settings.port} {_describe(exc)}", password,
                           settings.username)
            if not _is_transient(exc) or attempts > settings.retries:
                return attempts, error, not _message_level(exc)
            delay = backoff * 2 ** (attempts - 1)
            log.warning("email attempt %d failed (%s); retrying in %.1f s", attempts, error, delay)
            time.sleep(delay)
            continue
        if refused:
            log.warning("email: some recipients refused: %s",
                        _scrub(", ".join(sorted(refused)), password, settings.username))
        return attempts, None, False


def claim_lease(settings: EmailSettings, backoff: float = 2.0) -> float:
    """Seconds a claim on a message holds: longer than every attempt and backoff of one send."""
    attempts = settings.retries + 1
    return (settings.timeout * 4 + 5) * attempts + backoff * 2 ** attempts + 30


BUSY_WAIT = 120.0  # how long a run waits for another run's send of the same message


def send_digest(digest: Digest, settings: EmailSettings, store: Store, *, resend: bool = False,
                password: str | None = None, tz: str = "UTC",
                ssl_context: ssl.SSLContext | None = None, backoff: float = 2.0,
                wait: float = BUSY_WAIT) -> DeliveryResult:
    """Email the digest once per story, date and recipients (``resend`` sends it again).

    ``password`` overrides ``password_env`` (the flow passes a resolved Prefect Secret block);
    ``ssl_context`` replaces the default certificate checks (tests trust their own CA with it).
    The message is claimed in state first: while another run sends it, this one waits up to
    ``wait`` seconds and then reports ``skipped`` (it was sent) or ``busy``. Failures (a missing
    password variable too) are returned, not raised, and the digest stays owed
    (:func:`digest.outbox.owed`) until a later run sends it.
    """
    recipients = tuple(settings.to)
    if not settings.enabled:
        return DeliveryResult(status="disabled", date=digest.date)
    if not recipients:
        return DeliveryResult(status="failed", error="email: no recipients (email.to)",
                              date=digest.date)
    slug, day = digest.story.slug, digest.date
    previous = store.delivery(slug, day, recipients)
    if previous and not resend:
        log.info("email: digest %s/%s already sent to these recipients as %s; not sending again",
                 slug, day, previous)
        return DeliveryResult(status="skipped", message_id=previous, recipients=recipients,
                              date=day)
    nonce = dt.datetime.now(dt.UTC).strftime("resend-%Y%m%dT%H%M%S.%f") if previous else ""
    msg = build_message(digest, settings, tz, msg_id=message_id(digest, recipients, nonce))
    return _send_ledgered(store, slug, "digest", day.isoformat(), day, recipients, msg, settings,
                          password=password, ssl_context=ssl_context, backoff=backoff,
                          wait=wait, resend=resend)


def send_owed(item: outbox.Owed, settings: EmailSettings, store: Store, *,
              password: str | None = None, ssl_context: ssl.SSLContext | None = None,
              backoff: float = 2.0, wait: float = BUSY_WAIT) -> DeliveryResult:
    """Send a message an earlier run could not send, as it was built then (its own date in the
    subject, the same Message-ID), to the recipients it was for."""
    return _send_ledgered(store, item.slug, item.kind, item.key, item.date, item.recipients,
                          None, settings, password=password, ssl_context=ssl_context,
                          backoff=backoff, wait=wait, owed=True)


def owe_digest(digest: Digest, settings: EmailSettings, store: Store, error: str,
               tz: str = "UTC") -> DeliveryResult:
    """Record the digest as owed without trying to send it (the server failed already)."""
    recipients = tuple(settings.to)
    msg = build_message(digest, settings, tz, msg_id=message_id(digest, recipients))
    outbox.owe(store, digest.story.slug, "digest", digest.date.isoformat(), digest.date,
               recipients, msg.as_bytes(), str(msg["Subject"]), error)
    return DeliveryResult(status="failed", error=error, recipients=recipients,
                          date=digest.date, server_down=True)


def _send_ledgered(store: Store, slug: str, kind: outbox.Kind, key: str, day: dt.date,
                   recipients: tuple[str, ...], msg: EmailMessage | None,
                   settings: EmailSettings, *, password: str | None,
                   ssl_context: ssl.SSLContext | None, backoff: float, wait: float,
                   resend: bool = False, owed: bool = False) -> DeliveryResult:
    """Claim the message in state, send it, and record the outcome (sent, or still owed)."""
    me = outbox.holder()
    lease = claim_lease(settings, backoff)
    deadline = time.monotonic() + wait
    base: dict[str, Any] = dict(recipients=recipients, kind=kind, date=day, owed=owed)
    while True:
        got = outbox.claim(store, slug, kind, key, day, recipients, me, lease,
                           message=msg.as_bytes() if msg is not None else None,
                           subject=str(msg["Subject"]) if msg is not None else "",
                           resend=resend)
        if got.status == "sent":
            log.info("email: %s %s/%s already sent as %s", kind, slug, key, got.message_id)
            return DeliveryResult(status="skipped", message_id=got.message_id, **base)
        if got.status == "gone":
            return DeliveryResult(status="skipped", **base)
        if got.status == "claimed":
            break
        if time.monotonic() >= deadline:
            busy = (f"email: the {kind} of {day} is being sent by another run ({got.owner}); "
                    "not sending it twice")
            log.warning("%s", busy)
            return DeliveryResult(status="busy", error=busy, **base)
        time.sleep(0.2)
    assert got.message is not None
    message = cast(EmailMessage,
                   emaillib.message_from_bytes(got.message, policy=email.policy.default))
    error: str | None
    try:
        secret = resolve_password(settings, password)
        attempts, error, down = _deliver(message, settings, recipients, secret, ssl_context,
                                         backoff)
    except DeliveryError as exc:
        attempts, error, down = 0, str(exc), True
    except BaseException:
        outbox.undelivered(store, slug, kind, key, recipients, me, 0, "interrupted")
        raise
    if error:
        outbox.undelivered(store, slug, kind, key, recipients, me, attempts, error)
        log.error("email: %s %s/%s not sent after %d attempt(s): %s", kind, slug, key,
                  attempts, error)
        return DeliveryResult(status="failed", error=error, attempts=attempts, server_down=down,
                              **base)
    msg_id = str(message["Message-ID"])
    outbox.delivered(store, slug, kind, key, recipients, me, msg_id)
    log.info("email: sent %s %s/%s to %d recipient(s) as %s", kind, slug, key, len(recipients),
             msg_id)
    return DeliveryResult(status="sent", message_id=msg_id, attempts=attempts, **base)


def alert_message(settings: EmailSettings, subject: str, body: str,
                  password: str | None = None) -> EmailMessage:
    """An operator alert as a plain-text message to ``alert_to`` (the password masked)."""
    recipients = tuple(settings.alert_to)
    msg = EmailMessage()
    msg["Subject"] = _header_text(subject) or "story digest alert"
    msg["From"] = _header_text(settings.sender)
    msg["To"] = ", ".join(_header_text(r) for r in recipients)
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    stamp = hashlib.sha256(f"{subject}|{time.time_ns()}".encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<alert.{stamp}@{MESSAGE_DOMAIN}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mask(body, password, settings.username))
    return msg


def send_alert(settings: EmailSettings, subject: str, body: str, *, password: str | None = None,
               ssl_context: ssl.SSLContext | None = None, backoff: float = 2.0,
               store: Store | None = None, slug: str = "",
               owe_only: str | None = None) -> DeliveryResult:
    """A plain-text operator alert (a failed run) to ``alert_to``, retried like mail. With a
    ``store`` it goes through the ledger: one that cannot be sent stays owed for the next run
    (``owe_only``, the reason, records it owed without trying). A failed alert never raises
    another alert."""
    recipients = tuple(settings.alert_to)
    if not recipients:
        return DeliveryResult(status="disabled", kind="alert")
    secret: str | None = None
    problem: str | None = None
    try:
        secret = resolve_password(settings, password)
    except DeliveryError as exc:
        problem = str(exc)
    msg = alert_message(settings, subject, body, secret)
    day = dt.datetime.now(dt.UTC).date()
    if store is not None and owe_only:  # its server failed already: owed, not tried
        outbox.owe(store, slug, "alert", str(msg["Message-ID"]), day, recipients, msg.as_bytes(),
                   str(msg["Subject"]), owe_only)
        return DeliveryResult(status="failed", error=owe_only, recipients=recipients,
                              kind="alert", date=day, server_down=True)
    if store is not None:
        return _send_ledgered(store, slug, "alert", str(msg["Message-ID"]), day, recipients, msg,
                              settings, password=password, ssl_context=ssl_context,
                              backoff=backoff, wait=0)
    if problem:
        return DeliveryResult(status="failed", error=problem, recipients=recipients,
                              kind="alert", date=day)
    attempts, error, down = _deliver(msg, settings, recipients, secret, ssl_context, backoff)
    if error:
        return DeliveryResult(status="failed", error=error, attempts=attempts,
                              recipients=recipients, kind="alert", date=day, server_down=down)
    return DeliveryResult(status="sent", message_id=msg["Message-ID"], attempts=attempts,
                          recipients=recipients, kind="alert", date=day)
