"""The owed-deliveries ledger: a message is claimed in state before it is sent, kept when it
could not be sent, and listed until a later run delivers it.

One row per message (a digest of a date, or an operator alert) in the ``outbox`` table of the state
database. Claiming is one ``BEGIN IMMEDIATE`` transaction, so two runs (threads or processes) can
never both hold the same message: the second sees it ``busy`` (or already sent) and does not send.
A claim names its holder (``host:pid:token``) and expires; a claim whose process is gone, or whose
lease ran out, counts as owed again, so a killed run leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from digest.store import Store

Kind = Literal["digest", "alert"]
ClaimStatus = Literal["claimed", "sent", "busy", "gone"]

_HOST = socket.gethostname()


def holder() -> str:
    """A claim's holder: this host, this process and a token unique to the caller."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def recipients_key(recipients: Sequence[str]) -> str:
    return ",".join(sorted({r.strip().lower() for r in recipients}))


@dataclass(frozen=True)
class Claim:
    """The outcome of :func:`claim`: ``claimed`` (send ``message`` now), ``sent`` (the ledger
    holds ``message_id``), ``busy`` (``owner`` is sending it) or ``gone`` (no longer owed)."""

    status: ClaimStatus
    message: bytes | None = None
    message_id: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class Owed:
    """A message that was not delivered yet."""

    slug: str
    kind: Kind
    key: str  # a digest's date, or an alert's Message-ID
    date: dt.date  # the digest's date; for an alert, the day it was raised
    recipients: tuple[str, ...]
    subject: str
    attempts: int
    error: str | None
    since: dt.datetime  # when it was first owed

    def as_dict(self) -> dict[str, object]:
        return {"story": self.slug, "kind": self.kind, "date": self.date.isoformat(),
                "recipients": list(self.recipients), "subject": self.subject,
                "attempts": self.attempts, "error": self.error, "since": self.since.isoformat()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _alive(owner: str | None, until: str | None, now: dt.datetime) -> bool:
    """Whether a claim still holds: its lease has not run out, and (on this host) its process
    still exists. A holder on another host is trusted until its lease ends."""
    if not owner or not until or dt.datetime.fromisoformat(until) <= now:
        return False
    host, _, rest = owner.partition(":")
    if host != _HOST:
        return True
    try:
        pid = int(rest.partition(":")[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def claim(store: Store, slug: str, kind: Kind, key: str, day: dt.date,
          recipients: Sequence[str], me: str, lease: float, *, message: bytes | None = None,
          subject: str = "", resend: bool = False) -> Claim:
    """Claim a message for sending, atomically. With ``message`` the row is created (or its
    message replaced); without, only an existing owed row is claimed (``gone`` if there is none).
    A digest already in the sent ledger is ``sent`` unless ``resend``."""
    rkey = recipients_key(recipients)
    now = _now()
    until = (now + dt.timedelta(seconds=lease)).isoformat()
    with store.transaction(inputs=False) as db:
        if kind == "digest" and not resend:
            row = db.execute("SELECT message_id FROM deliveries WHERE slug=? AND date=? AND"
                             " recipients=?", (slug, key, rkey)).fetchone()
            if row:
                if message is None:  # an owed copy left behind by a kill after the send
                    db.execute("DELETE FROM outbox WHERE slug=? AND kind=? AND key=? AND"
                               " recipients=?", (slug, kind, key, rkey))
                return Claim("sent", message_id=row[0])
        row = db.execute("SELECT message, owner, lease_until FROM outbox WHERE slug=? AND kind=?"
                         " AND key=? AND recipients=?", (slug, kind, key, rkey)).fetchone()
        if row is not None and row[1] != me and _alive(row[1], row[2], now):
            return Claim("busy", owner=row[1])
        if row is None:
            if message is None:
                return Claim("gone")
            db.execute("INSERT INTO outbox (slug, kind, key, date, recipients, subject, message,"
                       " owner, lease_until, attempts, error, since)"
                       " VALUES (?,?,?,?,?,?,?,?,?,0,NULL,?)",
                       (slug, kind, key, day.isoformat(), rkey, subject, message, me, until,
                        now.isoformat()))
            return Claim("claimed", message=message)
        db.execute("UPDATE outbox SET owner=?, lease_until=?"
                   + (", message=?, subject=?" if message is not None else "")
                   + " WHERE slug=? AND kind=? AND key=? AND recipients=?",
                   (me, until, *((message, subject) if message is not None else ()),
                    slug, kind, key, rkey))
        return Claim("claimed", message=message if message is not None else bytes(row[0]))


def delivered(store: Store, slug: str, kind: Kind, key: str, recipients: Sequence[str],
              me: str, message_id: str) -> None:
    """The claimed message was accepted: into the sent ledger (digests), out of the outbox."""
    rkey = recipients_key(recipients)
    with store.transaction(inputs=False) as db:
        if kind == "digest":
            db.execute("INSERT OR REPLACE INTO deliveries VALUES (?,?,?,?,?)",
                       (slug, key, rkey, message_id, _now().isoformat()))
        db.execute("DELETE FROM outbox WHERE slug=? AND kind=? AND key=? AND recipients=?"
                   " AND owner=?", (slug, kind, key, rkey, me))


def undelivered(store: Store, slug: str, kind: Kind, key: str, recipients: Sequence[str],
                me: str, attempts: int, error: str) -> None:
    """The claimed message could not be sent: release the claim, keep it owed with the reason."""
    with store.transaction(inputs=False) as db:
        db.execute("UPDATE outbox SET owner=NULL, lease_until=NULL, attempts=attempts+?, error=?"
                   " WHERE slug=? AND kind=? AND key=? AND recipients=? AND owner=?",
                   (attempts, error, slug, kind, key, recipients_key(recipients), me))


def owe(store: Store, slug: str, kind: Kind, key: str, day: dt.date, recipients: Sequence[str],
        message: bytes, subject: str, error: str) -> None:
    """Record a message as owed without trying it (its server already failed in this run)."""
    rkey = recipients_key(recipients)
    with store.transaction(inputs=False) as db:
        if kind == "digest" and db.execute(
                "SELECT 1 FROM deliveries WHERE slug=? AND date=? AND recipients=?",
                (slug, key, rkey)).fetchone():
            return
        db.execute("INSERT INTO outbox (slug, kind, key, date, recipients, subject, message,"
                   " owner, lease_until, attempts, error, since)"
                   " VALUES (?,?,?,?,?,?,?,NULL,NULL,0,?,?)"
                   " ON CONFLICT(slug, kind, key, recipients) DO UPDATE SET"
                   " error=excluded.error, message=CASE WHEN outbox.owner IS NULL"
                   " THEN excluded.message ELSE outbox.message END",
                   (slug, kind, key, day.isoformat(), rkey, subject, message, error,
                    _now().isoformat()))


def owed(store: Store, slug: str | None = None, kind: Kind | None = None) -> list[Owed]:
    """What is owed (not claimed by a live run), oldest first: by date, then since."""
    now = _now()
    sql = ("SELECT slug, kind, key, date, recipients, subject, attempts, error, since, owner,"
           " lease_until FROM outbox WHERE 1=1")
    params: list[object] = []
    if slug is not None:
        sql += " AND slug=?"
        params.append(slug)
    if kind is not None:
        sql += " AND kind=?"
        params.append(kind)
    rows = store.read(sql + " ORDER BY date, since, key", params)
    return [Owed(slug=r[0], kind=r[1], key=r[2], date=dt.date.fromisoformat(r[3]),
                 recipients=tuple(x for x in r[4].split(",") if x), subject=r[5] or "",
                 attempts=int(r[6]), error=r[7], since=dt.datetime.fromisoformat(r[8]))
            for r in rows if not _alive(r[9], r[10], now)]


def pending(store: Store, slug: str) -> bool:
    """Anything in the story's outbox: owed, or being sent by a run now."""
    return bool(store.read("SELECT 1 FROM outbox WHERE slug=? LIMIT 1", [slug]))
