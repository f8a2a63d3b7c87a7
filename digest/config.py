"""Load and validate a story config (TOML) into frozen settings objects.

Every problem raises :class:`~digest.errors.ConfigError` with one line naming the file, the key and
what is wrong. Relative paths in the file are resolved against the file's own folder.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from croniter import croniter

from digest import _configcheck as check
from digest._configread import (
    Reader,
    check_method,
    check_timezone,
    fail,
    groups,
    looks_like_address,
    resolve_path,
    slugify,
    str_list,
    under,
)
from digest.errors import ConfigError
from digest.models import FeedSource, Story

T = TypeVar("T")

DEFAULT_USER_AGENT = "story-digest/0.1 (+https://github.com/story-digest/story-digest)"
MAX_CONFIG_BYTES = 5_000_000  # a story config with thousands of feeds is still far below this
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class StorySettings:
    title: str
    slug: str
    timezone: str = "UTC"
    description: str = ""
    seeds: tuple[Path, ...] = ()  # seed article files (plain text) that define the story

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def story(self) -> Story:
        return Story(slug=self.slug, title=self.title)


@dataclass(frozen=True)
class RelevanceSettings:
    # Groups of terms: an article must match at least one term of every group ("all of" these
    # concepts), e.g. a place and a kind of event. Terms are case-insensitive words or phrases.
    require: tuple[tuple[str, ...], ...] = ()
    # Extra story terms that raise the score (people, places, events of this story).
    terms: tuple[str, ...] = ()
    # Terms that mark a different story (lower the score, never decide alone).
    exclude: tuple[str, ...] = ()
    threshold: float = 0.5  # minimum score; 0.5 is halfway between story-like and not (relevance.py)
    min_similarity: float = 0.0  # optional floor on the raw cosine to the story's profile
    # Phrases of what the story is not: a page led by one (headline, standfirst, lede) is left out.
    not_about: tuple[str, ...] = ()
    lookback_days: int = 7  # accepted articles from these earlier days join the story profile
    # Pages with no word of some required concept anywhere in them are not extracted (screen.py)
    prefilter: bool = True


@dataclass(frozen=True)
class DigestSettings:
    article_sentences: int = 3
    overview_words: int = 250
    article_method: str = "lead"
    overview_method: str = "developments"
    max_articles: int = 60
    quotes: int = 6


MAX_WINDOW = dt.timedelta(days=31)  # the longest digest window a sparse schedule gives


@dataclass(frozen=True)
class ScheduleSettings:
    cron: str = "0 7 * * *"
    timezone: str = "UTC"

    def send_time(self, day: dt.date) -> dt.datetime:
        """The first scheduled time on ``day`` (in the schedule's time zone), as UTC."""
        tz = zoneinfo.ZoneInfo(self.timezone)
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) - dt.timedelta(seconds=1)
        nxt = croniter(self.cron, start).get_next(dt.datetime)
        if nxt.date() != day:  # no run that day: use the end of the day
            nxt = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
        return nxt.astimezone(dt.UTC)

    def window_start(self, end: dt.datetime) -> dt.datetime:
        """Where the digest window ending at ``end`` (a send time) begins: at the scheduled send
        before it, so consecutive digests leave no gap (a weekday schedule's Monday digest covers
        the weekend; a day when the clocks go back is 25 hours), but never less than 24 hours (a
        schedule that fires several times a day still digests a whole day) nor more than
        ``MAX_WINDOW``."""
        tz = zoneinfo.ZoneInfo(self.timezone)
        sends = croniter(self.cron, end.astimezone(tz) + dt.timedelta(seconds=1))
        sends.get_prev(dt.datetime)  # the send ``end`` is (or follows, for a late start)
        before = sends.get_prev(dt.datetime)
        span = end.astimezone(dt.UTC) - before.astimezone(dt.UTC)
        return end - max(dt.timedelta(days=1), min(span, MAX_WINDOW))


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 20.0  # seconds per request (connect, read, total)
    max_bytes: int = 5_000_000  # bodies are cut (and the fetch fails) past this size
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 16  # pages in flight at once
    per_host: int = 4  # pages in flight per host
    delay: float = 0.0  # politeness: seconds between two requests to one host
    retries: int = 2  # extra attempts for timeouts, resets, 429 and 5xx
    max_redirects: int = 5
    source_budget: float = 300.0  # seconds one source (its feed and pages) may take in all
    allow_networks: tuple[str, ...] = ()  # CIDR ranges allowed despite being private/loopback
    workers: int = 0  # processes for extraction; 0 means one per core
    local_root: Path | None = None  # file: URLs are read only from under this folder

    @property
    def networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_networks)


@dataclass(frozen=True)
class EmailSettings:
    enabled: bool = False
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    username: str | None = None
    password_env: str | None = None  # name of the environment variable holding the password
    password_block: str | None = None  # name of a Prefect Secret block holding the password
    sender: str = ""
    to: tuple[str, ...] = ()
    subject: str = "{title} — {date:%a %d %b %Y}: {articles} articles from {outlets} outlets"
    alert_to: tuple[str, ...] = ()
    timeout: float = 30.0
    retries: int = 3


@dataclass(frozen=True)
class RunnerSettings:
    kind: str = "threads"  # "threads" | "dask"
    address: str | None = None  # an existing Dask scheduler; a local cluster when empty
    max_workers: int = 8


@dataclass(frozen=True)
class Config:
    path: Path
    story: StorySettings
    feeds: tuple[FeedSource, ...]
    relevance: RelevanceSettings = field(default_factory=RelevanceSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    runner: RunnerSettings = field(default_factory=RunnerSettings)
    output_dir: Path = Path("out")
    state_path: Path = Path("out/state.sqlite")
    base_url: str | None = None  # where output_dir is published: the feed's links are absolute

    @property
    def base_dir(self) -> Path:
        """The folder relative paths and ``file:`` feeds are resolved against."""
        return self.path.parent

    @property
    def story_dir(self) -> Path:
        return self.output_dir / self.story.slug


# ---------------------------------------------------------------------------------------------
# Loading


def load_config(path: str | Path) -> Config:
    """Read, validate and resolve a story config file."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(path, None, "is a directory, not a config file")
    try:
        if path.exists() and not path.is_file():
            raise ConfigError(path, None, "not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(path, None, f"larger than {MAX_CONFIG_BYTES // 1_000_000} MB: "
                                          "not a story config")
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))  # a byte-order mark (Windows editors) is fine
    except UnicodeDecodeError:
        raise ConfigError(path, None, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"invalid TOML: {exc}") from None
    return parse_config(data, path.resolve())


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Validate an already-parsed TOML mapping; ``path`` is used for messages and relative paths."""
    r = Reader(path)
    r.known(data, "", {"story", "relevance", "feeds", "schedule", "digest", "output", "state",
                       "fetch", "email", "runner"})
    base = path.parent

    st = r.table(data, "story", required=True)
    r.known(st, "story", {"title", "slug", "timezone", "description", "seeds"})
    title = r.get(st, "story.title", str, required=True)
    check.check_one_line(r, "story.title", title)
    slug = r.get(st, "story.slug", str, default=slugify(title))
    if not SLUG_RE.match(slug):
        r.fail("story.slug", f"{slug!r} must be lower-case letters, digits and dashes")
    timezone = r.get(st, "story.timezone", str, default="UTC")
    check_timezone(r, "story.timezone", timezone)
    seeds = tuple(base / p for p in r.get(st, "story.seeds", str_list, default=()))
    for i, seed in enumerate(seeds):
        if not seed.is_file():
            r.fail(f"story.seeds[{i}]", f"file not found: {seed}")
    story = StorySettings(title=title, slug=slug, timezone=timezone, seeds=seeds,
                          description=r.get(st, "story.description", str, default=""))

    rel = r.table(data, "relevance")
    r.known(rel, "relevance", {"require", "terms", "exclude", "threshold", "min_similarity",
                               "lookback_days", "prefilter", "not_about"})
    require = r.get(rel, "relevance.require", groups, default=())
    for i, group in enumerate(require):
        check.check_terms(r, f"relevance.require[{i}]", group)
    for name in ("terms", "exclude"):
        check.check_terms(r, f"relevance.{name}",
                          r.get(rel, f"relevance.{name}", str_list, default=()))
    relevance = RelevanceSettings(
        require=require,
        terms=r.get(rel, "relevance.terms", str_list, default=()),
        exclude=r.get(rel, "relevance.exclude", str_list, default=()),
        threshold=r.number(rel, "relevance.threshold", 0.5, lo=0.0, hi=1.0),
        min_similarity=r.number(rel, "relevance.min_similarity", 0.0, lo=0.0, hi=1.0),
        not_about=r.get(rel, "relevance.not_about", str_list, default=()),
        lookback_days=int(r.number(rel, "relevance.lookback_days", 7, lo=0, hi=365, integer=True)),
        prefilter=r.get(rel, "relevance.prefilter", bool, default=True),
    )

    feeds = _feeds(r, data.get("feeds"), base)

    sc = r.table(data, "schedule")
    r.known(sc, "schedule", {"cron", "timezone"})
    cron = r.get(sc, "schedule.cron", str, default="0 7 * * *")
    if not croniter.is_valid(cron):
        r.fail("schedule.cron", f"{cron!r} is not a valid cron expression")
    check.check_cron(r, "schedule.cron", cron, timezone)
    sched_tz = r.get(sc, "schedule.timezone", str, default=timezone)
    check_timezone(r, "schedule.timezone", sched_tz)
    schedule = ScheduleSettings(cron=cron, timezone=sched_tz)

    dg = r.table(data, "digest")
    r.known(dg, "digest", {"article_sentences", "overview_words", "article_method",
                           "overview_method", "max_articles", "quotes"})
    digest = DigestSettings(
        article_sentences=int(r.number(dg, "digest.article_sentences", 3, lo=1, hi=20, integer=True)),
        overview_words=int(r.number(dg, "digest.overview_words", 250, lo=20, hi=5000, integer=True)),
        article_method=r.get(dg, "digest.article_method", str, default="lead"),
        overview_method=r.get(dg, "digest.overview_method", str, default="developments"),
        max_articles=int(r.number(dg, "digest.max_articles", 60, lo=1, hi=10_000, integer=True)),
        quotes=int(r.number(dg, "digest.quotes", 6, lo=0, hi=100, integer=True)),
    )
    check_method(r, "digest.article_method", digest.article_method)
    check_method(r, "digest.overview_method", digest.overview_method)

    out = r.table(data, "output")
    r.known(out, "output", {"dir", "base_url"})
    output_dir = resolve_path(base, r.get(out, "output.dir", str, default="out"))
    base_url = r.get(out, "output.base_url", str, default=None)
    if base_url is not None:
        problem = _base_url_problem(base_url)
        if problem:
            r.fail("output.base_url", problem)

    state = r.table(data, "state")
    r.known(state, "state", {"path"})
    state_path = resolve_path(base, r.get(state, "state.path", str, default=str(output_dir / "state.sqlite")))

    fe = r.table(data, "fetch")
    r.known(fe, "fetch", {"timeout", "max_bytes", "user_agent", "concurrency", "per_host", "delay",
                          "retries", "max_redirects", "source_budget", "allow_networks", "workers",
                          "local_root"})
    allow = r.get(fe, "fetch.allow_networks", str_list, default=())
    for i, net in enumerate(allow):
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            r.fail(f"fetch.allow_networks[{i}]", f"{net!r} is not an IP address or CIDR range")
    fetch = FetchSettings(
        timeout=r.number(fe, "fetch.timeout", 20.0, lo=0.1, hi=600),
        max_bytes=int(r.number(fe, "fetch.max_bytes", 5_000_000, lo=1024, hi=1 << 31, integer=True)),
        user_agent=r.get(fe, "fetch.user_agent", str, default=DEFAULT_USER_AGENT),
        concurrency=int(r.number(fe, "fetch.concurrency", 16, lo=1, hi=256, integer=True)),
        per_host=int(r.number(fe, "fetch.per_host", 4, lo=1, hi=64, integer=True)),
        delay=r.number(fe, "fetch.delay", 0.0, lo=0.0, hi=60),
        retries=int(r.number(fe, "fetch.retries", 2, lo=0, hi=10, integer=True)),
        max_redirects=int(r.number(fe, "fetch.max_redirects", 5, lo=0, hi=30, integer=True)),
        source_budget=r.number(fe, "fetch.source_budget", 300.0, lo=1, hi=86_400),
        allow_networks=allow,
        workers=int(r.number(fe, "fetch.workers", 0, lo=0, hi=256, integer=True)),
        local_root=resolve_path(base, r.get(fe, "fetch.local_root", str, default=".")),
    )
    check.check_header_ascii(r, "fetch.user_agent", fetch.user_agent)
    for i, feed in enumerate(feeds):
        if feed.url.startswith("file:") and not under(Path(urlsplit(feed.url).path),
                                                       fetch.local_root):
            r.fail(f"feeds[{i}].url", f"local feed is outside fetch.local_root "
                                      f"({fetch.local_root}); set [fetch] local_root")

    email = _email(r, r.table(data, "email"))
    check.check_subject(r, "email.subject", email.subject, title)

    ru = r.table(data, "runner")
    r.known(ru, "runner", {"kind", "address", "max_workers"})
    kind = r.get(ru, "runner.kind", str, default="threads")
    if kind not in ("threads", "dask"):
        r.fail("runner.kind", f"{kind!r} must be \"threads\" or \"dask\"")
    if kind == "dask":
        check.check_dask(r, "runner.kind")
    runner = RunnerSettings(
        kind=kind,
        address=r.get(ru, "runner.address", str, default=None),
        max_workers=int(r.number(ru, "runner.max_workers", 8, lo=1, hi=256, integer=True)),
    )

    return Config(path=path, story=story, feeds=feeds, relevance=relevance, digest=digest,
                  schedule=schedule, fetch=fetch, email=email, runner=runner,
                  output_dir=output_dir, state_path=state_path, base_url=base_url)


def _base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the published address of the output folder (None when it can)."""
    if not url.isprintable() or any(c.isspace() for c in url) or not url.isascii():
        return f"{url!r} must be a plain ASCII URL (percent-encode anything else)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return f"{url!r} is not a URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} must be an absolute http(s) URL, e.g. https://example.org/digests"
    if parts.username or parts.password:
        return f"{url!r} must not carry a user name or password"
    if parts.query or parts.fragment:
        return f"{url!r} must not have a query or fragment"
    return None


# ---------------------------------------------------------------------------------------------
# Sections with more structure


def _feeds(r: Reader, raw: Any, base: Path) -> tuple[FeedSource, ...]:
    if raw is None:
        r.fail("feeds", "missing: add at least one [[feeds]] table with name and url")
    if not isinstance(raw, list) or not all(isinstance(f, dict) for f in raw):
        r.fail("feeds", "must be an array of tables ([[feeds]])")
    if not raw:
        r.fail("feeds", "is empty: add at least one [[feeds]] table with name and url")
    feeds: list[FeedSource] = []
    names: set[str] = set()
    for i, f in enumerate(raw):
        key = f"feeds[{i}]"
        r.known(f, key, {"name", "url"})
        url = r.get(f, f"{key}.url", str, required=True).strip()
        resolved = resolve_feed_url(r, f"{key}.url", url, base)
        name = r.get(f, f"{key}.name", str, default="").strip() or urlsplit(url).netloc or url
        check.check_one_line(r, f"{key}.name", name)
        if name in names:
            r.fail(f"{key}.name", f"duplicate feed name {name!r}")
        names.add(name)
        feeds.append(FeedSource(name=name, url=resolved))
    return tuple(feeds)


def resolve_feed_url(r: Reader | None, key: str, url: str, base: Path) -> str:
    """Turn a configured feed location into an absolute ``http(s)://`` or ``file:`` URL."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        fail(r, key, f"{url!r} is not a valid URL ({exc})")
        raise AssertionError from None  # unreachable
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            fail(r, key, f"{url!r} has no host")
        check.check_url(r or Reader(Path("<config>")), key, url)
        return url
    if scheme == "file":
        local = Path(parts.path)
    elif scheme and len(scheme) > 1:  # "c:" style drive letters are paths, not schemes
        fail(r, key, f"{url!r}: only http, https and file URLs or paths are allowed")
        raise AssertionError  # unreachable
    else:
        local = Path(url).expanduser()
    if not local.is_absolute():
        local = base / local
    local = local.resolve()
    if not local.exists():
        fail(r, key, f"file not found: {local}")
    return local.as_uri()


def _email(r: Reader, em: Mapping[str, Any]) -> EmailSettings:
    r.known(em, "email", {"enabled", "host", "port", "security", "username", "password_env",
                          "password_block", "password", "from", "to", "subject", "alert_to",
                          "timeout", "retries"})
    if "password" in em:
        r.fail("email.password", "passwords never go in the config file; set password_env to the "
                                 "name of an environment variable (or password_block)")
    security = r.get(em, "email.security", str, default="starttls")
    if security not in ("starttls", "ssl", "none"):
        r.fail("email.security", f"{security!r} must be \"starttls\", \"ssl\" or \"none\"")
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    to = r.get(em, "email.to", str_list, default=())
    alert_to = r.get(em, "email.alert_to", str_list, default=())
    sender = r.get(em, "email.from", str, default="")
    for key, addrs in (("email.to", to), ("email.alert_to", alert_to), ("email.from", (sender,))):
        for a in addrs:
            if a:  # two addresses in one string first: Python versions parse those differently
                check.check_single_address(r, key, a)
            if a and not looks_like_address(a):
                r.fail(key, f"{a!r} is not an email address")
    enabled = r.get(em, "email.enabled", bool, default=False)
    settings = EmailSettings(
        enabled=enabled,
        host=r.get(em, "email.host", str, default="localhost"),
        port=int(r.number(em, "email.port", default_port, lo=1, hi=65535, integer=True)),
        security=security,
        username=r.get(em, "email.username", str, default=None),
        password_env=r.get(em, "email.password_env", str, default=None),
        password_block=r.get(em, "email.password_block", str, default=None),
        sender=sender,
        to=to,
        subject=r.get(em, "email.subject", str, default=EmailSettings.subject),
        alert_to=alert_to,
        timeout=r.number(em, "email.timeout", 30.0, lo=1, hi=600),
        retries=int(r.number(em, "email.retries", 3, lo=0, hi=10, integer=True)),
    )
    if enabled and not settings.to:
        r.fail("email.to", "email is enabled but has no recipients")
    if enabled and not settings.sender:
        r.fail("email.from", "email is enabled but has no sender address")
    return settings
