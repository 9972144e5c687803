"""Evaluation during training (review-realism10 N3, realism9 W5): a pre-training run of days
or weeks evaluates on its held-out set every `eval_every` steps, as its framework's loop does
(Megatron-LM core_v0.14.0 training.py:2210 `iteration % args.eval_interval == 0`; torchtitan
v0.2.0 components/validate.py:31 `step == 1 or step % freq == 0`; transformers 4.57.1
trainer_callback.py:586-592 `global_step % eval_steps == 0`), not once at its end. Each
dialect prints those evaluations in its release's format, at the interval its command types,
with the run's values; a long run's cast shows a subset of them."""

from __future__ import annotations

import functools
import math
import re
import sys

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, lineup, make_plan, physics
from genact_cast.generator.events import Evaluated, Trained
from genact_cast.generator.pacing import SHOWN_EVALUATIONS, evaluation_stride
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.run import Run
from tests.helpers import events_of, output_of, plain
from tests.realism import attended
from tests.release_catalogue import catalogue, release_lines
from tests.seed_scan import seed_where

SEEDS = range(8100, 8140)
DIALECTS = ("megatron", "torchtitan", "hf", "deepspeed")


def _long(plan: RunPlan) -> bool:
    """10,000-30,000 steps of pre-training, 1 epoch, PP 1 (torchtitan shows its loss), that
    every dialect trains: the Trainer's epoch, printed to two places, names one step."""
    return (
        plan.kind == "pretrain"
        and plan.epochs == 1
        and plan.layout.pp == 1
        and 10_000 <= plan.total_steps <= 30_000
        and all(not lineup.why_not(plan.arch, f) for f in DIALECTS)
    )


@functools.cache
def long_run() -> RecordOptions:
    """The first such run of seeds 0-199 (seed 17's 17,994 steps until the runs' dates moved,
    N10: now 154,230, whose epochs to two places name 770 steps each)."""
    return RecordOptions(seed=seed_where(_long, seeds=range(200)))


@functools.cache
def plans() -> list[RunPlan]:
    found = []
    for seed in SEEDS:
        try:
            found.append(make_plan(RecordOptions(seed=seed)))
        except (BadOption, SeedRefused):
            continue
    return found


@functools.cache
def run_of(plan: RunPlan) -> Run:
    return Run(plan)


def in_loop(run: Run) -> list[Evaluated]:
    """The evaluations inside the epochs (an epoch's end evaluates on its own)."""
    spe = run.plan.steps_per_epoch
    return [e for e in run.events if isinstance(e, Evaluated) and e.step % spe != 0]


def test_a_pre_training_run_evaluates_during_training_at_a_recipes_interval() -> None:
    """Every pre-training and continued pre-training run of 800 steps or more evaluates at
    least 8 times, every 100, 200, 500 or 1,000 steps (Megatron's examples: 1000 in
    examples/gpt3/train_gpt3_175b_distributed.sh:70, 100 in
    examples/llama/train_llama3_8b_h100_fp8.sh:165), at every multiple inside each epoch; a
    fine-tune at its epochs' ends."""
    checked = 0
    for plan in plans():
        run = run_of(plan)
        steps = {e.step for e in in_loop(run)}
        if plan.kind == "sft" or plan.total_steps < 800:
            assert plan.eval_every == plan.steps_per_epoch
            assert not steps
            continue
        checked += 1
        assert plan.eval_every in (100, 200, 500, 1000), plan.eval_every
        assert plan.total_steps // plan.eval_every >= 8
        if plan.total_steps >= 8000:
            assert plan.eval_every == 1000
        every = set(range(plan.eval_every, plan.total_steps + 1, plan.eval_every))
        assert steps == {s for s in every if s % plan.steps_per_epoch}
    assert checked >= 15


def test_an_evaluation_is_a_forward_pass_that_the_runs_clock_counts() -> None:
    """An evaluation begins as its step ends and training goes on after it: its seconds are
    the held-out tokens at a third of full training's FLOPs a token (forward only, 2N of 6N,
    Kaplan et al. 2020; an adapter run's forward too, though its step skips the frozen
    weights' gradients), within the run's ±4 % from one evaluation to the next."""
    for plan in plans()[:12]:
        run = run_of(plan)
        a = plan.arch
        attention = a.attention_flops / a.layers * attended(a.name, a.layers, plan.seq_len)
        flops = physics.flops_per_token(a.active_params, attention) / 3
        tokens = plan.eval_samples * plan.tokens_per_sequence
        forward = tokens * flops / (plan.gpus * plan.gpu.peak_tflops * 1e12 * plan.mfu)
        events = list(run.events)
        for index, event in enumerate(events):
            if not isinstance(event, Evaluated) or event.step % plan.steps_per_epoch == 0:
                continue
            assert 0.96 * forward <= event.seconds <= 1.04 * forward
            before = [e for e in events[:index] if isinstance(e, Trained)][-1]
            assert before.last == event.step
            assert math.isclose(before.t, event.t - event.seconds, abs_tol=1e-6)
            after = next((e for e in events[index:] if isinstance(e, Trained)), None)
            if after is not None:
                assert after.t_start >= event.t - 1e-9


def test_the_held_out_loss_follows_the_training_loss() -> None:
    """Within ±0.05 of the loss the step before it logged (REALISM.md: validation loss
    within about ±0.05 of training loss), falling as the run goes."""
    for plan in plans():
        run = run_of(plan)
        evaluations = [e for e in in_loop(run) if e.step > plan.warmup_steps]
        for event in evaluations:
            trained = plan.loss.smooth(event.step)  # the step's logged loss, less its noise
            assert abs(event.loss - trained) <= 0.05, (
                plan.options.seed,
                event.step,
                event.loss,
                trained,
            )
        if plan.kind == "pretrain" and len(evaluations) >= 2:
            assert evaluations[-1].loss < evaluations[0].loss


def shown(options: RecordOptions) -> list[Evaluated]:
    """The run's evaluations inside the loop that a cast shows."""
    plan = make_plan(options)
    stride = evaluation_stride(plan.eval_every, plan.total_steps)
    return [e for e in in_loop(Run(plan)) if e.step % stride == 0]


def test_a_long_run_shows_a_subset_of_its_evaluations() -> None:
    """614 evaluations of a 614,467-iteration run (seed 8605) are not 614 blocks in the cast:
    at most SHOWN_EVALUATIONS, a round multiple of the interval apart."""
    plan = make_plan(RecordOptions(seed=8106))
    assert plan.total_steps // plan.eval_every > 100
    stride = evaluation_stride(plan.eval_every, plan.total_steps)
    assert stride % plan.eval_every == 0
    assert 1 <= plan.total_steps // stride <= SHOWN_EVALUATIONS


MEGATRON = re.compile(r" validation loss at iteration (\d+) \| lm loss value: (\S+) \|")
TORCHTITAN = re.compile(r"validate step: +(\d+) +loss: +(\S+) ")
TRAINER = re.compile(r"\{'eval_loss': (\S+), .*'epoch': (\S+)\}")


@pytest.mark.parametrize("framework", DIALECTS)
def test_every_dialect_prints_its_evaluations_at_the_interval_it_typed(framework: str) -> None:
    """The command carries the interval (--eval-interval, --validation.freq, --eval_steps),
    the log evaluates at its multiples only, each line is its release's format string
    (catalogue.tsv with file:line), and the losses are the run's, in every dialect."""
    options = long_run()._replace(framework=framework)
    plan = make_plan(options)
    every = plan.eval_every
    lines = release_lines(options)
    command = "\n".join(make_command(options))
    subset = [e.step for e in shown(options)]
    assert len(subset) >= 2
    losses = {e.step: e.loss for e in in_loop(run_of(plan))}
    entries = {e.key: e.pattern for e in catalogue("hf" if framework == "deepspeed" else framework)}
    if framework == "megatron":
        assert f"--eval-interval {every} " in command
        found = [(int(m[1]), float(m[2])) for line in lines if (m := MEGATRON.match(line))]
        assert all(entries["validation"].fullmatch(line) for line in lines if MEGATRON.match(line))
    elif framework == "torchtitan":
        # typed where the shipped config's differs; a user's own config holds it
        from genact_cast.generator.dialects import torchtitan
        from genact_cast.generator.presenters.dialect_choice import dialect_for

        log = dialect_for(plan)
        assert isinstance(log, torchtitan.Log)
        assert log.validation_freq == every
        typed = re.search(r"--validation\.freq=(\d+)", command)
        assert typed is None or int(typed[1]) == every
        found = [(int(m[1]), float(m[2])) for line in lines if (m := TORCHTITAN.search(line))]
        assert found[0][0] == 1  # step 1 validates (validate.py:31)
        found = found[1:]
        validate = entries["validate"]
        assert all(
            validate.fullmatch(line[line.index("validate step:") :])
            for line in lines
            if TORCHTITAN.search(line)
        )
    else:
        assert f"--eval_strategy=steps --eval_steps={every}" in command
        # (DeepSpeed's Trainer over pdsh: the same record from every node's local rank 0)
        records = list({m[0]: m for line in lines if (m := TRAINER.search(line))}.values())
        assert all(entries["eval"].fullmatch(m[0]) for m in records)
        spe = plan.steps_per_epoch
        found = []
        for m in records:
            # the Trainer's epoch is global_step / steps per epoch (rounded to 2 places,
            # but where PrinterCallback prints its repr)
            epoch = float(m[2])
            candidates = [s for s in losses if abs(s / spe - epoch) <= 0.005]
            found += [(candidates[0] if candidates else -1, float(m[1]))]
    # the subset at least, besides any whose neighbouring lines are shown (FrameworkLog);
    # Megatron's evaluations after training at its last iteration are of another format
    steps = [s for s, _ in found if s < plan.total_steps]
    assert set(subset) <= set(steps), (subset, steps)
    assert steps == sorted(steps)
    for step, value in found:
        if step < plan.total_steps:
            assert step % every == 0, step
            assert abs(losses[step] - value) <= 1e-4


def make_command(options: RecordOptions) -> list[str]:
    from genact_cast.generator.presenters.dialect_choice import launch_words

    return [" ".join(launch_words(make_plan(options))) + " "]


def test_the_genact_log_prints_each_shown_evaluation_with_the_runs_loss() -> None:
    lines = release_lines(long_run())
    found = [
        (int(m[1].replace(",", "")), float(m[2]))
        for line in lines
        if (m := re.search(r"\[Validation\] step ([\d,]+) \| Val Loss: (\S+) \|", line))
    ]
    # the subset, and any between two step lines logged one after the other
    assert {e.step for e in shown(long_run())} <= {step for step, _ in found}
    losses = {e.step: e.loss for e in in_loop(run_of(make_plan(long_run())))}
    assert all(losses[step] == loss for step, loss in found)


def test_the_dashboard_reads_evaluating_with_the_step_counter_standing_still() -> None:
    """While an evaluation runs, the title bar reads EVALUATING and the step is the one the
    evaluation follows (inside the epoch, a multiple of the interval); a frame drawn as a
    shown step ends, where its evaluation only begins, is training's."""
    sys.path.insert(0, ".")
    from tests.test_dashboard_cast import events, frame_times, screens

    cols, rows = 120, 40
    plan = make_plan(long_run())
    evs = events(long_run().seed, cols, rows)
    steps = []
    phases = []
    for scr in screens(evs, cols, rows, frame_times(evs)):
        display = scr.display
        phases.append(display[0].split()[-1])
        if display[0].split()[-1] != "EVALUATING":
            continue
        found = re.search(r"step ([\d,]+)/", display[1])
        assert found is not None
        steps.append(int(found[1].replace(",", "")))
    assert steps, "no frame reads EVALUATING"
    inside = [s for s in steps if s < plan.total_steps]
    assert all(s % plan.eval_every == 0 for s in inside), inside
    # A frame drawn where a shown step ends and its evaluation begins is training's: the
    # evaluation is seconds of the hours between two shown steps (review-realism11 D1: a
    # multi-week run read EVALUATING in 29 of 37 frames, at evaluation power).
    assert phases.count("EVALUATING") <= phases.count("TRAINING") / 4, phases


@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
def test_a_tensor_parallel_trainer_evaluates_over_its_data_parallel_ranks(framework: str) -> None:
    """accelerate 1.11.0 shards the Trainer's dataloaders over the DP size: processes of one
    tensor-parallel group get the same batch (data_loader.py:1109-1120 under DeepSpeed AutoTP,
    :1121-1144 under a TP device mesh; DeepSpeed v0.17.5's AutoTP blog counts `n_gpus /
    tp_size`, blogs/huggingface-tp/README.md:82-86). Seed 43117 trains on 16 GPUs at TP 8:
    453 packed held-out rows (2,000 CNN-DailyMail articles) in batches of 4 on 2 DP ranks are
    57 steps a process, not the 8 of 16 ranks (dialects-y, session 19; 1,131 rows and 142
    steps before the held-out draw had a stream of its own, hfsplit)."""
    options = RecordOptions(seed=43117, framework=framework, failures=2)
    plan = make_plan(options)
    assert (plan.gpus, plan.layout.tp) == (16, 8)
    text = plain(output_of(events_of(**options._replace(cols=1000)._asdict())))
    batch = int(re.findall(r"--per_device_eval_batch_size[= ](\d+)", text)[0])
    # the evaluation's `Num examples` (trainer.py:4645): the set, whoever shards it
    assert f"Num examples = {plan.eval_samples}\r" in text
    steps = -(-plan.eval_samples // (batch * plan.gpus // plan.layout.tp))
    assert steps == 57
    if framework == "hf":  # the bar (DeepSpeed's two nodes run without it, --disable_tqdm)
        totals = set(re.findall(r"\| *\d+/(\d+) \[", text))
        assert str(steps) in totals
        assert "8" not in totals
    # and the evaluation's time is those batches' forward (evaluation_batches.evaluated)
    from genact_cast.generator.evaluation_batches import evaluated, geometry

    tokens, _ = evaluated(framework, plan.eval_samples, geometry(plan))
    assert tokens == steps * batch * (plan.gpus // plan.layout.tp) * plan.tokens_per_sequence
