"""Megatron-LM's `pretrain_gpt.py` command line, as core_v0.14.0's examples type it.

The command is `pretrain_gpt.py` with the flags of the tag's Llama example
(examples/llama/train_llama3_8b_h100_fp8.sh) in bf16 and real data, with what each model
family's config.json makes a flag (FAMILIES, MOE_RECIPES, tokenizers.tsv). What argparse and
`validate_args` make of them, and their `arguments` dump, is megatron_parsed_args.
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


class Mla(NamedTuple):
    """Multi-latent attention and the dense-then-MoE layer pattern of a DeepSeek-V3-shaped
    model, as the tag's own recipe for the architecture types them
    (examples/post_training/modelopt/conf/deepseek-ai/DeepSeek-R1.sh at core_v0.14.0; R1 is
    DeepSeek-V3's architecture, and its numbers are DeepSeek-V3-Base's config.json:
    q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim,
    rope_scaling's factor, mscale and mscale_all_dim, first_k_dense_replace,
    intermediate_size of the dense layers, max_position_embeddings)."""

    q_lora_rank: int
    kv_lora_rank: int
    qk_head_dim: int  # --qk-head-dim: the no-position part of a query/key head
    qk_pos_emb_head_dim: int
    v_head_dim: int
    rotary_scaling_factor: str  # as typed
    mscale: str
    mscale_all_dim: str
    dense_layers: int  # the first layers' dense MLP (--moe-layer-freq [0]*3+[1]*58)
    dense_ffn: int  # their --ffn-hidden-size
    max_positions: int  # --max-position-embeddings
    vocab_multiple: int  # --make-vocab-size-divisible-by


DEEPSEEK_V3_MLA = Mla(1536, 512, 128, 64, 128, "40", "1.0", "1.0", 3, 18432, 163840, 1280)


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
    mla: Mla | None = None  # multi-latent attention (--multi-latent-attention)


# From each family's released config.json (Hugging Face model repos): Llama-2 and Mistral-7B
# v0.1 rope_theta 10000; Llama 3 500000, 3.1 and 3.2 with rope_scaling factor 8 and 32;
# Qwen2/2.5 1e6 with q/k/v biases and rms_norm_eps 1e-6; Qwen3 1e6, head_dim 128, q/k norms,
# 1e-6; OLMo 2 500000, q/k norms, 1e-6; Mixtral 1e6; Llama 4 500000; Gemma 3 1e6, q/k norms,
# head_dim 256 (27B: 128). Llama 3.2 and Gemma 3 tie the output layer to the embedding.
# DeepSeek-V3 (deepseek-ai/DeepSeek-V3-Base config.json): rope_theta 10000, rms_norm_eps
# 1e-6; the recipe types --kv-channels 128 and --qk-layernorm, which under MLA are the norms
# of the compressed query and key-value (linear_q_up_proj's and linear_kv_up_proj's fused
# layer_norm_weight: gpt_layer_specs.py:123-133).
FAMILIES = {
    "DeepSeek-V3": Family(10_000, "1e-06", head_dim=128, qk_norm=True, mla=DEEPSEEK_V3_MLA),
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

    extra: tuple[tuple[str, str | None], ...] = ()  # None: a switch
    ffn: int = 0  # --ffn-hidden-size: config.json's dense intermediate_size, where it has one


# examples/post_training/modelopt/conf/qwen/Qwen3-30B-A3B.sh at core_v0.14.0: the router in
# fp32, --ffn-hidden-size 6144 as Qwen/Qwen3-30B-A3B's config.json intermediate_size. (Its
# aux_loss 1e-3 is Qwen3's config's router_aux_loss_coef too; examples/mixtral's 1e-2 is not
# Mixtral's config.json 0.02: routers.tsv holds each model's, for every presenter.) Llama 4
# is not typed by this dialect (lineup).
# examples/post_training/modelopt/conf/deepseek-ai/DeepSeek-R1.sh at core_v0.14.0 for
# DeepSeek-V3: the sigmoid router in fp32 with pre-softmax, top-k scaling 2.5 over 8 expert
# groups (config.json's scoring_func, routed_scaling_factor, n_group; --moe-router-group-topk
# is routers.tsv's node limit, config.json's topk_group 4), and the shared expert overlapped.
MOE_RECIPES = {
    "Mixtral": MoeRecipe(),
    "Qwen3-30B-A3B": MoeRecipe((("moe-router-dtype", "fp32"),), ffn=6144),
    "DeepSeek-V3": MoeRecipe(
        (
            ("moe-router-dtype", "fp32"),
            ("moe-router-score-function", "sigmoid"),
            ("moe-router-num-groups", "8"),
            ("moe-router-pre-softmax", None),
            ("moe-router-topk-scaling-factor", "2.5"),
            ("moe-shared-expert-overlap", None),
        ),
        ffn=DEEPSEEK_V3_MLA.dense_ffn,
    ),
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


def ffn_hidden_size(facts: Facts) -> int:
    """--ffn-hidden-size as typed: a MoE recipe's dense width, else the experts' (Mixtral's
    example), else the dense model's."""
    return moe_recipe(facts).ffn or facts.expert_ffn or facts.ffn


def vocab_multiple(facts: Facts) -> int:
    """--make-vocab-size-divisible-by: the recipe's, else the default 128 (arguments.py:1476)."""
    mla = family(facts).mla
    return mla.vocab_multiple if mla else 128


def moe_layer_pattern(facts: Facts) -> list[int]:
    """`args.moe_layer_freq` as validate_args leaves it, a layer's 1 for MoE: every layer of
    an MoE model (the default 1) but an MLA recipe's first dense ones."""
    if not facts.experts:
        return [0] * facts.layers
    mla = family(facts).mla
    dense = mla.dense_layers if mla else 0
    return [0] * dense + [1] * (facts.layers - dense)


def moe_layer_freq(facts: Facts) -> str | None:
    """--moe-layer-freq as the recipe types it ("[0]*3+[1]*58"), None for the default."""
    pattern = moe_layer_pattern(facts)
    dense = pattern.count(0)
    if not dense:
        return None
    return f"[0]*{dense}+[1]*{len(pattern) - dense}"


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
        ("ffn-hidden-size", str(ffn_hidden_size(f))),
        ("num-attention-heads", str(f.heads)),
    ]
    model = family(f)
    mla = model.mla
    if f.kv_heads != f.heads:
        out += [("group-query-attention", None), ("num-query-groups", str(f.kv_heads))]
    out.append(("kv-channels", str(kv_channels(f))))
    if mla:
        out += [
            ("multi-latent-attention", None),
            ("kv-lora-rank", str(mla.kv_lora_rank)),
            ("v-head-dim", str(mla.v_head_dim)),
            ("q-lora-rank", str(mla.q_lora_rank)),
            ("qk-head-dim", str(mla.qk_head_dim)),
            ("qk-pos-emb-head-dim", str(mla.qk_pos_emb_head_dim)),
        ]
    out += [
        ("seq-length", str(f.seq_len)),
        ("max-position-embeddings", str(mla.max_positions if mla else f.seq_len)),
        ("position-embedding-type", "rope"),
    ]
    if mla:
        # the recipe's (DeepSeek-R1.sh:13 at core_v0.14.0): fused RoPE under MLA is
        # "experimental" and warns on every process (transformer_config.py:1144-1148)
        out.append(("no-rope-fusion", None))
    out.append(("rotary-base", str(rotary_base(f))))
    if mla:  # YaRN's scaling (MLATransformerConfig's rope_type "yarn")
        out += [
            ("rotary-scaling-factor", mla.rotary_scaling_factor),
            ("mscale", mla.mscale),
            ("mscale-all-dim", mla.mscale_all_dim),
        ]
    out.append(("normalization", "RMSNorm"))
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
        out.append(("num-experts", str(f.experts)))
        freq = moe_layer_freq(f)
        if freq is not None:
            out.append(("moe-layer-freq", freq))
        out.append(("moe-router-topk", str(f.top_k)))
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
        if mla and rule.node_limit:  # experts on at most this many nodes' groups
            out.append(("moe-router-group-topk", str(rule.node_limit)))
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
    ]
    if vocab_multiple(f) != 128:
        out.append(("make-vocab-size-divisible-by", str(vocab_multiple(f))))
    out += [
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
