"""Issue 18's speed bar: a framework dialect shows the same run as the genact dialect, as much
of it (pacing.cadence: one cadence for every dialect, each line one its job logs), and prints
NCCL's INFO lines only where its command sets NCCL_DEBUG=INFO (RunPlan.nccl_debug)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.events import CheckpointSaved, Restarted
from genact_cast.generator.presenters.dialect_pacing import logging_interval
from genact_cast.generator.run import Run
from tests.helpers import LOGGED_STEPS, PDSH_LOSSES, output_of, plain

DIALECTS = ("torchtitan", "megatron", "deepspeed", "hf")
# Seeds of one to 32 nodes, pre-training and fine-tunes, with and without failures; 9 and 17
# are the bar's own (scripts/bench_record.py BAR_SEEDS), 22 saves 411 times over 40 relaunches.
SEEDS = (9, 12, 17, 22, 114, 303)


def dialects_running(seed: int) -> int:
    """How many of the framework dialects run the seed's draw (the others refuse its model)."""
    count = 0
    for framework in DIALECTS:
        try:
            make_plan(RecordOptions(seed=seed, framework=framework, duration=60.0))
        except BadOption:
            continue
        count += 1
    return count


def at_or_after(seed: int, wanted: Callable[[int], bool]) -> int:
    """`seed`, or the first seed after it that is `wanted`: the date window of N10 moved the
    draws (seed 12 now trains Gemma-3-27B, which no framework dialect runs)."""
    return next(s for s in range(seed, seed + 200) if wanted(s))


@functools.cache
def text(seed: int, framework: str) -> str | None:
    options = RecordOptions(seed=seed, framework=framework, cols=1000, duration=60.0)
    try:
        return plain(output_of(generate(options).events))
    except BadOption:  # a model this framework's release does not train
        return None


def shown_steps(framework: str, out: str) -> list[int]:
    """The steps of the lines the job logged that the cast shows (0 for a dict without one)."""
    # (DeepSpeed through pdsh prints node 0's dicts without a step: counted as lines)
    found = [int(step) for step, _ in re.findall(LOGGED_STEPS[framework], out)]
    if framework == "deepspeed" and not found:
        hosts = [host for host, _ in re.findall(PDSH_LOSSES, out)]
        return [0 for host in hosts if host == hosts[0]]
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_every_dialect_shows_as_many_steps_as_the_genact_dialect(seed: int) -> None:
    """The genact dialect redraws its live block at each step of the cadence; a framework
    shows a line at each of them, moved to its own logging interval (so no more of them),
    and besides at each save and relaunch where its log has that step's line before the
    save's (test_dialect_casts: every dialect logs the same steps). Before the cadence was
    shared, seed 9's framework casts showed 1,192-1,301 lines where genact showed 205."""
    seed = at_or_after(seed, lambda s: dialects_running(s) >= 2)
    genact = text(seed, "genact")
    assert genact is not None
    drawn = len(re.findall(r"Step \d+/\d+ \| Loss", genact))
    checked = 0
    for framework in DIALECTS:
        out = text(seed, framework)
        if out is None:
            continue
        # the saves and relaunches of the run this framework prints (seed 12's Trainer draws
        # another layout than genact's: 90 saves at save_steps 250, not 27)
        run = Run(make_plan(RecordOptions(seed=seed, duration=60.0, framework=framework)))
        own = sum(isinstance(e, CheckpointSaved | Restarted) for e in run.events)
        steps = shown_steps(framework, out)
        assert drawn / 4 <= len(steps) <= drawn + own, (framework, len(steps), drawn, own)
        interval = logging_interval(run.plan, framework)
        assert all(s % interval == 0 or s == 1 for s in steps), framework
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("seed", [*SEEDS, 4202, 78])
def test_nccl_info_lines_only_where_the_command_sets_nccl_debug(seed: int) -> None:
    """NCCL prints nothing unless NCCL_DEBUG is set (NCCL_LOG_NONE, src/debug.cc:49-50 at
    v2.27.5-1); most jobs leave it unset. Every dialect of the same run agrees (a framework
    that does not train the seed's run draws its own, whose nodes decide it: seed 9's
    torchtitan run is on 8 nodes where genact's is on more)."""
    for framework in ("genact", *DIALECTS):
        out = text(seed, framework)
        if out is None:
            continue
        plan = make_plan(RecordOptions(seed=seed, duration=60.0, framework=framework))
        command = out[: out.index("\n")]
        assert ("NCCL_DEBUG=INFO" in command) == plan.nccl_debug, framework
        assert (" NCCL INFO " in out) == plan.nccl_debug, framework


def test_nccl_debug_is_a_minority_of_jobs_and_none_past_eight_nodes() -> None:
    plans = []
    for seed in range(200):
        try:
            plans.append(make_plan(RecordOptions(seed=seed)))
        except BadOption:
            continue
    debug = [plan for plan in plans if plan.nccl_debug]
    assert 0.05 * len(plans) <= len(debug) <= 0.3 * len(plans)
    assert all(plan.nodes <= 8 for plan in debug)


@pytest.mark.parametrize(("seed", "pinned"), [(9, True), (12, False)])
def test_nccl_debug_pinned_turns_the_lines_and_the_command_on_or_off(
    seed: int, pinned: bool
) -> None:
    """--nccl-debug on|off overrides the draw (on main 9 draws it unset, 12 set; each the
    first seed from there that draws it so and two framework dialects run) in every dialect,
    the command and the lines together, and moves no other choice of the seed."""

    def drawn_otherwise(s: int) -> bool:
        drawn = make_plan(RecordOptions(seed=s, duration=60.0)).nccl_debug
        return drawn is not pinned and dialects_running(s) >= 2

    seed = at_or_after(seed, drawn_otherwise)
    drawn = make_plan(RecordOptions(seed=seed, duration=60.0))
    assert drawn.nccl_debug is not pinned
    for framework in ("genact", *DIALECTS):
        options = RecordOptions(seed=seed, framework=framework, cols=1000, duration=60.0)
        try:
            make_plan(options._replace(nccl_debug=pinned))
        except BadOption:  # (a seed this framework refuses, or on past 8 nodes)
            continue
        out = plain(output_of(generate(options._replace(nccl_debug=pinned)).events))
        command = out[: out.index("\n")]
        assert ("NCCL_DEBUG=INFO" in command) is pinned, framework
        assert (" NCCL INFO " in out) is pinned, framework
        plan, same = make_plan(options._replace(nccl_debug=pinned)), make_plan(options)
        assert plan._replace(options=same.options) == same, framework
        assert plan.options._replace(nccl_debug=None) == same.options, framework


def test_nccl_debug_on_is_refused_where_every_node_prints_past_eight_nodes() -> None:
    """Megatron's srun and DeepSpeed's pdsh bring every node's processes' start-up to the
    terminal: on 16+ nodes --nccl-debug on is refused (one line); torchtitan shows rank 0's."""
    big = RecordOptions(seed=16, model="Llama-3.1-405B", kind="continue", nccl_debug=True)
    assert make_plan(big._replace(nccl_debug=None)).nodes > 8
    with pytest.raises(BadOption, match="--nccl-debug on: seed 16's run is on"):
        make_plan(big._replace(framework="megatron"))
    assert make_plan(big).nccl_debug  # the genact look: its rank 0's lines


def test_a_bad_nccl_debug_value_is_one_line_and_a_non_zero_exit() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", "--seed", "9", "--nccl-debug", "maybe"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "genact-cast: --nccl-debug must be auto, on or off (got 'maybe')"
    ]
