"""Command-line values: whatever is typed, either a usage error or a value the run can use."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.cli import args as cliargs
from digest.cli import commands as cli
from digest.config import load_config
from digest.pipeline import window_for

ROOT = Path(__file__).resolve().parents[3]
CFG = load_config(ROOT / "config" / "syria-ceasefire.toml")
ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14)),
                         dt.timezone(dt.timedelta(hours=-12)),
                         dt.timezone(dt.timedelta(hours=23, minutes=59))])


@settings(max_examples=300, deadline=None)
@given(day=st.dates())
@example(day=cliargs.FIRST_DAY)
@example(day=cliargs.LAST_DAY)
@example(day=dt.date.min)
@example(day=dt.date.max)
def test_fuzz_any_date_is_refused_or_gives_a_window(day: dt.date) -> None:
    try:
        parsed = cliargs.date_arg(day.isoformat())
    except argparse.ArgumentTypeError as exc:
        assert "is outside" in str(exc)
        assert not cliargs.FIRST_DAY <= day <= cliargs.LAST_DAY
        return
    got_day, window = window_for(CFG, day=parsed)
    assert got_day == day and window.since < window.until


@settings(max_examples=300, deadline=None)
@given(since=st.datetimes(timezones=ZONES), until=st.datetimes(timezones=ZONES))
@example(since=dt.datetime(1970, 1, 2, tzinfo=dt.UTC), until=dt.datetime(2999, 12, 30, 23, 59, tzinfo=dt.UTC))
@example(since=dt.datetime.min.replace(tzinfo=dt.UTC), until=dt.datetime.max.replace(tzinfo=dt.UTC))
def test_fuzz_any_since_until_is_refused_or_gives_a_window(since: dt.datetime,
                                                           until: dt.datetime) -> None:
    try:
        a = cliargs.instant_arg(since.isoformat())
        b = cliargs.instant_arg(until.isoformat())
    except argparse.ArgumentTypeError as exc:
        assert "is outside" in str(exc)
        return
    try:
        cli._check_window(CFG, since=a, until=b)
    except cli.UsageError as exc:
        assert str(exc) == "--since must be before --until" and a >= b
        return
    _day, window = window_for(CFG, since=a, until=b)
    assert window.since < window.until


@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                       st.text(max_size=8)))
def test_fuzz_stale_days_is_a_finite_number_or_a_usage_error(value: str) -> None:
    try:
        days = cliargs.days_arg(value)
    except argparse.ArgumentTypeError:
        return
    assert math.isfinite(days) and 0 <= days <= 36_500


@pytest.mark.parametrize("value", ["-5", "0", "1.5", "nan", "", "10000000"])
def test_sizes_must_be_whole_and_positive(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        cliargs.positive_arg(value)


def test_summarize_input_is_bounded_and_binary_is_named(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 300)
    with pytest.raises(ValueError, match="larger than"):
        cliargs.read_text_file(str(big), limit=1000)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ValueError, match="a binary file, not text"):
        cliargs.read_text_file(str(blob))
    text = tmp_path / "a.txt"
    text.write_text("Kerry met Lavrov.\tThey agreed.\n", encoding="utf-8")
    assert cliargs.read_text_file(str(text)) == "Kerry met Lavrov.\tThey agreed.\n"
