"""Story configs for many-story tests: the bundled story and a second story of the same pack's
feeds, each with its own state and output folder, and the files a story wrote."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from digest.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "config" / "syria-ceasefire.toml"


# A second story of the same pack's feeds: the Donbas truce, which the Syria pack carries as
# off-story news (and whose pages the Syria story's screen rules out, and the other way round).
DONBAS = """
[story]
title = "Donbas truce"
slug = "donbas-truce"
timezone = "Europe/London"
description = "The truce in eastern Ukraine's Donbas: the rebels' unilateral ceasefire and the disengagement of forces along the front line."

[relevance]
require = [["Ukraine", "Ukrainian", "Donbas", "Donetsk", "Luhansk"],
           ["truce", "ceasefire", "cease-fire", "disengagement", "pullback"]]
"""


def story_config(tmp: Path, name: str, feeds: list[dict] | None = None,
           text: str | None = None) -> Config:
    """A story config in ``tmp/name/``: the bundled one (or ``text`` with the bundled one's
    feeds, fetch and schedule), with its own state and output."""
    bundled = tomlkit.parse(BUNDLED.read_text(encoding="utf-8"))
    doc = tomlkit.parse(text) if text else bundled
    base = BUNDLED.parent
    for table in ("schedule", "fetch", "digest"):
        doc[table] = bundled[table]
    doc["fetch"]["local_root"] = str((base / bundled["fetch"]["local_root"]).resolve())
    if "seeds" in doc["story"]:
        doc["story"]["seeds"] = [str((base / p).resolve()) for p in doc["story"]["seeds"]]
    aot = tomlkit.aot()
    for f in feeds or [{"name": f["name"], "url": str((base / f["url"]).resolve())}
                       for f in bundled["feeds"]]:
        aot.append(tomlkit.table().add("name", f["name"]).add("url", f["url"]))
    doc["feeds"] = aot
    folder = tmp / name
    folder.mkdir(parents=True, exist_ok=True)
    doc["output"] = tomlkit.table().add("dir", str(folder / "out"))
    doc["state"] = tomlkit.table().add("path", str(folder / "state.sqlite"))
    path = folder / "story.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return load_config(path)


def story_files(cfg: Config) -> dict[str, str]:
    """Every file the story wrote, by name relative to its output folder, with the folder's
    own path (which differs between the two runs) replaced."""
    root = cfg.output_dir
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8").replace(str(root), "<OUT>")
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".sqlite"}


# what a story's state holds, without the columns that record when (they differ between runs)
STATE_QUERIES = {
    "feeds": "SELECT url, name, etag, last_modified, status, error, entries FROM feeds",
    "feed_items": "SELECT feed_url, url, published, updated, entry FROM feed_items",
    "articles": "SELECT canonical_url, url, source, outlet, title, text, published, updated, "
                "author, description, language, content_hash, entry_updated, screened "
                "FROM articles",
    "aliases": "SELECT url, canonical_url FROM aliases",
    "failures": "SELECT url, reason FROM failures",
    "carried": "SELECT slug, date, canonical_url, content_hash FROM carried",
    "sent_sentences": "SELECT slug, date, position, text FROM sent_sentences",
    "digests": "SELECT slug, date FROM digests",
}


def story_state(cfg: Config) -> dict[str, list[tuple]]:
    """The rows of a story's state that say what it knows (sorted; times left out)."""
    import sqlite3

    con = sqlite3.connect(cfg.state_path)
    try:
        return {name: sorted(con.execute(query).fetchall(), key=repr)
                for name, query in STATE_QUERIES.items()}
    finally:
        con.close()


_GENERATED = (r'"generated_at": "[^"]*"', r"Generated \w{3} \d{1,2} \w{3}, \d{2}:\d{2} \w+")


def undated(text: str) -> str:
    """``text`` without the moment it was generated (runs a minute apart differ only there)."""
    import re

    for pattern in _GENERATED:
        text = re.sub(pattern, "<GENERATED>", text)
    return text
