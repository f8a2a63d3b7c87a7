"""The shared builder of the story packs under tests/packs/<slug>/ that have a pack.toml.

A pack folder holds ``pack.toml`` (story, outlets and their feed quirks), ``src/articles/*.txt``
(one article each: ``Key: value`` headers, a blank line, the body) and ``src/days.toml`` (the
must-carry facts of each digest date). ``build(pack)`` turns them into ``feeds/``, ``sites/``,
``_headers.json``, ``seed.txt`` and ``answer_key.json``; deterministic, stdlib + jinja2 only.
Each pack's ``build.py`` calls :func:`main` (``--out DIR``, ``--check``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import json
import re
import shutil
import sys
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

KIT = Path(__file__).resolve().parent
KINDS = {"story", "syndicated", "passing", "sibling", "keyword", "related"}
TRAPS = KINDS - {"story", "syndicated"}
# A dateline at the start of a lede: "VIENNA (Alpine Press) — ", "(AP) — ", "Vienna:".
DATELINE = re.compile(r"^(?:[A-Z][A-Za-z .,'-]*\s)?\([A-Za-z ]{2,24}\)\s+—\s+")
GENERATED = ("feeds", "sites", "_headers.json", "answer_key.json", "seed.txt")


class BuildError(Exception):
    """A problem in a pack's sources: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    tz: str
    style: str  # page template: wire | daily | portal
    feed: str  # rss2 | atom | rdf
    dates: str = "rfc822"  # rfc822 | named | bare | yy | iso | iso-min
    encoding: str = "utf-8"
    charset_in: str = "prolog"  # where the feed's encoding is declared: prolog | header
    links: str = "root"  # root | guid-only | xml-base
    order: str = "newest"  # newest | oldest | shuffled
    cdata: bool = False  # description as CDATA HTML
    undated: tuple[str, ...] = ()  # article ids whose feed item carries no date
    variants: tuple[str, ...] = ()  # article ids listed a second time with "?ref=rss"
    tagline: str = ""

    @property
    def content_type(self) -> str:
        kind = "application/atom+xml" if self.feed == "atom" else "application/rss+xml"
        return f"{kind}; charset={self.encoding}" if self.charset_in == "header" else kind


@dataclass
class Article:
    id: str
    outlet: str
    title: str
    published: dt.datetime
    path: str
    relevant: bool
    kind: str
    section: str
    dek: str
    send_hour: int
    why: str = ""  # for a trap: why it is not the story (README and answer key)
    updated: dt.datetime | None = None
    author: str = ""
    syndicates: str = ""
    trim: int = 0
    dateline: str = ""
    caption: str = ""
    comments: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"sites/{self.outlet}/{self.path}"

    @property
    def href(self) -> str:
        return "/" + self.url

    @property
    def img(self) -> str:
        return f"/sites/{self.outlet}/img/{self.id}.svg"

    @property
    def dup_group(self) -> str:
        return self.syndicates or self.id

    @property
    def digest_date(self) -> dt.date:
        return (self.published - dt.timedelta(hours=self.send_hour)).date() + dt.timedelta(1)

    @property
    def words(self) -> int:
        return sum(len(p.removeprefix("## ").split()) for p in self.paragraphs)


@dataclass
class Pack:
    root: Path
    meta: dict
    outlets: dict[str, Outlet]
    articles: dict[str, Article]
    days: dict[str, dict]


# ---------------------------------------------------------------------------------- reading

def _utc(name: str, key: str, value: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BuildError(f"{name}: {key}: not an ISO date-time: {value!r}") from None
    if when.tzinfo is None:
        raise BuildError(f"{name}: {key}: needs a zone (Z)")
    return when.astimezone(dt.UTC)


def read_article(f: Path, outlets: dict[str, Outlet], send_hour: int) -> Article:
    head, _, body = f.read_text(encoding="utf-8").partition("\n\n")
    meta: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            raise BuildError(f"{f.name}: header line without a colon: {line!r}")
        meta.setdefault(key.strip().lower(), []).append(value.strip())
    one = {k: v[-1] for k, v in meta.items()}
    for key in ("outlet", "title", "published", "section", "path", "kind", "dek"):
        if not one.get(key):
            raise BuildError(f"{f.name}: missing header {key.title()}")
    if one["outlet"] not in outlets:
        raise BuildError(f"{f.name}: unknown outlet {one['outlet']!r}")
    if one["kind"] not in KINDS:
        raise BuildError(f"{f.name}: unknown kind {one['kind']!r}")
    if one["kind"] in TRAPS and not one.get("why"):
        raise BuildError(f"{f.name}: a trap needs Why (why it is not the story)")
    comments = []
    for c in meta.get("comment", []):
        who, sep, text = c.partition("|")
        if not sep:
            raise BuildError(f"{f.name}: Comment needs 'name | text'")
        comments.append((who.strip(), text.strip()))
    return Article(
        id=f.stem, outlet=one["outlet"], title=one["title"], section=one["section"],
        published=_utc(f.name, "Published", one["published"]), path=one["path"],
        relevant=one["kind"] in ("story", "syndicated"), kind=one["kind"], dek=one["dek"],
        send_hour=send_hour, why=one.get("why", ""),
        updated=_utc(f.name, "Updated", one["updated"]) if "updated" in one else None,
        author=one.get("author", ""), syndicates=one.get("syndicates", ""),
        trim=int(one.get("trim", "0")), dateline=one.get("dateline", ""),
        caption=one.get("caption", ""), comments=comments,
        paragraphs=[" ".join(p.split()) for p in body.split("\n\n") if p.strip()])


def load(root: Path) -> Pack:
    try:
        meta = tomllib.loads((root / "pack.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BuildError(f"pack.toml: {exc}") from None
    outlets = {}
    for o in meta.pop("outlets"):
        for key in ("undated", "variants"):
            o[key] = tuple(o.get(key, ()))
        outlets[o["slug"]] = Outlet(**o)
    send_hour = int(meta["send"].split(":")[0])
    arts: dict[str, Article] = {}
    for f in sorted((root / "src" / "articles").glob("*.txt")):
        a = read_article(f, outlets, send_hour)
        arts[a.id] = a
    for a in arts.values():
        if a.kind != "syndicated":
            if not a.paragraphs:
                raise BuildError(f"{a.id}.txt: empty body")
            if a.syndicates:
                raise BuildError(f"{a.id}.txt: Syndicates on a {a.kind} article")
            continue
        orig = arts.get(a.syndicates)
        if orig is None or orig.kind == "syndicated" or a.paragraphs or a.trim < 1:
            raise BuildError(f"{a.id}.txt: a syndicated copy needs Syndicates (an original), "
                             "Trim >= 1 and an empty body")
        if not orig.relevant or a.published <= orig.published:
            raise BuildError(f"{a.id}.txt: must copy an on-story original and come later")
        paras = list(orig.paragraphs[: -a.trim])
        if a.dateline:
            if not DATELINE.match(paras[0]):
                raise BuildError(f"{a.id}.txt: Dateline given but {orig.id} has none")
            paras[0] = DATELINE.sub(a.dateline + " ", paras[0], count=1)
        a.paragraphs = paras
        a.author = a.author or orig.author
    urls = [a.url for a in arts.values()]
    if len(set(urls)) != len(urls):
        raise BuildError("two articles share a path")
    for o in outlets.values():
        for aid in o.undated + o.variants:
            if aid not in arts or arts[aid].outlet != o.slug:
                raise BuildError(f"pack.toml: outlet {o.slug}: unknown article {aid!r}")
    if meta["seed"] not in arts:
        raise BuildError(f"pack.toml: seed: unknown article {meta['seed']!r}")
    days = load_days(root, arts)
    return Pack(root=root, meta=meta, outlets=outlets, articles=arts, days=days)


def _has_all(text: str, groups: list[list[str]]) -> bool:
    low = text.lower()
    return all(any(t.lower() in low for t in g) for g in groups)


def load_days(root: Path, arts: dict[str, Article]) -> dict[str, dict]:
    data = tomllib.loads((root / "src" / "days.toml").read_text(encoding="utf-8"))
    days = {}
    for d in data["day"]:
        rel = sorted((a for a in arts.values() if a.relevant and a.digest_date == d["date"]),
                     key=lambda a: (a.published, a.id))
        if not rel:
            raise BuildError(f"days.toml: {d['date']}: no relevant article on that digest date")
        groups: dict[str, list[str]] = {}
        for a in rel:
            groups.setdefault(a.dup_group, []).append(a.id)
        for x in d.get("facts", []):
            if not any(_has_all("\n".join([a.title, a.dek, *a.paragraphs]), x["all"]) for a in rel):
                raise BuildError(f"days.toml: {d['date']} {x['id']}: no relevant article "
                                 "of that date carries it")
        days[d["date"].isoformat()] = {
            "headline": d["headline"],
            "facts": [{"id": x["id"], "text": x["text"], "all": x["all"]}
                      for x in d.get("facts", [])],
            "relevant": [a.id for a in rel],
            "dup_groups": [g for g in groups.values() if len(g) > 1]}
    dates = {a.digest_date.isoformat() for a in arts.values()}
    if missing := sorted(dates - set(days)):
        raise BuildError(f"days.toml: no entry for digest dates {missing}")
    return dict(sorted(days.items()))


# ---------------------------------------------------------------------------------- rendering

def feed_date(when: dt.datetime, tz: str, style: str) -> str:
    t = when.astimezone(zoneinfo.ZoneInfo(tz))
    off = t.strftime("%z")
    day, mon = t.strftime("%a"), t.strftime("%b")
    if style == "named":
        return f"{day}, {t.day:02d} {mon} {t.year} {t:%H:%M:%S} {t.tzname()}"
    if style == "bare":
        return f"{t.day} {mon} {t.year} {t:%H:%M} {off}"
    if style == "yy":
        return f"{day}, {t.day:02d} {mon} {t:%y} {t:%H:%M:%S} {off}"
    if style in ("iso", "iso-min"):
        stamp = t.strftime("%Y-%m-%dT%H:%M" + (":%S" if style == "iso" else ""))
        return stamp + (f"{off[:3]}:{off[3:]}" if off != "+0000" else "Z")
    return f"{day}, {t.day:02d} {mon} {t.year} {t:%H:%M:%S} {off}"


def svg(a: Article) -> bytes:
    h = hashlib.sha1(a.id.encode()).hexdigest()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540" viewBox="0 0 960 540">'
            f'<rect width="960" height="540" fill="#{h[:6]}"/><circle cx="{300 + int(h[6:8], 16)}" '
            f'cy="270" r="120" fill="#{h[8:14]}"/></svg>\n').encode()


def blocks(a: Article) -> list[dict]:
    out = []
    for i, p in enumerate(a.paragraphs):
        if p.startswith("## "):
            out.append({"type": "h2", "text": p[3:]})
            continue
        d = DATELINE.match(p) if i == 0 else None
        out.append({"type": "p", "text": p[d.end():] if d else p,
                    "dateline": d.group(0).rstrip(" —") if d else ""})
    return out


def neighbours(a: Article, arts: list[Article]) -> dict:
    same = [b for b in arts if b.outlet == a.outlet]
    others = [b for b in same if b.id != a.id]
    near = sorted(others, key=lambda b: (abs((b.published - a.published).total_seconds()), b.id))
    story = [b for b in near if b.relevant]
    i = same.index(a)
    return {"related": near[:3], "most_read": (story[:3] + near)[:5],
            "next": same[(i + 1) % len(same)]}


def order(o: Outlet, arts: list[Article]) -> list[Article]:
    if o.order == "shuffled":
        return sorted(arts, key=lambda a: hashlib.sha1(a.id.encode()).hexdigest())
    if o.order == "oldest":
        return sorted(arts, key=lambda a: (a.published, a.id))
    return sorted(arts, key=lambda a: (a.published, a.id), reverse=True)


def env() -> jinja2.Environment:
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(KIT / "templates"), autoescape=True,
                           undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                           trim_blocks=True, lstrip_blocks=True)
    e.filters["feed_date"] = feed_date
    e.filters["utc"] = lambda w: w.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    e.filters["local"] = lambda w, tz: w.astimezone(zoneinfo.ZoneInfo(tz))
    e.filters["tojson"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True).replace(
        "</", "<\\/")
    e.filters["first_sentence"] = lambda p: re.split(r"(?<=[.!?])\s", DATELINE.sub("", p),
                                                     maxsplit=1)[0]
    e.filters["escape_html"] = lambda s: html.escape(s, quote=False)
    return e


def seed_text(a: Article) -> str:
    """The seed as a newcomer saves it: the headline, the standfirst and the body, plain text."""
    return "\n\n".join([a.title, a.dek, *(p.removeprefix("## ") for p in a.paragraphs)]) + "\n"


def build(root: Path) -> dict[str, bytes]:
    """Every generated file of the pack at ``root``: pack-relative path -> bytes."""
    pack = load(root)
    e = env()
    files: dict[str, bytes] = {}
    allarts = sorted(pack.articles.values(), key=lambda a: (a.published, a.id))
    try:
        for a in allarts:
            o = pack.outlets[a.outlet]
            page = e.get_template(f"page-{o.style}.html.j2").render(
                a=a, o=o, blocks=blocks(a), orig=pack.articles.get(a.syndicates),
                outlets=pack.outlets, **neighbours(a, allarts))
            files[a.url] = page.encode("utf-8")
            files[a.img.lstrip("/")] = svg(a)
        for slug, o in pack.outlets.items():
            mine = [a for a in allarts if a.outlet == slug]
            if not mine:
                raise BuildError(f"pack.toml: outlet {slug} has no articles")
            files[f"sites/{slug}/index.html"] = e.get_template("home.html.j2").render(
                o=o, items=sorted(mine, key=lambda a: a.published, reverse=True)).encode()
            xml = e.get_template(f"feed-{o.feed}.xml.j2").render(
                o=o, items=order(o, mine), variants=[pack.articles[v] for v in o.variants],
                updated=max(a.updated or a.published for a in mine))
            files[f"feeds/{slug}.xml"] = xml.encode(o.encoding, "xmlcharrefreplace")
    except jinja2.TemplateError as exc:
        raise BuildError(f"template error: {exc}") from None
    headers = {f"feeds/{s}.xml": {"Content-Type": o.content_type} for s, o in pack.outlets.items()}
    files["_headers.json"] = (json.dumps(headers, indent=2, sort_keys=True) + "\n").encode()
    files["seed.txt"] = seed_text(pack.articles[pack.meta["seed"]]).encode()
    key = {
        "story": pack.meta["story"], "pack": root.name, "timezone": pack.meta["timezone"],
        "send": pack.meta["send"], "seed": pack.meta["seed"],
        "articles": [{
            "id": a.id, "outlet": a.outlet, "url": a.url, "title": a.title,
            "published": a.published.strftime("%Y-%m-%dT%H:%M:%SZ"), "relevant": a.relevant,
            "kind": a.kind, "why": a.why, "dup_group": a.dup_group,
            "digest_date": a.digest_date.isoformat(), "feed": f"feeds/{a.outlet}.xml",
            "feed_date": a.id not in pack.outlets[a.outlet].undated, "words": a.words,
        } for a in allarts],
        "aggregator": [{"url": f"{pack.articles[v].url}?ref=rss", "article": v,
                        "variant": "ref-param", "feed": f"feeds/{o.slug}.xml"}
                       for o in pack.outlets.values() for v in o.variants],
        "days": pack.days, "quotes": [], "figures": [],
    }
    files["answer_key.json"] = (json.dumps(key, ensure_ascii=False, indent=2) + "\n").encode()
    return files


def write(files: dict[str, bytes], out: Path) -> None:
    for sub in ("feeds", "sites"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    for rel, data in sorted(files.items()):
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def differences(files: dict[str, bytes], root: Path) -> list[str]:
    """Generated files that differ from (or are missing in, or are extra in) ``root``."""
    on_disk = {p.relative_to(root).as_posix() for sub in ("feeds", "sites")
               for p in (root / sub).rglob("*") if p.is_file()}
    on_disk |= {name for name in GENERATED if (root / name).is_file()}
    out = [rel for rel, data in sorted(files.items())
           if not (root / rel).is_file() or (root / rel).read_bytes() != data]
    return out + sorted(on_disk - set(files))


def main(root: Path, argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=f"Build the {root.name} story pack.")
    ap.add_argument("--out", type=Path, default=root, help="output folder (default: the pack)")
    ap.add_argument("--check", action="store_true",
                    help="build in memory; exit 1 and list the files that differ from the pack")
    args = ap.parse_args(argv)
    try:
        files = build(root)
    except BuildError as exc:
        print(f"build.py: error: {root.name}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        diff = differences(files, root)
        for rel in diff:
            print(f"differs: {rel}")
        return 1 if diff else 0
    write(files, args.out)
    print(f"wrote {len(files)} files under {args.out}")
    return 0
