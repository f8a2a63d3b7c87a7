"""``digest status``: what the state database owes (digests and alerts not yet emailed) and what
was sent last. Thin over :mod:`digest.outbox`."""

from __future__ import annotations

import argparse
import json
import sqlite3
from typing import Any

from digest.errors import StateError

EXAMPLE = "digest status --config config/syria-ceasefire.toml"


def add_parser(sub: Any) -> None:
    """Register ``digest status`` on ``digest``'s subparsers."""
    st = sub.add_parser(
        "status", help="list the emails owed (not delivered yet) and the last ones sent",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"example:\n  {EXAMPLE}\n\nA digest or alert that could not be sent is owed: "
               "the next run sends it first,\noldest first, once each.")
    st.add_argument("--config", action="append", metavar="PATH",
                    help="story config (default: $DIGEST_CONFIG or the bundled one); repeat it, "
                         "or name a folder of configs, for several stories")
    st.add_argument("--state", help="state database (default: the config's [state] path)")
    st.add_argument("--json", action="store_true", help="print the status as JSON")
    st.set_defaults(handler=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    from pathlib import Path

    from digest.cli.common import one_config, several_configs
    from digest.config import load_config

    paths = several_configs(args.config, args.state)
    if paths is None:
        return _status(args, load_config(one_config(args.config)))
    from flows.serve import load_configs

    configs = load_configs([Path(p) for p in paths])
    if args.json:  # one JSON list, a story's status each
        import contextlib
        import io

        out = []
        for cfg in configs:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                _status(args, cfg)
            out.append(json.loads(buf.getvalue()))
        print(json.dumps(out, indent=2))
        return 0
    for cfg in configs:
        _status(args, cfg)
    return 0


def _status(args: argparse.Namespace, cfg: Any) -> int:
    from pathlib import Path

    from digest import outbox
    from digest.store import Store

    slug = cfg.story.slug
    path = Path(args.state) if args.state else cfg.state_path
    if not path.is_file():  # no run yet: nothing owed, and nothing created by looking
        print(json.dumps({"story": slug, "owed": [], "sent": []}, indent=2) if args.json
              else f"{slug}: nothing owed (no state database yet at {path})")
        return 0
    with Store(path) as store:
        try:
            owed = outbox.owed(store, slug)
            sent = store.read("SELECT date, recipients, message_id, sent_at FROM deliveries"
                              " WHERE slug=? ORDER BY sent_at DESC LIMIT 5", (slug,))
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path}: cannot read the state database: {exc}") from None
    if args.json:
        print(json.dumps({"story": slug, "owed": [o.as_dict() for o in owed],
                          "sent": [{"date": r[0], "recipients": r[1].split(","),
                                    "message_id": r[2], "sent_at": r[3]} for r in sent]},
                         indent=2))
        return 0
    if not owed:
        print(f"{slug}: nothing owed")
    else:
        print(f"{slug}: {len(owed)} email{'s' if len(owed) != 1 else ''} owed "
              "(the next run sends them first, oldest first)")
        for o in owed:
            n = len(o.recipients)
            print(f"  owed: {o.kind} {o.date.isoformat()} to {n} recipient{'s' if n != 1 else ''}"
                  f", {o.attempts} attempt{'s' if o.attempts != 1 else ''} since "
                  f"{o.since:%Y-%m-%d %H:%M} UTC: {o.error or 'not tried yet'}")
    for r in sent:
        print(f"  sent: digest {r[0]} at {r[3][:16].replace('T', ' ')} UTC as {r[2]}")
    return 0
