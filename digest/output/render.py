"""Render one Digest through Jinja2 templates to Markdown, email-safe HTML and plain text.

Every piece of web text is escaped for its output: HTML by Jinja2's autoescape, Markdown by a
``finalize`` hook that backslash-escapes everything not explicitly built as a safe link, and plain
text by stripping control characters. Only http, https and file URLs ever become links.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from digest.models import Digest
from digest.output.present import ArticleView, Link, Sentence, clean, inline, present, safe_url
from digest.output.serialize import digest_to_json, report_rows

__all__ = ["render_markdown", "render_html", "render_text", "digest_to_json", "report_rows",
           "md_escape", "md_link"]

log = logging.getLogger(__name__)

MAX_HTML_BYTES = 100_000
# a day too busy for the budget names this many sources of an overview sentence, then "and N
# more" (a sentence fifty outlets told once took fifty links)
SHORT_CITES = 4

_CLASS_ATTR = re.compile(r' class="([^"]*)"')
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^([#+=-])")
_MD_ORDERED = re.compile(r"^(\d+)([.)])")
_MD_URL_BAD = {c: f"%{ord(c):02X}" for c in " ()<>[]\"'`\\"}


class MdSafe(str):
    """A string already safe to place in Markdown (the Markdown templates do not escape it)."""


def md_escape(text: object) -> str:
    """Web text as literal Markdown: no markup, raw HTML, link or line-start syntax survives."""
    return _md_escape(clean(text))


def _md_escape(s: str) -> str:
    s = _MD_ENTITY.sub("&amp;", _MD_INLINE.sub(r"\\\1", s))
    return _MD_ORDERED.sub(r"\1\\\2", _MD_LINE_START.sub(r"\\\1", s))


def md_link(text: object, url: str | None) -> MdSafe:
    """``[text](url)`` when ``url`` is a safe link, else the escaped text alone."""
    label = md_escape(text)
    url = safe_url(url)
    if not url:
        return MdSafe(label)
    target = "".join(_MD_URL_BAD.get(c, c) for c in url)
    return MdSafe(f"[{label or md_escape(target)}]({target})")


def _md_finalize(value: Any) -> Any:
    if isinstance(value, MdSafe | int | float) or value is None:
        return "" if value is None else value
    return _md_escape(inline(value))


def _txt_finalize(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, int | float | Wrapped) else inline(value)


def _cites_md(cites: tuple[Link, ...]) -> MdSafe:
    if not cites:
        return MdSafe("")
    return MdSafe("(" + ", ".join(md_link(c.text, c.url) for c in cites) + ")")


def _cites_txt(cites: tuple[Link, ...]) -> str:
    if not cites:
        return ""
    return "(" + ", ".join(f"{c.text} [{c.ref}]" if c.ref else c.text for c in cites) + ")"


class Wrapped(str):
    """Cleaned text already wrapped into lines (the text templates keep its line breaks)."""


def _wrap(text: str, indent: str = "", first: str | None = None, width: int = 72) -> Wrapped:
    return Wrapped(textwrap.fill(
        clean(text), width=width, initial_indent=indent if first is None else first,
        subsequent_indent=indent, break_long_words=False, break_on_hyphens=False))


@lru_cache(maxsize=1)
def _environments() -> dict[str, Environment]:
    loader = PackageLoader("digest", "templates")
    html = Environment(loader=loader, autoescape=select_autoescape(["html.j2", "xml.j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    md = Environment(loader=loader, autoescape=False, finalize=_md_finalize,
                     undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                     keep_trailing_newline=True)
    md.filters.update(link=md_link, cites=_cites_md)
    txt = Environment(loader=loader, autoescape=False, finalize=_txt_finalize,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    txt.filters.update(wrap=_wrap, cites=_cites_txt)
    return {"html": html, "md": md, "txt": txt}


@lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("digest").joinpath("templates/digest.css").read_text("utf-8")


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False,
                                 minify_css=True)


def _tidy(text: str) -> str:
    """At most one blank line in a row and exactly one final newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_markdown(digest: Digest, tz: str | dt.tzinfo | None = "UTC") -> str:
    """The digest as Markdown (web text escaped; only safe URLs become links)."""
    view = present(digest, tz)
    return _tidy(_environments()["md"].get_template("digest.md.j2").render(**view))


def render_text(digest: Digest, tz: str | dt.tzinfo | None = "UTC") -> str:
    """The digest as plain text wrapped at 72 columns (the text part of the email)."""
    view = present(digest, tz)
    return _tidy(_environments()["txt"].get_template("digest.txt.j2").render(**view))


def render_html(digest: Digest, tz: str | dt.tzinfo | None = "UTC",
                max_bytes: int = MAX_HTML_BYTES) -> str:
    """The digest as one email-safe HTML document: table layout, CSS inlined, no scripts.

    A day too busy for ``max_bytes`` (Gmail clips mail past about 100 KB) gets shorter summaries,
    then headline-only entries for the later articles, then a note in place of the last ones.
    """
    view = present(digest, tz)
    html = ""
    for shaped in _fitting(view):
        html = _render_page(shaped)
        if len(html.encode("utf-8")) <= max_bytes:
            break
    else:
        log.warning("HTML digest is %d bytes, over the %d-byte budget",
                    len(html.encode("utf-8")), max_bytes)
    return html


def _render_page(view: dict[str, Any]) -> str:
    page = _environments()["html"].get_template("digest.html.j2").render(css=_css(), **view)
    return _finish(_drop_unused_classes(_inliner().inline(page)))


def _finish(html: str) -> str:
    """Minify the kept ``<style>`` block and put the charset first (browsers look for it in the
    first 1024 bytes of a file opened from disk)."""
    html = _STYLE_BLOCK.sub(lambda m: "<style>" + re.sub(r"\s*([{};,])\s*", r"\1",
                                                           m.group(1).strip()) + "</style>", html)
    charset = '<meta charset="utf-8">'
    if charset in html:
        html = html.replace(charset, "", 1).replace("<head>", "<head>" + charset, 1)
    return html


def _fitting(view: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The view, then ever more compact versions of it (for the HTML size budget): first the
    overview's source lists, then the articles' summaries, then the articles themselves."""
    full: list[ArticleView] = list(view["articles"])  # type: ignore[arg-type]
    yield {**view, "omitted": 0, "shortened": False}
    view = {**view, "overview": _fewer_cites(view["overview"]),
            "developments": _fewer_cites(view["developments"])}
    yield {**view, "omitted": 0, "shortened": True}

    def shaped(articles: list[ArticleView], omitted: int = 0) -> dict[str, Any]:
        return {**view, "articles": articles, "omitted": omitted, "shortened": True}

    def trimmed(lead: int, sentences: int) -> list[ArticleView]:
        return full[:lead] + [replace(a, summary=a.summary[:sentences]) for a in full[lead:]]

    # the first articles keep their full summary longest
    for lead, sentences in ((20, 2), (8, 2), (8, 1), (0, 1)):
        yield shaped(trimmed(lead, sentences))
    one = trimmed(0, 1)
    for keep in (30, 15):
        yield shaped(one[:keep] + [replace(a, summary=(), also=()) for a in one[keep:]])
    bare = one[:15] + [replace(a, summary=(), also=()) for a in one[15:]]
    n = len(bare)
    while n > 1:
        n = n * 3 // 4
        yield shaped(bare[:n], omitted=len(bare) - n)


def _fewer_cites(sentences: list[Sentence]) -> list[Sentence]:
    """Each sentence with its first :data:`SHORT_CITES` sources and "and N more"."""
    return [s if len(s.cites) <= SHORT_CITES + 1 else replace(
        s, cites=(*s.cites[:SHORT_CITES], Link(f"and {len(s.cites) - SHORT_CITES} more")))
        for s in sentences]


def _drop_unused_classes(html: str) -> str:
    """Keep only the class names the remaining ``<style>`` (media queries) still refers to."""
    kept = set(re.findall(r"\.([A-Za-z][\w-]*)", " ".join(_STYLE_BLOCK.findall(html))))

    def keep(m: re.Match[str]) -> str:
        names = [c for c in m.group(1).split() if c in kept]
        return f' class="{" ".join(names)}"' if names else ""

    return _CLASS_ATTR.sub(keep, html)


def render_template(name: str, **context: Any) -> str:
    """Render another bundled template (the archive's index and feed entries) with autoescape."""
    return _environments()["html"].get_template(name).render(**context)
