"""Many stories over one crawl: 1, 10 and 50 story configs over one synthetic web, run together
(`digest run --config FOLDER`), one after the other alone, and as the naive per-story script.

    python -m bench.many_stories              # 2,000 articles, then 1 and 50 stories at 8,000
    python -m bench.many_stories --quick      # 400 articles, small samples: a few minutes
    python -m bench.many_stories --help       # sizes, samples, latency

Every run is a real `digest` CLI process measured by :func:`bench.scale.measure` (wall time, CPU
and peak PSS / RSS of the process tree). The story configs (:func:`story_specs`) all list the
web's feeds: a share are copies of the bundled Syria story with their own slug and a varied
description and terms (full relevance and summary work), the others follow real off-story
topics of the story pack, whose words appear on few pages, and topics of the web's generated
news, whose words appear in almost every page's chrome but in few articles. Prints a table
and writes a JSON record to ``bench/results/many-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.machine import cores, describe
from bench.scale import (
    CONFIG,
    DAY,
    Run,
    digest_cmd,
    digest_run,
    fixed_startup,
    measure,
    naive_peer,
    prefect_env,
    save_result,
    write_config,
)
from bench.synthweb import SyntheticWeb, WebServer, WebSpec

# -- the story configs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StorySpec:
    """One generated story: ``kind`` is "syria" (a variant of the bundled story), "pack" (a
    real off-story topic of the story pack: few pages have its words) or "chrome" (a topic of
    the web's generated news: its words are in most pages' chrome, few articles' text)."""

    slug: str
    kind: str
    title: str
    description: str
    require: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]


SYRIA_FOCUS = (
    "Above all the aid: convoys to besieged Aleppo along the Castello Road.",
    "Above all the Deir ez-Zor air strike on Syrian army positions and its fallout.",
    "Above all the diplomacy: Kerry, Lavrov and the Geneva deal's terms.",
    "Above all the attack on the UN and Red Crescent convoy at Urum al-Kubra.",
    "Above all the UN Security Council's emergency meetings.",
)
PACK_TOPICS = (  # the story pack's off-story articles (seeds/src/articles, relevant = false)
    ("North Korea's nuclear test", "North Korea's fifth nuclear test and claims it can mount a "
     "warhead on rockets.", [["North Korea", "North Korean", "Pyongyang"],
                             ["nuclear", "warhead", "missile"]], ["Kim Jong Un", "sanctions"]),
    ("Colombia peace deal", "FARC rebels ratify the peace deal with Colombia's government.",
     [["Colombia", "Colombian", "FARC"], ["peace", "accord"]], ["Santos", "Havana"]),
    ("Hinkley Point C", "The UK government approves the Hinkley Point C nuclear power station.",
     [["Hinkley"], ["nuclear", "power station", "EDF"]], ["safeguards", "Chinese investment"]),
    ("Clinton's health", "Hillary Clinton's pneumonia and her early exit from the 9/11 ceremony.",
     [["Clinton"], ["pneumonia", "health", "doctor"]], ["campaign", "9/11"]),
    ("Donbas truce", "Ukraine and the rebels in Donbas agree to pull back forces.",
     [["Ukraine", "Ukrainian", "Donbas", "Kiev"], ["rebels", "truce", "pull back", "forces"]],
     ["Steinmeier", "Ayrault", "Minsk"]),
    ("Yemen's war", "The Saudi-led coalition's air strikes in Yemen and the failing truce there.",
     [["Yemen", "Yemeni", "Hodeidah", "Sanaa"], ["air strike", "coalition", "Houthi", "war"]],
     ["Saudi", "civilians"]),
    ("Libya air war", "The US air war against Islamic State in Sirte, Libya.",
     [["Libya", "Libyan", "Sirte"], ["Islamic State", "ISIS", "air strike", "air war"]],
     ["drone", "Misrata"]),
    ("New York and New Jersey bombings", "The bombs in New York and New Jersey and the arrest of "
     "the suspect.", [["bomb", "bombing", "explosive"], ["New York", "New Jersey", "Chelsea"]],
     ["Rahami", "FBI", "shootout"]),
    ("UN refugee summit", "The UN summit's pledges to share the burden of refugees.",
     [["refugee", "refugees"], ["summit", "United Nations", "pledge"]],
     ["General Assembly", "resettlement"]),
    ("Mosul offensive", "The coalition's build-up to the battle for Mosul.",
     [["Mosul"], ["offensive", "battle", "coalition", "Iraqi forces"]], ["Peshmerga", "Nineveh"]),
    ("North Korea sanctions", "The Security Council weighs new sanctions on North Korea.",
     [["North Korea", "Pyongyang"], ["sanctions", "China", "Security Council"]], ["nuclear"]),
    ("Colombia referendum", "Colombia's vote on the FARC peace accord.",
     [["Colombia", "FARC"], ["referendum", "vote", "plebiscite"]], ["peace", "Uribe"]),
    ("UK nuclear power", "Britain's nuclear power plans after the Hinkley decision.",
     [["Hinkley", "nuclear power"], ["government", "EDF", "China"]], ["Sizewell", "Bradwell"]),
    ("Clinton campaign", "Hillary Clinton's campaign after her illness.",
     [["Clinton"], ["campaign", "polls", "election"]], ["Trump", "Kaine"]),
    ("Islamic State propaganda", "Coalition strikes on Islamic State's leaders near Raqqa.",
     [["Islamic State", "ISIS"], ["propaganda", "Raqqa", "air strike"]], ["Pentagon"]),
)
CHROME_TOPICS = (  # bench.synthweb.TOPICS: words in most pages' related lists and comments
    ("Junior doctors' contracts", "The dispute over junior doctors' contracts.",
     [["junior doctors"], ["contract", "strike", "health service"]], ["health minister"]),
    ("Hospital waiting times", "Waiting times at hospitals and what the health service does.",
     [["waiting times"], ["hospital", "health service"]], ["hospital trust", "regulator"]),
    ("Vaccine trial", "A vaccine trial and whether regulators approve it.",
     [["vaccine"], ["trial", "approve"]], ["research council"]),
    ("Interest rates", "Whether the central bank will raise or cut interest rates.",
     [["interest rates"], ["central bank", "raise", "cut"]], ["inflation target", "bond yields"]),
    ("Carmaker merger", "The carmaker's merger talks and job cuts.",
     [["carmaker"], ["merger", "job cuts", "factory"]], ["dividend"]),
    ("Data breach", "A data breach that regulators investigate.",
     [["data breach"], ["regulators", "investigate", "privacy"]], ["encryption"]),
    ("Wind farm plan", "A wind farm plan and the council's decision on it.",
     [["wind farm"], ["council", "approve", "oppose"]], ["campaigners"]),
    ("Doping case", "A doping case before the federation.",
     [["doping"], ["federation", "appeal", "Olympic"]], ["the coach"]),
    ("Fraud trial", "A fraud case in court: the jury, the verdict, the sentence.",
     [["fraud"], ["court", "jury", "verdict"]], ["prosecutors", "retrial"]),
    ("Space probe", "The space agency's probe to a comet.",
     [["probe", "space agency"], ["comet", "planet", "launch"]], ["telescope", "astronomers"]),
    ("Flood defences", "Flood defences and who pays for them.",
     [["flood defences"], ["environment agency", "council"]], ["river quality"]),
    ("Housing bill", "The housing bill in parliament.",
     [["housing bill"], ["parliament", "opposition", "amend"]], ["the senate"]),
    ("Museum exhibition", "The museum's new exhibition.",
     [["exhibition"], ["museum", "gallery"]], ["restoration", "ticket sales"]),
    ("Steel job cuts", "Job cuts at the steel maker.",
     [["steel"], ["job cuts", "factory"]], ["union representative"]),
    ("Plastic waste", "Campaigners against plastic waste.",
     [["plastic waste"], ["campaigners", "council"]], ["clean up"]),
)
PATTERN = "spcspcspcs"  # each ten stories: 4 Syria variants, 3 pack topics, 3 chrome topics


def story_specs(n: int) -> list[StorySpec]:
    """The first ``n`` (at most 50) generated stories; the first ten repeat :data:`PATTERN`'s
    mix, and so does every further ten."""
    import tomllib

    base = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    desc = base["story"]["description"].strip()
    require = tuple(tuple(g) for g in base["relevance"]["require"])
    terms = tuple(base["relevance"]["terms"])
    used = {"s": 0, "p": 0, "c": 0}
    out: list[StorySpec] = []
    for i in range(n):
        kind = PATTERN[i % len(PATTERN)]
        k = used[kind]
        used[kind] += 1
        if kind == "s":
            if k >= 20:
                raise ValueError("at most 50 generated stories")
            focus = SYRIA_FOCUS[k % len(SYRIA_FOCUS)]
            # each variant drops a different term or two and reorders the rest
            keep = [t for j, t in enumerate(terms) if j % 7 != k % 7 or k < 5]
            keep = keep[k % len(keep):] + keep[:k % len(keep)]
            out.append(StorySpec(f"s{i:02d}-syria-{k:02d}", "syria", f"Syria ceasefire ({k + 1})",
                                 f"{focus}\n{desc}", require, tuple(keep)))
        else:
            table = PACK_TOPICS if kind == "p" else CHROME_TOPICS
            title, description, req, extra = table[k]
            name = "pack" if kind == "p" else "chrome"
            slug = "-".join(w for w in title.lower().replace("'", "").split() if w.isalnum())
            out.append(StorySpec(f"s{i:02d}-{name}-{slug}", name, title, description,
                                 tuple(tuple(g) for g in req), tuple(extra)))
    return out


def write_story(spec: StorySpec, feeds: list[dict], dest: Path, work: Path) -> Path:
    """A story config for ``spec`` over ``feeds``: the bundled config's settings, its own story,
    relevance, output folder and state (``work/out``, ``work/state/<slug>.sqlite``)."""
    import tomlkit

    write_config(feeds, dest)
    doc = tomlkit.parse(dest.read_text(encoding="utf-8"))
    st = doc["story"]
    st["title"], st["slug"], st["description"] = spec.title, spec.slug, spec.description
    if spec.kind != "syria":
        del st["seeds"]
    rel = doc["relevance"]
    rel["require"] = [list(g) for g in spec.require]
    rel["terms"] = list(spec.terms)
    doc["output"]["dir"] = str(work / "out")
    doc["state"]["path"] = str(work / "state" / f"{spec.slug}.sqlite")
    dest.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return dest


def write_stories(specs: list[StorySpec], feeds: list[dict], work: Path) -> Path:
    """A folder holding one config per story (sorted by name in ``specs``' order)."""
    folder = work / "configs"
    folder.mkdir(parents=True, exist_ok=True)
    (work / "state").mkdir(exist_ok=True)
    for spec in specs:
        write_story(spec, feeds, folder / f"{spec.slug}.toml", work)
    return folder


# -- runs -----------------------------------------------------------------------------------------


def run_together(folder: Path, env: dict[str, str]) -> Run:
    """`digest run --config FOLDER`: every story of the folder over one crawl."""
    r = measure(digest_cmd("run", "--config", str(folder), "--date", DAY.isoformat(), "--json",
                           "--no-email"), env)
    if not isinstance(r.report, dict) or "stories" not in r.report:
        raise RuntimeError(f"digest run --config {folder} failed ({r.returncode}): {r.stderr}")
    return r


def story_work(report: dict) -> dict[str, float]:
    """The summed stage timings of a many-story report (seconds over all stories)."""
    total: dict[str, float] = {}
    for story in report.get("stories", []):
        for k, v in (story or {}).get("timings", {}).items():
            if isinstance(v, int | float):
                total[k] = total.get(k, 0.0) + float(v)
    return total


def articles_by_story(report: dict) -> dict[str, int]:
    return {s["story"]: int(s.get("articles", 0)) for s in report.get("stories", []) if s}


def digest_urls(out: Path, slug: str) -> list[str]:
    """The article URLs of a story's digest of the day (what is compared alone vs together)."""
    body = json.loads((out / slug / f"{DAY.isoformat()}.json").read_text(encoding="utf-8"))
    return [a["url"] for a in body["articles"]]


def many(n: int, specs: list[StorySpec], feeds: list[dict], work: Path,
         env: dict[str, str], server: WebServer) -> dict:
    """N stories together, cold (fresh states) and warm (the same day again)."""
    folder = write_stories(specs[:n], feeds, work)
    server.reset_counts()
    cold = run_together(folder, env)
    cold_req = server.reset_counts()
    print(f"  {n} stories together, cold: {cold.wall:.1f} s, crawl "
          f"{cold.report.get('crawl')}, requests {cold_req}", file=sys.stderr)  # type: ignore[union-attr]
    empty = fixed_startup(env, 1)
    warm = run_together(folder, env)
    warm_req = server.reset_counts()
    print(f"  {n} stories together, warm: {warm.wall:.1f} s (empty flow {empty[0]:.1f} s), "
          f"requests {warm_req}", file=sys.stderr)
    return {"n": n, "cold": asdict(cold) | {"requests": cold_req,
                                            "story_work": story_work(cold.report)},  # type: ignore[arg-type]
            "warm": asdict(warm) | {"requests": warm_req, "fixed_startup": empty,
                                    "story_work": story_work(warm.report)},  # type: ignore[arg-type]
            "articles": articles_by_story(cold.report)}  # type: ignore[arg-type]


def alone(specs: list[StorySpec], feeds: list[dict], work: Path, env: dict[str, str],
          server: WebServer) -> list[dict]:
    """Each story of ``specs`` run by itself (`digest run --config ONE`, fresh state)."""
    out = []
    for spec in specs:
        d = work / spec.slug
        d.mkdir(parents=True)
        cfg = write_story(spec, feeds, d / "story.toml", d)
        server.reset_counts()
        r = digest_run(cfg, d, env)
        req = server.reset_counts()
        print(f"  alone {spec.slug}: {r.wall:.1f} s, requests {req}", file=sys.stderr)
        out.append(asdict(r) | {"slug": spec.slug, "kind": spec.kind, "requests": req,
                                "urls": digest_urls(d / "out", spec.slug)})
    return out


def extrapolate_alone(sample: list[dict], specs: list[StorySpec], n: int) -> float:
    """N stories one after the other alone, from the sample: each kind's mean wall time times
    the number of stories of that kind among the first ``n`` (the overall mean for a kind the
    sample lacks)."""
    overall = statistics.mean(r["wall"] for r in sample)
    means = {k: statistics.mean(r["wall"] for r in sample if r["kind"] == k)
             for k in {r["kind"] for r in sample}}
    return sum(means.get(s.kind, overall) for s in specs[:n])


def scenario(args: argparse.Namespace, size: int, work: Path, env: dict[str, str],
             full: bool) -> dict:
    """One web of ``size`` articles: one story cold and warm, N stories together, and (when
    ``full``) the alone sample and the naive peer."""
    specs = story_specs(max(args.stories))
    out: dict = {"articles": size, "stories": {}}
    with WebServer(SyntheticWeb(WebSpec(articles=size, items=args.items)),
                   latency=args.latency, workers=cores()) as server:
        feeds = server.feeds(1)
        n_pages = len(server.web.items)
        one_cfg = write_config(feeds, work / "one.toml")
        server.reset_counts()
        cold = digest_run(one_cfg, work / "one", env)
        out["one_cold"] = asdict(cold) | {"requests": server.reset_counts()}
        print(f"size {size}: one story cold {cold.wall:.1f} s", file=sys.stderr)
        if full:
            empties, warms = [], []
            for _ in range(args.warm_runs):
                empties += fixed_startup(env, 1)
                warms.append(digest_run(one_cfg, work / "one", env))
            out["one_warm"] = asdict(min(warms, key=lambda r: r.wall)) | {
                "walls": [r.wall for r in warms], "fixed_startup": empties,
                "requests": server.reset_counts()}
            print(f"  one story warm {[round(r.wall, 1) for r in warms]} s, empty flows "
                  f"{[round(w, 1) for w in empties]} s", file=sys.stderr)
        for n in (args.stories if full else [max(args.stories)]):
            if n > 1:
                out["stories"][str(n)] = many(n, specs, feeds, work / f"n{n}", env, server)
        if full:
            k = min(args.alone_sample, max(args.stories))
            sample = alone(specs[:k], feeds, work / "alone", env, server)
            top = str(max(args.stories))
            together_out = work / f"n{top}" / "out"
            for r in sample:  # the same digest alone as together (article URLs, in order)
                if (together_out / r["slug"]).is_dir():
                    r["same_as_together"] = r["urls"] == digest_urls(together_out, r["slug"])
            out["alone"] = {"sample": sample, "estimated": {
                str(n): extrapolate_alone(sample, specs, n) for n in args.stories if n > 1}
                if sample else {}}  # --alone-sample 0: nothing to extrapolate from
            if not args.skip_naive:
                nv = naive_peer(feeds, work, env, args.naive_sample)
                pages = nv.report["pages"]  # type: ignore[index]
                per_story = nv.wall * n_pages / max(1, pages)
                out["naive"] = asdict(nv) | {"sample_pages": pages, "web_pages": n_pages,
                                             "per_story": per_story}
                print(f"  naive peer: {nv.wall:.1f} s for {pages} pages -> {per_story:.0f} s "
                      "per story", file=sys.stderr)
    return out


# -- verdicts and table ---------------------------------------------------------------------------


def verdicts(result: dict) -> dict:
    """The issue's targets for many stories, each with its numbers and whether it holds."""
    out: dict = {}
    main = result["runs"][str(result["params"]["articles"])]
    top = str(max(result["params"]["stories"]))
    if top in main["stories"]:
        one = main["one_cold"]["wall"]
        many_ = main["stories"][top]
        ratio = many_["cold"]["wall"] / one
        out[f"{top}_stories_cold_within_1.5x_one"] = {
            "articles": main["articles"], "one_s": one, "many_s": many_["cold"]["wall"],
            "ratio": ratio, "ok": ratio <= 1.5}
        fixed = min(many_["warm"]["fixed_startup"])
        warm = many_["warm"]["wall"]
        out[f"{top}_stories_warm_within_fixed_plus_10pct"] = {
            "warm_s": warm, "fixed_s": fixed, "budget_s": 1.1 * fixed, "ok": warm <= 1.1 * fixed}
    big = max(int(s) for s in result["runs"])
    run = result["runs"][str(big)]["stories"].get(top)
    if run:
        c = run["cold"]
        out[f"memory_{top}_stories_under_1gb"] = {
            "articles": big, "peak_pss_mb": c["peak_pss_mb"], "peak_rss_sum_mb": c["peak_rss_mb"],
            "ok": c["peak_pss_mb"] < 1024}
    return out


def render_table(result: dict) -> str:
    m, p = result["machine"], result["params"]
    lines = [f"story digest, many stories over one crawl: latency {p['latency'] * 1000:.0f} ms, "
             f"{m['cores']} cores ({m['cpu']}), {result['when']}",
             "Prefect fixed start-up (empty flow, temporary server): "
             + ", ".join(f"{w:.1f}" for w in result["fixed_startup"]) + " s"]
    head = f"{'articles':>8}  {'stories':>7}  {'how':<34} {'wall s':>8} {'CPU s':>7} " \
           f"{'PSS MB':>7} {'RSS sum':>7}  notes"
    lines += ["", head, "-" * len(head)]

    def row(size: int, n: int | str, how: str, r: dict | None, wall: float | None = None,
            note: str = "") -> None:
        w = r["wall"] if r is not None else wall
        cpu = f"{r['cpu']:7.1f}" if r is not None else f"{'':>7}"
        mem = (f"{r['peak_pss_mb']:7.0f} {r['peak_rss_mb']:7.0f}" if r is not None
               else f"{'':>7} {'':>7}")
        if r is not None and r.get("other_cpu", 0.0) >= 1.0:
            note += f"; other load {r['other_cpu']:.0f} CPU s"
        lines.append(f"{size:>8}  {n!s:>7}  {how:<34} {w:8.1f} {cpu} {mem}  {note}")

    for size in sorted(int(s) for s in result["runs"]):
        run = result["runs"][str(size)]
        one = run["one_cold"]
        row(size, 1, "cold (fresh state)", one,
            note=f"{one['requests'].get('200', 0)} downloads")
        if "one_warm" in run:
            w = run["one_warm"]
            row(size, 1, f"warm (best of {len(w['walls'])})", w,
                note=f"empty flow alongside {min(w['fixed_startup']):.1f} s; "
                     f"{w['requests'].get('304', 0) // max(1, len(w['walls']))} answers 304")
        for n, s in sorted(run["stories"].items(), key=lambda kv: int(kv[0])):
            c, wm = s["cold"], s["warm"]
            crawl = (c["report"] or {}).get("crawl", {})
            failed = len((c["report"] or {}).get("failed", []))
            row(size, n, "together, cold (one digest run)", c,
                note=f"crawl: {crawl.get('feed_requests')} feed requests, {crawl.get('pages')} "
                     f"pages; server: {c['requests'].get('200', 0)} downloads"
                     + (f"; {failed} FAILED" if failed else ""))
            wcrawl = (wm["report"] or {}).get("crawl", {})
            row(size, n, "together, warm", wm,
                note=f"empty flow alongside {min(wm['fixed_startup']):.1f} s; crawl: "
                     f"{wcrawl.get('feed_requests')} feed requests; server: "
                     f"{wm['requests'].get('304', 0)} answers 304, "
                     f"{wm['requests'].get('200', 0)} downloads")
        if run.get("alone", {}).get("sample"):
            a = run["alone"]
            k = len(a["sample"])
            mean = statistics.mean(r["wall"] for r in a["sample"])
            for n, est in sorted(a["estimated"].items(), key=lambda kv: int(kv[0])):
                measured = k >= int(n)
                row(size, n, "one after the other, alone", None, est,
                    note="measured" if measured else
                    f"extrapolated from {k} measured (mean {mean:.1f} s, by kind)")
        if "naive" in run:
            nv = run["naive"]
            for n in [1, *sorted(int(x) for x in run["stories"])]:
                row(size, n, "naive script, once per story", None, nv["per_story"] * n,
                    note=f"extrapolated: {nv['wall']:.1f} s for {nv['sample_pages']} of "
                         f"{nv['web_pages']} pages, x{n}")
    lines.append("")
    main = result["runs"][str(p["articles"])]
    if main.get("alone", {}).get("sample"):
        lines.append("alone sample (story: wall s, digest articles, same digest as together):")
        for r in main["alone"]["sample"]:
            same = r.get("same_as_together")
            lines.append(f"  {r['slug']:<44} {r['wall']:6.1f}  {len(r['urls']):3d}  "
                         f"{'-' if same is None else ('yes' if same else 'NO')}")
        lines.append("")
    for n, s in sorted(main["stories"].items(), key=lambda kv: int(kv[0])):
        wk = s["cold"]["story_work"]
        keys = ("fetch_extract", "pages_state", "replay", "relevance_dedup", "summarise",
                "render_write", "run")
        lines.append(f"{n} stories cold, stage seconds summed over stories: "
                     + ", ".join(f"{k} {wk[k]:.1f}" for k in keys if k in wk))
        for how in ("cold", "warm"):
            r = s[how]
            fixed = min(r.get("fixed_startup") or result["fixed_startup"])
            lines.append(f"  {how}: wall {r['wall']:.1f} s = fixed start-up {fixed:.1f} + stories' "
                         f"runs {r['story_work'].get('run', 0.0):.1f} + the rest (child flow runs, "
                         f"parent flow, process) "
                         f"{r['wall'] - fixed - r['story_work'].get('run', 0.0):.1f}")
        kinds: dict[str, list[int]] = {}
        for slug, arts in s["articles"].items():
            kinds.setdefault(slug.split("-")[1], []).append(arts)
        lines.append("  digest articles by kind: " + "; ".join(
            f"{k} x{len(v)}: {min(v)}-{max(v)} (mean {statistics.mean(v):.1f})"
            for k, v in sorted(kinds.items())))
    lines.append("")
    for name, v in result.get("verdicts", {}).items():
        detail = ", ".join(f"{k}={x:.2f}" if isinstance(x, float) else f"{k}={x}"
                           for k, x in v.items() if k != "ok")
        lines.append(f"{'PASS' if v['ok'] else 'FAIL'}  {name}: {detail}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="the web of every row")
    ap.add_argument("--big", type=int, default=8000,
                    help="a larger web for one story and the most stories, cold (0: none)")
    ap.add_argument("--stories", default="10,50", help="story counts run together (max 50)")
    ap.add_argument("--items", type=int, default=40, help="items per feed")
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to each request")
    ap.add_argument("--alone-sample", type=int, default=5,
                    help="stories run alone, measured (the rest extrapolated by kind)")
    ap.add_argument("--naive-sample", type=int, default=200, help="pages the naive peer reads")
    ap.add_argument("--warm-runs", type=int, default=2, help="one story's warm re-runs")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="400 articles, no larger web, 3 stories alone, naive on 60 pages")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results")
    ap.add_argument("--render", type=Path, metavar="JSON",
                    help="print the table of a saved result instead of measuring")
    args = ap.parse_args(argv)
    if args.render:
        print(render_table(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    args.stories = sorted({int(s) for s in args.stories.split(",") if s})
    if max(args.stories) > 50:
        ap.error("at most 50 stories")
    if args.quick:
        args.articles, args.big, args.alone_sample, args.naive_sample = 400, 0, 3, 60
        args.warm_runs = 1
    machine = describe()
    result = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine,
              "params": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "stories": [asdict(s) for s in story_specs(max(args.stories))], "runs": {}}
    with tempfile.TemporaryDirectory(prefix="story-digest-prefect-") as home, \
            tempfile.TemporaryDirectory(prefix="story-digest-many-") as tmp:
        env = prefect_env(Path(home))
        result["fixed_startup"] = fixed_startup(env, 2)
        print(f"Prefect fixed start-up: {result['fixed_startup']}", file=sys.stderr)
        sizes = [args.articles] + ([args.big] if args.big and args.big != args.articles else [])
        for size in sizes:
            work = Path(tmp) / f"a{size}"
            work.mkdir()
            result["runs"][str(size)] = scenario(args, size, work, env,
                                                 full=size == args.articles)
    result["verdicts"] = verdicts(result)
    print(render_table(result))
    if not args.no_save:
        save_result(result, "many", "-quick" if args.quick else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
