"""Command-line values checked before any work starts: dates, numbers, URLs and input files.

Argparse types here raise ``argparse.ArgumentTypeError`` (a usage error, exit 2); the other
checks return a one-line problem or raise the CLI's ``UsageError``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

FIRST_DAY = dt.date(1970, 1, 2)  # digests cover days of the web: nothing before this
LAST_DAY = dt.date(2999, 12, 30)  # far enough; leaves room for windows that end a day later
MAX_INPUT = 20_000_000  # bytes `digest summarize` reads from one file
BINARY_SNIFF = 8192  # bytes looked at to tell text from binary


def date_arg(value: str) -> dt.date:
    """A calendar day (YYYY-MM-DD) between :data:`FIRST_DAY` and :data:`LAST_DAY`."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"{value!r} is outside {FIRST_DAY} .. {LAST_DAY}")
    return day


def instant_arg(value: str) -> dt.datetime:
    """An ISO 8601 time (UTC when no offset is given), within the same range of days."""
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 time") from None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    try:
        day = when.astimezone(dt.UTC).date()
    except OverflowError:
        day = dt.date.min
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"{value!r} is outside {FIRST_DAY} .. {LAST_DAY}")
    return when


def days_arg(value: str) -> float:
    """A finite, non-negative number of days (at most a century)."""
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days") from None
    if not math.isfinite(days) or not 0 <= days <= 36_500:
        raise argparse.ArgumentTypeError(f"{value!r} must be a number of days from 0 to 36500")
    return days


def positive_arg(value: str) -> int:
    """A whole number of at least 1 (and at most a million)."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= n <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{value!r} must be from 1 to 1000000")
    return n


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched as written (bad brackets, port, host), or None."""
    from digest._configcheck import url_problem as problem

    if url.lower().startswith(("http://", "https://")):
        return problem(url)
    if any(ord(c) < 32 or c == "\x7f" for c in url):
        return "holds control characters"
    return None  # file: URLs and paths are checked where they are read


def read_text_file(name: str, limit: int = MAX_INPUT) -> str:
    """A text file's contents, read at most ``limit`` bytes; raises ValueError (one line) for
    files that are too large, endless (``/dev/zero``) or binary."""
    path = Path(name)
    if path.is_dir():
        raise ValueError(f"{name}: is a directory")
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name}: larger than {limit // 1_000_000} MB (not read)")
    head = data[:BINARY_SNIFF]
    if b"\x00" in head or (head and _control_share(head) > 0.1):
        raise ValueError(f"{name}: a binary file, not text (not printed)")
    return data.decode("utf-8", errors="replace")


def _control_share(data: bytes) -> float:
    control = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return control / len(data)
