"""Pacing: which steps of the run are drawn, and how cast time is shared out.

The run happens in simulated wall-clock time (days, weeks); a cast lasts minutes.
Each phase gets a share of the cast (`budget`), and within a training epoch the
steps drawn are the multiples of one round logging interval, as a real job's
`log_freq` gives them, chosen so that the redraws fit the phase's share.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator.events import Restarted, RunEvent, Trained
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.rng import Rng

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


# The cadence every dialect shows a training epoch at (issue 18: a framework's log shows as
# many steps as the genact dialect's live block does, so that no dialect prints, nor costs,
# several times what another does for the same run).
TICK_SECONDS = (0.45, 0.8)  # how often a shown step comes, in cast seconds, about
GROUPS = (6, 10)  # groups of consecutive logged lines an epoch, about
# A job's log_freq (torchtitan's default is 10): the largest of these that divides the
# groups' spacing. A cast shows groups of BURST lines, never a longer interval.
LOG_FREQS = (10, 5, 2, 1)
BURST = 3


class Cadence(NamedTuple):
    """The steps of an epoch a cast shows: the multiples of `interval`, the `extra` steps,
    and groups of BURST consecutive logged lines (`log_freq` apart) every `log_every`."""

    interval: int
    log_every: int
    log_freq: int
    extra: list[tuple[int, int]]  # (attempt, step): step 1, each launch's end, resumes, spike


def cadence(
    plan: RunPlan, epoch: int, events: Sequence[RunEvent], budget: float, log_every: int = 0
) -> Cadence:
    """The epoch's cadence, the same in every dialect for the same seed and options: drawn
    from the seed and the epoch, never from a presenter's own draws (each dialect draws its
    own lines). `log_every`: the groups' spacing fixed by the run's first epoch (0: this is
    the first; a job's logging interval does not change between epochs)."""
    spans = [e for e in events if isinstance(e, Trained)]
    covered = sum(span.last - span.first + 1 for span in spans)
    seed = plan.options.seed
    pause = Rng(seed * 7873 + epoch).uniform(*TICK_SECONDS)
    interval = log_interval(covered, round(budget / pause))
    last = epoch * plan.steps_per_epoch
    launches = range(len(plan.failures) + 1)
    extra = [(0, 1), *((a, last) for a in launches)]
    extra += [(e.attempt, e.step + 1) for e in events if isinstance(e, Restarted)]
    # An earlier epoch's end crossed again after a resume (simulation._phases): its bar
    # reaches 100 % before its evaluation, as the first pass drew it.
    extra += [(e.attempt, e.last) for e in spans if e.last % plan.steps_per_epoch == 0]
    spike = plan.loss.spike
    if spike is not None:
        extra += [(a, st) for a in launches for st in (spike.grad_step, spike.loss_step)]
    if not log_every:
        drawn = sum(len(t) for t in tick_steps(spans, interval, extra))
        groups = Rng(seed * 7877).integer(*GROUPS)
        log_every = interval * log_interval(drawn, groups)
    log_freq = next(f for f in LOG_FREQS if log_every % f == 0)
    return Cadence(interval, log_every, log_freq, extra)
