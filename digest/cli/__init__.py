"""The ``digest`` command line: commands (argument parsing, the run commands) and ops
(check, feeds, status). The only place in ``digest/`` that may import ``flows/``."""

from digest.cli.commands import main

__all__ = ["main"]
