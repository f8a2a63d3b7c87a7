"""One line of displayable text: the single helper every message, log line and label goes through."""

from __future__ import annotations

import re

# C0/C1 controls and the bidi overrides that can make text lie about its direction.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SPACE = re.compile(r"\s+")
LIMIT = 200  # characters of an error message or a reason shown to a person


def one_line(value: object, limit: int | None = LIMIT) -> str:
    """``value`` as one line: control characters dropped, whitespace runs collapsed, stripped, and
    cut at ``limit`` characters (``None``: no cut). An empty exception gives its type's name."""
    text = SPACE.sub(" ", CONTROL.sub("", "" if value is None else str(value))).strip()
    if not text and isinstance(value, BaseException):
        text = type(value).__name__
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text
