"""A published day never gets worse by being re-run (issue 14): a copy of the story pack served on
127.0.0.1 whose feeds are rewritten between runs (old items rotated out, answers of HTTP 500).
A re-run keeps every article the first run carried, lists the failures and says it was rebuilt;
a damaged output file is made again instead of replayed over.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench.story_eval import config_with_feeds, pack_feeds
from digest import pipeline
from digest.config import load_config
from digest.errors import SourcesError
from tests.support.servers import StaticServer

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "seeds"
DAY = dt.date(2016, 9, 18)  # window 2016-09-17 06:00 to 2016-09-18 06:00 UTC
ROTATED_BEFORE = dt.datetime(2016, 9, 19, tzinfo=dt.UTC)  # what the feeds say a day later
FEEDS = [Path(f["url"]).name for f in pack_feeds(PACK)]
RAW = "latin-1"  # feeds are rewritten byte for byte, whatever their encoding
_ITEM = re.compile(r"<(item|entry)\b.*?</\1>\s*", re.S)
_DATE = re.compile(r"<(pubDate|published|updated|dc:date)>([^<]+)</\1>")


def _when(text: str) -> dt.datetime:
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return email.utils.parsedate_to_datetime(text)


def rotated(body: str, before: dt.datetime = ROTATED_BEFORE) -> str:
    """The feed as it reads later: every item dated before ``before`` (and every undated one,
    the feed's oldest in the pack) has dropped out."""
    def keep(m: re.Match[str]) -> str:
        found = _DATE.search(m.group(0))
        return m.group(0) if found is not None and _when(found.group(2)) >= before else ""
    return _ITEM.sub(keep, body)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of the pack served over HTTP; tests rewrite its feeds, ``reset`` puts them back."""
    root = tmp_path_factory.mktemp("pack")
    for sub in ("feeds", "sites"):
        shutil.copytree(PACK / sub, root / sub)
    with StaticServer(root) as server:
        def reset() -> None:
            server.overrides.clear()
            for name in FEEDS:
                shutil.copyfile(PACK / "feeds" / name, root / "feeds" / name)
        server.reset = reset  # type: ignore[attr-defined]
        server.pack = root  # type: ignore[attr-defined]
        yield server
        reset()


@pytest.fixture(scope="module")
def first(site, tmp_path_factory):
    """Day D run once over the unchanged feeds: its output folder (with state) and JSON."""
    tmp = tmp_path_factory.mktemp("first")
    cfg = config_with_feeds(ROOT / "config" / "syria-ceasefire.toml",
                            pack_feeds(PACK, site.base), tmp / "story.toml")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("retries = 2", "retries = 0"),
                   encoding="utf-8")
    site.reset()
    result = run_day(cfg, tmp / "out")
    body = json.loads(result.paths["json"].read_text(encoding="utf-8"))
    assert len(body["articles"]) >= 4  # the day is worth protecting
    return cfg, tmp / "out", body


@pytest.fixture
def again(first, site, tmp_path):
    """A fresh copy of the first run's output and state to re-run in; the feeds as they were."""
    site.reset()
    shutil.copytree(first[1], tmp_path / "out")
    yield tmp_path / "out"
    site.reset()


def run_day(config: Path, out: Path) -> pipeline.RunResult:
    ctx = pipeline.open_run(load_config(config), day=DAY, out_dir=out,
                            state_path=out / "state.sqlite", send_email=False)
    try:
        return pipeline.run(ctx)
    finally:
        ctx.close()


def stored(out: Path) -> dict:
    return json.loads((out / "syria-ceasefire" / f"{DAY}.json").read_text(encoding="utf-8"))


def carried(body: dict) -> set[str]:
    """Every article URL the digest carries: its articles and their folded copies."""
    return ({a["canonical_url"] for a in body["articles"]}
            | {r["url"] for a in body["articles"] for r in a["also_reported_by"]})


def feed_of(url: str) -> str:
    return re.search(r"/sites/([^/]+)/", url).group(1) + ".xml"  # type: ignore[union-attr]


def rotate(site, names) -> None:
    for name in names:
        path = site.pack / "feeds" / name
        path.write_text(rotated(path.read_text(encoding=RAW)), encoding=RAW)


def test_rotation_drops_the_days_items_from_the_feeds():
    """The rewrite used below really removes the day's items (else the tests prove nothing)."""
    for name in FEEDS:
        body = (PACK / "feeds" / name).read_text(encoding=RAW)
        later = rotated(body)
        left = [_when(_DATE.search(m.group(0)).group(2)) for m in _ITEM.finditer(later)]
        assert all(when >= ROTATED_BEFORE for when in left), name
        assert len(left) < len(_ITEM.findall(body)), name


def test_rerun_after_the_feeds_rotated_keeps_the_days_articles(first, site, again):
    cfg, _, before = first
    rotate(site, FEEDS)
    result = run_day(cfg, again)
    after = stored(again)
    assert carried(after) == carried(before)
    assert [a["title"] for a in after["articles"]] == [a["title"] for a in before["articles"]]
    assert result.fetched == 0  # the pages came from state
    # every file says the same: the four files, the index, the Atom feed, the state row
    story = again / "syria-ceasefire"
    for ext in ("md", "txt", "html"):
        text = (story / f"{DAY}.{ext}").read_text(encoding="utf-8")
        for a in before["articles"]:
            assert a["title"].split(";")[0][:40] in text.replace("\n", " ").replace("&#39;", "'"), ext
    n = len(before["articles"])
    assert f"{n} articles" in (story / "index.html").read_text(encoding="utf-8")
    assert f"{n} articles" in (story / "feed.xml").read_text(encoding="utf-8")
    from digest.store import Store
    with Store(again / "state.sqlite") as db:
        row = dict(db.digests_before("syria-ceasefire", DAY + dt.timedelta(days=1)))[DAY]
    assert {a["canonical_url"] for a in row["articles"]} == {a["canonical_url"]
                                                             for a in before["articles"]}
    # and it says it was made again, and why
    today = result.digest.generated_at.astimezone(load_config(cfg).story.tz).date()
    assert after["rebuilt"].startswith(f"rebuilt on {today}: ")
    assert "no longer in their feeds, kept from an earlier read" in after["rebuilt"]
    assert "Note: rebuilt on" in (story / "feed.xml").read_text(encoding="utf-8")  # Atom entry
    for ext in ("md", "txt", "html"):
        assert "Note: rebuilt on" in (story / f"{DAY}.{ext}").read_text(encoding="utf-8"), ext
    assert "rebuilt" not in before and after["stats"]["items_kept_from_earlier_reads"] >= n


def test_rerun_during_a_partial_outage_loses_no_article(first, site, again):
    cfg, _, before = first
    by_feed: dict[str, int] = {}
    for url in carried(before):
        by_feed[feed_of(url)] = by_feed.get(feed_of(url), 0) + 1
    down = sorted(by_feed, key=lambda f: (-by_feed[f], f))[:2]
    assert sum(by_feed[f] for f in down) >= 2  # what a naive re-run would lose
    for name in down:
        site.override(f"feeds/{name}", status=500)
    run_day(cfg, again)
    after = stored(again)
    assert carried(after) >= carried(before)
    assert len(after["articles"]) == len(before["articles"])
    failed = {s["name"]: s["error"] for s in after["sources"] if s["status"] == "error"}
    assert set(failed) == {Path(n).stem for n in down}
    assert all("500" in e for e in failed.values())
    assert "2 sources failed, their earlier items kept" in after["rebuilt"]
    md = (again / "syria-ceasefire" / f"{DAY}.md").read_text(encoding="utf-8")
    assert "2 sources failed, their earlier items kept" in md
    assert all(Path(n).stem in md for n in down)


def test_a_rerun_with_nothing_new_replays_and_a_damaged_file_is_made_again(first, again):
    cfg, _, before = first
    md = again / "syria-ceasefire" / f"{DAY}.md"
    original = md.read_bytes()
    kept = run_day(cfg, again)  # nothing changed: the stored digest is kept, files untouched
    assert kept.replayed
    assert stored(again)["generated_at"] == before["generated_at"]
    assert kept.digest.generated_at.isoformat(timespec="seconds").startswith(
        before["generated_at"][:19])
    # same size, one byte changed: only the recorded hash can tell
    damaged = original.replace(b"Syria", b"Syrja", 1)
    assert damaged != original and len(damaged) == len(original)
    md.write_bytes(damaged)
    remade = run_day(cfg, again)
    after = stored(again)
    # made again, not replayed over (both runs may fall in one second of generated_at)
    assert not remade.replayed
    assert b"Syrja" not in md.read_bytes()
    assert md.read_bytes().replace(after["generated_at"].encode(), b"") != damaged
    assert carried(after) == carried(before) and "rebuilt" not in after


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(fate=dict.fromkeys(FEEDS, "500"))
@example(fate={name: "500" if i < 2 else "rotated" for i, name in enumerate(FEEDS)})
@given(fate=st.fixed_dictionaries({name: st.sampled_from(["same", "rotated", "500", "404",
                                                          "empty"]) for name in FEEDS}))
def test_no_mix_of_rotated_and_failing_feeds_loses_an_article(first, site, fate):
    cfg, out, before = first
    site.reset()
    try:
        for name, what in fate.items():
            path = site.pack / "feeds" / name
            if what == "rotated":
                rotate(site, [name])
            elif what == "empty":  # a feed that now lists nothing
                path.write_text(rotated(path.read_text(encoding=RAW),
                                        dt.datetime(2100, 1, 1, tzinfo=dt.UTC)), encoding=RAW)
            elif what in ("500", "404"):
                site.override(f"feeds/{name}", status=int(what))
        with tempfile.TemporaryDirectory() as tmp:
            here = Path(tmp) / "out"
            shutil.copytree(out, here)
            try:
                run_day(cfg, here)
            except SourcesError:  # every feed failed: nothing is written over the day
                assert all(w in ("500", "404") for w in fate.values())
                assert stored(here) == before
            after = stored(here)
            assert carried(after) >= carried(before)
            failing = {Path(n).stem for n, w in fate.items() if w in ("500", "404")}
            if len(failing) < len(FEEDS):
                listed = {s["name"] for s in after["sources"] if s["status"] == "error"}
                assert listed == failing
    finally:
        site.reset()


def test_the_bundled_config_as_shipped_replays_a_rerun(tmp_path):
    # make run's own config reads the pack from files; its pages call one outlet "the Northern
    # Post" and the config "The Northern Post": the digest spells it as the config does, and
    # the replay check must too, or a re-run with nothing new would make the day again
    cfg = ROOT / "config" / "syria-ceasefire.toml"
    first = run_day(cfg, tmp_path)
    assert not first.replayed
    outlets = {a["outlet"] for a in stored(tmp_path)["articles"]}
    assert "The Northern Post" in outlets and "the Northern Post" not in outlets
    again = run_day(cfg, tmp_path)
    assert again.replayed
    assert stored(tmp_path)["generated_at"] == json.loads(
        first.paths["json"].read_text(encoding="utf-8"))["generated_at"]
