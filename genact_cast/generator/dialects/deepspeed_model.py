"""The model as DeepSpeed v0.17.5 handles it under ZeRO-3: the parameter tensors zero.Init
counts, and the gradient bucket a reduce-scatter carries."""

from __future__ import annotations

from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects.base import collective_numels
from genact_cast.generator.dialects.facts import Facts

REDUCE_BUCKET = 500_000_000  # stage3.py:151, reduce_bucket_size's default (ds_config sets none)


def state_dict_tensors(facts: Facts) -> int:
    """Tensors in the model's state dict (zero.Init's `num_params`): the embedding,
    the output layer unless tied, the final norm, and per layer q/k/v/o, two norms, the
    family's q/k/v biases or q/k norms, and the MLP's three projections (a router and three
    per expert, shared or routed, in a mixture of experts)."""
    family = margs.family(facts)
    layer = 4 + 2 + (3 if family.qkv_bias else 0) + (2 if family.qk_norm else 0)
    if facts.experts:
        layer += 1 + 3 * (facts.experts + facts.shared_experts)
    else:
        layer += 3
    return 2 + (0 if family.tied else 1) + layer * facts.layers


def zero3_numels(facts: Facts, op: str) -> tuple[int, int]:
    """Sizes of the collective the watchdog caught under ZeRO-3. A gradient reduce-scatter
    takes one ipg bucket: whole gradients in backward order while they fit in
    reduce_bucket_size (stage3.py:1275), padded to a multiple of the world for the scatter;
    other collectives are one layer's shard."""
    if op != "_REDUCE_SCATTER_BASE":
        return collective_numels(facts, op)
    family = margs.family(facts)
    head_dim = family.head_dim or facts.hidden // facts.heads
    q_dim, kv_dim = facts.heads * head_dim, facts.kv_heads * head_dim
    ffn = facts.expert_ffn or facts.ffn
    # down, up, gate, post-attention norm, o, v, k, q, input norm: the backward order
    layer = [ffn * facts.hidden] * 3 + [facts.hidden, q_dim * facts.hidden]
    layer += [kv_dim * facts.hidden] * 2 + [q_dim * facts.hidden, facts.hidden]
    total = 0
    for numel in layer * facts.layers:
        if total + numel > REDUCE_BUCKET and total > 0:
            break
        total += numel
    world = facts.dp  # ZeRO-3 partitions over every data-parallel rank
    padded = -(-total // world) * world
    return padded, padded // world
