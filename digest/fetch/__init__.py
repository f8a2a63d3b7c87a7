"""Fetching over HTTP(S) and from local files, behind one class: :class:`Fetcher`.

client (the Fetcher), pool (concurrent fetching with per-host limits), guard (SSRF and
address checks), backend (pinned-address transport), body (bounded, decoded bodies),
faults (retry and error classification), files (``file:`` URLs under a root).
"""

from digest.fetch.client import Fetcher

__all__ = ["Fetcher"]
