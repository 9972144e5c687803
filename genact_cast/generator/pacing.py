"""Pacing: which steps of the run are drawn, and how cast time is shared out.

The run happens in simulated wall-clock time (days, weeks); a cast lasts minutes.
Each phase gets a share of the cast (`budget`), and within a training epoch the
steps drawn are the multiples of one round logging interval, as a real job's
`log_freq` gives them, chosen so that the redraws fit the phase's share.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from genact_cast.generator.events import Trained

NICE = tuple(m * 10**e for e in range(7) for m in (1, 2, 5))


def log_interval(steps: int, ticks: int) -> int:
    """The round interval (1, 2, 5, 10, 20, 50, ...) that gives at most about `ticks` draws."""
    wanted = max(1.0, steps / max(1, ticks))
    return int(next((n for n in NICE if n >= 0.8 * wanted), NICE[-1]))


def multiples(every: int, first: int, last: int) -> range:
    """The multiples of `every` from `first` to `last`, both included."""
    return range(-(-first // every) * every, last + 1, every)


def tick_steps(
    spans: Sequence[Trained], interval: int, extra: Sequence[tuple[int, int]] = ()
) -> list[list[int]]:
    """For each span, the steps to draw: multiples of `interval`, and the `extra`
    (attempt, step) pairs that fall inside it (step 1, where a restart resumes, the
    epoch's last step, a loss spike)."""
    # Each launch's extra steps in order, so that a span finds its own by bisection (a run
    # saving often has hundreds of spans).
    by_attempt: dict[int, list[int]] = {}
    for attempt, step in extra:
        by_attempt.setdefault(attempt, []).append(step)
    for steps in by_attempt.values():
        steps.sort()
    drawn: list[list[int]] = []
    for span in spans:
        own = by_attempt.get(span.attempt, [])
        inside = own[bisect.bisect_left(own, span.first) : bisect.bisect_right(own, span.last)]
        drawn.append(sorted({*multiples(interval, span.first, span.last), *inside}))
    return drawn


# Evaluations inside the epochs a cast shows at most: a run of weeks evaluates hundreds of
# times (every 1,000 of 614,467 iterations), and like its step lines the cast shows a
# subset of them, a round multiple of the interval apart.
SHOWN_EVALUATIONS = 12


def evaluation_stride(eval_every: int, total_steps: int) -> int:
    """How far apart the evaluations a cast shows are: the job's `eval_every`, or the first
    round multiple of it (2, 5, 10, 20 ... times) that shows SHOWN_EVALUATIONS or fewer."""
    fewer = (n for n in NICE if total_steps // (eval_every * n) <= SHOWN_EVALUATIONS)
    return eval_every * int(next(fewer, NICE[-1]))
