"""Importing what a run will need while the run is still starting (Prefect's temporary server
takes seconds to answer, and the main thread only waits for it).

:func:`start` imports the heavy modules of the later stages (trafilatura, sumy and its stemmers,
the summarizers) in a background thread; :func:`wait` joins it, and every worker pool calls it
before forking, so no child process is ever forked while another thread holds an import lock.
The command line starts it only once Prefect and the flows are imported: two threads importing
one package with circular imports inside can deadlock (Python then raises in one of them).
"""

from __future__ import annotations

import importlib
import logging
import threading

log = logging.getLogger(__name__)

MODULES = ("digest.extract", "trafilatura", "digest.relevance", "digest.summarize",
           "digest.summarizers", "digest.pipeline.compose", "digest.output.render")

_thread: threading.Thread | None = None


def _load(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - the run imports it again and reports it
            log.debug("warm-up import of %s failed: %s", name, exc)


def start(modules: tuple[str, ...] = MODULES) -> None:
    """Begin importing ``modules`` in the background (once per process)."""
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_load, args=(modules,), name="digest-warm-up",
                                   daemon=True)
        _thread.start()


def wait() -> None:
    """Return once the background imports are done (at once when none were started)."""
    if _thread is not None and _thread.is_alive():
        _thread.join()
