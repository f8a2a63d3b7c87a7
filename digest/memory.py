"""Freed memory back to the operating system between the stories of one run.

A story's run allocates and frees hundreds of megabytes in blocks glibc's malloc keeps for
reuse rather than returning, so a process running fifty stories one after another grew by about
10 MB a story at 8,000 articles (docs/PERFORMANCE.md). ``malloc_trim`` hands the free pages back
(a few milliseconds); where the C library has no such call (not glibc), nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release() -> bool:
    """Return the heap's free pages to the operating system; False where that is not possible."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
