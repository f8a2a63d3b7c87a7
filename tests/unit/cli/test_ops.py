"""The operations commands: documented with examples, one-line errors, exit codes.

Everything here stays on local files (``file:`` feeds); HTTP sources and feed discovery over HTTP
are in tests/integration/test_check_and_feeds.py, serving on a real Prefect server in tests/e2e.
"""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

import pytest

from digest.cli import commands as cli
from digest.cli import ops as cli_ops
from digest.config import load_config

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
       "<item><title>Truce</title><link>https://example.org/a</link>"
       "<pubDate>Sun, 18 Sep 2016 06:00:00 +0000</pubDate></item></channel></rss>")


def story(tmp_path: Path, *, slug: str = "test-story", cron: str = "0 7 * * *",
          feeds: tuple[str, ...] = ("good.xml",), name: str = "story.toml") -> Path:
    feeds_dir = tmp_path / "feeds"
    feeds_dir.mkdir(exist_ok=True)
    (feeds_dir / "good.xml").write_text(RSS.format(title="Good Wire"))
    (feeds_dir / "page.html").write_text("<html><head><title>p</title></head><body><p>no feed"
                                         "</p></body></html>")
    tables = "\n".join(f'[[feeds]]\nname = "{f}"\nurl = "feeds/{f}"\n' for f in feeds)
    path = tmp_path / name
    path.write_text(f'# a comment\n[story]\ntitle = "Test story"\nslug = "{slug}"\n\n{tables}\n'
                    f'[schedule]\ncron = "{cron}"\ntimezone = "Europe/London"\n\n'
                    f'[output]\ndir = "out"\n\n[fetch]\nlocal_root = "feeds"\nretries = 0\n')
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in _subparsers(sub).items()})
    return found


@pytest.mark.parametrize("command", ["serve", "check", "feeds", "feeds add", "feeds import"])
def test_every_command_has_a_working_example_in_its_help(command: str) -> None:
    parser = cli.build_parser()
    sub = _subparsers(parser)[command]
    assert sub.epilog and "example" in sub.epilog
    examples = [line.strip() for line in sub.epilog.splitlines()
                if line.strip().startswith("digest ")]
    assert examples
    for example in examples:
        args = parser.parse_args(shlex.split(example)[1:])  # the example parses
        assert callable(args.handler)
    assert sub.format_help().count("example") >= 1


def test_feeds_without_an_action_prints_usage_and_exits_2(capsys) -> None:
    code, _out, err = run(["feeds"], capsys)
    assert code == 2 and "add" in err and "import" in err


@pytest.mark.parametrize("argv, message", [
    (["check", "--config", "missing.toml"], "missing.toml: file not found"),
    (["feeds", "import", "missing.opml", "--config", "{cfg}"], "missing.opml: file not found"),
    (["feeds", "add", "--all", "--name", "X", "https://a.example/", "--config", "{cfg}"],
     "--name names one feed"),
    (["feeds", "add", "not a url", "--config", "{cfg}"], "neither a URL nor an existing file"),
    (["serve", "--dry-run", "--config", "nowhere/"], "nowhere: file not found"),
])
def test_usage_and_config_errors_are_one_line_and_exit_2(tmp_path: Path, capsys, argv: list[str],
                                                         message: str) -> None:
    cfg = story(tmp_path)
    code, out, err = run([a.replace("{cfg}", str(cfg)) for a in argv], capsys)
    assert code == 2
    assert err.startswith("digest: error: ") and message in err
    assert err.count("\n") == 1 and out == ""


def test_bad_arguments_are_argparse_errors(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--limit", "0"])
    assert exc.value.code == 2 and "must be at least 1" in capsys.readouterr().err


def test_check_names_the_bad_key_of_an_invalid_config(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path, cron="every morning")
    code, out, err = run(["check", "--config", str(cfg)], capsys)
    assert code == 2 and "schedule.cron" in err and "not a valid cron" in err and out == ""


def test_check_of_good_local_sources_prints_tables_and_exits_0(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path)
    code, out, _err = run(["check", "--config", str(cfg), "--stale-days", "0"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["STATUS", "SETTING", "DETAIL"]
    header = next(i for i, line in enumerate(lines) if line.startswith("STATUS  SOURCE"))
    row = lines[header + 2].split()
    assert row[:5] == ["ok", "good.xml", "200", "1", "2016-09-18"]
    assert lines[-1] == "1 sources: 1 ok, 0 with warnings, 0 failed"


def test_check_of_a_broken_source_exits_1_and_says_why(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path, feeds=("good.xml", "page.html"))
    code, out, _err = run(["check", "--config", str(cfg), "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    by_name = {s["name"]: s for s in data["sources"]}
    assert by_name["good.xml"]["status"] in ("ok", "warn")
    assert by_name["page.html"]["status"] == "error"
    assert "not a feed" in by_name["page.html"]["error"]


def test_serve_dry_run_lists_one_deployment_per_config(tmp_path: Path, capsys) -> None:
    first = story(tmp_path, slug="first", name="a.toml")
    story(tmp_path, slug="second", name="b.toml", cron="30 6 * * 1-5")
    code, out, _err = run(["serve", "--dry-run", "--config", str(tmp_path)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["daily-digest/first", "daily-digest/second"]
    assert "'30 6 * * 1-5' (Europe/London)" in lines[1] and str(first) in lines[0]


def test_serve_dry_run_makes_stories_sharing_a_schedule_one_deployment(tmp_path: Path,
                                                                       capsys) -> None:
    a = story(tmp_path, slug="alpha", name="a.toml")
    b = story(tmp_path, slug="beta", name="b.toml")
    c = story(tmp_path, slug="gamma", name="c.toml", cron="30 6 * * 1-5")
    code, out, _err = run(["serve", "--dry-run", "--config", str(tmp_path)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["daily-digests/alpha+beta",
                                                      "daily-digest/gamma"]
    assert "2 stories over one crawl" in lines[0] and str(a) in lines[0] and str(b) in lines[0]
    assert str(c) in lines[1]
    code, out, _err = run(["serve", "--dry-run", "--one-per-story", "--config", str(tmp_path)],
                          capsys)
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "daily-digest/alpha", "daily-digest/beta", "daily-digest/gamma"]


def test_a_many_story_deployment_name_stays_short() -> None:
    from types import SimpleNamespace

    from flows.serve import group_name

    group = [SimpleNamespace(story=SimpleNamespace(slug=f"story-{i}")) for i in range(50)]
    assert group_name(group) == "story-0+story-1+48-more"  # type: ignore[arg-type]


def test_serve_refuses_two_stories_with_one_slug(tmp_path: Path, capsys) -> None:
    a = story(tmp_path, name="a.toml")
    b = story(tmp_path, name="b.toml")
    code, _out, err = run(["serve", "--dry-run", "--config", str(a), "--config", str(b)], capsys)
    assert code == 2 and "'test-story' is also the slug of" in err and err.count("\n") == 1


def test_feeds_import_adds_a_feed_readers_export_once(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path)
    opml = FIXTURES / "opml" / "feedly-news.opml"
    code, out, _err = run(["feeds", "import", str(opml), "--config", str(cfg)], capsys)
    assert code == 0
    assert out.splitlines()[-1] == f"12 feeds in {opml}: 12 added, 0 already in the config"
    names = [f.name for f in load_config(cfg).feeds]
    assert names[0] == "good.xml" and len(names) == 13
    assert "Middle East Eye" in names and "RFE/RL - Russia & Ukraine" in names
    assert cfg.read_text().startswith("# a comment\n")
    code, out, _err = run(["feeds", "import", str(opml), "--config", str(cfg)], capsys)
    assert code == 0 and out.strip() == f"12 feeds in {opml}: 0 added, 12 already in the config"


def test_feeds_import_dry_run_and_a_file_that_is_not_opml(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path)
    before = cfg.read_text()
    opml = FIXTURES / "opml" / "feedly-news.opml"
    code, out, _err = run(["feeds", "import", str(opml), "--config", str(cfg), "--dry-run"],
                          capsys)
    assert code == 0 and "12 would add" not in out and "would add" in out
    assert cfg.read_text() == before
    bad = tmp_path / "notes.opml"
    bad.write_text("<html><body>not opml</body></html>")
    code, _out, err = run(["feeds", "import", str(bad), "--config", str(cfg)], capsys)
    assert code == 2 and "not an OPML file" in err and err.count("\n") == 1


def test_feeds_add_of_a_local_feed_file_writes_it_relative(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path)
    other = tmp_path / "feeds" / "other.xml"
    other.write_text(RSS.format(title="Other Wire"))
    code, out, _err = run(["feeds", "add", str(other), "--config", str(cfg)], capsys)
    assert code == 0 and out.strip() == 'added "Other Wire" feeds/other.xml'
    assert load_config(cfg).feeds[-1].url == other.as_uri()
    code, out, _err = run(["feeds", "add", str(other), "--config", str(cfg)], capsys)
    assert code == 0 and out.strip() == f"already in the config: {other.as_uri()}"


def test_feeds_add_of_a_page_without_feeds_exits_1(tmp_path: Path, capsys) -> None:
    cfg = story(tmp_path)
    code, out, err = run(["feeds", "add", str(tmp_path / "feeds" / "page.html"), "--config",
                          str(cfg)], capsys)
    assert code == 1 and "no feed found" in err and err.count("\n") == 1


def test_table_columns_line_up() -> None:
    text = cli_ops._table(["A", "BB", "C"], [["long value", "x", "free"], ["y", "wide cell", "z"]])
    lines = text.splitlines()
    assert lines[0] == "A           BB         C"
    assert lines[2] == "long value  x          free"
    assert lines[3].index("wide cell") == lines[0].index("BB")


def test_check_of_a_folder_checks_every_story_and_reports_an_invalid_one(tmp_path: Path,
                                                                        capsys) -> None:
    story(tmp_path, slug="good", name="a.toml")
    story(tmp_path, slug="broken-source", name="b.toml", feeds=("good.xml", "page.html"))
    (tmp_path / "c.toml").write_text("[story\n", encoding="utf-8")
    code, out, err = run(["check", "--config", str(tmp_path), "--stale-days", "0"], capsys)
    assert code == 2  # an invalid config outranks a broken source
    assert out.count("== ") == 3 and "1 sources: 1 ok" in out and "2 sources: 1 ok" in out
    assert err.count("\n") == 1 and "c.toml" in err and "invalid TOML" in err
    code, out, _err = run(["check", "--config", str(tmp_path / "a.toml"), "--config",
                           str(tmp_path / "b.toml"), "--json", "--stale-days", "0"], capsys)
    assert code == 1
    assert [r["ok"] for r in json.loads(out)] == [True, False]
