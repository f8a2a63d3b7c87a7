"""The lock files cover pyproject.toml: every dependency pinned exactly, with hashes, at a version
its range allows (a dependency added without `make lock` fails here, not on a fresh machine)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# "name==1.0" or "name[extra, other]==1.0" (extras are kept: pip's hash mode needs them pinned)
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def pins(name: str) -> dict[str, list[Version]]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    found: dict[str, list[Version]] = {}
    for pkg, version in PIN.findall(text):
        found.setdefault(canonicalize_name(pkg), []).append(Version(version))
    return found


def blocks(name: str) -> list[str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(b)]


@pytest.mark.parametrize("lock, deps", [
    ("app.txt", PROJECT["dependencies"]),
    ("test.txt", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]),
])
def test_every_dependency_is_pinned_within_its_range(lock, deps):
    locked = pins(lock)
    for dep in deps:
        req = Requirement(dep)
        versions = locked.get(canonicalize_name(req.name))
        assert versions, f"{req.name} is not in requirements/{lock}: run `make lock`"
        assert all(req.specifier.contains(v, prereleases=True) for v in versions), (
            f"requirements/{lock} pins {req.name} {versions}, outside {req.specifier}")


@pytest.mark.parametrize("lock", ["app.txt", "test.txt", "build.txt"])
def test_every_pin_carries_hashes(lock):
    for block in blocks(lock):
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_test_lock_agrees_with_the_app_lock():
    app, test = pins("app.txt"), pins("test.txt")
    assert {k: v for k, v in test.items() if k in app} == app
