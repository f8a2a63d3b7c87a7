"""Task runners: threads on one machine (default) or Dask for work that outgrows it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

from digest.config import Config, RunnerSettings


def task_runner_for(settings: RunnerSettings) -> Any:
    """The Prefect task runner the story's ``[runner]`` section asks for."""
    if settings.kind == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.address:
            return DaskTaskRunner(address=settings.address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.max_workers,
                                              "threads_per_worker": 1,
                                              "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=settings.max_workers)


def flow_for(config: Config, flow: Any) -> Any:
    """``flow`` with the task runner of ``config`` (threads unless the config asks for Dask)."""
    if config.runner.kind == "threads":
        return flow
    return flow.with_options(task_runner=task_runner_for(config.runner))


@contextlib.contextmanager
def no_heartbeats(when: bool = True) -> Iterator[None]:
    """Flow runs started in this block send no heartbeats: child runs (their parent's does),
    and one-off runs on the temporary server, which ends with the process. A sync flow run
    that sends them waits up to a second at its end for the heartbeat thread."""
    if not when:
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield

