"""The `model.safetensors.index.json` convert_to_hf.py leaves beside its shards: torch
2.9.0's `_write_overall_metadata_file` (distributed/checkpoint/_consolidate_hf_safetensors.py)
writes `{"metadata": {"total_size": N}, "weight_map": {fqn: file}}` with
`json.dump(..., indent=2)`, one entry a tensor of the Hugging Face state dict torchtitan's
adapter converts to, so its size grows with the model's tensors (review-tt16 T9b: a fixed
30-48 KB whatever the model). The tensors are named as the Hub's Llama and Qwen3 indexes
name them, as each family's models/*/model/state_dict_adapter.py at torchtitan v0.2.0 maps
them (Llama-3.1-8B's 291 keys: 9 a layer and 3 more; DeepSeek-V3's 45,395: no multi-token
layer, no fp8 scales; Llama 4's `language_model.` names with each layer's experts fused)."""

from __future__ import annotations

import json

from genact_cast.generator.dialects import torchtitan_deepseek as deepseek
from genact_cast.generator.dialects import torchtitan_llama4 as llama4
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_release import family

ATTENTION = ("k_proj", "o_proj", "q_proj", "v_proj")
MLP = ("down_proj", "gate_proj", "up_proj")


def hf_keys(facts: Facts) -> list[str]:
    """The state dict's Hugging Face names (models/*/model/state_dict_adapter.py at
    torchtitan v0.2.0 maps each torchtitan parameter to one)."""
    name = family(facts)
    if name == deepseek.FAMILY:
        return deepseek_keys(facts)
    if name == llama4.FAMILY:
        return llama4_keys(facts)
    qwen3 = name == "qwen3"
    keys = ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"]
    for layer in range(facts.layers):
        prefix = f"model.layers.{layer}."
        keys += [prefix + "input_layernorm.weight", prefix + "post_attention_layernorm.weight"]
        keys += [f"{prefix}self_attn.{p}.weight" for p in ATTENTION]
        if qwen3:
            keys += [prefix + "self_attn.q_norm.weight", prefix + "self_attn.k_norm.weight"]
        if facts.experts:
            keys.append(prefix + "mlp.gate.weight")  # the router
            keys += [
                f"{prefix}mlp.experts.{e}.{p}.weight" for e in range(facts.experts) for p in MLP
            ]
        else:
            keys += [f"{prefix}mlp.{p}.weight" for p in MLP]
    return keys


NORMS = ("input_layernorm", "post_attention_layernorm")
MLA = ("q_a_proj", "q_a_layernorm", "q_b_proj", "kv_a_proj_with_mqa", "kv_a_layernorm")


def deepseek_keys(facts: Facts) -> list[str]:
    """DeepSeek-V3's adapter: MLA's seven tensors (q through a low-rank q_a), the first
    n_dense_layers with a dense MLP, the rest with the router (its weight and
    e_score_correction_bias), every routed expert's three projections and the shared
    expert's."""
    keys = ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"]
    for layer in range(facts.layers):
        prefix = f"model.layers.{layer}."
        keys += [f"{prefix}{n}.weight" for n in NORMS]
        keys += [f"{prefix}self_attn.{p}.weight" for p in (*MLA, "kv_b_proj", "o_proj")]
        if layer < deepseek.DENSE_LAYERS:
            keys += [f"{prefix}mlp.{p}.weight" for p in MLP]
            continue
        keys += [prefix + "mlp.gate.weight", prefix + "mlp.gate.e_score_correction_bias"]
        keys += [f"{prefix}mlp.shared_experts.{p}.weight" for p in MLP]
        keys += [f"{prefix}mlp.experts.{e}.{p}.weight" for e in range(facts.experts) for p in MLP]
    return keys


def llama4_keys(facts: Facts) -> list[str]:
    """Llama 4's adapter: the text model under `language_model.`, an MoE in every block
    (interleave 1) with its experts as two fused tensors (gate_up_proj, down_proj), the
    router and the shared expert; expert_bias is not exported."""
    base = "language_model.model."
    keys = [base + "embed_tokens.weight", base + "norm.weight", "language_model.lm_head.weight"]
    for layer in range(facts.layers):
        prefix = f"{base}layers.{layer}."
        keys += [f"{prefix}{n}.weight" for n in NORMS]
        keys += [f"{prefix}self_attn.{p}.weight" for p in ATTENTION]
        keys += [prefix + "feed_forward.router.weight"]
        keys += [prefix + "feed_forward.experts.gate_up_proj"]
        keys += [prefix + "feed_forward.experts.down_proj"]
        keys += [f"{prefix}feed_forward.shared_expert.{p}.weight" for p in MLP]
    return keys


def index_bytes(facts: Facts, files: int, total_size: int) -> float:
    """The index's size: torch's json.dump(indent=2) of the tensors' names, each mapped to
    one of `files` shards (every name `model-0000N-of-0000M.safetensors`, one length)."""
    keys = hf_keys(facts)
    file = f"model-{1:05d}-of-{files:05d}.safetensors"
    metadata = {"metadata": {"total_size": total_size}, "weight_map": dict.fromkeys(keys, file)}
    return float(len(json.dumps(metadata, indent=2)))
