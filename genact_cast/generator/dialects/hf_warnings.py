"""Python warnings the Hugging Face Trainer's libraries print at start-up, where and when the
pinned releases print them: accelerate 1.11.0's FSDP upcast of low-precision parameters and
trl 0.24.0's padding-free warning. Each is raised in every process that runs the script, so
every launch (a restart's too) prints it again; the main process alone reports it.

`warnings.warn` with the default filters writes `path:lineno: UserWarning: message` and the
source line of the call (warnings.formatwarning), the `warnings.warn(` line the lineno names;
trl logs through accelerate's MultiProcessAdapter (main process only) to a logger nobody gave
a handler (neither trl/scripts/sft.py nor the Trainer configures `trl.*`), so Python's
last-resort handler writes the bare message to stderr."""

from __future__ import annotations

from typing import Any

from genact_cast.generator.dialects.facts import Facts

# python:3.12's image, as hf_watchdog's frames name the site-packages
_SITE = "/usr/local/lib/python3.12/site-packages"

# accelerate 1.11.0 accelerator.py:1922-1976 (prepare_model, FSDP1): the main process warns
# once per distinct (wrapped class, flat parameter FQNs) whose FlatParameter was upcast
# (not float32 and requires_grad), in FSDP.fsdp_modules order (the root first), then once more.
_FSDP1_EACH = (f"{_SITE}/accelerate/accelerator.py", 1968)
_FSDP1_AFTER = (f"{_SITE}/accelerate/accelerator.py", 1974)
# accelerate 1.11.0 utils/fsdp_utils.py:703-712 (fsdp2_prepare_model): one warning when mixed
# precision is on and model.dtype is not float32.
_FSDP2 = (f"{_SITE}/accelerate/utils/fsdp_utils.py", 710)

# transformers 4.57.1 modeling_utils.py:2449-2454: the model's __init__ checks the attention
# asked for (_check_and_adjust_attn_implementation with is_init_check=True, :2076) and, for
# flash_attention_2, warns of a config dtype that is neither float16 nor bfloat16; through
# logger.warning_once, whose record is made in utils/logging.py:328 (as real 4.57.1 logs
# print it: `[WARNING|logging.py:328] ... >> `torch_dtype` is deprecated!`).
FLASH_DTYPE_WHERE = "logging.py:328"


def flash_dtype(model_class: str) -> str:
    return (
        "Flash Attention 2 only supports torch.float16 and torch.bfloat16 dtypes, but the "
        f"current dype in {model_class} is torch.float32. You should run training or inference "
        "using Automatic Mixed-Precision via the `with torch.autocast(device_type="
        "'torch_device'):` decorator, or load the model with the `dtype` argument. Example: "
        '`model = AutoModel.from_pretrained("openai/whisper-tiny", attn_implementation='
        '"flash_attention_2", dtype=torch.float16)`'
    )


# torch 2.9.0 distributed/fsdp/fully_sharded_data_parallel.py:675-683 (set_state_dict_type,
# which FSDP.state_dict_type enters): a FutureWarning at every FSDP1 state-dict switch.
_STATE_DICT_TYPE = (f"{_SITE}/torch/distributed/fsdp/fully_sharded_data_parallel.py", 675)
STATE_DICT_TYPE = (
    "FSDP.state_dict_type() and FSDP.set_state_dict_type() are being deprecated. Please use "
    "APIs, get_state_dict() and set_state_dict(), which can support different parallelisms, "
    "FSDP1, FSDP2, DDP. API doc: https://pytorch.org/docs/stable/distributed.checkpoint.html"
    "#torch.distributed.checkpoint.state_dict.get_state_dict .Tutorial: "
    "https://pytorch.org/tutorials/recipes/distributed_checkpoint_recipe.html ."
)


def user_warning(where: tuple[str, int], message: str, category: str = "UserWarning") -> list[str]:
    """warnings.formatwarning's two lines: the call site and its source line."""
    path, lineno = where
    return [f"{path}:{lineno}: {category}: {message}", "  warnings.warn("]


def state_dict_type(facts: Facts) -> list[str]:
    """torch's FSDP1 deprecation warning, from every process on the terminal's node: the
    first `FSDP.state_dict_type` of a process warns (the default filter shows a location
    once; each process of a launch is new), and under accelerate 1.11.0's FSDP1 the first
    is a launch's first checkpoint save (Trainer.save_model -> Accelerator.get_state_dict,
    accelerator.py:3943; then save_fsdp_model/save_fsdp_optimizer, fsdp_utils.py:119/:243)
    or, resuming, its load (load_fsdp_model, fsdp_utils.py:177). Each process writes its
    two lines with one write, so they come whole, the first after the bar."""
    local = facts.gpus // max(facts.nodes, 1)
    return user_warning(_STATE_DICT_TYPE, STATE_DICT_TYPE, "FutureWarning") * local


def layer_fqns(config: dict[str, Any]) -> list[str]:
    """The parameter names of one decoder layer as FSDP's FlatParameter records them
    (named_modules order under the layer: the attributes in __init__ order), from the
    modeling files of transformers 4.57.1: attention q/k/v/o (Qwen2's q/k/v with biases,
    modeling_qwen2.py:134-137; Llama's four with config.attention_bias), Qwen3's and OLMo 2's
    q_norm/k_norm, the MLP or a MoE block (Mixtral's block_sparse_moe gate and experts' w1,
    w2, w3; Qwen3-MoE's mlp gate and experts' gate/up/down_proj), then the layer's norms
    (OLMo 2's post_attention_layernorm and post_feedforward_layernorm, no input norm)."""
    kind = str(config["model_type"])
    names: list[str] = []
    bias = kind == "qwen2" or bool(config.get("attention_bias"))
    for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
        names.append(f"self_attn.{proj}.weight")
        if bias and (kind != "qwen2" or proj != "o_proj"):
            names.append(f"self_attn.{proj}.bias")
    if kind in ("qwen3", "qwen3_moe", "olmo2"):
        names += ["self_attn.q_norm.weight", "self_attn.k_norm.weight"]
    if kind == "mixtral":
        names.append("block_sparse_moe.gate.weight")
        for e in range(int(config["num_local_experts"])):
            names += [f"block_sparse_moe.experts.{e}.{w}.weight" for w in ("w1", "w2", "w3")]
    elif kind == "qwen3_moe":
        names.append("mlp.gate.weight")
        for e in range(int(config["num_experts"])):
            names += [f"mlp.experts.{e}.{p}.weight" for p in ("gate_proj", "up_proj", "down_proj")]
    else:
        mlp_bias = bool(config.get("mlp_bias"))
        for proj in ("gate_proj", "up_proj", "down_proj"):
            names.append(f"mlp.{proj}.weight")
            if mlp_bias:
                names.append(f"mlp.{proj}.bias")
    if kind == "olmo2":
        names += ["post_attention_layernorm.weight", "post_feedforward_layernorm.weight"]
    else:
        names += ["input_layernorm.weight", "post_attention_layernorm.weight"]
    return names


def root_fqns(config: dict[str, Any]) -> list[str]:
    """The root unit's parameters (every one outside a decoder layer): the embedding, the
    final norm and an untied lm_head (a tied one is the embedding's tensor, which FSDP
    records once, as a shared parameter)."""
    names = ["model.embed_tokens.weight", "model.norm.weight"]
    if not bool(config.get("tie_word_embeddings")):
        names.append("lm_head.weight")
    return names


def decoder_layer_class(config: dict[str, Any], root_class: str) -> str:
    """The transformer layer class the auto wrap policy wraps (the model's
    _no_split_modules: LlamaDecoderLayer, Qwen3MoeDecoderLayer, ...)."""
    del config
    return root_class.removesuffix("ForCausalLM") + "DecoderLayer"


def upcast(
    facts: Facts, config: dict[str, Any] | None, root_class: str, *, fsdp2: bool, low: bool
) -> list[str]:
    """accelerate's upcast warnings in Accelerator.prepare (the Trainer's
    _inner_training_loop, before `***** Running training *****`), under `--bf16` (mixed
    precision bf16). `low`: the model was built in bfloat16 (from its config, or with a
    dtype asked for); from_pretrained without one loads float32 and nothing is upcast.
    FSDP1 upcasts trainable flat parameters only: a full model's units. Under PEFT the
    frozen layers are not, and the LoRA units (peft's wrap policy) hold adapters that PEFT
    autocasts to float32 (peft 0.17.1 autocast_adapter_dtype), except a sharded QLoRA's,
    which trl keeps in the storage dtype (not modelled: none is printed)."""
    if not low:
        return []
    if fsdp2:
        return user_warning(
            _FSDP2,
            "FSDP upcast of low precision parameters to fp32 (since mixed_precision != 'no') "
            "may affect the precision of model checkpoints.",
        )
    if facts.adapters or config is None:
        return []
    lines: list[str] = []
    units = [
        (root_class, root_fqns(config)),
        (decoder_layer_class(config, root_class), layer_fqns(config)),
    ]
    for name, fqns in units:
        lines += user_warning(
            _FSDP1_EACH,
            f"Upcasted low precision parameters in {name} because mixed precision turned on "
            f"in FSDP. Affects: {', '.join(fqns)}.",
        )
    lines += user_warning(
        _FSDP1_AFTER,
        "FSDP upcast of low precision parameters may affect the precision of model checkpoints.",
    )
    return lines
