"""The window a day's digest covers, worked out from the story's schedule.

Light on purpose (the config and the models only): the command line checks a run's window
before it starts Prefect's server, and importing the pipeline would hold that start back.
"""

from __future__ import annotations

import datetime as dt

from digest.config import Config
from digest.models import Window

__all__ = ["window_for"]


def window_for(config: Config, *, day: dt.date | None = None, since: dt.datetime | None = None,
               until: dt.datetime | None = None,
               now: dt.datetime | None = None) -> tuple[dt.date, Window]:
    """The digest date and window: from the scheduled send before a day's send time (at least 24
    hours) to it, an explicit span (``until`` alone, as a scheduled run gives: from the scheduled
    send before it), or (nothing given) the 24 hours ending ``now``."""
    now = now or dt.datetime.now(dt.UTC)
    if since is not None or until is not None:
        until = until or now
        since = since or config.schedule.window_start(until)
        if since >= until:
            raise ValueError("--since must be before --until")
        return until.astimezone(config.story.tz).date(), Window(since.astimezone(dt.UTC),
                                                                  until.astimezone(dt.UTC))
    if day is None:  # the 24 hours ending now
        return now.astimezone(config.story.tz).date(), Window(now - dt.timedelta(days=1), now)
    end = config.schedule.send_time(day)
    return day, Window(config.schedule.window_start(end), end)
