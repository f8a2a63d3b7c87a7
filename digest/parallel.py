"""CPU-bound work on every core: worker processes forked from this one, sharing its memory.

Workers fork with this process's objects frozen (``gc.freeze``), so their garbage collector never
walks, and so never copies, the parent's memory: a worker then costs what it allocates itself
(about 60 MB for extraction) instead of a copy of everything the parent holds.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from digest import interrupts, memory
from digest.text.lines import one_line

log = logging.getLogger(__name__)

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def cores(configured: int = 0) -> int:
    """Worker processes to use: ``configured`` when set, else one per CPU."""
    return configured or os.cpu_count() or 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers a stop signal kills (see :mod:`digest.interrupts`)."""
    return interrupts.worker_pool(workers)


def start_workers(pool: ProcessPoolExecutor) -> None:
    """Fork the pool's workers now, with this process's objects frozen, from a process that
    has first handed its freed heap back (memory.release): what a story's relevance and folding
    freed is not held beside the workers."""
    memory.release()
    gc.freeze()
    try:
        pool.submit(int).result()  # with "fork", every worker starts on the first submit
    finally:
        gc.unfreeze()


class Batch:
    """Independent calls that run in worker processes while this process does other work;
    :meth:`results` returns them in order. With fewer than two workers, or if a worker dies,
    a call simply runs here instead (same function, same arguments, same result).

    With a ``timeout`` (seconds, for the whole batch) the calls always run in worker processes:
    a call not finished in time is abandoned (its worker killed) and gives ``default``, with the
    reason logged, as does a call that fails; the batch never outlives its time limit by more
    than the moment it takes to kill the workers."""

    def __init__(self, calls: Sequence[Call], workers: int, timeout: float | None = None,
                 default: Any = None) -> None:
        self.calls = list(calls)
        self.timeout, self.default = timeout, default
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[Any]] = []
        self.started = time.monotonic()
        if (workers >= 2 or timeout is not None) and self.calls:
            self.pool = worker_pool(min(max(workers, 1), len(self.calls)))
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
        abandoned = False
        try:
            for (fn, args, kwargs), future in zip(self.calls, self.futures, strict=True):
                name = getattr(fn, "__name__", str(fn))
                if self.timeout is None:
                    try:
                        out.append(future.result())
                    except Exception as exc:
                        log.warning("%s failed in a worker process (%s: %s); running it here",
                                    name, type(exc).__name__, exc)
                        out.append(fn(*args, **kwargs))
                    continue
                left = self.started + self.timeout - time.monotonic()
                try:
                    out.append(future.result(timeout=max(left, 0)))
                except FutureTimeout:
                    abandoned = True
                    log.warning("%s abandoned: not done within the %g s time limit; "
                                "the digest is made without it", name, self.timeout)
                    out.append(self.default)
                except Exception as exc:
                    log.warning("%s failed in a worker process (%s: %s); the digest is made "
                                "without it", name, type(exc).__name__, one_line(exc))
                    out.append(self.default)
        except BaseException:  # interrupted: never wait for the workers
            abandoned = True
            raise
        finally:
            if abandoned:
                stop_workers(self.pool)
            self.pool.shutdown(wait=not abandoned, cancel_futures=abandoned)
        return out


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes (SIGKILL: a worker stuck in a regular expression or
    ignoring SIGTERM still stops)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.join(5)
        except Exception:  # noqa: BLE001 - reaped by the pool's own thread
            pass


