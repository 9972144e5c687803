"""Issue 17: a resume from a save of an earlier epoch than the fault's. The Trainer derives the
epoch it is in from the state it loads (`epochs_trained = global_step //
num_update_steps_per_epoch`), so the replayed steps are that epoch's again, and the loop
crosses its end again: the same weights on the same held-out set, the same loss. Seed 11189
--failures 2 (genact) drew steps 2,001-2,038 under `Epoch 3/3` at -4 % to -2 % and showed
epoch 2's end as `[Validation] step 2,038 | Val Loss: 0.7915` after its block's 1.0532.

Runs are found by a scan of their plans and timelines (tests/seed_scan.py), in every dialect
that plans them (megatron and torchtitan show no epochs: their validations at replayed
iterations repeat)."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.events import Evaluated, Failed, Restarted, Trained
from genact_cast.generator.run import Run
from genact_cast.generator.run_plan import RunPlan
from tests.cast_text import read_run
from tests.helpers import events_of, output_of, plain
from tests.realism import violations
from tests.seed_scan import seed_where

# Where the scan starts, per dialect: the genact log's plans save at each epoch's end, and a
# resume crosses one only where that save's write was cut short (1 seed in some 2,000).
SCANS = {
    "genact": range(10_000, 13_000),
    "hf": range(400),
    "deepspeed": range(400),
    "megatron": range(400),
    "torchtitan": range(2_500),  # none in 0-199: 22 in 200-2,499
}


def crosses_an_epoch_end(plan: RunPlan) -> bool:
    """A failure whose resume goes back to a save of an earlier epoch than its own."""
    if plan.epochs < 2 or not plan.failures:
        return False
    struck = 0
    for e in Run(plan).events:
        if isinstance(e, Failed):
            struck = e.step
        elif isinstance(e, Restarted) and e.step < (struck - 1) // plan.steps_per_epoch * (
            plan.steps_per_epoch
        ):
            return True
    return False


@functools.cache
def options_for(framework: str) -> RecordOptions:
    options = {"failures": 2, "framework": framework}
    seed = seed_where(crosses_an_epoch_end, seeds=SCANS[framework], **options)
    return RecordOptions(seed=seed, cols=200, failures=2, framework=framework)


def check_replays(plan: RunPlan, run: Run) -> None:
    """Each step trained under its own epoch; each evaluation of a step evaluated before
    repeats it, an epoch's end with its scores, in seconds of its own."""
    first: dict[int, Evaluated] = {}
    for e in run.events:
        if isinstance(e, Trained):
            epochs = {(s - 1) // plan.steps_per_epoch + 1 for s in (e.first, e.last)}
            assert epochs == {e.epoch}, e
        elif isinstance(e, Evaluated):
            seen = first.setdefault(e.step, e)
            assert (e.epoch, e.loss, e.metrics) == (seen.epoch, seen.loss, seen.metrics), (e, seen)
            # the same loss, in another launch's time: not to the millisecond the same
            assert e is seen or e.seconds != seen.seconds, (e, seen)


@pytest.mark.parametrize("framework", sorted(SCANS))
def test_a_resume_into_an_earlier_epoch_trains_it_again(framework: str) -> None:
    options = options_for(framework)
    plan = make_plan(options)
    run = Run(plan)
    check_replays(plan, run)
    ends = [e.step for e in run.events if isinstance(e, Evaluated) and e.metrics]
    # an epoch's end crossed twice: evaluated twice, the run's every epoch once at least
    assert len(ends) > plan.epochs
    assert sorted(set(ends)) == [k * plan.steps_per_epoch for k in range(1, plan.epochs + 1)]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 20_000), failures=st.integers(1, 3))
def test_every_resume_keeps_each_step_in_its_epoch(seed: int, failures: int) -> None:
    try:
        plan = make_plan(RecordOptions(seed=seed, failures=failures))
    except BadOption:  # a draw the framework refuses
        return
    check_replays(plan, Run(plan))


def test_the_genact_log_draws_the_replay_under_its_epoch_and_shows_its_end_again() -> None:
    text = plain(output_of(events_of(**options_for("genact")._asdict())))
    run = read_run(text)
    assert violations(run) == {}
    by_epoch: dict[int, list[str]] = {}
    for e in run.evaluations:
        by_epoch.setdefault(e.epoch, []).append(e.loss)
    replayed = [epoch for epoch, losses in by_epoch.items() if len(losses) == 2]
    assert replayed, by_epoch
    # its bar reaches 100 % before its block, in the launch that replays it, as at first
    plan = make_plan(options_for("genact"))
    ends = {
        (f.attempt, f.percent) for f in run.frames if f.step == replayed[0] * plan.steps_per_epoch
    }
    assert len({a for a, p in ends if p == 100}) == 2, ends


EVAL = re.compile(r"\{'eval_loss': ([\d.]+),.*?'epoch': ([\d.]+)\}")
EPOCH = re.compile(r"'epoch': ([\d.]+)\}")
PERCENT = re.compile(r"(?:^|\r|\n) ?(\d+)%\|")


@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
def test_the_trainer_logs_repeat_an_epochs_evaluation_at_its_epoch(framework: str) -> None:
    """The Trainer's `'epoch'` float and tqdm bar stay in range, and its evaluation at a
    replayed epoch's end logs the first one's eval_loss at the same `'epoch'`."""
    plan = make_plan(options_for(framework))
    text = plain(output_of(events_of(**options_for(framework)._asdict())))
    assert all(0 <= float(m[1]) <= plan.epochs for m in EPOCH.finditer(text))
    assert all(0 <= int(m[1]) <= 100 for m in PERCENT.finditer(text))
    losses: dict[str, set[str]] = {}
    count = 0
    for m in EVAL.finditer(text):
        losses.setdefault(m[2], set()).add(m[1])
        count += 1
    assert count > len(losses)  # an epoch's end evaluated again
    assert all(len(v) == 1 for v in losses.values()), losses


VALIDATION = {
    "megatron": r"validation loss at iteration (\d+) \| lm loss value: (\S+)",
    "torchtitan": r"validate step: +(\d+) +loss: +(\S+)",
}


def replays_a_validation(plan: RunPlan) -> bool:
    """A resume across an epoch's end whose replayed steps hold an in-loop evaluation (in the
    date window of N10, seed 164's resume replays none: 23 validations, each once)."""
    if not crosses_an_epoch_end(plan):
        return False
    events = Run(plan).events
    steps = [e.step for e in events if isinstance(e, Evaluated) and e.step % plan.steps_per_epoch]
    return len(steps) > len(set(steps))


@pytest.mark.parametrize("framework", sorted(VALIDATION))
def test_a_replayed_iterations_validation_repeats_its_loss(framework: str) -> None:
    options = {"failures": 2, "framework": framework}
    seed = seed_where(replays_a_validation, seeds=SCANS[framework], **options)
    replayed = RecordOptions(seed=seed, cols=200, failures=2, framework=framework)
    text = plain(output_of(events_of(**replayed._asdict())))
    found = re.findall(VALIDATION[framework], text)
    values: dict[str, set[str]] = {}
    for step, value in found:
        values.setdefault(step, set()).add(value)
    assert len(found) > len(values)  # a replayed iteration evaluated again
    assert all(len(v) == 1 for v in values.values()), values
