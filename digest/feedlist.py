"""The config's ``[[feeds]]`` list: adding feeds without losing the file's comments or layout."""

from __future__ import annotations

import logging
import os
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import tomlkit
import tomlkit.exceptions
import tomlkit.items

from digest.config import parse_config
from digest.errors import ConfigError
from digest.urls import canonical_url

log = logging.getLogger(__name__)


def add_feeds(config_path: str | Path, feeds: Sequence[tuple[str, str]], *,
              dry_run: bool = False) -> list[tuple[str, str]]:
    """Append ``(name, url)`` pairs to a config's ``[[feeds]]``, keeping its comments and layout.

    A feed whose canonical URL the config already has (relative ``file:`` paths resolved against
    the config's folder, as loading does) is skipped, and so is a repeat within ``feeds``; a name
    already taken gets the host added. Local paths are written relative to the config's folder.
    The result is validated like a loaded config before the file is replaced (atomically).
    Returns the pairs added, as written.
    """
    path = Path(config_path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM is dropped, as loading does
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(path, None, f"invalid TOML: {exc}") from None
    base = path.resolve().parent
    existing = doc.get("feeds")
    if existing is not None and not isinstance(existing, list):
        raise ConfigError(path, "feeds", "must be an array of tables ([[feeds]])")
    items = list(existing or [])
    seen = {_feed_key(str(f.get("url", "")), base) for f in items if isinstance(f, dict)}
    names = {str(f.get("name", "")).strip() for f in items if isinstance(f, dict)}
    added: list[tuple[str, str]] = []
    for name, url in feeds:
        written = _as_written(url.strip(), base)
        key = _feed_key(written, base)
        if key in seen:
            log.info("%s: already has %s", path, url)
            continue
        seen.add(key)
        name = _unique_name(name.strip() or urlsplit(url).netloc or url, url, names)
        names.add(name)
        added.append((name, written))
    if not added or dry_run:
        return added
    if isinstance(existing, tomlkit.items.Array):  # feeds = [{...}] written inline
        for name, url in added:
            existing.append(tomlkit.inline_table().add("name", name).add("url", url))
    else:
        aot = existing if existing is not None else tomlkit.aot()
        for name, url in added:
            table = tomlkit.table()
            table.add("name", name)
            table.add("url", url)
            if len(aot):
                _move_trailer(aot[-1], table)
            else:
                table.add(tomlkit.nl())
            aot.append(table)
        if existing is None:
            doc.append("feeds", aot)
    new_text = tomlkit.dumps(doc)
    parse_config(tomllib.loads(new_text), path.resolve())  # raises ConfigError, file untouched
    _replace(path, new_text)
    return added


def _move_trailer(last: tomlkit.items.Table, new: tomlkit.items.Table) -> None:
    """Give ``new`` the blank lines and comments that end ``last``.

    tomlkit keeps a comment written above the next header (``# The schedule`` above
    ``[schedule]``) inside the table before it; a table appended after that one must take the
    comment along, or the comment would end up describing the new feed. ``last`` keeps its
    blank-line separator; ``new`` gets a copy of it, then the comments.
    """
    body = last.value.body
    start = len(body)
    while start and body[start - 1][0] is None and isinstance(
            body[start - 1][1], tomlkit.items.Whitespace | tomlkit.items.Comment):
        start -= 1
    trailer = body[start:]
    sep = 0
    while sep < len(trailer) and isinstance(trailer[sep][1], tomlkit.items.Whitespace):
        sep += 1
    for _key, item in trailer[:sep]:
        new.value.body.append((None, tomlkit.items.Whitespace(item.as_string())))
    new.value.body.extend(trailer[sep:])
    del body[start + sep:]


def _as_written(url: str, base: Path) -> str:
    """A local path or ``file:`` URL as the config should hold it: relative to its folder."""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https"):
        return url
    local = Path(url2pathname(parts.path)) if parts.scheme.lower() == "file" else Path(url)
    local = local.expanduser()
    local = (local if local.is_absolute() else base / local).resolve()  # as config resolves it
    try:
        return os.path.relpath(local, base)
    except ValueError:  # another drive (Windows)
        return local.as_uri()


def _feed_key(url: str, base: Path) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https"):
        return canonical_url(url)
    local = Path(url2pathname(parts.path)) if parts.scheme.lower() == "file" else Path(url)
    local = local.expanduser()
    return canonical_url((local if local.is_absolute() else base / local).resolve().as_uri())


def _unique_name(name: str, url: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    host = urlsplit(url).hostname or ""
    if host and f"{name} ({host})" not in taken:
        return f"{name} ({host})"
    n = 2
    while f"{name} {n}" in taken:
        n += 1
    return f"{name} {n}"


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, keeping the file's permissions."""
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
