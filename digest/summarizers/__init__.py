"""Summarisation methods by name: sumy's built-in summarizers next to the project's own.

Every method is a sumy ``AbstractSummarizer`` working on sumy's document model; names are lower
case. ``get_summarizer`` returns one ready to use (snowball stemmer and sumy's bundled stop
words, no downloads). Defaults: "lead" for one article, "story" for ``digest summarize`` of several
texts; the digest's overview defaults to "developments" (``[digest] overview_method``).
"""

from __future__ import annotations

from sumy.nlp.stemmers import Stemmer
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from digest.errors import ConfigError
from digest.summarizers.concepts import ConceptILPSummarizer
from digest.summarizers.developments import DevelopmentSummarizer
from digest.summarizers.features import stop_words
from digest.summarizers.lead import LeadSummarizer
from digest.summarizers.story import StorySummarizer

SUMY_METHODS: dict[str, type[AbstractSummarizer]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}

OWN_METHODS: dict[str, type[AbstractSummarizer]] = {
    "lead": LeadSummarizer,
    "story": StorySummarizer,
    "concepts": ConceptILPSummarizer,
    "developments": DevelopmentSummarizer,
}

DEFAULT_ARTICLE_METHOD = "lead"
DEFAULT_OVERVIEW_METHOD = "story"

# Edmundson's cue method needs bonus and stigma words; these are generic news cue words.
EDMUNDSON_BONUS = ("announced", "agreed", "said", "killed", "first", "new", "major", "deal")
EDMUNDSON_STIGMA = ("perhaps", "maybe", "hardly", "reportedly", "allegedly", "meanwhile")


def available_methods() -> dict[str, type]:
    """Every method name (lower case) and its summarizer class."""
    return {**SUMY_METHODS, **OWN_METHODS}


def get_summarizer(name: str, language: str = "english") -> AbstractSummarizer:
    """A configured summarizer for ``name``; raises ``ConfigError`` for an unknown name."""
    key = name.strip().lower()
    methods = available_methods()
    if key not in methods:
        raise ConfigError(
            "summarizers", "method", f"unknown method {name!r}; choose one of: {', '.join(sorted(methods))}"
        )
    try:
        stemmer = Stemmer(language)
    except LookupError:
        stemmer = Stemmer("english") if language == "english" else (lambda w: w.lower())
    if key in OWN_METHODS:
        return OWN_METHODS[key](stemmer, language=language)
    summarizer = SUMY_METHODS[key](stemmer)
    stops = stop_words(language)
    if isinstance(summarizer, EdmundsonSummarizer):
        summarizer.null_words = stops or frozenset({"the"})
        summarizer.bonus_words = EDMUNDSON_BONUS
        summarizer.stigma_words = EDMUNDSON_STIGMA
    elif hasattr(summarizer, "stop_words"):
        summarizer.stop_words = stops
    return summarizer
