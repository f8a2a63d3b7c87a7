"""Snapshots of both story packs' digests, to show that a change of structure changes no output.

    python -m tests.support.snapshots --write   # after an intended change of the digests

runs each pack's backfill through the library (no Prefect; fresh state; the clock fixed at each
day's send time) and writes every day's four files under ``tests/snapshots/<pack>/``, with the
checkout's own path replaced by ``<ROOT>`` so that any clone compares equal.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from digest.config import Config

LOOPBACK = re.compile(r"https?://127\.0\.0\.1:\d+")  # the pack server's address
ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "tests" / "snapshots"
PACKS = {  # name -> (pack folder, config)
    "syria-ceasefire": (ROOT / "seeds", ROOT / "config" / "syria-ceasefire.toml"),
    "other-outlets": (ROOT / "tests" / "packs" / "other-outlets",
                      ROOT / "config" / "syria-ceasefire.toml"),
}


def _normalise(text: str) -> str:
    for form in (str(ROOT), quote(str(ROOT))):
        text = text.replace(form, "<ROOT>")
    return text


def produce(name: str, work: Path) -> Iterator[tuple[str, str]]:
    """(relative file name, normalised text) of every digest file of the pack's backfill."""
    from bench.story_eval import config_with_feeds, pack_feeds
    from digest.config import load_config

    pack, config = PACKS[name]
    with contextlib.ExitStack() as stack:
        base = None
        if pack != ROOT / "seeds":  # only the feeds differ: the pack's own, served over HTTP
            from tests.support.packserve import serve_pack

            base = stack.enter_context(serve_pack(pack))
            config = config_with_feeds(config, pack_feeds(pack, base), work / "config.toml")
        yield from _backfill(load_config(config), pack, work, base)


def _backfill(cfg: Config, pack: Path, work: Path, base: str | None) -> Iterator[tuple[str, str]]:
    from digest import pipeline

    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    days = sorted(dt.date.fromisoformat(d) for d in key["days"])
    for day in days:
        ctx = pipeline.open_run(cfg, day=day, out_dir=work / "out",
                                state_path=work / "state.sqlite", send_email=False,
                                now=cfg.schedule.send_time(day))
        try:
            result = pipeline.run(ctx)
        finally:
            ctx.close()
        from digest.output.formats import SUFFIXES

        for ext in SUFFIXES:
            path = result.paths[ext]
            text = _normalise(path.read_text(encoding="utf-8"))
            yield f"{day.isoformat()}.{ext}", LOOPBACK.sub("<BASE>", text) if base else text


def write(name: str) -> int:
    folder = SNAPSHOTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in produce(name, Path(tmp)):
            (folder / rel).write_text(text, encoding="utf-8")
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the snapshots")
    args = ap.parse_args()
    if args.write:
        for name in PACKS:
            print(f"{name}: {write(name)} files")


if __name__ == "__main__":
    main()
