"""`digest run` and `digest status` as an operator sees them with the SMTP server down, then up:
real processes, real Prefect runs, a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

from tests.e2e.test_delivery_flow import Inbox, free_port, make_config  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DIGEST = Path(sys.executable).parent / "digest"


def digest(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(DIGEST), *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=ROOT)


def test_smtp_down_exits_3_with_one_line_then_the_next_run_sends_both(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"  # a loaded test machine
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    port = free_port()
    cfg = make_config(tmp_path, port)
    common = ("--config", str(cfg), "--out", str(tmp_path / "out"),
              "--state", str(tmp_path / "state.sqlite"))

    down = digest("run", "--date", "2016-09-17", *common, env=env)
    assert down.returncode == 3, down.stderr
    assert down.stderr.splitlines() == [
        f"digest: email: not sent to 1 recipient: 127.0.0.1:{port} connection refused; "
        "will retry at the next run"]
    assert "Traceback" not in down.stdout + down.stderr
    assert (tmp_path / "out" / "syria-ceasefire" / "2016-09-17.md").is_file()
    assert "wrote " in down.stdout  # the report is still printed

    status = digest("status", *common[:2], "--state", str(tmp_path / "state.sqlite"),
                    "--json", env=env)
    assert status.returncode == 0, status.stderr
    owed = json.loads(status.stdout)["owed"]
    assert [(o["kind"], o["date"]) for o in owed if o["kind"] == "digest"] == \
        [("digest", "2016-09-17")]
    text = digest("status", *common[:2], "--state", str(tmp_path / "state.sqlite"), env=env)
    assert "owed: digest 2016-09-17 to 1 recipient" in text.stdout
    assert "connection refused" in text.stdout

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = digest("run", "--date", "2016-09-18", *common, env=env)
    finally:
        controller.stop()
    assert up.returncode == 0, up.stderr
    assert up.stderr == ""
    assert "email: sent 2 digests (1 owed by earlier runs): 2016-09-17, 2016-09-18" in up.stdout
    digests = [email.message_from_bytes(e.content, policy=email.policy.default)
               for e in inbox.envelopes if e.rcpt_tos == ["editor@example.org"]]
    assert ["17 Sep 2016" in m["Subject"] for m in digests] == [True, False]
    assert ["18 Sep 2016" in m["Subject"] for m in digests] == [False, True]
    after = digest("status", *common[:2], "--state", str(tmp_path / "state.sqlite"), env=env)
    assert "nothing owed" in after.stdout
