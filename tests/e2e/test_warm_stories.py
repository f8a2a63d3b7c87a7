"""A warm many-story run under real Prefect (flows/stories.py, digest/pipeline/keep.py): a story
whose day would only be kept gets no ``daily-digest`` child run and its files are not touched; a
story with new input, or with an email owed, still gets its child run. Feeds and pages come from
a real local HTTP server (ETag/304), email goes to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

from digest import outbox  # noqa: E402
from digest.config import Config, load_config  # noqa: E402
from digest.store import Store  # noqa: E402
from tests.support.packserve import ServedPack, serve_pack  # noqa: E402
from tests.support.prefect_server import free_port  # noqa: E402
from tests.support.smtp import Inbox  # noqa: E402
from tests.support.stories import DONBAS, ROOT, story_config, story_state  # noqa: E402

DAY = "2016-09-18"
PACK = ROOT / "tests" / "packs" / "other-outlets"


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def pack() -> Iterator[ServedPack]:
    with serve_pack(PACK) as base:
        yield base


def _stories(tmp: Path, base: ServedPack) -> list[Config]:
    from bench.story_eval import pack_feeds

    feeds = pack_feeds(PACK, base)
    return [story_config(tmp, "syria", feeds), story_config(tmp, "donbas", feeds, text=DONBAS)]


def _edit(cfg: Config, change) -> Config:
    doc = tomlkit.parse(cfg.path.read_text(encoding="utf-8"))
    change(doc)
    cfg.path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return load_config(cfg.path)


def _with_email(cfg: Config, port: int) -> Config:
    def add(doc) -> None:
        doc["email"] = {"enabled": True, "host": "127.0.0.1", "port": port, "security": "none",
                        "from": "digest@example.org", "to": [f"{cfg.story.slug}@example.org"],
                        "alert_to": ["ops@example.org"], "retries": 0, "timeout": 5}
    return _edit(cfg, add)


def _child_runs() -> dict[str, object]:
    """Every ``daily-digest`` flow run so far, by id."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async def read() -> list:
        async with get_client() as client:
            return await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["daily-digest"])))
    return {r.id: r for r in asyncio.run(read())}


def _files(cfg: Config) -> dict[str, tuple[bytes, int]]:
    """Every file of the story's output folder: its bytes and modification time (ns)."""
    return {str(p.relative_to(cfg.output_dir)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(cfg.output_dir.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def _smtp(port: int) -> Iterator[Inbox]:
    """A real SMTP server on ``port`` for the block."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def _run(configs: list[Config], **kwargs) -> tuple[dict, list]:
    """One ``daily-digests`` run over ``configs``: its result and the child runs it started."""
    from flows.stories import daily_digests

    before = set(_child_runs())
    state = daily_digests(configs=[str(c.path) for c in configs], date=DAY, return_state=True,
                          **kwargs)
    result = state.result()
    return result, [r for i, r in _child_runs().items() if i not in before]


@pytest.mark.parametrize("forked", [False, True], ids=["checked-here", "checked-in-workers"])
def test_a_warm_rerun_starts_no_child_run_and_touches_no_file(
        tmp_path: Path, pack: ServedPack, forked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.pipeline import keep

    pids = tmp_path / "pids"
    if forked:  # the second story checked in a worker process forked from the flow run's
        monkeypatch.setattr(keep, "FORK_FROM", 2)
        real = keep.check

        def spied(cfg, opener):  # type: ignore[no-untyped-def]
            with pids.open("a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
            return real(cfg, opener)
        monkeypatch.setattr(keep, "check", spied)
    configs = _stories(tmp_path, pack)
    first, runs = _run(configs, send_email=False)
    assert first["failed"] == [] and len(runs) == 2
    assert not any(r.get("kept") for r in first["stories"])
    assert first["stories"][0]["articles"] > 0
    files = {c.story.slug: _files(c) for c in configs}
    state = {c.story.slug: story_state(c) for c in configs}
    asked = len(pack.requests)

    again, runs = _run(configs, send_email=False)
    assert runs == []  # no daily-digest flow run at all
    assert again["failed"] == []
    reports = {r["story"]: r for r in again["stories"]}
    assert list(reports) == ["syria-ceasefire", "donbas-truce"]
    for cfg, before in zip(configs, first["stories"], strict=True):
        report = reports[cfg.story.slug]
        assert report["kept"] is True and report["replayed"] is True
        # the report a run that replays the day gives, but for its timings
        assert {k: v for k, v in report.items() if k not in ("kept", "timings", "replayed",
                                                              "pages_fetched", "pages_reused")} \
            == {k: v for k, v in before.items() if k not in ("timings", "replayed",
                                                             "pages_fetched", "pages_reused")}
        assert report["pages_fetched"] == 0
        assert _files(cfg) == files[cfg.story.slug]  # byte-identical, mtimes too
        assert story_state(cfg) == state[cfg.story.slug]
    if forked:  # each run: the first story here, the second in a worker
        checkers = pids.read_text(encoding="utf-8").split()
        assert len(checkers) == 4 and checkers[0] == checkers[2] == str(os.getpid())
        assert checkers[1] != checkers[0] and checkers[3] != checkers[0]
    # the feeds were asked once each (answered 304), no page fetched again
    assert all(p.endswith(".xml") for p in pack.requests[asked:])
    assert len(pack.requests[asked:]) == len(configs[0].feeds)


def test_a_story_whose_input_changed_gets_its_run_while_the_other_is_kept(
        tmp_path: Path, pack: ServedPack) -> None:
    configs = _stories(tmp_path, pack)
    first, runs = _run(configs, send_email=False)
    assert first["failed"] == [] and len(runs) == 2
    syria_files = _files(configs[0])
    donbas_json = configs[1].story_dir / f"{DAY}.json"
    made = donbas_json.stat()

    def describe(doc) -> None:
        doc["story"]["description"] = (str(doc["story"]["description"])
                                       + " Above all, the withdrawal of heavy weapons.")
    configs[1] = _edit(configs[1], describe)
    again, runs = _run(configs, send_email=False)
    assert again["failed"] == []
    assert [r.name for r in runs] == [f"donbas-truce-{DAY}"]
    assert runs[0].state.is_completed()
    reports = {r["story"]: r for r in again["stories"]}
    assert reports["syria-ceasefire"]["kept"] is True
    assert "kept" not in reports["donbas-truce"] and reports["donbas-truce"]["replayed"] is False
    assert _files(configs[0]) == syria_files
    # made again: the file was written anew (both runs may fall in one second of generated_at)
    remade = donbas_json.stat()
    assert (remade.st_ino, remade.st_mtime_ns) != (made.st_ino, made.st_mtime_ns)


def test_a_story_whose_email_is_owed_gets_its_run_and_the_mail_goes(tmp_path: Path,
                                                                   pack: ServedPack) -> None:
    up, down = free_port(), free_port()
    syria, donbas = _stories(tmp_path, pack)
    syria, donbas = _with_email(syria, up), _with_email(donbas, down)
    with _smtp(up) as inbox:
        first, runs = _run([syria, donbas])
    assert [(f["story"], f.get("undelivered")) for f in first["failed"]] == [
        ("donbas-truce", True)]
    assert [tuple(e.rcpt_tos) for e in inbox.envelopes] == [("syria-ceasefire@example.org",)]
    with Store(donbas.state_path) as store:
        assert ("digest", DAY) in [(o.kind, o.date.isoformat())
                                   for o in outbox.owed(store, "donbas-truce")]

    # the SMTP server of the second story is up now; the first one's is gone
    with _smtp(down) as later:
        again, runs = _run([syria, donbas])
    assert again["failed"] == []
    assert [r.name for r in runs] == [f"donbas-truce-{DAY}"]
    reports = {r["story"]: r for r in again["stories"]}
    assert reports["syria-ceasefire"]["kept"] is True
    assert reports["syria-ceasefire"]["email"] == "skipped"  # sent by the first run
    assert "kept" not in reports["donbas-truce"]
    assert reports["donbas-truce"]["replayed"] is True and reports["donbas-truce"]["email"] == "sent"
    rcpts = [tuple(e.rcpt_tos) for e in later.envelopes]
    assert ("donbas-truce@example.org",) in rcpts
    assert ("syria-ceasefire@example.org",) not in rcpts
    with Store(donbas.state_path) as store:
        assert outbox.owed(store, "donbas-truce", "digest") == []
