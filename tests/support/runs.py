"""Run one day through the library pipeline (no Prefect) and read back what it wrote."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from digest import pipeline
from digest.config import load_config


def run_day(config: Path, out: Path, day: dt.date | str) -> tuple[dict, pipeline.RunResult]:
    """The day's digest JSON and the run's result; state lives in ``out/state.sqlite``."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    ctx = pipeline.open_run(load_config(config), day=day, out_dir=out,
                            state_path=out / "state.sqlite", send_email=False)
    try:
        result = pipeline.run(ctx)
    finally:
        ctx.close()
    return json.loads(result.paths["json"].read_text(encoding="utf-8")), result
