"""What an evaluation really runs, and how long that takes: each framework forwards the
run's held-out set in whole batches of its own, so the tokens it evaluates are the set
rounded to those batches, and the time is the forward of those tokens (review-realism11 M1:
Megatron printed `eval_iters 1` of a 1,024-sequence global batch beside the time of the 512
sequences of the set).

The dialects print their batch counts from here, and the run times its evaluations from
here, so the two cannot part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from genact_cast.generator import attention, physics

if TYPE_CHECKING:
    from genact_cast.generator.plan import RunPlan

# torchtitan v0.2.0's validation.local_batch_size and validation.seq_len
# (config/job_config.py:862-866; no shipped toml sets them)
VALIDATION_BATCH = 8
VALIDATION_SEQ_LEN = 2048


class Geometry(NamedTuple):
    """The parallel layout an evaluation's batches are cut by."""

    gpus: int
    dp: int
    pp: int
    micro_batch: int
    grad_accum: int
    seq_len: int

    @property
    def global_batch(self) -> int:
        return self.dp * self.micro_batch * self.grad_accum


def megatron_eval_iters(eval_samples: int, global_batch: int) -> int:
    """--eval-iters: the held-out set in whole global batches, at least one. evaluate() runs
    each iteration over `eval_batch_size = args.global_batch_size` sequences (training.py,
    "make validation batch size independent from training batch size", core_v0.14.0)."""
    return max(1, round(eval_samples / global_batch))


def torchtitan_local_batch(pp: int, micro_batch: int, grad_accum: int) -> int:
    """training.local_batch_size: under PP it holds all of a step's micro batches (the
    schedule splits it, pipeline_parallel.py:184-192 at v0.2.0), without PP one."""
    return micro_batch * grad_accum if pp > 1 else micro_batch


def torchtitan_validation_shape(g: Geometry) -> tuple[int, int]:
    """validation.local_batch_size and validation.seq_len: the defaults, but under PP the
    training micro batches' shape, which the schedule's stages hold (components/validate.py:
    131-137 at v0.2.0; see torchtitan_job.Job.validation_shape)."""
    if g.pp > 1:
        return torchtitan_local_batch(g.pp, g.micro_batch, g.grad_accum), g.seq_len
    return VALIDATION_BATCH, VALIDATION_SEQ_LEN


def torchtitan_validation_steps(eval_samples: int, g: Geometry) -> int:
    """validation.steps: the held-out set's tokens in batches of the validation shape on
    every data-parallel rank, at least one."""
    batch, seq_len = torchtitan_validation_shape(g)
    return max(1, -(-eval_samples * g.seq_len // (batch * seq_len * g.dp)))


def trainer_eval_steps(eval_samples: int, micro_batch: int, dp: int) -> int:
    """The Trainer's evaluation loop: the set over the data-parallel ranks in per-device
    batches, the last one padded to full (accelerate's even_batches), as the dialect's bar
    counts it. accelerate 1.11.0 shards the Trainer's dataloaders over `dp` processes, not
    the world: the tensor-parallel ranks of a replica get the same batch (data_loader.py:
    1109-1120 under DeepSpeed AutoTP, whose `tp` mesh accelerator.py:2077-2090 makes;
    :1121-1144 under a TP device mesh), as DeepSpeed's AutoTP blog counts it (v0.17.5
    blogs/huggingface-tp/README.md:82-86, `n_gpus / tp_size`)."""
    return -(-eval_samples // (micro_batch * dp))


def evaluated(framework: str, eval_samples: int, g: Geometry) -> tuple[int, int]:
    """(tokens, sequence length) the framework's evaluation forwards over the whole cluster:
    every batch it runs, the padded or rounded-up last one whole."""
    if framework == "megatron":
        return megatron_eval_iters(eval_samples, g.global_batch) * g.global_batch * g.seq_len, (
            g.seq_len
        )
    if framework == "torchtitan":
        batch, seq_len = torchtitan_validation_shape(g)
        steps = torchtitan_validation_steps(eval_samples, g)
        return steps * batch * seq_len * g.dp, seq_len
    if framework in ("hf", "deepspeed"):
        # tensor-parallel ranks of a replica forward the same batch: dp distinct ones a step
        steps = trainer_eval_steps(eval_samples, g.micro_batch, g.dp)
        return steps * g.micro_batch * g.dp * g.seq_len, g.seq_len
    return eval_samples * g.seq_len, g.seq_len  # the genact log: the set itself


def geometry(plan: RunPlan) -> Geometry:
    return Geometry(
        gpus=plan.gpus,
        dp=plan.data_parallel,
        pp=plan.pipeline_parallel,
        micro_batch=plan.micro_batch,
        grad_accum=plan.grad_accum,
        seq_len=plan.tokens_per_sequence,
    )


def forward_seconds(plan: RunPlan) -> float:
    """The evaluation's forward, at the run's MFU (which carries the pipeline's bubble, as a
    forward-only schedule of the same micro batches does): 2N + 4·L·H·Q·s FLOPs a token, the
    forward third of training's 6N + 12·L·H·Q·s (Kaplan et al. 2020, arXiv 2001.08361, with
    attention's heads x head size over each layer's window: attention.flops_per_token), whatever
    the method trains (an adapter run's step skips the frozen weights' gradients, its
    evaluation forwards the same model)."""
    tokens, seq_len = evaluated(plan.options.framework, plan.eval_samples, geometry(plan))
    a = plan.arch
    forward = physics.flops_per_token(a.active_params, attention.flops_per_token(a, seq_len)) / 3
    flops = plan.gpus * plan.gpu.peak_tflops * 1e12 * plan.mfu
    return tokens * forward / flops
