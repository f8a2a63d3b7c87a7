"""One-line accounts of each stage's outcome for the run log: counts, time, what was skipped and why.

The words are the digest's own: a source is "with news", "with nothing new" or "failed".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from digest.models import Digest, FeedResult, Skipped

SOURCE_WORDS = {"ok": "with news", "not_modified": "with nothing new", "error": "failed"}
MAX_REASONS = 3


def source_words(status: str) -> str:
    """A source status in the digest's words ("with news", "with nothing new", "failed")."""
    return SOURCE_WORDS.get(status, status)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


_DETAIL = re.compile(r"\s*(\(|\S+://\S*|:\s).*$", re.S)


def reason_kind(reason: str) -> str:
    """A skip reason without its particulars (URLs, scores, the text after a colon or an opening
    parenthesis), so that like reasons count together: ``"fetch failed: HTTP 404"`` ->
    ``"fetch failed"``, ``"same article as https://…"`` -> ``"same article as"``."""
    return _short(_DETAIL.sub("", reason).strip() or reason, 60)


def _reasons(skipped: Iterable[Skipped]) -> str:
    """The commonest kinds of skip reason with their counts: ``"not about the story: 3;
    fetch failed: 1"``."""
    counts = Counter(reason_kind(s.reason) for s in skipped)
    parts = [f"{reason}: {n}" for reason, n in counts.most_common(MAX_REASONS)]
    if len(counts) > MAX_REASONS:
        parts.append(f"{len(counts) - MAX_REASONS} other reasons")
    return "; ".join(parts)


def feeds_line(feeds: Sequence[FeedResult], seconds: float) -> str:
    """``"7 feeds read in 0.4 s: 5 changed, 2 not modified since the last read, 0 failed;
    85 items"`` (whether a source has news for the window is the digest's to say)."""
    by = Counter(f.status for f in feeds)
    items = sum(len(f.entries) for f in feeds)
    line = (f"{_plural(len(feeds), 'feed')} read in {seconds:.1f} s: {by['ok']} changed, "
            f"{by['not_modified']} not modified since the last read, {by['error']} failed; "
            f"{_plural(items, 'item')}")
    failed = [f"{f.source.name}: {_short(f.error or 'failed', 60)}"
              for f in feeds if f.status == "error"]
    if failed:
        line += " (failed: " + "; ".join(failed[:MAX_REASONS])
        line += f"; {len(failed) - MAX_REASONS} more)" if len(failed) > MAX_REASONS else ")"
    return line


def pages_line(articles: int, fetched: int, reused: int, skipped: Sequence[Skipped],
               seconds: float) -> str:
    """``"6 articles of the window in 1.2 s: 4 pages fetched, 2 reused from state, 1 skipped
    (page not extracted: 1)"``."""
    line = (f"{_plural(articles, 'article')} of the window in {seconds:.1f} s: "
            f"{_plural(fetched, 'page')} fetched, {reused} reused from state, "
            f"{len(skipped)} skipped")
    if skipped:
        line += f" ({_reasons(skipped)})"
    return line


def summary_line(digest: Digest, seconds: float) -> str:
    """``"5 articles from 6 outlets summarised in 0.8 s: overview of 9 sentences, 4 quotes,
    2 figures in dispute; 3 left out (not on the story: 3)"``."""
    line = (f"{_plural(len(digest.articles), 'article')} from "
            f"{_plural(len(digest.outlets), 'outlet')} summarised in {seconds:.1f} s: "
            f"overview of {_plural(len(digest.overview), 'sentence')}, "
            f"{_plural(len(digest.quotes), 'quote')}, "
            f"{_plural(len(digest.figures), 'figure')} in dispute")
    if digest.skipped:
        line += f"; {len(digest.skipped)} left out ({_reasons(digest.skipped)})"
    return line


def publish_line(paths: Mapping[str, Path | str], seconds: float) -> str:
    """``"wrote 4 files (json, md, txt, html) to out/syria-ceasefire in 0.1 s"``."""
    folders = sorted({str(Path(p).parent) for p in paths.values()})
    return (f"wrote {_plural(len(paths), 'file')} ({', '.join(paths)}) to "
            f"{', '.join(folders) or 'nowhere'} in {seconds:.1f} s")


def delivery_line(result: Any, seconds: float) -> str:
    """How the email went, in one line (``result`` is a delivery Round, a DeliveryResult or
    ``None``)."""
    if result is None or getattr(result, "status", None) == "disabled":
        return "email not sent: [email] is off for this story"
    status = result.status
    if hasattr(result, "line"):  # a delivery Round: owed digests first, then the day's
        return f"{result.line} ({seconds:.1f} s)"
    recipients = _plural(len(result.recipients), "recipient")
    if status == "sent":
        return f"email sent to {recipients} in {seconds:.1f} s ({result.attempts} attempts)"
    if status == "skipped":
        return (f"email not sent again: this digest was already sent to {recipients} "
                f"(--resend sends it again)")
    return f"email failed after {seconds:.1f} s: {_short(result.error or 'unknown error', 200)}"


def replay_line(digest: Digest) -> str:
    """Why a re-run ran no summarise or publish task."""
    return (f"replayed: inputs unchanged since the {digest.date} digest was made, so its "
            f"{_plural(len(digest.articles), 'article')} and files are kept "
            f"(summarise and publish skipped)")
