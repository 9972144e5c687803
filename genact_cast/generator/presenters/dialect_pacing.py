"""How a framework dialect's log is paced: the job's logging interval, the groups of its
lines drawn at the run's pace, and the lines between them scrolling past."""

from __future__ import annotations

import math

from genact_cast.generator.console import Console
from genact_cast.generator.pacing import NICE, log_interval
from genact_cast.generator.plan import RunPlan

SECONDS_PER_LINE = 0.8  # cast time a logged step of the drawn groups takes, about
# The job's logging interval is the one its framework's users set, whatever the run's length
# (REALISM.md: real jobs log every 1-100 steps), and its command or config says so. The cast
# draws groups of BURST consecutive lines of it at the pace of the run and lets lines between
# them scroll past in quick bursts, each with its own timestamp and numbers: every line shown
# is one the job printed (its step a multiple of the interval), the fast-forward is in the
# playback, never in the log (review-mg3 fault 9). A run too long to show every line under
# LINE_CAP shows those of a round multiple of the interval between the groups
# (review-realism9 W5: the interval itself is never stretched to fit the cast).
BASE_INTERVAL = 10
BURST = 3
# At most about this many step lines in a cast: a 15,000-step run logs 1,500 lines every 10
# steps (some 300 kB of cast); a longer run shows a subset of its lines.
LINE_CAP = 1600
MIN_LOGGED = 100
# The Megatron job of more than this many iterations logs every 100, as the 175B example.
MEGATRON_SHORT = 16_000
# Steps shorter than this are the ones the Trainer's default logging_steps (500) is for.
SUB_SECOND = 1.0
# Steps of a minute or more are logged one by one (Megatron core_v0.14.0's Llama 3 and
# Mixtral examples: examples/llama/train_llama3_8b_h100_fp8.sh:163 `--log-interval 1`;
# the Trainer's users set logging_steps 1 for such steps).
EVERY_STEP_SECONDS = 60.0
INTERVALS: dict[str, tuple[int, ...]] = {
    # Megatron-LM core_v0.14.0: arguments.py `--log-interval` default 100, and
    # examples/gpt3/train_gpt3_175b_distributed.sh:68 `--log-interval 100`; the shorter
    # examples log every 10 (examples/mamba/train.sh:95, examples/mimo/scripts/*.sh) or 1.
    "megatron": (10, 100),
    # torchtitan v0.2.0: config/job_config.py:66 `log_freq: int = 10`, and every shipped
    # llama3 config keeps it, the 405B's too (llama3_405b.toml:13 `log_freq = 10`).
    "torchtitan": (10,),
    # transformers 4.57.1: training_args.py:977-978, TrainingArguments.logging_steps defaults
    # to 500 steps, a few minutes of sub-second steps; for steps of seconds people set 1-10
    # (the Trainer under DeepSpeed, accelerate's plugin, logs through the same flag).
    "hf": (10, 500),
    "deepspeed": (10, 500),
}
# The strides of the lines shown between the groups, as a long run's cast showed them
# before its interval was kept (cast size and record speed held: scripts/bench_record.py).
STRIDES: dict[str, tuple[int, ...]] = {
    "megatron": (10, 100, 1000),
    "torchtitan": (10, 100, 1000),
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
    """The job's logging interval, fixed at launch as a real job's is and shown in its
    command: Megatron's 10 for a short run and its default 100 past MEGATRON_SHORT
    iterations (where that still logs every half hour or more); torchtitan's 10; the
    Trainer's 10 for steps of a second or more and its default 500 for a sub-second step's
    run too long to show every 10th; every step when a step takes a minute or more; never
    more than the save interval (a job saves no more often than it logs its loss,
    review-realism9 W5)."""
    name = framework or plan.options.framework
    ladder = INTERVALS.get(name, (BASE_INTERVAL,))
    if plan.step_seconds >= EVERY_STEP_SECONDS:
        return 1
    if name == "megatron":
        # its default once the run is long, where that still logs every half hour or more
        long = plan.total_steps > MEGATRON_SHORT and ladder[-1] * plan.step_seconds <= 1800
        chosen = ladder[-1] if long else ladder[0]
    elif name in ("hf", "deepspeed") and plan.step_seconds < SUB_SECOND:
        chosen = next((n for n in ladder if _lines(plan, name, n) <= LINE_CAP), ladder[-1])
    else:
        chosen = ladder[0]
    return max(
        (n for n in ladder if n <= max(chosen, 1) and n <= plan.checkpoint_every), default=ladder[0]
    )


def shown_interval(plan: RunPlan, framework: str | None = None) -> int:
    """How far apart the lines the cast shows between its drawn groups are: every line of
    the job's interval where they fit under LINE_CAP, else those of the first value of
    STRIDES (then 1000, 2000, 5000, ...) that is a multiple of it and fits, but never so far
    apart that the cast shows fewer than MIN_LOGGED of them."""
    name = framework or plan.options.framework
    interval = logging_interval(plan, name)
    longest = max(interval, max(n for n in NICE if n * MIN_LOGGED <= max(1, plan.total_steps)))
    ladder = STRIDES.get(name, (BASE_INTERVAL,))
    ladder += tuple(n for n in NICE if ladder[-1] < n <= longest)
    ladder = (interval, *(n for n in ladder if n > interval and n % interval == 0))
    return next((n for n in ladder if _lines(plan, name, n) <= LINE_CAP), ladder[-1])


def _lines(plan: RunPlan, name: str, every: int) -> int:
    """The lines a run prints logging every `every` steps. The Trainer over pdsh prints each
    dict on every node's local rank 0 (PrinterCallback)."""
    per_step = plan.nodes if name == "deepspeed" else 1
    return plan.total_steps * per_step // every


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
