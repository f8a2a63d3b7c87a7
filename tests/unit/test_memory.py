"""Freed memory goes back to the operating system between stories (digest.memory)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from digest import memory

# In a fresh interpreter: 300 MB of 4 KB blocks (malloc's, not Python's small-object arenas),
# every 64th kept alive so the heap cannot shrink from its top; the rest freed.
CHILD = """
import sys
from digest import memory
def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 // 2**20
blocks = [bytes(4096) for _ in range(75_000)]
keep = blocks[::64]
del blocks
before = rss()
released = memory.release() if sys.argv[1] == "release" else False
print(before, rss(), released)
"""


def _run(mode: str) -> tuple[int, int, bool]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), int(out[1]), out[2] == "True"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; glibc's malloc")
def test_release_hands_freed_blocks_back_to_the_system():
    if memory._malloc_trim() is None:
        pytest.skip("this C library has no malloc_trim")
    before, after, released = _run("release")
    assert released
    assert before - after >= 150, (before, after)  # most of the ~290 MB freed goes back
    kept_before, kept_after, _ = _run("keep")
    assert kept_before - kept_after < 50, (kept_before, kept_after)  # without it, it stays
