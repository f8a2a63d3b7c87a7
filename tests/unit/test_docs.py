"""The reliability table is backed by tests: every test and test file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = (ROOT / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
TESTS = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")}


def test_every_test_file_the_reliability_table_names_exists() -> None:
    files = set(re.findall(r"(tests/[\w/]+\.py)", TABLE))
    assert files, "the table names no test file"
    assert sorted(f for f in files if not (ROOT / f).is_file()) == []


def test_every_test_the_reliability_table_names_exists() -> None:
    names = set(re.findall(r"`(?:[\w/]+\.py::)?(test_[a-z0-9_]+)", TABLE))
    assert len(names) > 100
    missing = sorted(n for n in names  # a test function, or a test module named by its stem
                     if n not in TESTS and not any(f"def {n}(" in src for src in TESTS.values()))
    assert missing == []
