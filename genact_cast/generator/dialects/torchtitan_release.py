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
