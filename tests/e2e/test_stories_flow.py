"""Many stories, one crawl, under real Prefect flow runs (flows/stories.py): one parent run,
one ``daily-digest`` child run per story with its own files and state; the same digests as each
story alone; a failing story (a broken config, an SMTP server that is down) is reported once and
never stops the others. Email goes to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest
import tomlkit

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

from digest import outbox  # noqa: E402
from digest.config import Config, load_config  # noqa: E402
from digest.pipeline import open_run, run  # noqa: E402
from digest.store import Store  # noqa: E402
from tests.support.prefect_server import free_port  # noqa: E402
from tests.support.smtp import Inbox  # noqa: E402
from tests.support.stories import DONBAS, story_config, story_files, undated  # noqa: E402

DAY = "2016-09-14"


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield




def with_email(cfg: Config, port: int) -> Config:
    doc = tomlkit.parse(cfg.path.read_text(encoding="utf-8"))
    doc["email"] = {"enabled": True, "host": "127.0.0.1", "port": port, "security": "none",
                    "from": "digest@example.org", "to": [f"{cfg.story.slug}@example.org"],
                    "alert_to": ["ops@example.org"], "retries": 0, "timeout": 5}
    cfg.path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return load_config(cfg.path)


async def _run_name(run_id) -> str:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return (await client.read_flow_run(run_id)).name


async def _child_runs() -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async with get_client() as client:
        return await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["daily-digest"])))


def test_each_story_gets_its_child_run_and_the_digest_it_makes_alone(tmp_path: Path) -> None:
    from flows.stories import daily_digests

    together = [story_config(tmp_path / "together", "syria"),
                story_config(tmp_path / "together", "donbas", text=DONBAS)]
    alone = [story_config(tmp_path / "alone", "syria"),
             story_config(tmp_path / "alone", "donbas", text=DONBAS)]
    before = {r.id for r in asyncio.run(_child_runs())}
    state = daily_digests(configs=[str(c.path) for c in together], date=DAY, send_email=False,
                          return_state=True)
    result = state.result()
    assert asyncio.run(_run_name(state.state_details.flow_run_id)) == f"2-stories-{DAY}"
    assert result["failed"] == []
    assert [r["story"] for r in result["stories"]] == ["syria-ceasefire", "donbas-truce"]
    # seven feeds read once for both stories
    assert result["crawl"]["feed_requests"] == len(together[0].feeds)
    runs = [r for r in asyncio.run(_child_runs()) if r.id not in before]
    assert sorted(r.name for r in runs) == [f"donbas-truce-{DAY}", f"syria-ceasefire-{DAY}"]
    assert all(r.state.is_completed() for r in runs)
    assert all("story-digest" in r.tags for r in runs)

    day = dt.date.fromisoformat(DAY)
    for cfg in alone:
        ctx = open_run(cfg, day=day, send_email=False)
        try:
            run(ctx)
        finally:
            ctx.close()
    for a, b in zip(alone, together, strict=True):
        files_a, files_b = story_files(a), story_files(b)
        assert files_a and files_a.keys() == files_b.keys()
        for name in files_a:  # run minutes apart: all but the time they were made
            assert undated(files_a[name]) == undated(files_b[name]), \
                f"{a.story.slug}: {name} differs"


def test_a_story_run_leaves_nothing_of_its_day_in_memory(tmp_path: Path) -> None:
    """Fifty stories in one process must not keep fifty days' drafts: Prefect keeps a service
    per task-run tag set alive for the process, holding the context of the task run that
    started it (its parameters: the story's draft, history and run context)."""
    import gc

    from digest.pipeline.compose import Draft
    from flows.stories import daily_digests

    def drafts() -> int:
        gc.collect()
        return sum(isinstance(o, Draft) for o in gc.get_objects())

    configs = [story_config(tmp_path, "syria"), story_config(tmp_path, "donbas", text=DONBAS)]
    before = drafts()
    state = daily_digests(configs=[str(c.path) for c in configs], date=DAY, send_email=False,
                          return_state=True)
    assert state.is_completed()
    assert len(state.result()["stories"]) == 2 and state.result()["failed"] == []
    assert drafts() <= before


def test_a_broken_config_and_a_dead_smtp_server_stop_no_other_story(tmp_path: Path) -> None:
    from flows.stories import StoriesError, daily_digests

    inbox = Inbox()
    up = free_port()
    down = free_port()  # nothing listens: connection refused
    syria = with_email(story_config(tmp_path, "syria"), up)
    donbas = with_email(story_config(tmp_path, "donbas", text=DONBAS), down)
    broken = tmp_path / "broken.toml"
    broken.write_text("[story\ntitle = 'unclosed'\n", encoding="utf-8")
    controller = Controller(inbox, hostname="127.0.0.1", port=up)
    controller.start()
    try:
        state = daily_digests(configs=[str(broken), str(donbas.path), str(syria.path)],
                              date=DAY, return_state=True)
    finally:
        controller.stop()
    assert state.is_failed()
    exc = state.result(raise_on_failure=False)
    assert isinstance(exc, StoriesError)
    failed = exc.report["failed"]
    # each failing story reported once, with its reason in one line
    assert [(f["config"], f["story"]) for f in failed] == [(str(broken), None),
                                                          (str(donbas.path), "donbas-truce")]
    assert "invalid TOML" in failed[0]["error"] or "TOML" in failed[0]["error"]
    assert "connection refused" in failed[1]["error"] and failed[1]["undelivered"]
    assert all("\n" not in f["error"] for f in failed)
    assert str(exc).count("donbas-truce") == 1
    # the story after them ran, wrote its files and was mailed once
    assert [r["story"] for r in exc.report["stories"]] == ["donbas-truce", "syria-ceasefire"]
    assert (syria.story_dir / f"{DAY}.html").stat().st_size > 1000
    assert (donbas.story_dir / f"{DAY}.html").stat().st_size > 1000  # written, not mailed
    mails = [email.message_from_bytes(e.content, policy=email.policy.default)
             for e in inbox.envelopes]
    assert [tuple(e.rcpt_tos) for e in inbox.envelopes] == [("syria-ceasefire@example.org",)]
    assert "Syria ceasefire" in mails[0]["Subject"]
    with Store(donbas.state_path) as store:  # the failed story's digest stays owed
        owed = [(o.kind, o.date.isoformat()) for o in outbox.owed(store, "donbas-truce")]
    assert ("digest", DAY) in owed
    with Store(syria.state_path) as store:
        assert outbox.owed(store, "syria-ceasefire") == []


def test_a_story_that_cannot_mail_is_reported_once_by_its_own_run(tmp_path: Path) -> None:
    """SMTP down for one story: its own daily-digest run ends Failed (and alerts); the parent
    ends Completed, listing it; the other story is mailed."""
    from flows.stories import daily_digests

    inbox = Inbox()
    up, down = free_port(), free_port()
    syria = with_email(story_config(tmp_path, "syria"), up)
    donbas = with_email(story_config(tmp_path, "donbas", text=DONBAS), down)
    before = {r.id for r in asyncio.run(_child_runs())}
    controller = Controller(inbox, hostname="127.0.0.1", port=up)
    controller.start()
    try:
        state = daily_digests(configs=[str(donbas.path), str(syria.path)], date=DAY,
                              return_state=True)
    finally:
        controller.stop()
    assert state.is_completed()
    result = state.result()
    assert [(f["story"], f["undelivered"]) for f in result["failed"]] == [("donbas-truce", True)]
    runs = {r.name: r for r in asyncio.run(_child_runs()) if r.id not in before}
    assert runs[f"donbas-truce-{DAY}"].state.is_failed()
    assert runs[f"syria-ceasefire-{DAY}"].state.is_completed()
    assert [tuple(e.rcpt_tos) for e in inbox.envelopes] == [("syria-ceasefire@example.org",)]
