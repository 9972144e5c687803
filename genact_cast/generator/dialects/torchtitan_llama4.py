"""torchtitan v0.2.0's llama4 train spec as its users run Llama 4 Scout: the shipped
17bx16e flavor (models/llama4/__init__.py:38-50), its train config
(models/llama4/train_configs/llama4_17bx16e.toml) and the model the flavor's args build
(models/llama4/model/model.py, models/moe/moe.py).

Every number is quoted from the tag (file:line in the comments); torchtitan_release
dispatches to this module for the llama4 family.
"""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator.dialects.facts import Facts

FAMILY = "llama4"
FLAVOR = "17bx16e"
# models/llama4/__init__.py:38-50 at v0.2.0: dim 5120, 48 layers, 40 heads, 8 KV heads,
# ffn_dim_multiplier 1.2, multiple_of 2048, 16 experts (MoEArgs' defaults otherwise: one
# shared expert, top-1, sigmoid scores), an MoE layer in every block (interleave 1).
SHAPE = (5120, 48, 40, 8, 16, 1, 1)
FFN_MULTIPLIER = 1.2
MULTIPLE_OF = 2048
ROPE_THETA = 500_000
VOCAB = 202_048  # TransformerModelArgs.vocab_size's default (model/args.py:35)
FLAVOR_MAX_SEQ_LEN = 10_485_760
DESCRIPTION = "Llama 4 Scout 17Bx16E training"  # llama4_17bx16e.toml:5
TOML = "./torchtitan/models/llama4/train_configs/llama4_17bx16e.toml"
HF_ASSETS = "./assets/hf/Llama-4-Scout-17B-16E"  # llama4_17bx16e.toml:20
# model/args.py:72-77: update_from_config turns grouped mm off before SM90 (an A100),
# with this WARNING, before train.py logs `Building ...`.
NO_GROUPED_MM = "Failed to use grouped mm, which is only supported on SM90 or later"
SM90 = ("H100", "H200", "B200")


def ships(facts: Facts) -> bool:
    """Whether the run's model is the shipped flavor's (Llama 4 Scout)."""
    shape = (facts.hidden, facts.layers, facts.heads, facts.kv_heads)
    moe = (facts.experts, facts.top_k, facts.shared_experts)
    return (*shape, *moe) == SHAPE and moe_hidden(facts.hidden) == facts.expert_ffn


def moe_hidden(dim: int) -> int:
    """An MoE block's expert width (model/model.py:358-371): 2/3 of 4·dim, times the
    multiplier, over top_k + shared experts (auto_scale_hidden_dim), rounded up to
    multiple_of: 8192 for Scout."""
    hidden = int(FFN_MULTIPLIER * int(2 * 4 * dim / 3))
    hidden = int(hidden / 2)  # top_k 1 + num_shared_experts 1
    return hidden + -hidden % MULTIPLE_OF


def grouped_mm(facts: Facts) -> bool:
    return facts.gpu in SM90


def model_args(facts: Facts) -> str:
    """llama4's `TransformerModelArgs` dataclass repr (model/args.py:29-62 with
    protocols/model.py:32's `_enforced` and models/moe/moe.py:19-34's MoEArgs), after
    update_from_config (max_seq_len the run's, grouped mm off before SM90)."""
    return (
        "TransformerModelArgs(_enforced='This field is used to enforce all fields have "
        f"defaults.', dim={facts.hidden}, n_layers={facts.layers}, n_heads={facts.heads}, "
        f"n_kv_heads={facts.kv_heads}, vocab_size={VOCAB}, multiple_of={MULTIPLE_OF}, "
        f"ffn_dim_multiplier={FFN_MULTIPLIER}, norm_eps=1e-05, rope_theta={ROPE_THETA}, "
        "rope_scaling_args=RoPEScalingArgs(scaling_factor=16.0, low_freq_factor=1.0, "
        "high_freq_factor=1.0, original_max_position_embeddings=8192), "
        f"max_seq_len={facts.seq_len}, depth_init=True, use_flex_attn=False, "
        "attn_mask_type='causal', every_n_layers_nope=None, fixed_attn_block_size=8192, "
        f"moe_args=MoEArgs(num_experts={facts.experts}, num_shared_experts="
        f"{facts.shared_experts}, score_func='sigmoid', route_norm=False, route_scale=1.0, "
        f"score_before_experts=True, top_k={facts.top_k}, use_grouped_mm={grouped_mm(facts)}, "
        "load_balance_coeff=0.001, _debug_force_load_balance=False), "
        "auto_scale_hidden_dim=True, interleave_moe_layer_step=1)"
    )


class Counts(NamedTuple):
    """get_moe_model_nparams_and_flops' sums over named_parameters (models/utils.py:
    394-430): "embedding" names, moe.router, moe.shared_experts, moe.experts, the rest."""

    embedding: int
    dense: int
    router: int
    experts: int
    active_experts: int  # experts x top_k // num_experts
    shared: int

    @property
    def sparse(self) -> int:
        return self.router + self.shared + self.experts

    @property
    def total(self) -> int:
        return self.dense + self.sparse

    @property
    def active(self) -> int:
        return self.dense + self.router + self.shared + self.active_experts


def counts(facts: Facts) -> Counts:
    """The parameters the flavor builds (model/model.py at v0.2.0): tok_embeddings and an
    untied output, each block's wq/wk/wv/wo over dim // n_heads (no q/k norm), the
    attention and FFN RMSNorms, the router's gate (dim x experts), GroupedExperts (experts
    x 3 x dim x hidden) and the shared expert's FeedForward (3 x dim x hidden); the final
    norm. Buffers (expert_bias, tokens_per_expert) are not parameters."""
    dim, layers = facts.hidden, facts.layers
    head_dim = dim // facts.heads
    hidden = facts.expert_ffn
    embedding = facts.vocab * dim
    attention = dim * head_dim * (2 * facts.heads + 2 * facts.kv_heads)
    router = layers * dim * facts.experts
    experts = layers * facts.experts * 3 * dim * hidden
    shared = layers * facts.shared_experts * 3 * dim * hidden
    dense = 2 * embedding + layers * (attention + 2 * dim) + dim
    active = experts * facts.top_k // facts.experts
    return Counts(embedding, dense, router, experts, active, shared)


def block_shapes(facts: Facts) -> list[tuple[int, int]]:
    """(rows, rest) of one block's parameters outside the routed experts on one TP rank,
    as FSDP2 shards them in dim 0: wq/wk/wv colwise, wo rowwise, the norms whole, the
    router's gate, and the shared expert's w1/w3 colwise and w2 rowwise
    (infra/parallelize.py:187-270's plan)."""
    dim, tp = facts.hidden, facts.tp
    head_dim = dim // facts.heads
    q, kv = facts.heads * head_dim // tp, facts.kv_heads * head_dim // tp
    shared = facts.shared_experts * facts.expert_ffn // tp
    return [
        (q, dim),
        (kv, dim),
        (kv, dim),
        (dim, q),
        (dim, 1),
        (dim, 1),
        (facts.experts, dim),
        (shared, dim),
        (dim, shared),
        (shared, dim),
    ]
