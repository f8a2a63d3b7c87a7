"""Kill the process at random points of a run (SIGKILL, several times), then run again: no corrupt
files, no corrupt state database, no duplicate email, and the same digests as an uninterrupted run.
"""

from __future__ import annotations

import json
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomlkit
from aiosmtpd.controller import Controller

from bench.story_eval import config_with_feeds, pack_feeds

ROOT = Path(__file__).resolve().parents[2]
DAYS = ("2016-09-17", "2016-09-19")  # three digests: strike, recriminations, end of the truce

DRIVER = """
import datetime as dt, sys
from pathlib import Path
from digest import pipeline
from digest.config import load_config
cfg = load_config(sys.argv[1])
out = Path(sys.argv[2])
day, last = dt.date.fromisoformat(sys.argv[3]), dt.date.fromisoformat(sys.argv[4])
while day <= last:
    ctx = pipeline.open_run(cfg, day=day, out_dir=out, state_path=out / "state.sqlite",
                            now=dt.datetime(2016, 9, 24, tzinfo=dt.timezone.utc))
    try:
        pipeline.run(ctx)
    finally:
        ctx.close()
    day += dt.timedelta(days=1)
"""


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp():
    from tests.support.prefect_server import free_port

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def make_config(tmp_path: Path, port: int) -> Path:
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            pack_feeds(ROOT / "seeds"), tmp_path / "story.toml")
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc["email"] = {"enabled": True, "host": "127.0.0.1", "port": port, "security": "none",
                    "from": "digest@example.org", "to": ["editor@example.org"], "retries": 0}
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return cfg


def run(config: Path, out: Path, kill_after: float | None = None) -> int:
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(config), str(out), *DAYS],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        return 0
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return proc.returncode


def digests(out: Path) -> dict[str, str]:
    strip = re.compile(r'"generated_at": "[^"]*"')
    return {p.name: strip.sub("", p.read_text(encoding="utf-8").replace(str(out), "OUT"))
            for p in sorted((out / "syria-ceasefire").glob("*.json"))}


def test_sigkill_mid_run_loses_nothing_and_sends_no_duplicate(tmp_path, smtp):
    port, inbox = smtp
    config = make_config(tmp_path, port)

    reference = tmp_path / "reference"
    started = time.monotonic()
    run(config, reference)
    duration = time.monotonic() - started
    expected = digests(reference)
    assert len(expected) == 3
    assert len(inbox.messages) == 3
    inbox.messages.clear()

    crashed = tmp_path / "crashed"
    rnd = random.Random(20160917)
    kills = 0
    upper = duration  # the reference run may have paid a cold start (a fresh clone compiles)
    for _ in range(6):
        if run(config, crashed, kill_after=rnd.uniform(0.3, upper)) == -signal.SIGKILL:
            kills += 1
        else:  # the run finished before the kill: aim earlier
            upper = max(0.6, upper * 0.6)
        db = crashed / "state.sqlite"
        if db.exists():  # the database is never left half-written
            with sqlite3.connect(db) as con:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for path in (crashed / "syria-ceasefire").glob("*") if (crashed / "syria-ceasefire").exists() else ():
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                continue  # a hidden temporary file of the killed writer: the next run removes it
            if path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))  # whole or absent, never torn
            if path.suffix == ".html":
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert kills >= 3  # most attempts really were killed mid-run
    run(config, crashed)
    # no temporary file of a killed writer survives a run that completes
    assert [p.name for p in crashed.rglob("*.tmp")] == []

    assert digests(crashed) == expected
    # Every day's email arrived, each day under one Message-ID. Delivery is at-least-once across
    # a SIGKILL that lands between the SMTP server's "250 OK" and the ledger's commit (documented
    # in docs/RELIABILITY.md): such a repeat carries the same Message-ID, so mail clients show it
    # once, and one kill can repeat at most one message.
    ids = [re.search(rb"Message-ID: (<[^>]+>)", m, re.I).group(1) for m in inbox.messages]
    assert len(set(ids)) == 3
    assert len(inbox.messages) - 3 <= kills
