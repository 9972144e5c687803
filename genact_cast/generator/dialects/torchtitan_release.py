"""torchtitan v0.2.0 (2025-10-17) as its users run it: the shipped train configs, the model
flavors, the peak FLOPS table and the FLOPs-per-token formula of that tag.

Every number here is quoted from the tag (file:line in the comments); the dialect module
prints with them.
"""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator.catalog import Architecture
from genact_cast.generator.dialects import torchtitan_deepseek as deepseek
from genact_cast.generator.dialects import torchtitan_llama4 as llama4
from genact_cast.generator.dialects.facts import Facts

RELEASE = "v0.2.0"


class Toml(NamedTuple):
    """The settings of a shipped train config the cast's output depends on."""

    path: str
    description: str
    local_batch_size: int
    seq_len: int
    steps: int
    warmup_steps: int
    tensor_parallel: int
    ac_mode: str
    checkpoint_interval: int
    validation_freq: int
    validation_steps: int
    # converters = ["float8"] (tensorwise, FSDP float8 all-gather), async TP and compile of
    # the model and the loss: the 405B config's [model], [parallelism] and [compile].
    float8_compiled: bool = False
    # [parallelism]'s expert degrees (job_config.py's defaults 1 and 1 where it sets none)
    expert_parallel: int = 1
    expert_tensor_parallel: int = 1
    hf_assets: str = ""  # [model] hf_assets_path
    # [profiling] enable_profiling and [metrics] enable_tensorboard (the llama3 configs'
    # true, llama3_8b.toml:8 and :14; llama4_17bx16e.toml's false, :8 and :14)
    profiling: bool = True
    # [compile] enable with components ["loss"] alone (deepseek_v3_671b.toml:67-69): the
    # loss is compiled, the model is not
    compile_loss: bool = False
    # [parallelism] pipeline_parallel_schedule (job_config.py's default 1F1B where unset)
    schedule: str = "1F1B"


# models/llama4/train_configs/llama4_17bx16e.toml at v0.2.0 ("a preset for 64 H100 GPUs"):
# local_batch_size 8 (:33), seq_len 8192 (:34), steps 3000 (:36), warmup_steps 600 (:29),
# tensor_parallel_degree 8 (:42), expert_parallel_degree 1 (:46),
# expert_tensor_parallel_degree 8 (:47), checkpoint interval 500 (:52), activation
# checkpointing full (:58); no [validation] table, so job_config.py:868/:871's freq 10 and
# steps -1; profiling and TensorBoard off, checkpointing off.
LLAMA4_TOML = Toml(
    llama4.TOML,
    llama4.DESCRIPTION,
    8,
    8192,
    3000,
    600,
    8,
    "full",
    500,
    10,
    -1,
    expert_parallel=1,
    expert_tensor_parallel=8,
    hf_assets=llama4.HF_ASSETS,
    profiling=False,
)


# models/deepseek_v3/train_configs/deepseek_v3_671b.toml at v0.2.0: local_batch_size 4
# (:38), seq_len 4096 (:39), steps 10_000 (:41), warmup_steps 2_000 (:32),
# tensor_parallel_degree 1 (:48), pipeline_parallel_schedule Interleaved1F1B (:51),
# expert_parallel_degree 1 (:52), expert_tensor_parallel_degree 1 (:53), checkpoint
# interval 500 (:58), activation checkpointing selective (:64); no [validation] table, so
# job_config.py's freq 10 and steps -1; profiling, TensorBoard and checkpointing off;
# compile on for the loss alone.
DEEPSEEK_TOML = Toml(
    deepseek.TOML,
    deepseek.DESCRIPTION,
    4,
    4096,
    10_000,
    2_000,
    1,
    "selective",
    500,
    10,
    -1,
    hf_assets=deepseek.HF_ASSETS,
    profiling=False,
    compile_loss=True,
    schedule=deepseek.TOML_SCHEDULE,
)


# torchtitan/models/llama3/train_configs/llama3_{8b,70b,405b}.toml at v0.2.0. All three
# enable profiling and TensorBoard, and leave checkpointing and validation off.
SHIPPED = {
    "8B": Toml(
        "./torchtitan/models/llama3/train_configs/llama3_8b.toml",
        "Llama 3 8B training",
        1,
        8192,
        1000,
        200,
        1,
        "selective",
        500,
        500,
        1200,
    ),
    "70B": Toml(
        "./torchtitan/models/llama3/train_configs/llama3_70b.toml",
        "Llama 3 70B training",
        8,
        8192,
        1000,
        200,
        8,
        "full",
        500,
        500,
        1200,
    ),
    "405B": Toml(
        "./torchtitan/models/llama3/train_configs/llama3_405b.toml",
        "Llama 3 405B training",
        2,
        8192,
        3000,
        600,
        8,
        "full",
        500,
        500,
        1200,
        True,
    ),
}

# torchtitan/models/llama3/__init__.py: the shipped flavors' (dim, n_layers, n_heads,
# n_kv_heads, ffn_dim_multiplier, multiple_of); rope_theta 500000 for all three.
FLAVORS = {
    (4096, 32, 32, 8): ("8B", 1.3, 1024),
    (8192, 80, 64, 8): ("70B", 1.3, 4096),
    (16384, 126, 128, 8): ("405B", 1.2, 4096),
}

# torchtitan/tools/utils.py:82-98 (get_peak_flops), by the device name torch reports.
PEAK_FLOPS = {"A100": 312e12, "H100": 989e12, "H200": 989e12, "B200": 2.25e15}


# components/metrics.py:41-49, 97-103 (build_device_memory_monitor) logs torch's
# get_device_properties().total_memory over 2**30: the memory the driver leaves visible to
# CUDA, below nvidia-smi's total (gpus.tsv). Each as a real log prints it (tests/data/
# real_logs/cuda_capacity.tsv cites them).
TORCH_TOTAL_GIB = {"A100": 79.25, "H100": 79.18, "H200": 139.81, "B200": 178.35}


def capacity_gib(facts: Facts) -> float:
    """The `CUDA capacity: ... with X GiB memory` figure, which the memory percentages of
    the step, validation and model-memory lines divide by (metrics.py:58-59, _to_pct)."""
    return TORCH_TOTAL_GIB[facts.gpu]


def ffn_width(dim: int, multiple_of: int, multiplier: float | None) -> int:
    """FeedForward's hidden width (models/llama3/model/model.py): 2/3 of 4·dim, times the
    multiplier, rounded up to `multiple_of`."""
    hidden = int(2 * 4 * dim / 3)
    if multiplier is not None:
        hidden = int(multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def ffn_args(dim: int, ffn: int) -> tuple[int, float | None]:
    """(multiple_of, ffn_dim_multiplier) that give the model's FFN width, as the flavors
    set them (Llama 3 8B: 1024 and 1.3; 70B: 4096 and 1.3; 405B: 4096 and 1.2)."""
    for multiplier in (None, 1.3, 1.2, 1.5):
        for multiple_of in (4096, 1024, 256):
            if ffn_width(dim, multiple_of, multiplier) == ffn:
                return multiple_of, multiplier
    return 256, round(ffn / int(8 * dim / 3), 4)


def shipped_flavor(facts: Facts) -> str | None:
    """The llama3 flavor the tag ships for this architecture, if it ships one."""
    found = FLAVORS.get((facts.hidden, facts.layers, facts.heads, facts.kv_heads))
    if found is None:
        return None
    flavor, multiplier, multiple_of = found
    if ffn_width(facts.hidden, multiple_of, multiplier) != facts.ffn:
        return None
    return flavor


# models/llama3/__init__.py:29-68 at v0.2.0: every flavor llama3_args holds; the two debug
# models are no released checkpoint's. `--model.flavor` must name one (train_spec's dict
# lookup); a toml cannot add one, only an edited source can.
LLAMA3_SHIPPED = ("debugmodel", "debugmodel_flex_attn", "8B", "70B", "405B")


def arch_flavor(arch: Architecture) -> str | None:
    """The flavor the tag ships for a catalogue architecture (family's train spec), None
    where it ships none: a run of it would need the user's own edit of the source."""
    name = arch.name
    if name.startswith("Llama-4"):
        scout = (arch.hidden, arch.layers, arch.heads, arch.kv_heads)
        moe = (arch.experts, arch.top_k, arch.shared)
        fits = (*scout, *moe) == llama4.SHAPE and llama4.moe_hidden(arch.hidden) == arch.ffn
        return llama4.FLAVOR if fits else None
    if name.startswith("DeepSeek-V3"):
        dims = (arch.hidden, arch.layers, arch.heads, arch.vocab)
        routed = (arch.experts, arch.top_k, arch.shared, arch.ffn)
        ds = (deepseek.DIM, deepseek.LAYERS, deepseek.HEADS, deepseek.VOCAB)
        ds_moe = (deepseek.EXPERTS, deepseek.TOP_K, deepseek.SHARED, deepseek.MOE_INTER_DIM)
        return deepseek.FLAVOR if (dims, routed) == (ds, ds_moe) else None
    if name.startswith("Qwen3"):  # arch.ffn: one expert's width in a mixture of experts
        found = QWEN3_FLAVORS.get((arch.hidden, arch.layers, arch.heads, arch.kv_heads, arch.ffn))
        return None if found is None else found[0]
    llama = FLAVORS.get((arch.hidden, arch.layers, arch.heads, arch.kv_heads))
    if llama is None or ffn_width(arch.hidden, llama[2], llama[1]) != arch.ffn:
        return None
    return llama[0]


def why_not_shipped(arch: Architecture) -> str | None:
    """One line naming the flavors the tag ships where `arch` is none of them."""
    if arch_flavor(arch) is not None:
        return None
    name = arch.name
    if name.startswith("Llama-4"):
        family, shipped = llama4.FAMILY, [llama4.FLAVOR]
    elif name.startswith("DeepSeek-V3"):
        family, shipped = deepseek.FAMILY, [deepseek.FLAVOR]
    elif name.startswith("Qwen3"):
        family, shipped = "qwen3", [flavor for flavor, _ in QWEN3_FLAVORS.values()]
    else:
        family, shipped = "llama3", list(LLAMA3_SHIPPED)
    return f"torchtitan v0.2.0's {family} ships no flavor of it, only {', '.join(shipped)}"


def rope_theta(facts: Facts) -> int:
    """RoPE's base as each family released it (its config.json's rope_theta): Llama 3 and
    OLMo 2 500k, Qwen and Gemma 3 1M, Llama 2 and Mistral-7B (v0.1) 10k."""
    name = facts.model_name
    if "Llama-3" in name or "OLMo-2" in name:
        return 500_000
    if "Qwen" in name or "Gemma" in name:
        return 1_000_000
    return 10_000


# models/llama3/__init__.py:42-68 at v0.2.0: every shipped flavor sets rope_theta=500000
# and keeps the dataclass's vocab_size (128256); the dataclass default 10000 (model/args.py:
# 38) is only a user's own flavor's where it does not set it.
SHIPPED_ROPE_THETA = 500_000
SHIPPED_VOCAB = 128_256


def model_args(facts: Facts) -> str:
    """`TransformerModelArgs`' dataclass repr (models/llama3/model/args.py at v0.2.0 with
    protocols/model.py's `_enforced` field), as `Building llama3 8B with ...` prints it: a
    shipped flavor's args as models/llama3/__init__.py sets them, a user's own flavor with
    its family's released rope_theta."""
    kv = "None" if facts.kv_heads == facts.heads else str(facts.kv_heads)
    multiple_of, multiplier = ffn_args(facts.hidden, facts.ffn)
    shipped = shipped_flavor(facts) is not None
    theta = SHIPPED_ROPE_THETA if shipped else rope_theta(facts)
    vocab = SHIPPED_VOCAB if shipped else facts.vocab
    return (
        "TransformerModelArgs(_enforced='This field is used to enforce all fields have "
        f"defaults.', dim={facts.hidden}, n_layers={facts.layers}, n_heads={facts.heads}, "
        f"n_kv_heads={kv}, vocab_size={vocab}, multiple_of={multiple_of}, "
        f"ffn_dim_multiplier={multiplier}, norm_eps=1e-05, rope_theta={theta}, "
        "rope_scaling_args=RoPEScalingArgs(scaling_factor=8.0, low_freq_factor=1.0, "
        "high_freq_factor=4.0, original_max_position_embeddings=8192), "
        f"max_seq_len={facts.seq_len}, depth_init=True, use_flex_attn=False, "
        "attn_mask_type='causal', eos_id=0)"
    )


def flops_per_token(facts: Facts) -> int:
    """models/utils.py:385 (get_dense_model_nparams_and_flops): 6·(N − embedding) +
    12·l·h·q·t, the embedding being `tok_embeddings` alone (the output is a Linear). For a
    mixture of experts, models/utils.py:394-442 (get_moe_model_nparams_and_flops): the
    routed experts count top_k/num_experts of their parameters (integer division), the
    router and shared experts in full: the FLOPs of the active parameters."""
    head_dim = facts.hidden // facts.heads
    attention = 12 * facts.layers * facts.heads * head_dim * facts.seq_len
    if family(facts) == deepseek.FAMILY:
        return deepseek.flops_per_token(facts.seq_len)
    if family(facts) in ("qwen3", "llama4"):
        counts = moe_counts(facts)
        return 6 * (counts.active - counts.embedding) + attention
    embedding = facts.vocab * facts.hidden
    return 6 * (facts.params - embedding) + attention


def peak_flops(facts: Facts) -> float:
    return PEAK_FLOPS[facts.gpu]


# torchtitan/models/qwen3/__init__.py at v0.2.0: the shipped Qwen3 flavors by
# (dim, n_layers, n_heads, n_kv_heads, hidden_dim or moe_inter_dim), with their max_seq_len.
QWEN3_FLAVORS = {
    (1024, 28, 16, 8, 3072): ("0.6B", 4096),
    (2048, 28, 16, 8, 6144): ("1.7B", 4096),
    (2560, 36, 32, 8, 9728): ("4B", 4096),
    (4096, 36, 32, 8, 12288): ("8B", 4096),
    (5120, 40, 40, 8, 17408): ("14B", 4096),
    (5120, 64, 64, 8, 25600): ("32B", 4096),
    (2048, 48, 32, 4, 768): ("30B-A3B", 262144),
    (4096, 94, 64, 4, 1536): ("235B-A22B", 4096),
}
# The MoE flavors' dense FFN width (hidden_dim, unused by their all-MoE layers).
QWEN3_MOE_HIDDEN = {"30B-A3B": 6144, "235B-A22B": 12288}


def family(facts: Facts) -> str:
    """The train spec (`--model.name`) that builds this architecture at the tag."""
    if facts.arch.startswith("Llama-4"):
        return llama4.FAMILY
    if facts.arch.startswith("DeepSeek-V3"):
        return deepseek.FAMILY
    return "qwen3" if facts.arch.startswith("Qwen3") else "llama3"


def qwen3_flavor(facts: Facts) -> tuple[str, int] | None:
    width = facts.expert_ffn if facts.experts else facts.ffn
    return QWEN3_FLAVORS.get((facts.hidden, facts.layers, facts.heads, facts.kv_heads, width))


def user_flavor(facts: Facts) -> str:
    """The flavor a user registers for a Llama-architecture model the tag does not ship,
    named as the tag names its own: by size ("7B", "13B")."""
    return f"{round(facts.params / 1e9)}B"


def qwen3_args(facts: Facts, flavor: str) -> str:
    """`Qwen3ModelArgs`' dataclass repr (models/qwen3/model/args.py:22-47 at v0.2.0, with
    models/moe/moe.py's MoEArgs), after update_from_config sets max_seq_len to seq_len."""
    moe = bool(facts.experts)
    hidden = QWEN3_MOE_HIDDEN.get(flavor, facts.ffn)
    # The MoE flavors' router (models/qwen3/__init__.py:145-166); the dense ones keep the
    # MoEArgs defaults.
    router = (
        f"num_experts={facts.experts}, num_shared_experts=0, score_func='softmax', "
        f"route_norm=True, route_scale=1.0, score_before_experts=False, top_k={facts.top_k}"
        if moe
        else "num_experts=8, num_shared_experts=1, score_func='sigmoid', route_norm=False, "
        "route_scale=1.0, score_before_experts=True, top_k=1"
    )
    return (
        "Qwen3ModelArgs(_enforced='This field is used to enforce all fields have defaults.', "
        f"dim={facts.hidden}, n_layers={facts.layers}, n_heads={facts.heads}, "
        f"n_kv_heads={facts.kv_heads}, vocab_size={facts.vocab}, head_dim=128, "
        f"hidden_dim={hidden}, norm_eps=1e-06, rope_theta=1000000, qk_norm=True, "
        f"max_seq_len={facts.seq_len}, depth_init=True, use_flex_attn=False, "
        "attn_mask_type='causal', eos_id=151645, enable_weight_tying=False, "
        f"moe_enabled={moe}, moe_inter_dim={facts.expert_ffn if moe else 768}, "
        f"moe_args=MoEArgs({router}, use_grouped_mm=True, load_balance_coeff=0.001, "
        "_debug_force_load_balance=False))"
    )


QWEN3_HEAD_DIM = 128  # every qwen3 flavor's head_dim (models/qwen3/__init__.py)


class Qwen3Counts(NamedTuple):
    """get_moe_model_nparams_and_flops' sums over the built model's named_parameters
    (models/utils.py:394-430 at v0.2.0), which qwen3 uses for every flavor."""

    embedding: int  # names holding "embedding": tok_embeddings
    dense: int  # the embedding and every other parameter outside the MoE
    router: int  # moe.router
    experts: int  # moe.experts (qwen3 has no shared experts)
    active_experts: int  # experts x top_k // num_experts

    @property
    def sparse(self) -> int:
        return self.router + self.experts

    @property
    def total(self) -> int:
        return self.dense + self.sparse

    @property
    def active(self) -> int:
        return self.dense + self.router + self.active_experts


def moe_counts(facts: Facts) -> Qwen3Counts | llama4.Counts:
    """get_moe_model_nparams_and_flops' sums for the families that log them."""
    if family(facts) == deepseek.FAMILY:
        return deepseek.counts()
    return llama4.counts(facts) if family(facts) == llama4.FAMILY else qwen3_counts(facts)


def qwen3_counts(facts: Facts) -> Qwen3Counts:
    """The parameters of the qwen3 model the flavor's args build (models/qwen3/model/
    model.py at v0.2.0): tok_embeddings and an untied output (enable_weight_tying False),
    each layer's wq/wk/wv/wo over head_dim 128, q_norm and k_norm (head_dim each), the
    attention and FFN RMSNorms, and either a dense FeedForward (w1, w2, w3 of hidden_dim)
    or the MoE's router gate (dim x num_experts) and GroupedExperts (num_experts x 3 x dim
    x moe_inter_dim); the final norm."""
    dim, layers, heads, kv = facts.hidden, facts.layers, facts.heads, facts.kv_heads
    embedding = facts.vocab * dim
    attention = dim * QWEN3_HEAD_DIM * (2 * heads + 2 * kv) + 2 * QWEN3_HEAD_DIM
    norms = 2 * dim
    if facts.experts:
        router = layers * dim * facts.experts
        experts = layers * facts.experts * 3 * dim * facts.expert_ffn
        ffn = 0
    else:
        router = experts = 0
        ffn = 3 * dim * facts.ffn
    dense = 2 * embedding + layers * (attention + norms + ffn) + dim
    active = experts * facts.top_k // facts.experts if facts.experts else 0
    return Qwen3Counts(embedding, dense, router, experts, active)


def model_params(facts: Facts) -> int:
    """The count `Model ... size:` logs: qwen3's from its flavor's args, llama3's the
    architecture's own (its flavors' args give the released models' state dicts)."""
    moe = family(facts) in MOE_FAMILIES
    return moe_counts(facts).total if moe else facts.params


# The train specs whose get_nparams_and_flops is the MoE one (models/utils.py:394), which
# logs `Total parameter count: dense ..., sparse ..., active ...`.
MOE_FAMILIES = ("qwen3", llama4.FAMILY, deepseek.FAMILY)
