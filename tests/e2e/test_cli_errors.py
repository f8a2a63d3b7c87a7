"""The real ``digest`` command given hostile input: one line on stderr, the right exit code, no
traceback; values that cannot work are refused before Prefect starts; hostile feeds fail alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.story_eval import config_with_feeds, pack_feeds
from digest.models import Article
from digest.store import Store
from tests.support.servers import FaultServer, StaticServer, page, redirect

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "syria-ceasefire.toml"
DIGEST = Path(sys.executable).parent / "digest"
HOSTILE = {"/js": "javascript:alert(1)", "/data": "data:text/html,<b>x</b>",
           "/mailto": "mailto:someone@example.com", "/v6": "http://[::1"}


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("prefect-home")
    e = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    e["PREFECT_HOME"] = str(home)
    e.pop("DIGEST_DEBUG", None)
    return e


def digest(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(DIGEST), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)


def one_line(proc: subprocess.CompletedProcess, code: int, needle: str) -> str:
    """The exit code is ``code`` and stderr is exactly one line holding ``needle``."""
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert proc.stderr.endswith("\n") and proc.stderr.count("\n") == 1, proc.stderr
    assert needle in proc.stderr, proc.stderr
    return proc.stderr


@pytest.fixture(scope="module")
def local_config(tmp_path_factory) -> Path:
    """A story config over the pack on disk (these tests fail before anything is written)."""
    tmp = tmp_path_factory.mktemp("cfg")
    return config_with_feeds(CONFIG, pack_feeds(ROOT / "seeds"), tmp / "story.toml")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- values refused before Prefect starts ------------------------------------------------------


@pytest.mark.parametrize("args, needle", [
    (["run", "--since", "2016-09-19T00:00", "--until", "2016-09-18T00:00"],
     "--since must be before --until"),
    (["run", "--since", "2016-09-18T00:00", "--until", "2016-09-18T00:00"],
     "--since must be before --until"),
    (["run", "--date", "0001-01-01"], "'0001-01-01' is outside"),
    (["run", "--date", "9999-12-31"], "'9999-12-31' is outside"),
    (["run", "--since", "0001-01-01T00:00"], "is outside"),
    (["run", "--until", "9999-12-31T23:59:59+14:00"], "is outside"),
    (["backfill", "--from", "0001-01-01", "--to", "0001-01-02"], "is outside"),
    (["check", "--stale-days", "nan"], "'nan' must be a number of days"),
    (["check", "--stale-days", "inf"], "'inf' must be a number of days"),
    (["check", "--stale-days", "-1"], "'-1' must be a number of days"),
    (["feeds", "add", "http://[::1"], "'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
    (["feeds", "add", "https://example.com:99x/"], "is not a valid URL"),
])
def test_bad_command_line_values_are_usage_errors(local_config: Path, env, args: list[str],
                                                  needle: str) -> None:
    proc = digest(*args, "--config", str(local_config), env=env, timeout=60)
    one_line(proc, 2, needle)
    assert proc.stdout == ""


@pytest.mark.parametrize("args, needle", [
    (["summarize", "--words", "-5", "README.md"], "'-5' must be from 1"),
    (["summarize", "--sentences", "0", "README.md"], "'0' must be from 1"),
    (["summarize", "/dev/zero"], "/dev/zero: larger than 20 MB (not read)"),
    (["summarize", sys.executable], "a binary file, not text (not printed)"),
    (["summarize", "seeds"], "seeds: is a directory"),
])
def test_summarize_refuses_what_it_cannot_summarise(env, args: list[str], needle: str) -> None:
    proc = digest(*args, env=env, timeout=60)
    one_line(proc, 2, needle)
    assert proc.stdout == ""  # nothing binary reaches the terminal


CONFIG_FAULTS = [
    ("schedule", "cron", "0 0 30 2 *", "schedule.cron: '0 0 30 2 *' never fires"),
    ("fetch", "user_agent", "Digest-bot/1.0 (тест)", "fetch.user_agent: holds"),
    ("email", "to", ["a@example.com, b@evil.example"], "email.to: "),
    ("email", "subject", "{title} {when}", "email.subject: unknown field {when}"),
]


def with_setting(cfg: Path, table: str, key: str, value: object) -> Path:
    import tomlkit

    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc.setdefault(table, tomlkit.table())[key] = value
    return write(cfg, tomlkit.dumps(doc))


@pytest.mark.parametrize("table, key, value, needle", CONFIG_FAULTS)
def test_config_faults_are_one_line_at_load(tmp_path: Path, env, table: str, key: str,
                                            value: object, needle: str) -> None:
    cfg = config_with_feeds(CONFIG, pack_feeds(ROOT / "seeds"), tmp_path / "story.toml")
    with_setting(cfg, table, key, value)
    for command in (["check"], ["run", "--date", "2016-09-18"]):
        one_line(digest(*command, "--config", str(cfg), env=env, timeout=60), 2, needle)


def test_blank_term_and_bad_ipv6_feed_name_their_keys(tmp_path: Path, env) -> None:
    cfg = config_with_feeds(CONFIG, pack_feeds(ROOT / "seeds") + [
        {"name": "Broken", "url": "http://[::1/feed.xml"}], tmp_path / "story.toml")
    one_line(digest("check", "--config", str(cfg), env=env, timeout=60), 2,
             "feeds[7].url: 'http://[::1/feed.xml' is not a valid URL")
    text = cfg.read_text(encoding="utf-8").replace('[[feeds]]\nname = "Broken"', '[[x]]\nname = "B"')
    text = text.replace('"Latakia"]', '"Latakia", " "]')
    write(cfg, text.split("[[x]]")[0])
    one_line(digest("check", "--config", str(cfg), env=env, timeout=60), 2,
             "relevance.require[0][13]: empty term")


def test_a_config_with_a_bom_loads_and_a_directory_is_named(tmp_path: Path, local_config: Path,
                                                            env) -> None:
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + local_config.read_bytes())
    proc = digest("check", "--config", str(bom), "--stale-days", "0", env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "invalid TOML" not in proc.stderr and "7 sources: 7 ok" in proc.stdout
    empty = tmp_path / "no-configs"
    empty.mkdir()
    one_line(digest("run", "--config", str(empty), env=env, timeout=60), 2,
             "folder holds no *.toml story config")


# -- state faults: one line, before Prefect starts ------------------------------------------------


def _filled_state(path: Path) -> None:
    with Store(path) as s:
        for i in range(300):
            s.save_article(Article(url=f"https://e.example/{i}", canonical_url=f"https://e.example/{i}",
                                   source="s", outlet="o", title="t" * 50, text="word " * 400,
                                   content_hash=f"h{i}"))
        s._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_damaged_state_file_is_one_line(tmp_path: Path, local_config: Path, env) -> None:
    state = tmp_path / "state.sqlite"
    _filled_state(state)
    data = bytearray(state.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle:middle + 4096] = b"\xa5" * 4096
    state.write_bytes(bytes(data))
    proc = digest("run", "--config", str(local_config), "--date", "2016-09-18", "--state",
                  str(state), "--no-email", env=env, timeout=60)
    one_line(proc, 1, "the file is damaged; restore a backup, or move it aside")


@pytest.fixture
def read_only_state(tmp_path: Path) -> Iterator[Path]:
    state = tmp_path / "state.sqlite"
    _filled_state(state)
    for extra in ("-wal", "-shm"):
        Path(f"{state}{extra}").unlink(missing_ok=True)
    if os.geteuid() != 0:
        state.chmod(0o444)
        yield state
        state.chmod(0o644)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(state)],
                                                        capture_output=True).returncode:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    try:
        yield state
    finally:
        subprocess.run(["chattr", "-i", str(state)], check=False)


def test_a_read_only_state_file_is_one_line(read_only_state: Path, local_config: Path,
                                            env) -> None:
    proc = digest("run", "--config", str(local_config), "--date", "2016-09-18", "--state",
                  str(read_only_state), "--no-email", env=env, timeout=60)
    one_line(proc, 1, "read-only; make both writable")


# -- hostile feeds over real HTTP --------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_config(tmp_path_factory) -> Iterator[tuple[Path, FaultServer]]:
    tmp = tmp_path_factory.mktemp("hostile")
    routes = {path: redirect(location) for path, location in HOSTILE.items()}
    routes["/front.html"] = page(
        b'<html><head><title>Front</title><link rel="alternate" type="application/rss+xml" '
        b'href="http://10.0.0.1/feed.xml"></head><body><p>News</p></body></html>')
    with StaticServer(ROOT / "seeds") as pack, FaultServer(routes) as bad:
        feeds = pack_feeds(ROOT / "seeds", pack.base)
        feeds += [{"name": f"Hostile {p}", "url": bad.url(p)} for p in HOSTILE]
        cfg = config_with_feeds(CONFIG, feeds, tmp / "story.toml")
        write(cfg, cfg.read_text(encoding="utf-8").replace("retries = 2", "retries = 0"))
        yield cfg, bad


def test_check_lists_hostile_redirects_without_crashing(hostile_config, env) -> None:
    cfg, _ = hostile_config
    proc = digest("check", "--config", str(cfg), "--stale-days", "0", env=env, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    for scheme in ("javascript", "data", "mailto"):
        assert f"refused: redirect to a {scheme}: URL" in proc.stdout
    assert "bad redirect location" in proc.stdout
    assert "11 sources: 7 ok, 0 with warnings, 4 failed" in proc.stdout


@pytest.mark.parametrize("path, needle", [
    ("/js", "refused: redirect to a javascript: URL"),
    ("/data", "refused: redirect to a data: URL"),
    ("/mailto", "refused: redirect to a mailto: URL"),
    ("/front.html", "advertises 1 feed(s), but none could be read: http://10.0.0.1/feed.xml: "
                    "refused: 10.0.0.1 is a private address"),
])
def test_feeds_add_of_a_hostile_url_is_one_line(hostile_config, env, path: str,
                                                needle: str) -> None:
    cfg, bad = hostile_config
    before = cfg.read_text(encoding="utf-8")
    proc = digest("feeds", "add", bad.url(path), "--config", str(cfg), env=env, timeout=120)
    one_line(proc, 1, needle)
    assert cfg.read_text(encoding="utf-8") == before


def test_a_run_with_hostile_feeds_still_digests_the_others(hostile_config, env,
                                                           tmp_path: Path) -> None:
    cfg, _ = hostile_config
    proc = digest("run", "--config", str(cfg), "--date", "2016-09-18", "--out", str(tmp_path),
                  "--state", str(tmp_path / "state.sqlite"), "--no-email", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip() == ""
    assert "feeds: 7 read, 4 failed" in proc.stdout
    assert "failed: Hostile /js: refused: redirect to a javascript: URL" in proc.stdout
    assert "failed: Hostile /mailto: refused: redirect to a mailto: URL" in proc.stdout
    assert (tmp_path / "syria-ceasefire" / "2016-09-18.md").stat().st_size > 1000
