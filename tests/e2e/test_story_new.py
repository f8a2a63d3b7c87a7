"""``digest story new`` end to end: the real command on seed files and on a served seed URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digest.config import load_config
from tests.support.packserve import serve_pack

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "tests" / "packs" / "bayer-monsanto"
DIGEST = Path(sys.executable).parent / "digest"


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([str(DIGEST), *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=cwd)


def test_story_new_from_seed_files_writes_a_config_that_loads(tmp_path):
    out = tmp_path / "config" / "bayer.toml"
    proc = digest("story", "new", "Bayer buys Monsanto", "--from", str(PACK / "seed.txt"),
                  "--feeds", str(PACK / "feeds" / "rhine-wire.xml"), "--out", str(out),
                  cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cfg = load_config(out)
    assert cfg.story.title == "Bayer buys Monsanto" and cfg.story.slug == "bayer-buys-monsanto"
    assert [p.resolve() for p in cfg.story.seeds] == [(PACK / "seed.txt").resolve()]
    assert cfg.relevance.require == (("Bayer",), ("Monsanto",))
    assert len(cfg.feeds) == 1 and cfg.feeds[0].url.endswith("rhine-wire.xml")
    check = digest("check", "--config", str(out), cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr

    again = digest("story", "new", "Bayer buys Monsanto", "--from", str(PACK / "seed.txt"),
                   "--feeds", str(PACK / "feeds" / "rhine-wire.xml"), "--out", str(out),
                   cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr


def test_story_new_from_a_seed_url_saves_the_seed_and_finds_the_site_feed(tmp_path):
    out = tmp_path / "bayer.toml"
    with serve_pack(PACK) as base:
        page = f"{base}/sites/rhine-wire/2016/09/14/bayer-agrees-to-buy-monsanto.html"
        proc = digest("story", "new", "Bayer buys Monsanto", "--from", page, "--out", str(out),
                      "--allow-network", "127.0.0.0/8", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cfg = load_config(out)
    (seed,) = cfg.story.seeds
    assert seed.parent == tmp_path / "bayer-seeds"
    text = seed.read_text(encoding="utf-8")
    assert text.startswith("Bayer agrees to buy Monsanto") and "$128 a share" in text
    assert cfg.relevance.require and all(g for g in cfg.relevance.require)
    # no --feeds: the feed the seed page's site advertises
    assert [f.url for f in cfg.feeds] == [f"{base}/feeds/rhine-wire.xml"]
    assert cfg.fetch.allow_networks == ("127.0.0.0/8",)


def test_story_new_with_no_readable_seed_is_one_line(tmp_path):
    proc = digest("story", "new", "X", "--from", str(tmp_path / "missing.txt"), "--feeds",
                  str(PACK / "feeds" / "rhine-wire.xml"), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == "digest: error: no seed article could be read"
    assert not (tmp_path / "config").exists()
