"""The names of the summarisation methods, known without importing them.

A config is checked before the run starts Prefect's server; importing the summarizers (sumy,
NLTK, SciPy: about 1.5 s) only to check a name would hold the server's start back. The
registry itself is :mod:`digest.summarizers`; a test keeps the two in step.
"""

from __future__ import annotations

SUMY_NAMES = ("lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction")
OWN_NAMES = ("lead", "story", "concepts", "developments")
NAMES = frozenset(SUMY_NAMES + OWN_NAMES)
