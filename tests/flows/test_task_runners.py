"""The flow on Dask (a local cluster) gives the same digest as on the default thread runner."""

from __future__ import annotations

import re
from pathlib import Path

from bench.story_eval import config_with_feeds, pack_feeds

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"


def run_day(config: Path, out: Path) -> str:
    from digest.config import load_config
    from flows.daily_digest import daily_digest
    from flows.runners import flow_for

    flow = flow_for(load_config(config), daily_digest)
    flow(config=str(config), date="2016-09-20", out=str(out), state=str(out / "state.sqlite"),
         send_email=False)
    text = (out / "syria-ceasefire" / "2016-09-20.json").read_text(encoding="utf-8")
    return re.sub(r'"generated_at": "[^"]*"', "", text)


def test_dask_runner_gives_the_same_digest_json(tmp_path):
    threads = config_with_feeds(CONFIG, pack_feeds(ROOT / "seeds"), tmp_path / "threads.toml")
    dask = tmp_path / "dask.toml"
    dask.write_text(threads.read_text(encoding="utf-8")
                    + '\n[runner]\nkind = "dask"\nmax_workers = 2\n', encoding="utf-8")
    expected = run_day(threads, tmp_path / "a")
    assert '"articles": [' in expected and expected.count('"url"') > 5
    assert run_day(dask, tmp_path / "b") == expected.replace(str(tmp_path / "a"),
                                                              str(tmp_path / "b"))
