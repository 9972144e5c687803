"""How long a fine-tune's ROUGE or BLEU takes: the summaries or translations it scores must
be generated first, token by token (review-realism13 G2: ROUGE appeared between the
teacher-forced loss pass and the checkpoint in no time).

Decoding is bound by memory bandwidth: every step of a batch reads all the weights once (a
step of one token does 2 FLOPs a weight, far under what the GPU computes in the time it
reads the weight). Each data-parallel rank generates its share of the held-out examples in
batches of the Trainer's per_device_eval_batch_size (8, transformers' TrainingArguments
default); a batch decodes until its longest output ends, at most max_new_tokens steps
(generation_lengths.tsv). A step reads the rank's part of the weights (split by tensor and
pipeline parallelism) from HBM at a share of the datasheet bandwidth, and where the weights
are sharded (FSDP, ZeRO-3) it first gathers the rest of them over the data-parallel links,
as every forward of a sharded model does. The prompts' prefill is a forward at the run's
MFU (evaluation_batches), small beside it.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

from genact_cast.generator import attention, catalog, physics

if TYPE_CHECKING:
    from genact_cast.generator.plan import RunPlan

EVAL_BATCH = 8  # TrainingArguments.per_device_eval_batch_size's default (transformers 4.57.1)
# The share of the datasheet bandwidth a decoding step reaches: Databricks' "LLM Inference
# Performance Engineering: Best Practices" (2023) measures model bandwidth utilisation of
# about 60 % for optimised kernels at small batches; a plain generate() loop is no faster.
BANDWIDTH_SHARE = 0.6
# The spread of outputs' lengths about their mean (log-normal, a judgement): a batch runs
# as long as its longest.
LENGTH_SIGMA = 0.5
# Bytes a weight holds as it is read: bf16, or QLoRA's 4-bit NF4 (half a byte, its
# block scales aside).
WEIGHT_BYTES = {"qlora": 0.5}


def decode_steps(mean: int, cap: int, batch: int) -> int:
    """The steps a batch of `batch` outputs decodes: its longest output's tokens, the
    expected largest of `batch` log-normal draws of mean `mean`, at most `cap`."""
    z = NormalDist().inv_cdf(batch / (batch + 1))
    return min(cap, math.ceil(mean * math.exp(LENGTH_SIGMA * z - LENGTH_SIGMA**2 / 2)))


def step_seconds(plan: RunPlan) -> float:
    """One decoding step on one data-parallel rank: its part of the weights read from HBM,
    after the rest of them are gathered where they are sharded."""
    method = plan.lora.method if plan.lora is not None else "full"
    weights = plan.arch.params * WEIGHT_BYTES.get(method, 2.0)
    part = weights / (plan.tensor_parallel * plan.pipeline_parallel)
    read = part / (plan.gpu.hbm_gbps * 1e9 * BANDWIDTH_SHARE)
    shard = plan.layout.shard_group
    gather = part * (1 - 1 / shard) / (plan.links.shard * 1e9) if shard > 1 else 0.0
    return read + gather


def generated(plan: RunPlan) -> tuple[int, int]:
    """(outputs generated, steps a batch decodes), or (0, 0) for a task scored without
    generating."""
    found = catalog.generation_lengths().get(plan.dataset.name)
    # Only the genact log scores ROUGE and BLEU; the frameworks' logs show the loss alone.
    if plan.kind != "sft" or found is None or plan.options.framework != "genact":
        return 0, 0
    return plan.held_out_examples, decode_steps(
        found.reference_tokens, found.max_new_tokens, EVAL_BATCH
    )


def seconds(plan: RunPlan) -> float:
    """The generation of the held-out examples' outputs: the prompts' prefill, then each
    rank's batches, one after another, each its longest output's steps."""
    outputs, steps = generated(plan)
    if not outputs:
        return 0.0
    batches = math.ceil(outputs / (plan.data_parallel * EVAL_BATCH))
    decode = batches * steps * step_seconds(plan)
    a = plan.arch
    reference = catalog.generation_lengths()[plan.dataset.name].reference_tokens
    prompt = max(1, plan.dataset.tokens_per_example - reference)
    forward = physics.flops_per_token(a.active_params, attention.flops_per_token(a, prompt)) / 3
    prefill = outputs * prompt * forward / (plan.gpus * plan.gpu.peak_tflops * 1e12 * plan.mfu)
    return prefill + decode
