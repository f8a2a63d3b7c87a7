"""CPU-bound work on every core: worker processes forked from this one, sharing its memory.

Workers fork with this process's objects frozen (``gc.freeze``), so their garbage collector never
walks, and so never copies, the parent's memory: a worker then costs what it allocates itself
(about 60 MB for extraction) instead of a copy of everything the parent holds.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from . import interrupts

log = logging.getLogger(__name__)

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def cores(configured: int = 0) -> int:
    """Worker processes to use: ``configured`` when set, else one per CPU."""
    return configured or os.cpu_count() or 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers a stop signal kills (see :mod:`digest.interrupts`)."""
    return interrupts.worker_pool(workers)


def start_workers(pool: ProcessPoolExecutor) -> None:
    """Fork the pool's workers now, with this process's objects frozen."""
    gc.freeze()
    try:
        pool.submit(int).result()  # with "fork", every worker starts on the first submit
    finally:
        gc.unfreeze()


class Batch:
    """Independent calls that run in worker processes while this process does other work;
    :meth:`results` returns them in order. With fewer than two workers, or if a worker dies,
    a call simply runs here instead (same function, same arguments, same result)."""

    def __init__(self, calls: Sequence[Call], workers: int) -> None:
        self.calls = list(calls)
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[Any]] = []
        if workers >= 2 and self.calls:
            self.pool = worker_pool(min(workers, len(self.calls)))
            try:
                start_workers(self.pool)
                self.futures = [self.pool.submit(fn, *args, **kwargs)
                                for fn, args, kwargs in self.calls]
            except Exception as exc:  # no processes on this platform: run here
                log.info("worker processes unavailable (%s); working in one process", exc)
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool, self.futures = None, []

    def results(self) -> list[Any]:
        if self.pool is None:
            return [fn(*args, **kwargs) for fn, args, kwargs in self.calls]
        out = []
        try:
            for (fn, args, kwargs), future in zip(self.calls, self.futures, strict=True):
                try:
                    out.append(future.result())
                except Exception as exc:
                    log.warning("%s failed in a worker process (%s: %s); running it here",
                                getattr(fn, "__name__", fn), type(exc).__name__, exc)
                    out.append(fn(*args, **kwargs))
        finally:
            self.pool.shutdown(wait=True)
        return out
