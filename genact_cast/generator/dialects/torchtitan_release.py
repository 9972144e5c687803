"""torchtitan v0.2.0 (2025-10-17) as its users run it: the shipped train configs, the model
flavors, the peak FLOPS table and the FLOPs-per-token formula of that tag.

Every number here is quoted from the tag (file:line in the comments); the dialect module
prints with them.
"""

from __future__ import annotations

from typing import NamedTuple

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


def rope_theta(facts: Facts) -> int:
    """RoPE's base as each family released it (its config.json's rope_theta): Llama 3 and
    OLMo 2 500k, Qwen and Gemma 3 1M, Llama 2 and Mistral-7B (v0.1) 10k."""
    name = facts.model_name
    if "Llama-3" in name or "OLMo-2" in name:
        return 500_000
    if "Qwen" in name or "Gemma" in name:
        return 1_000_000
    return 10_000


def model_args(facts: Facts) -> str:
    """`TransformerModelArgs`' dataclass repr (models/llama3/model/args.py at v0.2.0 with
    protocols/model.py's `_enforced` field), as `Building llama3 8B with ...` prints it."""
    kv = "None" if facts.kv_heads == facts.heads else str(facts.kv_heads)
    multiple_of, multiplier = ffn_args(facts.hidden, facts.ffn)
    return (
        "TransformerModelArgs(_enforced='This field is used to enforce all fields have "
        f"defaults.', dim={facts.hidden}, n_layers={facts.layers}, n_heads={facts.heads}, "
        f"n_kv_heads={kv}, vocab_size={facts.vocab}, multiple_of={multiple_of}, "
        f"ffn_dim_multiplier={multiplier}, norm_eps=1e-05, rope_theta={rope_theta(facts)}, "
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
    embedding = facts.vocab * facts.hidden
    head_dim = facts.hidden // facts.heads
    params = facts.params
    if facts.experts:
        params -= facts.routed - facts.routed * facts.top_k // facts.experts
    return 6 * (params - embedding) + 12 * facts.layers * facts.heads * head_dim * (facts.seq_len)


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


def moe_counts(facts: Facts) -> tuple[int, int, int]:
    """models/utils.py:404-430 (get_moe_model_nparams_and_flops), which qwen3 uses for
    every flavor: (dense, sparse, active), the sparse being the routers and the experts."""
    router = facts.layers * facts.hidden * facts.experts
    sparse = facts.routed + router if facts.experts else 0
    dense = facts.params - sparse
    active = dense + (router + facts.routed * facts.top_k // facts.experts if sparse else 0)
    return dense, sparse, active
