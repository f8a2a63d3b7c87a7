"""What a one-off run needs from its surroundings before Prefect starts, checked up front so that a
problem is one line, not a traceback: a writable Prefect home, a reachable server when
``PREFECT_API_URL`` names one, and a temporary server start-up wait that suits slow machines.
(Environment variables and files only: the library never imports Prefect.)

A one-off run without a server starts Prefect's temporary server itself, first thing
(:func:`start_temporary`): the server takes seconds to boot, and it boots while the run imports
Prefect and the pipeline and reads its configs, instead of after, when Prefect's first flow call
would start it. The run then points Prefect at it (``PREFECT_API_URL``) and waits for it before
its flow starts (:func:`wait_ready`); it stops with the run."""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from digest.errors import DigestError

STARTUP_WAIT = 120  # seconds; Prefect's own default (20) is short for a busy 2-core machine
STARTUP_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
EPHEMERAL_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"
EARLY_SETTING = "DIGEST_EARLY_SERVER"  # "0": leave the temporary server to Prefect's first flow call
# what Prefect's own temporary server runs with (prefect.server.api.server.SubprocessASGIServer)
SERVER_APP = "prefect.server.api.server:create_app"
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
              "PREFECT__SERVER_FINAL": "1"}
PORT_IN_USE = 3  # uvicorn's exit code when its port is taken


class SetupError(DigestError):
    """The machine is not ready for a Prefect run (exit code 2): the message says what to do."""


def defaults() -> dict[str, str]:
    """Prefect settings the CLI sets unless the user's environment already has them."""
    return {STARTUP_SETTING: str(STARTUP_WAIT)}


def prefect_home(environ: dict[str, str] | None = None) -> Path:
    """The folder Prefect keeps its profiles, database and results in."""
    env = os.environ if environ is None else environ
    return Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser()


def check_home(home: Path | None = None) -> Path:
    """Create the Prefect home if missing and prove it writable, or raise :class:`SetupError`."""
    home = home or prefect_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home, prefix=".digest-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SetupError(f"Prefect home {home} is not usable ({reason}); set PREFECT_HOME to a "
                         f"writable folder") from None
    return home


def api_url() -> str | None:
    """The Prefect server the user named (``PREFECT_API_URL``), if any."""
    return os.environ.get("PREFECT_API_URL") or None


def check_server(url: str, timeout: float = 10.0) -> None:
    """Raise :class:`SetupError` unless the Prefect server at ``url`` answers its health check."""
    import httpx

    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise SetupError(f"the Prefect server at {url} (PREFECT_API_URL) does not answer: "
                         f"{reason}; start it, or unset PREFECT_API_URL for a temporary "
                         f"server") from None


def check() -> None:
    """Everything above, in order: home first (Prefect needs it either way), then the server."""
    check_home()
    url = api_url()
    if url:
        check_server(url)


@dataclass
class TemporaryServer:
    """Prefect's temporary server, started by this run (see :func:`start_temporary`)."""

    process: subprocess.Popen[bytes]
    port: int
    ready: bool = False  # it answered its health check

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_temporary: TemporaryServer | None = None


def _off(value: str | None) -> bool:
    return (value or "").strip().lower() in {"0", "false", "no", "off"}


def may_start_early(environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether this run may start the temporary server itself: no server named in the
    environment, temporary servers allowed, and no Prefect profile that might name a server or
    change how the temporary one runs (in doubt, Prefect's first flow call starts it, as
    always)."""
    env = os.environ if environ is None else environ
    if env.get("PREFECT_API_URL") or _off(env.get(EARLY_SETTING, "1")):
        return False
    if any(_off(env.get(key)) for key in ("PREFECT_SERVER_EPHEMERAL_ENABLED",
                                           "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE")):
        return False
    if env.get("PREFECT_PROFILES_PATH") or env.get("PREFECT_PROFILE"):
        return False
    try:
        profiles = (prefect_home(dict(env)) / "profiles.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    except (OSError, UnicodeDecodeError):
        return False
    return "API_URL" not in profiles and "EPHEMERAL" not in profiles


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _launch(port: int) -> subprocess.Popen[bytes]:
    spec = importlib.util.find_spec("prefect")  # found, not imported
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("prefect")
    app_dir = Path(spec.origin).parent.parent
    from digest.interrupts import die_with_parent

    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory", SERVER_APP,
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env={**os.environ, **SERVER_ENV}, preexec_fn=die_with_parent)


def start_temporary() -> TemporaryServer | None:
    """Start Prefect's temporary server now, in the background, the way Prefect's first flow
    call would, and point this process's Prefect at it. None when :func:`may_start_early` says
    no or it cannot be started (Prefect then starts its own)."""
    global _temporary
    if _temporary is not None:
        return _temporary
    if not may_start_early():
        return None
    try:
        port = _free_port()
        server = TemporaryServer(_launch(port), port)
    except (OSError, ModuleNotFoundError):
        return None
    _temporary = server
    os.environ["PREFECT_API_URL"] = server.api_url
    atexit.register(stop_temporary)
    return server


def stop_temporary() -> None:
    """Stop the temporary server this run started (at exit: after Prefect's own exit handlers,
    which were registered later, have sent what they hold)."""
    global _temporary
    if _temporary is not None:
        _temporary.stop()
        _temporary = None


def wait_ready(timeout: float | None = None) -> None:
    """Return once the temporary server this run started answers its health check (at once
    when it started none); raise :class:`SetupError` when it does not within ``timeout``
    seconds (the start-up wait setting), or exits."""
    server = _temporary
    if server is None:
        return
    wait = timeout if timeout is not None else float(os.environ.get(STARTUP_SETTING) or 20)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        code = server.process.poll()
        # Prefect read PREFECT_API_URL when it was imported: the server cannot move now
        if code == PORT_IN_USE:
            raise SetupError(f"Prefect's temporary server could not listen on port "
                             f"{server.port} (taken since it was chosen); run again")
        if code is not None:
            raise SetupError(f"Prefect's temporary server stopped as it started (exit code "
                             f"{code}); run with --verbose to see why, or keep a server "
                             f"running and set PREFECT_API_URL (see README: Keep a Prefect "
                             f"server up)")
        if _healthy(server, timeout=5):
            return
        time.sleep(0.05)
    raise SetupError(f"Prefect's temporary server did not start within {wait:g} s; raise "
                     f"{STARTUP_SETTING}, or keep a server running and set PREFECT_API_URL "
                     f"(see README: Keep a Prefect server up)")


def booting() -> bool:
    """Whether the temporary server this run started is still on its way up: False once it
    answered its health check, when it exited (:func:`wait_ready` says why), or when this run
    started none. One quick request; a run asks it between steps it does while it waits."""
    server = _temporary
    if server is None or server.ready or server.process.poll() is not None:
        return False
    return not _healthy(server, timeout=0.5)


def _healthy(server: TemporaryServer, timeout: float) -> bool:
    """The server answers its health check (remembered in ``server.ready``)."""
    import httpx

    try:
        server.ready = httpx.get(f"{server.api_url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
    return server.ready


@contextmanager
def startup_errors() -> Iterator[None]:
    """Turn Prefect's failure to start its temporary server into one line."""
    try:
        yield
    except RuntimeError as exc:
        if EPHEMERAL_TIMEOUT not in str(exc):
            raise
        wait = os.environ.get(STARTUP_SETTING, "20")
        raise SetupError(f"Prefect's temporary server did not start within {wait} s; raise "
                         f"{STARTUP_SETTING}, or keep a server running and set PREFECT_API_URL "
                         f"(see README: Keep a Prefect server up)") from None
