"""The file archive: atomic writes of each day's four digest files, the story's ``index.html``
listing every digest newest first, and an Atom feed (``feed.xml``) of the digests."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from lxml import etree

from digest.errors import DeliveryError
from digest.models import Digest, Story
from digest.output.formats import FORMATS
from digest.output.present import clean, fmt_day, safe_url
from digest.output.render import render_template

log = logging.getLogger(__name__)

DIGEST_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
FEED_ENTRIES = 60  # the feed carries the newest digests; the index lists them all


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part:
    a temporary file in the same folder, fsync, ``os.replace``, then fsync of the folder."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # the writer's process id in the name: a file left by a killed writer can be told from
        # one being written now (remove_stale_temps)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                   suffix=".tmp")
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    _fsync_dir(path.parent)
    return path


_TEMP = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def remove_stale_temps(folder: str | Path) -> int:
    """Remove the temporary files of :func:`atomic_write` in ``folder`` whose writer is gone
    (a run killed between writing and renaming); return how many. A file a live process is
    writing is left alone."""
    removed = 0
    try:
        entries = list(Path(folder).glob(".*.tmp"))
    except OSError:
        return 0
    for path in entries:
        m = _TEMP.match(path.name)
        if not m or _alive(int(m.group(1))):
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    if removed:
        log.info("%s: removed %d temporary file(s) left by a stopped run", folder, removed)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no permission to ask: assume it is alive
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_digest(digest: Digest, out_dir: str | Path, tz: str = "UTC") -> dict[str, Path]:
    """Write ``<out_dir>/<slug>/<date>.{md,html,txt,json}`` atomically; return them by suffix."""
    folder = Path(out_dir) / digest.story.slug
    stem = digest.date.isoformat()
    bodies = {f.suffix: f.render(digest, tz) for f in FORMATS}
    written = {ext: atomic_write(folder / f"{stem}.{ext}", body) for ext, body in bodies.items()}
    log.info("wrote digest %s/%s (%d articles)", digest.story.slug, stem, len(digest.articles))
    return written


def _load_digests(story_dir: Path) -> list[dict[str, Any]]:
    """Every readable ``<date>.json`` in the folder, newest first (unreadable ones are logged)."""
    found = []
    for path in story_dir.glob("*.json"):
        m = DIGEST_FILE.match(path.name)
        if not m:
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
            day = dt.date.fromisoformat(m.group(1))
        except (OSError, ValueError) as exc:
            log.warning("index: skipping %s: %s", path.name, exc)
            continue
        if isinstance(data, dict):
            found.append({"day": day, "data": data})
    found.sort(key=lambda d: str(d["day"]), reverse=True)
    return found


def _when(text: object, day: dt.date) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        when = dt.datetime.combine(day, dt.time(0, 0))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _summary(day: dt.date, data: dict[str, Any]) -> dict[str, Any]:
    """What the index and the feed show of one digest (all text still unescaped)."""
    articles = data.get("articles") or []
    overview = [clean(s.get("text")) for s in data.get("overview") or [] if isinstance(s, dict)]
    counts = data.get("counts") or {}
    outlets = counts.get("outlets")
    if not isinstance(outlets, int):
        outlets = len({a.get("outlet") for a in articles if isinstance(a, dict)})
    stem = day.isoformat()
    window = data.get("window")
    if not isinstance(window, dict):
        window = {}
    return {
        "stem": stem, "day": fmt_day(day, long=True),
        "generated": _when(data.get("generated_at"), day),
        # the digest's send time (its window's end): what a feed entry is dated by, the same
        # however often or late the digest is rebuilt (a backfill's entries show their own days)
        "sent": _when(window.get("until") or data.get("generated_at"), day),
        "n_articles": len(articles), "n_outlets": outlets,
        "overview": overview[:3],
        "headlines": [{"title": clean(a.get("title")), "outlet": clean(a.get("outlet")),
                       "url": safe_url(a.get("url"))} for a in articles[:8] if isinstance(a, dict)],
        "failed": [clean(s.get("name")) for s in data.get("sources") or []
                   if isinstance(s, dict) and s.get("status") == "error"],
        "rebuilt": clean(data.get("rebuilt") or ""),
    }


def _entry_id(base_url: str | None, slug: str, stem: str) -> str:
    if base_url:
        return f"{base_url.rstrip('/')}/{quote(slug)}/{stem}.html"
    return uuid.uuid5(uuid.NAMESPACE_URL, f"story-digest:{slug}:{stem}").urn


def rebuild_index(story_dir: str | Path, story: Story, base_url: str | None = None) -> dict[str, Path]:
    """Rebuild ``index.html`` and ``feed.xml`` in ``story_dir`` from the digests present there.

    ``base_url`` is where the output folder is published (``https://example.org/digests``); the
    feed's links are relative to the story folder without it.
    """
    story_dir = Path(story_dir)
    digests = [_summary(d["day"], d["data"]) for d in _load_digests(story_dir)]
    title = clean(story.title)
    index = render_template("index.html.j2", title=title, digests=digests,
                            updated=digests[0]["day"] if digests else "")
    paths = {"index": atomic_write(story_dir / "index.html", index),
             "feed": atomic_write(story_dir / "feed.xml", _feed(story, digests, base_url))}
    log.info("rebuilt index and feed of %s (%d digests)", story.slug, len(digests))
    return paths


def _feed(story: Story, digests: list[dict[str, Any]], base_url: str | None) -> bytes:
    """The Atom feed (RFC 4287): entries dated by their digest's send time, so an unchanged
    rebuild is byte-identical; ``self`` and ``alternate`` links, absolute under ``base_url``,
    else relative to the feed's own location (declared with ``xml:base``)."""
    fg = FeedGenerator()
    root = f"{base_url.rstrip('/')}/{quote(story.slug)}/" if base_url else ""
    fg.id(f"{root}feed.xml" if root else uuid.uuid5(uuid.NAMESPACE_URL,
                                                     f"story-digest:{story.slug}").urn)
    fg.title(f"{clean(story.title)} — story digest")
    fg.subtitle(f"Daily digests of the story “{clean(story.title)}”.")
    fg.author({"name": "story digest"})
    fg.link(href=f"{root}index.html", rel="alternate", type="text/html")
    fg.link(href=f"{root}feed.xml", rel="self", type="application/atom+xml")
    fg.language("en")
    fg.generator("story digest")
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    shown = digests[:FEED_ENTRIES]
    fg.updated(max((d["sent"] for d in shown), default=epoch))
    for d in shown:
        fe = fg.add_entry(order="append")
        fe.id(_entry_id(base_url, story.slug, d["stem"]))
        fe.title(f"{clean(story.title)} — {d['day']}: {d['n_articles']} articles "
                 f"from {d['n_outlets']} outlets")
        fe.link(href=f"{root}{d['stem']}.html", rel="alternate", type="text/html")
        fe.updated(d["sent"])
        fe.published(d["sent"])
        fe.summary(" ".join(d["overview"]) or f"{d['n_articles']} articles")
        fe.content(render_template("feed_entry.html.j2", d=d, root=root), type="html")
    xml = fg.atom_str(pretty=True)
    if root:
        return xml
    # relative links: resolved against the feed's own URL, wherever the folder is published
    doc = etree.fromstring(xml)
    doc.set("{http://www.w3.org/XML/1998/namespace}base", "./")
    return etree.tostring(doc, pretty_print=True, encoding="UTF-8", xml_declaration=True)
