"""Property tests: rendering arbitrary text from the web, and date handling, never go wrong."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import ScheduleSettings
from digest.feeds import parse_datetime, to_utc
from digest.models import Attributed, Quote, Window
from digest.output.render import digest_to_json, render_html, render_markdown, render_text
from tests.support.digests import make_digest

BASE = make_digest(3)
web_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)


def _with(title: str, summary: str, outlet: str, quote: str) -> object:
    first = BASE.articles[0]
    art = replace(first.article, title=title, outlet=outlet)
    return replace(BASE, articles=(replace(first, article=art, summary=(summary,)),
                                   *BASE.articles[1:]),
                   overview=(Attributed(summary, (art.url,), (outlet,)),),
                   quotes=(Quote(quote, title, outlet, art.url),))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=web_text, summary=web_text, outlet=web_text, quote=web_text)
def test_any_text_from_the_web_renders_as_text(title, summary, outlet, quote):
    digest = _with(title, summary, outlet, quote)
    reference = _Tags()
    reference.feed(render_html(BASE))
    page = render_html(digest)
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "iframe" not in parsed.tags
    assert not any(a.startswith("on") for a in parsed.attrs)
    assert set(parsed.tags) <= set(reference.tags)  # only our own markup
    assert render_markdown(digest) and render_text(digest)
    assert json.loads(json.dumps(digest_to_json(digest)))["articles"][0]["title"] == title


@given(st.text(max_size=60))
def test_parse_datetime_returns_none_or_aware_utc(text):
    value = parse_datetime(text)
    assert value is None or value.utcoffset() == dt.timedelta(0)


@given(st.tuples(st.integers(-5, 12000), st.integers(-3, 15), st.integers(-3, 40),
                 st.integers(-3, 30), st.integers(-3, 70), st.integers(-3, 70),
                 st.integers(0, 8), st.integers(0, 400), st.integers(-1, 1)))
def test_to_utc_accepts_any_struct_time_like_tuple(parts):
    value = to_utc(parts)
    assert value is None or (value.tzinfo is not None and 1990 <= value.year)


CRONS = ["0 7 * * *", "30 6 * * 1-5", "0 0 * * *", "15 23 * * *", "0 */6 * * *", "0 8 * * 1"]


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.sampled_from(["Europe/London", "America/New_York", "Asia/Damascus", "UTC",
                        "Australia/Lord_Howe", "Asia/Kathmandu"]),
       st.sampled_from(CRONS))
def test_send_times_are_on_the_day_and_windows_leave_no_gap(day, tz, cron):
    from croniter import croniter

    sched = ScheduleSettings(cron=cron, timezone=tz)
    send = sched.send_time(day)
    assert send.tzinfo is not None
    local = send.astimezone(__import__("zoneinfo").ZoneInfo(tz))
    assert local.date() in (day, day + dt.timedelta(days=1))
    if local.date() == day:  # a day the schedule runs on: its first run that day
        assert croniter.match(cron, local)
    start = sched.window_start(send)
    window = Window(start, send)
    assert send - dt.timedelta(seconds=1) in window and send not in window
    assert dt.timedelta(days=1) <= send - start <= dt.timedelta(days=31)
    # the scheduled send before this one lies inside the window (or on its start): nothing
    # published between two scheduled digests falls outside both
    before = croniter(cron, local).get_prev(dt.datetime).astimezone(dt.UTC)
    assert start <= before or send - start == dt.timedelta(days=31)
