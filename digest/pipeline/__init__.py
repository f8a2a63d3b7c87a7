"""The day's digest, stage by stage: collect (feeds, entries, pages), compose
(membership, folding, summaries, publishing), replay (a day with nothing new),
runner (the order of the stages), context (live resources of one run)."""

from digest.pipeline.context import RunContext, open_run, window_for
from digest.pipeline.runner import DIRECT, RunResult, Stages, report, run

__all__ = ["DIRECT", "RunContext", "RunResult", "Stages", "open_run", "report", "run",
           "window_for"]
