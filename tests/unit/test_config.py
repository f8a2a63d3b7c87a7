"""Config loading: defaults, path resolution, and one-line errors naming file, key and problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[story]
title = "Test story"

[[feeds]]
name = "A"
url = "https://example.com/feed.xml"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "story.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_minimal_config_gets_sane_defaults(tmp_path):
    cfg = load_config(write(tmp_path, MINIMAL))
    assert cfg.story.slug == "test-story"
    assert cfg.feeds[0].url == "https://example.com/feed.xml"
    assert cfg.output_dir == (tmp_path / "out").resolve()
    assert cfg.state_path == (tmp_path / "out" / "state.sqlite").resolve()
    assert cfg.email.enabled is False
    assert cfg.fetch.allow_networks == ()
    assert cfg.fetch.local_root == tmp_path.resolve()


def test_bundled_config_loads_and_resolves_pack_paths():
    cfg = load_config(ROOT / "config" / "syria-ceasefire.toml")
    assert cfg.story.slug == "syria-ceasefire"
    assert len(cfg.feeds) >= 6
    assert all(f.url.startswith("file:///") for f in cfg.feeds)
    assert cfg.story.seeds and cfg.story.seeds[0].is_file()


def test_relative_feed_path_becomes_file_url(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "a.xml").write_text("<rss/>")
    cfg = load_config(write(tmp_path, MINIMAL.replace("https://example.com/feed.xml",
                                                      "feeds/a.xml")))
    assert cfg.feeds[0].url == (tmp_path / "feeds" / "a.xml").resolve().as_uri()


def test_send_time_follows_cron_and_timezone(tmp_path):
    cfg = load_config(write(tmp_path, MINIMAL + '[schedule]\ncron = "0 7 * * *"\n'
                                                'timezone = "Europe/London"\n'))
    # 07:00 BST on 18 September 2016 is 06:00 UTC
    assert cfg.schedule.send_time(dt.date(2016, 9, 18)) == dt.datetime(2016, 9, 18, 6,
                                                                         tzinfo=dt.UTC)
    # in winter London is on GMT
    assert cfg.schedule.send_time(dt.date(2016, 12, 18)) == dt.datetime(2016, 12, 18, 7,
                                                                         tzinfo=dt.UTC)


BAD = [
    ("[story]\n", "story.title", "missing"),
    (MINIMAL + "[fetch]\ntimeout = -1\n", "fetch.timeout", "out of range"),
    (MINIMAL + "[fetch]\ntimeout = \"fast\"\n", "fetch.timeout", "must be a number"),
    (MINIMAL + "[schedule]\ncron = \"every day\"\n", "schedule.cron", "not a valid cron"),
    (MINIMAL + "[story2]\n", "story2", "unknown key"),
    (MINIMAL.replace("https://example.com/feed.xml", "ftp://example.com/feed"), "feeds[0].url",
     "only http, https and file"),
    (MINIMAL.replace("https://example.com/feed.xml", "missing/feed.xml"), "feeds[0].url",
     "file not found"),
    (MINIMAL + "[email]\npassword = \"hunter2\"\n", "email.password", "never go in the config"),
    (MINIMAL + "[email]\nsecurity = \"tls\"\n", "email.security", "must be"),
    (MINIMAL + "[relevance]\nprefilter = \"yes\"\n", "relevance.prefilter", "must be"),
    (MINIMAL + "[email]\nenabled = true\nfrom = \"a@b.example\"\n", "email.to", "no recipients"),
    (MINIMAL + "[email]\nto = [\"not an address\"]\n", "email.to", "not an email address"),
    (MINIMAL + "[fetch]\nallow_networks = [\"10.0.0.0/33\"]\n", "fetch.allow_networks[0]",
     "not an IP address"),
    (MINIMAL + "[story.x]\n", "story.x", "unknown key"),
    (MINIMAL.replace("[story]\n", "[story]\ntimezone = \"Mars/Olympus\"\n"), "story.timezone",
     "unknown time zone"),
    (MINIMAL + "[digest]\noverview_method = \"magic\"\n", "digest.overview_method",
     "unknown method"),
    ("[story\n", None, "invalid TOML"),
    (MINIMAL + '[[feeds]]\nname = "A"\nurl = "https://x.example/f"\n', "feeds[1].name",
     "duplicate feed name"),
]


@pytest.mark.parametrize(("text", "key", "problem"), BAD)
def test_bad_values_give_one_line_errors_naming_file_and_key(tmp_path, text, key, problem):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path.resolve()))
    if key:
        assert f": {key}: " in message
    assert problem in message


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_local_feed_outside_local_root_is_refused(tmp_path):
    inner = tmp_path / "cfg"
    inner.mkdir()
    (tmp_path / "outside.xml").write_text("<rss/>")
    text = MINIMAL.replace("https://example.com/feed.xml", "../outside.xml")
    with pytest.raises(ConfigError, match="outside fetch.local_root"):
        load_config(write(inner, text))


def test_live_example_config_loads_and_allows_no_private_networks():
    cfg = load_config(ROOT / "config" / "syria-live.example.toml")
    assert all(f.url.startswith("https://") for f in cfg.feeds)
    assert cfg.fetch.allow_networks == ()
    assert cfg.story.seeds == () and cfg.story.description


def test_windows_run_from_the_previous_scheduled_send():
    import zoneinfo

    from digest.config import ScheduleSettings

    london = zoneinfo.ZoneInfo("Europe/London")

    def window(cron: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        s = ScheduleSettings(cron=cron, timezone="Europe/London")
        end = s.send_time(day)
        return s.window_start(end).astimezone(london), end.astimezone(london)

    # daily: the 24 hours before the send time
    assert window("0 7 * * *", dt.date(2016, 9, 18)) == (
        dt.datetime(2016, 9, 17, 7, tzinfo=london), dt.datetime(2016, 9, 18, 7, tzinfo=london))
    # weekdays: Monday's digest covers the weekend, Tuesday's one day
    assert window("30 6 * * 1-5", dt.date(2016, 9, 19))[0] == dt.datetime(2016, 9, 16, 6, 30,
                                                                          tzinfo=london)
    assert window("30 6 * * 1-5", dt.date(2016, 9, 20))[0] == dt.datetime(2016, 9, 19, 6, 30,
                                                                          tzinfo=london)
    # the clocks go back on 30 October 2016: that day's window is 25 hours, no gap
    start, end = window("0 7 * * *", dt.date(2016, 10, 30))
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=25)
    # several sends a day: still a day's worth; weekly: the week
    start, end = window("0 */6 * * *", dt.date(2016, 9, 18))
    assert end - start == dt.timedelta(days=1)
    start, end = window("0 8 * * 1", dt.date(2016, 9, 19))
    assert end - start == dt.timedelta(days=7)
