"""The run's date and window from what the user (or the scheduler) gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.config import load_config
from digest.pipeline import window_for

CONFIG = Path(__file__).resolve().parents[3] / "config" / "syria-ceasefire.toml"
UTC = dt.UTC


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)  # 07:00 Europe/London every day


def test_a_date_gives_the_span_before_its_send_time(config):
    day, w = window_for(config, day=dt.date(2016, 9, 18))
    assert day == dt.date(2016, 9, 18)
    assert (w.since, w.until) == (dt.datetime(2016, 9, 17, 6, tzinfo=UTC),
                                  dt.datetime(2016, 9, 18, 6, tzinfo=UTC))


def test_a_scheduled_start_alone_ends_the_window_and_the_schedule_starts_it(config):
    start = dt.datetime(2016, 9, 18, 6, 0, 3, tzinfo=UTC)  # a run started 3 s late
    day, w = window_for(config, until=start)
    assert day == dt.date(2016, 9, 18)
    assert w.until == start and w.since == dt.datetime(2016, 9, 17, 6, tzinfo=UTC)
    _, on_time = window_for(config, until=dt.datetime(2016, 9, 18, 6, tzinfo=UTC))
    assert on_time.since == dt.datetime(2016, 9, 17, 6, tzinfo=UTC)


def test_explicit_span_and_nothing_given(config):
    since = dt.datetime(2016, 9, 10, tzinfo=UTC)
    until = dt.datetime(2016, 9, 12, 12, tzinfo=UTC)
    assert window_for(config, since=since, until=until)[1].since == since
    now = dt.datetime(2016, 9, 20, 15, tzinfo=UTC)
    day, w = window_for(config, now=now)
    assert (w.since, w.until) == (now - dt.timedelta(days=1), now)
    assert day == dt.date(2016, 9, 20)
    with pytest.raises(ValueError, match="before"):
        window_for(config, since=until, until=since)
