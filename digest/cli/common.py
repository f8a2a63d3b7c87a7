"""What every command of the ``digest`` command line shares: the default config, how a config
path is found, and the usage error (exit code 2)."""

from __future__ import annotations

import os
from pathlib import Path

from digest.errors import ConfigError, DigestError

DEFAULT_CONFIG = "config/syria-ceasefire.toml"


class UsageError(DigestError):
    """Bad command-line arguments (exit code 2)."""


def config_path(value: str | None) -> str:
    """The config file to use: ``value``, else ``$DIGEST_CONFIG``, else the bundled story's."""
    path = value or os.environ.get("DIGEST_CONFIG") or DEFAULT_CONFIG
    if Path(path).is_dir():
        raise ConfigError(path, None, "is a directory, not a config file (pass --config FILE)")
    if Path(path).exists() and not Path(path).is_file():
        raise ConfigError(path, None, "not a regular file")
    if not Path(path).is_file():
        raise ConfigError(path, None, "file not found (pass --config PATH or set DIGEST_CONFIG)")
    return str(Path(path).resolve())
