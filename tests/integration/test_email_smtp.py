"""Email delivery against a real SMTP server on 127.0.0.1 (aiosmtpd, started by each test):
message structure and headers, the idempotency ledger, --resend, STARTTLS and SSL with a
self-signed CA, retries, login failures reported in one line without the password."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import socket
import ssl
from contextlib import contextmanager
from dataclasses import replace
from email.utils import getaddresses, parsedate_to_datetime

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd")
trustme = pytest.importorskip("trustme")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from digest.config import EmailSettings  # noqa: E402
from digest.email import build_message, send_alert, send_digest  # noqa: E402
from digest.errors import DeliveryError  # noqa: E402
from digest.models import Story  # noqa: E402
from digest.store import Store  # noqa: E402
from tests.support.digests import CRLF_TITLE, make_digest  # noqa: E402

pytestmark = pytest.mark.network_local

PASSWORD = "s3cret-App-Passw0rd"
TO = ("alice@example.org", "bob@example.org")


class Inbox:
    """An aiosmtpd handler that keeps what arrives; it can refuse the first few messages."""

    def __init__(self, refuse_first: int = 0, refusal: str = "451 4.3.0 Try again later"):
        self.envelopes: list = []
        self.refuse_first = refuse_first
        self.refusal = refusal

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_first > 0:
            self.refuse_first -= 1
            return self.refusal
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]


class Authenticator:
    def __init__(self, user: str, password: str):
        self.user, self.password = user.encode(), password.encode()
        self.seen: list[bytes] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.seen.append(auth_data.login)
            ok = auth_data.login == self.user and auth_data.password == self.password
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(handler, **kwargs):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


@pytest.fixture(scope="module")
def client_tls(ca):
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "state.sqlite") as s:
        yield s


def settings(port: int, **kw) -> EmailSettings:
    base = dict(enabled=True, host="127.0.0.1", port=port, security="none",
                sender="digest@example.org", to=TO, timeout=5.0, retries=2)
    base.update(kw)
    return EmailSettings(**base)


def test_message_structure_and_headers(store):
    inbox = Inbox()
    d = make_digest(9)
    with smtp_server(inbox) as srv:
        s = settings(srv.port, sender="Story digest <digest@example.org>",
                     to=("Alice <alice@example.org>", "bob@example.org"))
        result = send_digest(d, s, store, tz="Europe/London")
    assert result.status == "sent" and result.attempts == 1
    assert len(inbox.envelopes) == 1
    env = inbox.envelopes[0]
    assert env.mail_from == "digest@example.org" and sorted(env.rcpt_tos) == list(TO)
    msg = inbox.messages[0]
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    text, html = (p.get_content() for p in parts)
    assert "Syria ceasefire" in text and "OVERVIEW" in text and "Vitaly Churkin" in text
    assert "<h1" in html and "Syria ceasefire" in html and 'id="articles"' in html
    assert "<script" not in html
    assert msg["Subject"] == "Syria ceasefire — Sun 18 Sep 2016: 9 articles from 6 outlets"
    assert msg["From"] == "Story digest <digest@example.org>"
    assert getaddresses([msg["To"]]) == [("Alice", "alice@example.org"), ("", "bob@example.org")]
    assert re.fullmatch(r"<syria-ceasefire\.2016-09-18\.[0-9a-f]{16}@story-digest>",
                        msg["Message-ID"])
    assert msg["Message-ID"] == result.message_id
    assert msg["List-Id"] == "<syria-ceasefire.story-digest>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["Date"].endswith(("+0100", "+0000"))  # shown in the story's zone


def test_no_second_message_on_rerun_and_resend_sends_again(store):
    inbox = Inbox()
    d = make_digest(4)
    with smtp_server(inbox) as srv:
        s = settings(srv.port)
        first = send_digest(d, s, store)
        again = send_digest(d, s, store)
        assert (first.status, again.status) == ("sent", "skipped")
        assert again.message_id == first.message_id
        assert len(inbox.envelopes) == 1
        forced = send_digest(d, s, store, resend=True)
        assert forced.status == "sent" and forced.message_id != first.message_id
        assert len(inbox.envelopes) == 2
        assert send_digest(d, s, store).status == "skipped"
        # other recipients are a different delivery
        other = send_digest(d, replace(s, to=("carol@example.org",)), store)
        assert other.status == "sent" and len(inbox.envelopes) == 3
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(set(ids)) == 3


def test_a_fresh_process_with_the_same_state_database_does_not_send_again(tmp_path):
    inbox = Inbox()
    d = make_digest(3)
    with smtp_server(inbox) as srv:
        with Store(tmp_path / "state.sqlite") as s1:
            assert send_digest(d, settings(srv.port), s1).status == "sent"
        with Store(tmp_path / "state.sqlite") as s2:
            assert send_digest(d, settings(srv.port, to=tuple(reversed(TO))), s2).status == \
                "skipped"
    assert len(inbox.envelopes) == 1


def test_starttls_with_a_self_signed_certificate(store, server_tls, client_tls):
    inbox = Inbox()
    auth = Authenticator("digest", PASSWORD)
    with smtp_server(inbox, tls_context=server_tls, require_starttls=True,
                     authenticator=auth, auth_required=True) as srv:
        s = settings(srv.port, security="starttls", username="digest")
        result = send_digest(make_digest(3), s, store, password=PASSWORD, ssl_context=client_tls)
    assert result.status == "sent", result.error
    assert auth.seen == [b"digest"] and len(inbox.envelopes) == 1


def test_starttls_refuses_an_untrusted_certificate_in_one_line(store, server_tls):
    inbox = Inbox()
    with smtp_server(inbox, tls_context=server_tls, require_starttls=True) as srv:
        result = send_digest(make_digest(3), settings(srv.port, security="starttls"), store,
                             backoff=0.01)
    assert result.status == "failed" and result.attempts == 1  # not retried
    assert "certificate verify failed" in result.error and "\n" not in result.error
    assert inbox.envelopes == [] and store.delivery("syria-ceasefire", make_digest(1).date,
                                                    TO) is None


def test_ssl_on_connect(store, server_tls, client_tls, monkeypatch):
    inbox = Inbox()
    auth = Authenticator("digest", PASSWORD)
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", PASSWORD)
    with smtp_server(inbox, ssl_context=server_tls, authenticator=auth,
                     auth_require_tls=False) as srv:
        s = settings(srv.port, security="ssl", username="digest",
                     password_env="DIGEST_TEST_SMTP_PASSWORD")
        result = send_digest(make_digest(2), s, store, ssl_context=client_tls)
    assert result.status == "sent", result.error
    assert len(inbox.envelopes) == 1 and auth.seen == [b"digest"]


def test_login_failure_is_one_line_without_the_password(store, server_tls, client_tls,
                                                        monkeypatch, caplog):
    inbox = Inbox()
    auth = Authenticator("digest", "the-right-one")
    monkeypatch.setenv("DIGEST_TEST_SMTP_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)
    with smtp_server(inbox, tls_context=server_tls, require_starttls=True,
                     authenticator=auth, auth_required=True) as srv:
        s = settings(srv.port, security="starttls", username="digest",
                     password_env="DIGEST_TEST_SMTP_PASSWORD")
        result = send_digest(make_digest(3), s, store, ssl_context=client_tls, backoff=0.01)
    assert result.status == "failed"
    assert result.attempts == 1  # an authentication failure is not retried
    assert result.error.count("\n") == 0 and "535" in result.error
    assert "127.0.0.1" in result.error
    assert PASSWORD not in result.error and PASSWORD not in caplog.text
    assert PASSWORD not in repr(result)
    assert inbox.envelopes == []


def test_missing_password_variable_names_the_variable_not_a_value(store, monkeypatch):
    monkeypatch.delenv("DIGEST_TEST_NO_SUCH_VAR", raising=False)
    s = settings(free_port(), username="digest", password_env="DIGEST_TEST_NO_SUCH_VAR")
    result = send_digest(make_digest(2), s, store)
    # a failure like any other: one line, returned, and the digest stays owed for the next run
    assert result.status == "failed"
    assert "DIGEST_TEST_NO_SUCH_VAR" in result.error and "\n" not in result.error
    from digest.outbox import owed

    assert [o.date for o in owed(store, "syria-ceasefire")] == [make_digest(2).date]


def test_transient_refusals_are_retried_with_backoff(store):
    inbox = Inbox(refuse_first=2)
    with smtp_server(inbox) as srv:
        result = send_digest(make_digest(3), settings(srv.port, retries=3), store, backoff=0.01)
    assert result.status == "sent" and result.attempts == 3
    assert len(inbox.envelopes) == 1


def test_permanent_refusal_is_not_retried(store):
    inbox = Inbox(refuse_first=5, refusal="554 5.7.1 Message rejected as spam")
    with smtp_server(inbox) as srv:
        result = send_digest(make_digest(3), settings(srv.port, retries=3), store, backoff=0.01)
    assert result.status == "failed" and result.attempts == 1
    assert "554" in result.error and inbox.refuse_first == 4


def test_unreachable_server_fails_after_retries_and_is_recorded_nowhere(store):
    s = settings(free_port(), retries=2)  # nothing listens there
    result = send_digest(make_digest(3), s, store, backoff=0.01)
    assert result.status == "failed" and result.attempts == 3
    assert "\n" not in result.error and "refused" in result.error.lower()
    assert store.delivery("syria-ceasefire", make_digest(1).date, TO) is None


def test_header_injection_through_a_story_title_is_impossible(store):
    inbox = Inbox()
    d = replace(make_digest(3), story=Story(slug="syria-ceasefire", title=CRLF_TITLE))
    with smtp_server(inbox) as srv:
        result = send_digest(d, settings(srv.port), store)
    assert result.status == "sent"
    env = inbox.envelopes[0]
    assert sorted(env.rcpt_tos) == list(TO)  # nobody was added
    msg = inbox.messages[0]
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert msg["Subject"].startswith("Ceasefire Bcc: victim@example.com X-Injected: yes — ")
    raw = env.content.decode("ascii", "replace")
    header_block = raw.split("\r\n\r\n", 1)[0]
    assert not re.search(r"^(Bcc|X-Injected):", header_block, re.M | re.I)


def test_build_message_is_the_same_message_for_the_same_day():
    d = make_digest(5)
    s = settings(25)
    a, b = build_message(d, s), build_message(d, s)
    assert a["Message-ID"] == b["Message-ID"]
    assert build_message(d, replace(s, to=("x@example.org",)))["Message-ID"] != a["Message-ID"]
    custom = build_message(d, replace(s, subject="[{title}] {date:%Y-%m-%d} ({articles})"))
    assert custom["Subject"] == "[Syria ceasefire] 2016-09-18 (5)"
    with pytest.raises(DeliveryError, match="email.subject"):
        build_message(d, replace(s, subject="{nope}"))


def test_disabled_email_sends_nothing(store):
    result = send_digest(make_digest(2), settings(free_port(), enabled=False), store)
    assert result.status == "disabled"


def test_operator_alert(store):
    inbox = Inbox()
    with smtp_server(inbox) as srv:
        s = settings(srv.port, alert_to=("ops@example.org",))
        result = send_alert(s, "story digest run failed\r\nBcc: x@example.org", "Run failed: boom")
        assert send_alert(settings(srv.port), "x", "y").status == "disabled"
    assert result.status == "sent"
    env = inbox.envelopes[0]
    assert env.rcpt_tos == ["ops@example.org"]
    msg = inbox.messages[0]
    assert msg["Subject"] == "story digest run failed Bcc: x@example.org" and msg["Bcc"] is None
    assert msg.get_content().strip() == "Run failed: boom"
