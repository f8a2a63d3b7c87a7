"""Scheduling for real: a Prefect server on 127.0.0.1 (temporary PREFECT_HOME), the default story
served by ``digest serve`` on a schedule that fires every minute, and the repository's
``prefect.yaml`` deployed to a process work pool and run by ``prefect worker start``.

Each test waits (bounded) for a completed flow run through the Prefect API client and for the
digest files on disk, then stops every process it started and checks that none is left.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomlkit
import yaml

from digest.config import load_config
from tests.support.prefect_server import BIN, REPO, PrefectServer, Processes, clean_env, tail

pytestmark = [pytest.mark.slow, pytest.mark.network_local]

CONFIG = REPO / "config" / "syria-ceasefire.toml"
DEPLOYMENT = "daily-digest/syria-ceasefire"
RUN_WAIT = 180.0  # seconds: registration, up to a minute to the next slot, and the run itself


def story_copy(tmp_path: Path, cron: str) -> Path:
    """The default story with absolute paths, output under ``tmp_path`` and another cron."""
    doc = tomlkit.parse(CONFIG.read_text(encoding="utf-8"))
    base = CONFIG.parent
    doc["story"]["seeds"] = [str((base / p).resolve()) for p in doc["story"]["seeds"]]
    for feed in doc["feeds"]:
        feed["url"] = str((base / feed["url"]).resolve())
    doc["fetch"]["local_root"] = str((base / doc["fetch"]["local_root"]).resolve())
    doc["output"]["dir"] = str(tmp_path / "out")
    doc["state"]["path"] = str(tmp_path / "out" / "state.sqlite")
    doc["schedule"]["cron"] = cron
    path = tmp_path / "syria-ceasefire.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


def wait_for_completed_run(api_url: str, *, logs: list[Path], timeout: float = RUN_WAIT,
                           name: str = DEPLOYMENT):
    """The first COMPLETED flow run of the deployment; fails fast on a failed or crashed run."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with SyncPrefectClient(api_url) as client:
        deployment = None
        while time.monotonic() < deadline:
            if deployment is None:
                try:
                    deployment = client.read_deployment_by_name(name)
                except ObjectNotFound:
                    time.sleep(1)
                    continue
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=[deployment.id])))
            for run in runs:
                state = run.state
                if state is not None and state.type.value == "COMPLETED":
                    return client, deployment, run
                if state is not None and state.type.value in ("FAILED", "CRASHED"):
                    pytest.fail(f"flow run {run.name} ended {state.name}: {state.message}\n"
                                + "\n".join(tail(p) for p in logs))
            time.sleep(2)
    pytest.fail(f"no completed run of {name} within {timeout:.0f} s\n"
                + "\n".join(f"--- {p.name}\n{tail(p)}" for p in logs))


def test_digest_serve_runs_the_story_on_its_schedule(tmp_path: Path) -> None:
    cfg = story_copy(tmp_path, cron="* * * * *")
    with Processes() as procs:
        server = PrefectServer.start(procs, tmp_path / "prefect")
        serve = procs.start([str(BIN / "digest"), "serve", "--config", str(cfg)],
                            env=server.env, log=tmp_path / "serve.log", cwd=tmp_path)
        from prefect.client.orchestration import SyncPrefectClient

        _client, deployment, run = wait_for_completed_run(
            server.api_url, logs=[serve.log, server.process.log])
        assert run.auto_scheduled  # created by the scheduler, not by hand
        assert run.expected_start_time.second == 0  # on a cron slot
        assert run.parameters == {"config": str(cfg)}
        assert deployment.schedules[0].schedule.cron == "* * * * *"
        assert deployment.schedules[0].schedule.timezone == "Europe/London"

        story_dir = tmp_path / "out" / "syria-ceasefire"
        deadline = time.monotonic() + 10
        while not list(story_dir.glob("*.md")) and time.monotonic() < deadline:
            time.sleep(0.5)
        digests = sorted(p.name for p in story_dir.glob("20??-??-??.*"))
        day = digests[0].split(".")[0] if digests else "missing"
        assert {f"{day}.{ext}" for ext in ("md", "html", "txt", "json")} <= set(digests)
        assert "Syria ceasefire" in (story_dir / f"{day}.md").read_text(encoding="utf-8")
        with SyncPrefectClient(server.api_url) as client:  # named by story and digest date
            named = client.read_flow_run(run.id)
        assert named.name == f"syria-ceasefire-{day}"
        assert {"story-digest", "syria-ceasefire"} <= set(named.tags)

        procs.stop(serve)
        assert serve.proc.returncode is not None
        with SyncPrefectClient(server.api_url) as client:  # stopping pauses the schedule
            assert client.read_deployment_by_name(DEPLOYMENT).paused is True


def test_prefect_yaml_deploys_to_a_process_pool_and_a_worker_runs_it(tmp_path: Path) -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    (entry,) = [d for d in spec["deployments"] if d["name"] == "syria-ceasefire"]
    cfg = load_config(REPO / entry["parameters"]["config"])
    assert entry["schedules"][0]["cron"] == cfg.schedule.cron  # the yaml repeats the config
    assert entry["schedules"][0]["timezone"] == cfg.schedule.timezone
    yaml_before = (REPO / "prefect.yaml").read_bytes()
    out = tmp_path / "out"

    with Processes() as procs:
        server = PrefectServer.start(procs, tmp_path / "prefect")
        env = server.env | {"PWD": str(REPO)}  # as a shell started in the repository has it

        def prefect(*args: str, cwd: Path = REPO) -> str:
            done = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=cwd,
                                  capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
            return done.stdout

        prefect("work-pool", "create", "digest-pool", "--type", "process")
        prefect("--no-prompt", "deploy", "--all")
        assert (REPO / "prefect.yaml").read_bytes() == yaml_before  # deploy left it alone

        from prefect.client.orchestration import SyncPrefectClient

        with SyncPrefectClient(server.api_url) as client:
            dep = client.read_deployment_by_name(DEPLOYMENT)
        assert dep.work_pool_name == "digest-pool"
        assert dep.entrypoint == "flows/daily_digest.py:daily_digest"
        assert (dep.schedules[0].schedule.cron, dep.schedules[0].schedule.timezone) == \
            (cfg.schedule.cron, cfg.schedule.timezone)
        assert dep.pull_steps == [{"prefect.deployments.steps.set_working_directory":
                                   {"directory": str(REPO)}}]

        worker = procs.start([str(BIN / "prefect"), "worker", "start", "--pool", "digest-pool"],
                             env=env, log=tmp_path / "worker.log", cwd=tmp_path)
        prefect("deployment", "run", DEPLOYMENT, "--param", "date=2016-09-18",
                "--param", f"out={out}", "--param", f"state={out / 'state.sqlite'}",
                "--param", "send_email=false", cwd=tmp_path)
        _client, _dep, run = wait_for_completed_run(server.api_url,
                                                    logs=[worker.log, server.process.log])
        assert run.parameters["date"] == "2016-09-18" and not run.auto_scheduled
        md = out / "syria-ceasefire" / "2016-09-18.md"
        assert md.is_file() and "Syria ceasefire" in md.read_text(encoding="utf-8")


def test_stories_sharing_a_schedule_are_served_as_one_run_over_one_crawl(tmp_path: Path) -> None:
    from tests.support.stories import DONBAS, story_config

    syria = story_config(tmp_path, "syria")
    donbas = story_config(tmp_path, "donbas", text=DONBAS)
    for cfg in (syria, donbas):
        doc = tomlkit.parse(cfg.path.read_text(encoding="utf-8"))
        doc["schedule"]["cron"] = "* * * * *"
        cfg.path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    name = "daily-digests/syria-ceasefire+donbas-truce"
    with Processes() as procs:
        server = PrefectServer.start(procs, tmp_path / "prefect")
        serve = procs.start([str(BIN / "digest"), "serve", "--config", str(syria.path),
                             "--config", str(donbas.path)],
                            env=server.env, log=tmp_path / "serve.log", cwd=tmp_path)
        from prefect.client.orchestration import SyncPrefectClient
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

        _client, deployment, run = wait_for_completed_run(
            server.api_url, logs=[serve.log, server.process.log], name=name)
        assert run.auto_scheduled
        assert run.parameters == {"configs": [str(syria.path), str(donbas.path)]}
        assert {"story-digest", "syria-ceasefire", "donbas-truce"} <= set(deployment.tags)
        with SyncPrefectClient(server.api_url) as client:
            children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])))
        stories = sorted(r.name.rsplit("-", 3)[0] for r in children)
        assert stories == ["donbas-truce", "syria-ceasefire"]
        assert all(r.state.is_completed() for r in children)
        day = children[0].name.rsplit("-", 3)[1:]
        for cfg in (syria, donbas):
            assert (cfg.story_dir / f"{'-'.join(day)}.md").is_file()
        procs.stop(serve)


def test_serve_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    cfg = story_copy(tmp_path, cron="0 7 * * *")
    env = clean_env(tmp_path / "prefect")
    done = subprocess.run([str(BIN / "digest"), "serve", "--config", str(cfg)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "prefect server start" in done.stderr
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in done.stderr
    env["PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # nothing listens on port 9
    done = subprocess.run([str(BIN / "digest"), "serve", "--config", str(cfg)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "does not answer" in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_documented_automation_is_valid() -> None:
    """docs/SCHEDULING.md's automation file, as the shell writes it, is a valid automation."""
    import re
    import uuid

    from prefect.events.schemas.automations import AutomationCore, Posture

    text = (REPO / "docs" / "SCHEDULING.md").read_text(encoding="utf-8")
    heredoc = re.search(r"cat > digest-failed.yaml <<EOF\n(.*?)\nEOF\n", text, re.S)
    assert heredoc, "the automation heredoc is missing from docs/SCHEDULING.md"
    block_id = uuid.uuid4()
    spec = yaml.safe_load(heredoc.group(1).replace("$BLOCK_ID", str(block_id)))
    automation = AutomationCore.model_validate(spec)
    assert automation.trigger.posture == Posture.Reactive
    assert automation.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed",
                                         "prefect.flow-run.TimedOut"}
    assert automation.actions[0].type == "send-notification"
    assert automation.actions[0].block_document_id == block_id


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
