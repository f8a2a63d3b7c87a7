"""A synthetic but realistic news web for benchmarks: generated outlets, feeds and pages, and a
threaded HTTP server on loopback aliases that adds per-request latency and answers conditional GETs.

    web = SyntheticWeb(WebSpec(articles=2000))          # 50 feeds x 40 items, deterministic
    with WebServer(web, latency=0.05) as server:        # 127.0.0.2, 127.0.0.3, ... one per outlet
        server.feeds(span=1)                             # [{"name": ..., "url": ...}] for a config

Pages are 40-120 KB of HTML from five structurally different templates (classic divs, HTML5
article, a React-style page with its JSON state, a table layout, an AMP page) with the chrome real
pages carry: navigation, ads, related and most-read lists, comments, footers, inline CSS and
scripts. Article text comes from the grammars of :class:`TextBank`: a share of story
articles built from the story pack's sentences (so relevance and summarisation have real work), a
share of off-story articles that mention the story in passing, and syndicated copies of other
outlets' articles under a new headline. Feeds are RSS 2.0 or Atom, dated within the one-day window
(``span=1``) or spread over the seven days before it (``span=7``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import html
import json
import random
import re
import threading
import time
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ("classic", "html5", "spa", "table", "amp")
SECTIONS = ("world", "politics", "business", "technology", "sport", "health", "science",
            "culture", "opinion", "uk", "us", "middle-east", "europe", "environment")


@dataclass(frozen=True)
class WebSpec:
    articles: int = 2000  # items over all feeds (the last feed may be shorter)
    items: int = 40  # items per feed
    hosts: int = 0  # loopback aliases (outlets); 0 means one per feed, at most 50
    story_share: float = 0.10  # articles about the story
    passing_share: float = 0.10  # off-story articles that mention the story in passing
    syndicated_share: float = 0.10  # copies of another outlet's article (wire copy)
    min_kb: int = 40
    max_kb: int = 120
    window_end: dt.datetime = dt.datetime(2016, 9, 18, 6, 0, tzinfo=dt.UTC)  # one-day window end
    seed: int = 2016

    @property
    def feeds(self) -> int:
        return max(1, -(-self.articles // self.items))

    @property
    def host_count(self) -> int:
        return self.hosts or min(self.feeds, 50)


@dataclass(frozen=True)
class Item:
    """One article of the web: where it lives, what it is, and when each feed view dates it."""

    index: int
    feed: int
    host: int
    path: str
    title: str
    author: str
    kind: str  # "story" | "passing" | "other" | "copy"
    copy_of: int | None
    template: str
    day1: dt.datetime  # publication time in the one-day view
    day7: dt.datetime  # publication time in the seven-day view


@dataclass(frozen=True)
class Resource:
    body: bytes  # gzip-compressed
    size: int  # uncompressed bytes
    content_type: str
    etag: str
    last_modified: str


class SyntheticWeb:
    """The whole web of one spec, deterministic for a seed; pages rendered on demand."""

    def __init__(self, spec: WebSpec | None = None) -> None:
        self.spec = spec or WebSpec()
        self.bank = TextBank.load(ROOT / "seeds" / "src" / "articles")
        self.outlets = [self.bank.outlet_name(random.Random(self.spec.seed * 31 + h), h)
                        for h in range(self.spec.host_count)]
        self.items = self._plan()

    # -- plan ----------------------------------------------------------------------------------

    def _plan(self) -> list[Item]:
        s = self.spec
        rng = random.Random(s.seed)
        n = s.articles
        kinds = ["other"] * n
        order = list(range(n))
        rng.shuffle(order)
        n_story, n_pass = round(n * s.story_share), round(n * s.passing_share)
        n_copy = round(n * s.syndicated_share)
        for i in order[:n_story]:
            kinds[i] = "story"
        for i in order[n_story:n_story + n_pass]:
            kinds[i] = "passing"
        originals = [i for i in range(n) if kinds[i] != "copy"]
        for i in order[n_story + n_pass:n_story + n_pass + n_copy]:
            kinds[i] = "copy"
        end = s.window_end
        items: list[Item] = []
        for i in range(n):
            r = random.Random(s.seed * 1_000_003 + i)
            feed = i // s.items
            host = feed % s.host_count
            copy_of = None
            if kinds[i] == "copy":
                # a copy of an original from another outlet (a story article a third of the time)
                pool = [j for j in originals if kinds[j] == "story"] if r.random() < 0.34 else []
                pool = pool or [j for j in originals if kinds[j] != "copy"]
                copy_of = r.choice(pool)
                if (copy_of // s.items) % s.host_count == host:
                    copy_of = r.choice(pool)
            topic_kind = kinds[copy_of] if copy_of is not None else kinds[i]
            title = self.bank.title(r, topic_kind == "story")
            day1 = end - dt.timedelta(seconds=r.randint(300, 86_100))
            day7 = end - dt.timedelta(days=r.randrange(7), seconds=r.randint(300, 86_100))
            section = "middle-east" if topic_kind == "story" else r.choice(SECTIONS)
            slug = "-".join(w.lower() for w in title.split()[:8] if w.isalnum())[:60] or "story"
            path = f"/{section}/2016/09/{slug}-{i:05d}.html"
            # an outlet's own template for most pages, another (AMP, a live page ...) for some
            template = (TEMPLATES[host % len(TEMPLATES)] if r.random() < 0.8
                        else TEMPLATES[(host + 1 + r.randrange(len(TEMPLATES) - 1)) % len(TEMPLATES)])
            items.append(Item(i, feed, host, path, title, self.bank.person(r), kinds[i], copy_of,
                              template, day1, day7))
        return items

    def url(self, item: Item, port: int) -> str:
        return f"http://{host_ip(item.host)}:{port}{item.path}"

    def feed_items(self, feed: int) -> list[Item]:
        return [it for it in self.items if it.feed == feed]

    # -- article text ----------------------------------------------------------------------------

    def paragraphs(self, item: Item) -> list[str]:
        if item.copy_of is not None:
            original = self.items[item.copy_of]
            paras = self.paragraphs(original)
            r = random.Random(self.spec.seed * 7919 + item.index)
            keep = max(3, len(paras) - r.randint(0, 2))  # wire copy with a trimmed ending
            return paras[:keep]
        r = random.Random(self.spec.seed * 104_729 + item.index)
        return self.bank.article(r, item.kind)

    # -- resources -------------------------------------------------------------------------------

    def page(self, item: Item, port: int) -> bytes:
        """The page's HTML (UTF-8), between ``min_kb`` and ``max_kb`` KB."""
        r = random.Random(self.spec.seed * 15_485_863 + item.index)
        target = r.randint(self.spec.min_kb, self.spec.max_kb) * 1024
        others = [self.items[j].title for j in r.sample(range(len(self.items)),
                                                        min(40, len(self.items)))]
        return render_page(item, self.paragraphs(item), self.outlets[item.host],
                           base=f"http://{host_ip(item.host)}:{port}", related=others,
                           bank=self.bank, rng=r, target=target)

    def feed(self, feed: int, span: int, port: int) -> bytes:
        items = sorted(self.feed_items(feed), key=lambda it: it.day1 if span == 1 else it.day7,
                       reverse=True)
        entries = []
        for it in items:
            paras = self.paragraphs(it)
            when = it.day1 if span == 1 else it.day7
            entries.append({"title": it.title, "url": self.url(it, port), "when": when,
                            "author": it.author, "teaser": paras[0][:300], "guid": f"item-{it.index}",
                            "content": "\n".join(paras) if feed % 5 == 4 else ""})
        host = feed % self.spec.host_count
        return render_feed(feed, self.outlets[host], f"http://{host_ip(host)}:{port}",
                           entries, atom=feed % 3 == 2)

    def ips(self) -> list[str]:
        return [host_ip(h) for h in range(self.spec.host_count)]

    def feed_list(self, port: int, span: int = 1) -> list[dict[str, str]]:
        """The web's feeds as ``[{"name", "url"}]`` for a story config."""
        out = []
        for f in range(self.spec.feeds):
            host = f % self.spec.host_count
            out.append({"name": f"{self.outlets[host]} {f:03d}",
                        "url": f"http://{host_ip(host)}:{port}{feed_path(f, span)}"})
        return out

    def resources(self, port: int, workers: int = 1) -> dict[tuple[str, str], Resource]:
        """Every feed (both views) and page, rendered and compressed, keyed by (host IP, path)."""
        out: dict[tuple[str, str], Resource] = {}
        n = len(self.items)
        if workers > 1 and n >= 400:
            from concurrent.futures import ProcessPoolExecutor

            step = -(-n // (workers * 4))
            with ProcessPoolExecutor(workers) as pool:
                for part in pool.map(_render_pages, [self.spec] * len(range(0, n, step)),
                                     [port] * len(range(0, n, step)),
                                     [range(i, min(n, i + step)) for i in range(0, n, step)]):
                    out.update(part)
        else:
            out.update(_render_pages(self.spec, port, range(n), self))
        for f in range(self.spec.feeds):
            host = host_ip(f % self.spec.host_count)
            for span in (1, 7):
                body = self.feed(f, span, port)
                out[(host, feed_path(f, span))] = _resource(
                    body, "application/rss+xml; charset=utf-8" if f % 3 != 2
                    else "application/atom+xml; charset=utf-8", self.spec.window_end)
        return out

    @cached_property
    def story_indices(self) -> list[int]:
        return [it.index for it in self.items
                if it.kind == "story" or (it.copy_of is not None
                                          and self.items[it.copy_of].kind == "story")]


def _render_pages(spec: WebSpec, port: int, indices: range,
                  web: SyntheticWeb | None = None) -> dict[tuple[str, str], Resource]:
    web = web or SyntheticWeb(spec)
    out = {}
    for i in indices:
        it = web.items[i]
        out[(host_ip(it.host), it.path)] = _resource(web.page(it, port), "text/html; charset=utf-8",
                                                     it.day1)
    return out


class RealWeb:
    """Real news pages (extraction-benchmark manifests or folders of ``.html``/``.html.gz`` files)
    served as they are, listed by generated feeds dated within the one-day window."""

    def __init__(self, sources: list[Path], *, items: int = 40, hosts: int = 0,
                 window_end: dt.datetime = WebSpec.window_end, seed: int = 2016) -> None:
        self.pages = [p for src in sources for p in _real_pages(src)]
        self.items, self.window_end = items, window_end
        self.feeds = max(1, -(-len(self.pages) // items))
        self.hosts = hosts or min(self.feeds, 50)
        self.seed = seed

    def ips(self) -> list[str]:
        return [host_ip(h) for h in range(self.hosts)]

    def _when(self, i: int, span: int) -> dt.datetime:
        r = random.Random(self.seed * 1_000_003 + i)
        day1 = self.window_end - dt.timedelta(seconds=r.randint(300, 86_100))
        day7 = self.window_end - dt.timedelta(days=r.randrange(7), seconds=r.randint(300, 86_100))
        return day1 if span == 1 else day7

    def _path(self, i: int) -> str:
        return f"/real/{i:05d}-{self.pages[i][0]}.html"

    def feed_list(self, port: int, span: int = 1) -> list[dict[str, str]]:
        return [{"name": f"Real pages {f:03d}",
                 "url": f"http://{host_ip(f % self.hosts)}:{port}{feed_path(f, span)}"}
                for f in range(self.feeds)]

    def resources(self, port: int, workers: int = 1) -> dict[tuple[str, str], Resource]:
        out: dict[tuple[str, str], Resource] = {}
        for f in range(self.feeds):
            host = f % self.hosts
            members = range(f * self.items, min(len(self.pages), (f + 1) * self.items))
            for i in members:
                _, body, charset, _title = self.pages[i]
                out[(host_ip(host), self._path(i))] = _resource(
                    body, f"text/html; charset={charset}" if charset else "text/html",
                    self._when(i, 1))
            for span in (1, 7):
                entries = [{"title": self.pages[i][3], "when": self._when(i, span), "author": "",
                            "url": f"http://{host_ip(host)}:{port}{self._path(i)}", "teaser": "",
                            "guid": f"real-{i}", "content": ""} for i in members]
                entries.sort(key=lambda e: e["when"], reverse=True)
                out[(host_ip(host), feed_path(f, span))] = _resource(
                    render_feed(f, "Real pages", f"http://{host_ip(host)}:{port}", entries,
                                atom=False), "application/rss+xml; charset=utf-8", self.window_end)
        return out


def _real_pages(src: Path) -> list[tuple[str, bytes, str, str]]:
    """``(id, html bytes, charset, title)`` of a manifest's items or a folder's HTML files."""
    found = []
    if src.is_file() and src.suffix == ".json":
        items = json.loads(src.read_text(encoding="utf-8"))["items"]
        files = [(str(it["id"]), src.parent / it["html_path"],
                  "utf-8" if "utf-8 inside" in (it.get("html_encoding") or "") else "")
                 for it in items]
    else:
        files = [(p.name.split(".")[0], p, "utf-8") for p in sorted(src.rglob("*"))
                 if p.name.endswith((".html", ".htm", ".html.gz", ".htm.gz"))]
    for ident, path, charset in files:
        raw = path.read_bytes()
        body = gzip.decompress(raw) if path.suffix == ".gz" else raw
        m = re.search(rb"<title[^>]*>([^<]{1,300})", body, re.I)
        title = html.unescape(m.group(1).decode("utf-8", "replace")).strip() if m else ident
        found.append((re.sub(r"[^A-Za-z0-9_-]", "", ident)[:40] or "page", body, charset,
                      " ".join(title.split()) or ident))
    return found


def host_ip(host: int) -> str:
    return f"127.0.{host // 250}.{2 + host % 250}"


def feed_path(feed: int, span: int) -> str:
    return f"/feeds/d{span}/feed-{feed:03d}.xml"


def _resource(body: bytes, ctype: str, when: dt.datetime) -> Resource:
    return Resource(gzip.compress(body, 5, mtime=0), len(body), ctype,
                    '"' + hashlib.sha1(body).hexdigest()[:20] + '"',
                    email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True))


# -- server -------------------------------------------------------------------------------------


REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found",
           405: "Method Not Allowed"}


class _Handler(StreamRequestHandler):
    """A lean HTTP/1.1 keep-alive handler: the web's own CPU (it runs on the benchmark machine,
    unlike the real internet) stays small next to the pipeline's. GET and HEAD only."""

    server: _HostServer
    timeout = 60
    disable_nagle_algorithm = True

    def handle(self) -> None:
        try:
            self._serve()
        except (TimeoutError, ConnectionError):  # an idle keep-alive connection, or a reset
            return

    def _serve(self) -> None:
        while True:
            line = self.rfile.readline(65537)
            if not line:
                return
            parts = line.split()
            if len(parts) != 3:
                self._send(400, b"bad request\n", {"Content-Type": "text/plain"}, close=True)
                return
            headers: dict[str, str] = {}
            while True:
                h = self.rfile.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                name, _, value = h.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            method, target, version = (p.decode("latin-1") for p in parts)
            close = (headers.get("connection", "").lower() == "close"
                     or version == "HTTP/1.0" and "keep-alive" not in headers.get("connection", ""))
            self.respond(method, target, headers, close)
            if close:
                return

    def respond(self, method: str, target: str, headers: dict[str, str], close: bool) -> None:
        owner = self.server.owner
        res = owner.resources.get((self.server.ip, target.split("?", 1)[0]))
        if owner.latency:
            time.sleep(owner.latency)
        if method not in ("GET", "HEAD"):
            self._send(405, b"", {}, close)
            return
        if res is None:
            owner.count("404")
            self._send(404, b"not found\n", {"Content-Type": "text/plain"}, close)
            return
        extra = {"ETag": res.etag, "Last-Modified": res.last_modified,
                 "Cache-Control": "max-age=60", "Vary": "Accept-Encoding"}
        if _not_modified(res, headers):
            owner.count("304")
            self._send(304, b"", extra, close)
            return
        extra["Content-Type"] = res.content_type
        if "gzip" in headers.get("accept-encoding", ""):
            extra["Content-Encoding"] = "gzip"
            body = res.body
        else:
            body = gzip.decompress(res.body)
        owner.count("200", len(body))
        self._send(200, body, extra, close, head=method == "HEAD")

    def _send(self, status: int, body: bytes, headers: dict[str, str], close: bool,
              head: bool = False) -> None:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
                 f"Date: {email.utils.formatdate(usegmt=True)}", "Server: synthweb"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if status != 304:
            lines.append(f"Content-Length: {len(body)}")
        if close:
            lines.append("Connection: close")
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head_bytes if head or status == 304 else head_bytes + body)


def _not_modified(res: Resource, headers: dict[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        return res.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return (email.utils.parsedate_to_datetime(res.last_modified)
                    <= email.utils.parsedate_to_datetime(ims))
        except (TypeError, ValueError):
            return False
    return False


class _HostServer(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, ip: str, port: int, owner: WebServer) -> None:
        self.ip, self.owner = ip, owner
        super().__init__((ip, port), _Handler)


class WebServer:
    """Serve a :class:`SyntheticWeb` (or any resources) on one loopback alias per outlet."""

    def __init__(self, web: SyntheticWeb | RealWeb, latency: float = 0.05, workers: int = 1) -> None:
        self.web, self.latency, self.workers = web, latency, workers
        self.ips = web.ips()
        self.port = 0
        self.resources: dict[tuple[str, str], Resource] = {}
        self.counts: dict[str, int] = {"200": 0, "304": 0, "404": 0, "bytes": 0}
        self._lock = threading.Lock()
        self._servers: list[_HostServer] = []

    def count(self, status: str, size: int = 0) -> None:
        with self._lock:
            self.counts[status] += 1
            self.counts["bytes"] += size

    def reset_counts(self) -> dict[str, int]:
        with self._lock:
            old, self.counts = self.counts, dict.fromkeys(self.counts, 0)
        return old

    def __enter__(self) -> WebServer:
        first = _HostServer(self.ips[0], 0, self)
        self.port = first.server_address[1]
        self._servers = [first] + [_HostServer(ip, self.port, self) for ip in self.ips[1:]]
        self.resources = self.web.resources(self.port, self.workers)
        for srv in self._servers:
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             daemon=True, name=f"synthweb-{srv.ip}").start()
        return self

    def __exit__(self, *exc: object) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()

    def feeds(self, span: int = 1) -> list[dict[str, str]]:
        """The served web's feeds as ``[{"name", "url"}]`` for a story config."""
        return self.web.feed_list(self.port, span)

    def pages(self) -> list[tuple[str, bytes, str]]:
        """Every article page as served: ``(url, html bytes, content type)``."""
        out = []
        for (ip, path), res in self.resources.items():
            if not path.startswith("/feeds/"):
                out.append((f"http://{ip}:{self.port}{path}", gzip.decompress(res.body),
                            res.content_type))
        return sorted(out)


def load_toml_front(path: Path) -> tuple[dict, str]:
    """A story-pack source file: its TOML front matter and its body."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("+++", 2)
    return tomllib.loads(front), body.strip()


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


# -- text -----------------------------------------------------------------------------------------

FIRST = ("James Maria David Sarah Ahmed Elena Wei Fatima John Laura Omar Anna Peter Julia Ivan "
         "Grace Karim Sofia Daniel Hannah Yusuf Claire Mikhail Nadia Thomas Leila Robert Emma "
         "Hassan Olivia Samuel Irina Lucas Amira Paul Chloe Marco Aisha Tomas Rachel").split()
LAST = ("Thompson Alvarez Chen Okafor Novak Haddad Fischer Rossi Petrov Kowalski Martin Nguyen "
        "Larsen Khalil Brennan Sato Moreau Ibrahim Walsh Schneider Costa Lindqvist Park Yilmaz "
        "Gallagher Duarte Markovic Hughes Mensah Bauer Kaplan Ferreira O'Neill Varga Quinn").split()
CITIES = ("London Manchester Paris Berlin Madrid Rome Warsaw Chicago Boston Denver Toronto Sydney "
          "Mumbai Lagos Nairobi Tokyo Seoul Lisbon Dublin Vienna Prague Oslo Helsinki Atlanta "
          "Houston Seattle Glasgow Leeds Bristol Lyon Munich Milan Krakow Austin Phoenix").split()
ROLES = ("a spokesman", "a spokeswoman", "the chief executive", "a senior official", "an analyst",
         "the chairman", "a professor", "the director", "a local councillor", "a senior economist",
         "the head of research", "a union representative", "the minister", "a lawyer")
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August October November December".split()
TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "economy": dict(
        actor=("the central bank", "the Treasury", "the finance ministry", "the European Commission",
               "the IMF", "the retail federation", "the statistics office", "the chamber of commerce"),
        thing=("interest rates", "the inflation target", "consumer spending", "the housing market",
               "factory output", "the jobless rate", "corporate tax", "the pension reform",
               "bond yields", "wage growth", "the trade deficit", "small business lending"),
        verb=("raise", "cut", "review", "freeze", "overhaul", "delay", "defend", "tighten")),
    "business": dict(
        actor=("the carmaker", "the airline", "the supermarket chain", "the energy group",
               "the telecoms company", "the steel maker", "the bank", "the drugmaker"),
        thing=("its profit forecast", "the merger", "a new factory", "its dividend", "job cuts",
               "the takeover bid", "quarterly earnings", "the bond issue", "store closures",
               "a cost-cutting plan", "its overseas expansion"),
        verb=("announce", "abandon", "approve", "postpone", "expand", "scale back", "confirm")),
    "technology": dict(
        actor=("the smartphone maker", "the search company", "the chip designer", "regulators",
               "the social network", "the start-up", "the cloud provider", "the games studio"),
        thing=("a data breach", "the new handset", "privacy rules", "encryption", "the software update",
               "driverless cars", "the app store", "broadband coverage", "battery life"),
        verb=("launch", "investigate", "fix", "unveil", "restrict", "test", "withdraw")),
    "sport": dict(
        actor=("the club", "the manager", "the federation", "the captain", "the league",
               "the national side", "the Olympic committee", "the coach"),
        thing=("the transfer", "the title race", "the final", "the stadium plan", "the doping case",
               "the injury list", "ticket prices", "the new contract", "the relegation battle"),
        verb=("win", "lose", "appeal", "sign", "extend", "investigate", "postpone")),
    "health": dict(
        actor=("the health service", "the hospital trust", "doctors", "nurses", "the regulator",
               "the research council", "the charity", "the health minister"),
        thing=("waiting times", "the vaccine trial", "the new drug", "junior doctors' contracts",
               "the flu season", "mental health funding", "the screening programme", "obesity"),
        verb=("approve", "expand", "warn about", "fund", "review", "reject", "trial")),
    "science": dict(
        actor=("astronomers", "the space agency", "researchers", "the university", "geologists",
               "the observatory", "climate scientists", "the laboratory"),
        thing=("the probe", "a distant planet", "sea ice", "the fossil", "the telescope",
               "gene editing", "the comet", "ocean temperatures", "the particle collider"),
        verb=("discover", "measure", "launch", "publish", "confirm", "map", "model")),
    "culture": dict(
        actor=("the museum", "the festival", "the orchestra", "the publisher", "the gallery",
               "the film studio", "the theatre", "the broadcaster"),
        thing=("the exhibition", "the new season", "the award", "the restoration", "ticket sales",
               "the novel", "the premiere", "the archive", "the funding cut"),
        verb=("open", "cancel", "celebrate", "acquire", "announce", "revive", "shortlist")),
    "courts": dict(
        actor=("the court", "prosecutors", "the jury", "defence lawyers", "the judge",
               "the police", "the inquiry", "the appeals court"),
        thing=("the fraud case", "the sentence", "the verdict", "new evidence", "the extradition",
               "the inquest", "bail conditions", "the retrial", "the privacy claim"),
        verb=("hear", "dismiss", "order", "overturn", "examine", "adjourn", "uphold")),
    "politics": dict(
        actor=("the government", "the opposition", "the party", "parliament", "the mayor",
               "the senate", "the regional assembly", "voters"),
        thing=("the budget", "the referendum", "the reshuffle", "the election campaign",
               "the housing bill", "the leadership contest", "the coalition talks", "devolution"),
        verb=("back", "block", "debate", "amend", "call", "launch", "oppose")),
    "environment": dict(
        actor=("campaigners", "the environment agency", "farmers", "the water company",
               "the council", "conservationists", "the energy regulator", "fishermen"),
        thing=("flood defences", "air pollution", "the wind farm", "plastic waste", "fishing quotas",
               "the national park", "fracking", "river quality", "the carbon target"),
        verb=("protect", "challenge", "monitor", "clean up", "approve", "oppose", "restore")),
}
SENTENCES = (
    "{Actor} said on {day} that it would {verb} {thing}, a move analysts said could affect {num} people.",
    "\"{Quote},\" said {person}, {role} at {actor2}, speaking in {city}.",
    "The decision on {thing} comes after {small} months of talks between {actor} and {actor2}.",
    "Officials in {city} put the cost at {money}, up {pct} percent on last year.",
    "{Person} has long argued that {actor} should {verb} {thing} before {month}.",
    "Critics, including {person}, said the plan did little to address {thing2}.",
    "According to figures published by {actor2} on {day}, {num} people were affected in {city} alone.",
    "The issue is expected to come back before {actor2} in {month}.",
    "In {city}, where {thing2} has been a concern for years, reaction was mixed.",
    "{Actor} declined to comment on {thing2} when contacted on {day}.",
    "It is the {ordinal} time this year that {actor} has been forced to {verb} {thing}.",
    "\"{Quote},\" {person} told reporters, adding that {thing2} would be reviewed.",
    "The announcement was welcomed by {actor2}, which had called for action on {thing}.",
    "Some {num} people signed a petition calling on {actor} to {verb} {thing2}.",
    "{Person}, {role} at {actor2}, said the figures showed a {adj} picture.",
    "The change will take effect in {month}, {actor} said in a statement.",
    "Observers noted that {thing} had been {adj} since the spring, when {actor2} last intervened.",
    "A report by {actor2} last {month} warned that {thing2} could cost up to {money}.",
    "{Actor} is due to publish a fuller account of {thing} on {day}.",
    "Asked about {thing2}, {person} said it was too early to draw conclusions.",
    "Neither {actor} nor {actor2} would say how long the review of {thing} might take.",
    "The row over {thing} has divided opinion in {city} and beyond.",
)
QUOTES = ("We have been clear from the start about {thing}", "This is a {adj} moment for everyone involved",
          "Nobody should be surprised by what happened with {thing}", "We will not {verb} {thing} lightly",
          "People in {city} deserve better than this", "The numbers speak for themselves",
          "There is still a great deal of work to do on {thing}", "It is simply not good enough",
          "We are looking closely at {thing2} and will respond in due course")
ADJS = ("mixed", "worrying", "encouraging", "complicated", "difficult", "surprising", "stable",
        "uncertain", "remarkable", "sobering")
ORDINALS = ("second", "third", "fourth", "fifth")
STORY_TITLES = (
    "{who} {says} Syria ceasefire {state}", "Aid convoys {wait} as Syria truce {state}",
    "{who} and the Geneva deal: {what}", "Syria truce: {what} as {who} {says2}",
    "Aleppo {waits} for aid as ceasefire {state}", "{who} {says} US-Russia deal on Syria {state}",
    "Syria ceasefire latest: {what}")
STORY_SLOTS = dict(
    who=("Kerry", "Lavrov", "UN envoy de Mistura", "Syrian army", "Rebel groups", "Moscow",
         "Washington", "Red Crescent", "Pentagon", "Aid agencies", "Damascus"),
    says=("warns", "insists", "says", "fears", "claims", "doubts"),
    says2=("trade blame", "meet in New York", "push for aid access", "weigh next steps"),
    state=("is holding", "is fragile", "is at risk", "is faltering", "must hold", "is over",
           "is in trouble", "enters its {ordinal} day"),
    wait=("stall at the Turkish border", "wait for clearance", "are held up", "are attacked"),
    waits=("waits", "holds its breath", "is still waiting"),
    what=("what we know", "aid still blocked", "joint strikes in doubt", "fresh violations reported",
          "the Castello Road question", "coalition strike strains the deal"))
OTHER_TITLES = ("{Actor} to {verb} {thing} in {city}", "{City} braces for {thing}",
                "Why {thing} matters more than you think", "{Actor} under fire over {thing}",
                "{Person} on {thing}: '{Quote}'", "{Thing}: {actor} set to {verb} plan",
                "Row over {thing} deepens in {city}", "{Actor} warns on {thing}")


STORY_WORDS = re.compile(r"syria|aleppo|damascus|assad|cease-?fire|truce|kerry|lavrov|russia|"
                         r"geneva|idlib|homs|deir|convoy|rebel|jihad|nusra", re.I)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class TextBank:
    """News-like sentences: the story pack's story and off-story sentences plus topic grammars."""

    def __init__(self, story: list[str], background: list[str]) -> None:
        self.story, self.background = story, background

    @classmethod
    def load(cls, articles_dir: Path) -> TextBank:
        from digest.text.tokenize import split_sentences

        story, background = [], []
        for path in sorted(articles_dir.glob("*.md")):
            meta, body = load_toml_front(path)
            target = story if meta.get("relevant") else background
            for para in body.split("\n\n"):
                target.extend(s for s in split_sentences(para) if 8 <= len(s.split()) <= 60)
        # off-story articles take only background sentences that do not touch the story (the
        # "passing" kind mentions it on purpose)
        background = [s for s in background if not STORY_WORDS.search(s)]
        return cls(story, background)

    @staticmethod
    def person(r: random.Random) -> str:
        return f"{r.choice(FIRST)} {r.choice(LAST)}"

    @staticmethod
    def outlet_name(r: random.Random, host: int) -> str:
        a = r.choice(("Daily", "Evening", "Morning", "Weekly", "National", "Metro", "Global", "City"))
        b = r.choice(("Courier", "Chronicle", "Herald", "Observer", "Ledger", "Gazette", "Times",
                      "Post", "Standard", "Sentinel", "Record", "Telegraph", "Mirror", "Journal"))
        return f"The {a} {b} {host + 1}"

    def fill(self, r: random.Random, template: str, topic: str) -> str:
        t = TOPICS[topic]
        thing, thing2 = r.sample(t["thing"], 2)
        actor, actor2 = r.sample(t["actor"], 2)
        slots = dict(actor=actor, actor2=actor2, thing=thing, thing2=thing2, verb=r.choice(t["verb"]),
                     city=r.choice(CITIES), person=self.person(r), role=r.choice(ROLES),
                     day=r.choice(DAYS), month=r.choice(MONTHS), adj=r.choice(ADJS),
                     ordinal=r.choice(ORDINALS), num=f"{r.randint(2, 950) * 10:,}",
                     small=r.choice(("two", "three", "six", "nine", "18")),
                     pct=f"{r.randint(1, 40)}.{r.randint(0, 9)}",
                     money=f"£{r.randint(2, 900)}m" if r.random() < .5 else f"${r.randint(1, 40)}bn")
        slots["quote"] = r.choice(QUOTES).format(**slots)
        slots.update({k.capitalize(): _cap(v) for k, v in list(slots.items())})
        return template.format(**slots)

    def title(self, r: random.Random, story: bool) -> str:
        if story:
            slots = {k: r.choice(v) for k, v in STORY_SLOTS.items()}
            slots["state"] = slots["state"].format(ordinal=r.choice(ORDINALS))
            return r.choice(STORY_TITLES).format(**slots)
        return _cap(self.fill(r, r.choice(OTHER_TITLES), r.choice(list(TOPICS))))

    def article(self, r: random.Random, kind: str) -> list[str]:
        """Paragraphs of one article of ``kind`` ("story", "passing" or "other")."""
        topic = r.choice(list(TOPICS)) if kind != "story" else "politics"
        n = r.randint(7, 22)
        paras: list[str] = []
        story = r.sample(self.story, min(len(self.story), 40)) if kind == "story" else []
        for p in range(n):
            sentences = []
            for _ in range(1 if p == 0 else r.randint(1, 4)):
                roll = r.random()
                if story and roll < 0.62:
                    sentences.append(story.pop())
                elif kind != "story" and roll < 0.12:
                    sentences.append(r.choice(self.background))
                else:
                    sentences.append(self.fill(r, r.choice(SENTENCES), topic))
            paras.append(" ".join(sentences))
        if kind == "passing":  # a paragraph or two that touches the story
            for _ in range(r.randint(1, 2)):
                paras.insert(r.randint(2, len(paras)), r.choice(self.story))
        return paras


# -- pages and feeds --------------------------------------------------------------------------------


def _css(r: random.Random, size: int) -> str:
    out, n = [], 0
    props = ("margin", "padding", "border-top", "font-size", "line-height", "letter-spacing", "width")
    while n < size:
        rule = (f".{r.choice(('c', 'o', 'l', 'u'))}-{r.getrandbits(24):06x}{{"
                f"{r.choice(props)}:{r.randint(0, 40)}px;color:#{r.getrandbits(24):06x};"
                f"{r.choice(props)}:{r.randint(0, 24)}px}}")
        out.append(rule)
        n += len(rule)
    return "\n".join(out)


def _script(r: random.Random, size: int, article: dict | None = None) -> str:
    slots = []
    n = 0
    while n < size:
        slot = {"id": f"div-gpt-ad-{r.getrandbits(40):010x}", "sizes": [[300, 250], [728, 90]],
                "targeting": {"pos": r.choice(("top", "mid", "btm")), "kw": r.sample(SECTIONS, 3)},
                "lazy": r.random() < .5, "refresh": r.randint(0, 60)}
        slots.append(slot)
        n += 190
    cfg = {"site": "web", "adSlots": slots, "consent": {"vendor": r.getrandbits(32)}}
    if article:
        cfg["article"] = article
    return f"window.__APP_CONFIG__ = {dumps(cfg)};"


def _links(r: random.Random, n: int, words: tuple[str, ...] = SECTIONS) -> str:
    return "".join(f'<li><a href="/{r.choice(words)}/{r.getrandbits(20):x}">'
                   f"{escape(_cap(r.choice(words)).replace('-', ' '))} {r.choice(CITIES)}</a></li>"
                   for _ in range(n))


def _teasers(r: random.Random, titles: list[str], bank: TextBank, n: int, cls: str) -> str:
    items = []
    for _ in range(n):
        t = escape(r.choice(titles))
        items.append(f'<li class="{cls}-item"><a href="/news/{r.getrandbits(24):x}.html">'
                     f'<img src="/img/{r.getrandbits(24):x}.jpg" alt="" width="120" height="80">'
                     f"<span class=\"{cls}-title\">{t}</span></a><p class=\"{cls}-dek\">"
                     f"{escape(bank.fill(r, r.choice(SENTENCES), r.choice(list(TOPICS))))}</p></li>")
    return f'<ul class="{cls}">{"".join(items)}</ul>'


def _comments(r: random.Random, bank: TextBank, n: int) -> str:
    out = []
    for i in range(n):
        text = escape(bank.fill(r, r.choice(SENTENCES), r.choice(list(TOPICS))))
        out.append(f'<div class="comment" id="c{i}"><span class="comment-author">'
                   f"{r.choice(FIRST).lower()}_{r.randint(10, 99)}</span> <span class=\"comment-time\">"
                   f"{r.randint(1, 59)} minutes ago</span><p>{text}</p><a class=\"reply\" href=\"#\">"
                   f"Reply</a> <a class=\"like\" href=\"#\">Like ({r.randint(0, 80)})</a></div>")
    return f'<section class="comments"><h3>Comments ({n})</h3>{"".join(out)}</section>'


def _body(item: Item, paras: list[str], r: random.Random, titles: list[str]) -> str:
    tag = {"spa": ('<div class="css-53u6y8"><p class="css-at9mc1 evys1bk0">', "</p></div>"),
           "amp": ('<p class="amp-p">', "</p>")}.get(item.template, ("<p>", "</p>"))
    out = []
    for k, p in enumerate(paras):
        out.append(f"{tag[0]}{escape(p)}{tag[1]}")
        if k and k % 4 == 0:
            ad = ('<amp-ad width="300" height="250" type="doubleclick" data-slot="/1/mid"></amp-ad>'
                  if item.template == "amp" else
                  f'<div class="ad-slot ad-mid" id="ad-{k}"><span>Advertisement</span></div>')
            out.append(ad)
        if k == 5:
            out.append(f'<div class="read-also"><strong>Read more:</strong> <a href="/r/{k}">'
                       f"{escape(r.choice(titles))}</a></div>")
    return "\n".join(out)


def render_page(item: Item, paras: list[str], outlet: str, *, base: str, related: list[str],
                bank: TextBank, rng: random.Random, target: int) -> bytes:
    """One article page of ``item``'s template, grown with chrome to about ``target`` bytes."""
    r = rng
    title, when = escape(item.title), item.day1.isoformat()
    byline = escape(item.author)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": item.title,
          "datePublished": when, "author": {"@type": "Person", "name": item.author},
          "publisher": {"@type": "Organization", "name": outlet}}
    head = (f'<!DOCTYPE html>\n<html lang="en"{" amp" if item.template == "amp" else ""}><head>'
            f'<meta charset="utf-8"><title>{title} | {escape(outlet)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{escape(paras[0][:200])}">'
            f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
            f'<meta property="og:site_name" content="{escape(outlet)}">'
            f'<meta property="article:published_time" content="{when}">'
            f'<meta name="author" content="{byline}"><link rel="canonical" href="{base}{item.path}">'
            f'<script type="application/ld+json">{dumps(ld)}</script>'
            f'<style{" amp-custom" if item.template == "amp" else ""}>'
            f"{_css(r, target // 8)}</style>"
            f"<script>{_script(r, target // 10)}</script></head>")
    nav = (f'<header class="site-header"><div class="top-bar"><a href="/">{escape(outlet)}</a>'
           f'<a href="/subscribe">Subscribe</a><a href="/login">Sign in</a></div>'
           f'<nav class="main-nav"><ul>{_links(r, r.randint(30, 90))}</ul></nav>'
           f'<div class="ticker"><strong>Trending:</strong> {_teasers(r, related, bank, 4, "trend")}'
           f"</div></header>")
    body = _body(item, paras, r, related)
    meta_line = f'By <a rel="author" href="/by/{r.getrandbits(16):x}">{byline}</a>'
    time_tag = f'<time datetime="{when}">{item.day1:%d %B %Y %H:%M} GMT</time>'
    if item.template == "classic":
        main = (f'<div id="wrapper"><div id="content"><div class="article"><h1 class="headline">{title}'
                f'</h1><div class="byline">{meta_line} | {time_tag}</div><div class="article-body">'
                f"{body}</div></div>")
    elif item.template == "html5":
        main = (f'<main><article><header><h1>{title}</h1><p class="byline">{meta_line} {time_tag}</p>'
                f'</header><figure><img src="/img/{item.index}.jpg" alt=""><figcaption>'
                f"{escape(r.choice(related))}</figcaption></figure><section class=\"story-body\">"
                f"{body}</section></article>")
    elif item.template == "spa":
        state = {"props": {"pageProps": {"article": {"headline": item.title, "body": paras,
                                                     "byline": item.author, "published": when}}}}
        main = (f'<div id="__next"><div class="css-1a2b3c"><div class="css-9x8y7z"><h1 class="css-x1" '
                f'data-testid="headline">{title}</h1><div class="css-byl">{meta_line} {time_tag}</div>'
                f'<section name="articleBody" class="css-body">{body}</section></div>'
                f'<script id="__NEXT_DATA__" type="application/json">{dumps(state)}</script>')
    elif item.template == "table":
        main = (f'<table width="100%" cellpadding="4"><tr><td class="leftnav" valign="top"><ul>'
                f'{_links(r, 25)}</ul></td><td class="storytext" valign="top"><h1>{title}</h1>'
                f'<p class="byline">{meta_line} {time_tag}</p>{body}</td>')
    else:  # amp
        main = (f'<div class="amp-wrap"><article class="amp-article"><h1 class="amp-title">{title}</h1>'
                f'<div class="amp-meta">{meta_line} {time_tag}</div><amp-img src="/img/{item.index}.jpg"'
                f' width="800" height="450" layout="responsive"></amp-img><div class="amp-body">'
                f"{body}</div></article>")
    closers = {"classic": "</div>", "html5": "</main>", "spa": "</div></div>",
               "table": "</tr></table>", "amp": "</div>"}[item.template]
    parts = [head, "<body>", nav, main]
    tail = [f'<aside class="sidebar"><div class="ad-slot ad-mpu">Advertisement</div><h3>Most read</h3>'
            f'{_teasers(r, related, bank, 10, "most-read")}<div class="newsletter"><h3>Sign up to '
            f'our newsletter</h3><form><input type="email" placeholder="Email"><button>Sign up'
            f"</button></form></div></aside>", closers,
            f'<section class="related"><h2>Related stories</h2>{_teasers(r, related, bank, 8, "rel")}'
            "</section>", _comments(r, bank, r.randint(0, 12))]
    footer = (f'<footer class="site-footer"><ul class="sitemap">{_links(r, r.randint(40, 120))}</ul>'
              f"<p>&copy; 2016 {escape(outlet)}. All rights reserved.</p></footer>"
              f'<div id="cookie-banner">We use cookies. <a href="/privacy">Learn more</a></div>')
    size = sum(map(len, parts)) + sum(map(len, tail)) + len(footer) + 40
    extra = []
    while size < target:  # more of what real pages pile up: teasers, comments, tracking scripts
        pick = r.random()
        if pick < 0.4:
            block = f'<section class="more"><h2>More from {escape(outlet)}</h2>' \
                    f'{_teasers(r, related, bank, 6, "more")}</section>'
        elif pick < 0.6:
            block = _comments(r, bank, 6)
        else:
            block = f"<script>{_script(r, 3000)}</script>"
        extra.append(block)
        size += len(block)
    doc = "".join(parts + tail + extra) + footer + "</body></html>"
    return doc.encode("utf-8")


def render_feed(feed: int, outlet: str, base: str, entries: list[dict], *, atom: bool) -> bytes:
    """An RSS 2.0 or Atom feed of ``entries`` (dicts: title, url, when, author, teaser, guid)."""
    title = escape(f"{outlet}: feed {feed:03d}")
    newest = max((e["when"] for e in entries), default=dt.datetime(2016, 9, 1, tzinfo=dt.UTC))
    out = []
    if atom:
        out.append(f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                   f"<title>{title}</title><id>{base}/feed/{feed}</id><link href=\"{base}/\"/>"
                   f"<updated>{newest.isoformat()}</updated>")
        for e in entries:
            content = (f'<content type="html">{escape(escape(e["content"]))}</content>'
                       if e["content"] else "")
            out.append(f"<entry><title>{escape(e['title'])}</title><link href=\"{escape(e['url'])}\"/>"
                       f"<id>urn:{e['guid']}</id><published>{e['when'].isoformat()}</published>"
                       f"<updated>{e['when'].isoformat()}</updated><author><name>{escape(e['author'])}"
                       f"</name></author><summary>{escape(e['teaser'])}</summary>{content}</entry>")
        out.append("</feed>")
    else:
        out.append(f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                   f'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                   f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                   f"<title>{title}</title><link>{base}/</link><description>Latest news</description>"
                   f"<lastBuildDate>{email.utils.format_datetime(newest)}</lastBuildDate>")
        for e in entries:
            content = (f"<content:encoded>{escape(e['content'])}</content:encoded>"
                       if e["content"] else "")
            out.append(f"<item><title>{escape(e['title'])}</title><link>{escape(e['url'])}</link>"
                       f"<guid isPermaLink=\"false\">{e['guid']}</guid>"
                       f"<pubDate>{email.utils.format_datetime(e['when'])}</pubDate>"
                       f"<dc:creator>{escape(e['author'])}</dc:creator>"
                       f"<description>{escape(e['teaser'])}</description>{content}</item>")
        out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")
