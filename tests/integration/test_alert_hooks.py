"""Operator alerts end to end: the flow's state hooks read the run's config and email
``alert_to`` through a real SMTP server on 127.0.0.1 (aiosmtpd). Real Prefect ``State`` and
``FlowRun`` objects; no Prefect server is needed for the hooks themselves."""

from __future__ import annotations

import email
import email.policy
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from prefect.client.schemas.objects import FlowRun  # noqa: E402
from prefect.states import Completed, Crashed, Failed  # noqa: E402

from digest.alerts import Alert, notify  # noqa: E402
from digest.config import load_config  # noqa: E402
from flows import hooks  # noqa: E402

pytestmark = pytest.mark.network_local

RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>T</title>'
       "<link>https://example.org/a</link></item></channel></rss>")


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]


@contextmanager
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def config(tmp_path: Path, port: int, alert_to: str | None = '["ops@example.org"]') -> Path:
    (tmp_path / "feed.xml").write_text(RSS)
    alert = f"alert_to = {alert_to}\n" if alert_to else ""
    path = tmp_path / "story.toml"
    path.write_text(
        '[story]\ntitle = "Syria ceasefire"\nslug = "syria-ceasefire"\n\n'
        '[[feeds]]\nname = "W"\nurl = "feed.xml"\n\n'
        f'[email]\nenabled = false\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'from = "Story digest <digest@example.org>"\nto = ["editor@example.org"]\n{alert}'
        "timeout = 5\nretries = 0\n")
    return path


def flow_run(cfg: Path) -> FlowRun:
    return FlowRun(flow_id=uuid.uuid4(), name="witty-heron", parameters={"config": str(cfg)})


def report(ok: int, failed: int) -> dict:
    return {"story": "syria-ceasefire", "date": "2016-09-18", "feeds_ok": ok,
            "feeds_failed": failed,
            "failed": [{"name": f"Outlet {i}", "error": "HTTP 503 Service Unavailable"}
                       for i in range(failed)],
            "paths": {"md": "/srv/out/2016-09-18.md"}}


def test_notify_sends_a_plain_text_alert_to_alert_to(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        settings = load_config(config(tmp_path, port)).email
        outcome = notify(settings, Alert("failed", "[story digest] x: run failed", "body\n"),
                         backoff=0)
    assert outcome.status == "sent"
    (env,) = inbox.envelopes
    assert env.rcpt_tos == ["ops@example.org"]  # the alert goes to alert_to, not to the readers
    msg = inbox.messages[0]
    assert msg["Subject"] == "[story digest] x: run failed"
    assert msg.get_content().strip() == "body"


@pytest.mark.parametrize("state", [
    Failed(message="Flow run encountered an exception: SourcesError: no source could be read"),
    Crashed(message="Flow run infrastructure exited with non-zero status code 137."),
])
def test_a_failed_or_crashed_run_emails_the_operator(tmp_path: Path, state) -> None:
    with smtp_server() as (inbox, port):
        cfg = config(tmp_path, port)
        hooks.alert_on_failure(None, flow_run(cfg), state)
    (msg,) = inbox.messages
    assert msg["Subject"] == f"[story digest] Syria ceasefire: run {state.name.lower()}"
    body = msg.get_content()
    assert f'run "witty-heron" of "Syria ceasefire" ended {state.name}' in body
    assert state.message in body
    assert f"digest check --config {cfg}" in body


def test_a_run_with_most_sources_failed_emails_the_operator(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        cfg = config(tmp_path, port)
        hooks.alert_on_completion(None, flow_run(cfg), Completed(data=report(2, 5)))
    (msg,) = inbox.messages
    assert msg["Subject"] == "[story digest] Syria ceasefire 2016-09-18: 5 of 7 sources failed"
    assert "  - Outlet 4: HTTP 503 Service Unavailable" in msg.get_content()


def test_a_healthy_run_sends_nothing(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        cfg = config(tmp_path, port)
        hooks.alert_on_completion(None, flow_run(cfg), Completed(data=report(5, 2)))
        hooks.alert_on_completion(None, flow_run(cfg), Completed(data=None))
    assert inbox.envelopes == []


def test_hooks_never_raise(tmp_path: Path, caplog) -> None:
    with smtp_server() as (inbox, port):
        cfg = config(tmp_path, port, alert_to=None)  # no alert_to: logged, not sent
        hooks.alert_on_failure(None, flow_run(cfg), Failed(message="boom"))
        broken = tmp_path / "broken.toml"
        broken.write_text("[story\n")
        hooks.alert_on_failure(None, flow_run(broken), Failed(message="boom"))
        hooks.alert_on_completion(None, flow_run(broken), Completed(data=report(0, 3)))
    assert inbox.envelopes == []
    assert "no [email] alert_to" in caplog.text
    assert "invalid TOML" in caplog.text


def test_with_alerts_adds_each_hook_once() -> None:
    from flows.daily_digest import daily_digest

    once = hooks.with_alerts(daily_digest)
    twice = hooks.with_alerts(once)
    for f in (once, twice):
        assert f.on_failure_hooks.count(hooks.alert_on_failure) == 1
        assert f.on_crashed_hooks.count(hooks.alert_on_failure) == 1
        assert f.on_completion_hooks.count(hooks.alert_on_completion) == 1
    assert twice.name == daily_digest.name == "daily-digest"
