"""Seeds found by their plan rather than written down.

A test that needs a run with some property (a resume, a DeepSpeed fine-tune, a mixture of
experts) scans a small range of seeds, plans only (about 25 ms a seed), and takes the first
that has it: a change that moves every seed's draw (the date window planned in N10 moves
most of them) then leaves the test on its property instead of on a seed that no longer has it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.events import Failed, Restarted
from genact_cast.generator.run import Run
from genact_cast.generator.run_plan import RunPlan

Wanted = Callable[[RunPlan], bool]


def plans(seeds: Iterable[int], **options: Any) -> Iterable[tuple[int, RunPlan]]:
    """Each seed's plan under `options`, leaving out the seeds a pin refuses."""
    for seed in seeds:
        try:
            yield seed, make_plan(RecordOptions(seed=seed, **options))
        except BadOption:  # SeedRefused too: the pinned framework cannot run that draw
            continue


def seeds_where(
    wanted: Wanted, count: int = 1, seeds: Iterable[int] = range(400), **options: Any
) -> list[int]:
    """The first `count` seeds of `seeds` whose plan under `options` is `wanted`; fails the
    test, naming the scan, when fewer are found."""
    found = []
    for seed, plan in plans(seeds, **options):
        if wanted(plan):
            found.append(seed)
            if len(found) == count:
                return found
    raise AssertionError(
        f"only {len(found)} of {count} seeds wanted ({getattr(wanted, '__name__', wanted)}) in "
        f"{seeds!r} with {options}"
    )


def seed_where(wanted: Wanted, seeds: Iterable[int] = range(400), **options: Any) -> int:
    """The first seed of `seeds` whose plan under `options` is `wanted`."""
    return seeds_where(wanted, 1, seeds, **options)[0]


def first_run(wanted: Wanted, seed: int, span: int = 200, **options: Any) -> RecordOptions:
    """`options` with the first seed from `seed` (of the next `span`) whose plan is
    `wanted`: a test keeps its seed while that run still has the property it needs."""
    found = seed_where(wanted, seeds=range(seed, seed + span), **options)
    return RecordOptions(seed=found, **options)


def failure_of(
    wanted: Wanted, seeds: Iterable[int] = range(400), **options: Any
) -> tuple[RecordOptions, Failed, Restarted]:
    """The first run of `seeds` with one failure whose plan under `options` is `wanted`, at
    400 columns (no line of its console wraps), with that failure and the relaunch after it:
    the time-lost tests hold the console's stamps against these two events."""
    seed = seed_where(wanted, seeds=seeds, failures=1, **options)
    run = RecordOptions(seed=seed, failures=1, cols=400, **options)
    events = Run(make_plan(run)).events
    failed = next(e for e in events if isinstance(e, Failed))
    restart = next(e for e in events if isinstance(e, Restarted))
    return run, failed, restart


def runnable_from(seed: int, **options: Any) -> RecordOptions:
    """`options` with `seed`, or the next seed whose draw the pinned framework runs: a test
    that wants any run of a kind keeps its seed while the draws let it (seeds 12 and 47 draw
    a model the framework refuses in the date window planned in N10)."""
    return first_run(lambda plan: True, seed, **options)


def console_from(seed: int, **options: Any) -> RecordOptions:
    """As runnable_from, of a run whose processes print on the terminal: on up to
    RANK_LOG_NODES nodes (past it each writes to its own file, dialects/rank_logs)."""
    from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES

    return first_run(lambda plan: plan.nodes <= RANK_LOG_NODES, seed, **options)


def hangs(plan: RunPlan) -> bool:
    """The run's first failure leaves its GPU (or host) unanswering (plan_failures.ENDS), so
    that every peer's NCCL watchdog fires and the faulty rank prints nothing: a process that
    dies or is stuck with its CUDA error is other tests' (test_stuck_after_ecc,
    test_failure_ends)."""
    return bool(plan.failures) and plan.failures[0].ends == "hangs"


def watchdog_fires(plan: RunPlan) -> bool:
    """The run's first failure leaves its peers to their NCCL watchdogs on a host that stays
    up: its GPU hangs, or its process is stuck after its CUDA error (a process that dies is
    seen by its launcher first; a lost host under srun is Slurm's to end)."""
    return bool(plan.failures) and plan.failures[0].same_node and plan.failures[0].ends != "dies"
