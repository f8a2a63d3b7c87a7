"""``digest story new``: documented with a working example, in the README's Commands table."""

from __future__ import annotations

import shlex
from pathlib import Path

from digest.cli import commands as cli

ROOT = Path(__file__).resolve().parents[3]


def test_story_new_has_a_working_example_and_is_in_the_readme(capsys) -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["story", "new", "T", "--from", "a.txt"])
    assert args.handler.__name__ == "cmd_story_new" and args.seeds == ["a.txt"]
    from digest.cli.story import EXAMPLE

    parsed = parser.parse_args(shlex.split(EXAMPLE)[1:])
    assert parsed.title == "Bayer buys Monsanto" and len(parsed.seeds) == 2
    assert parsed.out == "config/bayer.toml"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '| `digest story new "TITLE" --from' in readme
    assert "## Follow your own story" in readme


def test_story_without_an_action_prints_usage_and_exits_2(capsys) -> None:
    assert cli.main(["story"]) == 2
    assert "new" in capsys.readouterr().err


def test_existing_output_is_a_one_line_usage_error(tmp_path, capsys) -> None:
    out = tmp_path / "s.toml"
    out.write_text("x", encoding="utf-8")
    assert cli.main(["story", "new", "T", "--from", "a.txt", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists (use --force" in err
    assert out.read_text(encoding="utf-8") == "x"
