"""Progress bars for long terminal work (rich), silent when the output is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress(total: int, label: str, enabled: bool | None = None) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(description)``; draws a bar on stderr only when it is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total <= 1:
        yield _no_progress
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(desc: str = "") -> None:
            bar.update(task, advance=1, description=f"{label} {desc}".strip())

        yield advance


def _no_progress(desc: str = "") -> None:
    """The ``advance`` of a run with no progress bar."""
