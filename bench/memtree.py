"""Where a many-story run's memory is, over time: `digest run` on N generated stories over one
synthetic web, each process of its tree (main, worker processes, Prefect's temporary server)
sampled each second.

    python -m bench.memtree --stories 10 --articles 8000

Prints the samples (RSS, PSS, USS in MB and process count, by kind) and the one where the PSS of
the whole tree peaked. Numbers go to docs/PERFORMANCE.md; nothing is saved.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.many_stories import story_specs, write_stories
from bench.scale import DAY, digest_cmd
from bench.synthweb import SyntheticWeb, WebServer, WebSpec

Sample = tuple[float, dict[str, list[int]]]


def _kind(cmdline: str, pid: int, root: int) -> str:
    if "uvicorn" in cmdline or "prefect.server" in cmdline or "server start" in cmdline:
        return "server"
    return "main" if pid == root else "child"


def sample(proc: subprocess.Popen, every: float = 1.0) -> list[Sample]:
    """Per-kind [RSS, PSS, USS (MB), processes] of ``proc``'s tree until it ends."""
    import psutil

    root = psutil.Process(proc.pid)
    start, series = time.monotonic(), []
    while proc.poll() is None:
        row: dict[str, list[int]] = {}
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                kind = _kind(" ".join(p.cmdline()), p.pid, root.pid)
                mi = p.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            r = row.setdefault(kind, [0, 0, 0, 0])
            r[0], r[1], r[2], r[3] = r[0] + mi.rss, r[1] + mi.pss, r[2] + mi.uss, r[3] + 1
        series.append((round(time.monotonic() - start, 1),
                       {k: [v[0] >> 20, v[1] >> 20, v[2] >> 20, v[3]] for k, v in row.items()}))
        time.sleep(every)
    return series


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stories", type=int, default=10)
    ap.add_argument("--articles", type=int, default=8000)
    ap.add_argument("--items", type=int, default=40, help="items per feed")
    args = ap.parse_args(argv)
    web = SyntheticWeb(WebSpec(articles=args.articles, items=args.items))
    with WebServer(web, latency=0.0, workers=2) as server, tempfile.TemporaryDirectory() as t:
        folder = write_stories(story_specs(args.stories), server.feeds(1), Path(t))
        env = dict(os.environ, PREFECT_HOME=str(Path(t) / "ph"))
        cmd = digest_cmd("run", "--config", str(folder), "--date", DAY.isoformat(), "--json",
                         "--no-email")
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        series = sample(proc)
        print("wall", round(time.monotonic() - start, 1), "rc", proc.returncode)
    for s in series[::max(1, len(series) // 25)]:
        print(s)
    if series:
        print("PEAK PSS", max(series, key=lambda s: sum(v[1] for v in s[1].values())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
