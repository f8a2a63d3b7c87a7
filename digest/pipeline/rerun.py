"""What a run knows about its window beyond what the feeds list now, and the note saying it used it.

Feeds drop old items and sources fail; neither may make a published day worse when it is made
again. Every item a feed ever listed is kept in state (``Store.feed_entries_between``), so a run
adds the items stored for its window that the feed no longer lists (or could not list, having
failed) to what the feeds say now. When that changed a day already published, the digest says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from digest.models import Entry, FeedResult

if TYPE_CHECKING:
    from digest.pipeline import RunContext


def earlier_entries(ctx: RunContext, feeds: Sequence[FeedResult]) -> Iterator[tuple[str, Entry]]:
    """(feed name, entry) for every item stored for the window that a feed does not list now."""
    window = ctx.window
    for feed in feeds:
        fresh = {e.url for e in feed.entries}
        name = feed.source.name
        for e in ctx.store.feed_entries_between(feed.source.url, window.since, window.until):
            if e.url not in fresh:
                yield name, (e if e.source == name else replace(e, source=name))


def note(ctx: RunContext, feeds: Sequence[FeedResult], kept: Mapping[str, int]) -> str | None:
    """One line for a day made again with items only earlier reads knew, else None."""
    if not kept or not ctx.store.has_digest(ctx.config.story.slug, ctx.day):
        return None
    failed = {f.source.name for f in feeds if f.status == "error" and kept.get(f.source.name)}
    moved_feeds = [n for name, n in kept.items() if name not in failed and n]
    moved = sum(moved_feeds)
    parts = []
    if failed:
        parts.append(f"{_n(len(failed), 'source')} failed, {'its' if len(failed) == 1 else 'their'}"
                     " earlier items kept")
    if moved:
        parts.append(f"{_n(moved, 'item')} no longer in {'its' if len(moved_feeds) == 1 else 'their'}"
                     f" feed{'' if len(moved_feeds) == 1 else 's'}, kept from an earlier read")
    today = ctx.now.astimezone(ctx.config.story.tz).date()
    return f"rebuilt on {today.isoformat()}: " + "; ".join(parts)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"

