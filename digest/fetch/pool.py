"""Concurrent fetching: per-host slots and politeness delays, and the ``get_many`` scheduler.

:class:`HostGate` is shared by every request of one Fetcher (from any thread): at most ``per_host``
requests in flight per host, and starts to one host at least ``delay`` seconds apart.
:func:`fetch_concurrently` runs a bounded thread pool, hands out URLs host by host in rotation so
one big outlet cannot starve the others, keeps the pool full from completion callbacks (not from
the consumer's pace), yields results as they complete, and fails whatever is left when the
per-source deadline passes with "source time budget exhausted".
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from digest.errors import FetchError
from digest.models import Response

log = logging.getLogger(__name__)
BUDGET_EXHAUSTED = "source time budget exhausted"
GRACE = 2.0  # seconds in-flight requests get after the deadline to report their own failure

Outcome = Response | FetchError


class SlotTimeout(Exception):
    """The deadline passed while waiting for a free slot on a host."""


@dataclass
class _HostState:
    in_flight: int = 0
    next_start: float = 0.0


class HostGate:
    """Per-host concurrency limit and politeness delay, safe to use from many threads."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        self._cond = threading.Condition()
        self._hosts: dict[str, _HostState] = {}

    @contextmanager
    def slot(self, host: str, deadline: float | None = None) -> Iterator[None]:
        """Hold one of ``host``'s slots for the duration of a request."""
        with self._cond:
            state = self._hosts.setdefault(host, _HostState())
            while True:
                now = time.monotonic()
                if state.in_flight < self.per_host and now >= state.next_start:
                    break
                wait = state.next_start - now if state.in_flight < self.per_host else None
                if deadline is not None:
                    left = deadline - now
                    if left <= 0:
                        raise SlotTimeout(BUDGET_EXHAUSTED)
                    wait = left if wait is None else min(wait, left)
                self._cond.wait(wait)
            state.in_flight += 1
            state.next_start = now + self.delay
        try:
            yield
        finally:
            with self._cond:
                state.in_flight -= 1
                self._cond.notify_all()


class _Run:
    """One ``get_many`` call: the queue of URLs per host and what is in flight."""

    def __init__(self, fetch: Callable[[str], Response], urls: Iterable[str],
                 host_of: Callable[[str], str], concurrency: int, per_host: int,
                 max_pending: int | None = None) -> None:
        self.fetch = fetch
        self.concurrency = max(1, concurrency)
        self.max_pending = max_pending  # results not yet taken at which new requests wait
        self.per_host = max(1, per_host)
        self.queues: dict[str, deque[str]] = {}
        for url in dict.fromkeys(urls):
            self.queues.setdefault(host_of(url), deque()).append(url)
        self.rotation: deque[str] = deque(self.queues)
        self.active: dict[str, int] = dict.fromkeys(self.queues, 0)
        self.in_flight: dict[str, str] = {}  # url -> host
        self.total = sum(len(q) for q in self.queues.values())
        self.results: queue.SimpleQueue[tuple[str, Outcome]] = queue.SimpleQueue()
        self.lock = threading.RLock()  # a future done at once runs its callback inside fill()
        self.stopped = False
        self.pool = ThreadPoolExecutor(max_workers=min(self.concurrency, max(1, self.total)),
                                       thread_name_prefix="fetch")

    def fill(self) -> None:
        """Submit URLs while there is room (call with ``lock`` held)."""
        while not self.stopped and len(self.in_flight) < self.concurrency and self.rotation:
            if self.max_pending is not None and self.results.qsize() >= self.max_pending:
                return  # the consumer is behind: taking a result calls again
            for _ in range(len(self.rotation)):
                host = self.rotation[0]
                self.rotation.rotate(-1)
                if self.active[host] < self.per_host:
                    break
            else:
                return  # every host with work is at its limit: a completion will call again
            url = self.queues[host].popleft()
            if not self.queues[host]:
                self.rotation.remove(host)
            self.active[host] += 1
            self.in_flight[url] = host
            future = self.pool.submit(self.fetch, url)
            future.add_done_callback(functools.partial(self._done, url))

    def _done(self, url: str, future: Future[Response]) -> None:
        outcome = _outcome(url, future)
        with self.lock:
            host = self.in_flight.pop(url, None)
            if host is None:  # already reported as out of budget
                return
            self.active[host] -= 1
            self.results.put((url, outcome))
            self.fill()

    def unstarted(self) -> list[str]:
        with self.lock:
            self.stopped = True
            left = [u for q in self.queues.values() for u in q]
            for q in self.queues.values():
                q.clear()
            self.rotation.clear()
        return left

    def abandon_in_flight(self) -> list[str]:
        with self.lock:
            left = list(self.in_flight)
            self.in_flight.clear()
        return left


def _outcome(url: str, future: Future[Response]) -> Outcome:
    if future.cancelled():
        return FetchError(url, BUDGET_EXHAUSTED)
    exc = future.exception()
    if exc is None:
        return future.result()
    if isinstance(exc, FetchError):
        return exc
    log.warning("%s: unexpected error while fetching: %s: %s", url, type(exc).__name__, exc)
    return FetchError(url, f"unexpected error ({type(exc).__name__})")


def fetch_concurrently(fetch: Callable[[str], Response], urls: Iterable[str], *,
                       host_of: Callable[[str], str], concurrency: int, per_host: int,
                       deadline: float | None = None, max_pending: int | None = None,
                       ) -> Iterator[tuple[str, Outcome]]:
    """Fetch every distinct URL once; yield ``(url, Response | FetchError)`` as each completes.

    With ``max_pending``, requests start only while fewer results than that wait to be taken.
    """
    run = _Run(fetch, urls, host_of, concurrency, per_host, max_pending)
    if run.total == 0:
        run.pool.shutdown(wait=False)
        return
    reported = 0
    try:
        with run.lock:
            run.fill()
        while reported < run.total:
            timeout = None if deadline is None else deadline - time.monotonic()
            try:
                if timeout is not None and timeout <= 0:
                    raise queue.Empty
                item = run.results.get(timeout=timeout)
            except queue.Empty:
                break
            reported += 1
            if run.max_pending is not None:  # room again: start what waited for the consumer
                with run.lock:
                    run.fill()
            yield item
        if reported == run.total:
            return
        for url in run.unstarted():  # deadline passed: never started
            reported += 1
            log.warning("%s: %s", url, BUDGET_EXHAUSTED)
            yield url, FetchError(url, BUDGET_EXHAUSTED)
        grace_end = time.monotonic() + GRACE  # in-flight requests stop at the deadline themselves
        while reported < run.total:
            try:
                item = run.results.get(timeout=max(0.0, grace_end - time.monotonic()))
            except queue.Empty:
                break
            reported += 1
            yield item
        for url in run.abandon_in_flight():
            reported += 1
            log.warning("%s: %s", url, BUDGET_EXHAUSTED)
            yield url, FetchError(url, BUDGET_EXHAUSTED)
        while True:  # results that landed between the grace wait and the abandon
            try:
                yield run.results.get_nowait()
            except queue.Empty:
                break
    finally:
        run.unstarted()
        run.pool.shutdown(wait=False, cancel_futures=True)
