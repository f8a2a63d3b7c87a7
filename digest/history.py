"""What state knows of a story's earlier days, loaded once per run and passed to the stages.

One value instead of the same store queries in several places: the replay key hashes it, the
relevance profile, the folding of copies and the summaries read it, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from digest.models import Article


@dataclass(frozen=True)
class History:
    """A story's earlier days as of one digest date (everything before it)."""

    carried: Mapping[str, str] = field(default_factory=dict)  # canonical URL -> content hash
    recent: tuple[Article, ...] = ()  # articles carried in the lookback days, by canonical URL
    background: tuple[Article, ...] = ()  # any articles published in the lookback days
    sentences: tuple[str, ...] = ()  # overview sentences already sent, oldest first
    digests: tuple[tuple[dt.date, Mapping[str, Any]], ...] = ()  # earlier digests, oldest first
    verdicts: tuple[Any, ...] = ()  # a reader's corrections (feedback.Verdict), by URL

    @property
    def previous_date(self) -> dt.date | None:
        return self.digests[-1][0] if self.digests else None

    def feed(self, add: Callable[..., None]) -> None:
        """Give every part of this history to ``add`` (the replay key's hasher)."""
        add(sorted(self.carried.items()), list(self.sentences))
        for day, body in self.digests:
            add(day, json.dumps(body, sort_keys=True, ensure_ascii=False))
        add([(a.canonical_url, a.content_hash, a.title) for a in self.recent])
        add([(a.canonical_url, a.content_hash) for a in self.background])
        add(list(self.verdicts))  # a reader's corrections change the verdicts
