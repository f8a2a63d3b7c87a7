"""The file archive: atomic writes, the four files per day, index.html newest first, Atom feed."""

from __future__ import annotations

import datetime as dt
import json
import os
from html.parser import HTMLParser
from xml.etree import ElementTree

import feedparser
import pytest

from digest.errors import DeliveryError
from digest.output import archive
from digest.output.archive import atomic_write, rebuild_index, write_digest
from tests.support.digests import STORY, make_digest

DAYS = [dt.date(2016, 9, 16), dt.date(2016, 9, 18), dt.date(2016, 9, 17), dt.date(2016, 9, 19)]


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "file.txt"
    atomic_write(target, "first")
    atomic_write(target, b"second \xe2\x80\x94 bytes")
    assert target.read_text("utf-8") == "second — bytes"
    assert leftovers(target.parent) == []
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


def test_atomic_write_failure_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "file.txt"
    atomic_write(target, "old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.os, "replace", broken_replace)
    with pytest.raises(DeliveryError, match="No space left on device"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_write_digest_writes_the_four_files(tmp_path):
    d = make_digest(5)
    paths = write_digest(d, tmp_path, tz="Europe/London")
    folder = tmp_path / "syria-ceasefire"
    assert {p.name for p in paths.values()} == {f"2016-09-18.{e}" for e in ("md", "html", "txt",
                                                                             "json")}
    assert all(p.parent == folder and p.stat().st_size > 500 for p in paths.values())
    data = json.loads(paths["json"].read_text("utf-8"))
    assert data["date"] == "2016-09-18" and len(data["articles"]) == 5
    assert "BST" in paths["html"].read_text("utf-8")
    assert paths["md"].read_text("utf-8").startswith("# Syria ceasefire — Sunday 18 September")
    assert leftovers(folder) == []
    # a second run for the same day replaces the files in place
    write_digest(make_digest(7), tmp_path)
    assert len(json.loads(paths["json"].read_text("utf-8"))["articles"]) == 7
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths.values())


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href" and v]


@pytest.fixture()
def archive_dir(tmp_path):
    for k, day in enumerate(DAYS):
        write_digest(make_digest(4 + k, day=day, hostile=(k == 2)), tmp_path)
    folder = tmp_path / "syria-ceasefire"
    (folder / "notes.json").write_text("{}")  # not a digest: ignored
    (folder / "2016-09-15.json").write_text("{broken")  # unreadable: skipped, logged
    return folder


def test_index_lists_every_digest_newest_first(archive_dir):
    paths = rebuild_index(archive_dir, STORY)
    html = paths["index"].read_text("utf-8")
    p = Links()
    p.feed(html)
    digest_links = [h for h in p.hrefs if h.endswith(".html") and h[0].isdigit()]
    order = list(dict.fromkeys(digest_links))
    assert order == ["2016-09-19.html", "2016-09-18.html", "2016-09-17.html", "2016-09-16.html"]
    assert "Monday 19 September 2016" in html and "4 digests" in html
    assert "iframe" not in p.tags and "&lt;iframe src=//evil.example&gt;" in html  # hostile day
    assert "feed.xml" in p.hrefs
    assert leftovers(archive_dir) == []


def test_feed_parses_without_bozo_and_lists_every_digest(archive_dir):
    rebuild_index(archive_dir, STORY)
    feed = feedparser.parse(str(archive_dir / "feed.xml"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert len(titles) == 4
    assert titles[0].startswith("Syria ceasefire — Monday 19 September 2016")
    assert [e.link.rsplit("/", 1)[-1] for e in feed.entries] == [
        "2016-09-19.html", "2016-09-18.html", "2016-09-17.html", "2016-09-16.html"]
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == 4
    assert all(e.updated_parsed for e in feed.entries)
    hostile = feed.entries[2]  # 2016-09-17 was built with hostile strings
    assert "Truce holds &lt;script&gt;" in hostile.content[0].value
    # the entries' HTML carries the web's markup as escaped text, never as tags or script links
    root = ElementTree.parse(archive_dir / "feed.xml").getroot()
    bodies = [c.text or "" for c in root.iter("{http://www.w3.org/2005/Atom}content")]
    assert len(bodies) == 4 and all(b.startswith("<p>") for b in bodies)
    assert "Truce holds &lt;script&gt;alert(" in bodies[2]
    joined = "".join(bodies).lower()
    assert "<script" not in joined and "<iframe" not in joined and "<svg" not in joined
    assert 'href="javascript' not in joined and 'href="data:' not in joined


def test_feed_ids_are_stable_across_rebuilds_and_base_url_makes_links_absolute(archive_dir):
    rebuild_index(archive_dir, STORY)
    first = feedparser.parse(str(archive_dir / "feed.xml"))
    before = (archive_dir / "feed.xml").read_bytes()
    rebuild_index(archive_dir, STORY)
    assert (archive_dir / "feed.xml").read_bytes() == before  # nothing changed, nothing differs
    second = feedparser.parse(str(archive_dir / "feed.xml"))
    assert [e.id for e in first.entries] == [e.id for e in second.entries]
    rebuild_index(archive_dir, STORY, base_url="https://digests.example.org/out/")
    feed = feedparser.parse(str(archive_dir / "feed.xml"))
    assert feed.bozo == 0
    assert feed.entries[0].link == "https://digests.example.org/out/syria-ceasefire/2016-09-19.html"
    assert feed.entries[0].id == feed.entries[0].link
    assert any(link.get("rel") == "self" for link in feed.feed.links)


def test_index_of_an_empty_folder(tmp_path):
    paths = rebuild_index(tmp_path, STORY)
    assert "No digests yet." in paths["index"].read_text("utf-8")
    feed = feedparser.parse(str(paths["feed"]))
    assert feed.bozo == 0 and feed.entries == []


def test_temp_files_are_in_the_target_folder(tmp_path, monkeypatch):
    seen = []
    real = archive.os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(src), os.path.dirname(dst)))
        return real(src, dst)

    monkeypatch.setattr(archive.os, "replace", spy)
    atomic_write(tmp_path / "a" / "b.txt", "x")
    assert seen == [(str(tmp_path / "a"), str(tmp_path / "a"))]


def test_temporary_files_of_a_killed_writer_are_removed_and_a_live_ones_kept(tmp_path):
    import os
    import subprocess
    import sys

    from digest.output.archive import remove_stale_temps

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that has exited: its pid names no live writer
    dead = tmp_path / f".2016-09-17.md.{gone.pid}.abc123.tmp"
    live = tmp_path / f".2016-09-17.json.{os.getpid()}.def456.tmp"
    other = tmp_path / ".notes.tmp"  # not one of ours: no writer's pid in the name
    for p in (dead, live, other):
        p.write_text("partial", encoding="utf-8")
    (tmp_path / "2016-09-17.md").write_text("whole", encoding="utf-8")
    assert remove_stale_temps(tmp_path) == 1
    assert not dead.exists() and live.exists() and other.exists()
    assert (tmp_path / "2016-09-17.md").read_text(encoding="utf-8") == "whole"
    # atomic_write names its temporary file with the writer's pid
    atomic_write(tmp_path / "x.txt", "data")
    assert sorted(p.name for p in tmp_path.glob(".x.txt.*")) == []
