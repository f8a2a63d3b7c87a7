"""Names in news text (people, organisations, places): a light, offline, rule-based extractor.

A name is a run of capitalised words ("John Kerry", "Deir ez-Zor", "Syrian Arab Red Crescent"),
with the lower-case particles names carry inside them (al-, ez-, de, bin, of). A capitalised word
that only starts a sentence is not a name unless another capitalised word follows it. Keys are
lower-cased single words (so "Kerry" later in a text matches "John Kerry" in its lede); a
possessive ``'s`` and a particle's prefix are dropped ("Deir ez-Zor" and "Deir al-Zor" match). No model, no download: a regex over the text.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from sumy.utils import get_stop_words

# a capitalised word (letters first; hyphens and apostrophes inside), or an all-capitals one
_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*")
_PARTICLES = frozenset("al el ez az as ad an ash at bin ibn de del der di du da la le van von of "
                       "the and".split())
# words after which a capitalised word starts a sentence (or a heading, a quote)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"“”‘’'()\[\]—–\-•|]\s*|\n\s*)$")
# capitalised words that are rarely names even mid-sentence
_NOT_NAMES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december sept sep oct nov dec jan
    feb mar apr jun jul aug mr mrs ms dr i""".split())


@lru_cache(maxsize=4)
def _stop(language: str) -> frozenset[str]:
    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset()


def _key(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip("'-")


def names(text: str, language: str = "english") -> Counter[str]:
    """Name words of ``text`` with their counts (lower-cased; see the module docstring)."""
    stop = _stop(language)
    out: Counter[str] = Counter()
    run: list[tuple[str, bool]] = []  # (key, starts a sentence)
    initial: Counter[str] = Counter()  # lone capitalised words that start a sentence

    def flush() -> None:
        if not run:
            return
        if len(run) == 1 and run[0][1]:
            initial[run[0][0]] += 1  # a name only if it is one elsewhere in the text
            run.clear()
            return
        for key, _ in run:
            if len(key) > 1 and key not in stop and key not in _NOT_NAMES:
                out[key] += 1
        run.clear()

    last_end = 0
    for m in _TOKEN.finditer(text):
        word = m.group()
        gap = text[last_end:m.start()]
        last_end = m.end()
        if run and (("\n" in gap) or any(c in gap for c in ".!?;:,()\"“”")):
            flush()
        if word[0].isupper():
            starts = len(word) < 3 or not word.isupper()  # a dateline's GENEVA is a name
            before = text[max(0, m.start() - 3):m.start()]
            starts = starts and (m.start() == 0 or bool(_SENTENCE_END.search(before)))
            run.append((_key(word), starts and not run))
        elif run and word.lower() in _PARTICLES or (run and "-" in word and
                                                  word.split("-")[0].lower() in _PARTICLES):
            if "-" in word:  # "al-Assad", "ez-Zor": the name is the part after the particle
                tail = word.split("-", 1)[1]
                if tail[:1].isupper():
                    run.append((_key(tail), False))
            continue
        else:
            flush()
    flush()
    for key, n in initial.items():
        if key in out:
            out[key] += n
    return out
