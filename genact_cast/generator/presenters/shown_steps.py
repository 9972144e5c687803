"""Which evaluations a framework dialect's cast of a long run shows, where it shows a subset
of the lines the job logs (issue 18): the subset's own, and every one the job prints next to
a line or save the cast shows."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import CheckpointSaved, Evaluated, RunEvent


def skipped(facts: Facts, events: Sequence[RunEvent]) -> set[int]:
    """The steps of the epoch's evaluations inside the loop that are not of the subset
    the cast shows (Facts.shows_evaluation), or where the loop does not evaluate."""
    return {
        e.step
        for e in events
        if isinstance(e, Evaluated)
        and not (facts.evaluates_at(e.step) and facts.shows_evaluation(e.step))
    }


def evaluations(
    facts: Facts,
    events: Sequence[RunEvent],
    skipped: set[int],
    lines: Sequence[Sequence[int]],
) -> set[int]:
    """The steps whose evaluation the cast shows: the subset's, and every one at a step
    whose line (`lines`: the steps whose lines are drawn or scroll past) or save the cast
    shows. The job prints its evaluation between that step's line and its save (Megatron
    core_v0.14.0 training.py:2210-2245 then :2262; transformers 4.57.1
    `_maybe_log_save_evaluate`, trainer.py:3220-3228) or after the save (torchtitan v0.2.0
    train.py:611-625): a shown line or save without it is a log the job cannot print, and
    the time it took would show between two lines with nothing to explain it."""
    shown_lines = {s for steps in lines for s in steps}
    shown_lines.update(e.step for e in events if isinstance(e, CheckpointSaved) and e.path)
    steps = [e.step for e in events if isinstance(e, Evaluated) and facts.evaluates_at(e.step)]
    return {s for s in steps if s not in skipped or s in shown_lines}
