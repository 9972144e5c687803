"""Attention's training FLOPs per token at a sequence length, layer by layer.

A layer attends over the whole sequence, or over a sliding window of it
(data/attention_windows.tsv): Gemma 3's local layers look at the last 1,024 tokens, five
layers in six. PaLM's count (arXiv 2204.02311, appendix B: 12·L·H·Q·T, with queries' and
values' head sizes apart: catalog.Architecture.attention_flops) takes each layer at the
positions it attends to, as Google's MaxText does for Gemma 3
(maxtext_utils.calculate_gemma3_tflops_training_per_device: layers // 6 global layers at the
sequence, the others at min(window, sequence)). Counting every layer at the whole sequence
overstated a Gemma 3 run's FLOPs by 3-8 % (review-realism14 A1).

The frameworks' own MFU formulas are theirs, not this one (torchtitan's
get_num_flop_per_token, Megatron's num_floating_point_operations), and neither trains Gemma 3
at its pinned release (lineup.UNSUPPORTED)."""

from __future__ import annotations

import functools
from typing import NamedTuple

from genact_cast.generator import tables
from genact_cast.generator.catalog import Architecture


class Window(NamedTuple):
    size: int  # tokens a local layer attends over
    pattern: int  # one full-attention layer in this many (0: every layer local)


@functools.cache
def windows() -> dict[str, Window]:
    """Each windowed architecture's window, by its catalog name."""
    path = tables.GENERATOR / "data" / "attention_windows.tsv"
    return {r[0]: Window(int(r[1]), int(r[2])) for r in tables.rows(path)}


def full_layers(arch: Architecture) -> int:
    """Layers that attend over the whole sequence: one in each `pattern`, the last of it."""
    window = windows().get(arch.name)
    if window is None:
        return arch.layers
    return arch.layers // window.pattern if window.pattern else 0


def flops_per_token(arch: Architecture, seq: int) -> float:
    """Attention's training FLOPs for one token of a `seq`-token sequence: each layer's
    6·H·(d_qk + d_v) per position it attends to."""
    window = windows().get(arch.name)
    if window is None:
        return arch.attention_flops * seq
    full = full_layers(arch)
    positions = full * seq + (arch.layers - full) * min(seq, window.size)
    # exact: attention_flops is a multiple of the layers (6·L·H·(d_qk + d_v))
    return arch.attention_flops * positions / arch.layers
