"""Task runners: threads on one machine (default) or Dask for work that outgrows it."""

from __future__ import annotations

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
