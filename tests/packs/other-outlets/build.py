"""Build the "other-outlets" story pack: src/ -> feeds/, sites/, _headers.json, answer_key.json.

Usage:
    python tests/packs/other-outlets/build.py              # regenerate the pack in place
    python tests/packs/other-outlets/build.py --out DIR    # write the generated files under DIR

Deterministic: the same src/ gives byte-identical output (no clocks, no randomness, sorted
iteration). Stdlib + jinja2 only.
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

PACK = Path(__file__).resolve().parent
SRC = PACK / "src"
REPO = PACK.parents[2]
SEND_UTC_HOUR = 6  # 07:00 Europe/London in September (BST)
KINDS = {"story", "syndicated", "distractor-ceasefire", "distractor-strike", "distractor-syria",
         "distractor-other"}
# A dateline at the start of a lede: "GENEVA (LCN) — ", "(LCN) — ", "CILVEGOZU, Turkey (TGP) — ".
DATELINE = re.compile(r"^(?:[A-Z][A-Za-z .,'-]*\s)?\([A-Z]{2,5}\)\s+—\s+")
LIVE = re.compile(r"^\[(\d\d):(\d\d)\]\s+")


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    tz: str
    content_type: str  # served for its feed (see _headers.json)
    encoding: str = "utf-8"


OUTLETS = {o.slug: o for o in (
    Outlet("liberty-cable", "Liberty Cable News", "America/New_York", "application/rss+xml"),
    Outlet("almanara", "Al Manara English", "Asia/Qatar", "application/rss+xml; charset=utf-8"),
    Outlet("rheinwelle", "Rheinwelle International", "Europe/Berlin", "application/atom+xml"),
    Outlet("southern-mail", "The Southern Mail", "Australia/Sydney",
           "application/rss+xml; charset=ISO-8859-1", encoding="iso-8859-1"),
    Outlet("vostok-today", "Vostok Today", "Europe/Moscow", "application/rss+xml; charset=UTF-8"),
)}


class BuildError(Exception):
    """A problem in src/: one line naming the file and what is wrong."""


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
    updated: dt.datetime | None = None
    author: str = ""
    syndicates: str = ""
    trim: int = 0
    dateline: str = ""
    lede: str = ""
    pullquote: str = ""
    caption: str = ""
    live: bool = False
    comments: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:  # pack-relative
        return f"sites/{self.outlet}/{self.path}"

    @property
    def href(self) -> str:  # root-relative, as feeds and pages link to it
        return "/" + self.url

    @property
    def img(self) -> str:
        return f"/sites/{self.outlet}/img/{self.id}.svg"

    @property
    def dup_group(self) -> str:
        return self.syndicates or self.id

    @property
    def digest_date(self) -> dt.date:
        return digest_date(self.published)

    def local(self, when: dt.datetime | None = None) -> dt.datetime:
        return (when or self.published).astimezone(zoneinfo.ZoneInfo(OUTLETS[self.outlet].tz))

    @property
    def words(self) -> int:
        return sum(len(LIVE.sub("", p.removeprefix("## ")).split()) for p in self.paragraphs)


def digest_date(when: dt.datetime) -> dt.date:
    """The digest whose window [D-1 06:00Z, D 06:00Z) holds ``when``."""
    return (when.astimezone(dt.UTC) - dt.timedelta(hours=SEND_UTC_HOUR)).date() + dt.timedelta(1)


# ------------------------------------------------------------------------------ reading src/

def _utc(f: Path, key: str, value: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BuildError(f"{f.name}: {key}: not an ISO date-time: {value!r}") from None
    if when.tzinfo is None:
        raise BuildError(f"{f.name}: {key}: needs a zone (Z)")
    return when.astimezone(dt.UTC)


def read_article(f: Path) -> Article:
    head, _, body = f.read_text(encoding="utf-8").partition("\n\n")
    meta: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            raise BuildError(f"{f.name}: header line without a colon: {line!r}")
        meta.setdefault(key.strip().lower(), []).append(value.strip())
    one = {k: v[-1] for k, v in meta.items()}
    for key in ("outlet", "title", "published", "section", "path", "relevant", "kind", "dek"):
        if not one.get(key):
            raise BuildError(f"{f.name}: missing header {key.title()}")
    if one["outlet"] not in OUTLETS or one["kind"] not in KINDS:
        raise BuildError(f"{f.name}: unknown outlet or kind")
    comments = []
    for c in meta.get("comment", []):
        who, sep, text = c.partition("|")
        if not sep:
            raise BuildError(f"{f.name}: Comment needs 'name | text'")
        comments.append((who.strip(), text.strip()))
    return Article(
        id=f.stem, outlet=one["outlet"], title=one["title"], section=one["section"],
        published=_utc(f, "Published", one["published"]), path=one["path"],
        relevant=one["relevant"] == "yes", kind=one["kind"], dek=one["dek"],
        updated=_utc(f, "Updated", one["updated"]) if "updated" in one else None,
        author=one.get("author", ""), syndicates=one.get("syndicates", ""),
        trim=int(one.get("trim", "0")), dateline=one.get("dateline", ""),
        lede=one.get("lede", ""), pullquote=one.get("pullquote", ""),
        caption=one.get("caption", ""), live=one.get("live") == "yes", comments=comments,
        paragraphs=[" ".join(p.split()) for p in body.split("\n\n") if p.strip()])


def load_articles() -> dict[str, Article]:
    arts = {a.id: a for a in map(read_article, sorted((SRC / "articles").glob("*.txt")))}
    for a in arts.values():
        if a.kind != "syndicated":
            if not a.paragraphs:
                raise BuildError(f"{a.id}.txt: empty body")
            continue
        orig = arts.get(a.syndicates)
        if orig is None or orig.kind == "syndicated" or a.paragraphs or a.trim < 1:
            raise BuildError(f"{a.id}.txt: a syndicated copy needs Syndicates (an original), "
                             "Trim >= 1 and an empty body")
        if a.relevant != orig.relevant or a.published <= orig.published:
            raise BuildError(f"{a.id}.txt: must match the original's Relevant and come later")
        paras = orig.paragraphs[: -a.trim]
        if a.lede:
            paras[0] = a.lede
        elif a.dateline:
            if not DATELINE.match(paras[0]):
                raise BuildError(f"{a.id}.txt: Dateline given but {orig.id} has none")
            paras[0] = DATELINE.sub(a.dateline + " ", paras[0], count=1)
        a.paragraphs = paras
        a.author = a.author or orig.author
    paths = [a.url for a in arts.values()]
    if len(set(paths)) != len(paths):
        raise BuildError("two articles share a path")
    return arts


def load_days(arts: dict[str, Article]) -> dict[str, dict]:
    data = tomllib.loads((SRC / "days.toml").read_text(encoding="utf-8"))
    days = {}
    for d in data["day"]:
        rel = sorted((a for a in arts.values() if a.relevant and a.digest_date == d["date"]),
                     key=lambda a: (a.published, a.id))
        groups: dict[str, list[str]] = {}
        for a in rel:
            groups.setdefault(a.dup_group, []).append(a.id)
        days[d["date"].isoformat()] = {
            "headline": d["headline"],
            "facts": [{"id": x["id"], "text": x["text"], "all": x["all"]} for x in d["facts"]],
            "relevant": [a.id for a in rel],
            "dup_groups": [g for g in groups.values() if len(g) > 1]}
    return dict(sorted(days.items()))


def load_list(name: str, key: str, arts: dict[str, Article]) -> list[dict]:
    out = tomllib.loads((SRC / f"{name}.toml").read_text(encoding="utf-8")).get(key, [])
    for item in out:
        item["date"] = item["date"].isoformat()
        for aid in item.get("articles", []) + [i for c in item.get("claims", [])
                                              for i in c["articles"]]:
            if aid not in arts:
                raise BuildError(f"{name}.toml: unknown article id {aid!r}")
    return out


def load_variants(arts: dict[str, Article]) -> list[dict]:
    out = []
    for v in tomllib.loads((SRC / "variants.toml").read_text(encoding="utf-8"))["variants"]:
        a = arts[v["article"]]
        out.append({"article": a, "query": v["query"], "published": v["published"]})
    return out


# ------------------------------------------------------------------------------ rendering

def rfc822(when: dt.datetime, tz: str, style: str) -> str:
    t = when.astimezone(zoneinfo.ZoneInfo(tz))
    off = t.strftime("%z")
    day, mon = t.strftime("%a"), t.strftime("%b")
    if style == "named":  # "Sat, 17 Sep 2016 14:30:00 EDT"
        return f"{day}, {t.day:02d} {mon} {t.year} {t:%H:%M:%S} {t.tzname()}"
    if style == "bare":  # no weekday, no seconds: "18 Sep 2016 07:45 +1000"
        return f"{t.day} {mon} {t.year} {t:%H:%M} {off}"
    if style == "yy":  # two-digit year (RFC 822 proper): "Sat, 17 Sep 16 20:20:00 +0300"
        return f"{day}, {t.day:02d} {mon} {t:%y} {t:%H:%M:%S} {off}"
    return f"{day}, {t.day:02d} {mon} {t.year} {t:%H:%M:%S} {off}"


def iso_minutes(when: dt.datetime, tz: str) -> str:
    t = when.astimezone(zoneinfo.ZoneInfo(tz))
    return t.strftime("%Y-%m-%dT%H:%M") + t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:]


def ncr(text: str) -> str:
    """HTML-escape and turn non-ASCII into numeric character references (feed CDATA style)."""
    return html.escape(text, quote=False).encode("ascii", "xmlcharrefreplace").decode()


def svg(a: Article) -> bytes:
    h = hashlib.sha1(a.id.encode()).hexdigest()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540" viewBox="0 0 960 540">'
            f'<rect width="960" height="540" fill="#{h[:6]}"/><path d="M0 400 L300 {250 + int(h[6:8], 16)}'
            f' L620 330 L960 220 L960 540 L0 540 Z" fill="#{h[8:14]}"/></svg>\n').encode()


def blocks(a: Article) -> list[dict]:
    """Body paragraphs as template blocks: p, h2 or live (with a local timestamp)."""
    out = []
    for i, p in enumerate(a.paragraphs):
        if p.startswith("## "):
            out.append({"type": "h2", "text": p[3:]})
        elif a.live and (m := LIVE.match(p)):
            local = a.local().replace(hour=int(m[1]), minute=int(m[2]))
            out.append({"type": "live", "text": p[m.end():], "when": local,
                        "utc": local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
        else:
            d = DATELINE.match(p) if i == 0 else None
            out.append({"type": "p", "text": p[d.end():] if d else p,
                        "dateline": d.group(0).rstrip(" —") if d else ""})
    return out


def neighbours(a: Article, arts: list[Article]) -> dict:
    same = sorted((b for b in arts if b.outlet == a.outlet), key=lambda b: (b.published, b.id))
    rel = [b for b in same if b.relevant and b.id != a.id]
    by_gap = sorted(rel, key=lambda b: (abs((b.published - a.published).total_seconds()), b.id))
    i = same.index(a)
    others = [b for b in same if b.id != a.id]
    near = sorted(others, key=lambda b: (abs((b.published - a.published).total_seconds()), b.id))
    return {"most_read": by_gap[:5], "next": same[(i + 1) % len(same)], "related": near[:3],
            "read_more": near[0]}


def env() -> jinja2.Environment:
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(PACK / "templates"), autoescape=True,
                           undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                           trim_blocks=True, lstrip_blocks=True)
    e.filters["rfc822"] = rfc822
    e.filters["iso_minutes"] = iso_minutes
    e.filters["ncr"] = ncr
    e.filters["utc"] = lambda w: w.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    e.filters["clock"] = lambda t: f"{t.hour % 12 or 12}:{t:%M} {'a.m.' if t.hour < 12 else 'p.m.'}"
    e.filters["first_sentence"] = lambda p: re.split(r"(?<=[.!?])\s", DATELINE.sub("", p), maxsplit=1)[0]
    e.filters["tojson"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    e.globals["outlets"] = OUTLETS
    return e


def order(outlet: str, arts: list[Article]) -> list[Article]:
    if outlet == "liberty-cable":  # deliberately not chronological
        return sorted(arts, key=lambda a: hashlib.sha1(a.id.encode()).hexdigest())
    if outlet == "vostok-today":  # oldest first
        return sorted(arts, key=lambda a: (a.published, a.id))
    return sorted(arts, key=lambda a: (a.published, a.id), reverse=True)


def build() -> dict[str, bytes]:
    """Every generated file: pack-relative path -> bytes."""
    arts = load_articles()
    days = load_days(arts)
    quotes = load_list("quotes", "quotes", arts)
    figures = load_list("figures", "figures", arts)
    variants = load_variants(arts)
    e = env()
    files: dict[str, bytes] = {}
    allarts = sorted(arts.values(), key=lambda a: (a.published, a.id))
    try:
        for a in allarts:
            page = e.get_template(f"{a.outlet}.html.j2").render(
                a=a, outlet=OUTLETS[a.outlet], blocks=blocks(a), orig=arts.get(a.syndicates),
                **neighbours(a, allarts))
            files[a.url] = page.encode("utf-8")
            files[a.img.lstrip("/")] = svg(a)
        for slug, o in OUTLETS.items():
            mine = [a for a in allarts if a.outlet == slug]
            files[f"sites/{slug}/index.html"] = e.get_template("home.html.j2").render(
                outlet=o, items=sorted(mine, key=lambda a: a.published, reverse=True)).encode()
            extra = [v for v in variants if v["article"].outlet == slug]
            xml = e.get_template(f"feeds/{slug}.xml.j2").render(
                outlet=o, items=order(slug, mine), variants=extra,
                updated=max(a.updated or a.published for a in mine))
            files[f"feeds/{slug}.xml"] = xml.encode(o.encoding)  # strict: fails on a stray char
    except jinja2.TemplateError as exc:
        raise BuildError(f"template error: {exc}") from None
    headers = {f"feeds/{s}.xml": {"Content-Type": o.content_type} for s, o in OUTLETS.items()}
    files["_headers.json"] = (json.dumps(headers, indent=2, sort_keys=True) + "\n").encode()
    key = {
        "story": "syria-ceasefire", "pack": "other-outlets", "timezone": "Europe/London",
        "send": "07:00",
        "articles": [{
            "id": a.id, "outlet": a.outlet, "url": a.url, "title": a.title,
            "published": a.published.strftime("%Y-%m-%dT%H:%M:%SZ"), "relevant": a.relevant,
            "kind": a.kind, "dup_group": a.dup_group, "digest_date": a.digest_date.isoformat(),
            "feed": f"feeds/{a.outlet}.xml", "feed_date": True, "words": a.words,
        } for a in allarts],
        "aggregator": [{"url": f"{v['article'].url}?{v['query']}", "article": v["article"].id,
                        "variant": "ref-param", "feed": f"feeds/{v['article'].outlet}.xml"}
                       for v in variants],
        "days": days, "quotes": quotes, "figures": figures,
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=PACK, help="output folder (default: the pack)")
    args = ap.parse_args(argv)
    try:
        files = build()
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    write(files, args.out)
    print(f"wrote {len(files)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
