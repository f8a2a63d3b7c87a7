#!/usr/bin/env python3
"""Build the story pack: read ``seeds/src/`` and write feeds, article pages and the answer key.

Usage::

    python seeds/build.py              # regenerate seeds/feeds, seeds/sites, seeds/answer_key.json
    python seeds/build.py --out DIR    # write the same tree under DIR instead
    python seeds/build.py --check      # exit 1 if the committed output differs from a fresh build

The build is deterministic (sorted inputs, no clock, no randomness): running it twice gives
byte-identical files. Any problem in the sources stops the build with one line naming the file.
Only the standard library and jinja2 are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import posixpath
import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
TEMPLATES = HERE / "templates"

STORY = "syria-ceasefire"
TIMEZONE = "Europe/London"
SEND = "07:00"
# The digest dated D covers [D-1 06:00Z, D 06:00Z): 07:00 Europe/London is 06:00 UTC in BST.
SEND_UTC_HOUR = 6

KINDS = (
    "story",
    "syndicated",
    "distractor-ceasefire",
    "distractor-strike",
    "distractor-syria",
    "distractor-other",
)
VARIANTS = ("tracking", "amp", "trailing-slash")


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    prefix: str  # id prefix of its articles
    feed: str  # feed template stem
    offset: int  # minutes east of UTC used in its feed and pages
    zone: str  # zone abbreviation shown on its pages
    encoding: str = "utf-8"
    tagline: str = ""


# fmt: off
OUTLETS: dict[str, Outlet] = {o.slug: o for o in (
    Outlet("meridian-wire", "Meridian Wire", "mw", "meridian-wire", 0, "GMT",
           tagline="Independent news agency since 1921"),
    Outlet("levant-tribune", "The Levant Tribune", "lt", "levant-tribune", 180, "EEST",
           tagline="Beirut's English-language daily"),
    Outlet("capital-courier", "Capital Courier", "cc", "capital-courier", -240, "EDT",
           tagline="Politics, power and the world from Washington"),
    Outlet("eastern-herald", "The Eastern Herald", "eh", "eastern-herald", 330, "IST",
           tagline="International Desk, New Delhi"),
    Outlet("northern-post", "The Northern Post", "np", "northern-post", 60, "BST",
           encoding="windows-1252", tagline="Independent since 1887"),
    Outlet("global-dispatch", "Global Dispatch", "gd", "global-dispatch", 0, "UTC",
           tagline="The world, explained"),
    Outlet("worldbrief", "WorldBrief", "wb", "worldbrief", 0, "UTC",
           tagline="The day's world news from the best sources"),
)}
# fmt: on
PAGE_OUTLETS = tuple(s for s in OUTLETS if s != "worldbrief")
WIRE = "meridian-wire"

ARTICLE_KEYS = {
    "id": str,
    "outlet": str,
    "title": str,
    "published": dt.datetime,
    "updated": dt.datetime,
    "author": str,
    "section": str,
    "path": str,
    "relevant": bool,
    "kind": str,
    "syndicates": str,
    "trim": int,
    "feed_date": bool,
    "caption": str,
    "related": list,
    "comments": list,
}
REQUIRED = ("id", "outlet", "title", "published", "section", "path", "relevant", "kind")
ID_RE = re.compile(r"^(mw|lt|cc|eh|np|gd)-\d{4}-[a-z0-9]+(?:-[a-z0-9]+)*$")
PATH_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*$")
DATELINE_RE = re.compile(r"^([A-Z][A-Z .'’-]*[A-Z]) \(Meridian Wire\) — ")


class BuildError(Exception):
    """A problem in the sources: the message is one line and names the file."""


@dataclass(frozen=True)
class Article:
    id: str
    outlet: str
    title: str
    published: dt.datetime
    section: str
    path: str
    relevant: bool
    kind: str
    source: str  # src-relative file name, for messages
    updated: dt.datetime | None = None
    author: str = ""
    syndicates: str = ""
    trim: int = 0
    feed_date: bool = True
    caption: str = ""
    related: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()
    paragraphs: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        return f"sites/{self.outlet}/{self.path}.html"

    @property
    def dup_group(self) -> str:
        return self.syndicates or self.id

    @property
    def digest_date(self) -> dt.date:
        return digest_date(self.published)


def digest_date(when: dt.datetime) -> dt.date:
    """The date of the digest whose window [D-1 06:00Z, D 06:00Z) holds ``when``."""
    utc = when.astimezone(dt.UTC)
    return (utc - dt.timedelta(hours=SEND_UTC_HOUR)).date() + dt.timedelta(days=1)


# ---------------------------------------------------------------- loading and validation


def _fail(path: Path, problem: str) -> BuildError:
    return BuildError(f"{path.relative_to(HERE.parent) if path.is_absolute() else path}: {problem}")


def _utc(path: Path, key: str, value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise _fail(path, f"{key}: expected a TOML offset datetime (e.g. 2016-09-17T17:05:00Z)")
    return value.astimezone(dt.UTC)


def _date(path: Path, key: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _fail(path, f"{key}: expected a TOML local date (e.g. 2016-09-18)")
    return value


def _str(path: Path, key: str, value: object, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise _fail(path, f"{key}: expected a non-empty string")
    return value


def _toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"invalid TOML: {exc}") from None


def split_front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise _fail(path, "must start with a '+++' line (TOML front matter)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise _fail(path, "front matter is not closed by a '+++' line") from None
    return _toml(path, "\n".join(lines[1:end])), "\n".join(lines[end + 1 :])


def paragraphs_of(body: str) -> tuple[str, ...]:
    blocks = re.split(r"\n\s*\n", body.strip())
    return tuple(" ".join(line.strip() for line in b.splitlines()) for b in blocks if b.strip())


def load_article(path: Path) -> Article:
    meta, body = split_front_matter(path)
    for key in meta:
        if key not in ARTICLE_KEYS:
            raise _fail(path, f"unknown field {key!r}")
    for key in REQUIRED:
        if key not in meta:
            raise _fail(path, f"missing field {key!r}")
    for key, value in meta.items():
        want = ARTICLE_KEYS[key]
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        if not ok:
            raise _fail(path, f"{key}: expected {want.__name__}, got {type(value).__name__}")
    aid = meta["id"]
    if aid != path.stem:
        raise _fail(path, f"id {aid!r} must equal the file name stem {path.stem!r}")
    if not ID_RE.match(aid):
        raise _fail(path, f"id {aid!r} must look like '<mw|lt|cc|eh|np|gd>-MMDD-slug'")
    outlet = meta["outlet"]
    if outlet not in PAGE_OUTLETS:
        raise _fail(path, f"unknown outlet {outlet!r} (one of: {', '.join(PAGE_OUTLETS)})")
    if OUTLETS[outlet].prefix != aid.split("-", 1)[0]:
        raise _fail(path, f"id prefix of {aid!r} does not match outlet {outlet!r}")
    for key in ("title", "section", "path"):
        _str(path, key, meta[key])
    if not PATH_RE.match(meta["path"]):
        raise _fail(path, f"path {meta['path']!r}: lower-case segments, no extension, no leading /")
    kind = meta["kind"]
    if kind not in KINDS:
        raise _fail(path, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if kind.startswith("distractor") and meta["relevant"]:
        raise _fail(path, f"a {kind} article cannot be relevant")
    if kind == "story" and not meta["relevant"]:
        raise _fail(path, "kind 'story' must be relevant (use a distractor-* kind)")
    paras = paragraphs_of(body)
    syndicates, trim = meta.get("syndicates", ""), meta.get("trim", 0)
    if kind == "syndicated":
        if not syndicates:
            raise _fail(path, "a syndicated article needs 'syndicates' (the wire article's id)")
        if trim < 1:
            raise _fail(path, "a syndicated article needs trim >= 1")
        if paras:
            raise _fail(path, "a syndicated article's body must be empty (the builder copies it)")
    else:
        if syndicates or trim:
            raise _fail(path, "'syndicates' and 'trim' are only for kind = 'syndicated'")
        if not paras:
            raise _fail(path, "empty body")
    if not meta.get("feed_date", True) and outlet != "northern-post":
        raise _fail(path, "feed_date = false is reserved for a northern-post article")
    comments = []
    for i, c in enumerate(meta.get("comments", [])):
        if not isinstance(c, dict) or set(c) != {"author", "text"}:
            raise _fail(path, f"comments[{i}]: expected {{author = ..., text = ...}}")
        comments.append(
            (_str(path, "comments.author", c["author"]), _str(path, "comments.text", c["text"]))
        )
    related = tuple(_str(path, "related[]", r) for r in meta.get("related", []))
    published = _utc(path, "published", meta["published"])
    updated = _utc(path, "updated", meta["updated"]) if "updated" in meta else None
    if updated is not None and updated < published:
        raise _fail(path, "updated is earlier than published")
    return Article(
        id=aid,
        outlet=outlet,
        title=meta["title"].strip(),
        published=published,
        section=meta["section"],
        path=meta["path"],
        relevant=meta["relevant"],
        kind=kind,
        source=str(path.relative_to(HERE)),
        updated=updated,
        author=meta.get("author", ""),
        syndicates=syndicates,
        trim=trim,
        feed_date=meta.get("feed_date", True),
        caption=meta.get("caption", ""),
        related=related,
        comments=tuple(comments),
        paragraphs=paras,
    )


def resolve_syndication(articles: dict[str, Article]) -> dict[str, Article]:
    out = dict(articles)
    for a in articles.values():
        if a.kind != "syndicated":
            continue
        where = HERE / a.source
        wire = articles.get(a.syndicates)
        if wire is None:
            raise _fail(where, f"syndicates unknown id {a.syndicates!r}")
        if wire.outlet != WIRE or wire.kind == "syndicated":
            raise _fail(
                where, f"syndicates {a.syndicates!r}, which is not a Meridian Wire original"
            )
        if a.outlet == WIRE:
            raise _fail(where, "Meridian Wire does not syndicate its own copy")
        if a.relevant != wire.relevant:
            raise _fail(where, f"relevant must equal the wire article's ({wire.relevant})")
        if a.published <= wire.published:
            raise _fail(where, "a syndicated copy must be published after the wire article")
        if len(wire.paragraphs) - a.trim < 3:
            raise _fail(where, f"trim = {a.trim} leaves fewer than 3 paragraphs of {wire.id}")
        paras = list(wire.paragraphs[: len(wire.paragraphs) - a.trim])
        paras[0] = restyle_dateline(a.outlet, paras[0], a.published)
        out[a.id] = replace(a, paragraphs=tuple(paras))
    return out


def restyle_dateline(outlet: str, lede: str, when: dt.datetime) -> str:
    """Rewrite the wire's 'CITY (Meridian Wire) — ' dateline in the republishing outlet's style."""
    m = DATELINE_RE.match(lede)
    if not m:
        return lede
    city, rest = m.group(1), lede[m.end() :]
    if outlet == "eastern-herald":
        local = when.astimezone(dt.timezone(dt.timedelta(minutes=OUTLETS[outlet].offset)))
        return f"{city.title()}, {MONTHS[local.month - 1][:3]} {local.day} (Meridian Wire): {rest}"
    if outlet == "northern-post":
        return f"{city} — {rest}"
    return lede  # global-dispatch runs the wire dateline unchanged


def load_articles() -> dict[str, Article]:
    files = sorted((SRC / "articles").glob("*.md"))
    if not files:
        raise BuildError("seeds/src/articles: no article files")
    articles: dict[str, Article] = {}
    paths: dict[str, str] = {}
    for f in files:
        a = load_article(f)
        if a.id in articles:
            raise _fail(f, f"duplicate id {a.id!r}")
        if a.url in paths:
            raise _fail(f, f"duplicate path {a.url!r} (also used by {paths[a.url]})")
        paths[a.url] = a.id
        articles[a.id] = a
    articles = resolve_syndication(articles)
    undated = [a for a in articles.values() if not a.feed_date]
    if len(undated) > 1:
        raise _fail(HERE / undated[1].source, "only one item in the pack may lack a feed date")
    if OUTLETS["northern-post"].encoding == "windows-1252":
        articles = {
            k: typographic(a) if a.outlet == "northern-post" else a for k, a in articles.items()
        }
    return articles


def _smart(text: str) -> str:
    text = re.sub(r"(^|[\s(\[—-])\"", "\\1“", text)
    text = text.replace('"', "”")
    text = re.sub(r"(\w)'(\w)", "\\1’\\2", text)
    text = re.sub(r"(^|[\s(\[—-])'", "\\1‘", text)
    return text.replace("'", "’")


def typographic(a: Article) -> Article:
    """The Northern Post's house style: curly quotes and apostrophes everywhere."""
    return replace(
        a,
        title=_smart(a.title),
        paragraphs=tuple(_smart(p) for p in a.paragraphs),
        caption=_smart(a.caption),
        related=tuple(_smart(r) for r in a.related),
        comments=tuple((n, _smart(t)) for n, t in a.comments),
    )


def load_tables(kind: str) -> list[tuple[Path, dict]]:
    return [
        (f, _toml(f, f.read_text(encoding="utf-8"))) for f in sorted((SRC / kind).glob("*.toml"))
    ]


def load_days(articles: dict[str, Article]) -> dict[str, dict]:
    days: dict[str, dict] = {}
    for f, data in load_tables("days"):
        for key in data:
            if key not in ("date", "headline", "facts"):
                raise _fail(f, f"unknown field {key!r}")
        day = _date(f, "date", data.get("date"))
        if f.stem != day.isoformat():
            raise _fail(f, f"date {day} does not match the file name")
        facts = data.get("facts")
        if not isinstance(facts, list) or not facts:
            raise _fail(f, "needs at least one [[facts]]")
        out_facts, ids = [], set()
        for i, fact in enumerate(facts):
            if set(fact) != {"id", "text", "all"}:
                raise _fail(f, f"facts[{i}]: expected exactly the keys id, text, all")
            fid = _str(f, f"facts[{i}].id", fact["id"])
            if fid in ids:
                raise _fail(f, f"duplicate fact id {fid!r}")
            ids.add(fid)
            groups = fact["all"]
            if (
                not isinstance(groups, list)
                or not groups
                or any(
                    not isinstance(g, list)
                    or not g
                    or any(not isinstance(s, str) or not s.strip() for s in g)
                    for g in groups
                )
            ):
                raise _fail(
                    f, f"facts[{i}].all: expected a non-empty list of non-empty string lists"
                )
            out_facts.append(
                {"id": fid, "text": _str(f, f"facts[{i}].text", fact["text"]), "all": groups}
            )
        rel = sorted(
            (a for a in articles.values() if a.relevant and a.digest_date == day),
            key=lambda a: (a.published, a.id),
        )
        groups_of: dict[str, list[str]] = {}
        for a in rel:
            groups_of.setdefault(a.dup_group, []).append(a.id)
        days[day.isoformat()] = {
            "headline": _str(f, "headline", data.get("headline")),
            "facts": out_facts,
            "relevant": [a.id for a in rel],
            "dup_groups": [g for g in groups_of.values() if len(g) > 1],
        }
    return dict(sorted(days.items()))


def _ids(f: Path, where: str, ids: object, articles: dict[str, Article]) -> list[str]:
    if not isinstance(ids, list) or not ids:
        raise _fail(f, f"{where}.articles: expected a non-empty list of article ids")
    for aid in ids:
        if aid not in articles:
            raise _fail(f, f"{where}: unknown article id {aid!r}")
    return list(ids)


def load_quotes(articles: dict[str, Article]) -> list[dict]:
    out = []
    for f, data in load_tables("quotes"):
        for i, q in enumerate(data.get("quotes", [])):
            where = f"quotes[{i}]"
            if set(q) != {"date", "speaker", "contains", "articles"}:
                raise _fail(
                    f, f"{where}: expected exactly the keys date, speaker, contains, articles"
                )
            out.append(
                {
                    "date": _date(f, f"{where}.date", q["date"]).isoformat(),
                    "speaker": _str(f, f"{where}.speaker", q["speaker"]),
                    "contains": _str(f, f"{where}.contains", q["contains"]),
                    "articles": _ids(f, where, q["articles"], articles),
                }
            )
    return sorted(out, key=lambda q: (q["date"], q["speaker"], q["contains"]))


def load_figures(articles: dict[str, Article]) -> list[dict]:
    out = []
    for f, data in load_tables("figures"):
        for i, fig in enumerate(data.get("figures", [])):
            where = f"figures[{i}]"
            if set(fig) != {"date", "label", "claims"}:
                raise _fail(f, f"{where}: expected exactly the keys date, label, claims")
            claims = fig["claims"]
            if not isinstance(claims, list) or len(claims) < 2:
                raise _fail(f, f"{where}.claims: a disputed figure needs at least two claims")
            out_claims = []
            for j, c in enumerate(claims):
                if set(c) != {"attributed_to", "value", "articles"}:
                    raise _fail(f, f"{where}.claims[{j}]: expected attributed_to, value, articles")
                out_claims.append(
                    {
                        "attributed_to": _str(
                            f, f"{where}.claims[{j}].attributed_to", c["attributed_to"]
                        ),
                        "value": _str(f, f"{where}.claims[{j}].value", c["value"]),
                        "articles": _ids(f, f"{where}.claims[{j}]", c["articles"], articles),
                    }
                )
            out.append(
                {
                    "date": _date(f, f"{where}.date", fig["date"]).isoformat(),
                    "label": _str(f, f"{where}.label", fig["label"]),
                    "claims": out_claims,
                }
            )
    return sorted(out, key=lambda g: (g["date"], g["label"]))


@dataclass(frozen=True)
class AggItem:
    article: str
    variant: str
    published: dt.datetime
    title: str
    campaign: str

    def url(self, articles: dict[str, Article]) -> str:
        a = articles[self.article]
        if self.variant == "amp":
            return f"sites/{a.outlet}/amp/{a.path}.html"
        if self.variant == "trailing-slash":
            return f"sites/{a.outlet}/{a.path}/"
        return f"{a.url}?utm_source=worldbrief&utm_medium=rss&utm_campaign={self.campaign}"


def load_aggregator(articles: dict[str, Article]) -> list[AggItem]:
    items: list[AggItem] = []
    seen: dict[tuple[str, str], Path] = {}
    for f, data in load_tables("aggregator"):
        for i, it in enumerate(data.get("items", [])):
            where = f"items[{i}]"
            extra = set(it) - {"article", "variant", "published", "title"}
            if extra or len(it) != 4:
                raise _fail(
                    f, f"{where}: expected exactly the keys article, variant, published, title"
                )
            aid = _str(f, f"{where}.article", it["article"])
            if aid not in articles:
                raise _fail(f, f"{where}: unknown article id {aid!r}")
            if it["variant"] not in VARIANTS:
                raise _fail(
                    f, f"{where}: variant {it['variant']!r} not one of {', '.join(VARIANTS)}"
                )
            if (aid, it["variant"]) in seen:
                raise _fail(f, f"{where}: duplicate {it['variant']} item for {aid!r}")
            seen[(aid, it["variant"])] = f
            pub = _utc(f, f"{where}.published", it["published"])
            campaign = f"{pub:%Y%m%d}-{articles[aid].section}"
            items.append(
                AggItem(aid, it["variant"], pub, _str(f, f"{where}.title", it["title"]), campaign)
            )
    return sorted(items, key=lambda i: (i.published, i.article, i.variant))


# ---------------------------------------------------------------- rendering

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def local(when: dt.datetime, outlet: str) -> dt.datetime:
    return when.astimezone(dt.timezone(dt.timedelta(minutes=OUTLETS[outlet].offset)))


def rfc822(when: dt.datetime, outlet: str, zone: str | None = None) -> str:
    t = local(when, outlet)
    off = OUTLETS[outlet].offset
    z = zone or f"{'+' if off >= 0 else '-'}{abs(off) // 60:02d}{abs(off) % 60:02d}"
    return (
        f"{DAYS[t.weekday()][:3]}, {t.day:02d} {MONTHS[t.month - 1][:3]} {t.year} {t:%H:%M:%S} {z}"
    )


def iso(when: dt.datetime, outlet: str | None = None, *, z: bool = False) -> str:
    if outlet is None or z:
        return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return local(when, outlet).isoformat()


def clock12(t: dt.datetime, *, dotted: bool = False) -> str:
    h = t.hour % 12 or 12
    ampm = ("a.m." if t.hour < 12 else "p.m.") if dotted else ("AM" if t.hour < 12 else "PM")
    return f"{h}:{t.minute:02d} {ampm}"


def date_views(a: Article) -> dict[str, str]:
    """Every date string a page template may show, in the outlet's own style and zone."""
    o = OUTLETS[a.outlet]
    views: dict[str, str] = {"iso": iso(a.published, a.outlet), "utc": iso(a.published)}
    for key, when in (("pub", a.published), ("upd", a.updated)):
        if when is None:
            continue
        t = local(when, a.outlet)
        mon, day = MONTHS[t.month - 1], DAYS[t.weekday()]
        views[f"{key}_iso"] = iso(when, a.outlet)
        views[f"{key}_long"] = f"{mon} {t.day}, {t.year} {clock12(t)} {o.zone}"
        views[f"{key}_us"] = f"{mon} {t.day}, {t.year} at {clock12(t, dotted=True)} {o.zone}"
        views[f"{key}_lt"] = f"{mon[:3]}. {t.day:02d}, {t.year} | {clock12(t)}"
        views[f"{key}_eh"] = f"{t.day:02d} {mon[:3]} {t.year}, {t:%H:%M} {o.zone}"
        views[f"{key}_uk"] = f"{day} {t.day} {mon} {t.year} {t:%H.%M} {o.zone}"
        views[f"{key}_gd"] = f"{mon[:3]} {t.day}, {t.year} · {t:%H:%M} {o.zone}"
        views[f"{key}_short"] = f"{t.day:02d}/{t.month:02d}/{t.year}"
    return views


def relpath(target: str, page: str) -> str:
    """A document-relative link from pack-relative ``page`` to pack-relative ``target``."""
    rel = posixpath.relpath(target.rstrip("/"), posixpath.dirname(page))
    return rel + ("/" if target.endswith("/") else "")


def json_ld(a: Article, page: str) -> str:
    o = OUTLETS[a.outlet]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": iso(a.published, a.outlet),
        "dateModified": iso(a.updated or a.published, a.outlet),
        "author": (
            {"@type": "Person", "name": a.author}
            if a.author
            else {"@type": "Organization", "name": o.name}
        ),
        "publisher": {
            "@type": "Organization",
            "name": o.name,
            "logo": {
                "@type": "ImageObject",
                "url": relpath(f"sites/{o.slug}/assets/logo.svg", page),
            },
        },
        "articleSection": a.section.replace("-", " ").title(),
        "mainEntityOfPage": posixpath.basename(a.url),
    }
    if a.kind == "syndicated":
        data["sourceOrganization"] = {"@type": "Organization", "name": OUTLETS[WIRE].name}
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("</", "<\\/")


def default_related(outlet: str) -> tuple[str, ...]:
    return DEFAULT_RELATED[outlet]


DEFAULT_RELATED = {
    "meridian-wire": (
        "Factbox: What is in the US-Russia plan for a Syria truce",
        "Aleppo's Castello Road: the lifeline at the heart of the ceasefire deal",
        "Timeline: Five years of failed ceasefires in Syria",
        "Who is Jabhat Fateh al-Sham, the group excluded from the truce?",
    ),
    "levant-tribune": (
        "Aleppo residents brace for Eid under shaky truce",
        "Analysis: Why Syria's rebels distrust the Kerry-Lavrov deal",
        "UN says aid trucks ready to roll into eastern Aleppo",
        "Opposition groups seek guarantees before truce",
        "Lebanon's leaders welcome US-Russian agreement on Syria",
    ),
    "capital-courier": (
        "The Pentagon's doubts about working with Russia in Syria",
        "Kerry's long bet on Moscow, explained",
        "What the Syria cease-fire means for the next president",
        "Republicans question the Syria deal with Russia",
    ),
    "eastern-herald": (
        "Syria truce: A look at the key terms of the Geneva accord",
        "India welcomes US-Russia understanding on Syria",
        "Aleppo: The battle that shaped Syria's war",
        "Can Moscow rein in Assad? Experts weigh in",
    ),
    "northern-post": (
        "Syria ceasefire: what we know so far",
        "Aleppo’s besieged east waits for aid as the guns fall quiet",
        "Boris Johnson urges Moscow to ‘deliver’ on Syria truce",
        "Comment: a ceasefire built on mistrust",
        "Syria’s war in maps",
    ),
    "global-dispatch": (
        "The Syria truce, in 300 words",
        "Why Aleppo matters so much in Syria's war",
        "Kerry and Lavrov: an odd couple that keeps talking",
        "What happens if the Syria ceasefire collapses?",
    ),
}


def read_more(a: Article, by_outlet: dict[str, list[Article]]) -> list[Article]:
    """Up to two earlier pages of the same outlet on the same side of the story."""
    same = [b for b in by_outlet[a.outlet] if b.id != a.id and b.published < a.published]
    same.sort(key=lambda b: (b.relevant != a.relevant, -b.published.timestamp(), b.id))
    return same[:2]


def page_context(
    a: Article, page: str, by_outlet: dict[str, list[Article]], canonical: str | None = None
) -> dict:
    o = OUTLETS[a.outlet]
    site = f"sites/{a.outlet}/"
    words = sum(len(p.split()) for p in a.paragraphs)
    return {
        "a": a,
        "o": o,
        "d": date_views(a),
        "paras": [
            {"h2": p[3:].strip(), "p": ""} if p.startswith("## ") else {"h2": "", "p": p}
            for p in a.paragraphs
        ],
        "teaser": teaser(a),
        "words": words,
        "minutes": max(1, round(words / 230)),
        "related": list(a.related or default_related(a.outlet)),
        "more": [{"title": b.title, "href": relpath(b.url, page)} for b in read_more(a, by_outlet)],
        "latest": [
            {"title": b.title, "href": relpath(b.url, page)}
            for b in sorted(by_outlet[a.outlet], key=lambda b: (-b.published.timestamp(), b.id))
            if b.id != a.id
        ][:6],
        "home": relpath(site + "index.html", page),
        "feed": relpath(f"feeds/{a.outlet}.xml", page),
        "assets": relpath(site + "assets", page) + "/",
        "canonical": canonical or posixpath.basename(a.url),
        "self_canonical": canonical is None,
        "jsonld": json_ld(a, page),
        "wire": OUTLETS[WIRE].name if a.kind == "syndicated" else "",
        "section_name": a.section.replace("-", " ").title(),
    }


def teaser(a: Article) -> str:
    lede = a.paragraphs[0]
    return lede if len(lede) <= 320 else lede[:317].rsplit(" ", 1)[0] + "…"


def jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rfc822"] = rfc822
    env.filters["iso"] = iso
    return env


def render(env: jinja2.Environment, name: str, what: str, **ctx: object) -> str:
    """Render one template; any template problem becomes a one-line BuildError naming it."""
    try:
        return env.get_template(name).render(**ctx)
    except jinja2.TemplateError as exc:
        message = " ".join(str(exc).split())
        raise BuildError(f"seeds/templates/{name}: {message} (rendering {what})") from None


def render_feeds(env, articles: dict[str, Article], agg: list[AggItem]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for slug, o in OUTLETS.items():
        feed_path = f"feeds/{slug}.xml"
        if slug == "worldbrief":
            items = []
            for it in sorted(agg, key=lambda i: (-i.published.timestamp(), i.article, i.variant)):
                a = articles[it.article]
                items.append(
                    {
                        "it": it,
                        "a": a,
                        "href": relpath(it.url(articles), feed_path),
                        "source_feed": relpath(f"feeds/{a.outlet}.xml", feed_path),
                        "source_name": OUTLETS[a.outlet].name,
                        "teaser": teaser(a),
                    }
                )
            newest = max((i.published for i in agg), default=dt.datetime(2016, 9, 9, tzinfo=dt.UTC))
        else:
            mine = sorted(
                (a for a in articles.values() if a.outlet == slug),
                key=lambda a: (-a.published.timestamp(), a.id),
            )
            if not mine:
                continue
            items = [
                {
                    "a": a,
                    "href": relpath(a.url, feed_path),
                    "site_href": posixpath.relpath(a.url, f"sites/{slug}"),
                    "teaser": teaser(a),
                    "paras": a.paragraphs,
                }
                for a in mine
            ]
            newest = max((a.updated or a.published) for a in mine)
        text = render(
            env,
            f"feeds/{o.feed}.xml.j2",
            feed_path,
            o=o,
            items=items,
            newest=newest,
            home=relpath(f"sites/{slug}/index.html", feed_path),
            self_href=posixpath.basename(feed_path),
        )
        out[feed_path] = text.encode(o.encoding, errors="xmlcharrefreplace")
    return out


def render_pages(env, articles: dict[str, Article], agg: list[AggItem]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    by_outlet: dict[str, list[Article]] = {}
    for a in articles.values():
        by_outlet.setdefault(a.outlet, []).append(a)
    for a in sorted(articles.values(), key=lambda a: a.id):
        ctx = page_context(a, a.url, by_outlet)
        out[a.url] = render(env, f"pages/{a.outlet}.html.j2", a.id, **ctx).encode()
    for it in agg:
        a = articles[it.article]
        page = it.url(articles)
        if it.variant == "amp":
            ctx = page_context(a, page, by_outlet, canonical=relpath(a.url, page))
            out[page] = render(env, "pages/amp.html.j2", page, **ctx).encode()
        elif it.variant == "trailing-slash":
            page = page + "index.html"
            ctx = page_context(a, page, by_outlet, canonical=relpath(a.url, page))
            out[page] = render(env, f"pages/{a.outlet}.html.j2", page, **ctx).encode()
    for slug, mine in sorted(by_outlet.items()):
        page = f"sites/{slug}/index.html"
        rows = [
            {"a": a, "href": relpath(a.url, page), "teaser": teaser(a), "d": date_views(a)}
            for a in sorted(mine, key=lambda a: (-a.published.timestamp(), a.id))
        ]
        out[page] = render(
            env,
            "pages/index.html.j2",
            page,
            o=OUTLETS[slug],
            rows=rows,
            feed=relpath(f"feeds/{slug}.xml", page),
        ).encode()
        out[f"sites/{slug}/assets/logo.svg"] = logo_svg(OUTLETS[slug]).encode()
        out[f"sites/{slug}/assets/photo.svg"] = PHOTO_SVG.encode()
    return out


def logo_svg(o: Outlet) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40" viewBox="0 0 240 40">'
        f'<rect width="240" height="40" fill="#fff"/><text x="8" y="28" font-family="Georgia,'
        f'serif" font-size="22" fill="#111">{o.name}</text></svg>\n'
    )


PHOTO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540" viewBox="0 0 960 540">'
    '<rect width="960" height="540" fill="#8a8f94"/><path d="M0 420 L240 300 L420 380 '
    'L640 240 L960 400 L960 540 L0 540 Z" fill="#5b6167"/></svg>\n'
)


def answer_key(
    articles: dict[str, Article], agg: list[AggItem], days: dict, quotes: list, figures: list
) -> dict:
    arts = sorted(articles.values(), key=lambda a: (a.published, a.id))
    return {
        "story": STORY,
        "timezone": TIMEZONE,
        "send": SEND,
        "articles": [
            {
                "id": a.id,
                "outlet": a.outlet,
                "url": a.url,
                "title": a.title,
                "published": iso(a.published),
                "relevant": a.relevant,
                "kind": a.kind,
                "dup_group": a.dup_group,
                "digest_date": a.digest_date.isoformat(),
                "feed": f"feeds/{a.outlet}.xml",
                "feed_date": a.feed_date,
            }
            for a in arts
        ],
        "aggregator": [
            {
                "url": it.url(articles),
                "article": it.article,
                "variant": it.variant,
                "feed": "feeds/worldbrief.xml",
            }
            for it in agg
        ],
        "days": days,
        "quotes": quotes,
        "figures": figures,
    }


def build() -> dict[str, bytes]:
    """Every generated file, pack-relative path -> bytes."""
    articles = load_articles()
    days = load_days(articles)
    quotes = load_quotes(articles)
    figures = load_figures(articles)
    agg = load_aggregator(articles)
    env = jinja_env()
    files = render_feeds(env, articles, agg)
    files.update(render_pages(env, articles, agg))
    key = answer_key(articles, agg, days, quotes, figures)
    files["answer_key.json"] = (json.dumps(key, ensure_ascii=False, indent=2) + "\n").encode()
    return files


def generated(root: Path) -> set[str]:
    found = {"answer_key.json"} if (root / "answer_key.json").exists() else set()
    for sub in ("feeds", "sites"):
        if (root / sub).is_dir():
            found |= {
                p.relative_to(root).as_posix() for p in (root / sub).rglob("*") if p.is_file()
            }
    return found


def write(files: dict[str, bytes], root: Path) -> tuple[int, int]:
    """Write ``files`` under ``root``; delete stale generated files. Returns (written, removed)."""
    written = removed = 0
    for stale in sorted(generated(root) - set(files)):
        (root / stale).unlink()
        removed += 1
    for rel, data in sorted(files.items()):
        target = root / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    for sub in ("feeds", "sites"):  # prune directories left empty
        if (root / sub).is_dir():
            for d in sorted((root / sub).rglob("*"), reverse=True):
                if d.is_dir() and not any(d.iterdir()):
                    d.rmdir()
    return written, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output root (default: seeds/)")
    parser.add_argument(
        "--check", action="store_true", help="build in memory and exit 1 if the output root differs"
    )
    args = parser.parse_args(argv)
    try:
        files = build()
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = generated(args.out) - set(files)
        differ = [
            r
            for r, d in sorted(files.items())
            if not (args.out / r).is_file() or (args.out / r).read_bytes() != d
        ]
        for r in differ + sorted(stale):
            print(f"differs: {r}")
        return 1 if differ or stale else 0
    written, removed = write(files, args.out)
    n_art = sum(1 for r in files if r.startswith("sites/") and r.endswith(".html"))
    print(
        f"build.py: {len(files)} files ({n_art} pages), {written} written, {removed} removed "
        f"under {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
