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
from itertools import chain

from digest.text.vec import stop_words

# what ends a run of name words; the first group also starts a sentence
_BREAK = re.compile(r"([.!?:\n\"“”—–•|]|(?<!\w)'|'(?!\w))|[,;()\[\]]")
_PARTICLES = frozenset("al el ez az as ad an ash at bin ibn de del der di du da la le van von of "
                       "the and".split())
# capitalised words that are rarely names even mid-sentence
NOT_NAMES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december sept sep oct nov dec jan
    feb mar apr jun jul aug mr mrs ms dr i""".split())
_EDGE = "'’\"“”‘-.,;:!?()[]{}*«»"


def _key(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip("'-")


def names(text: str, language: str = "english") -> Counter[str]:
    """Name words of ``text`` with their counts (lower-cased; see the module docstring)."""
    stop = stop_words(language)
    out: Counter[str] = Counter()
    initial: Counter[str] = Counter()  # lone capitalised words that start a sentence
    starts = True
    pos = 0
    for m in chain(_BREAK.finditer(text), (None,)):
        segment = text[pos:m.start()] if m else text[pos:]
        run: list[str] = []
        lone_start = False
        for i, raw in enumerate(segment.split()):
            word = raw.strip(_EDGE)
            if not word or not word[0].isalpha():
                _flush(run, lone_start, out, initial, stop)
                run, lone_start = [], False
                continue
            if word[0].isupper():
                if not run:
                    lone_start = starts and i == 0 and (len(word) < 3 or not word.isupper())
                run.append(_key(word))
            elif "-" in word and word.split("-", 1)[0].lower() in _PARTICLES:
                tail = word.split("-", 1)[1]  # "al-Assad", "ez-Zor": the name after the particle
                if tail[:1].isupper():
                    run.append(_key(tail))
            elif run and word.lower() in _PARTICLES:
                continue
            else:
                _flush(run, lone_start, out, initial, stop)
                run, lone_start = [], False
        _flush(run, lone_start, out, initial, stop)
        if m is None:
            break
        starts = m.group(1) is not None
        pos = m.end()
    for key, n in initial.items():
        if key in out:
            out[key] += n
    return out


def _flush(run: list[str], lone_start: bool, out: Counter[str], initial: Counter[str],
           stop: frozenset[str]) -> None:
    if not run:
        return
    if len(run) == 1 and lone_start:
        initial[run[0]] += 1  # a name only if it is one elsewhere in the text
        return
    for key in run:
        if len(key) > 1 and key not in stop and key not in NOT_NAMES:
            out[key] += 1
