"""Typed reading of TOML values for :mod:`digest.config`: every problem is one ``ConfigError``
line naming the file, the key and what is wrong."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any, TypeVar

from digest.errors import ConfigError

T = TypeVar("T")



class Reader:
    """Typed access to TOML values that fails with ``file: key: problem``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> None:
        raise ConfigError(self.path, key, problem)

    def known(self, table: Mapping[str, Any], where: str, keys: set[str]) -> None:
        for k in table:
            if k not in keys:
                full = f"{where}.{k}" if where else k
                hint = f"; known keys: {', '.join(sorted(keys))}"
                self.fail(full, f"unknown key{hint}")

    def table(self, data: Mapping[str, Any], key: str, required: bool = False) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(key, f"missing: add a [{key}] table")
            return {}
        if not isinstance(value, dict):
            self.fail(key, f"must be a table ([{key}]), not {_kind(value)}")
        return value

    def get(self, table: Mapping[str, Any], key: str, kind: Callable[..., T] | type[T],
            default: Any = None, required: bool = False) -> T:
        name = key.rsplit(".", 1)[-1]
        if name not in table:
            if required:
                self.fail(key, "missing")
            return default
        value = table[name]
        if kind is str:
            if not isinstance(value, str):
                self.fail(key, f"must be a string, not {_kind(value)}")
            if required and not value.strip():
                self.fail(key, "must not be empty")
            return value  # type: ignore[return-value]
        if kind is bool:
            if not isinstance(value, bool):
                self.fail(key, f"must be true or false, not {_kind(value)}")
            return value  # type: ignore[return-value]
        try:
            return kind(value)  # type: ignore[call-arg]
        except (TypeError, ValueError) as exc:
            self.fail(key, str(exc))
            raise  # unreachable

    def number(self, table: Mapping[str, Any], key: str, default: float, lo: float, hi: float,
               integer: bool = False) -> float:
        name = key.rsplit(".", 1)[-1]
        value = table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, not {_kind(value)}")
        if integer and not float(value).is_integer():
            self.fail(key, f"must be a whole number, not {value}")
        if not lo <= value <= hi:
            self.fail(key, f"{value} is out of range ({_num(lo)} to {_num(hi)})")
        return value


def fail(r: Reader | None, key: str, problem: str) -> None:
    if r is None:
        raise ConfigError("<config>", key, problem)
    r.fail(key, problem)


def str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"must be a list of strings, not {_kind(value)}")
    return tuple(value)


def groups(value: Any) -> tuple[tuple[str, ...], ...]:
    """A list of term groups; ``[]`` is none (the default written out)."""
    if not isinstance(value, list):
        raise ValueError("must be a list of lists of terms, e.g. [[\"syria\"], [\"truce\"]]")
    groups = []
    for group in value:
        terms = str_list(group)
        if not terms:
            raise ValueError("every group needs at least one term")
        groups.append(terms)
    return tuple(groups)


def check_timezone(r: Reader, key: str, name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        r.fail(key, f"unknown time zone {name!r} (use an IANA name such as \"Europe/London\")")


def check_method(r: Reader, key: str, name: str) -> None:
    from digest.methods import NAMES as methods  # names only: sumy is not imported to check

    if name.lower() not in methods:
        r.fail(key, f"unknown method {name!r}; choose one of: {', '.join(sorted(methods))}")


def resolve_path(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def under(path: Path, root: Path | None) -> bool:
    return root is not None and path.resolve().is_relative_to(root.resolve())


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:63] or "story"


def looks_like_address(addr: str) -> bool:
    if "\r" in addr or "\n" in addr:
        return False
    _name, address = parseaddr(addr)
    return bool(re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", address))


def _kind(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
