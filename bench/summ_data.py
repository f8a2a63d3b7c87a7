"""Loaders for the shared summarisation sets (../shared/data/summ, or $DIGEST_SHARED_DATA/summ)."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PARTICIPANTS = {
    "ID1": "CIST", "ID2": "CLASSY", "ID3": "JRC", "ID4": "LIF", "ID5": "SIEL_IIITH",
    "ID6": "TALN_UPF", "ID7": "UBSummarizer", "ID8": "UoEssex", "ID9": "Centroid baseline",
    "ID10": "GA topline (uses the references)",
}


def shared_data() -> Path:
    return Path(os.environ.get("DIGEST_SHARED_DATA", ROOT / ".." / "shared" / "data"))


def multiling_dir() -> Path:
    return shared_data() / "summ" / "multiling2011_en"


def cnndm_dir() -> Path:
    return shared_data() / "summ" / "cnndm_dev125"


@dataclass(frozen=True)
class Topic:
    name: str
    docs: tuple[str, ...]
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    name: str
    doc: str  # one sentence per line, as shipped
    ref: str  # one highlight per line


def _numbered(path: Path) -> int:
    match = re.match(r"\d+", path.stem)
    return int(match.group(0)) if match else 0


def multiling_topics() -> list[Topic]:
    topics = []
    for topic in sorted((multiling_dir() / "clusters").iterdir()):
        docs = tuple(
            p.read_text(encoding="utf-8") for p in sorted((topic / "docs").glob("*.txt"), key=_numbered)
        )
        refs = tuple(p.read_text(encoding="utf-8") for p in sorted((topic / "refs").glob("*.txt")))
        topics.append(Topic(topic.name, docs, refs))
    return topics


def multiling_peer(peer: str, topic: str) -> str:
    return (multiling_dir() / "peers" / peer / f"{topic}.txt").read_text(encoding="utf-8")


def multiling_published() -> dict[str, dict[str, float]]:
    """Published ROUGE-1/2 recall and F of every peer: {"ID2": {"r1": .., "f1": .., ...}}."""
    out: dict[str, dict[str, float]] = {}
    for n in (1, 2):
        with open(multiling_dir() / "published" / f"ENGLISH_ROUGE-{n}.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                peer = row["runid"].split("_")[0]
                out.setdefault(peer, {})[f"r{n}"] = float(row["recall"])
                out[peer][f"f{n}"] = float(row["f-score"])
    return out


def cnndm_items() -> list[Item]:
    items = []
    for item in sorted((cnndm_dir() / "items").iterdir()):
        items.append(
            Item(
                item.name,
                (item / "doc.txt").read_text(encoding="utf-8"),
                (item / "ref.txt").read_text(encoding="utf-8"),
            )
        )
    return items


def cnndm_systems() -> list[str]:
    first = next((cnndm_dir() / "items").iterdir())
    return sorted(p.stem for p in (first / "systems").glob("*.txt"))


def cnndm_system_output(item: str, system: str) -> str:
    return (cnndm_dir() / "items" / item / "systems" / f"{system}.txt").read_text(encoding="utf-8")
