"""A framework dialect's logging interval: the steps whose lines the job prints (the cast
shows a subset of them, pacing.cadence)."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.events import RunEvent
from genact_cast.generator.pacing import cadence
from genact_cast.generator.plan import RunPlan

# The job's logging interval is the one its framework's users set, whatever the run's length
# (REALISM.md: real jobs log every 1-100 steps), and its command or config says so. The cast
# shows the steps every dialect shows (pacing.cadence), each one the job logs (its step a
# multiple of the interval): a subset of the log, fast-forwarded in the playback, never in
# the log (review-mg3 fault 9; review-realism9 W5: the interval itself is never stretched to
# fit the cast).
BASE_INTERVAL = 10
# A Trainer job of sub-second steps logging more lines than this over its run keeps the
# default logging_steps (500): a 15,000-step run logs 1,500 lines every 10 steps.
LINE_CAP = 1600
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


def _lines(plan: RunPlan, name: str, every: int) -> int:
    """The lines a run prints logging every `every` steps. The Trainer over pdsh prints each
    dict on every node's local rank 0 (PrinterCallback)."""
    per_step = plan.nodes if name == "deepspeed" else 1
    return plan.total_steps * per_step // every


def on_interval(steps: int, freq: int) -> int:
    """`steps`, or the first multiple of the logging interval `freq` past it: the spacing of
    the lines a dialect shows where the genact dialect shows a step every `steps`."""
    return max(freq, -(-steps // freq) * freq)


def shown_intervals(
    plan: RunPlan, events: Sequence[RunEvent], framework: str | None = None
) -> list[int]:
    """For each epoch of the run whose `events` these are, how far apart the lines a dialect
    shows are at most, as its presenter gets the epoch (pacing.cadence)."""
    # Imported here: the driver imports the presenters, which import this module.
    from genact_cast.generator.simulation import epochs

    freq = logging_interval(plan, framework)
    found: list[int] = []
    log_every = 0
    for epoch, (training, budget) in enumerate(epochs(plan, events), start=1):
        shown_at = cadence(plan, epoch, training, budget, log_every)
        log_every = shown_at.log_every
        found.append(on_interval(shown_at.interval, freq))
    return found
