"""What a one-off run needs from its surroundings before Prefect starts, checked up front so that a
problem is one line, not a traceback: a writable Prefect home, a reachable server when
``PREFECT_API_URL`` names one, and a temporary server start-up wait that suits slow machines.
(Environment variables and files only: the library never imports Prefect.)"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from digest.errors import DigestError

STARTUP_WAIT = 120  # seconds; Prefect's own default (20) is short for a busy 2-core machine
STARTUP_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
EPHEMERAL_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"


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
