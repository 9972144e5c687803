"""The `model.safetensors.index.json` convert_to_hf.py leaves beside its shards: torch
2.9.0's `_write_overall_metadata_file` (distributed/checkpoint/_consolidate_hf_safetensors.py)
writes `{"metadata": {"total_size": N}, "weight_map": {fqn: file}}` with
`json.dump(..., indent=2)`, one entry a tensor of the Hugging Face state dict torchtitan's
adapter converts to, so its size grows with the model's tensors (review-tt16 T9b: a fixed
30-48 KB whatever the model). The tensors are named as the Hub's Llama and Qwen3 indexes
name them (Llama-3.1-8B's 291 keys: 9 a layer and 3 more). Llama 4 and DeepSeek-V3 keep the
older estimate: their adapters' key sets (experts fused or not, DeepSeek's multi-token layer
and scales) are not tabled here yet."""

from __future__ import annotations

import json

from genact_cast.generator.dialects import torchtitan_deepseek as deepseek
from genact_cast.generator.dialects import torchtitan_llama4 as llama4
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_release import family

ATTENTION = ("k_proj", "o_proj", "q_proj", "v_proj")
MLP = ("down_proj", "gate_proj", "up_proj")


def hf_keys(facts: Facts) -> list[str] | None:
    """The state dict's Hugging Face names (models/*/model/state_dict_adapter.py at
    torchtitan v0.2.0 maps each torchtitan parameter to one), or None for a family whose
    names are not tabled here."""
    name = family(facts)
    if name in (llama4.FAMILY, deepseek.FAMILY):
        return None
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


def index_bytes(facts: Facts, files: int, total_size: int) -> float:
    """The index's size: torch's json.dump(indent=2) of the tensors' names, each mapped to
    one of `files` shards (every name `model-0000N-of-0000M.safetensors`, one length)."""
    keys = hf_keys(facts)
    if keys is None:
        return 23.9e3 + 0.2e3 * facts.layers
    file = f"model-{1:05d}-of-{files:05d}.safetensors"
    metadata = {"metadata": {"total_size": total_size}, "weight_map": dict.fromkeys(keys, file)}
    return float(len(json.dumps(metadata, indent=2)))
