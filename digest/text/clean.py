"""Plain text from HTML fragments, and removal of page debris from extracted article text."""

from __future__ import annotations

import html
import re
import unicodedata

# --- HTML fragments (feed titles, teasers) -> one line of plain text ---------------------------

_DROP_BLOCKS = re.compile(
    r"<(script|style|noscript|template|iframe|object|svg)\b[^>]*>.*?</\1\s*>", re.I | re.S
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|$)", re.S)
# A tag: "<" then a letter, "/", "!" or "?" (so "a < b" survives), up to the next ">".
_TAG = re.compile(r"</?[A-Za-z][^<>]*>?|<![^<>]*>|<\?[^<>]*>")
_SPACE = re.compile(r"\s+")
# C0/C1 controls (except whitespace), zero-width characters, BOM, lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ud800-\udfff]"
)


def strip_tags(fragment: str) -> str:
    """Remove tags (and script/style bodies, comments) from ``fragment``; keep the text between."""
    if "<" not in fragment:
        return fragment
    text = _DROP_BLOCKS.sub(" ", fragment)
    text = _COMMENT.sub(" ", text)
    text = _CDATA.sub(r"\1", text)
    return _TAG.sub(" ", text)


def html_to_text(fragment: str | None) -> str:
    """One line of plain text: tags stripped, entities unescaped, whitespace collapsed.

    Double-escaped markup and entities (``&lt;b&gt;``, ``&amp;amp;``), common in real feeds, are
    handled too, so the result never contains a tag.
    """
    if not fragment:
        return ""
    # Invisible characters go before each stripping, so removing them cannot join a "<" and a
    # letter into a new tag.
    text = strip_tags(_INVISIBLE.sub("", fragment))
    for _ in range(2):  # twice: "&amp;amp;" and "&lt;b&gt;" are common double-escaping bugs
        if "&" not in text:
            break
        text = strip_tags(_INVISIBLE.sub("", html.unescape(text)))
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[^\W{_CJK}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def count_words(text: str) -> int:
    """Words in ``text``; Chinese and Japanese, written without spaces, count 2 characters a word."""
    return len(_WORD.findall(text)) + len(_CJK_CHAR.findall(text)) // 2


def normalise_for_hash(text: str) -> str:
    """Lower-cased text with whitespace collapsed: the input of ``Article.content_hash``."""
    return _SPACE.sub(" ", text).strip().lower()


# --- extracted article text -> paragraphs without debris --------------------------------------

_CREDIT_AGENCY = (
    r"(?:Reuters|REUTERS|AP|AFP|EPA|EPA-EFE|Getty Images|Getty|Anadolu Agency|SANA|TASS|Xinhua|PA"
    r"|Bloomberg|Shutterstock|Alamy)"
)
_DEBRIS_LINE = re.compile(
    r"^(?:"
    r"advertisement|advertisment|ad|sponsored(?: content)?|story continues (?:below|after) (?:this )?advertisement"
    r"|continue reading(?: (?:below|the main story|the article))?|scroll (?:down )?to continue(?: reading)?"
    r"|share(?: this)?(?: article| story| page| post)?(?: on \w+)?|share via \w+|print(?: this article)?"
    r"|email(?: this article)?|tweet|comments?|\d+ comments?|view comments|show comments|leave a comment"
    r"|image|image (?:copyright|caption)(?: \S+){0,6}|media caption(?: .*)?|photo(?:graph)?|caption"
    r"|skip (?:to )?(?:main )?content|close|menu|loading\W*|listen to (?:this )?article(?: \d+ min)?"
    r"|\d+ min(?:ute)?s? read|read time:? \d+ min(?:ute)?s?|all rights reserved\W*"
    r")[\s.:!|]*$",
    re.I,
)
_PREFIX_DEBRIS = re.compile(
    r"^(?:(?:read more|read also|also read|see also|related(?: (?:stories|articles|coverage|content|news))?"
    r"|recommended(?: reading)?|further reading)\s*[:>|»\u2013\u2014-]"
    r"|(?:more(?: on (?:this|that))?|more from [\w ]{1,40}|watch|listen|most read|trending|don'?t miss"
    r"|editor'?s picks?|top stories|you may also like)\s*[:>|»])",
    re.I,
)
_NEWSLETTER = re.compile(
    r"\b(?:newsletters?|in your inbox|delivered to your inbox|mailing list|follow us on|follow @\w+"
    r"|like us on facebook|download (?:our|the) app|subscribe (?:now|today|for|to (?:our|us))"
    r"|sign up (?:now|today|here|for (?:our|the|free)|to (?:our|receive|get)))\b",
    re.I,
)
_CLICK_HERE = re.compile(r"\bclick here\b|\btap here\b", re.I)
# a cookie or consent notice printed in the body ("We use cookies to improve your experience")
_CONSENT = re.compile(
    r"\b(?:(?:we|this (?:site|website)|our partners) (?:and our partners )?(?:use|uses) cookies"
    r"|cookies? (?:policy|settings|preferences|notice)|accept (?:all )?cookies"
    r"|by (?:using|continuing to use|browsing) (?:this|our) (?:site|website)"
    r"|cookies on this (?:site|website))\b",
    re.I,
)
_COPYRIGHT = re.compile(
    r"^(?:copyright\b|\(c\)|©)|\ball rights reserved\b"
    r"|may not be (?:published|reproduced),? (?:broadcast|rewritten|or redistributed)",
    re.I,
)
_NAME = r"(?:[A-Z][\w.'\u2019-]*|de|van|von|al|el|bin|la|le|da|di|del)"
_BYLINE = re.compile(
    rf"^(?:(?:[Ww]ritten|[Rr]eported|[Pp]osted|[Ss]tory|[Ww]ords) )?(?:[Bb]y|BY):?\s+[A-Z][\w.'\u2019-]*(?:\s+{_NAME})*"
    rf"(?:\s*(?:,|&|\band\b|\||/|\u2013|\u2014|-|\bin\b|\bfor\b)\s*[A-Z][\w.'\u2019-]*(?:\s+{_NAME})*)*"
    r"[\s.,|]*(?:\d{1,2}[:.]\d{2}.*|[Uu]pdated.*|[Pp]ublished.*|\w{3,9}\.? \d{1,2},? \d{4}.*)?$"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_WORD = re.compile(
    rf"^(?:(?:published|updated|posted|last updated|first published|date)\s*(?:on|at)?\s*:?\s*)?"
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?"
    rf"(?:\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
    rf"(?:\s*(?:,|at|-|\u2013|\|)?\s*\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{{2,4}}|\s*[+-]\d{{2}}:?\d{{2}})?)?"
    rf"[\s.|]*$|^(?:published|updated|posted)\s+\d+\s+(?:minutes?|hours?|days?)\s+ago\.?$",
    re.I,
)
_DATELINE_ONLY = re.compile(
    r"^[A-Z][A-Z .'\u2019-]{2,40}(?:,\s*[A-Za-z0-9 .]{2,30})?(?:\s*\([A-Za-z .]{2,30}\))?\s*[\u2014\u2013-]{1,2}\s*$"
)
_WIRE_TAIL = re.compile(
    r"(?:\(\s*)?\b(?:(?:[Aa]dditional|[Ff]urther) )?(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Cc]ompiled|[Tt]ranslated"
    r"|[Pp]roduced)(?: and (?:writing|editing|reporting))? by\b[^()\n]{0,300}\)?\s*$"
)
_CAPTION_CREDIT = re.compile(
    r"(?:\b(?:[Pp]hoto(?:graph)?|[Pp]icture|[Ii]mage|[Pp]ic|[Cc]redit|[Ff]oto)s?(?: [Cc]redit)?\s*[:/|]\s*[A-Z][\w .'\u2019/&-]{1,60}"
    r"|\(\s*(?:AP|AFP|Reuters|EPA|Getty)[^()]{0,60}\)"
    r"|\b(?:REUTERS|AFP|EPA|ANADOLU|XINHUA)\s*/\s*[\w .'\u2019-]{2,60}"
    rf"|\s[/|\u2013\u2014-]\s*{_CREDIT_AGENCY}(?:\s*/\s*[\w .'\u2019-]{{2,40}})?"
    rf"|(?<=[a-z.)]){_CREDIT_AGENCY}"
    r"|\b(?:AFP|AP|AFP via|Reuters via|Anadolu Agency via) Getty Images"
    r"|\bGetty Images(?: for [\w ]+)?)\s*\)?$"
)
_SENTENCE_END = re.compile(r"[.!?\"'\u201d\u2019)]$")


def _is_caption(line: str, words: int) -> bool:
    """A photo caption or credit line: short, and ends with a picture credit."""
    return words <= 45 and bool(_CAPTION_CREDIT.search(line))


def _is_debris(line: str) -> bool:
    words = len(line.split())
    if _DEBRIS_LINE.match(line) or _DATE_WORD.match(line) or _DATELINE_ONLY.match(line):
        return True
    if words <= 30 and _PREFIX_DEBRIS.match(line):
        return True
    if words <= 12 and _BYLINE.match(line):
        return True
    if words <= 30 and (_NEWSLETTER.search(line) or _CLICK_HERE.search(line)):
        return True
    if words <= 45 and _CONSENT.search(line):
        return True
    if words <= 40 and _COPYRIGHT.search(line):
        return True
    return _is_caption(line, words)


def clean_article_text(text: str, title: str = "") -> str:
    """Paragraphs of ``text`` (one per line or blank-line separated) without page debris.

    Drops captions and photo credits, bylines, date-only and dateline-only lines, "Read more"/
    "Related" links, advertisement and sharing prompts, newsletter and "click here" prompts,
    cookie and consent notices, copyright lines, a repeat of the headline, and wire tails such as "(Reporting by ...; Editing
    by ...)". Returns the paragraphs joined by a blank line.
    """
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    title_key = normalise_for_hash(title)
    out: list[str] = []
    previous = ""
    for i, line in enumerate(lines):
        key = normalise_for_hash(line)
        if key == previous or (title_key and key == title_key and len(out) < 3):
            continue  # a paragraph printed twice in a row (alt text + caption), or the headline
        # "Caption" followed by "CaptionReuters": a caption printed twice, once with a credit.
        for other in (lines[i - 1] if i else "", lines[i + 1] if i + 1 < len(lines) else ""):
            if other != line and other.startswith(line) and _is_caption(other, len(other.split())):
                break
        else:
            other = ""
        if other:
            continue
        if _is_debris(line):
            continue
        tail = _WIRE_TAIL.search(line) if " by" in line else None
        if tail and tail.start() > 0 and _SENTENCE_END.search(line[: tail.start()].rstrip()):
            line = line[: tail.start()].rstrip()
        elif (
            tail
            and tail.start() == 0
            and (";" in line or line.endswith(")") or len(line.split()) <= 15)
        ):
            continue
        previous = key
        out.append(line)
    return "\n\n".join(out)
