"""Prefect state hooks of the daily digest flow: email the operator when a run fails or crashes,
or when it finishes with most of its sources failed.

The decision and the text live in :mod:`digest.alerts`; these hooks only read the run's config
and state. A hook never raises: a broken alert is logged to the run, not turned into a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from digest import alerts
from digest.config import Config, load_config

FlowHook = Any  # prefect's FlowStateHook: (flow, flow_run, state) -> None


def _logger(flow: Any, flow_run: Any) -> logging.Logger | logging.LoggerAdapter:
    try:
        from prefect.logging.loggers import flow_run_logger

        return flow_run_logger(flow_run, flow)
    except Exception:  # noqa: BLE001 - logging must not break a hook
        return logging.getLogger(__name__)


def _run_url(flow_run: Any) -> str | None:
    try:
        from prefect.utilities.urls import url_for

        return url_for(flow_run)
    except Exception:  # noqa: BLE001
        return None


def _password(cfg: Config) -> str | None:
    name = cfg.email.password_block
    if not name:
        return None
    from prefect.blocks.system import Secret

    secret: Any = Secret.load(name)  # sync here: hooks run outside an event loop
    return str(secret.get())


def _config(flow_run: Any) -> tuple[str | None, Config | None, str | None]:
    path = (getattr(flow_run, "parameters", None) or {}).get("config")
    if not path:
        return None, None, "the run has no config parameter"
    try:
        return path, load_config(path), None
    except Exception as exc:  # noqa: BLE001 - a broken config is reported, not raised
        return path, None, str(exc)


def _store(cfg: Config, flow_run: Any) -> Any:
    """The run's state database (its ``state`` parameter, else the config's), or None."""
    from pathlib import Path

    from digest.store import Store

    path = (getattr(flow_run, "parameters", None) or {}).get("state") or cfg.state_path
    try:
        return Store(Path(path))
    except Exception:  # noqa: BLE001 - the alert goes out without the ledger
        return None


def _send(log: Any, cfg: Config, alert: alerts.Alert, flow_run: Any = None) -> None:
    try:
        password = _password(cfg)
    except Exception as exc:  # noqa: BLE001
        log.error("alert not sent: cannot read the SMTP password block: %s", exc)
        return
    store = _store(cfg, flow_run) if cfg.email.alert_to else None
    try:
        outcome = alerts.notify(cfg.email, alert, password=password, store=store,
                                slug=cfg.story.slug)
    finally:
        if store is not None:
            store.close()
    if outcome.status == "sent":
        log.info("alert sent to %s: %s", ", ".join(cfg.email.alert_to), alert.subject)
    elif outcome.status == "disabled":
        log.warning("%s (no [email] alert_to, so no email was sent)", alert.subject)
    else:
        log.error("alert not sent: %s", outcome.error)


def alert_on_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """``on_failure``/``on_crashed`` hook: tell the operator that no digest was written."""
    log = _logger(flow, flow_run)
    try:
        path, cfg, problem = _config(flow_run)
        if cfg is None:
            log.error("run %s; cannot alert: %s", state.name, problem)
            return
        alert = alerts.failure_alert(cfg.story.title, state=state.name, message=state.message,
                                     run_name=flow_run.name, config_path=path,
                                     run_url=_run_url(flow_run))
        _send(log, cfg, alert, flow_run)
    except Exception:  # noqa: BLE001 - a hook must never raise
        log.exception("failure alert hook broke")


def alert_on_completion(flow: Any, flow_run: Any, state: Any) -> None:
    """``on_completion`` hook: alert when more than half of the run's sources failed."""
    log = _logger(flow, flow_run)
    try:
        report = state.result(raise_on_failure=False)
        if not isinstance(report, Mapping):
            return
        if alerts.sources_failed_share(report) <= alerts.SOURCES_FAILED_SHARE:
            return
        path, cfg, problem = _config(flow_run)
        if cfg is None:
            log.error("most sources failed; cannot alert: %s", problem)
            return
        alert = alerts.sources_alert(cfg.story.title, report, config_path=path,
                                     run_url=_run_url(flow_run))
        if alert is not None:
            _send(log, cfg, alert, flow_run)
    except Exception:  # noqa: BLE001
        log.exception("sources alert hook broke")


def with_alerts(flow: Any) -> Any:
    """The flow with the alert hooks attached (each added only if not already there)."""

    def add(hooks: list[Any], hook: Any) -> list[Any]:
        return list(hooks) if hook in hooks else [*hooks, hook]

    return flow.with_options(on_failure=add(flow.on_failure_hooks, alert_on_failure),
                             on_crashed=add(flow.on_crashed_hooks, alert_on_failure),
                             on_completion=add(flow.on_completion_hooks, alert_on_completion))
