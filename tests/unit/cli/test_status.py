"""``digest status`` over one story or several (a folder of configs): what each state owes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from digest import cli, outbox
from digest.store import Store
from tests.support.stories import DONBAS, story_config


def test_status_of_a_folder_lists_every_story(tmp_path: Path, capsys) -> None:
    syria = story_config(tmp_path, "syria")
    donbas = story_config(tmp_path, "donbas", text=DONBAS)
    desk = tmp_path / "desk"
    desk.mkdir()
    for cfg in (syria, donbas):
        (desk / cfg.path.name.replace("story", cfg.story.slug)).write_text(
            cfg.path.read_text(encoding="utf-8"), encoding="utf-8")
    with Store(donbas.state_path) as store:  # one digest owed for the second story
        outbox.owe(store, "donbas-truce", "digest", "2016-09-14", dt.date(2016, 9, 14),
                   ("ed@example.org",), b"Subject: x\r\n\r\nx", "x", "connection refused")
    assert cli.main(["status", "--config", str(desk)]) == 0
    out = capsys.readouterr().out
    assert "syria-ceasefire: nothing owed" in out
    assert "donbas-truce: 1 email owed" in out and "connection refused" in out
    assert cli.main(["status", "--config", str(desk), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["story"] for d in data] == ["donbas-truce", "syria-ceasefire"]
    assert len(data[0]["owed"]) == 1 and data[1]["owed"] == []


def test_status_of_several_stories_refuses_one_state(tmp_path: Path, capsys) -> None:
    syria = story_config(tmp_path, "syria")
    donbas = story_config(tmp_path, "donbas", text=DONBAS)
    code = cli.main(["status", "--config", str(syria.path), "--config", str(donbas.path),
                     "--state", str(tmp_path / "x.sqlite")])
    assert code == 2 and "--state names one story's state" in capsys.readouterr().err
