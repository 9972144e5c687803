"""torchtitan v0.2.0's deepseek_v3 train spec as its users run DeepSeek-V3: the shipped
671B flavor (models/deepseek_v3/__init__.py:123-149), its train config
(models/deepseek_v3/train_configs/deepseek_v3_671b.toml) and the model the flavor's args
build (models/deepseek_v3/model/model.py, models/moe/moe.py).

Every number is quoted from the tag (file:line in the comments); torchtitan_release
dispatches to this module for the deepseek_v3 family.
"""

from __future__ import annotations

from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_llama4 import Counts

FAMILY = "deepseek_v3"
FLAVOR = "671B"
# models/deepseek_v3/__init__.py:123-149 at v0.2.0: the 671B flavor's args.
VOCAB = 129_280
DIM = 7168
INTER_DIM = 18_432  # the dense layers' FeedForward
MOE_INTER_DIM = 2048
LAYERS = 61
DENSE_LAYERS = 3
HEADS = 128
EXPERTS, SHARED, TOP_K = 256, 1, 8
ROUTE_SCALE = 2.5
EXPERT_GROUPS, LIMITED_GROUPS = 8, 4
Q_LORA_RANK, KV_LORA_RANK = 1536, 512
QK_NOPE, QK_ROPE, V_HEAD = 128, 64, 128
# model/args.py:58-89: the dataclass defaults the flavor keeps
MAX_BATCH_SIZE = 8
FLAVOR_MAX_SEQ_LEN = 4096 * 4
DESCRIPTION = "DeepSeek-V3 671B model training"  # deepseek_v3_671b.toml:3
TOML = "./torchtitan/models/deepseek_v3/train_configs/deepseek_v3_671b.toml"
HF_ASSETS = "./assets/hf/DeepSeek-V3.1-Base"  # deepseek_v3_671b.toml:23
# model/args.py:102-106: update_from_config turns grouped mm off before SM90 (an A100),
# with this WARNING, before train.py logs `Building ...`.
NO_GROUPED_MM = "Failed to use grouped mm, which is only supported on SM90 or later"
SM90 = ("H100", "H200", "B200")
# deepseek_v3_671b.toml:51: the config's schedule; the run's own is DualPipeV (torch 2.9's
# get_schedule_class name, pipelining/schedules.py:3032) where the plan runs DualPipe.
TOML_SCHEDULE = "Interleaved1F1B"
DUALPIPE_SCHEDULE = "DualPipeV"


def ships(facts: Facts) -> bool:
    """Whether the run's model is the shipped 671B flavor's (the catalogue's DeepSeek-V3,
    deepseek-ai/DeepSeek-V3-Base's config.json)."""
    shape = (facts.hidden, facts.layers, facts.heads, facts.vocab)
    moe = (facts.experts, facts.top_k, facts.shared_experts, facts.expert_ffn)
    return shape == (DIM, LAYERS, HEADS, VOCAB) and moe == (EXPERTS, TOP_K, SHARED, MOE_INTER_DIM)


def grouped_mm(facts: Facts) -> bool:
    return facts.gpu in SM90


def model_args(facts: Facts) -> str:
    """`DeepSeekV3ModelArgs`' dataclass repr (model/args.py:23-89 with protocols/model.py:32's
    `_enforced` and models/moe/moe.py:18-34's MoEArgs), after update_from_config (max_seq_len
    the run's, grouped mm off before SM90, _debug_force_load_balance from the job's
    training.debug_moe_force_load_balance, False by default)."""
    return (
        "DeepSeekV3ModelArgs(_enforced='This field is used to enforce all fields have "
        f"defaults.', max_batch_size={MAX_BATCH_SIZE}, max_seq_len={facts.seq_len}, "
        f"vocab_size={VOCAB}, dim={DIM}, inter_dim={INTER_DIM}, moe_inter_dim={MOE_INTER_DIM}, "
        f"n_layers={LAYERS}, n_dense_layers={DENSE_LAYERS}, n_heads={HEADS}, norm_eps=1e-05, "
        f"moe_args=MoEArgs(num_experts={EXPERTS}, num_shared_experts={SHARED}, "
        f"score_func='sigmoid', route_norm=True, route_scale={ROUTE_SCALE}, "
        f"score_before_experts=False, top_k={TOP_K}, use_grouped_mm={grouped_mm(facts)}, "
        "load_balance_coeff=0.001, _debug_force_load_balance=False), "
        f"n_expert_groups={EXPERT_GROUPS}, n_limited_groups={LIMITED_GROUPS}, "
        f"q_lora_rank={Q_LORA_RANK}, kv_lora_rank={KV_LORA_RANK}, "
        f"qk_nope_head_dim={QK_NOPE}, qk_rope_head_dim={QK_ROPE}, v_head_dim={V_HEAD}, "
        "use_flex_attn=True, attn_mask_type='block_causal', original_seq_len=4096, "
        "rope_theta=10000.0, rope_factor=40, beta_fast=32, beta_slow=1, mscale=1.0)"
    )


def attention_params() -> int:
    """One block's MLA (model/model.py:152-180, q_lora_rank > 0): wq_a, q_norm, wq_b, wkv_a,
    kv_norm, wkv_b, wo."""
    qk_head = QK_NOPE + QK_ROPE
    return (
        DIM * Q_LORA_RANK
        + Q_LORA_RANK
        + Q_LORA_RANK * HEADS * qk_head
        + DIM * (KV_LORA_RANK + QK_ROPE)
        + KV_LORA_RANK
        + KV_LORA_RANK * HEADS * (QK_NOPE + V_HEAD)
        + HEADS * V_HEAD * DIM
    )


def counts() -> Counts:
    """get_moe_model_nparams_and_flops' sums over named_parameters (models/utils.py:394-430)
    of the model the flavor builds (model/model.py:283-365): tok_embeddings and an untied
    output, each block's MLA and its two RMSNorms, a FeedForward of inter_dim in the first
    n_dense_layers blocks and in the rest the MoE: the router's gate (dim x experts),
    GroupedExperts (experts x 3 x dim x moe_inter_dim) and the shared FeedForward (3 x dim x
    moe_inter_dim x num_shared_experts, moe.py:378-380); the final norm. Buffers
    (expert_bias, tokens_per_expert, freqs_cis) are not parameters."""
    moe_layers = LAYERS - DENSE_LAYERS
    embedding = VOCAB * DIM
    dense = (
        2 * embedding
        + LAYERS * (attention_params() + 2 * DIM)
        + DENSE_LAYERS * 3 * DIM * INTER_DIM
        + DIM
    )
    router = moe_layers * DIM * EXPERTS
    experts = moe_layers * EXPERTS * 3 * DIM * MOE_INTER_DIM
    shared = moe_layers * 3 * DIM * MOE_INTER_DIM * SHARED
    active = experts * TOP_K // EXPERTS
    return Counts(embedding, dense, router, experts, active, shared)


def flops_per_token(seq_len: int) -> int:
    """models/utils.py:432-442: 6 x (dense - embedding + active sparse) + 12·l·h·q·t with
    q = dim // n_heads (56), not MLA's head dims."""
    c = counts()
    return 6 * (c.active - c.embedding) + 12 * LAYERS * HEADS * (DIM // HEADS) * seq_len


def block_shapes(facts: Facts) -> list[tuple[int, int]]:
    """(rows, rest) of one MoE block's parameters outside the routed experts, as FSDP2
    shards them in dim 0 (the run has no TP: the dialect's DeepSeek-V3 runs take EP and PP):
    wq_a, q_norm, wq_b, wkv_a, kv_norm, wkv_b, wo, the two norms, the router's gate and the
    shared expert's w1, w2, w3."""
    del facts
    qk_head = QK_NOPE + QK_ROPE
    return [
        (Q_LORA_RANK, DIM),
        (Q_LORA_RANK, 1),
        (HEADS * qk_head, Q_LORA_RANK),
        (KV_LORA_RANK + QK_ROPE, DIM),
        (KV_LORA_RANK, 1),
        (HEADS * (QK_NOPE + V_HEAD), KV_LORA_RANK),
        (DIM, HEADS * V_HEAD),
        (DIM, 1),
        (DIM, 1),
        (EXPERTS, DIM),
        (MOE_INTER_DIM * SHARED, DIM),
        (DIM, MOE_INTER_DIM * SHARED),
        (MOE_INTER_DIM * SHARED, DIM),
    ]
