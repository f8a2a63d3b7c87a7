"""The flow on Dask (a local cluster) gives the same digest as on the default thread runner."""

from __future__ import annotations

import datetime as dt
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


def test_a_shared_crawl_on_dask_gives_each_story_the_digest_it_makes_alone(tmp_path):
    """Two stories over one crawl whose pages are reduced and extracted on a local Dask cluster
    of two workers: each story's files are those it writes alone on threads."""
    import tomlkit

    from digest.config import load_config
    from digest.pipeline import open_run, run
    from flows.stories import daily_digests, runner_for
    from tests.support.stories import DONBAS, story_config, story_files, undated

    day = "2016-09-21"
    alone = [story_config(tmp_path / "alone", "syria"),
             story_config(tmp_path / "alone", "donbas", text=DONBAS)]
    together = [story_config(tmp_path / "dask", "syria"),
                story_config(tmp_path / "dask", "donbas", text=DONBAS)]
    for cfg in together:
        doc = tomlkit.parse(cfg.path.read_text(encoding="utf-8"))
        doc["runner"] = {"kind": "dask", "max_workers": 2}
        cfg.path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    paths = [str(c.path) for c in together]
    result = runner_for(paths, daily_digests)(configs=paths, date=day, send_email=False)
    assert result["failed"] == [] and result["crawl"]["pages"] > 0
    for cfg in alone:
        ctx = open_run(cfg, day=dt.date.fromisoformat(day), send_email=False)
        try:
            run(ctx)
        finally:
            ctx.close()
    for a, b in zip(alone, [load_config(p) for p in paths], strict=True):
        files_a, files_b = story_files(a), story_files(b)
        assert files_a and files_a.keys() == files_b.keys()
        for name in files_a:
            assert undated(files_a[name]) == undated(files_b[name]), f"{a.story.slug}: {name}"


def test_configs_the_command_line_read_already_are_not_read_again(tmp_path, monkeypatch):
    """``digest run --config FOLDER`` reads each config once, before the temporary server's boot
    is waited for (fifty configs of 200 feeds each took ~1 s to read twice)."""
    from digest.config import load_config
    from flows import stories
    from tests.support.stories import story_config

    feeds = [{"name": "Wire", "url": "https://wire.example/feed.xml"}]
    story_config(tmp_path, "syria", feeds)
    path = next(str(p) for p in tmp_path.rglob("*.toml"))
    read = load_config(path)

    def refuse(p):  # noqa: ANN001
        raise AssertionError(f"{p} read again")
    monkeypatch.setattr(stories, "load_config", refuse)
    loaded, failed = stories._load([path], {path: read})
    assert loaded == [(path, read)] and failed == []
