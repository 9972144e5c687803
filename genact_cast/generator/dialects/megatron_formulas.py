"""Megatron-LM's own formulas at core_v0.14.0, for a Llama-shaped GPT, dense or MoE, with
grouped-query or multi-latent attention (DeepSeek-V3's).

`flops_per_batch` is `num_floating_point_operations` (megatron/training/training.py: its
`transformer_flops`), which the iteration line's `throughput per GPU (TFLOP/s/GPU)` divides
by the iteration time and the world size. `theoretical_memory` gives the lines of
`report_theoretical_memory(args, num_microbatches, verbose=True)`
(megatron/training/theoretical_memory_usage.py): the distributed optimizer's
6 + 12/DP bytes per parameter of the most loaded shard, and with sequence parallelism and
selective recomputation the activations of Korthikanti et al. (2022), Table 2.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from genact_cast.generator.dialects.megatron_args import Mla

MEGABYTE = 1024 * 1024


class Shape(NamedTuple):
    layers: int
    hidden: int
    ffn: int  # --ffn-hidden-size (a dense layer's MLP)
    heads: int
    groups: int  # query groups (the heads when there is no GQA)
    kv_channels: int
    seq: int
    padded_vocab: int
    tp: int
    pp: int
    dp: int
    micro_batch: int
    microbatches: int
    sequence_parallel: bool
    recompute: str  # "off", "selective", "full"
    distributed_optimizer: bool = True
    experts: int = 0  # routed experts in every layer (--num-experts); 0 for a dense model
    topk: int = 0
    moe_ffn: int = 0
    shared_ffn: int = 0  # --moe-shared-expert-intermediate-size
    untied: bool = True  # --untie-embeddings-and-output-weights
    dense_layers: int = 0  # of an MoE model, its dense layers (--moe-layer-freq's zeros)
    mla: Mla | None = None  # --multi-latent-attention and its ranks and head sizes


def _layer_counts(s: Shape) -> tuple[int, int]:
    """(dense, MoE) layers: every layer of a dense model, an MoE model's pattern."""
    if not s.experts:
        return s.layers, 0
    return s.dense_layers, s.layers - s.dense_layers


def _mla_attention(s: Shape, mla: Mla) -> float:
    """The MLA branch's per-layer terms (training.py:296-330, theoretical_memory_usage.py:
    58-75 at the tag): q and kv low-rank projections with their norms, the rope key's
    projection and the output projection; not the core attention's."""
    q_term = mla.q_lora_rank * (
        s.hidden + s.heads * (mla.qk_head_dim + mla.qk_pos_emb_head_dim) + 1
    )
    return (
        q_term
        + mla.kv_lora_rank * (s.hidden + s.heads * (mla.qk_head_dim + mla.v_head_dim) + 1)
        + s.hidden * mla.qk_pos_emb_head_dim
        + (s.heads * mla.v_head_dim) * s.hidden
    )


@functools.lru_cache(maxsize=64)  # the iteration line asks it at every logged step
def flops_per_batch(shape: Shape, batch: int) -> float:
    """`num_floating_point_operations(args, batch_size)` for swiglu, untied, no MTP: dense, or
    MoE in the pattern's layers (top-k routed experts and the shared ones); GQA or MLA."""
    s = shape
    ratio = s.kv_channels * s.heads / s.hidden
    expansion = 3 * 2 * 2
    gated = 3 / 2
    dense, moe = _layer_counts(s)
    if s.mla is not None:
        mla = s.mla
        attention = (
            3
            * 2
            * s.layers
            * (
                _mla_attention(s, mla)
                + s.seq * (s.heads * (mla.qk_head_dim + mla.qk_pos_emb_head_dim)) / 2
                + s.seq * s.heads * mla.v_head_dim / 2
            )
        )
    else:
        attention = (
            expansion
            * s.layers
            * s.hidden
            * s.hidden
            * ((1 + (s.groups / s.heads) + (s.seq / s.hidden / 2)) * ratio)
        )
    return (
        batch
        * s.seq
        * (
            expansion
            * s.layers
            * s.hidden
            * (
                (s.ffn * gated) * (dense / s.layers)
                + (s.moe_ffn * s.topk * gated) * (moe / s.layers)
                + (s.shared_ffn * gated) * (moe / s.layers)
            )
            + attention
            + 3 * 2 * s.hidden * s.padded_vocab * 1
        )
    )


def tflops_per_gpu(shape: Shape, batch: int, seconds: float, world: int) -> float:
    return flops_per_batch(shape, batch) / (seconds * 10**12 * world)


def parameter_counts(shape: Shape) -> tuple[float, float, float, float, float]:
    """(transformer block, embedding layers, total, most loaded shard, other shards)."""
    s = shape
    ratio = s.kv_channels * s.heads / s.hidden
    if s.mla is not None:
        self_attn = _mla_attention(s, s.mla)
    else:
        self_attn = 2 * s.hidden * s.hidden * ((1 + (s.groups / s.heads)) * ratio)
    dense, moe = _layer_counts(s)
    moe_layer = (
        2 * s.hidden * (s.moe_ffn * s.experts * 3 / 2 + s.shared_ffn * 3 / 2 + 2) + self_attn
    )
    dense_layer = 2 * s.hidden * ((s.ffn * 3 / 2) + 2) + self_attn
    embedding = s.hidden * s.padded_vocab
    embeddings = 2 * embedding if s.untied else embedding
    block = dense_layer * dense + moe_layer * moe + 2 * s.hidden
    total = block + embeddings
    loaded = ((block / s.pp) + embedding) / s.tp
    if s.untied and s.pp == 1:
        loaded += embedding / s.tp
    other = block / (s.pp * s.tp)
    return block, embeddings, total, loaded, other


def weight_and_optimizer_bytes(shape: Shape) -> float:
    """With the distributed optimizer 6 + 12/DP bytes per parameter, else 18 (the formula
    knows no FSDP: with --use-torch-fsdp2 it still counts 18)."""
    per_parameter = 6 + (12 / shape.dp) if shape.distributed_optimizer else 18
    return parameter_counts(shape)[3] * per_parameter


def _activation_bytes(shape: Shape) -> tuple[float, float]:
    """(one layer per TP rank, the whole first stage per TP rank) in bytes."""
    s = shape
    per_layer = (s.seq * s.micro_batch * s.hidden) * (18 + (4 * (s.ffn / s.hidden)))
    memory = per_layer * s.layers
    memory += 8 * s.seq * s.micro_batch * s.pp
    memory += s.seq * s.micro_batch * s.hidden * s.pp
    if s.pp > 1:
        memory *= min(1, s.microbatches / s.pp)
    if s.pp == 1:
        memory += s.seq * s.micro_batch * s.hidden * 4 * (1 + (s.padded_vocab / s.hidden))
    return per_layer / s.tp, memory / s.tp


def theoretical_memory(shape: Shape) -> list[str]:
    """The lines `report_theoretical_memory(..., verbose=True)` prints, in order."""
    block, embeddings, total, loaded, other = parameter_counts(shape)
    lines = [
        f"Number of parameters in transformer block in billions: {block / 10**9: .2f}",
        f"Number of parameters in embedding layers in billions: {embeddings / 10**9:.2f}",
        f"Total number of parameters in billions: {total / 10**9:.2f}",
        f"Number of parameters in most loaded shard in billions: {loaded / 10**9:.4f}",
    ]
    if shape.pp > 1:
        lines.append(f"Number of parameters in other shards in billions: {other / 10**9:.4f}")
    weights = weight_and_optimizer_bytes(shape) / MEGABYTE
    if not shape.sequence_parallel or shape.recompute != "selective":
        lines.append(f"Theoretical memory footprints: weight and optimizer={weights:.2f} MB")
        return lines
    per_layer, activations = _activation_bytes(shape)
    per_layer_mb = per_layer / MEGABYTE
    lines.append(f"Activation memory footprint per transformer layer: {per_layer_mb:.1f} MB")
    if shape.pp > 1:
        lines.append(f"Number of in-flight microbatches: {min(shape.microbatches, shape.pp)}")
    activation_mb = activations / MEGABYTE
    lines += [
        f"Theoretical memory footprints: weight and optimizer={weights:.2f} MB, "
        f"activation={activation_mb:.2f} MB, total={weights + activation_mb:.2f} MB",
        "",  # the message ends with its own newline
    ]
    return lines


def padded_vocab_size(vocab: int, tp: int, divisible_by: int = 128) -> int:
    """`_vocab_size_with_padding`: a multiple of make_vocab_size_divisible_by × TP."""
    multiple = divisible_by * tp
    return int(math.ceil(vocab / multiple) * multiple)
