"""How a framework dialect's log is paced: the job's logging interval, the groups of its
lines drawn at the run's pace, and the lines between them scrolling past."""

from __future__ import annotations

import math

from genact_cast.generator.console import Console
from genact_cast.generator.pacing import NICE, log_interval
from genact_cast.generator.plan import RunPlan

SECONDS_PER_LINE = 0.8  # cast time a logged step of the drawn groups takes, about
# The job's logging interval is one its framework's users set, and the log prints every line
# of it (REALISM.md: real jobs log every 1-100 steps). The cast draws groups of BURST
# consecutive lines at the pace of the run and lets the lines between them scroll past in
# quick bursts, each with its own timestamp and numbers: the fast-forward is in the playback,
# never in the log (review-mg3 fault 9).
BASE_INTERVAL = 10
BURST = 3
# At most about this many step lines in a cast: a 15,000-step run logs 1,500 lines every 10
# steps (some 300 kB of cast); a longer run logs at a larger interval its framework's users
# set for long runs, shown in its command or config.
LINE_CAP = 1600
MIN_LOGGED = 100
INTERVALS: dict[str, tuple[int, ...]] = {
    # Megatron-LM core_v0.14.0: examples/gpt3/train_gpt3_175b_distributed.sh:68 sets
    # `--log-interval 100` (the other examples 1-10); past 160,000 iterations the next round
    # step, 1000.
    "megatron": (10, 100, 1000),
    # torchtitan v0.2.0: config/job_config.py:66 `log_freq: int = 10`, and every shipped
    # llama3 config keeps it (llama3_405b.toml:13 `log_freq = 10`); a longer run overrides
    # it on the command line (`--metrics.log_freq=100`), as the dialect shows.
    "torchtitan": (10, 100, 1000),
    # transformers 4.57.1: training_args.py:977-978, TrainingArguments.logging_steps defaults
    # to 500; the Trainer under DeepSpeed (accelerate's plugin) logs through the same flag.
    "hf": (10, 500),
    "deepspeed": (10, 500),
}
# The lines between the drawn groups scroll past, SCROLL_SECONDS each at most and a few to a
# frame (as a terminal shows a log scrolling past), taking at most SCROLL_SHARE of the
# epoch's cast time in all.
SCROLL_SECONDS = 1 / 60
FRAME_SECONDS = 1 / 30
SCROLL_SHARE = 0.2


def logging_interval(plan: RunPlan, framework: str | None = None) -> int:
    """The job's logging interval, fixed at launch as a real job's is: the framework's usual
    one, or the larger one its users set when the run would log more than LINE_CAP lines
    (past the framework's own values, the next round one: 1000, 2000, 5000, ...), but never
    so large that the run logs fewer than MIN_LOGGED steps."""
    name = framework or plan.options.framework
    ladder = INTERVALS.get(name, (BASE_INTERVAL,))
    longest = max(ladder[-1], max(n for n in NICE if n * MIN_LOGGED <= max(1, plan.total_steps)))
    ladder += tuple(n for n in NICE if ladder[-1] < n <= longest)
    # The Trainer over pdsh prints each dict on every node's local rank 0 (PrinterCallback).
    per_step = plan.nodes if name == "deepspeed" else 1
    return next((n for n in ladder if plan.total_steps * per_step <= n * LINE_CAP), ladder[-1])


def group_interval(plan: RunPlan, freq: int) -> int:
    """How far apart the drawn groups of logged lines are: the round multiple of the logging
    interval `freq` whose groups of BURST lines fit the cast."""
    lines = math.fsum(plan.budget.epochs) / SECONDS_PER_LINE / BURST
    every = log_interval(plan.total_steps, max(1, round(lines)))
    return max(freq, -(-every // freq) * freq)


class Scroll:
    """The logged lines between the drawn groups: they go out a few to a frame, their
    timestamps and numbers on the run's clock, in `seconds` of cast time in all."""

    def __init__(self, con: Console, lines: int, budget: float) -> None:
        self._con = con
        self._each = min(SCROLL_SECONDS, SCROLL_SHARE * budget / lines) if lines else 0.0
        self._frame = max(1, int(FRAME_SECONDS / self._each)) if self._each else 1
        self._pending = 0
        self.seconds = self._each * lines

    def line(self) -> None:
        """One line written: a frame's worth of them gets its time."""
        self._pending += 1
        if self._pending >= self._frame:
            self.settle()

    def settle(self) -> None:
        """The time of the lines written since the last frame, before other output."""
        if self._pending:
            self._con.tape.sleep(self._each * self._pending)
            self._pending = 0
            self._con.natural_break()
