"""Prefect's temporary server, started early: a one-off run that will need one starts it in a
background thread at once, so that its start-up (seconds: a subprocess booting a web app)
overlaps the imports and checks the run still has to do.

Stdlib-only at import time on purpose (importing Prefect takes a second; the thread does it).
Call :meth:`EarlyServer.wait` before the first flow call: Prefect then finds its one temporary
server of the process up. Nothing is started when ``PREFECT_API_URL`` names a server or the
temporary server is switched off.
"""

from __future__ import annotations

import threading


class EarlyServer:
    def __init__(self) -> None:
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, name="prefect-server-start",
                                        daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

            if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
                return
            from prefect.server.api.server import SubprocessASGIServer

            SubprocessASGIServer().start()
        except Exception as exc:  # noqa: BLE001 - raised by wait(), in the caller's thread
            self.error = exc

    def wait(self) -> None:
        """Return once the server answers; raise what stopped it from starting (Prefect's own
        error, which the command line turns into one line)."""
        self._thread.join()
        if self.error is not None:
            raise self.error
