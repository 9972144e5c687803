"""Which released models a run can use: by the kind of run, and by the log's date.

A model is only chosen for a run that starts after its weights came out. Left to the
seed, a run picks among the models of the last two years (REALISM.md: the runs of
2025-26 train Llama 3.1-3.3, Qwen2.5/3, OLMo 2, Gemma 3 and mixtures of experts, not
Llama 2); a pinned model may be older, never newer than the log.
"""

from datetime import date, timedelta

from genact_cast.generator import catalog, lora, physics
from genact_cast.generator.catalog import Architecture
from genact_cast.generator.layout import MEMORY_CEILING

# Parameters (the total, for a mixture of experts) of the models the seed draws for each
# kind of run: pre-training from scratch up to ~70B, fine-tunes of 7-70B models, continued
# pre-training of 7B and up (REALISM.md, "Kinds of run"): the runs most often seen.
SIZES = {"pretrain": (0.0, 75e9), "continue": (6.5e9, 1e12), "sft": (6.5e9, 75e9)}
# What a run of a model the user pins takes: beyond the draw's sizes, a fine-tune of any
# model whose training state fits the pinned GPUs and whose passes take a run's time
# (plan_candidates checks both). Small models are fine-tuned as often as any (Meta's
# Llama-3.2-1B/3B-Instruct are SFT of these bases, their cards; alignment-handbook SFTs of
# Llama-3.2-3B on 8 GPUs, tanliboy/llama-3.2-3b-sft), and so are the largest, in full: Tülu 3
# 405B's SFT of Llama 3.1 405B on 256 H100 (allenai.org/blog/tulu-3-405B, 2025-01-30: "256
# GPUs across 32 nodes"), DeepSeek-V3-Base's two-epoch SFT (arXiv 2412.19437, section 5.1).
# Pre-training from scratch keeps its bound: a 405B from scratch needs months on any
# cluster here (REALISM.md).
PINNED_SIZES = {"pretrain": (0.0, 75e9), "continue": (6.5e9, 1e12), "sft": (0.0, 1e12)}
CURRENT = timedelta(days=730)  # how long after its release the seed still picks a model


def models() -> list[Architecture]:
    """Every model a run can train, dense and mixtures of experts."""
    return list(catalog.architectures())


# Chinchilla's compute-optimal budget (Hoffmann et al. 2022): the least a pre-training run
# trains on, and what a small model's run takes where the cluster pinned is too small for a
# modern budget in a run's time: DCLM's 1B-1x scale is a 1.4B model on 28.8B tokens
# (Li et al. 2024, arXiv 2406.11794, Table 1), Pythia's 1B saw 300B (about 300 a parameter).
CHINCHILLA_TOKENS_PER_PARAM = 20.0


def fewest_tokens_per_param(arch: Architecture, least: bool = False) -> float:
    """Pre-training budget: Chinchilla's 20 tokens a parameter, and far more for small
    models where the seed draws them (REALISM.md: modern small models see 100-2,000; Llama
    3.2 1B saw 9T; a 1B model at about 400, ~500B of its own tokens, ends near 2.4). `least`:
    Chinchilla's 20 for every size, for a pinned run that no larger budget fits (its loss
    ends higher, within the range per token of its tokenizer: 2.55-2.75 for Llama 3.2 1B and
    3B on 8 GPUs)."""
    if least:
        return CHINCHILLA_TOKENS_PER_PARAM
    if arch.params < 2e9:
        return 400.0
    return 200.0 if arch.params < 4e9 else CHINCHILLA_TOKENS_PER_PARAM


# Architectures a framework's pinned release cannot train as its users run it, or that a
# dialect cannot type faithfully yet. Megatron-LM
# core_v0.14.0's pretrain_gpt.py has no gated GELU (arguments.py offers --swiglu, which
# core_transformer_config_from_args turns into SiLU-GLU, --squared-relu and --openai-gelu)
# nor Gemma 3's extra norms and sliding-window layers: Gemma 3 is trained through NeMo /
# Megatron-Bridge, not this script, so a Megatron log never shows it.
UNSUPPORTED = {
    "megatron": {
        "Gemma-3": "Megatron-LM core_v0.14.0's pretrain_gpt.py has no gated GELU nor Gemma 3's "
        "extra norms",
        # OLMo 2 norms each sub-layer's output (post_attention_layernorm and
        # post_feedforward_layernorm after attention and MLP) and the whole q and k
        # projections; core_v0.14.0's TransformerLayerSubmodules
        # (transformer/transformer_layer.py:224-234) hold pre-norms only, and --qk-layernorm
        # norms each head (attention.py:897-909, hidden_size_per_attention_head) (review-mg10
        # finding 4).
        "OLMo-2": "Megatron-LM core_v0.14.0's pretrain_gpt.py has no OLMo 2 post-norms nor "
        "its whole-projection q/k norm",
        # Megatron trains Llama 4, with flags this dialect does not type yet (its L2 q/k
        # norm, NoPE and chunked attention layers): rather no log than one with another
        # model's flags. (DeepSeek-V3's multi-latent attention it types: megatron_args.Mla.)
        "Llama-4": "the megatron dialect does not type Llama 4's attention layers yet",
    },
    # torchtitan v0.2.0 registers llama3, llama4, qwen3 and deepseek_v3 (models/__init__.py).
    # Its llama3 train spec is the Llama architecture (untied embeddings, no biases, no QK
    # norm, full attention): Llama 3 and 3.1 fit it as its shipped flavors (why_not refuses
    # the sizes it ships no flavor of, Llama 2's); qwen3 ships Qwen3's flavors. The others
    # would be a model the tag cannot build.
    "torchtitan": {
        "Llama-3.2": "torchtitan v0.2.0's llama3 model has no tied embeddings",
        "Mistral": "torchtitan v0.2.0 has no sliding-window attention model",
        "Qwen2": "torchtitan v0.2.0 has no Qwen2 model (qkv biases)",
        "OLMo-2": "torchtitan v0.2.0 has no OLMo 2 model",
        "Gemma-3": "torchtitan v0.2.0 has no Gemma 3 model",
        "Mixtral": "torchtitan v0.2.0 has no Mixtral model",
    },
}


# Frameworks whose pinned release trains no low-rank adapters. torchtitan v0.2.0 has no LoRA
# (`git grep -i lora v0.2.0` finds only DeepSeek-V3's q/kv_lora_rank, its attention's own
# projections); Megatron-LM core_v0.14.0's training neither (the same MLA ranks in
# arguments.py:2901-2903, and tensor_parallel/layers.py:788 names NeMo's LoRA adapter, which
# lives in NeMo, not in pretrain_gpt.py), nor its ModelOpt fine-tune (`git grep -i lora` in
# examples/post_training and megatron/post_training finds DeepSeek's MLA ranks alone).
NO_ADAPTERS = {
    "torchtitan": "torchtitan v0.2.0 has no LoRA (its fine-tunes train every weight)",
    "megatron": (
        "Megatron-LM core_v0.14.0 has no LoRA (neither pretrain_gpt.py nor ModelOpt's "
        "finetune.py trains adapters; NeMo adds them)"
    ),
}


# Frameworks whose pinned release has no supervised fine-tuning path. torchtitan v0.2.0
# registers c4, c4_test and c4_validation only (datasets/hf_datasets.py:35-51) and its
# trainer has no chat template or prompt masking: its runs pre-train or continue
# pre-training.
# Megatron-LM core_v0.14.0's `--sft` (pretrain_gpt.py:369-370, SFTDataset) tokenizes through
# SFTTokenizer, whose one prompt format is nemotron-h-aligned (tokenizer/sft_tokenizer.py:
# 44-53, any other raises NotImplementedError): Nemotron-H's template and its <SPECIAL_233>
# pad token, which the catalogue's tokenizers do not hold (convert_tokens_to_ids gives their
# unk id, None for Llama 3's and Qwen's); without `--sft` pretrain_gpt.py trains a GPTDataset
# with the loss on every prompt token (review-realism9 F1). The tag's one SFT script for Llama
# and Qwen is ModelOpt's examples/post_training/modelopt/finetune.py, and the dialect does not
# type it: it takes micro batch 1 only (finetune.py:326-327) and, from the Hub, the five
# datasets of its SFTDataset.hf_dataset_to_conversation (finetune.py:64-79), and prints its
# own lines (a "Rank N/W creates SFT data shard" per rank and split, finetune.py:148-157).
NO_SFT = {
    "torchtitan": "torchtitan v0.2.0 has no SFT path (no chat template, no loss masking)",
    "megatron": (
        "the megatron dialect does not type ModelOpt's finetune.py, Megatron-LM "
        "core_v0.14.0's SFT script for Llama and Qwen (its --sft takes Nemotron-H's prompt "
        "format only)"
    ),
}
SFT_FRAMEWORKS = "hf, deepspeed or genact"


def why_no_sft(framework: str) -> str | None:
    """Why `framework`'s pinned release cannot run a supervised fine-tune, if it cannot."""
    return NO_SFT.get(framework)


def why_no_adapters(framework: str) -> str | None:
    """Why `framework`'s pinned release cannot train LoRA or QLoRA adapters, if it cannot."""
    return NO_ADAPTERS.get(framework)


# transformers 4.57.1 logs a loaded config whole (`Model config <Class> {...}`,
# configuration_utils.py:839, always after :763's `loading configuration file`), then its
# generation config and tokenizer files: the Trainer's dialects print those only from a
# model's real config.json (hf_config.FAMILIES). OLMo 2's is tabled (1124's 7B and 13B, and
# 0325's 32B as OLMo-core's converter writes it); Gemma 3's and Llama 4's (composite image-text
# configs) are not, so those dialects do not train them rather than print the file's line
# alone (review-tt5 fault 5).
LOADER_TYPED = ("hf", "deepspeed")
# Frameworks whose dialect shards over the whole data-parallel group with no replication
# and no expert parallelism, as their launchers are typed: the Trainer's FSDP2 over
# accelerate's ("dp_shard", "tp") mesh (hf_mesh.py) and ZeRO-3 with zero_hpz_partition_size
# 1 (deepspeed_model.py); each GPU gathers every expert of a block. Their plans of a mixture
# of experts are laid out the same way, so that the step pays for the whole-block gathers
# their logs show (review-realism5 FAIL 4: Mixtral over 2,048 ranks with the Trainer).
FLAT_SHARDING = ("hf", "deepspeed")
# The frameworks whose pipelines can run DeepSeek-V3's DualPipe (torch 2.9's
# ScheduleDualPipeV, which torchtitan v0.2.0 offers; Megatron-LM core_v0.14.0 has no such
# schedule): the genact log and torchtitan.
DUALPIPE = ("genact", "torchtitan")


def flat_sharding(framework: str) -> bool:
    return framework in FLAT_SHARDING


# Past this many parameters a full run elsewhere takes pipeline stages (layout.
# model_parallel), which neither of the Trainer's launchers sets: accelerate 1.11.0's
# ParallelismConfig has dp_replicate, dp_shard, tp and cp sizes only (parallelism_config.py:
# 59-62), and under DeepSpeed the Trainer wraps a transformers model, never a PipelineModule.
# They shard it flat instead, ZeRO-3 or FSDP's full shard over every rank, as Tülu 3 405B's
# SFT of Llama 3.1 405B ran on 256 H100 (allenai/open-instruct: accelerate launch
# --use_deepspeed with configs/ds_configs/stage3_no_offloading_accelerate.conf, 32 nodes;
# allenai.org/blog/tulu-3-405B; review-realism19 F1).
STAGED_PARAMS = 200e9


def whole_weights(arch: Architecture, framework: str) -> bool:
    """Whether `framework` holds `arch`'s state as Megatron's distributed optimizer does
    (layout.distributed_state): a mixture of experts under Megatron-LM, whose Megatron-FSDP
    takes no experts at core_v0.14.0 (megatron_memory). Its layout is chosen for that state
    (review-realism20 FAIL 4: chosen for FSDP's, Mixtral's layouts were then refused)."""
    return framework == "megatron" and arch.moe


def flat_layout(arch: Architecture, framework: str) -> bool:
    """Whether `framework` lays `arch` out flat over its whole data-parallel group where the
    other frameworks would not: a mixture of experts (no EP), a model past STAGED_PARAMS
    (no pipeline stages). A dense model's layout is keyed alike for every framework
    (plan_candidates), so that plans of it share planned_layout's cache."""
    return flat_sharding(framework) and (arch.moe or arch.params > STAGED_PARAMS)


def why_not(arch: Architecture, framework: str, method: str | None = None) -> str | None:
    """Why `framework`'s pinned release cannot train `arch` from its own command line
    (`method`: the run's adapters, if any; no release here refuses a model for them)."""
    for prefix, reason in UNSUPPORTED.get(framework, {}).items():
        if arch.name.startswith(prefix):
            return reason
    if framework == "torchtitan":
        # its flavors (--model.flavor) are the source's own: a run of another size would
        # need an edited checkout (review-dialects18a finding 4)
        from genact_cast.generator.dialects import torchtitan_release

        unshipped = torchtitan_release.why_not_shipped(arch)
        if unshipped is not None:
            return unshipped
    if framework in LOADER_TYPED:
        from genact_cast.generator.dialects import hf_config  # the dialects' data, on demand

        if hf_config.family_of(arch) is None:
            return (
                f"the Trainer's dialects do not type {arch.name}'s config.json and the "
                "loader's lines it makes yet"
            )
    return None


def trains(arch: Architecture, framework: str, method: str | None = None) -> bool:
    return why_not(arch, framework, method) is None


def serves(
    arch: Architecture, kind: str, method: str | None = None, *, pinned: bool = False
) -> bool:
    """Whether a `kind` run (with `method`'s adapters, if any) takes a model of `arch`'s size
    (`pinned`: a model the user named, PINNED_SIZES; else one the seed draws, SIZES).

    Full fine-tunes the seed draws are of 7-70B models. Adapters train on frozen weights, so
    their bound is memory, not a size: a model whose frozen weights and adapter state fit a
    node or two of the largest GPUs (torchtune's llama3_1/405B_qlora.yaml tunes Llama 3.1
    405B on 8 GPUs; its llama4/scout_17B_16E_lora.yaml, a 109B mixture of experts, on 8
    A100s)."""
    low, high = (PINNED_SIZES if pinned else SIZES)[kind]
    if kind == "sft" and method in ("lora", "qlora"):
        return low <= arch.params and adapters_fit(arch, method)
    return low <= arch.params <= high


def adapters_fit(arch: Architecture, method: str) -> bool:
    """Whether `arch`'s frozen weights and adapter state, sharded over a node or two
    (lora.MAX_GPUS), leave the largest GPU room under the memory ceiling."""
    largest = max(g.memory_gib for g in catalog.gpus()) * physics.GIB
    return lora.state_bytes(arch, method, lora.MAX_GPUS) <= MEMORY_CEILING * largest


def out_by(arch: Architecture, day: date) -> bool:
    """Whether `arch` was released before a run starting on `day`."""
    return arch.released < day


def current(arch: Architecture, day: date) -> bool:
    """Released before `day`, and not yet two years old then."""
    return out_by(arch, day) and day - arch.released <= CURRENT


def choosable(kind: str, day: date) -> list[Architecture]:
    """The models the seed may pick for a `kind` run starting on `day`."""
    return [a for a in models() if serves(a, kind) and current(a, day)]
