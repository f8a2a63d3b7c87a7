"""Time the text rules on adversarial inputs (long tokens, runs of punctuation, many quotes/numbers).

    python -m bench.hostile_text [--sizes 5000,20000,1000000] [--timeout 30] [--only figures,...]

Each (stage, input, size) runs in its own process with a (wall-clock) time limit, so a quadratic
case is reported as "> N s" instead of hanging the bench; the times shown are the stage's CPU
seconds. Sizes grow only while a case stays under 10 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

SEEDS = {
    "letters": "a",
    "capitals": "A",
    "initials": "A.",
    "digits": "1",
    "thousands": "1,",
    "decimal": "1.",
    "dots": ".",
    "spaces": " ",
    "dashes": "-",
    "emdash": "\u2014",
    "dquotes": '"',
    "curly": "\u201c",
    "squotes": "'",
    "apostrophe-word": "a'",
    "hyphen-word": "Aa-",
    "cap-words": "Aa ",
    "cap-comma": "Aa, ",
    "numbers": "1 ",
    "tags": "<a ",
    "amp": "&amp;",
    "quotes": '"We will not give up the fight," he said. ',
    "claims": "At least 62 soldiers were killed, Russia said. ",
    "names": "Vitaly Churkin, Russia's envoy, said: ",
    "1400-char-words": "A" * 1400 + ". ",  # sentences just under the rules' 1,500-character bound
    "1400-char-initials": "A." * 700 + " ",
    "role-quotes": "Vitaly Churkin, Russia's envoy, spoke. \"We will not give up now,\" the envoy said. ",
    "para-quotes": "\"We will not give up the fight now,\" said Churkin.\n\n",
}


def text_for(seed: str, size: int) -> str:
    body = (seed * (size // len(seed) + 1))[:size]
    return f"The ceasefire began on Monday in Syria, officials said.\n\n{body} end.\n\nIt held."


def article(text: str, url: str = "https://example.com/a"):
    from digest.models import Article

    return Article(url=url, canonical_url=url, source="s", outlet="Example", title="Syria",
                   text=text)


def run_stage(stage: str, text: str) -> None:
    if stage == "figures":
        from digest.figures import extract_figures
        extract_figures([article(text)])
    elif stage == "quotes":
        from digest.quotes import extract_quotes
        extract_quotes([article(text)])
    elif stage == "tokenize":
        from digest.text.tokenize import (
            split_paragraphs,
            split_sentences,
            split_words,
            strip_dateline,
        )
        for p in split_paragraphs(text):
            for s in split_sentences(p):
                strip_dateline(s, lead=True)
                split_words(s)
    elif stage == "textclean":
        from digest.text.clean import clean_article_text, html_to_text
        clean_article_text(text)
        html_to_text(text)
    elif stage == "summarize_article":
        from digest.summarize import summarize_article
        summarize_article(article(text))
    elif stage == "summarize_story":
        from digest.summarize import summarize_story
        summarize_story([article(text), article(text[::-1], "https://example.org/b")])
    elif stage == "feeds":
        from digest.feeds import parse_feed
        esc = text.replace("&", "&amp;").replace("<", "&lt;")
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
                f"<title>{esc}</title><link>https://example.com/x</link>"
                f"<author>{esc}</author><description>{esc}</description></item></channel></rss>")
        parse_feed(body.encode(), url="https://example.com/feed", source="s")
    elif stage == "extract":
        from digest.extract import page_metadata
        page_metadata(f"<html><head><meta {text}><title>{text}</title></head></html>")
    else:
        raise SystemExit(f"unknown stage {stage}")


STAGES = ("figures", "quotes", "tokenize", "textclean", "summarize_article", "summarize_story",
          "feeds", "extract")


def _child(stage: str, text: str, out) -> None:
    run_stage(stage, text_for("A short sentence.", 20))  # imports and caches out of the timing
    start = time.process_time()  # CPU seconds: a busy machine does not inflate them
    run_stage(stage, text)
    out.put(time.process_time() - start)


def timed(stage: str, text: str, timeout: float) -> float | None:
    """Seconds taken, or None when over ``timeout``."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(stage, text, out))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None
    return out.get() if not out.empty() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,20000,1000000")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--seeds", default="")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stages = args.only.split(",") if args.only else STAGES
    seeds = {k: v for k, v in SEEDS.items() if not args.seeds or k in args.seeds.split(",")}
    for stage in stages:
        run_stage(stage, text_for("A short sentence.", 20))  # imports here, before any fork
        for name, seed in seeds.items():
            cells = []
            for size in sizes:
                took = timed(stage, text_for(seed, size), args.timeout)
                cells.append(f"{size:>8}: " + (f">{args.timeout:.0f} s" if took is None else f"{took:6.2f} s"))
                if took is None or took > 10:
                    break
            print(f"{stage:18} {name:20} " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
