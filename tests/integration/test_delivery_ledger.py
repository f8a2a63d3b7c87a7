"""The owed-deliveries ledger against a real SMTP server on 127.0.0.1 (aiosmtpd): SMTP down then
up (nothing owed is lost, oldest first, once each), one delivery per digest under concurrency
(threads and processes against a slow server), stale claims of killed runs, owed alerts."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

from digest import outbox
from digest.alerts import Alert, notify  # noqa: E402
from digest.config import EmailSettings  # noqa: E402
from digest.delivery import deliver_round  # noqa: E402
from digest.email import mask, send_digest  # noqa: E402
from digest.store import Store  # noqa: E402
from tests.support.digests import make_digest  # noqa: E402

pytestmark = pytest.mark.network_local

SLUG = "syria-ceasefire"
D1, D2, D3 = dt.date(2016, 9, 17), dt.date(2016, 9, 18), dt.date(2016, 9, 19)


class Inbox:
    """Keeps what arrives; ``delay`` makes every DATA answer slow (a loaded relay)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.envelopes: list = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(inbox: Inbox, port: int | None = None):
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def settings(port: int, **kw) -> EmailSettings:
    base = dict(enabled=True, host="127.0.0.1", port=port, security="none",
                sender="digest@example.org", to=("editor@example.org",), timeout=5.0,
                retries=1, alert_to=("ops@example.org",))
    base.update(kw)
    return EmailSettings(**base)


def digest_of(day: dt.date):
    return make_digest(3, day=day)


def test_smtp_down_then_up_sends_every_owed_digest_oldest_first_once_each(tmp_path: Path):
    port = free_port()  # nothing listens yet: connection refused
    s = settings(port)
    with Store(tmp_path / "state.sqlite") as store:
        first = deliver_round(digest_of(D1), s, store, backoff=0.01)
        assert first.status == "failed"
        assert first.line == (f"email: not sent to 1 recipient: 127.0.0.1:{port} connection "
                              "refused; will retry at the next run")
        assert [(o.kind, o.date) for o in outbox.owed(store, SLUG)] == [("digest", D1)]
        second = deliver_round(digest_of(D2), s, store, backoff=0.01)  # still down
        assert second.status == "failed" and "(2 digests: 2016-09-17, 2016-09-18)" in second.line
        assert second.results[0].attempts == 2  # the owed one was tried (1 retry) ...
        assert second.results[1].attempts == 0  # ... the day's was then owed without a try
        assert [o.date for o in outbox.owed(store, SLUG)] == [D1, D2]

        inbox = Inbox()
        with smtp_server(inbox, port):
            third = deliver_round(digest_of(D3), s, store, backoff=0.01)
            again = deliver_round(digest_of(D3), s, store, backoff=0.01)
        assert third.status == "sent"
        assert third.line == "email: sent 3 digests (2 owed by earlier runs): " \
                             "2016-09-17, 2016-09-18, 2016-09-19"
        assert again.status == "skipped"
        assert outbox.owed(store, SLUG) == []
        rows = third.rows()
        assert [r["section"] for r in rows] == ["email"] * 3
        assert [r["status"] for r in rows] == ["sent"] * 3
    subjects = [m["Subject"] for m in inbox.messages]
    assert len(subjects) == 3  # once each
    assert [re.search(r"\d\d \w{3} 2016", x).group(0) for x in subjects] == \
        ["17 Sep 2016", "18 Sep 2016", "19 Sep 2016"]  # oldest first, each with its own date
    ids = [m["Message-ID"] for m in inbox.messages]
    assert [i.split(".")[1] for i in ids] == ["2016-09-17", "2016-09-18", "2016-09-19"]


def test_a_rerun_of_an_owed_day_sends_it_once(tmp_path: Path):
    port = free_port()
    s = settings(port, retries=0)
    with Store(tmp_path / "state.sqlite") as store:
        assert deliver_round(digest_of(D1), s, store, backoff=0).status == "failed"
        inbox = Inbox()
        with smtp_server(inbox, port):
            r = deliver_round(digest_of(D1), s, store, backoff=0)  # the same day, by hand
        assert r.status == "sent" and len(r.results) == 1
        assert outbox.owed(store, SLUG) == []
    assert len(inbox.envelopes) == 1


def _send_in_thread(path: Path, port: int, results: list, barrier: threading.Barrier) -> None:
    with Store(path) as store:
        barrier.wait()
        results.append(send_digest(digest_of(D2), settings(port), store, backoff=0.01))


def test_two_concurrent_threads_send_one_email(tmp_path: Path):
    inbox = Inbox(delay=1.5)
    results: list = []
    with smtp_server(inbox) as srv:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_send_in_thread,
                                    args=(tmp_path / "state.sqlite", srv.port, results, barrier))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert len(inbox.envelopes) == 1
    assert sorted(r.status for r in results) == ["sent", "skipped"]


SEND_SCRIPT = """
import datetime as dt, sys
from digest.config import EmailSettings
from digest.email import send_digest
from digest.store import Store
from tests.support.digests import make_digest
s = EmailSettings(enabled=True, host="127.0.0.1", port=int(sys.argv[2]), security="none",
                  sender="digest@example.org", to=("editor@example.org",), timeout=5.0, retries=1)
sys.stdin.readline()  # both processes start sending together
with Store(sys.argv[1]) as store:
    print(send_digest(make_digest(3, day=dt.date(2016, 9, 18)), s, store).status)
"""


def test_two_concurrent_processes_send_one_email(tmp_path: Path):
    inbox = Inbox(delay=1.5)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with smtp_server(inbox) as srv:
        procs = [subprocess.Popen([sys.executable, "-c", SEND_SCRIPT,
                                   str(tmp_path / "state.sqlite"), str(srv.port)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=root, env=env)
                 for _ in range(2)]
        with Store(tmp_path / "state.sqlite"):
            pass  # the schema exists before either starts
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    assert sorted(o.strip() for o, _ in outs) == ["sent", "skipped"]
    assert len(inbox.envelopes) == 1


def test_a_claim_whose_process_is_gone_is_owed_again(tmp_path: Path):
    ctx = multiprocessing.get_context("spawn")
    dead = ctx.Process(target=int)
    dead.start()
    dead.join()
    me = f"{socket.gethostname()}:{dead.pid}:feedbeef"
    with Store(tmp_path / "state.sqlite") as store:
        got = outbox.claim(store, SLUG, "digest", D1.isoformat(), D1, ["a@example.org"], me, 600,
                           message=b"Subject: x\r\n\r\nbody\r\n", subject="x")
        assert got.status == "claimed"
        # a live claim by another holder is busy; the dead process's claim is not
        live = outbox.holder()
        assert [o.date for o in outbox.owed(store, SLUG)] == [D1]
        assert outbox.claim(store, SLUG, "digest", D1.isoformat(), D1, ["a@example.org"], live,
                            600).status == "claimed"
        assert outbox.owed(store, SLUG) == []  # now held by a live process (this one)
        assert outbox.claim(store, SLUG, "digest", D1.isoformat(), D1, ["a@example.org"],
                            outbox.holder(), 600).status == "busy"


def test_a_failed_alert_is_owed_not_alerted_about_and_sent_once_later(tmp_path: Path):
    port = free_port()
    s = settings(port, retries=0)
    alert = Alert("failed", "[story digest] Syria ceasefire: run failed", "Reason: boom\n")
    with Store(tmp_path / "state.sqlite") as store:
        outcome = notify(s, alert, store=store, slug=SLUG, backoff=0)
        assert outcome.status == "failed" and "connection refused" in outcome.error
        owed = outbox.owed(store, SLUG)
        assert [(o.kind, o.subject) for o in owed] == [("alert", alert.subject)]  # only it
        inbox = Inbox()
        with smtp_server(inbox, port):
            r = deliver_round(digest_of(D1), s, store, backoff=0)
            deliver_round(digest_of(D1), s, store, backoff=0)
        assert r.status == "sent" and [a.status for a in r.alerts] == ["sent"]
        assert outbox.owed(store, SLUG) == []
    assert sorted(tuple(e.rcpt_tos) for e in inbox.envelopes) == \
        [("editor@example.org",), ("ops@example.org",)]


def test_a_short_password_is_masked_only_as_a_whole_word():
    assert mask("535 bad login for x: xenon box", "x") == "535 bad login for ***: xenon box"
    assert mask("auth s3cret-App-Passw0rd failed", "s3cret-App-Passw0rd") == "auth *** failed"
    long = "correct-horse-battery"
    assert long not in mask(f"AUTH PLAIN {long}xyz", long)


def test_a_run_that_finds_the_digest_being_sent_says_so_in_one_line(tmp_path: Path):
    inbox = Inbox()
    d = digest_of(D2)
    with smtp_server(inbox) as srv, Store(tmp_path / "state.sqlite") as store:
        other = outbox.holder()  # another run, alive (this process), holding the claim
        assert outbox.claim(store, SLUG, "digest", D2.isoformat(), D2, ["editor@example.org"],
                            other, 600, message=b"Subject: x\r\n\r\nx\r\n").status == "claimed"
        r = send_digest(d, settings(srv.port), store, wait=0.5)
        assert r.status == "busy" and r.ok
        assert r.error.startswith("email: the digest of 2016-09-18 is being sent by another run")
        assert "\n" not in r.error
        # the holder finishes: this run then finds it sent, and sends nothing
        outbox.delivered(store, SLUG, "digest", D2.isoformat(), ["editor@example.org"], other,
                         "<x@story-digest>")
        assert send_digest(d, settings(srv.port), store).status == "skipped"
    assert inbox.envelopes == []
