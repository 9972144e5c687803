"""What each Megatron-LM rank holds: the transformer layers of each pipeline stage, the padded
vocabulary, the parameters one rank counts, the DDP buffers get_model logs, and the memory
report_memory prints. The counting follows training.py and distributed_data_parallel.py at
core_v0.14.0; it is here, not in the presenter, because the build, the memory report and a
timed-out collective's sizes all read it.
"""

from __future__ import annotations

import math

from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects import megatron_ddp as ddp
from genact_cast.generator.dialects import megatron_formulas as formulas
from genact_cast.generator.dialects import parameters as counts
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_lines import memory
from genact_cast.generator.dialects.megatron_stages import layer_offset, stage_layers
from genact_cast.generator.dialects.megatron_tee import Tee
from genact_cast.generator.events import StepStats
from genact_cast.generator.megatron_memory import runs_megatron_fsdp
from genact_cast.generator.rng import Rng


def stage_moe_layers(facts: Facts, stage: int) -> int:
    """Of `stage`'s layers, those whose MLP is a mixture of experts (--moe-layer-freq)."""
    start = layer_offset(facts.layers, facts.pp, stage)
    count = stage_layers(facts.layers, facts.pp)[stage]
    return sum(margs.moe_layer_pattern(facts)[start : start + count])


__all__ = ["layer_offset", "stage_layers"]  # where megatron_groups and _failure take them


def uneven_stage_flags(facts: Facts) -> list[tuple[str, str | None]]:
    """The first and last stage's layer counts, given only when they differ from the rest."""
    layers = stage_layers(facts.layers, facts.pp)
    if len(set(layers)) == 1:
        return []
    return [
        ("decoder-first-pipeline-num-layers", str(layers[0])),
        ("decoder-last-pipeline-num-layers", str(layers[-1])),
    ]


def padded_vocab_size(vocab: int, tensor: int, divisible_by: int = 128) -> int:
    """Megatron pads the vocabulary to a multiple of --make-vocab-size-divisible-by (128)
    × TP so every shard is equal."""
    return formulas.padded_vocab_size(vocab, tensor, divisible_by)


def model_shape(facts: Facts, padded_vocab: int) -> formulas.Shape:
    """The model as Megatron builds it on this layout; --use-distributed-optimizer is typed
    with or without Megatron-FSDP (megatron_fsdp), as the tag's documentation of it does, so
    the theoretical footprint is always the distributed optimizer's."""
    return formulas.Shape(
        layers=facts.layers,
        hidden=facts.hidden,
        ffn=margs.ffn_hidden_size(facts),
        heads=facts.heads,
        groups=facts.kv_heads,
        kv_channels=margs.kv_channels(facts),
        seq=facts.seq_len,
        padded_vocab=padded_vocab,
        tp=facts.tp,
        pp=facts.pp,
        dp=facts.dp,
        micro_batch=facts.micro_batch,
        microbatches=facts.grad_accum,
        sequence_parallel=facts.tp > 1,
        recompute=facts.recompute,
        experts=facts.experts,
        topk=facts.top_k,
        moe_ffn=facts.expert_ffn,
        shared_ffn=facts.shared_experts * facts.expert_ffn,
        untied=not margs.family(facts).tied,
        dense_layers=margs.moe_layer_pattern(facts).count(0) if facts.experts else 0,
        mla=margs.family(facts).mla,
    )


def megatron_fsdp(facts: Facts) -> bool:
    """Whether the run is Megatron-FSDP's (megatron_memory.runs_megatron_fsdp: the plan's rule)."""
    return runs_megatron_fsdp(pp=facts.pp, moe=bool(facts.experts), dp=facts.dp)


def dp0_ranks(facts: Facts) -> list[tuple[int, int, int]]:
    """(global rank, tensor rank, pipeline rank) of data-parallel rank 0, in rank order
    (Megatron's default order tp-cp-ep-dp-pp)."""
    f = facts
    return [
        (tensor + f.tp * f.dp * stage, tensor, stage)
        for stage in range(f.pp)
        for tensor in range(f.tp)
    ]


def stage_parameters(facts: Facts, padded_vocab: int, *, untied: bool, stage: int) -> int:
    """Sum of `p.nelement()` on one rank of this pipeline stage (training.py:871-882):
    its layers, the embedding on the first stage, the final norm and output layer (a
    copy of the tied embedding under PP) on the last."""
    f = facts
    model = margs.family(f)
    shape = counts.Shape(
        layers=f.layers,
        hidden=f.hidden,
        heads=f.heads,
        kv_heads=f.kv_heads,
        head_dim=margs.kv_channels(f),
        ffn=f.ffn,
        vocab=padded_vocab,
        qkv_bias=model.qkv_bias,
        qk_norm=model.qk_norm,
        tied=model.tied,
    )
    embedding = padded_vocab * f.hidden // f.tp
    if model.mla:
        # MLA's TE spec (gpt_layer_specs.py:123-157): input_layernorm apart, the down
        # projections duplicated on every TP rank, the up projections (with the fused q/kv
        # norms) and linear_proj split; a dense layer's MLP fuses its norm into linear_fc1,
        # a MoE layer's has pre_mlp_layernorm.
        # With the norm before the MLP (pre_mlp_layernorm, or linear_fc1's fused one):
        attention = mla_attention_parameters(f) + f.hidden
        dense_layer = attention + 3 * f.hidden * margs.ffn_hidden_size(f) // f.tp
    else:
        attention = counts.megatron_dense_layer(shape._replace(ffn=0), f.tp)
        dense_layer = counts.megatron_dense_layer(shape, f.tp)
    # One MoE layer on this rank: attention and the shared expert split by TP, the router
    # whole, and this rank's E/EP experts (expert TP = TP).
    experts = f.experts // f.ep * 3 * f.hidden * f.expert_ffn
    shared = 3 * f.hidden * f.shared_experts * f.expert_ffn
    moe_layer = attention + (experts + shared) // f.tp + f.experts * f.hidden
    layers = stage_layers(f.layers, f.pp)
    moe = stage_moe_layers(f, stage)
    last = stage == f.pp - 1
    ends = (stage == 0) + last
    if not untied:
        ends = min(ends, 1)  # tied: one matrix, copied to the last stage only under PP
    body = moe_layer * moe + dense_layer * (layers[stage] - moe)
    return body + embedding * ends + (f.hidden if last else 0)


def mla_attention_parameters(facts: Facts) -> int:
    """One layer's input_layernorm and MLA self_attention on one TP rank
    (MLASelfAttention.__init__, multi_latent_attention.py:352-459 at the tag)."""
    f = facts
    mla = margs.family(f).mla
    assert mla is not None
    q_head = mla.qk_head_dim + mla.qk_pos_emb_head_dim
    split = (
        f.heads * q_head * mla.q_lora_rank  # linear_q_up_proj
        + f.heads * (mla.qk_head_dim + mla.v_head_dim) * mla.kv_lora_rank  # linear_kv_up_proj
        + f.hidden * f.heads * mla.v_head_dim  # linear_proj
    )
    whole = (
        f.hidden  # input_layernorm
        + mla.q_lora_rank * f.hidden  # linear_q_down_proj
        + mla.q_lora_rank  # linear_q_up_proj.layer_norm_weight
        + (mla.kv_lora_rank + mla.qk_pos_emb_head_dim) * f.hidden  # linear_kv_down_proj
        + mla.kv_lora_rank  # linear_kv_up_proj.layer_norm_weight
    )
    return split // f.tp + whole


def wrapping(
    facts: Facts,
    args: dict[str, str],
    padded_vocab: int,
    *,
    fsdp: bool,
    distributed: bool,
    tee: Tee,
) -> list[str]:
    """get_model's DDP wrap (its config on rank 0, then each pipeline stage's first rank
    logs its buffers' buckets; Megatron-FSDP's wrapper logs its config alone) and
    get_megatron_optimizer's config, as the console shows them (`tee`)."""
    f = facts
    rng = Rng(f.seed * 947 + 5)
    out: list[str] = []
    if fsdp:
        out += tee.rank0([ddp.ddp_config(args, f.dp, ddp.FSDP_LOGGER)])
    else:
        out += tee.rank0([ddp.ddp_config(args, f.dp)])
        size = ddp.ddp_bucket_size(args, f.dp)
        expert_dp = f.gpus // (f.pp * f.ep * f.tp)
        # With several optimizer instances (HSDP) the buffers are sharded, so padded,
        # over one instance's ranks (distributed_data_parallel.py:83-92, 375).
        shard, expert_shard = f.dp // f.replicas, max(1, expert_dp // f.replicas)
        for stage, layers in enumerate(stage_layers(f.layers, f.pp)):
            params = ddp.stage_params(f, padded_vocab, stage, layers)
            # Bucketing only on the first stage: later stages' communication is off the
            # critical path (distributed_data_parallel.py:186).
            bucket = size if stage == 0 else None
            dense = [p for p in params if not p.expert]
            logged = ddp.buffer_log(dense, bucket, shard, distributed, rng)
            experts = [p for p in params if p.expert]
            if experts:
                logged += ddp.buffer_log(experts, bucket, expert_shard, distributed, rng)
            # the stage's first rank: tensor and data-parallel rank 0 (dp0_ranks' order)
            out += tee.of_rank(f.tp * f.dp * stage, logged)
    timers = 0x7F00_0000_0000 + rng.integer(0, 2**36) * 16
    return out + tee.rank0([ddp.optimizer_config(args, timers)])


def stage_expert_parameters(facts: Facts, stage: int) -> int:
    """Of `stage_parameters`, the routed experts' (this rank's E/EP experts of each of the
    stage's layers, split by TP): their own buffer, sharded over the expert data-parallel
    group (distributed_data_parallel.py: expert_parallel_params)."""
    f = facts
    if not f.experts:
        return 0
    per_layer = f.experts // f.ep * 3 * f.hidden * f.expert_ffn // f.tp
    return per_layer * stage_moe_layers(f, stage)


def state_bytes(facts: Facts, padded_vocab: int, *, untied: bool, stage: int) -> float:
    """What the distributed optimizer leaves on a rank: bf16 weights and fp32 gradients (6
    bytes a parameter), and the fp32 master weights and Adam moments (12) sharded over one
    optimizer instance's data-parallel ranks, DP / --num-distributed-optimizer-instances
    (core_v0.14.0 distributed_data_parallel.py:83-92 shards the buffers over the intra-
    instance group; arguments.py: "Number of Distributed Optimizer copies across Data
    Parallel domain"), the experts' over the expert data-parallel ranks of an instance."""
    f = facts
    params = stage_parameters(f, padded_vocab, untied=untied, stage=stage)
    experts = stage_expert_parameters(f, stage)
    instance = max(1, f.dp // f.replicas)
    expert_instance = max(1, f.gpus // (f.pp * f.ep * f.tp) // f.replicas)
    return 6 * params + 12 * (params - experts) / instance + 12 * experts / expert_instance


def memory_report(
    facts: Facts, shape: formulas.Shape, *, fsdp: bool, stats: StepStats, tee: Tee
) -> list[str]:
    """Rank 0's theoretical footprint (Megatron's own formula, which divides by the whole
    DP and knows neither EP nor FSDP), then `report_memory` of every rank of data-parallel
    rank 0: its model state (the distributed optimizer's 6 + 12/(DP of one optimizer
    instance) bytes a parameter; under Megatron-FSDP the plan's shard of everything), and
    at the step's peak that state plus the plan's activations, logits and buffers; as the
    console shows them (`tee`)."""
    f = facts
    lines = tee.rank0(formulas.theoretical_memory(shape))
    # What the step adds to the resident state at its peak: the plan's activations, logits
    # and CUDA/NCCL buffers (layout.memory), on top of this rank's own state.
    transient = (stats.memory_gib - f.state_gib) * 2**30
    for rank, _tensor, stage in dp0_ranks(f):
        if not tee.shown(rank):
            continue
        state = (
            f.state_gib * 2**30  # FSDP: this rank's shard of everything
            if fsdp
            else state_bytes(f, shape.padded_vocab, untied=shape.untied, stage=stage)
        )
        allocated = round(state / 512) * 512 / 2**20
        high = state + transient
        max_allocated = round(high / 512) * 512 / 2**20
        reserved = float(math.ceil(high * 1.04 / 2**21) * 2)
        line = memory(rank, stats.step, allocated, max_allocated, reserved, reserved)
        lines += tee.of_rank(rank, [line])
    return lines
