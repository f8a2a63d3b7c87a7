"""Flow runs explain themselves: named by story and date, tagged with the story, one log line
per task, and a replayed day says why it ran no summarise or publish task."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bench.story_eval import config_with_feeds, pack_feeds

ROOT = Path(__file__).resolve().parents[2]


def _client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def _run(state):
    with _client() as client:
        return client.read_flow_run(state.state_details.flow_run_id)


def _messages(flow_run_id) -> list[str]:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    with _client() as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(
            any_=[flow_run_id])))
    return [log.message for log in sorted(logs, key=lambda log: log.timestamp)]


@pytest.fixture(autouse=True)
def run_logs_at_info():
    """The session keeps Prefect at WARNING; these tests read the runs' INFO lines."""
    import flows.daily_digest  # noqa: F401 - importing the flows sets Prefect's logging up again
    loggers = [logging.getLogger(n) for n in ("prefect.flow_runs", "prefect.task_runs")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
    yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("names")
    return config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                             pack_feeds(ROOT / "seeds"), tmp / "story.toml")


def test_a_day_run_is_named_and_tagged_and_logs_each_task(config, tmp_path):
    from flows.daily_digest import daily_digest

    kwargs = dict(config=str(config), date="2016-09-18", out=str(tmp_path / "out"),
                  state=str(tmp_path / "state.sqlite"), send_email=False)
    first = daily_digest(**kwargs, return_state=True)
    assert first.is_completed()
    run = _run(first)
    assert run.name == "syria-ceasefire-2016-09-18"
    assert {"story-digest", "syria-ceasefire"} <= set(run.tags)
    lines = _messages(run.id)
    feeds = [m for m in lines if " feeds read in " in m]
    assert feeds and "7 changed, 0 not modified since the last read, 0 failed" in feeds[0], lines
    assert any("sources: 7 with news, 0 with nothing new, 0 failed" in m for m in lines)
    assert any(" of the window in " in m and "pages fetched" in m for m in lines)
    assert any(" summarised in " in m and "overview of" in m for m in lines)
    assert any(m.startswith("wrote 4 files") for m in lines)
    assert not any(m.startswith("replayed:") for m in lines)

    again = daily_digest(**kwargs, return_state=True)  # nothing new: the day is replayed
    rerun = _run(again)
    assert rerun.name == "syria-ceasefire-2016-09-18" and rerun.id != run.id
    lines = _messages(rerun.id)
    assert any(m.startswith("replayed: inputs unchanged") for m in lines), lines
    assert not any(" summarised in " in m for m in lines)


def test_backfill_parent_and_children_are_named_by_story_and_dates(config, tmp_path):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    from flows.daily_digest import backfill

    state = backfill(config=str(config), start="2016-09-17", end="2016-09-18",
                     out=str(tmp_path / "out"), state=str(tmp_path / "state.sqlite"),
                     return_state=True)
    assert state.is_completed()
    parent = _run(state)
    assert parent.name == "syria-ceasefire-backfill-2016-09-17-2016-09-18"
    assert "syria-ceasefire" in parent.tags
    with _client() as client:
        children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent.id])))
    assert sorted(c.name for c in children) == ["syria-ceasefire-2016-09-17",
                                                "syria-ceasefire-2016-09-18"]
    assert all("syria-ceasefire" in c.tags for c in children)
