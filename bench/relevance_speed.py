"""How long relevance takes on a busy day: ``judge()`` on N articles against N background texts.

    python -m bench.relevance_speed [--n 2000] [--old FILE]

Articles are made from the two story packs' paragraphs (shuffled, seeded), so a few are on the
story and most are not, as on a general-news feed. ``--old`` times another version of
``digest/relevance.py`` (e.g. ``git show REV:digest/relevance.py > digest/_old.py``: inside the package, for its
relative imports) on the same data.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import sys
import time
from pathlib import Path

from digest.config import load_config
from digest.models import Article

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "seeds" / "src" / "articles", ROOT / "tests" / "packs" / "other-outlets" / "src"
           / "articles"]


def _paragraphs() -> list[str]:
    out = []
    for folder in SOURCES:
        for p in sorted(folder.glob("*.*")):
            body = p.read_text(encoding="utf-8")
            body = body.split("+++", 2)[-1] if body.startswith("+++") else body.split("\n\n", 1)[-1]
            out += [x.strip() for x in re.split(r"\n\s*\n", body) if len(x.strip()) > 80]
    return out


def articles(n: int, seed: int = 7) -> list[Article]:
    rnd = random.Random(seed)
    paras = _paragraphs()
    out = []
    for i in range(n):
        body = rnd.sample(paras, rnd.randint(6, 14))
        title = " ".join(body[0].split()[:12])
        out.append(Article(url=f"https://x.example/{i}", canonical_url=f"https://x.example/{i}",
                           source="s", outlet="o", title=title, text="\n\n".join(body),
                           description=body[0][:200]))
    return out


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("digest._relevance_timed", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def time_judge(module, n: int) -> tuple[float, int]:
    cfg = load_config(ROOT / "config" / "syria-ceasefire.toml")
    definition = [module.ProfileDoc(p.name, p.read_text(encoding="utf-8")) for p in cfg.story.seeds]
    definition.append(module.ProfileDoc("story description", cfg.story.description))
    arts = articles(n)
    background = [f"{a.title}\n{a.text}" for a in articles(n, seed=8)]
    accepted = [module.ProfileDoc(a.url, f"{a.title}\n{a.text}") for a in articles(30, seed=9)]
    model = module.RelevanceModel(cfg.relevance, definition, accepted, background)
    start = time.perf_counter()
    judged = model.judge(arts)
    return time.perf_counter() - start, sum(j.relevant for j in judged)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--old", type=Path)
    args = ap.parse_args()
    from digest import relevance

    for name, mod in (("current", relevance),) + ((("old", _load(args.old)),) if args.old else ()):
        secs, kept = time_judge(mod, args.n)
        print(f"{name:8} judge() on {args.n} articles (+{args.n} background): {secs:.2f} s, "
              f"{kept} kept")


if __name__ == "__main__":
    main()
