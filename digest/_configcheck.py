"""Load-time checks of config values that would otherwise pass and fail later, mid-run.

Each check raises :class:`~digest.errors.ConfigError` (``file: key: problem``) through the
config :class:`~digest._configread.Reader`: a cron that never fires, blank story terms,
header-unsafe strings, malformed URLs, a subject template that cannot format, recipients that are
several addresses, an optional extra that is not installed.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import re
import string
from collections.abc import Sequence
from email.utils import getaddresses

import httpx
from croniter import CroniterBadDateError, croniter

from digest._configread import Reader

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
WORD = re.compile(r"\w")
# The fields email.subject_for formats the subject with, and sample values to try them on.
SUBJECT_SAMPLE = {"title": "Story", "date": dt.date(2016, 9, 18), "articles": 12, "outlets": 5}
MAX_SUBJECT = 500  # characters of the formatted subject (RFC 5322 lines stop at 998)
_BIG_NUMBER = re.compile(r"\d{4,}")  # a width or precision of 1000+ in a format spec


def check_cron(r: Reader, key: str, cron: str, timezone: str) -> None:
    """The cron must fire at some point (``0 0 30 2 *`` is valid syntax but never fires)."""
    start = dt.datetime(2001, 1, 1)
    try:
        croniter(cron, start).get_next(dt.datetime)
    except CroniterBadDateError:
        r.fail(key, f"{cron!r} never fires (no such date); pick a day that exists")
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        r.fail(key, f"{cron!r} is not a usable cron expression ({exc})")


def check_terms(r: Reader, key: str, terms: Sequence[str]) -> None:
    """Every story term has a letter or digit (an empty term would match everything)."""
    for i, term in enumerate(terms):
        if not term.strip():
            r.fail(f"{key}[{i}]", "empty term; remove it or write a word")
        if not WORD.search(term):
            r.fail(f"{key}[{i}]", f"{term!r} has no letter or digit")
        if CONTROL.search(term):
            r.fail(f"{key}[{i}]", f"{term!r} holds control characters")


def check_header_ascii(r: Reader, key: str, value: str) -> None:
    """A value sent as an HTTP header: printable ASCII only (no CR/LF, no accents)."""
    for ch in value:
        if not (" " <= ch <= "~" or ch == "\t"):
            what = "a line break" if ch in "\r\n" else f"{ch!r}"
            r.fail(key, f"holds {what}; an HTTP header value must be printable ASCII")


def check_one_line(r: Reader, key: str, value: str) -> None:
    """Text that ends up in a mail header or a terminal line: no control characters."""
    m = CONTROL.search(value)
    if m:
        what = "a line break" if m.group() in "\r\n\u2028\u2029" else f"a control character {m.group()!r}"
        r.fail(key, f"holds {what}; it must be one line of text")


def check_url(r: Reader, key: str, url: str) -> None:
    """An http(s) URL the fetcher can parse: host, port and brackets all well formed."""
    problem = url_problem(url)
    if problem:
        r.fail(key, f"{url!r} {problem}")


@functools.lru_cache(maxsize=4096)  # fifty stories over one site's feeds: the same URLs
def url_problem(url: str) -> str | None:
    """Why an http(s) URL cannot be fetched as written (brackets, port, host, IDNA), or None."""
    from urllib.parse import urlsplit

    if CONTROL.search(url) or " " in url.strip():
        return "holds spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        if not parts.hostname:
            return "has no host"
        httpx.URL(url).host  # noqa: B018 - IDNA and bracket checks, as the fetcher makes them
    except (ValueError, httpx.InvalidURL) as exc:
        return f"is not a valid URL ({str(exc).splitlines()[0] if str(exc) else 'malformed'})"
    return None


def check_single_address(r: Reader, key: str, value: str) -> None:
    """One entry, one address: ``"a@x.org, b@y.org"`` in one string is two recipients."""
    found = getaddresses([value])
    if len(found) != 1 or not found[0][1]:
        r.fail(key, f"{value!r} is not exactly one address; list each recipient as its own "
                    "string, e.g. [\"a@example.com\", \"b@example.com\"]")


def check_subject(r: Reader, key: str, template: str, title: str) -> None:
    """The subject template formats with the fields the sender gives it, to one short line."""
    check_one_line(r, key, template)
    fields = dict(SUBJECT_SAMPLE, title=title)
    known = ", ".join(SUBJECT_SAMPLE)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        r.fail(key, f"cannot format {template!r}: {exc} (fields: {known})")
        return
    for _text, name, spec, _conv in parsed:
        if name is None:
            continue
        root = re.split(r"[.\[]", name, maxsplit=1)[0]
        if root not in fields:
            r.fail(key, f"unknown field {{{name}}} (fields: {known})")
        if "_" in name.partition(".")[2] or "[" in name:
            r.fail(key, f"field {{{name}}}: only plain fields and attributes such as "
                        "{date.year} are allowed")
        if spec and (_BIG_NUMBER.search(spec) or "{" in spec):
            r.fail(key, f"field {{{name}}}: format {spec!r} is too wide or nested")
    try:
        text = template.format(**fields)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        r.fail(key, f"cannot format {template!r}: {exc} (fields: {known})")
        return
    if len(text) > MAX_SUBJECT:
        r.fail(key, f"formats to {len(text)} characters (at most {MAX_SUBJECT})")


def check_dask(r: Reader, key: str) -> None:
    """``[runner] kind = "dask"`` needs prefect-dask (and dask.distributed) importable."""
    missing = [m for m in ("prefect_dask", "distributed") if _spec(m) is None]
    if missing:
        r.fail(key, f"\"dask\" needs {missing[0].replace('_', '-')}, which is not installed; "
                    "install it with: pip install 'story-digest[dask]' (or use kind = \"threads\")")


def _spec(module: str) -> object | None:
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
