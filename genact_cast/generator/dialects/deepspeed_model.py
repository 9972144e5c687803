"""The model as DeepSpeed v0.17.5 handles it under ZeRO-3: the state dict's tensors that
zero_to_fp32.py counts and shards, and the gradient bucket a reduce-scatter carries."""

from __future__ import annotations

from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects.base import collective_numels
from genact_cast.generator.dialects.facts import Facts

REDUCE_BUCKET = 500_000_000  # stage3.py:151, reduce_bucket_size's default (ds_config sets none)
MAX_SHARD_BYTES = 5 * 10**9  # convert_zero_checkpoint_to_fp32_state_dict's "5GB"


def state_dict_tensors(facts: Facts) -> int:
    """Tensors in the model's state dict (`params` in zero_to_fp32.py's count): the embedding,
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


def state_dict_sizes(facts: Facts) -> list[int]:
    """Elements of each tensor of the model's state dict, in its order (the embedding, each
    layer's attention, MLP and norms, the final norm, the output layer unless tied)."""
    family = margs.family(facts)
    head_dim = family.head_dim or facts.hidden // facts.heads
    h, q, kv = facts.hidden, facts.heads * head_dim, facts.kv_heads * head_dim
    layer = [q * h, kv * h, kv * h, h * q]
    if family.qkv_bias:
        layer += [q, kv, kv]
    if family.qk_norm:
        layer += [head_dim, head_dim]
    if facts.experts:
        layer += [facts.experts * h]
        layer += [facts.expert_ffn * h] * 3 * (facts.experts + facts.shared_experts)
    else:
        layer += [facts.ffn * h] * 3
    layer += [h, h]
    sizes = [facts.vocab * h, *(layer * facts.layers), h]
    return sizes if family.tied else [*sizes, facts.vocab * h]


def fp32_shards(facts: Facts) -> list[float]:
    """Bytes of each safetensors file: huggingface_hub's split_torch_state_dict_into_shards
    fills a shard in state-dict order until the next fp32 tensor would pass the limit."""
    shards: list[float] = []
    current = 0
    for numel in state_dict_sizes(facts):
        size = 4 * numel
        if current and current + size > MAX_SHARD_BYTES:
            shards.append(current)
            current = 0
        current += size
    shards.append(current)
    return [size + 8 + 150 * 40 for size in shards]  # the JSON header before the data


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
