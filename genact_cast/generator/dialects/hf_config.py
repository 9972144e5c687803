"""`Model config <Class> {json}`, which transformers 4.57.1 logs after `loading configuration
file` (configuration_utils.py:839): the config's `to_json_string()`, json.dumps(indent=2,
sort_keys=True) + "\\n" of `to_diff_dict()`. For a config.json from the Hub that is its own
fields (each differs from PretrainedConfig's defaults or is the class's own), with
`torch_dtype` read as `dtype` (:266), `transformers_version` the running release (:950) and
the fields the class's __init__ adds (Qwen2/Qwen3's `layer_types`, one per layer).

Each family's config.json is data (data/hf_configs/<family>.json, with its source); the
sizes come from the run's architecture (data/models.tsv), so they agree with the rest of
the log."""

from __future__ import annotations

import functools
import json
from typing import Any

from genact_cast.generator import tables
from genact_cast.generator.catalog import Architecture, architectures

CONFIG_LOGGED = "configuration_utils.py:839"  # logger.info(f"Model config {config}")
RELEASE = "4.57.1"
# Each family by the prefix of the catalog's names it covers ("Llama-3-" is Llama 3.0 alone,
# "Qwen2-" Qwen2 alone; a family's "names" narrow it to the checkpoints its file is of).
# Gemma 3 and Llama 4 ship composite image-text configs (Gemma3Config, Llama4Config with
# text_config and vision_config) and DeepSeek-V3's has its MLA and routing fields: none is
# tabled yet, so their logs print the file's line alone rather than an invented dump.
FAMILIES = (
    "llama3.1",
    "llama3.2",
    "llama3",
    "llama2",
    "mistral",
    "mixtral",
    "qwen2.5",
    "qwen2",
    "qwen3_moe",
    "qwen3",
    "olmo2",
)
# configuration_qwen2.py:203 and configuration_qwen3.py:211 at 4.57.1: with no layer_types
# given, one "full_attention" per layer (sliding_attention from max_window_layers on when
# use_sliding_window, which these configs leave false). Qwen3MoeConfig has no layer_types.
LAYER_TYPES = ("qwen2", "qwen3")
# The fields a class's __init__ sets that a Hub config.json may leave out, at their 4.57.1
# defaults (models/<type>/configuration_<type>.py): to_diff_dict prints every field
# PretrainedConfig itself lacks, so they show in the dump whether the file has them or not.
# Read from transformers 4.57.1 (`Cls().to_dict()`, less PretrainedConfig's keys).
CLASS_DEFAULTS: dict[str, dict[str, Any]] = {
    "llama": {
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "pretraining_tp": 1,
        "rope_scaling": None,
        "rope_theta": 10000.0,
    },
    "mistral": {"attention_dropout": 0.0, "head_dim": None},
    "mixtral": {
        "attention_dropout": 0.0,
        "head_dim": None,
        "output_router_logits": False,
        "router_aux_loss_coef": 0.001,
        "router_jitter_noise": 0.0,
    },
}


@functools.cache
def _family(name: str) -> dict[str, Any]:
    # beside the modules, as tables reads its data (importlib.resources costs an import)
    text = (tables.GENERATOR / "data" / "hf_configs" / f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def family_of(arch: Architecture) -> dict[str, Any] | None:
    """The family whose config.json the architecture's checkpoint carries, if tabled."""
    for name in FAMILIES:
        data = _family(name)
        if arch.name.startswith(data["family"]) and arch.name in data.get("names", [arch.name]):
            return data
    return None


# The model types whose released checkpoints' tokenizer_config.json holds a string
# `chat_template`: Qwen3's, the one tokenizer of the family (Qwen/Qwen3-0.6B's
# tokenizer_config.json as quoted in index:55697765122 and index:14308273653: `"chat_template":
# "{%- if tools %}..."`). Its save_pretrained writes the template to chat_template.jinja and
# logs `chat template saved in` (tokenization_utils_base.py:2417-2421 at 4.57.1,
# save_jinja_files True by default), whatever the run trains on. The other tabled families'
# base checkpoints are not pinned to one: their saves log it only where the fine-tune on
# conversations sets a template.
CHAT_TEMPLATE_TYPES = ("qwen3", "qwen3_moe")


def ships_chat_template(arch: Architecture) -> bool:
    """Whether the architecture's checkpoint's tokenizer comes with a string chat template."""
    data = family_of(arch)
    return data is not None and data["config"].get("model_type") in CHAT_TEMPLATE_TYPES


def hub_config(arch: Architecture) -> dict[str, Any] | None:
    """The checkpoint's config.json: its family's fields at the architecture's sizes."""
    data = family_of(arch)
    if data is None:
        return None
    config = dict(data["config"])
    sizes: dict[str, Any] = {
        "hidden_size": arch.hidden,
        "num_hidden_layers": arch.layers,
        "num_attention_heads": arch.heads,
        "num_key_value_heads": arch.kv_heads,
        "vocab_size": arch.vocab,
        "max_position_embeddings": arch.context,
    }
    if arch.moe and "num_local_experts" in config:  # Mixtral: each expert's MLP width
        sizes |= {
            "intermediate_size": arch.ffn,
            "num_local_experts": arch.experts,
            "num_experts_per_tok": arch.top_k,
        }
    elif arch.moe:
        sizes |= {
            "moe_intermediate_size": arch.ffn,
            "num_experts": arch.experts,
            "num_experts_per_tok": arch.top_k,
        }
    else:
        sizes["intermediate_size"] = arch.ffn
    if "head_dim" in config:
        sizes["head_dim"] = arch.head_dim
    if "max_window_layers" in config:
        sizes["max_window_layers"] = arch.layers
    if config.get("sliding_window") is not None:
        sizes["sliding_window"] = arch.context
    for kept in data.get("keeps", ()):  # the file's own value (OLMo 2's padded vocabulary)
        sizes.pop(kept)
    config.update(sizes)
    return config


def printed(config: dict[str, Any]) -> dict[str, Any]:
    """`to_diff_dict()` of the config from_pretrained builds from that config.json."""
    out = dict(config)
    # from_pretrained of a local folder sets _name_or_path to that folder, and to_dict drops it
    out.pop("_name_or_path", None)
    for key, value in CLASS_DEFAULTS.get(str(out.get("model_type")), {}).items():
        out.setdefault(key, value)
    if "torch_dtype" in out:
        out["dtype"] = out.pop("torch_dtype")
    out["transformers_version"] = RELEASE
    if out.get("model_type") == "llama":
        # configuration_llama.py:209: head_dim if given, else hidden_size // heads
        out.setdefault("head_dim", out["hidden_size"] // out["num_attention_heads"])
    if out.get("model_type") == "qwen2":
        # configuration_qwen2.py:181 and :194: no window unless use_sliding_window, and
        # rope_scaling always set (None)
        if not out.get("use_sliding_window"):
            out["sliding_window"] = None
        out.setdefault("rope_scaling", None)
    if out.get("model_type") in LAYER_TYPES:
        out["layer_types"] = ["full_attention"] * int(out["num_hidden_layers"])
    return out


def config_class(config: dict[str, Any]) -> str:
    """LlamaConfig, Qwen2Config, Qwen3MoeConfig: the class AutoConfig maps model_type to."""
    return str(config["architectures"][0]).replace("ForCausalLM", "Config")


def model_config_message(name: str) -> list[str]:
    """The message for the catalog's architecture `name`, one string a line: it spans lines
    and ends with the "\\n" to_json_string adds, so an empty last line (the logging
    handler's own newline ends it). No lines for a family not tabled yet."""
    arch = next((a for a in architectures() if a.name == name), None)
    config = None if arch is None else hub_config(arch)
    if config is None:
        return []
    text = json.dumps(printed(config), indent=2, sort_keys=True) + "\n"
    return f"Model config {config_class(config)} {text}".split("\n")


LOADING_FILE = "tokenization_utils_base.py:2093"  # logger.info(f"loading file {file_path}")
# AutoTokenizer's class for each model_type's checkpoints (their tokenizer_config.json's
# tokenizer_class), by its vocab_files_names at 4.57.1: PreTrainedTokenizerFast
# (tokenization_utils_fast.py:78) for Llama 3, Qwen2TokenizerFast
# (models/qwen2/tokenization_qwen2_fast.py:27-31) for Qwen2.5 and Qwen3. Real logs show those
# orders: meta-llama/Llama-3.2-1B's tokenizer.json then tokenizer.model (find_string
# index:3036918142), a local Qwen checkpoint's vocab.json, merges.txt, tokenizer.json ...
# chat_template.jinja at tokenization_utils_base.py:2093 (index:46206645246).
TOKENIZER_FILES = {
    "llama": ("tokenizer.json", "tokenizer.model"),
    "qwen2": ("vocab.json", "merges.txt", "tokenizer.json"),
    "qwen3": ("vocab.json", "merges.txt", "tokenizer.json"),
    "qwen3_moe": ("vocab.json", "merges.txt", "tokenizer.json"),
    # OLMo 2: whichever class its tokenizer_config names, GPT2TokenizerFast or the model
    # type's GPTNeoXTokenizerFast (models/auto/tokenization_auto.py:489), both list these
    # (models/gpt2/tokenization_gpt2_fast.py:27, models/gpt_neox/tokenization_gpt_neox_fast
    # .py:27 at 4.57.1): review-tt9 fault 5
    "olmo2": ("vocab.json", "merges.txt", "tokenizer.json"),
}
# Llama 2's checkpoints name LlamaTokenizer (tokenizer_config.json), which AutoTokenizer
# loads as LlamaTokenizerFast: tokenizer.model, then tokenizer.json
# (models/llama/tokenization_llama_fast.py:31 at 4.57.1). Mistral and Mixtral are not
# tabled here yet: their logs show no tokenizer lines rather than another class's.
FAMILY_TOKENIZER_FILES = {"Llama-2-": ("tokenizer.model", "tokenizer.json")}
# then the files every tokenizer looks for (tokenization_utils_base.py:1978-1985), in order
ADDITIONAL_FILES = (
    "added_tokens.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "chat_template.jinja",
)


def tokenizer_files(name: str) -> list[str]:
    """The files AutoTokenizer.from_pretrained logs from a local checkpoint directory, one
    `loading file X` each, whether the file is there or not (every name the class and the
    base class know is looked up, :2051-2093); none for a family not tabled yet."""
    arch = next((a for a in architectures() if a.name == name), None)
    config = None if arch is None else family_of(arch)
    if config is None:
        return []
    own = FAMILY_TOKENIZER_FILES.get(str(config["family"])) or (
        None
        if str(config["family"]) in ("Mistral-", "Mixtral-")
        else TOKENIZER_FILES.get(str(config["config"].get("model_type")))
    )
    return [] if own is None else [*own, *ADDITIONAL_FILES]


GENERATE_LOGGED = "configuration_utils.py:986"  # generation/: logger.info(f"Generate config ...")
# generation/configuration_utils.py:939 at 4.57.1, in GenerationConfig.from_pretrained of a
# local folder: logger.info(f"loading configuration file {resolved_config_file}")
GENERATION_FILE_LOADED = "configuration_utils.py:939"
# The config.json fields GenerationConfig.from_model_config takes that the tabled configs set
# (generation/configuration_utils.py at 4.57.1); the others are GenerationConfig's defaults.
GENERATION_FIELDS = ("bos_token_id", "eos_token_id", "pad_token_id")


def generation_message(name: str) -> list[str]:
    """`Generate config GenerationConfig {json}`: the model's __init__ builds its generation
    config from its config (modeling_utils.py:2093, from_model_config -> from_dict, :986),
    to_json_string of the fields that differ from GenerationConfig's defaults, as
    `model_config_message` spans lines. Checked against transformers 4.57.1 itself on every
    tabled architecture; none for a family not tabled yet."""
    arch = next((a for a in architectures() if a.name == name), None)
    config = None if arch is None else hub_config(arch)
    if config is None:
        return []
    fields = {key: config[key] for key in GENERATION_FIELDS if config.get(key) is not None}
    text = json.dumps(fields, indent=2, sort_keys=True) + "\n"
    return f"Generate config GenerationConfig {text}".split("\n")
