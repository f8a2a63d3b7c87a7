"""The files a digest is written as, by suffix: the one registry the archive writes, replay checks
and the command line lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.models import Digest
from digest.output.render import render_html, render_markdown, render_text
from digest.output.serialize import digest_json_text


@dataclass(frozen=True)
class Format:
    suffix: str  # the file's suffix, without the dot
    label: str  # what a person calls it
    render: Callable[[Digest, str], str]  # (digest, time zone name) -> the file's text


FORMATS: tuple[Format, ...] = (
    Format("json", "JSON", lambda digest, tz: digest_json_text(digest)),
    Format("md", "Markdown", render_markdown),
    Format("txt", "Text", render_text),
    Format("html", "HTML", render_html),
)
SUFFIXES: tuple[str, ...] = tuple(f.suffix for f in FORMATS)
