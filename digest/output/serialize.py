"""The machine-readable digest (deterministic JSON) and the run report rows built from it."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

from digest.models import Attributed, Digest
from digest.runlog import source_words
from digest.urls import redact_text, redact_url

TIMING_SUFFIXES = ("_seconds", "_s", "_secs", "_time")


def _iso(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def _num(value: float | None, places: int) -> float | int | None:
    """A stable rounding; integers stay integers; NaN and infinity become null."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        return None
    r = round(float(value), places)
    return int(r) if r.is_integer() else r


def _attributed(items: tuple[Attributed, ...]) -> list[dict[str, Any]]:
    return [{"text": a.text, "sources": list(a.sources), "outlets": list(a.outlets)} for a in items]


def digest_to_json(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-ready data. Lists whose order carries no meaning are sorted, floats
    rounded and timings left out, so two runs over the same input differ only in
    ``generated_at``."""
    d = digest
    articles = []
    for item in d.articles:
        a = item.article
        articles.append({
            "url": a.url, "canonical_url": a.canonical_url, "title": a.title, "outlet": a.outlet,
            "author": a.author, "published": _iso(a.published), "updated_at": _iso(a.updated),
            "summary": list(item.summary), "relevance": _num(item.judgement.score, 4),
            "why": item.judgement.why, "matched_terms": sorted(item.judgement.matched_terms),
            "updated": bool(item.updated),
            "also_reported_by": [{"outlet": r.outlet, "url": r.url} for r in
                                 sorted(item.also_reported_by, key=lambda r: (r.outlet, r.url))],
        })
    out = {
        "story": {"slug": d.story.slug, "title": d.story.title},
        "date": d.date.isoformat(),
        "previous_date": d.previous_date.isoformat() if d.previous_date else None,
        "window": {"since": _iso(d.window.since), "until": _iso(d.window.until)},
        "generated_at": _iso(d.generated_at),
        "overview": _attributed(d.overview),
        "developments": _attributed(d.developments),
        "articles": articles,
        "quotes": [{"text": q.text, "speaker": q.speaker, "outlet": q.outlet, "url": q.url}
                   for q in d.quotes],
        "figures": [{"label": f.label, "claims": [
            {"value": c.value, "number": _num(c.number, 6), "attributed_to": c.attributed_to,
             "outlet": c.outlet, "url": c.url, "sentence": c.sentence} for c in f.claims]}
            for f in d.figures],
        "timeline": [{"date": t.date.isoformat(), "text": t.text, "url": t.url}
                     for t in sorted(d.timeline, key=lambda t: (t.date, t.text))],
        "sources": [{"name": s.name, "url": redact_url(s.url), "status": s.status,
                     "error": redact_text(s.error) if s.error else None, "items": s.items}
                    for s in sorted(d.sources, key=lambda s: (s.name, s.url))],
        "skipped": [{"url": s.url, "reason": s.reason, "title": s.title, "kind": s.kind}
                    for s in sorted(d.skipped, key=lambda s: (s.url, s.reason, s.title))],
        "possibly_related": [{"url": s.url, "title": s.title, "why": s.reason}
                             for s in d.near_misses],
        "counts": {"articles": len(d.articles), "outlets": len(d.outlets),
                   "sources": len(d.sources), "failed_sources": len(d.failed_sources),
                   "skipped": len(d.skipped)},
        # counts only: timings (keys ending in _seconds/_s) vary run to run and go to the report
        "stats": {k: _num(v, 3) for k, v in sorted(d.stats.items()) if not is_timing(k)},
    }
    if d.rebuilt:  # only then: a digest made once has the same JSON as before this key existed
        out["rebuilt"] = d.rebuilt
    return out


def digest_json_text(digest: Digest) -> str:
    """The JSON file's text: sorted keys, two-space indent, UTF-8 characters kept."""
    return json.dumps(digest_to_json(digest), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def is_timing(key: str) -> bool:
    return key.endswith(TIMING_SUFFIXES) or key.startswith("seconds")


def report_rows(digest: Digest, timings: Mapping[str, float] | None = None
                ) -> list[dict[str, Any]]:
    """Rows for the run report table: one per source, then counts, then timings (seconds).

    Every row has the same keys (``section``, ``name``, ``status``, ``value``, ``detail``).
    Sources are described in the digest's words: "with news", "with nothing new", "failed".
    ``timings`` maps stage names to seconds; stats keys ending in ``_seconds``/``_s`` are
    timings too, and every other stat is a count.
    """
    d = digest
    rows: list[dict[str, Any]] = [
        {"section": "source", "name": s.name, "status": source_words(s.status), "value": s.items,
         "detail": redact_text(s.error) if s.error else redact_url(s.url)}
        for s in d.sources]
    counts = {"articles": len(d.articles), "outlets": len(d.outlets),
              "sources with news": sum(s.status == "ok" for s in d.sources),
              "sources with nothing new": sum(s.status == "not_modified" for s in d.sources),
              "sources failed": len(d.failed_sources), "skipped": len(d.skipped),
              "overview sentences": len(d.overview), "quotes": len(d.quotes),
              "figures": len(d.figures)}
    rows += [{"section": "count", "name": k, "status": "", "value": v, "detail": ""}
             for k, v in counts.items()]
    for key, value in sorted(d.stats.items()):
        section = "timing" if is_timing(key) else "count"
        rows.append({"section": section, "name": key, "status": "",
                     "value": _num(value, 3), "detail": "seconds" if section == "timing" else ""})
    for key, value in (timings or {}).items():
        rows.append({"section": "timing", "name": key, "status": "", "value": _num(value, 3),
                     "detail": "seconds"})
    rows.sort(key=lambda r: ("source", "count", "timing").index(r["section"]))
    return rows
