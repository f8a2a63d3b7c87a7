"""Builders of realistic synthetic ``Digest`` objects for renderer, archive and email tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import replace

from digest.models import (
    Article,
    Attributed,
    Digest,
    Figure,
    FigureClaim,
    Judgement,
    Quote,
    Reporter,
    Skipped,
    SourceReport,
    Story,
    StoryArticle,
    TimelineEntry,
    Window,
)

UTC = dt.UTC
STORY = Story(slug="syria-ceasefire", title="Syria ceasefire")

OUTLETS: dict[str, str] = {
    "Meridian Wire": "meridian-wire.example",
    "The Levant Tribune": "levant-tribune.example",
    "Capital Courier": "capital-courier.example",
    "The Eastern Herald": "eastern-herald.example",
    "The Northern Post": "northern-post.example",
    "Global Dispatch": "global-dispatch.example",
}

# Hostile strings a web page or feed could carry; every renderer must show them as text.
SCRIPT_TITLE = "Truce holds <script>alert('xss')</script> in Aleppo"
IMG_TITLE = '"><img src=x onerror=alert(1)> Kerry and Lavrov meet'
HOSTILE_OUTLET = "Evil <b>Outlet</b> & Co \"><svg onload=alert(2)>"
HOSTILE_SUMMARY = ("See [click me](javascript:alert(3)) and <iframe src=//evil.example></iframe> "
                   "**bold** `code` # not a heading | not | a table")
JS_URL = "javascript:alert(document.cookie)"
CRLF_TITLE = "Ceasefire\r\nBcc: victim@example.com\r\nX-Injected: yes"
LONG_WORD = "Supercalifragilistic" * 12  # 240 characters without a break point

HEADLINES = [
    "US-led coalition strike kills Syrian troops near Deir ez-Zor, Russia says",
    "Russia calls emergency Security Council meeting over coalition air strike",
    "Kerry and Lavrov trade blame as Syria truce frays",
    "Aid convoys still waiting at Turkish border as ceasefire enters sixth day",
    "Syrian army says week-long truce has ended, blames rebels",
    "Power accuses Moscow of 'stunt' at UN Security Council session",
    "Pentagon expresses regret over Deir ez-Zor strike, disputes death toll",
    "Observatory says at least 83 soldiers died in coalition raid",
    "Aleppo residents brace for renewed bombing as truce wavers",
    "White House says Russia must rein in Assad for deal to survive",
    "Joint implementation centre on hold as distrust deepens",
    "Rebel groups say ceasefire violations mount in Hama and Idlib",
    "UN envoy de Mistura urges both sides to save the agreement",
    "Analysis: why the US-Russia deal was fragile from the start",
    "Churkin dismisses US envoy's remarks as 'demagoguery'",
]
SENTENCES = [
    "The US-led coalition said the strike was halted as soon as Russian officials warned that "
    "the targets might be Syrian government forces.",
    "Russia's defence ministry said 62 Syrian soldiers were killed and more than 100 wounded "
    "in the raid near Deir ez-Zor airport.",
    "The Syrian Observatory for Human Rights put the death toll at 83, citing sources on the "
    "ground.",
    "Secretary of State John Kerry said the ceasefire could still hold if aid reached besieged "
    "areas of Aleppo within days.",
    "Foreign Minister Sergei Lavrov accused Washington of failing to separate moderate rebels "
    "from Jabhat Fateh al-Sham fighters.",
    "Dozens of trucks carrying food and medicine remained stuck at the Turkish border, the "
    "United Nations said.",
    "Samantha Power called the Russian request for an emergency session a stunt full of "
    "hypocrisy.",
    "Vitaly Churkin told reporters that the incident raised 'a very big question mark' over the "
    "agreement.",
    "The seven-day truce that began at sunset on Monday was meant to open the way to joint "
    "US-Russian strikes on jihadist groups.",
    "Monitors reported sporadic shelling in Aleppo province but said the overall level of "
    "violence remained lower than before the deal.",
    "The Pentagon said the pilots believed they were targeting Islamic State fighters.",
    "Officials in Damascus described the strike as flagrant aggression that helped Islamic "
    "State seize a hill overlooking the airport.",
]
QUOTES = [
    ("This is a very big question mark.", "Vitaly Churkin"),
    ("Russia needs to stop playing games and start acting like a responsible member of the "
     "international community.", "Samantha Power"),
    ("It is not uncommon for the Coalition Air Operations Center to confer with Russian "
     "officials as a professional courtesy.", "US Central Command"),
    ("We are reaching a really terrifying conclusion for the whole world: that the White House "
     "is defending Islamic State.", "Maria Zakharova"),
    ("The agreement is not dead, but it is in intensive care.", "Staffan de Mistura"),
    ("We regret the unintentional loss of life.", "Senior US official"),
]


def _url(outlet: str, slug: str, day: dt.date) -> str:
    return f"https://www.{OUTLETS[outlet]}/{day:%Y/%m/%d}/{slug}.html"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:60]


def make_digest(n_articles: int = 9, *, seed: int = 2016, day: dt.date = dt.date(2016, 9, 18),
                hostile: bool = False, full: bool = True, failures: bool = True,
                skipped: int = 4) -> Digest:
    """A digest of ``n_articles`` story articles; ``full`` adds quotes, figures, timeline and
    developments; ``hostile`` plants markup, script URLs, CR/LF and unbreakable words."""
    rnd = random.Random(seed)
    until = dt.datetime.combine(day, dt.time(6, 0), tzinfo=UTC)
    window = Window(since=until - dt.timedelta(days=1), until=until)
    names = list(OUTLETS)
    articles: list[StoryArticle] = []
    for i in range(n_articles):
        outlet = names[i % len(names)]
        title = HEADLINES[i % len(HEADLINES)]
        if i >= len(HEADLINES):
            title = f"{title} ({i // len(HEADLINES) + 1})"
        url = _url(outlet, f"{_slug(title)}-{i}", day)
        published = window.since + dt.timedelta(minutes=37 + i * (1380 // max(n_articles, 1)))
        summary = tuple(rnd.sample(SENTENCES, 3))
        others = [o for o in names if o != outlet]
        also = tuple(Reporter(outlet=o, url=_url(o, f"{_slug(title)}-copy-{i}", day))
                     for o in rnd.sample(others, rnd.choice((0, 0, 1, 2))))
        text = "\n\n".join(summary + tuple(rnd.sample(SENTENCES, 5)))
        article = Article(
            url=url, canonical_url=url.replace("https://www.", "https://"), source=outlet,
            outlet=outlet, title=title, text=text, published=published,
            updated=published + dt.timedelta(hours=2) if i % 5 == 0 else None,
            author="Lena Marsh" if i % 3 == 0 else None, description=summary[0],
            language="en", content_hash=hashlib.sha256(text.encode()).hexdigest())
        score = round(0.55 + rnd.random() * 0.44, 6)
        judgement = Judgement(relevant=True, score=score,
                              why=f"matches Syria + ceasefire; similarity {score:.2f} to story",
                              matched_terms=("syria", "ceasefire"))
        articles.append(StoryArticle(article=article, judgement=judgement, summary=summary,
                                     also_reported_by=also, updated=(i % 7 == 3)))
    if hostile and articles:
        articles = _plant_hostile(articles, day)

    def cite(k: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        picks = articles[k % len(articles): k % len(articles) + 2] if articles else []
        return tuple(a.article.url for a in picks), tuple(a.article.outlet for a in picks)

    overview = tuple(Attributed(text=s, sources=cite(k)[0], outlets=cite(k)[1])
                     for k, s in enumerate(SENTENCES[:5])) if articles else ()
    if hostile and overview:
        overview = (Attributed(text=HOSTILE_SUMMARY, sources=(JS_URL,), outlets=(HOSTILE_OUTLET,)),
                    *overview[1:])
    developments: tuple[Attributed, ...] = ()
    quotes: tuple[Quote, ...] = ()
    figures: tuple[Figure, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    if full and articles:
        developments = tuple(Attributed(text=SENTENCES[k], sources=cite(k + 3)[0],
                                        outlets=cite(k + 3)[1]) for k in (0, 6, 7, 4))
        quotes = tuple(Quote(text=t, speaker=s, outlet=articles[k % len(articles)].article.outlet,
                             url=articles[k % len(articles)].article.url)
                       for k, (t, s) in enumerate(QUOTES))
        a0, a1, a2 = (articles[k % len(articles)].article for k in range(3))
        figures = (
            Figure(label="Syrian soldiers killed", claims=(
                FigureClaim(value="62", number=62.0, attributed_to="Russian military",
                            outlet=a0.outlet, url=a0.url,
                            sentence="Russia said 62 soldiers were killed."),
                FigureClaim(value="83", number=83.0,
                            attributed_to="Syrian Observatory for Human Rights",
                            outlet=a1.outlet, url=a1.url, sentence="At least 83 were killed."),
            )),
            Figure(label="aid trucks waiting", claims=(
                FigureClaim(value="20", number=20.0, attributed_to="United Nations",
                            outlet=a2.outlet, url=a2.url),
                FigureClaim(value="about 40", number=40.0, attributed_to="Turkish officials",
                            outlet=a0.outlet, url=a0.url),
            )),
        )
        timeline = tuple(TimelineEntry(date=day - dt.timedelta(days=d), text=t, url=u)
                         for d, t, u in (
            (9, "Kerry and Lavrov agree a seven-day truce in Geneva.", a0.url),
            (6, "The ceasefire takes effect at sunset on the Eid al-Adha holiday.", None),
            (3, "Aid convoys are held at the Turkish border.", a1.url),
            (1, "A coalition air strike near Deir ez-Zor kills Syrian soldiers.", a2.url)))
        if hostile:
            timeline = (*timeline[:-1], TimelineEntry(date=day - dt.timedelta(days=1),
                                                      text=SCRIPT_TITLE, url=JS_URL))
    sources = [SourceReport(name=o, url=f"https://www.{h}/feed.xml", status="ok",
                            items=rnd.randint(5, 40)) for o, h in OUTLETS.items()]
    sources.append(SourceReport(name="WorldBrief", url="https://worldbrief.example/rss",
                                status="not_modified"))
    if failures:
        sources.append(SourceReport(name="Damascus Daily", url="https://damascus-daily.example/rss",
                                    status="error", error="HTTP 503 Service Unavailable"))
        sources.append(SourceReport(
            name="Gulf Observer" if not hostile else HOSTILE_OUTLET,
            url="https://gulf-observer.example/feed" if not hostile else JS_URL,
            status="error", error="timed out after 20 s" if not hostile else SCRIPT_TITLE))
    skipped_items = tuple(
        Skipped(url=f"https://www.{OUTLETS[names[k % len(names)]]}/{day:%Y/%m/%d}/other-{k}.html",
                reason=("not about the story (score 0.21)", "no extractable text",
                        "duplicate of an earlier digest", "HTTP 404")[k % 4],
                title=f"Ukraine truce talks resume in Minsk ({k})")
        for k in range(skipped))
    stats = {"feeds": float(len(sources)), "entries": 212.0, "pages_fetched": 74.0,
             "articles": float(len(articles)), "fetch_seconds": 12.3456789,
             "extract_seconds": 3.14159, "summarize_seconds": 1.0000004, "total_seconds": 18.2}
    return Digest(story=STORY, date=day, window=window,
                  generated_at=dt.datetime.combine(day, dt.time(6, 2, 13), tzinfo=UTC),
                  overview=overview, articles=tuple(articles), sources=tuple(sources),
                  skipped=skipped_items, quotes=quotes, figures=figures, timeline=timeline,
                  developments=developments,
                  previous_date=day - dt.timedelta(days=1) if full else None, stats=stats)


def _plant_hostile(articles: Sequence[StoryArticle], day: dt.date) -> list[StoryArticle]:
    out = list(articles)

    def with_article(k: int, **changes: str) -> None:
        item = out[k % len(out)]
        out[k % len(out)] = replace(item, article=replace(item.article, **changes))

    with_article(0, title=SCRIPT_TITLE)
    with_article(1, title=IMG_TITLE, outlet=HOSTILE_OUTLET)
    with_article(2, url=JS_URL, title=CRLF_TITLE)
    with_article(3, title=f"{LONG_WORD} ceasefire")
    item = out[4 % len(out)]
    out[4 % len(out)] = replace(
        item, summary=(HOSTILE_SUMMARY, f"Read more at https://example.com/{LONG_WORD}"),
        also_reported_by=(Reporter(outlet=HOSTILE_OUTLET, url=JS_URL),
                          Reporter(outlet="Data Outlet", url="data:text/html,<script>alert(4)</script>")))
    return out


def busy_digest(**kw: object) -> Digest:
    """A busy day: 60 articles from six outlets, every section filled."""
    return make_digest(60, **kw)  # type: ignore[arg-type]


def quiet_digest() -> Digest:
    """A day with articles but no quotes, figures, timeline, failures or previous digest."""
    return make_digest(3, full=False, failures=False, skipped=0)


def empty_digest() -> Digest:
    """A day when nothing new was published about the story."""
    return make_digest(0, full=False, failures=False, skipped=0)
