"""Re-running a day with nothing new: recognise it and return the digest already made.

A digest is a function of its inputs: this code, the config and seeds, the window, what the feeds
listed, the pages' articles, and what state holds about earlier days (digests, carried articles,
sentences sent, recent articles). :func:`input_key` hashes all of them; the digest's record in
state keeps the key. A later run of the same day whose key matches, and whose files are still on
disk, returns that digest (same ``generated_at``, files untouched) instead of judging, folding,
summarising and rendering the same articles again. Any difference at all (a file whose SHA-256
differs from the one recorded when it was written included) means a full run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import editing
from digest.models import (
    Article,
    Attributed,
    Digest,
    Entry,
    FeedResult,
    Figure,
    FigureClaim,
    Judgement,
    Quote,
    Reporter,
    Skipped,
    SourceReport,
    Story,
    StoryArticle,
    TimelineEntry,
    Window,
)
from digest.output.formats import SUFFIXES

if TYPE_CHECKING:
    from digest.history import History
    from digest.pipeline.collect import Gathered, Selection
    from digest.pipeline.context import RunContext

log = logging.getLogger(__name__)



@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of this package's source and templates: new code means new digests."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]  # the digest package
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".j2", ".css")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


_GETTERS: dict[tuple[type, str], Callable[[Any], tuple[Any, ...]]] = {}


def _values(cls: type, but: str) -> Callable[[Any], tuple[Any, ...]]:
    """The values of a dataclass's fields but ``but``, as a tuple: the key takes records this
    way rather than by their repr, which is Python code per record (hundreds per story)."""
    getter = _GETTERS.get((cls, but))
    if getter is None:
        names = [f.name for f in fields(cls) if f.name != but]
        getter = _GETTERS[(cls, but)] = operator.attrgetter(*names)
    return getter


def input_key(ctx: RunContext, feeds: Sequence[FeedResult], selection: Selection,
              gathered: Gathered, history: History) -> str:
    """A hash of everything the day's digest is made from."""
    cfg = ctx.config
    h = hashlib.blake2b(digest_size=32)

    def add(*parts: object) -> None:
        for part in parts:  # a repr holds no NUL byte: each part ends where its NUL is
            h.update(repr(part).encode("utf-8", "surrogatepass"))
            h.update(b"\x00")

    def add_text(text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(data))
        h.update(data)

    add(code_fingerprint(), cfg, ctx.day, ctx.window)
    for seed in cfg.story.seeds:
        add(seed.read_bytes())
    add([(f.source, f.status == "error", f.error) for f in feeds])
    # the selection: its candidates each as the values of its entry and of the rest
    add(replace(selection, candidates=()),
        [(_values(Entry, "")(c.entry), _values(type(c), "entry")(c))
         for c in selection.candidates])
    # the articles: a candidate hashed just above named by its canonical URL; an article's text
    # as it is, after all the rest (its repr costs several times more than hashing it)
    named = {c.canonical: c for c in selection.candidates}
    rows: list[tuple[Any, ...]] = []
    texts: list[str] = []
    for c, article, updated in gathered.articles:
        which = c.canonical if named.get(c.canonical) is c else c
        if isinstance(article, Article):
            rows.append((which, updated, "Article", _values(Article, "text")(article)))
            texts.append(article.text)
        else:
            rows.append((which, updated, article))
    add(rows)
    for text in texts:
        add_text(text)
    # skipped items as the digest sees them: one per URL, the last reason given (their order
    # differs between a first run and a re-run that finds the failures in state)
    last = {s.url: s for s in (*selection.skipped, *gathered.skipped)}
    add(sorted(last.items()), gathered.outside)
    history.feed(add)  # what the stages read of earlier days: the very same value
    return h.hexdigest()


def file_hashes(paths: dict[str, Path]) -> dict[str, str]:
    """SHA-256 of each written file, by suffix (a changed or damaged file means a full run)."""
    return {ext: hashlib.sha256(path.read_bytes()).hexdigest() for ext, path in sorted(paths.items())}


def record(key: str, digest: Digest, paths: dict[str, Path] | None = None) -> dict[str, Any]:
    """What a digest's record in state keeps besides its JSON: the key, the written files' hashes,
    and what the JSON rounds or sorts away (orders, unredacted sources, the exact time), so it can
    be rebuilt exactly."""
    return {"input_key": key, "generated_at": digest.generated_at.isoformat(),
            "files": file_hashes(paths or {}),
            "sources": [[s.name, s.url, s.error] for s in digest.sources],
            "refs": {s.url: s.ref for s in digest.skipped if s.ref},
            "articles": [{"also": [[r.outlet, r.url] for r in item.also_reported_by],
                          "terms": list(item.judgement.matched_terms),
                          "score": item.judgement.score, "nearest": item.judgement.nearest}
                         for item in digest.articles]}


@dataclass(frozen=True)
class Inputs:
    """What the day's digest is made from, as a run found it: :func:`input_key`, and how many
    pages state holds for the day's items once the run has stored what it fetched (what a run
    that finds nothing new reports as reused)."""

    key: str
    known: int


def known_after(gathered: Gathered) -> int:
    """The pages state holds for the day's items after a run that gathered ``gathered``: those
    in the window, those dated outside it and the undated (not those that failed)."""
    return (len(gathered.articles) + len(gathered.outside_urls)
            + sum(s.kind == "no_date" for s in gathered.skipped))


def unchanged_key(ctx: RunContext) -> str:
    """A hash of what a digest is made from besides state and the feeds' answers: this code,
    the config and its seeds, the day and the window."""
    h = hashlib.blake2b(digest_size=32)
    for part in (code_fingerprint(), ctx.config, ctx.day, ctx.window):
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    for seed in ctx.config.story.seeds:
        h.update(hashlib.sha256(seed.read_bytes()).digest())
    return h.hexdigest()


def mark(ctx: RunContext, inputs: Inputs) -> dict[str, Any]:
    """What state keeps beside a digest so that a later run finds it current without reading
    the day's items and pages again (:func:`unchanged_digest`)."""
    return {"key": unchanged_key(ctx), "known": inputs.known}


def unchanged_digest(ctx: RunContext, feeds: Sequence[FeedResult]
                     ) -> tuple[Digest, dict[str, Path], int] | None:
    """The day's digest, kept, when nothing it is made from can have changed: every feed
    answered "not modified", state has had no write of a digest's inputs since the digest was
    made (or a run last found it current: ``Store.generation``), and the code, config, seeds,
    day and window are the same. Its articles come from state, its files must be on disk as
    written. Returns it with the pages state holds for the day; None means: look at the
    inputs (:func:`input_key`), as a run does. Costs the feeds and a few queries, where the
    inputs cost every item of the window and its page."""
    if not feeds or any(f.status != "not_modified" for f in feeds):
        return None
    found = ctx.store.unchanged(ctx.config.story.slug, ctx.day)
    if found is None or found.get("key") != unchanged_key(ctx):
        return None
    body = ctx.store.digest_on(ctx.config.story.slug, ctx.day)
    if not body or "replay" not in body:
        return None
    urls = [a.get("url") for a in body.get("articles", ())]
    stored = ctx.store.articles_for(u for u in urls if isinstance(u, str))
    articles = {a.url: a for a, _ in stored.values() if isinstance(a, Article)}
    kept = _kept(ctx, body, articles)
    return None if kept is None else (*kept, int(found.get("known", 0)))


def stored_for(ctx: RunContext, feeds: Sequence[FeedResult], selection: Selection,
               gathered: Gathered, history: History, generation: int
               ) -> tuple[Inputs, tuple[Digest, dict[str, Path]] | None]:
    """The day's :class:`Inputs`, and the digest stored for them (:func:`stored_digest`) or
    None. A stored digest found current with state at ``generation`` (read before the inputs
    were) is marked so, for :func:`unchanged_digest`."""
    inputs = Inputs(input_key(ctx, feeds, selection, gathered, history), known_after(gathered))
    again = stored_digest(ctx, inputs.key, gathered)
    if again is not None:
        ctx.store.confirm_unchanged(ctx.config.story.slug, ctx.day, mark(ctx, inputs),
                                    generation)
    return inputs, again


def stored_digest(ctx: RunContext, key: str,
                  gathered: Gathered) -> tuple[Digest, dict[str, Path]] | None:
    """The day's digest from state when it was made from the same inputs and its files are on
    disk; otherwise None (and the day is made again)."""
    found = ctx.store.digest_on(ctx.config.story.slug, ctx.day)
    if not found or (found.get("replay") or {}).get("input_key") != key:
        return None
    articles = {a.url: a for _, a, _ in gathered.articles if isinstance(a, Article)}
    return _kept(ctx, found, articles)


def _kept(ctx: RunContext, found: dict[str, Any], articles: dict[str, Article]
          ) -> tuple[Digest, dict[str, Path]] | None:
    """The stored digest ``found`` (with its ``replay`` record), rebuilt from ``articles``
    (url -> article), when its files are on disk as written and it rebuilds exactly."""
    from digest.output.serialize import digest_to_json

    slug = ctx.config.story.slug
    body = dict(found)
    extra = body.pop("replay")
    folder = ctx.out_dir / slug
    paths = {ext: folder / f"{ctx.day.isoformat()}.{ext}" for ext in SUFFIXES}
    if not all(p.is_file() for p in paths.values()):
        return None
    try:
        # the files, byte for byte, as the run that recorded this body wrote them from the same
        # digest (a file changed since, or written by another run, differs): parsing the JSON
        # file again to compare it with the body would say nothing more
        if extra.get("files") != file_hashes(paths):
            log.info("a file of %s's digest was changed or damaged: made again", ctx.day)
            return None
        # outlets spelled as the digest spells them (its feed's name: "The Northern Post", not
        # the page's "the Northern Post"), or the rebuilt digest would never equal the stored one
        names = editing.outlet_names(f.name for f in ctx.config.feeds)
        digest = rebuild(body, extra, {u: editing.named(a, names) for u, a in articles.items()})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.info("stored digest of %s not reusable: %s", ctx.day, exc)
        return None
    if digest is None or digest_to_json(digest) != body:
        return None
    log.info("nothing new for %s: the digest made from these inputs is kept", ctx.day)
    return digest, paths


def rebuild(body: dict[str, Any], extra: dict[str, Any],
            articles: dict[str, Article]) -> Digest | None:
    """The Digest a stored JSON body was made from (its articles taken from ``articles``)."""

    def when(text: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(text) if text else None

    def attributed(items: list[dict]) -> tuple[Attributed, ...]:
        return tuple(Attributed(x["text"], tuple(x["sources"]), tuple(x["outlets"])) for x in items)

    stories = []
    for item, more in zip(body["articles"], extra["articles"], strict=True):
        article = articles.get(item["url"])
        if article is None:
            return None
        judgement = Judgement(relevant=True, score=more["score"], why=item["why"],
                              matched_terms=tuple(more["terms"]), nearest=more["nearest"])
        stories.append(StoryArticle(article, judgement, tuple(item["summary"]),
                                    tuple(Reporter(o, u) for o, u in more["also"]),
                                    item["updated"]))
    from digest.urls import redact_url

    by_key = {(s["name"], s["url"]): s for s in body["sources"]}
    sources = []
    for name, url, error in extra["sources"]:
        s = by_key[(name, redact_url(url))]
        sources.append(SourceReport(name, url, s["status"], error, s["items"]))
    return Digest(
        story=Story(**body["story"]), date=dt.date.fromisoformat(body["date"]),
        window=Window(when(body["window"]["since"]), when(body["window"]["until"])),  # type: ignore[arg-type]
        generated_at=when(extra["generated_at"]),  # type: ignore[arg-type]
        overview=attributed(body["overview"]), articles=tuple(stories), sources=tuple(sources),
        skipped=tuple(Skipped(s["url"], s["reason"], s["title"], kind=s["kind"],
                              ref=extra["refs"].get(s["url"])) for s in body["skipped"]),
        near_misses=tuple(Skipped(s["url"], s["why"], s["title"], kind="off_story")
                          for s in body.get("possibly_related", ())),
        quotes=tuple(Quote(**q) for q in body["quotes"]),
        figures=tuple(Figure(f["label"], tuple(FigureClaim(**c) for c in f["claims"]))
                      for f in body["figures"]),
        timeline=tuple(TimelineEntry(dt.date.fromisoformat(t["date"]), t["text"], t["url"])
                       for t in body["timeline"]),
        developments=attributed(body["developments"]),
        previous_date=dt.date.fromisoformat(body["previous_date"]) if body["previous_date"]
        else None,
        stats=body["stats"], rebuilt=body.get("rebuilt"))
