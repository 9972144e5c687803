"""Exact parameter counts of a catalogue model: the Hugging Face state dict's (what
zero_to_fp32.py and `model.num_parameters()` count) and one Megatron rank's (the sum of
`p.nelement()` that training.py prints, core_v0.14.0 training.py:871-882).

Both are built from the model's released config.json as the catalogue and
`megatron_args.FAMILIES` hold it: the FFN width (intermediate_size), head_dim, q/k/v biases,
q/k norms, a tied output layer, and Gemma 3's four norms a layer. So every dialect prints the
same model for the same run.
"""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator.catalog import Architecture
from genact_cast.generator.dialects import megatron_args


class Shape(NamedTuple):
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    qkv_bias: bool = False
    qk_norm: bool = False
    tied: bool = False
    layer_norms: int = 2  # RMSNorms a decoder layer holds (Gemma 3: 4)
    qk_norm_whole: bool = False  # OLMo 2's q/k norms span the projections, not one head


def _attention(s: Shape) -> tuple[int, int]:
    """(weights split by tensor parallelism, q/k norm weights kept whole) of one layer."""
    q_dim, kv_dim = s.heads * s.head_dim, s.kv_heads * s.head_dim
    split = s.hidden * (q_dim + 2 * kv_dim) + q_dim * s.hidden
    if s.qkv_bias:
        split += q_dim + 2 * kv_dim
    whole = 0
    if s.qk_norm:
        whole = q_dim + kv_dim if s.qk_norm_whole else 2 * s.head_dim
    return split, whole


def hf_state_dict(s: Shape) -> int:
    """Elements of a dense model's state dict: embedding, the output layer unless tied, the
    final norm, and per layer attention, its norms and a gated MLP of width `ffn`."""
    split, whole = _attention(s)
    layer = split + whole + 3 * s.hidden * s.ffn + s.layer_norms * s.hidden
    output = 0 if s.tied else s.vocab * s.hidden
    return s.vocab * s.hidden + output + s.hidden + s.layers * layer


def megatron_dense_layer(s: Shape, tp: int) -> int:
    """One GPT layer on one tensor-parallel rank with the Transformer Engine spec: linear_qkv
    (with its fused layer_norm_weight), q/k layernorms, linear_proj, linear_fc1 (gated: two
    halves, with its layer_norm_weight) and linear_fc2; norms are not split."""
    split, whole = _attention(s._replace(qk_norm_whole=False))  # --qk-layernorm: per head
    return (split + 3 * s.hidden * s.ffn) // tp + whole + 2 * s.hidden


def of_architecture(arch: Architecture) -> Shape:
    """The catalogue architecture `arch` with its family's config.json details."""
    family = megatron_args.family_named(arch.name)
    return Shape(
        layers=arch.layers,
        hidden=arch.hidden,
        heads=arch.heads,
        kv_heads=arch.kv_heads,
        head_dim=family.head_dim or arch.hidden // arch.heads,
        ffn=arch.ffn,
        vocab=arch.vocab,
        qkv_bias=family.qkv_bias,
        qk_norm=family.qk_norm,
        tied=family.tied,
        layer_norms=family.layer_norms,
        qk_norm_whole=family.qk_norm_whole,
    )
