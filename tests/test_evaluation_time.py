"""An evaluation takes the time of the batches its log says it runs (review-realism11 M1:
Megatron printed `eval_iters 1` of a 1,024-sequence global batch and an `evaluate` timer of
385 ms beside 2,264 ms iterations, the time of the 512 sequences of the held-out set).

An evaluation is a forward pass: 2N + 4·L·d·s FLOPs a token against training's 6N + 12·L·d·s
(Kaplan et al. 2020, arXiv 2001.08361), so a third of a training step's time a token at the
same MFU, pipeline bubble included. What each framework runs is its own batches, the last
one whole: Megatron-LM core_v0.14.0's evaluate() runs `--eval-iters` iterations of
`args.global_batch_size` sequences (training.py, "make validation batch size independent
from training batch size"); torchtitan v0.2.0's validator `validation.steps` batches of
validation.local_batch_size x seq_len on every data-parallel rank (components/validate.py);
the Trainer (transformers 4.57.1) `ceil(examples / (batch x processes))` steps, accelerate's
even_batches padding the last."""

from __future__ import annotations

import functools
import re
import statistics

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, generate, make_plan, physics
from genact_cast.generator.dialects import megatron_args
from genact_cast.generator.dialects.torchtitan_job import Job
from genact_cast.generator.events import Evaluated
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.run import Run
from tests.helpers import output_of, plain, untee
from tests.realism import attended

SEEDS = range(200)
EVAL_ITERS = re.compile(r"^\s+eval_iters \.+ (\d+)$", re.M)
GLOBAL_BATCH = re.compile(r"^\s+global_batch_size \.+ (\d+)$", re.M)
ITERATION_MS = re.compile(r"elapsed time per iteration \(ms\): ([\d.]+)")
EVALUATE_MS = re.compile(r"^\s+evaluate \.+: \(([\d.]+), ([\d.]+)\)$", re.M)


@functools.cache
def plans(framework: str) -> list[RunPlan]:
    found = []
    for seed in SEEDS:
        try:
            found.append(make_plan(RecordOptions(seed=seed, framework=framework)))
        except (BadOption, SeedRefused):
            continue
    return found


def forward_seconds(plan: RunPlan, tokens: int, seq_len: int) -> float:
    """`tokens` forward at the run's MFU: a third of training's FLOPs a token (full training's,
    whatever the method: an adapter's step saves the frozen weights' gradients, not the
    forward)."""
    a = plan.arch
    attention = a.attention_flops / a.layers * attended(a.name, a.layers, seq_len)
    flops = physics.flops_per_token(a.active_params, attention) / 3
    return tokens * flops / (plan.gpus * plan.gpu.peak_tflops * 1e12 * plan.mfu)


def printed_tokens(plan: RunPlan) -> tuple[int, int]:
    """The tokens the dialect's lines say an evaluation runs: its batch counts as the log
    prints them (--eval-iters, --validation.steps and shape, the Trainer's bar)."""
    facts = facts_for(plan)
    framework = plan.options.framework
    if framework == "megatron":
        return megatron_args.eval_iters(facts) * facts.global_batch * facts.seq_len, facts.seq_len
    if framework == "torchtitan":
        job = Job(facts)
        batch, seq_len = job.validation_shape()
        return job.validation_steps() * batch * seq_len * facts.dp, seq_len
    if framework in ("hf", "deepspeed"):
        batch = facts.micro_batch  # --per_device_eval_batch_size
        # the evaluation bar's total: the set over the data-parallel ranks, the tensor-
        # parallel ranks of a replica sharing a batch (accelerate 1.11.0 data_loader.py:
        # 1109-1144)
        steps = -(-plan.eval_samples // (batch * facts.dp))
        return steps * batch * facts.dp * facts.seq_len, facts.seq_len
    return plan.eval_samples * plan.seq_len, plan.seq_len


@pytest.mark.parametrize("framework", ["genact", "megatron", "torchtitan", "hf", "deepspeed"])
def test_every_evaluation_is_the_forward_of_the_batches_its_log_names(framework: str) -> None:
    """In every run of seeds 0-199 each dialect trains, every evaluation's seconds are the
    forward of the tokens the dialect says it evaluates, within the run's ±4 % from one
    evaluation to the next; the held-out set rounded to those batches is not the set itself
    in some of the runs (the case the old timing missed)."""
    rounded = 0
    for plan in plans(framework)[:30]:
        tokens, seq_len = printed_tokens(plan)
        rounded += tokens != plan.eval_samples * plan.seq_len
        expected = forward_seconds(plan, tokens, seq_len)
        evaluations = [e for e in Run(plan).events if isinstance(e, Evaluated)]
        assert evaluations, plan.options.seed
        for event in evaluations:
            assert 0.955 * expected <= event.seconds <= 1.045 * expected, (
                plan.options.seed,
                event.step,
                event.seconds,
                expected,
            )
    if framework != "genact":
        assert rounded, framework


def test_megatrons_evaluate_timer_is_a_third_of_its_iterations() -> None:
    """As the Megatron log prints it: the `evaluate` timer of `eval_iters` forward-only
    iterations of the global batch is a third of that many training iterations' `elapsed
    time per iteration` (its median over the shown lines: GC and jitter move single ones),
    within the evaluations' ±4 % and the iterations' jitter."""
    checked = 0
    for plan in plans("megatron")[:8]:
        if plan.lora is not None:
            continue
        options = RecordOptions(seed=plan.options.seed, framework="megatron", cols=1000)
        teed = plain(output_of(generate(options).events)).split("\r\n")
        text = "\n".join(untee(teed))
        iters = int(EVAL_ITERS.search(text)[1])  # type: ignore[index]
        batch = int(GLOBAL_BATCH.search(text)[1])  # type: ignore[index]
        assert batch == plan.global_batch
        iteration = statistics.median(float(m) for m in ITERATION_MS.findall(text)[1:])
        timers = [float(m[1]) for m in EVALUATE_MS.finditer(text)]
        assert timers, plan.options.seed
        for timer in timers:
            ratio = timer / (iters * iteration)
            assert 0.3 <= ratio <= 0.37, (plan.options.seed, iters, timer, iteration, ratio)
        checked += 1
    assert checked >= 5, checked
