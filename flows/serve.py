"""Scheduled deployments of the daily digest, served by this process.

``python -m flows.serve --config config/syria-ceasefire.toml`` (or ``digest serve``) registers a
deployment ``daily-digest/<slug>`` for a story, scheduled by its ``[schedule]`` cron and time
zone. Stories that share a schedule (the same cron and time zone) become one deployment of the
many-story flow, ``daily-digests/<name>``, which reads their feeds and pages once for all of them
(``--one-per-story`` keeps a deployment per story). Each scheduled run executes in a subprocess
until this process is stopped (Ctrl-C). It needs a Prefect server: ``PREFECT_API_URL`` must point
at one (see docs/SCHEDULING.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digest.config import Config, load_config
from digest.errors import ConfigError, DigestError

FLOW_NAME = "daily-digest"


class ServerError(DigestError):
    """No Prefect server is configured, or the configured one does not answer."""


def config_paths(values: Sequence[str]) -> list[Path]:
    """Config files from ``--config`` values: files as given, folders as their ``*.toml``."""
    paths: list[Path] = []
    for value in values:
        p = Path(value).expanduser()
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                raise ConfigError(p, None, "folder holds no *.toml story config")
            paths.extend(found)
        elif p.is_file():
            paths.append(p)
        else:
            raise ConfigError(p, None, "file not found")
    unique = list(dict.fromkeys(p.resolve() for p in paths))
    return unique


def load_configs(paths: Sequence[Path]) -> list[Config]:
    """Every config, validated; two stories with the same slug are refused."""
    configs = [load_config(p) for p in paths]
    seen: dict[str, Path] = {}
    for cfg in configs:
        other = seen.setdefault(cfg.story.slug, cfg.path)
        if other != cfg.path:
            raise ConfigError(cfg.path, "story.slug",
                              f"{cfg.story.slug!r} is also the slug of {other}; each served "
                              "story needs its own slug")
    return configs


STORIES_FLOW = "daily-digests"


def schedule_groups(configs: Sequence[Config], *, one_per_story: bool = False,
                    ) -> list[list[Config]]:
    """The deployments to make: stories sharing a cron and a time zone together (in the order
    their first story was given), unless ``one_per_story``."""
    if one_per_story:
        return [[cfg] for cfg in configs]
    groups: dict[tuple[str, str], list[Config]] = {}
    for cfg in configs:
        groups.setdefault((cfg.schedule.cron, cfg.schedule.timezone), []).append(cfg)
    return list(groups.values())


def group_name(group: Sequence[Config]) -> str:
    """A many-story deployment's name: its stories' slugs, or the first ones and how many more
    (deployment names stay short enough to read and type)."""
    slugs = [cfg.story.slug for cfg in group]
    if len(slugs) <= 3:
        return "+".join(slugs)
    return f"{'+'.join(slugs[:2])}+{len(slugs) - 2}-more"


def deployment_name(group: Sequence[Config]) -> str:
    """``daily-digest/<slug>`` for one story, ``daily-digests/<name>`` for several."""
    if len(group) == 1:
        return f"{FLOW_NAME}/{group[0].story.slug}"
    return f"{STORIES_FLOW}/{group_name(group)}"


def group_options(group: Sequence[Config]) -> dict[str, Any]:
    """How several stories on one schedule are deployed: one run of the many-story flow."""
    from prefect.schedules import Cron

    sched = group[0].schedule
    slugs = ", ".join(cfg.story.slug for cfg in group)
    return dict(
        name=group_name(group),
        schedules=[Cron(sched.cron, timezone=sched.timezone)],
        parameters={"configs": [str(cfg.path) for cfg in group]},
        description=(f"{len(group)} stories over one crawl, at {sched.cron!r} "
                     f"({sched.timezone}): {slugs}"),
        tags=["story-digest", *(cfg.story.slug for cfg in group)],
    )


def deployment_options(cfg: Config) -> dict[str, Any]:
    """How one story is deployed: ``daily-digest/<slug>`` on its cron, in its time zone."""
    from prefect.schedules import Cron

    sched = cfg.schedule
    return dict(
        name=cfg.story.slug,
        schedules=[Cron(sched.cron, timezone=sched.timezone)],
        parameters={"config": str(cfg.path)},
        description=(f"{cfg.story.title}: the daily digest, at {sched.cron!r} "
                     f"({sched.timezone}). Config: {cfg.path}"),
        tags=["story-digest", cfg.story.slug],
    )


def alerting_flow() -> Any:
    """The daily digest flow with the operator alert hooks attached."""
    from flows.daily_digest import daily_digest
    from flows.hooks import with_alerts

    return with_alerts(daily_digest)


def api_problem() -> str | None:
    """Why scheduling cannot work here (no server configured, or it does not answer), or None."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return ("no Prefect server to schedule on: start one with `prefect server start` and "
                "set PREFECT_API_URL=http://127.0.0.1:4200/api (see docs/SCHEDULING.md)")
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        failure = client.api_healthcheck()
    if failure is not None:
        reason = " ".join(str(failure).split())[:200] or type(failure).__name__
        return f"the Prefect server at {url} does not answer: {reason}"
    return None


def serve_configs(configs: Sequence[Config], *, limit: int | None = None,
                  one_per_story: bool = False) -> None:
    """Register the stories' deployments (one per schedule, or one per story) and run their
    scheduled runs until interrupted.

    Flows are added to one :class:`prefect.runner.Runner` as objects (``add_flow``), so each run
    executes this very flow, alert hooks included, in a subprocess: no code is loaded from the
    deployment's storage, and a deployment of the same name made earlier by ``prefect deploy``
    is simply taken over. Stopping (Ctrl-C, SIGTERM) pauses the schedules.
    """
    import asyncio

    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    problem = api_problem()
    if problem:
        raise ServerError(problem)
    flow = alerting_flow()
    from flows.stories import daily_digests

    runner = Runner(name="story-digest", pause_on_shutdown=True, limit=limit)
    groups = schedule_groups(configs, one_per_story=one_per_story)
    for group in groups:
        if len(group) == 1:
            runner.add_flow(flow, **deployment_options(group[0]))
        else:
            runner.add_flow(daily_digests, **group_options(group))
    names = ", ".join(deployment_name(group) for group in groups)
    print(f"serving {names}; stop with Ctrl-C. Run one now with: "
          f"prefect deployment run '{deployment_name(groups[0])}'", flush=True)
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.serve", description=__doc__.splitlines()[0],
        epilog="example: python -m flows.serve --config config/syria-ceasefire.toml")
    parser.add_argument("--config", action="append", metavar="PATH",
                        help="a story config or a folder of them (repeatable; "
                             "default: config/syria-ceasefire.toml)")
    parser.add_argument("--limit", type=int, help="most flow runs at once")
    parser.add_argument("--one-per-story", action="store_true",
                        help="a deployment per story, even for stories sharing a schedule")
    args = parser.parse_args(argv)
    try:
        configs = load_configs(config_paths(args.config or ["config/syria-ceasefire.toml"]))
        serve_configs(configs, limit=args.limit, one_per_story=args.one_per_story)
    except DigestError as exc:
        print(f"flows.serve: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
