"""Summarisation methods by name: sumy's built-in summarizers next to the project's own.

PLACEHOLDER REGISTRY — being replaced by the summarisation work (issue 3).
"""

from __future__ import annotations

from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

SUMY_METHODS = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}

OWN_METHODS: dict[str, type] = {}


def available_methods() -> dict[str, type]:
    return {**SUMY_METHODS, "lead": object, "story": object, **OWN_METHODS}
