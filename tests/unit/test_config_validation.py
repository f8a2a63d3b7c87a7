"""Config values that used to pass validation and fail mid-run are refused at load, in one line.

Each case names the key and the problem; a fuzz test checks that whatever a config holds, loading
either fails with one ConfigError line or gives values that work where they are used later
(the schedule, the story terms, HTTP headers, the fetcher's URL handling, the email subject).
"""

from __future__ import annotations

import datetime as dt
import sys
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import load_config
from digest.email import subject_for
from digest.errors import ConfigError
from digest.models import Digest, Story, Window
from digest.relevance import _pattern
from digest.screen import Screen

MINIMAL = """
[story]
title = "Test story"

[[feeds]]
name = "A"
url = "https://example.com/feed.xml"
"""


def write(tmp_path: Path, text: str, name: str = "story.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "\n" not in str(err.value)
    return err.value


BAD = [
    ('[schedule]\ncron = "0 0 30 2 *"\n', "schedule.cron", "never fires"),
    ('[schedule]\ncron = "0 0 31 4 *"\n', "schedule.cron", "never fires"),
    ('[relevance]\nrequire = [["Syria", ""]]\n', "relevance.require[0][1]", "empty term"),
    ('[relevance]\nrequire = [["Syria"], ["   "]]\n', "relevance.require[1][0]", "empty term"),
    ('[relevance]\nterms = ["Kerry", ""]\n', "relevance.terms[1]", "empty term"),
    ('[relevance]\nexclude = ["--"]\n', "relevance.exclude[0]", "no letter or digit"),
    ('[relevance]\nterms = ["a\\u0000b"]\n', "relevance.terms[0]", "control characters"),
    ('[fetch]\nuser_agent = "Dígest/1.0"\n', "fetch.user_agent", "printable ASCII"),
    ('[fetch]\nuser_agent = "bot\\r\\nX-Evil: 1"\n', "fetch.user_agent", "line break"),
    ('[email]\nsubject = "Digest\\r\\nBcc: x@evil.example"\n', "email.subject", "line break"),
    ('[email]\nsubject = "{title} {nope}"\n', "email.subject", "unknown field {nope}"),
    ('[email]\nsubject = "{title"\n', "email.subject", "cannot format"),
    ('[email]\nsubject = "{date:%Y}{articles:>99999999}"\n', "email.subject", "too wide"),
    ('[email]\nsubject = "{date.__class__}"\n', "email.subject", "only plain fields"),
    ('[email]\nsubject = "{articles:%Y}"\n', "email.subject", "cannot format"),
    ('[email]\nto = ["a@example.com, b@evil.example"]\n', "email.to", "not exactly one address"),
    ('[email]\nalert_to = ["a@example.com; b@evil.example"]\n', "email.alert_to", "not exactly one address"),
]


@pytest.mark.parametrize("extra, key, problem", BAD)
def test_values_that_would_fail_later_are_refused_at_load(tmp_path: Path, extra: str, key: str,
                                                          problem: str) -> None:
    err = error_of(write(tmp_path, MINIMAL + extra))
    assert err.key == key
    assert problem in err.problem
    assert str(err).startswith(f"{tmp_path / 'story.toml'}: {key}: ")


@pytest.mark.parametrize("url, problem", [
    ("http://[::1", "not a valid URL"),
    ("http://[::1/feed.xml", "not a valid URL"),
    ("https://example.com:99x/feed", "not a valid URL"),
    ("http://xn--/feed", "not a valid URL"),
    ("http://exa mple.com/feed", "spaces or control characters"),
    ("https:///feed.xml", "has no host"),
])
def test_malformed_feed_urls_are_refused_at_load(tmp_path: Path, url: str, problem: str) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("https://example.com/feed.xml", url)))
    assert err.key == "feeds[0].url" and problem in err.problem


def test_a_title_with_a_line_break_is_refused(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace('"Test story"', '"Test\\nstory"')))
    assert err.key == "story.title" and "line break" in err.problem


def test_dask_without_prefect_dask_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, MINIMAL + '[runner]\nkind = "dask"\n')
    monkeypatch.setitem(sys.modules, "prefect_dask", None)  # as if it were not installed
    err = error_of(path)
    assert err.key == "runner.kind"
    assert "prefect-dask" in err.problem and "pip install 'story-digest[dask]'" in err.problem
    monkeypatch.undo()
    assert load_config(path).runner.kind == "dask"  # installed here (the test extra)


def test_good_values_still_load(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL + (
        '[schedule]\ncron = "0 0 29 2 *"\n'  # fires every four years: odd, but it fires
        '[relevance]\nrequire = [["Syria", "Deir ez-Zor"]]\nterms = ["US-Russia"]\n'
        '[email]\nto = ["A Person <a@example.com>", "b@example.com"]\n'
        'subject = "{title}: {date:%d %b %Y} ({date.year}), {articles:>3} from {outlets}"\n')))
    assert cfg.email.to == ("A Person <a@example.com>", "b@example.com")
    assert cfg.schedule.cron == "0 0 29 2 *"


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_config(path).story.title == "Test story"


def test_a_directory_is_named_as_one(tmp_path: Path) -> None:
    err = error_of(tmp_path)
    assert err.problem == "is a directory, not a config file"


def test_a_device_is_not_read(tmp_path: Path) -> None:
    err = error_of(Path("/dev/zero"))  # would never end
    assert err.problem == "not a regular file"


# -- fuzz ----------------------------------------------------------------------------------------

TOML_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def toml_str(value: str) -> str:
    """A TOML basic string holding ``value`` exactly."""
    out = []
    for ch in value:
        if ch in '"\\' or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


CRONS = st.builds(lambda *f: " ".join(f), *[st.sampled_from(v) for v in (
    ["0", "30", "*/15", "59"], ["0", "7", "23", "*"], ["1", "15", "28", "29", "30", "31", "*"],
    ["1", "2", "4", "6", "9", "11", "*", "2-4"], ["*", "1-5", "0", "6"])])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TOML_TEXT, agent=TOML_TEXT, subject=TOML_TEXT, term=TOML_TEXT, cron=CRONS,
       to=TOML_TEXT, host=TOML_TEXT)
def test_fuzz_loaded_values_work_where_they_are_used(tmp_path: Path, title: str, agent: str,
                                                     subject: str, term: str, cron: str, to: str,
                                                     host: str) -> None:
    text = (f"[story]\ntitle = {toml_str(title)}\nslug = \"s\"\n"
            f"[[feeds]]\nname = \"A\"\nurl = {toml_str('https://' + host + '/feed.xml')}\n"
            f"[relevance]\nrequire = [[{toml_str(term)}]]\n"
            f"[schedule]\ncron = {toml_str(cron)}\n"
            f"[fetch]\nuser_agent = {toml_str(agent)}\n"
            f"[email]\nto = [{toml_str(to + '@example.com')}]\nsubject = {toml_str(subject)}\n")
    path = write(tmp_path, text, "fuzz.toml")
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        assert "\n" not in str(exc)
        return
    # the schedule gives a send time and a window for any day
    end = cfg.schedule.send_time(dt.date(2016, 9, 18))
    assert cfg.schedule.window_start(end) < end
    # the terms compile and screen
    for group in cfg.relevance.require:
        for t in group:
            _pattern(t)
    Screen.for_story(cfg.relevance.require)
    # the user agent goes out as a header; the feed URL is one httpx can request
    request = httpx.Request("GET", cfg.feeds[0].url, headers={"User-Agent": cfg.fetch.user_agent})
    assert request.headers["user-agent"] == cfg.fetch.user_agent
    # the subject formats for a real digest and is a valid one-line header
    digest = Digest(story=Story(slug="s", title=cfg.story.title), date=dt.date(2016, 9, 18),
                    window=Window(end - dt.timedelta(days=1), end),
                    generated_at=end, overview=(), articles=(), sources=())
    msg = EmailMessage()
    msg["Subject"] = subject_for(digest, cfg.email.subject)
    msg["To"] = ", ".join(cfg.email.to)
    assert len(msg.get_all("To")) == 1 and msg["To"].addresses and len(msg["To"].addresses) == 1


def test_an_opml_with_malformed_urls_adds_only_the_good_ones(tmp_path: Path) -> None:
    from digest.opml import read_opml
    from digest.sources import add_feeds

    opml = (b'<?xml version="1.0"?><opml version="2.0"><body>'
            b'<outline text="Bad v6" xmlUrl="http://[::1/feed"/>'
            b'<outline text="Bad port" xmlUrl="http://example.com:99x/feed"/>'
            b'<outline text="Bad idna" xmlUrl="http://xn--/feed"/>'
            b'<outline text="Good" xmlUrl="https://good.example/feed.xml"/>'
            b'</body></opml>')
    assert read_opml(opml) == [("Good", "https://good.example/feed.xml")]
    path = write(tmp_path, MINIMAL)
    add_feeds(path, read_opml(opml))
    assert [f.url for f in load_config(path).feeds] == ["https://example.com/feed.xml",
                                                        "https://good.example/feed.xml"]


def test_feeds_can_be_added_to_a_config_with_a_bom(tmp_path: Path) -> None:
    from digest.sources import add_feeds

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert add_feeds(path, [("B", "https://b.example/feed.xml")]) == [
        ("B", "https://b.example/feed.xml")]
    assert len(load_config(path).feeds) == 2


def test_an_empty_require_written_out_is_the_default(tmp_path):
    # the README's Config reference gives `[]` as require's default: writing it is no error
    from digest.config import load_config

    cfg = tmp_path / "story.toml"
    cfg.write_text('[story]\ntitle = "A story"\n[relevance]\nrequire = []\n'
                   '[[feeds]]\nname = "F"\nurl = "https://feeds.example/f.xml"\n', encoding="utf-8")
    assert load_config(cfg).relevance.require == ()
