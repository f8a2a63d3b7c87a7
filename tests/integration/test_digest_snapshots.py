"""Both story packs' digests, byte for byte, against the snapshots in tests/snapshots/.

A change of structure must change no digest. After an intended change of what a digest says,
rewrite the snapshots with ``python -m tests.support.snapshots --write`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.snapshots import PACKS, SNAPSHOTS, produce


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_every_digest_file_matches_its_snapshot(pack: str, tmp_path: Path) -> None:
    made = dict(produce(pack, tmp_path))
    kept = {p.name: p.read_text(encoding="utf-8") for p in (SNAPSHOTS / pack).iterdir()}
    assert sorted(made) == sorted(kept), "a digest day or file appeared or went away"
    differ = [name for name in sorted(made) if made[name] != kept[name]]
    assert not differ, (f"{len(differ)} files differ from tests/snapshots/{pack}/, first "
                        f"{differ[0]}; if intended: python -m tests.support.snapshots --write")
