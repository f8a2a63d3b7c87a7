"""The naive peer: the digest script a competent user would write without this project.

    python -m bench.naive_peer --feeds feeds.json --out digest.txt [--limit N]

For each feed ``feedparser.parse(url)``; for each entry fetch the page (``trafilatura.fetch_url``),
``trafilatura.extract`` it, summarise it with sumy's LexRank (3 sentences) and append it to one text
file. Sequential, no state, no relevance filter, no deduplication. sumy's default tokenizer needs
NLTK data this machine does not have, so LexRank gets the project's offline tokenizer (the same
sumy interface; about as fast as NLTK's punkt). Prints a JSON line of counts and timings.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def run(feed_urls: list[str], out: Path, *, sentences: int = 3, limit: int | None = None) -> dict:
    import feedparser
    import trafilatura
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words
    from trafilatura.settings import use_config

    from digest.text.tokenize import Tokenizer

    config = use_config()
    config.set("DEFAULT", "SSRF_PROTECTION", "false")  # the benchmark web lives on loopback
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = Tokenizer("english")
    start = time.perf_counter()
    stats = {"feeds": 0, "entries": 0, "pages": 0, "failed": 0, "extracted": 0,
             "fetch_s": 0.0, "extract_s": 0.0, "summarise_s": 0.0, "feeds_s": 0.0}
    parts: list[str] = []
    for url in feed_urls:
        t = time.perf_counter()
        feed = feedparser.parse(url)
        stats["feeds_s"] += time.perf_counter() - t
        stats["feeds"] += 1
        for entry in feed.entries:
            if limit is not None and stats["pages"] >= limit:
                break
            stats["entries"] += 1
            stats["pages"] += 1
            t = time.perf_counter()
            html = trafilatura.fetch_url(entry.link, config=config)
            stats["fetch_s"] += time.perf_counter() - t
            if not html:
                stats["failed"] += 1
                continue
            t = time.perf_counter()
            text = trafilatura.extract(html, url=entry.link)
            stats["extract_s"] += time.perf_counter() - t
            if not text:
                stats["failed"] += 1
                continue
            stats["extracted"] += 1
            t = time.perf_counter()
            doc = PlaintextParser.from_string(text, tokenizer).document
            summary = " ".join(str(s) for s in summarizer(doc, sentences))
            stats["summarise_s"] += time.perf_counter() - t
            parts.append(f"## {entry.get('title', '')}\n{entry.link}\n\n{summary}\n")
        if limit is not None and stats["pages"] >= limit:
            break
    out.write_text("\n".join(parts), encoding="utf-8")
    stats["wall_s"] = time.perf_counter() - start
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=Path, required=True, help="JSON list of feed URLs")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=None, help="stop after this many pages")
    args = ap.parse_args(argv)
    urls = json.loads(args.feeds.read_text(encoding="utf-8"))
    stats = run([u["url"] if isinstance(u, dict) else u for u in urls], args.out, limit=args.limit)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
