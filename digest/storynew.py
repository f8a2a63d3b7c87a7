"""Drafting a story config from a few seed articles (``digest story new``).

The seeds' salient names (capitalised runs such as "Dylann Roof", "Van der Bellen", found in
every seed and weighted by prominence: title, then lede, then body) become the ``require`` groups
when the user's title names them (the top one, and a second name the title gives) and ``terms``
(a title naming none of them requires nothing: its names stand in, see
``relevance.implied_concepts``); distinctive lower-case words (shared by the seeds, not among common English words)
join ``terms``; the seeds' ledes draft the description. Nothing is downloaded: the common-word
list is jusText's English stoplist (shipped with trafilatura) and a small list kept here.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from digest._configread import slugify
from digest.errors import ConfigError, DigestError
from digest.relevance import implied_concepts

if TYPE_CHECKING:
    from digest.sources import Getter

MAX_EVENTS = 3  # words offered for a group of what happened
MAX_TERMS = 10  # names and words proposed as [relevance] terms
MAX_WORDS = 5  # of which distinctive lower-case words at most
DESCRIPTION_WORDS = 90
TITLE_WEIGHT, LEDE_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
LEDE_PARAGRAPHS = 2
SECOND_GROUP_SHARE = 0.5  # a second required name must weigh at least this share of the first
# a title's name that no seed headline gives must weigh at least this share of the seeds'
# heaviest shared name to be required: else the seeds are about something the title names only
# as a setting ("Canada" beside Trudeau and the royals), and the title's names stand in, softly
MINOR_SHARE = 0.5

# Lower-case words that may sit inside a name ("Van der Bellen", "Bashar al-Assad").
_PARTICLES = {"van", "der", "den", "de", "von", "da", "del", "della", "di", "du", "la", "le",
              "al", "el", "bin", "ibn", "y"}
# Common words jusText's stoplist lacks: news verbs and nouns, calendar words, titles.
_COMMON_EXTRA = set("""
said says say told according reported report reports news people year years month months week
weeks day days time today yesterday tomorrow morning evening night official officials government
state states country countries city world new first last next former chief president minister
mr mrs ms dr sir prime group company companies percent per cent million billion thousand
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
north south east west northern southern eastern western national international public local
spokesman spokeswoman statement interview press agency reuters ap afp update updated live
photo video image copyright read more also could would should might must will one two three four
five six seven eight nine ten many much several number part including however while since
early late later earlier ago around across among told added asked called going make made
assistant attorney judge senator governor mayor secretary general justice chairman chairwoman
executive director professor officer sheriff police lawyer prosecutor prosecutors defense
defence leader spokesperson category why how what when where who which whose
""".split())
_ABBREVIATION = re.compile(
    r"(?<!\w)(?:(?:[A-Z]\.)+[A-Z]|St|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Jr|Sr|Mt|Ft|Prof|Rev|[A-Z]\.[A-Z]|[A-Z])\.$")
_CAP_TOKEN = re.compile(r"[A-Z][\w'’.\-]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]")
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’\-]{2,}(?:\([^)]{1,60}\))?\s*[—–-]+\s*")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")


class StoryDraftError(DigestError):
    """A story config could not be drafted (no seed readable, output exists, no feed found)."""


@dataclass(frozen=True)
class Seed:
    """One seed article: where it came from, its title and paragraphs."""

    label: str  # the file path or URL as given
    title: str
    paragraphs: tuple[str, ...]
    path: Path | None = None  # an existing file used as it is (None: to be saved)

    @property
    def lede(self) -> str:
        return "\n\n".join(self.paragraphs[:LEDE_PARAGRAPHS])

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs[LEDE_PARAGRAPHS:])

    def as_text(self) -> str:
        return "\n\n".join([self.title, *self.paragraphs] if self.title else self.paragraphs) + "\n"


@dataclass(frozen=True)
class Draft:
    """What ``digest story new`` proposes; :func:`render_config` writes it as TOML."""

    title: str
    slug: str
    description: str
    require: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]
    # words every seed's headline or lede writes (what happened): offered, in a comment, as a
    # group to add when the story's one actor also makes other news
    events: tuple[str, ...] = ()


# -- reading seeds ----------------------------------------------------------------------------


def seed_from_text(text: str, label: str, path: Path | None = None) -> Seed:
    """A seed from plain text: paragraphs split on blank lines; a short first line is the title."""
    blocks = [re.sub(r"\s+", " ", b).strip() for b in re.split(r"\n\s*\n", text)]
    blocks = [b for b in blocks if b]
    if len(blocks) == 1:  # one paragraph per line
        blocks = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = ""
    if blocks and len(blocks[0].split()) <= 25 and not blocks[0].endswith((".", "?", "!", ":")):
        title, blocks = blocks[0], blocks[1:]
    return Seed(label=label, title=title, paragraphs=tuple(blocks), path=path)


def read_seed_file(path: str | Path) -> Seed:
    """A seed article from a text file; raises :class:`StoryDraftError` (one line)."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise StoryDraftError(f"{path}: cannot read: {exc.strerror or exc}") from None
    seed = seed_from_text(text, str(path), p.resolve())
    if sum(len(x.split()) for x in seed.paragraphs) < 25:
        raise StoryDraftError(f"{path}: too short to be an article")
    return seed


def fetch_seed(fetcher: Getter, url: str) -> Seed:
    """A seed article fetched (the project's Fetcher) and extracted (trafilatura)."""
    from digest.errors import ExtractError, FetchError
    from digest.extract import extract_article

    try:
        resp = fetcher.get(url)
        art = extract_article(resp.body, url=resp.final_url, entry=None,
                              outlet=urlsplit(resp.final_url).hostname or "",
                              content_type=resp.headers.get("content-type"))
    except FetchError as exc:
        raise StoryDraftError(f"{url}: {exc.problem}") from None
    except ExtractError as exc:
        raise StoryDraftError(f"{url}: {exc}") from None
    return Seed(label=url, title=art.title, paragraphs=art.paragraphs)


def is_url(value: str) -> bool:
    return urlsplit(value).scheme.lower() in ("http", "https")


# -- drafting ---------------------------------------------------------------------------------


def common_words() -> frozenset[str]:
    """Lower-case words too common in English to name a story."""
    words = set(_COMMON_EXTRA)
    try:
        import justext

        words |= {w.lower() for w in justext.get_stoplist("English") if "." not in w}
    except Exception:  # noqa: BLE001 - the built-in list still works alone
        pass
    return frozenset(words)


def _clean(paragraph: str) -> str:
    return _DATELINE.sub("", paragraph)


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for para in text.split("\n\n"):
        parts: list[str] = []
        for s in _SENTENCE_END.split(para.strip()):
            if parts and _ABBREVIATION.search(parts[-1]):  # "St. Louis", "U.S. officials"
                parts[-1] = f"{parts[-1]} {s}"
            elif s:
                parts.append(s)
        out.extend(parts)
    return out


def _names_in(sentence: str, common: frozenset[str]) -> list[str]:
    """Capitalised runs in a sentence ("Hurricane Matthew", "Van der Bellen"), not its first
    word when that is a common word ("The", "Six")."""
    tokens = re.findall(r"[\w'’.\-]+|[^\w\s]", sentence)
    names: list[str] = []
    run: list[str] = []

    def close() -> None:
        while run and run[-1].lower() in _PARTICLES:
            run.pop()
        if run:
            names.append(" ".join(run))
        run.clear()

    for i, tok in enumerate(tokens):
        bare = re.sub(r"['’]s$", "", tok)
        possessive, tok = bare != tok, bare.strip("'’-")
        if tok.endswith(".") and not _ABBREVIATION.fullmatch(tok):
            tok = tok.rstrip(".")
        if not tok:
            close()
            continue
        low = tok.lower()
        capital = bool(_CAP_TOKEN.fullmatch(tok)) and not tok.isdigit()
        if tok.isdigit() and len(tok) <= 3 and run and run[-1].lower() not in common:
            run.append(tok)  # a number ends a name ("Article 50", "Falcon 9"); not a year, a day
            close()
            continue
        if capital and low in common and (i == 0 or not run):
            if low in _PLACE_WORDS and i + 1 < len(tokens) \
                    and _CAP_TOKEN.fullmatch(tokens[i + 1]) \
                    and tokens[i + 1].lower() not in common:
                run.append(tok)  # "North Korea" is not "South Korea": the word is the name's
                continue
            close()  # "The", "Monday", "President" alone or at a start
            continue
        if capital:
            run.append(tok)
            if possessive:  # "Moscow's MH17", "South Florida's Colombians": two names
                close()
        elif run and low in _PARTICLES:
            run.append(tok)
        else:
            close()
    close()
    # one letter is no name; an all-capitals word is an acronym ("AME") or a dateline ("PARIS")
    return [n for n in names if (len(n) > 1 and not n.isupper()) or 2 <= len(n) <= 5]


# common words that start a place's name and tell it from another of the same ending
_PLACE_WORDS = frozenset("north south east west northern southern eastern western new upper "
                         "lower central".split())


def _count_any(forms: Sequence[str], text: str) -> int:
    """Mentions of any of the forms (a longer form's match is not counted twice)."""
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return len(re.findall(rf"(?<!\w)(?:{alts})(?!\w)", text))


# endings that make a people or an adjective of a place's name ("Haiti" -> "Haitians", "India"
# -> "Indian", "Pakistan" -> "Pakistani"), not another name ("India" -> "Indiana")
_DERIVED_ENDINGS = frozenset({"n", "ns", "an", "ans", "ian", "ians", "i", "is", "s"})


def _derived_from(word: str, forms: Sequence[str]) -> bool:
    """``word`` is one of ``forms`` with a people or adjective ending ("North Korean" of
    "North Korea"; a longer name's plural is another thing: "Ryder Cups")."""
    return any(word.count(" ") == f.count(" ") and word.startswith(f)
               and word[len(f):] in _DERIVED_ENDINGS and (" " not in f or word[len(f):] != "s")
               for f in forms)


def _merge_derived(concepts: list[_Concept]) -> list[_Concept]:
    """Names derived from another by a people or adjective ending ("Austria": "Austrian",
    "Austrians"; "North Korea": "North Korean") join it: an article may use either."""
    out: list[_Concept] = []
    for c in sorted(concepts, key=lambda c: len(min(c.forms, key=len))):
        (word,) = c.forms if len(c.forms) == 1 else ("",)
        base = next((o for o in out if _derived_from(word, o.forms)), None)
        if base is not None and word:
            base.forms.append(word)
        else:
            out.append(c)
    return out


def _add_common_derived(concepts: list[_Concept], seeds: Sequence[Seed]) -> None:
    """A name's derived forms the seeds use join it even when they are common words and so
    never names of their own ("India": "Indian"): an article may write only the adjective."""
    capital = sorted({w for s in seeds for w in _WORD.findall(s.as_text()) if w[:1].isupper()})
    for c in concepts:
        names = list(c.forms)
        c.forms.extend(w for w in capital if w not in names and _derived_from(w, names))


@dataclass
class _Concept:
    forms: list[str]  # longest first
    weight: float = 0.0
    seeds: int = 0  # seeds mentioning it
    in_titles: int = 0  # seed titles naming it
    short_form: bool = False  # the seeds also use the name's end alone ("Roof", "Hofer")


def _concepts(seeds: Sequence[Seed], common: frozenset[str], title: str = "") -> list[_Concept]:
    """Names found in the seeds, variants merged (a surname joins the full name, the one the
    ``title`` writes if any), ranked."""
    found: Counter[str] = Counter()
    for s in seeds:
        for sentence in _sentences("\n\n".join([s.title, *map(_clean, s.paragraphs)])):
            found.update(_names_in(sentence, common))
    # a word the seeds also write in lower case is a word, not a name ("Bank" of "Deutsche
    # Bank" next to "the bank"): it neither stands for a longer name nor is a name alone
    lower = {w for s in seeds for w in _WORD.findall(s.as_text()) if w.islower()}
    names = sorted((n for n in found if " " in n or n.lower() not in lower),
                   key=lambda n: (-len(n.split()), -found[n], n))
    concepts: list[_Concept] = []
    for name in names:
        # a name that ends a longer one ("Roof" of "Dylann Roof"), or is a later word of a
        # person's longer name ("Bongo" of "Ali Bongo Ondimba"), joins it; of several, the one
        # the title writes ("Ali Bongo", not his father "Omar Bongo"), else the one the seeds
        # write most ("Pitt": "Brad Pitt", not a once-mentioned "Angelina Jolie Pitt")
        homes = [c for c in concepts
                 if any(_later_word(name, f) for f in c.forms) and name.lower() not in common]
        home = max(homes, key=lambda c: (any(_titled(name, f, title) for f in c.forms),
                                         sum(found[f] for f in c.forms)), default=None)
        if home:
            home.forms.append(name)
            home.short_form = True
        else:
            concepts.append(_Concept(forms=[name]))
    concepts = _merge_derived(concepts)
    _add_common_derived(concepts, seeds)
    for c in concepts:
        for s in seeds:
            t, lede, body = s.title, _clean(s.lede), s.body
            w = (TITLE_WEIGHT * _count_any(c.forms, t) + LEDE_WEIGHT * _count_any(c.forms, lede)
                 + BODY_WEIGHT * _count_any(c.forms, body))
            c.weight += w
            c.seeds += w > 0
            c.in_titles += _count_any(c.forms, t) > 0
    concepts = [c for c in concepts if c.weight > 0]
    concepts.sort(key=lambda c: (-c.seeds, -c.weight, c.forms[0]))
    return concepts


def _later_word(name: str, form: str) -> bool:
    """``name`` (one word) ends ``form``, or is a later word of it when every word of ``form``
    is capitalised (a person's names, not "Bank of Korea")."""
    words = form.split()
    if len(words) < 2 or " " in name:
        return form.endswith(" " + name)
    return words[-1] == name or (name in words[1:] and all(w[:1].isupper() for w in words))


def _titled(name: str, form: str, title: str) -> bool:
    """The title writes ``form`` up to ``name`` ("Ali Bongo" of "Ali Bongo Ondimba")."""
    words = form.split()
    if name in words[1:]:
        form = " ".join(words[:words.index(name, 1) + 1])
    return _has_words(form, title)


def _key_words(seeds: Sequence[Seed], common: frozenset[str], taken: set[str]) -> list[str]:
    """Lower-case words the seeds share and common English lacks, most frequent first."""
    per_seed = [Counter(w.lower() for w in _WORD.findall(f"{s.title}\n{s.lede}\n{s.body}")
                        if w.islower()) for s in seeds]
    need = len(seeds) if len(seeds) <= 2 else math.ceil(len(seeds) / 2)
    total: Counter[str] = Counter()
    for c in per_seed:
        total.update(c)
    words = [w for w, n in total.items()
             if len(w) >= 4 and w not in common and w not in taken and n >= 2
             and sum(w in c for c in per_seed) >= need]
    return sorted(words, key=lambda w: (-sum(w in c for c in per_seed), -total[w], w))


def draft_story(title: str, seeds: Sequence[Seed]) -> Draft:
    """Propose a story config's title, slug, description, ``require`` and ``terms``."""
    if not seeds:
        raise StoryDraftError("no seed article could be read")
    common = common_words()
    ranked = _concepts(seeds, common, title)  # read only below: the forms are copied out
    concepts = [c for c in ranked if c.seeds == len(seeds)] or ranked[:1]
    require: list[tuple[str, ...]] = []
    named = [c for c in concepts if _in_title(c, title)]
    minor = bool(named) and _minor(named[0], concepts)
    if named and not minor:  # what the user's title names, as the seeds spell it
        top = named[0]
        forms = list(_forms(top, common))
        others = []
        for c in named[1:]:  # "Hanjin" and "Hanjin Shipping" are one name, not two concepts
            if _overlap(c.forms, top.forms):
                forms += [f for f in _forms(c, common) if f not in forms]
            else:
                others.append(c)
        require.append(tuple(forms))
        second = [c for c in others if c.weight >= SECOND_GROUP_SHARE * top.weight]
        if second:  # another name the title gives: a second concept ("Bayer buys Monsanto")
            require.append(_forms(second[0], common))
    elif concepts and not minor and not implied_concepts(title, [s.as_text() for s in seeds]):
        require.append(_forms(concepts[0], common))  # the title names nothing: the seeds' name
    # else: a title naming what the seeds do not share (the Chelsea bombings, seeded with the
    # first reports from Seaside Park) requires nothing: the title's names stand in, softly
    # (relevance.implied_concepts), and no name the user did not give becomes a must
    taken = {f.lower() for g in require for f in g}
    need = len(seeds) if len(seeds) <= 2 else math.ceil(len(seeds) / 2)
    terms: list[str] = []
    for c in ranked:
        if c.seeds >= need and not any(f.lower() in taken for f in c.forms):
            terms.append(c.forms[0])
            taken.update(f.lower() for f in c.forms)
    terms = terms[:MAX_TERMS - MAX_WORDS]
    words = _key_words(seeds, common, taken | {w for t in terms for w in t.lower().split()})
    terms += words[:MAX_TERMS - len(terms)][:MAX_WORDS]
    heads = [f"{s.title}\n{_clean(s.lede)}".lower() for s in seeds]
    events = [w for w in words if all(_has_words(w, h) for h in heads)][:MAX_EVENTS]
    return Draft(title=title.strip(), slug=slugify(title), description=_description(title, seeds),
                 require=tuple(require), terms=tuple(terms), events=tuple(events))


def _minor(c: _Concept, concepts: Sequence[_Concept]) -> bool:
    """The seeds treat ``c`` as a setting, not as what they are about: no seed headline names
    it and it weighs under ``MINOR_SHARE`` of the heaviest name they share. A page of the story
    may well never write it (Canadian outlets on a royal tour of Canada)."""
    heaviest = max(x.weight for x in concepts)
    return c.in_titles == 0 and c.weight < MINOR_SHARE * heaviest


def _overlap(forms: Sequence[str], top: Sequence[str]) -> bool:
    """Every one of ``forms`` is part of a ``top`` form or has one in it: the same name told
    longer or shorter ("Hanjin Shipping" and "Hanjin"), not another name beside it ("Singapore
    Zika" and "Zika" stay a concept of their own next to "Singapore")."""
    return all(any(_has_words(f, t) or _has_words(t, f) for t in top) for f in forms)


def _has_words(part: str, text: str) -> bool:
    """``part`` is a whole word or run of words of ``text`` (case ignored)."""
    return re.search(rf"(?<!\w){re.escape(part.lower())}(?!\w)", text.lower()) is not None


def _in_title(c: _Concept, title: str) -> bool:
    return any(_has_words(f, title) for f in c.forms)


def _forms(c: _Concept, common: frozenset[str]) -> tuple[str, ...]:
    """A concept's forms worth matching: the full name, its derived forms ("Indian": written
    capitalised, however common) and any short form that is not a common word (matching is
    case-insensitive: "Roof" also matches "roof")."""
    forms = [f for f in c.forms
             if f == c.forms[0] or f.lower() not in common or _derived_from(f, c.forms)]
    return tuple(dict.fromkeys(forms))


def _description(title: str, seeds: Sequence[Seed]) -> str:
    """The title and the first sentence of each seed's lede, within ``DESCRIPTION_WORDS``."""
    parts = [title.strip().rstrip(".") + "."]
    words = len(parts[0].split())
    for s in seeds:
        for para in s.paragraphs[:LEDE_PARAGRAPHS]:
            first = next(iter(_sentences(_clean(para))), "")
            n = len(first.split())
            if n >= 6 and first not in parts and words + n <= DESCRIPTION_WORDS:
                parts.append(first)
                words += n
                break
    return " ".join(parts)


# -- writing ----------------------------------------------------------------------------------


def _toml_str(value: str) -> str:
    import tomlkit

    return tomlkit.string(value).as_string()


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def render_config(draft: Draft, seed_paths: Sequence[str],
                  allow_networks: Sequence[str] = (), local_root: str | None = None) -> str:
    """The draft as a commented TOML config, without ``[[feeds]]`` (added afterwards)."""
    groups = ",\n    ".join(_toml_list(g) for g in draft.require)
    desc = "\n".join(_wrap(draft.description, 96))
    lines = [
        f"# Drafted by `digest story new` from {len(seed_paths)} seed article(s). Read it, edit",
        "# what is wrong (especially [relevance] require), then: digest check --config THIS-FILE",
        "",
        "[story]",
        "# The story's name: the digest's headline and the email subject.",
        f"title = {_toml_str(draft.title)}",
        "# Folder and deployment name (lower-case letters, digits, dashes); it never changes",
        "# what the story accepts.",
        f"slug = {_toml_str(draft.slug)}",
        "# IANA time zone for the dates shown in the digest (and the schedule, by default).",
        'timezone = "UTC"',
        "# Plain-text articles that define the story; the digest keeps what resembles them.",
        f"seeds = {_toml_list(seed_paths)}",
        "# A paragraph describing the story, also part of its definition (drafted from the",
        "# seeds' ledes: say in your own words what the story is about).",
        f'description = """\n{desc}\n"""',
        "",
        "[relevance]",
        "# Groups of terms: an article must mention at least one term of EVERY group (e.g. the",
        "# story's main actor, and a second one). Case-insensitive words or phrases; proposed",
        "# from the names every seed carries most prominently.",
        f"require = [\n    {groups},\n]" if draft.require else
        "# (none proposed: the seeds share no name your title gives, or only as a setting; the\n"
        "# title's names stand in, weighing what a page is about without leaving any out by\n"
        "# themselves)\n"
        "require = []",
        *_event_hint(draft),
        "# Phrases of what the story is NOT: a page whose headline, standfirst or lede has one is",
        "# left out (the description says what it is; its words count toward what a page is like).",
        "not_about = []",
        "# People, places and things of the story: shown in `why` (they do not change the score).",
        f"terms = {_toml_list(draft.terms)}",
        "# Terms of a different story that is easily confused with this one (lower the score).",
        "exclude = []",
        "# Minimum combined score (similarity to the story + its required concepts), 0 to 1.",
        "threshold = 0.5",
        "# Optional floor on the raw similarity to the story's seeds, description and recent",
        "# articles, under the self-calibrated boundary (which already leaves out a page whose",
        "# text is hardly more like the story than the day's other news). 0 (off) is the default.",
        "min_similarity = 0.0",
        "# Articles accepted on these earlier days join the story's definition.",
        "lookback_days = 7",
        "",
        "[schedule]",
        "# When the digest is made (cron, in the story's time zone): every day at 07:00.",
        'cron = "0 7 * * *"',
        "",
        "[digest]",
        "# Sentences per article summary.",
        "article_sentences = 3",
        "# Word budget of the story overview.",
        "overview_words = 250",
        "# Most articles listed per digest.",
        "max_articles = 60",
        "",
        "[output]",
        "# Where <slug>/<date>.md, .html, .txt and .json go (relative to this file).",
        'dir = "out"',
    ]
    if allow_networks or local_root:
        lines += ["", "[fetch]"]
    if allow_networks:
        lines += ["# Private or loopback networks the fetcher may read from (normally none).",
                  f"allow_networks = {_toml_list(allow_networks)}"]
    if local_root:
        lines += ["# Local (file:) feeds are read only from under this folder.",
                  f"local_root = {_toml_str(local_root)}"]
    return "\n".join(lines) + "\n\n# The feeds the story is read from (`digest feeds add URL` adds more).\n"


def _event_hint(draft: Draft) -> list[str]:
    """Comment lines offering a group for what happened, when the draft requires one concept
    or none and the seeds' headlines and ledes share such words."""
    if len(draft.require) > 1 or not draft.events:
        return []
    return ["# If the digest keeps other news of the same actor (a country's floods beside its",
            "# nuclear test), add a group for what happened; words every seed's headline or",
            f"# lede writes: {_toml_list(draft.events)}"]


def _wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.replace('"""', "'''").replace("\\", "/").split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return lines + ([cur] if cur else [])


@dataclass(frozen=True)
class Written:
    """What :func:`write_story` wrote."""

    config: Path
    draft: Draft
    seeds: tuple[Path, ...]  # the seed files the config points at
    feeds: tuple[tuple[str, str], ...]  # (name, url) as written


def write_story(out: Path, draft: Draft, seeds: Sequence[Seed], feeds: Sequence[tuple[str, str]],
                *, allow_networks: Sequence[str] = (), force: bool = False) -> Written:
    """Save fetched seeds next to the config, write the config, add its feeds (validated)."""
    from digest.feedlist import add_feeds

    out = Path(out).expanduser()
    if out.exists() and not force:
        raise StoryDraftError(f"{out}: already exists (use --force to replace it)")
    if not feeds:
        raise StoryDraftError("no feed to read the story from: pass --feeds URL (a feed or a "
                              "site that advertises one)")
    out.parent.mkdir(parents=True, exist_ok=True)
    base = out.resolve().parent
    seed_dir = base / f"{out.stem}-seeds"
    paths: list[Path] = []
    for i, s in enumerate(seeds, 1):
        if s.path is not None:
            paths.append(s.path)
            continue
        seed_dir.mkdir(exist_ok=True)
        p = seed_dir / f"{i:02d}-{slugify(s.title or 'seed')[:50]}.txt"
        p.write_text(s.as_text(), encoding="utf-8")
        paths.append(p)
    rel = [os.path.relpath(p, base) for p in paths]
    local = [_local_path(url) for _name, url in feeds]
    outside = [p for p in local if p is not None and not p.is_relative_to(base)]
    root = os.path.relpath(os.path.commonpath([base, *outside]), base) if outside else None
    text = render_config(draft, rel, allow_networks, root)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=base)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            added = add_feeds(tmp, feeds)  # validates the whole config, as loading does
        except ConfigError as exc:
            raise ConfigError(out, exc.key, exc.problem) from None
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return Written(config=out, draft=draft, seeds=tuple(paths), feeds=tuple(added))


def _local_path(url: str) -> Path | None:
    from urllib.request import url2pathname

    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https"):
        return None
    p = Path(url2pathname(parts.path)) if parts.scheme.lower() == "file" else Path(url)
    return p.expanduser().resolve().parent
