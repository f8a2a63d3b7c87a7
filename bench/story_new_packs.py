"""Score configs drafted by ``digest story new`` on every story pack (precision / recall).

    python -m bench.story_new_packs [PACK ...] [--seeds N]

For each pack under tests/packs/ with a ``story.toml``: serve it on 127.0.0.1, run the real
``digest story new`` command with the newcomer's title, the pack's first N on-story article
pages (by publication time) as seed URLs and its feeds as ``--feeds``, then backfill the pack's
digest dates with the drafted config (defaults kept) and score it like ``bench.story_packs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import tomllib
from pathlib import Path

from bench.story_eval import backfill_library, pack_feeds, read_digests
from bench.story_packs import PACKS, PackResult, score, story_packs


def first_story_pages(key: dict, n: int) -> list[dict]:
    """The first ``n`` on-story originals of a pack's answer key, by publication time."""
    story = [a for a in key["articles"] if a["relevant"] and a["kind"] == "story"]
    return sorted(story, key=lambda a: (a["published"], a["id"]))[:n]


def draft_and_run(pack: Path, out: Path, n_seeds: int = 2) -> tuple[PackResult, str]:
    """Draft a config for ``pack`` with ``digest story new`` and score its digests."""
    from digest.cli import main as digest_main
    from digest.config import load_config
    from tests.support.packserve import serve_pack

    key = json.loads((pack / "answer_key.json").read_text(encoding="utf-8"))
    title = tomllib.loads((pack / "story.toml").read_text(encoding="utf-8"))["story"]["title"]
    days = sorted(key["days"])
    config = out / "drafted.toml"
    with serve_pack(pack) as base_url:
        seeds = [f"{base_url}/{a['url']}" for a in first_story_pages(key, n_seeds)]
        feeds = [f["url"] for f in pack_feeds(pack, base_url)]
        rc = digest_main(["story", "new", title, "--from", *seeds, "--feeds", *feeds,
                          "--out", str(config), "--allow-network", "127.0.0.0/8"])
        if rc != 0:
            raise SystemExit(f"{pack.name}: digest story new exited {rc}")
        backfill_library(config, dt.date.fromisoformat(days[0]),
                         dt.date.fromisoformat(days[-1]), out)
    slug = load_config(config).story.slug
    return score(read_digests(out / slug), key, pack.name), config.read_text(encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packs", nargs="*", help="pack names (default: every pack with story.toml)")
    ap.add_argument("--seeds", type=int, default=2, help="on-story pages used as seeds")
    ap.add_argument("--show-config", action="store_true", help="print each drafted config")
    args = ap.parse_args()
    packs = [PACKS / p for p in args.packs] if args.packs else story_packs()
    for pack in packs:
        with tempfile.TemporaryDirectory() as tmp:
            r, text = draft_and_run(pack, Path(tmp), args.seeds)
        if args.show_config:
            print(text)
        req = tomllib.loads(text)["relevance"]["require"]
        wp, wr = r.worst_day()
        print(f"{r.pack}: require={req} P={r.precision:.3f} R={r.recall:.3f} "
              f"worst day P={wp:.2f} R={wr:.2f} facts {r.ev.facts_found}/{r.ev.facts} "
              f"off-story overview sentences {len(r.off_story_overview)}")
        for m in r.misjudged:
            print(f"  {m.date} {m.id} ({'story' if m.relevant else m.kind}): {m.score}")


if __name__ == "__main__":
    main()
