"""Delivery is part of the job, under real Prefect flow runs and a real SMTP server (aiosmtpd):
SMTP down -> the run is Failed with the one-line reason (files written, the alert attempted and
owed, an email row in the run report); SMTP up the next day -> both digests, once each, oldest
first, then the owed alert."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from pathlib import Path

import pytest
import tomlkit

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

from bench.story_eval import config_with_feeds, pack_feeds  # noqa: E402
from digest import outbox
from digest.store import Store  # noqa: E402
from tests.support.prefect_server import free_port  # noqa: E402
from tests.support.smtp import Inbox  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    # here, not in tests/flows: a test package named "flows" shadows the real one on sys.path
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield




def make_config(tmp_path: Path, port: int) -> Path:
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            pack_feeds(ROOT / "seeds"), tmp_path / "story.toml")
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["email"] = {"enabled": True, "host": "127.0.0.1", "port": port, "security": "none",
                    "from": "digest@example.org", "to": ["editor@example.org"],
                    "alert_to": ["ops@example.org"], "retries": 0, "timeout": 5}
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return cfg


async def _latest_table(key: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
        return sorted(found, key=lambda a: a.created)[-1]


def test_smtp_down_fails_the_run_then_the_next_day_delivers_both(tmp_path):
    from flows.daily_digest import daily_digest

    port = free_port()  # nothing listens: connection refused
    cfg = make_config(tmp_path, port)
    out, state = tmp_path / "out", tmp_path / "state.sqlite"
    run = daily_digest.with_options(retries=0)
    first = run(config=str(cfg), date="2016-09-17", out=str(out), state=str(state),
                return_state=True)
    assert first.is_failed()
    line = (f"email: not sent to 1 recipient: 127.0.0.1:{port} connection refused; "
            "will retry at the next run")
    assert line in first.message
    assert (out / "syria-ceasefire" / "2016-09-17.html").stat().st_size > 1000  # still written
    table = asyncio.run(_latest_table("run-report-syria-ceasefire"))
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    email_rows = [r for r in rows if r["section"] == "email"]
    assert email_rows and email_rows[0]["status"] == "failed"
    assert "connection refused" in email_rows[0]["detail"]
    with Store(state) as store:  # the digest is owed, and so is the alert (it was attempted)
        owed = [(o.kind, o.date.isoformat()) for o in outbox.owed(store, "syria-ceasefire")]
    assert ("digest", "2016-09-17") in owed
    assert [k for k, _ in owed].count("alert") == 1  # no alert about the failed alert

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        second = run(config=str(cfg), date="2016-09-18", out=str(out), state=str(state),
                     return_state=True)
        third = run(config=str(cfg), date="2016-09-18", out=str(out), state=str(state),
                    return_state=True)  # a re-run sends nothing again
    finally:
        controller.stop()
    assert second.is_completed() and third.is_completed()
    report = second.result()
    assert report["email"] == "sent"
    msgs = [email.message_from_bytes(e.content, policy=email.policy.default)
            for e in inbox.envelopes]
    to = [tuple(e.rcpt_tos) for e in inbox.envelopes]
    assert to == [("editor@example.org",), ("editor@example.org",), ("ops@example.org",)]
    assert "17 Sep 2016" in msgs[0]["Subject"] and "18 Sep 2016" in msgs[1]["Subject"]
    assert "not emailed" in msgs[2].get_content()  # the alert says the digest was written
    with Store(state) as store:
        assert outbox.owed(store, "syria-ceasefire") == []


def test_a_backfill_with_smtp_down_writes_every_day_and_owes_every_email(tmp_path):
    from flows.daily_digest import backfill

    cfg = make_config(tmp_path, free_port())  # nothing listens
    out, state = tmp_path / "out", tmp_path / "state.sqlite"
    final = backfill(config=str(cfg), start="2016-09-17", end="2016-09-18", out=str(out),
                     state=str(state), send_email=True, return_state=True)
    assert final.is_failed() and "email: not sent to 1 recipient" in final.message
    for day in ("2016-09-17", "2016-09-18"):  # the second day ran after the first's failure
        assert (out / "syria-ceasefire" / f"{day}.json").is_file()
    with Store(state) as store:
        owed = [o.date.isoformat() for o in outbox.owed(store, "syria-ceasefire", "digest")]
    assert owed == ["2016-09-17", "2016-09-18"]
