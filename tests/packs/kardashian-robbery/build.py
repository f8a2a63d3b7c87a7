"""Build the kardashian-robbery story pack (see README.md): ``build.py [--out DIR] [--check]``."""

import sys
from pathlib import Path

PACK = Path(__file__).resolve().parent
sys.path.insert(0, str(PACK.parent / "_kit"))

import packkit  # noqa: E402

if __name__ == "__main__":
    sys.exit(packkit.main(PACK))
