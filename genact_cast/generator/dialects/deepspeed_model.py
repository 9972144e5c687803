"""The model as DeepSpeed v0.17.5 handles it under ZeRO-3: the parameter tensors zero.Init
counts, and the gradient bucket a reduce-scatter carries."""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator import lora
from genact_cast.generator.dialects import hf_model
from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects.base import collective_numels
from genact_cast.generator.dialects.facts import Facts

REDUCE_BUCKET = 500_000_000  # stage3.py:151, reduce_bucket_size's default (ds_config sets none)
SUB_GROUP_SIZE = 1_000_000_000  # zero/config.py:172, sub_group_size's default
NF4_CONSTANTS = lora.FROZEN_BYTES["qlora"] - 0.5  # absmax per block, double-quantized


class Zero3Memory(NamedTuple):
    """What rank 0's allocator holds (bytes) at each of stage3.py's `see_memory_usage`."""

    begin: float  # Stage 3 initialize beginning, DeepSpeedZeRoOffload initialize [begin]
    model: float  # from DeepSpeedZeRoOffload initialize [end] to Before creating fp32
    fp32: float  # After creating fp32 partitions .. Before initializing optimizer states
    optimizer: float  # After initializing optimizer states
    final: float  # After initializing ZeRO optimizer
    copied: float  # the trainable bf16 partitions, copied into one flat buffer
    gradient: float  # initialize_optimizer_states' fp32 gradient buffer, freed after
    subgroups: int  # the `After creating fp16 partitions: N` count

    def in_gib(self) -> Zero3Memory:
        """The sizes in GiB, as see_memory_usage divides them (by 1024**3)."""
        gib = 2**30
        return self._replace(
            begin=self.begin / gib,
            model=self.model / gib,
            fp32=self.fp32 / gib,
            optimizer=self.optimizer / gib,
            final=self.final / gib,
            copied=self.copied / gib,
            gradient=self.gradient / gib,
        )


def zero3_memory(facts: Facts) -> Zero3Memory:
    """ZeRO-3 partitions every parameter over the whole data-parallel group (the printed
    zero_hpz_partition_size 1): the bf16 weights (frozen ones too, under LoRA) from zero.Init,
    then for the trainable parameters alone the fp32 copies (_create_fp32_partitions), Adam's
    two fp32 moments (initialize_optimizer_states), and the bf16 gradient partitions plus
    one reduce bucket (stage3.py:555-570). A 4-bit model is not built under zero.Init
    (transformers 4.57.1 modeling_utils.py:4372-4376): every rank holds it whole until
    DeepSpeedZeRoOffload converts its parameters (parameter_offload.py:131, 203-221); the
    packed NF4 weights (bf16 storage) are partitioned then, their quantization constants,
    which are no parameters, stay whole."""
    world = facts.dp
    trainable = hf_model.trainable(facts)
    every = hf_model.parameters(facts)  # a multimodal checkpoint's vision tower too
    if facts.method == "qlora":
        embeddings = facts.vocab * facts.hidden * (1 if margs.family(facts).tied else 2)
        quantized = hf_model.built(facts) - embeddings
        packed = quantized * 0.5 + (every - quantized) * 2
        constants = quantized * NF4_CONSTANTS
        begin, model = packed + constants, packed / world + constants
    else:
        begin = model = 2 * every / world
    fp32 = model + 4 * trainable / world
    optimizer = fp32 + 8 * trainable / world
    final = optimizer + 2 * trainable / world + 2 * REDUCE_BUCKET
    partition = int(trainable // world)
    subgroups = max(1, -(-partition // SUB_GROUP_SIZE))
    copied = 2 * trainable / world
    gradient = 4 * min(partition, SUB_GROUP_SIZE)  # the largest subgroup's numel
    return Zero3Memory(begin, model, fp32, optimizer, final, copied, gradient, subgroups)


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
    return 2 + (0 if family.tied else 1) + layer * facts.layers + hf_model.extra_tensors(facts)


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
