"""Megatron-LM's command line and its `arguments` dump, as core_v0.14.0 prints them.

The command is `pretrain_gpt.py` with the flags of the tag's Llama example
(examples/llama/train_llama3_8b_h100_fp8.sh) in bf16 and real data. The dump is every
attribute of the parsed arguments after `validate_args` (megatron/training/arguments.py,
`_print_args`): the tag's defaults come from presenters/frameworks/megatron/arguments.tsv
(written by scripts/megatron_arguments.py, which runs the tag's own argparse definitions
and `validate_args`), the command's flags and what `validate_args` derives from them are
set here.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from genact_cast.generator import catalog, physics, tables
from genact_cast.generator.dialects.common import py_float
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.evaluation_batches import megatron_eval_iters

RELEASE = "core_v0.14.0"
SEED = 1234
SPLIT = "949,50,1"  # examples/gpt3/train_gpt3_175b_distributed.sh
CATALOGUE_DIR = "presenters/frameworks/megatron"

# The argparse defaults of the flags a command may leave out (arguments.py at the tag), for
# a table written from a command that set them.
_OPTIONAL = {
    "group_query_attention": "False",
    "num_query_groups": "1",
    "recompute_granularity": "None",
    "recompute_method": "None",
    "recompute_num_layers": "None",
    "sequence_parallel": "False",
    "pretrained_checkpoint": "None",
    "decoder_first_pipeline_num_layers": "None",
    "decoder_last_pipeline_num_layers": "None",
    "use_distributed_optimizer": "False",
    "overlap_grad_reduce": "False",
    "overlap_param_gather": "False",
    "use_torch_fsdp2": "False",
    "use_megatron_fsdp": "False",
    "data_parallel_sharding_strategy": "no_shard",
    "gradient_accumulation_fusion": "True",
    "high_priority_stream_groups": "[]",
    "num_experts": "None",
    "moe_router_topk": "2",
    "moe_ffn_hidden_size": "None",
    "moe_shared_expert_intermediate_size": "None",
    "moe_router_load_balancing_type": "aux_loss",
    "moe_aux_loss_coeff": "0.0",
    "moe_grouped_gemm": "False",
    "moe_token_dispatcher_type": "allgather",
    "expert_model_parallel_size": "1",
    "norm_epsilon": "1e-05",
    "use_rope_scaling": "False",
    "rope_scaling_factor": "8.0",
    "add_qkv_bias": "False",
    "qk_layernorm": "False",
    "untie_embeddings_and_output_weights": "False",
}

# Flags whose argparse destination is not the flag's own name.
_DESTINATIONS = {
    "disable-bias-linear": ("add_bias_linear", "False"),
    "no-gradient-accumulation-fusion": ("gradient_accumulation_fusion", "False"),
}


class Family(NamedTuple):
    """What a model's config.json says that Megatron takes as flags."""

    rotary_base: int  # rope_theta
    norm_epsilon: str  # rms_norm_eps, as typed ("1e-05" is the default and not typed)
    head_dim: int = 0  # head_dim where it is not hidden / heads
    qkv_bias: bool = False  # attention_bias / Qwen2's q, k, v biases: --add-qkv-bias
    qk_norm: bool = False  # --qk-layernorm
    rope_scaling: float = 0.0  # Llama 3.1+'s "llama3" rope scaling factor
    tied: bool = False  # tie_word_embeddings: no --untie-embeddings-and-output-weights
    layer_norms: int = 2  # RMSNorms a decoder layer holds (Gemma 3 adds post-norms: 4)
    qk_norm_whole: bool = False  # OLMo 2 norms the whole q and k projections, not each head


# From each family's released config.json (Hugging Face model repos): Llama-2 and Mistral-7B
# v0.1 rope_theta 10000; Llama 3 500000, 3.1 and 3.2 with rope_scaling factor 8 and 32;
# Qwen2/2.5 1e6 with q/k/v biases and rms_norm_eps 1e-6; Qwen3 1e6, head_dim 128, q/k norms,
# 1e-6; OLMo 2 500000, q/k norms, 1e-6; Mixtral 1e6; Llama 4 500000; Gemma 3 1e6, q/k norms,
# head_dim 256 (27B: 128). Llama 3.2 and Gemma 3 tie the output layer to the embedding.
FAMILIES = {
    "Llama-2": Family(10_000, "1e-05"),
    "Mistral": Family(10_000, "1e-05"),
    "Llama-3.1": Family(500_000, "1e-05", rope_scaling=8.0),
    "Llama-3.2": Family(500_000, "1e-05", rope_scaling=32.0, tied=True),
    "Llama-3": Family(500_000, "1e-05"),
    "Qwen2": Family(1_000_000, "1e-06", qkv_bias=True),
    "Qwen3": Family(1_000_000, "1e-06", head_dim=128, qk_norm=True),
    "OLMo-2": Family(500_000, "1e-06", qk_norm=True, qk_norm_whole=True),
    "Mixtral": Family(1_000_000, "1e-05"),
    "Llama-4": Family(500_000, "1e-05"),
    "Gemma-3-27B": Family(1_000_000, "1e-06", head_dim=128, qk_norm=True, tied=True, layer_norms=4),
    "Gemma-3": Family(1_000_000, "1e-06", head_dim=256, qk_norm=True, tied=True, layer_norms=4),
}


class MoeRecipe(NamedTuple):
    """The router flags of a mixture of experts beyond its balancing (which routers.tsv
    holds for every presenter), from the tag's own script for it."""

    extra: tuple[tuple[str, str], ...] = ()
    ffn: int = 0  # --ffn-hidden-size: config.json's dense intermediate_size, where it has one


# examples/post_training/modelopt/conf/qwen/Qwen3-30B-A3B.sh at core_v0.14.0: the router in
# fp32, --ffn-hidden-size 6144 as Qwen/Qwen3-30B-A3B's config.json intermediate_size. (Its
# aux_loss 1e-3 is Qwen3's config's router_aux_loss_coef too; examples/mixtral's 1e-2 is not
# Mixtral's config.json 0.02: routers.tsv holds each model's, for every presenter.) Llama 4
# and DeepSeek-V3 are not typed by this dialect (lineup).
MOE_RECIPES = {
    "Mixtral": MoeRecipe(),
    "Qwen3-30B-A3B": MoeRecipe((("moe-router-dtype", "fp32"),), ffn=6144),
}


def moe_recipe(facts: Facts) -> MoeRecipe:
    name = facts.arch or facts.model_name
    for prefix, found in MOE_RECIPES.items():
        if name.startswith(prefix):
            return found
    return MoeRecipe()


def family(facts: Facts) -> Family:
    """The family of the run's architecture (its catalog name, whatever the run calls it)."""
    return family_named(facts.arch or facts.model_name)


def family_named(name: str) -> Family:
    """The family of the architecture `name` ("Llama-3.2-3B")."""
    for prefix, found in FAMILIES.items():
        if name.startswith(prefix):
            return found
    return Family(10_000, "1e-05")


@functools.cache
def _tokenizer_lengths() -> dict[str, int]:
    table = tables.mapping(tables.GENERATOR / CATALOGUE_DIR / "tokenizers.tsv")
    return {family: int(length) for family, length in table.items()}


def tokenizer_length(facts: Facts) -> int:
    """`len(tokenizer)` of the run's released tokenizer, which Megatron pads the vocabulary
    from (tokenizers.tsv); config.json's vocab_size where the table has no family."""
    name = facts.arch or facts.model_name
    for prefix, length in _tokenizer_lengths().items():
        if name.startswith(prefix):
            return length
    return facts.vocab


def rotary_base(facts: Facts) -> int:
    return family(facts).rotary_base


def kv_channels(facts: Facts) -> int:
    return family(facts).head_dim or facts.hidden // facts.heads


def data_prefix(facts: Facts) -> str:
    """tools/preprocess_data.py names its output `<prefix>_text_document`."""
    name = facts.dataset.lower().replace(" ", "-")
    return f"/data/{name}/{name}_text_document"


def eval_iters(facts: Facts) -> int:
    """Batches an evaluation runs: the run's held-out set in whole global batches (the run
    times them: evaluation_batches)."""
    return megatron_eval_iters(facts.eval_samples, facts.global_batch)


def flags(
    facts: Facts, *, interval: int, save: str, pretrained: str | None, fsdp: bool = False
) -> list[tuple[str, str | None]]:
    """`pretrain_gpt.py`'s flags, in the order the Llama example groups them; None marks a
    switch (`store_true`)."""
    f = facts
    out: list[tuple[str, str | None]] = [
        # MODEL_ARGS
        ("num-layers", str(f.layers)),
        ("hidden-size", str(f.hidden)),
        ("ffn-hidden-size", str(moe_recipe(f).ffn or f.expert_ffn or f.ffn)),
        ("num-attention-heads", str(f.heads)),
    ]
    if f.kv_heads != f.heads:
        out += [("group-query-attention", None), ("num-query-groups", str(f.kv_heads))]
    out += [
        ("kv-channels", str(kv_channels(f))),
        ("seq-length", str(f.seq_len)),
        ("max-position-embeddings", str(f.seq_len)),
        ("position-embedding-type", "rope"),
        ("rotary-base", str(rotary_base(f))),
        ("normalization", "RMSNorm"),
    ]
    model = family(f)
    if model.norm_epsilon != "1e-05":
        out.append(("norm-epsilon", model.norm_epsilon))
    if model.rope_scaling:
        out.append(("use-rope-scaling", None))
        if model.rope_scaling != 8.0:  # the flag's default
            out.append(("rope-scaling-factor", py_float(model.rope_scaling)))
    if model.qkv_bias:
        out.append(("add-qkv-bias", None))
    if model.qk_norm:
        out.append(("qk-layernorm", None))
    out += [
        ("swiglu", None),
        ("attention-dropout", "0.0"),
        ("hidden-dropout", "0.0"),
        ("init-method-std", "0.02"),
    ]
    if not model.tied:
        out.append(("untie-embeddings-and-output-weights", None))
    out += [
        ("disable-bias-linear", None),
        # TRAINING_ARGS
        ("micro-batch-size", str(f.micro_batch)),
        ("global-batch-size", str(f.global_batch)),
        ("train-iters", str(f.total_steps)),
        ("lr", py_float(float(f"{f.peak_lr:.3g}"))),  # as a person types it
        ("min-lr", py_float(float(f"{f.peak_lr / 10:.3g}"))),
        ("lr-decay-style", "cosine"),
        ("lr-warmup-iters", str(f.warmup)),
        ("clip-grad", "1.0"),
        ("weight-decay", py_float(physics.WEIGHT_DECAY)),
        ("adam-beta1", py_float(physics.ADAM_BETAS[0])),
        ("adam-beta2", py_float(physics.ADAM_BETAS[1])),
        ("bf16", None),
    ]
    if fsdp:
        # Weights, gradients and optimizer state sharded over data parallelism: Megatron-FSDP
        # as the tag documents it (docs/source/api-guide/custom_fsdp.md, "How to use": these
        # four flags; its own test gpt3_mr_mcore_te_tp2_zp_z3_resume_fsdp_dtensor_dgx_a100_
        # 1N8G/model_config.yaml types them too), with --ckpt-format fsdp_dtensor below,
        # which validate_args requires of it (arguments.py:634-635).
        out += [
            ("use-megatron-fsdp", None),
            ("data-parallel-sharding-strategy", "optim_grads_params"),
            ("no-gradient-accumulation-fusion", None),
            ("use-distributed-optimizer", None),
        ]
    else:
        out += [
            ("use-distributed-optimizer", None),
            ("overlap-grad-reduce", None),
            ("overlap-param-gather", None),
        ]
    if f.replicas > 1:
        # The plan's HSDP: the optimizer state sharded inside each shard group and
        # replicated across them (arguments.py:2447 at the tag, "Number of Distributed
        # Optimizer copies across Data Parallel domain"; parallel_state.py:745-784), which
        # Megatron-FSDP takes as its outer dimension (mcore_fsdp_adapter.py:155, enable_hsdp).
        out.append(("num-distributed-optimizer-instances", str(f.replicas)))
    if f.experts:
        # MOE_ARGS of examples/mixtral/train_mixtral_8x7b_distributed.sh at the tag, with the
        # model's own expert width, shared experts, router recipe (MOE_RECIPES) and the run's
        # expert parallelism.
        out += [
            ("num-experts", str(f.experts)),
            ("moe-router-topk", str(f.top_k)),
        ]
        if str(f.expert_ffn) != dict(out)["ffn-hidden-size"]:  # Mixtral's example omits it
            out.append(("moe-ffn-hidden-size", str(f.expert_ffn)))
        if f.shared_experts:
            out.append(
                ("moe-shared-expert-intermediate-size", str(f.shared_experts * f.expert_ffn))
            )
        # Each model's router balancing as released (routers.tsv, one for every presenter):
        # DeepSeek-V3's auxiliary-loss-free bias beside a sequence-wise loss, the others' aux
        # loss; with the tag's own script's other router flags (MOE_RECIPES).
        rule = catalog.routers()[f.arch]
        out += [
            ("moe-router-load-balancing-type", rule.balance),
            ("moe-aux-loss-coeff", f"{rule.coeff:g}"),
            *moe_recipe(f).extra,
        ]
        if rule.bias_update:
            out += [
                ("moe-router-enable-expert-bias", None),
                ("moe-router-bias-update-rate", f"{rule.bias_update:g}"),
            ]
        out += [
            ("moe-grouped-gemm", None),
            ("moe-token-dispatcher-type", "alltoall"),
            ("expert-model-parallel-size", str(f.ep)),
        ]
    if f.recompute == "selective":
        out.append(("recompute-granularity", "selective"))
    elif f.recompute == "full":
        out += [
            ("recompute-granularity", "full"),
            ("recompute-method", "uniform"),
            ("recompute-num-layers", "1"),
        ]
    # MODEL_PARALLEL_ARGS
    out += [
        ("tensor-model-parallel-size", str(f.tp)),
        ("pipeline-model-parallel-size", str(f.pp)),
    ]
    if f.tp > 1:
        out.append(("sequence-parallel", None))
    # DATA_ARGS and EVAL_AND_LOGGING_ARGS
    out += [
        ("data-path", data_prefix(f)),
        ("split", SPLIT),
        ("tokenizer-type", "HuggingFaceTokenizer"),
        ("tokenizer-model", f"/models/{f.loaded}"),
        ("log-interval", str(interval)),
        ("log-throughput", None),
        ("eval-interval", str(f.eval_every)),
        ("eval-iters", str(eval_iters(f))),
        ("save-interval", str(f.checkpoint_every)),
        ("ckpt-format", "fsdp_dtensor" if fsdp else "torch_dist"),
        ("save", save),
        ("load", save),
    ]
    if pretrained is not None:
        out.append(("pretrained-checkpoint", pretrained))
    return out


def words(pairs: list[tuple[str, str | None]]) -> list[str]:
    out: list[str] = []
    for flag, value in pairs:
        out.append(f"--{flag}")
        if value is not None:
            out.append(value)
    return out


@functools.lru_cache(maxsize=1)
def defaults() -> dict[str, str]:
    """The tag's arguments as `_print_args` prints them for a run without these flags."""
    return tables.mapping(tables.GENERATOR / CATALOGUE_DIR / "arguments.tsv")


def pairs_of(words: list[str]) -> list[tuple[str, str | None]]:
    """`pretrain_gpt.py`'s words back as (flag, value or None for a switch)."""
    out: list[tuple[str, str | None]] = []
    for word in words:
        if word.startswith("--"):
            out.append((word[2:], None))
        else:
            out[-1] = (out[-1][0], word)
    return out


def parsed(
    pairs: list[tuple[str, str | None]], world: int, *, blackwell: bool = False
) -> dict[str, str]:
    """Every argument after `validate_args` for these flags on `world` GPUs (`blackwell`:
    get_device_arch_version() >= 10), printed as `str(value)`."""
    given = dict(pairs)
    tp = int(given.get("tensor-model-parallel-size") or 1)
    pp = int(given.get("pipeline-model-parallel-size") or 1)
    args = dict(defaults())
    args.update(_OPTIONAL)
    for flag, value in pairs:
        if flag in _DESTINATIONS:
            name, printed = _DESTINATIONS[flag]
            args[name] = printed
            continue
        name = flag.replace("-", "_")
        if value is None:
            args[name] = "True"
        elif flag == "data-path":
            args[name] = f"['{value}']"  # nargs='*'
        elif flag in ("lr", "min-lr", "moe-aux-loss-coeff", "norm-epsilon", "rope-scaling-factor",
                      "moe-router-bias-update-rate"):  # fmt: skip
            args[name] = py_float(float(value))
        else:
            args[name] = value
    # What validate_args derives from them (megatron/training/arguments.py at the tag).
    if "num-experts" in given and "moe-ffn-hidden-size" not in given:
        args["moe_ffn_hidden_size"] = str(given["ffn-hidden-size"])  # arguments.py:942-943
    if "use-torch-fsdp2" in given:
        args["high_priority_stream_groups"] = "['dp_cp']"  # `A or B and C` binds as A or (B and C)
    if "use-megatron-fsdp" in given:
        args["use_custom_fsdp"] = "True"  # arguments.py:623, kept for the deprecated name
        if blackwell:  # arguments.py:880: Megatron-FSDP's stream priority from sm100 on
            args["high_priority_stream_groups"] = "['dp_cp']"
    args.update(
        world_size=str(world),
        data_parallel_size=str(world // (tp * pp)),
        transformer_pipeline_model_parallel_size=str(pp),
        expert_tensor_parallel_size=str(tp),
        encoder_num_layers=str(given["num-layers"]),
        encoder_seq_length=str(given["seq-length"]),
    )
    return args


def dump(args: dict[str, str]) -> list[str]:
    """`_print_args('arguments', args)`: dots to column 48, sorted case-blind on the row."""
    rows = []
    for name, value in args.items():
        dots = "." * (48 - len(name))
        rows.append(f"  {name} {dots} {value}")
    rows.sort(key=str.lower)
    return [
        "------------------------ arguments ------------------------",
        *rows,
        "-------------------- end of arguments ---------------------",
    ]
