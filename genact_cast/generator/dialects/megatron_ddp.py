"""What Megatron-LM core_v0.14.0 logs at INFO while it wraps the model and builds the
optimizer: the config dataclasses' reprs (distributed_data_parallel.py:74,
optimizer/__init__.py:499) and each gradient buffer's buckets with the parameters in them
(param_and_grad_buffer.py:775-787), all through training.py's `basicConfig(level=INFO)`
(`LEVEL:logger:message`).

The parameters are one rank's, named as `named_parameters()` of the DDP-wrapped
Float16Module names them with the Transformer Engine layer spec; their sizes add up to the
rank's `number of parameters` line. Buckets follow `_ParamAndGradBuffer.__init__`: the
parameters in reverse, each starting on a 64-element boundary and each bucket ending on a
multiple of lcm(DP, 128) under the distributed optimizer, a new bucket once one holds
`bucket_size` elements. A bucket lists its parameters from a `set`, so in the order of
their hashes (their addresses): a keyed shuffle here.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from genact_cast.generator import tables
from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_stages import layer_offset
from genact_cast.generator.rng import Rng

DDP_LOGGER = "INFO:megatron.core.distributed.distributed_data_parallel:"
# Megatron-FSDP's wrapper logs the same config from its own module (mcore_fsdp_adapter.py:77)
FSDP_LOGGER = "INFO:megatron.core.distributed.fsdp.mcore_fsdp_adapter:"
BUFFER_LOGGER = "INFO:megatron.core.distributed.param_and_grad_buffer:"
OPTIMIZER_LOGGER = "INFO:megatron.core.optimizer:"

# DistributedDataParallelConfig fields training.py's get_model sets from other arguments
# (training.py:926-938 at the tag); the rest come from the argument of the same name.
_DDP_FROM = {
    "grad_reduce_in_fp32": "accumulate_allreduce_grads_in_fp32",
    "check_for_nan_in_grad": "check_for_nan_in_loss_and_grad",
    "check_for_large_grads": "check_for_large_grads",
    "bucket_size": "ddp_bucket_size",
    "pad_buckets_for_high_nccl_busbw": "ddp_pad_buckets_for_high_nccl_busbw",
    "average_in_collective": "ddp_average_in_collective",
}


class Param(NamedTuple):
    name: str
    numel: int
    shared_embedding: bool = False  # a tied embedding's copy under pipeline parallelism
    expert: bool = False  # `allreduce=False`: the expert-parallel buffer


@functools.lru_cache(maxsize=1)
def _fields() -> dict[str, list[tuple[str, bool, str]]]:
    """configs.tsv: each dataclass's fields (name, str-typed, repr of the default)."""
    path = tables.GENERATOR / margs.CATALOGUE_DIR / "configs.tsv"
    table: dict[str, list[tuple[str, bool, str]]] = {}
    for name, field, quoted, default in tables.rows(path):
        table.setdefault(name, []).append((field, quoted == "1", default))
    return table


def dataclass_repr(name: str, values: dict[str, str], parents: tuple[str, ...] = ()) -> str:
    """The dataclass's repr: `values` as `_print_args` printed them (str of each), quoted
    where the field is a string; the default where the field is not among them."""
    parts = []
    fields = [row for parent in (*parents, name) for row in _fields()[parent]]
    for field, quoted, default in fields:
        value = values.get(field)
        if value is None:
            text = default
        elif quoted and value != "None":
            text = repr(value)
        else:
            text = value
        parts.append(f"{field}={text}")
    return f"{name}({', '.join(parts)})"


def ddp_bucket_size(args: dict[str, str], dp: int) -> int | None:
    """get_model's bucket size: --ddp-bucket-size, else max(4e7, 1e6 x DP); none (one
    bucket) without --overlap-grad-reduce."""
    if args.get("overlap_grad_reduce") != "True":
        return None
    given = args.get("ddp_bucket_size", "None")
    return int(given) if given != "None" else max(40_000_000, 1_000_000 * dp)


def ddp_config(args: dict[str, str], dp: int, logger: str = "") -> str:
    """The DistributedDataParallelConfig get_model builds from the arguments, as the
    wrapper logs it (`logger`: the Megatron-FSDP adapter's, FSDP_LOGGER, else DDP's)."""
    values = {field: args[field] for field, _, _ in _fields()["DistributedDataParallelConfig"]
              if field in args}  # fmt: skip
    values.update({field: args[source] for field, source in _DDP_FROM.items() if source in args})
    values["bucket_size"] = str(ddp_bucket_size(args, dp))
    config = dataclass_repr("DistributedDataParallelConfig", values)
    return f"{logger or DDP_LOGGER}Setting up DistributedDataParallel with config {config}"


def optimizer_config(args: dict[str, str], timers_address: int) -> str:
    """OptimizerConfig from the arguments of the same names, with the Timers object that
    setup_model_and_optimizer sets on it before get_megatron_optimizer logs it."""
    values = {field: args[field] for field, _, _ in _fields()["OptimizerConfig"] if field in args}
    values["timers"] = f"<megatron.core.timers.Timers object at {timers_address:#x}>"
    return f"{OPTIMIZER_LOGGER}Setting up optimizer with config " + dataclass_repr(
        "OptimizerConfig", values
    )


def buckets(
    params: list[Param], bucket_size: int | None, dp: int, distributed_optimizer: bool
) -> list[tuple[list[Param], int]]:
    """`_ParamAndGradBuffer`'s buckets: (their parameters, padded size)."""

    def pad(number: int, divisor: int) -> int:
        return math.ceil(number / divisor) * divisor

    divisor = math.lcm(dp, 128)
    out: list[tuple[list[Param], int]] = []
    start = bucket_start = 0
    members: list[Param] = []

    def close(end: int) -> int:
        nonlocal bucket_start, members
        padded_end = pad(end, divisor) if distributed_optimizer else end
        out.append((members, padded_end - bucket_start))
        bucket_start, members = padded_end, []
        return padded_end

    end = 0
    for param in reversed(params):
        if distributed_optimizer:
            start = pad(start, 64)
        new_bucket = param.shared_embedding and distributed_optimizer
        if new_bucket and members:
            start = close(start)
        end = start + param.numel
        members.append(param)
        if (bucket_size is not None and end - bucket_start >= bucket_size) or new_bucket:
            start = close(end)
        else:
            start = end
    if members:
        close(end)
    return out


def buffer_log(
    params: list[Param], bucket_size: int | None, dp: int, distributed_optimizer: bool, rng: Rng
) -> list[str]:
    """One buffer's message: its first line under the logger's prefix, the rest bare."""
    found = buckets(params, bucket_size, dp, distributed_optimizer)
    lines = [
        f"{BUFFER_LOGGER}Number of buckets for gradient all-reduce / reduce-scatter: {len(found)}"
    ]
    for index, (members, padded) in enumerate(found, 1):
        numel = sum(param.numel for param in members)
        lines.append(f"Params for bucket {index} ({numel} elements, {padded} padded size):")
        keys = {param.name: rng.random() for param in members}  # a set's order
        lines += [f"\t{name}" for name in sorted(keys, key=keys.__getitem__)]
    return lines


def stage_params(facts: Facts, padded_vocab: int, stage: int, layers: int) -> list[Param]:
    """One tensor-parallel rank's parameters on pipeline stage `stage` (holding `layers`
    layers), in `named_parameters()` order: the embedding on the first stage, each layer's
    attention (linear_proj, then linear_qkv with its fused norm, bias and q/k norms) and MLP
    (linear_fc1 with its fused norm, linear_fc2; or for MoE the pre-MLP norm, the router,
    each local expert's grouped weights and the shared expert), the final norm and the
    output layer (a tied embedding's copy under PP) on the last."""
    return list(_stage_params(facts, padded_vocab, stage, layers))


@functools.lru_cache(maxsize=16)  # the buffers' log and the step's buckets ask for the same
def _stage_params(facts: Facts, padded_vocab: int, stage: int, layers: int) -> tuple[Param, ...]:
    f = facts
    model = margs.family(f)
    tp, head_dim = f.tp, margs.kv_channels(f)
    q_dim, kv_dim = f.heads * head_dim, f.kv_heads * head_dim
    first, last = stage == 0, stage == f.pp - 1
    shared = model.tied and f.pp > 1
    out: list[Param] = []
    if first:
        out.append(
            Param("module.embedding.word_embeddings.weight", padded_vocab * f.hidden // tp, shared)
        )
    # Of an MoE model, which layers are MoE: its --moe-layer-freq pattern from this stage's
    # first layer on (each stage names its own layers from 0).
    pattern = margs.moe_layer_pattern(f)[layer_offset(f.layers, f.pp, stage) :]
    # Each name under DDP's `module.`, as named_parameters() of the wrapped model gives it.
    for index in range(layers):
        at = f"module.decoder.layers.{index}."
        attention = at + "self_attention."
        if model.mla:
            out += _mla_params(f, model.mla, at)
        else:
            out += [
                Param(attention + "linear_proj.weight", f.hidden * q_dim // tp),
                Param(attention + "linear_qkv.layer_norm_weight", f.hidden),
                Param(attention + "linear_qkv.weight", (q_dim + 2 * kv_dim) * f.hidden // tp),
            ]
            if model.qkv_bias:
                out.append(Param(attention + "linear_qkv.bias", (q_dim + 2 * kv_dim) // tp))
            if model.qk_norm:
                out += [
                    Param(attention + "q_layernorm.weight", head_dim),
                    Param(attention + "k_layernorm.weight", head_dim),
                ]
        if not (pattern[index] if index < len(pattern) else f.experts):
            ffn = margs.ffn_hidden_size(f)
            out += [
                Param(at + "mlp.linear_fc1.layer_norm_weight", f.hidden),
                Param(at + "mlp.linear_fc1.weight", 2 * ffn * f.hidden // tp),
                Param(at + "mlp.linear_fc2.weight", f.hidden * ffn // tp),
            ]
            continue
        out += [
            Param(at + "pre_mlp_layernorm.weight", f.hidden),
            Param(at + "mlp.router.weight", f.experts * f.hidden),
        ]
        local = f.experts // f.ep
        for name, size in (("linear_fc1", 2 * f.expert_ffn), ("linear_fc2", f.expert_ffn)):
            out += [
                Param(f"{at}mlp.experts.{name}.weight{k}", size * f.hidden // tp, expert=True)
                for k in range(local)
            ]
        if f.shared_experts:
            width = f.shared_experts * f.expert_ffn
            out += [
                Param(at + "mlp.shared_experts.linear_fc1.weight", 2 * width * f.hidden // tp),
                Param(at + "mlp.shared_experts.linear_fc2.weight", f.hidden * width // tp),
            ]
    if last:
        out.append(Param("module.decoder.final_layernorm.weight", f.hidden))
        if not model.tied or f.pp > 1:
            out.append(Param("module.output_layer.weight", padded_vocab * f.hidden // tp, shared))
    return tuple(out)


def _mla_params(f: Facts, mla: margs.Mla, at: str) -> list[Param]:
    """One layer's input_layernorm and MLASelfAttention with the Transformer Engine spec
    (gpt_layer_specs.py:123-157 at the tag: input_layernorm a TENorm of its own; the q and kv
    up projections TELayerNormColumnParallelLinear under --qk-layernorm, their norm first;
    the down projections TELinear 'duplicated', whole on every TP rank), in the order the
    modules are built: MultiLatentAttention.__init__'s linear_proj, then MLASelfAttention's
    down and up projections (multi_latent_attention.py:165-174, 380-445)."""
    tp, attention = f.tp, at + "self_attention."
    q_head = mla.qk_head_dim + mla.qk_pos_emb_head_dim
    kv_up = f.heads * (mla.qk_head_dim + mla.v_head_dim)
    return [
        Param(at + "input_layernorm.weight", f.hidden),
        Param(attention + "linear_proj.weight", f.hidden * f.heads * mla.v_head_dim // tp),
        Param(attention + "linear_q_down_proj.weight", mla.q_lora_rank * f.hidden),
        Param(attention + "linear_q_up_proj.layer_norm_weight", mla.q_lora_rank),
        Param(attention + "linear_q_up_proj.weight", f.heads * q_head * mla.q_lora_rank // tp),
        Param(
            attention + "linear_kv_down_proj.weight",
            (mla.kv_lora_rank + mla.qk_pos_emb_head_dim) * f.hidden,
        ),
        Param(attention + "linear_kv_up_proj.layer_norm_weight", mla.kv_lora_rank),
        Param(attention + "linear_kv_up_proj.weight", kv_up * mla.kv_lora_rank // tp),
    ]
