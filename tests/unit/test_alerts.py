"""When a run deserves an alert, and what the alert says (sending is tested against aiosmtpd)."""

from __future__ import annotations

import pytest

from digest.alerts import (
    Alert,
    failure_alert,
    notify,
    sources_alert,
    sources_failed_share,
)
from digest.config import EmailSettings


def report(ok: int, failed: int) -> dict:
    return {
        "story": "syria-ceasefire", "date": "2016-09-18", "feeds_ok": ok, "feeds_failed": failed,
        "failed": [{"name": f"Outlet {i}", "error": f"HTTP 503 Service\nUnavailable ({i})"}
                   for i in range(failed)],
        "paths": {"md": "/srv/out/syria-ceasefire/2016-09-18.md"},
    }


@pytest.mark.parametrize("ok, failed, share", [(7, 0, 0.0), (4, 3, 3 / 7), (0, 5, 1.0),
                                               (0, 0, 0.0)])
def test_failed_share(ok: int, failed: int, share: float) -> None:
    assert sources_failed_share(report(ok, failed)) == pytest.approx(share)


@pytest.mark.parametrize("ok, failed", [(7, 0), (4, 3), (2, 2), (0, 0)])
def test_no_alert_when_at_most_half_the_sources_failed(ok: int, failed: int) -> None:
    assert sources_alert("Syria ceasefire", report(ok, failed)) is None


def test_an_alert_when_most_sources_failed_names_each_one() -> None:
    alert = sources_alert("Syria ceasefire", report(2, 3), config_path="/srv/story.toml",
                          run_url="http://127.0.0.1:4200/runs/flow-run/abc")
    assert alert is not None and alert.kind == "sources"
    assert alert.subject == "[story digest] Syria ceasefire 2016-09-18: 3 of 5 sources failed"
    assert "\n" not in alert.subject
    for i in range(3):
        assert f"  - Outlet {i}: HTTP 503 Service Unavailable ({i})" in alert.body  # one line each
    assert "/srv/out/syria-ceasefire/2016-09-18.md" in alert.body
    assert "digest check --config /srv/story.toml" in alert.body
    assert "http://127.0.0.1:4200/runs/flow-run/abc" in alert.body


def test_the_threshold_is_adjustable() -> None:
    assert sources_alert("S", report(3, 1), threshold=0.2) is not None
    assert sources_alert("S", report(0, 4), threshold=1.0) is None


def test_a_failure_alert_says_no_digest_was_written_and_why() -> None:
    alert = failure_alert("Syria ceasefire", state="Crashed",
                          message="Flow run process exited\nwith code 137",
                          run_name="witty-heron", config_path="/srv/story.toml")
    assert alert.kind == "failed"
    assert alert.subject == "[story digest] Syria ceasefire: run crashed"
    assert 'run "witty-heron" of "Syria ceasefire" ended Crashed: no digest was written' in \
        alert.body
    assert "Reason: Flow run process exited with code 137" in alert.body
    assert "digest check --config /srv/story.toml" in alert.body


def test_a_failure_alert_without_a_message_still_reads() -> None:
    alert = failure_alert("S", state="Failed")
    assert "Reason: not given" in alert.body and "Prefect run:" not in alert.body


def test_notify_without_alert_to_sends_nothing() -> None:
    outcome = notify(EmailSettings(host="127.0.0.1", port=9), Alert("failed", "s", "b"))
    assert outcome.status == "disabled"


def test_notify_without_a_sender_fails_without_raising() -> None:
    settings = EmailSettings(host="127.0.0.1", port=9, alert_to=("ops@example.com",))
    outcome = notify(settings, Alert("failed", "s", "b"))
    assert outcome.status == "failed" and "email.from" in outcome.error


def test_notify_with_a_missing_password_variable_fails_without_raising(monkeypatch) -> None:
    monkeypatch.delenv("DIGEST_TEST_NO_SUCH_PASSWORD", raising=False)
    settings = EmailSettings(host="127.0.0.1", port=9, alert_to=("ops@example.com",),
                             sender="digest@example.com", username="u",
                             password_env="DIGEST_TEST_NO_SUCH_PASSWORD")
    outcome = notify(settings, Alert("failed", "s", "b"))
    assert outcome.status == "failed" and "DIGEST_TEST_NO_SUCH_PASSWORD" in outcome.error
