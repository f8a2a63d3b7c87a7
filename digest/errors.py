"""The exception hierarchy: one root, one subclass per stage that can fail.

Per-item failures (one feed, one page) are caught by the stage that owns them and recorded in the
digest; only configuration and programming errors reach the user as exceptions.
"""

from __future__ import annotations

from digest.urls import redact_text, redact_url


class DigestError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(DigestError, ValueError):
    """A config file is missing, unreadable or holds a bad value.

    The message is one line: ``<file>: <key>: <what is wrong>``.
    """

    def __init__(self, path: object, key: str | None, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


class FetchError(DigestError, OSError):
    """A URL could not be fetched. ``retryable`` says whether trying again may help."""

    retryable = False

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(f"{redact_url(url)}: {redact_text(problem)}")


class TransientFetchError(FetchError):
    """Timeouts, resets, 429 and 5xx answers: safe to retry later."""

    retryable = True

    def __init__(self, url: str, problem: str, retry_after: float | None = None) -> None:
        super().__init__(url, problem)
        self.retry_after = retry_after


class BlockedURLError(FetchError):
    """The URL points somewhere the fetcher refuses to go (scheme, private address, local file)."""


class FeedError(DigestError):
    """A body could not be read as a feed at all (no entries could be recovered)."""


class ExtractError(DigestError):
    """A page held no extractable article text."""


class DeliveryError(DigestError):
    """Writing the archive or sending the email failed."""


class UndeliveredError(DeliveryError):
    """The digest was written but not emailed (it stays owed; the CLI exits 3). Carries the run
    report so the CLI can still print it."""

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report

    def __reduce__(self) -> tuple:
        return (type(self), (str(self), self.report))


class StateError(DigestError):
    """The state database cannot be opened or is from an incompatible version."""


class SourcesError(DigestError):
    """No configured source could be read: there is nothing to make a digest from."""
