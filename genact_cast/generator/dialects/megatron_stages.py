"""How Megatron-LM core_v0.14.0 splits the transformer layers over pipeline stages, for the
build, the buffers and the memory report alike."""

from __future__ import annotations


def stage_layers(layers: int, stages: int) -> list[int]:
    """Transformer layers per pipeline stage: as even as they go, the first and the last stage
    (which also hold the embedding and the output layer) taking fewer when the layers do not
    divide evenly (`--decoder-first/last-pipeline-num-layers`; Llama 3 405B: 7, 8 x 14, 7).
    The middle stages hold the same number each: TransformerConfig asserts the layers left
    after the first and last stage divide evenly over the others (core/transformer/
    transformer_config.py:1051-1056 at the tag), so DeepSeek-V3's 61 over 16 stages is 2,
    4 x 14, 3."""
    base, extra = divmod(layers, stages)
    counts = [base] * stages
    for stage in [*range(1, stages - 1), 0, stages - 1][:extra]:
        counts[stage] += 1
    if len(set(counts[1:-1])) <= 1 or layers < stages:
        return counts
    middle = -(-layers // stages)
    ends = layers - middle * (stages - 2)
    if ends < 2:  # the ends would hold no layer: fewer in the middle, more at the ends
        middle = layers // stages
        ends = layers - middle * (stages - 2)
    return [ends // 2, *[middle] * (stages - 2), ends - ends // 2]


def layer_offset(layers: int, stages: int, stage: int) -> int:
    """The global index of `stage`'s first layer."""
    return sum(stage_layers(layers, stages)[:stage])
