"""Prefect surroundings checked before Prefect starts: one-line errors that say what to do."""

from __future__ import annotations

import pytest

from digest.cli import prefectenv
from digest.cli.prefectenv import SetupError
from tests.support.prefect_server import free_port


def test_a_missing_home_is_created_and_probed(tmp_path):
    home = tmp_path / "a" / "b"
    assert prefectenv.check_home(home) == home
    assert home.is_dir() and not list(home.iterdir())  # the probe file is gone


def test_a_home_under_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SetupError) as err:
        prefectenv.check_home(blocker / "home")
    assert str(blocker / "home") in str(err.value) and "PREFECT_HOME" in str(err.value)
    assert "\n" not in str(err.value)


def test_home_follows_prefect_home_then_the_default(tmp_path):
    assert prefectenv.prefect_home({"PREFECT_HOME": str(tmp_path)}) == tmp_path
    assert prefectenv.prefect_home({}).name == ".prefect"


def test_an_unreachable_server_is_one_line():
    url = f"http://127.0.0.1:{free_port()}/api"
    with pytest.raises(SetupError) as err:
        prefectenv.check_server(url, timeout=2)
    assert url in str(err.value) and "PREFECT_API_URL" in str(err.value)


def test_the_temporary_servers_start_up_timeout_becomes_one_line(monkeypatch):
    monkeypatch.setenv(prefectenv.STARTUP_SETTING, "7")
    with pytest.raises(SetupError) as err, prefectenv.startup_errors():
        raise RuntimeError(prefectenv.EPHEMERAL_TIMEOUT + ". stdout: None")
    assert "within 7 s" in str(err.value) and prefectenv.STARTUP_SETTING in str(err.value)
    with pytest.raises(RuntimeError, match="something else"), prefectenv.startup_errors():
        raise RuntimeError("something else")



# -- the temporary server, started by the run itself ------------------------------------------


def test_the_run_starts_the_temporary_server_only_where_prefect_would(tmp_path):
    home = {"PREFECT_HOME": str(tmp_path)}
    assert prefectenv.may_start_early(dict(home))
    # a server named by the user, or temporary servers turned off: never
    assert not prefectenv.may_start_early(home | {"PREFECT_API_URL": "http://127.0.0.1:1/api"})
    assert not prefectenv.may_start_early(home | {"PREFECT_SERVER_EPHEMERAL_ENABLED": "false"})
    assert not prefectenv.may_start_early(home | {prefectenv.EARLY_SETTING: "0"})
    # a profile that may name a server: left to Prefect, which reads it
    assert not prefectenv.may_start_early(home | {"PREFECT_PROFILE": "work"})
    (tmp_path / "profiles.toml").write_text('active = "local"\n[profiles.local]\n'
                                            'PREFECT_API_URL = "http://127.0.0.1:4200/api"\n')
    assert not prefectenv.may_start_early(dict(home))
    (tmp_path / "profiles.toml").write_text('active = "local"\n[profiles.local]\n'
                                            'PREFECT_LOGGING_LEVEL = "DEBUG"\n')
    assert prefectenv.may_start_early(dict(home))


def test_waiting_for_a_server_the_run_did_not_start_returns_at_once():
    assert prefectenv._temporary is None
    prefectenv.wait_ready(timeout=0)  # would raise if it waited for anything


@pytest.mark.parametrize("code, words", [(3, "could not listen on port"),
                                         (1, "stopped as it started (exit code 1)")])
def test_a_temporary_server_that_exits_as_it_starts_is_one_line(monkeypatch, code, words):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", f"import sys; sys.exit({code})"])
    proc.wait(30)
    monkeypatch.setattr(prefectenv, "_temporary", prefectenv.TemporaryServer(proc, free_port()))
    with pytest.raises(SetupError) as err:
        prefectenv.wait_ready(timeout=30)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_temporary_server_that_never_answers_times_out_in_one_line(monkeypatch):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monkeypatch.setattr(prefectenv, "_temporary",
                            prefectenv.TemporaryServer(proc, free_port()))
        with pytest.raises(SetupError) as err:
            prefectenv.wait_ready(timeout=0.5)
        assert "did not start within 0.5 s" in str(err.value)
        assert prefectenv.STARTUP_SETTING in str(err.value)
    finally:
        proc.kill()
        proc.wait()


def test_booting_is_true_until_the_temporary_server_answers_its_health_check(monkeypatch):
    """What a many-story run asks between its keep checks: they run in worker processes only
    once the server no longer needs a core to boot."""
    import subprocess
    import sys
    import time

    assert prefectenv.booting() is False  # no temporary server started by this run
    port = free_port()
    serve = ("import http.server, time; time.sleep(1.5)\n"
             "class H(http.server.BaseHTTPRequestHandler):\n"
             "    def do_GET(self):\n"
             "        self.send_response(200 if self.path == '/api/health' else 404)\n"
             "        self.end_headers()\n"
             "    def log_message(self, *a): pass\n"
             f"http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n")
    proc = subprocess.Popen([sys.executable, "-c", serve])
    try:
        server = prefectenv.TemporaryServer(proc, port)
        monkeypatch.setattr(prefectenv, "_temporary", server)
        assert prefectenv.booting() is True  # not listening yet
        deadline = time.monotonic() + 30
        while prefectenv.booting():
            assert time.monotonic() < deadline, "booting() never turned False"
            time.sleep(0.1)
        assert server.ready
        proc.kill()
        proc.wait()
        assert prefectenv.booting() is False  # answered once: not asked again
    finally:
        proc.kill()
        proc.wait()


def test_a_temporary_server_that_exited_is_not_booting(monkeypatch):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(30)
    monkeypatch.setattr(prefectenv, "_temporary", prefectenv.TemporaryServer(proc, free_port()))
    assert prefectenv.booting() is False  # wait_ready reports the exit in one line
