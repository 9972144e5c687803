"""The model the Trainer holds, as transformers 4.57.1 builds it from the checkpoint's
config.json: for a multimodal checkpoint (`...ForConditionalGeneration`) the vision tower
and projector too, which `num_parameters` counts (modeling_utils.py:1690-1740: every
parameter but nn.Embedding weights when excluding embeddings) and whose Linear layers a
LoRA target list matches by module-name suffix (peft 0.17.1 tuners_utils.py:1261,
check_target_module_exists: `.` + the target at the end of the module's name)."""

from __future__ import annotations

from typing import Any, NamedTuple

from genact_cast.generator import moe, physics
from genact_cast.generator.catalog import Architecture, architectures
from genact_cast.generator.dialects import parameters as counts
from genact_cast.generator.dialects.facts import Facts, exact_parameters
from genact_cast.generator.dialects.hf_config import hub_config
from genact_cast.generator.lora import TARGETS


class Siglip(NamedTuple):
    """A SigLIP vision tower (siglip/modeling_siglip.py at 4.57.1) and Gemma 3's projector
    (gemma3/modeling_gemma3.py:693-706): its config.json's `vision_config`."""

    hidden: int
    ffn: int
    layers: int
    image: int
    patch: int

    @property
    def positions(self) -> int:
        """position_embedding, an nn.Embedding (modeling_siglip.py:232-234)."""
        return (self.image // self.patch) ** 2 * self.hidden

    def parameters(self, text_hidden: int) -> int:
        h = self.hidden
        patch = 3 * self.patch * self.patch * h + h  # Conv2d(3, h, patch), with its bias
        # layer_norm1/2 (weight, bias), q/k/v/out_proj and fc1/fc2, all with biases
        layer = 2 * 2 * h + 4 * (h * h + h) + (h * self.ffn + self.ffn) + (self.ffn * h + h)
        post = 2 * h  # post_layernorm; vision_use_head false: no pooling head
        projector = h * text_hidden + h  # mm_input_projection_weight, mm_soft_emb_norm
        return patch + self.positions + layer * self.layers + post + projector

    @property
    def tensors(self) -> int:
        """The tower's and projector's parameter tensors: the patch conv's two, the position
        embedding, sixteen a layer, the post-norm's two and the projector's two."""
        return 2 + 1 + 16 * self.layers + 2 + 2

    def adapters(self, rank: int) -> int:
        """LoRA's A and B on each attention projection whose name a target ends: q_proj,
        k_proj and v_proj (h to h); out_proj, fc1 and fc2 match none of TARGETS."""
        names = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")
        matched = sum(1 for name in names[:4] if name in TARGETS)
        return self.layers * matched * rank * (self.hidden + self.hidden)


# google/gemma-3-4b-it, -12b-it and -27b-it config.json (huggingface.co/google/<name>/blob/
# main/config.json), "vision_config": {"hidden_size": 1152, "image_size": 896,
# "intermediate_size": 4304, "model_type": "siglip_vision_model", "num_attention_heads": 16,
# "num_hidden_layers": 27, "patch_size": 14, "vision_use_head": false}.
VISION = (("Gemma-3", Siglip(hidden=1152, ffn=4304, layers=27, image=896, patch=14)),)


def vision(facts: Facts) -> Siglip | None:
    return _tower(facts.arch or facts.model_name)


def _tower(name: str) -> Siglip | None:
    return next((tower for prefix, tower in VISION if name.startswith(prefix)), None)


def adapters(facts: Facts) -> int:
    """peft's trainable count: the language model's adapters and the vision tower's."""
    tower = vision(facts)
    extra = tower.adapters(facts.lora_rank) if tower is not None and facts.adapters else 0
    return int(facts.adapters) + extra


def embedding_rows(facts: Facts) -> int:
    """The token embedding's rows: config.json's vocab_size (OLMo 2 pads its tokenizer's
    100278 to 100352), which the plan's count of the tokenizer leaves out."""
    config = _config(facts)
    return facts.vocab if config is None else int(config["vocab_size"])


def language_model(facts: Facts) -> int:
    """The language model's parameters as transformers 4.57.1 builds them from the printed
    config.json: the embedding (config.json's vocab_size rows: OLMo 2's padded 100352), an
    untied output layer, every decoder layer's tensors (layer_shapes: MoE routers and
    q/k norms included) and the final norm; the catalogue's count where no config is
    tabled. Mixtral-8x7B 46,702,792,704 and Qwen3-30B-A3B 30,532,122,624, as released."""
    config = _config(facts)
    return int(facts.params) if config is None else _language_model(config)


def _language_model(config: dict[str, Any]) -> int:
    hidden = int(config["hidden_size"])
    embedding = int(config["vocab_size"]) * hidden
    output = 0 if bool(config.get("tie_word_embeddings")) else embedding
    layer = sum(numel for numel, _ in layer_shapes(config))
    return embedding + output + int(config["num_hidden_layers"]) * layer + hidden


def released_parameters(arch: Architecture) -> int:
    """The released checkpoint's exact count, as the dialects print it for the same run
    (the language model of its config.json where tabled, else the state dict of its shape,
    as facts_for counts it; a multimodal checkpoint's vision tower too, which
    from_pretrained builds): what PEFT's print_trainable_parameters adds the adapters to
    for its `all params` (peft 0.17.1 peft_model.py get_nb_trainable_parameters: every
    parameter's numel, a 4-bit one's unpacked)."""
    a = arch
    config = hub_config(a)
    if config is not None:
        language = _language_model(config)
    elif a.ffn and not a.experts:
        language = counts.hf_state_dict(counts.of_architecture(a))
    else:
        language = exact_parameters(a.params, a.layers, a.hidden, a.heads, a.kv_heads, a.vocab)[0]
    tower = _tower(a.name)
    return language + (tower.parameters(a.hidden) if tower is not None else 0)


def parameters(facts: Facts) -> int:
    """Every parameter of the model shown, adapters included (num_parameters())."""
    tower = vision(facts)
    extra = tower.parameters(facts.hidden) if tower is not None else 0
    return language_model(facts) + extra + adapters(facts)


def non_embedding(facts: Facts) -> int:
    """num_parameters(exclude_embeddings=True): without the token embedding (a tied output
    layer shares it) nor the vision tower's position embedding."""
    tower = vision(facts)
    positions = tower.positions if tower is not None else 0
    return parameters(facts) - embedding_rows(facts) * facts.hidden - positions


def built(facts: Facts) -> int:
    """The parameters from_pretrained builds, before PEFT adds its adapters."""
    return parameters(facts) - adapters(facts)


def extra_tensors(facts: Facts) -> int:
    """State-dict tensors beyond the language model's."""
    tower = vision(facts)
    return tower.tensors if tower is not None else 0


def trainable(facts: Facts) -> int:
    """Parameters with requires_grad: the adapters under PEFT, else the whole model."""
    return adapters(facts) if facts.adapters else parameters(facts)


def _config(facts: Facts) -> dict[str, Any] | None:
    name = facts.arch or facts.model_name
    arch = next((a for a in architectures() if a.name == name), None)
    return None if arch is None else hub_config(arch)


def config_of(facts: Facts) -> dict[str, Any] | None:
    """The printed config.json of the run's model, where its family is tabled."""
    return _config(facts)


def adapted_linears(config: dict[str, Any]) -> list[tuple[int, int]]:
    """(in, out) of every Linear a LoRA target list matches, over the whole model: q, k, v
    and o, and each MLP's gate, up and down (every expert's in a mixture of experts; the
    router matches none), as lora.trainable counts them."""
    h = int(config["hidden_size"])
    heads, kv = int(config["num_attention_heads"]), int(config["num_key_value_heads"])
    head_dim = int(config.get("head_dim") or h // heads)
    q, k = heads * head_dim, kv * head_dim
    if "num_local_experts" in config:
        mlps, ffn = int(config["num_local_experts"]), int(config["intermediate_size"])
    elif "num_experts" in config:
        mlps, ffn = int(config["num_experts"]), int(config["moe_intermediate_size"])
    else:
        mlps, ffn = 1, int(config["intermediate_size"])
    layer = [(h, q), (h, k), (h, k), (q, h)] + [(h, ffn), (h, ffn), (ffn, h)] * mlps
    return layer * int(config["num_hidden_layers"])


def layer_shapes(config: dict[str, Any]) -> list[tuple[int, bool]]:
    """(numel, whether a Linear's weight) of one decoder layer's parameters, as transformers
    4.57.1 builds the layer from the printed config: q/k/v/o projections (q, k and v with
    biases where the config says attention_bias, or always for Qwen2:
    models/qwen2/modeling_qwen2.py:134-136), the MLP (or a MoE block's router and experts:
    Mixtral's num_local_experts, Qwen3-MoE's num_experts of moe_intermediate_size), the two
    RMSNorms, and Qwen3's per-head q_norm and k_norm (head_dim each) or OLMo 2's over the
    whole projections (models/olmo2/modeling_olmo2.py:149-150: heads x head_dim and kv heads
    x head_dim). The base weights alone: no LoRA adapter."""
    h = int(config["hidden_size"])
    heads, kv = int(config["num_attention_heads"]), int(config["num_key_value_heads"])
    head_dim = int(config.get("head_dim") or h // heads)
    kind = str(config["model_type"])
    q, k = heads * head_dim, kv * head_dim
    shapes = [(q * h, True), (k * h, True), (k * h, True), (h * q, True)]
    if kind == "qwen2" or bool(config.get("attention_bias")):
        shapes += [(q, False), (k, False), (k, False)]
    if "num_local_experts" in config:
        experts, ffn = int(config["num_local_experts"]), int(config["intermediate_size"])
    elif "num_experts" in config:
        experts, ffn = int(config["num_experts"]), int(config["moe_intermediate_size"])
    else:
        experts, ffn = 0, int(config["intermediate_size"])
    if experts:
        shapes += [(experts * h, True)] + [(ffn * h, True)] * 3 * experts
    else:
        shapes += [(ffn * h, True)] * 3
    shapes += [(h, False), (h, False)]
    if kind in ("qwen3", "qwen3_moe"):
        shapes += [(head_dim, False), (head_dim, False)]
    if kind == "olmo2":
        shapes += [(q, False), (k, False)]
    return shapes


def fsdp1_rank0_trainable(facts: Facts) -> int:
    """World rank 0's trainable elements under FSDP1: each unit's FlatParameter split in
    `dp` chunks (FlatParamHandle's torch.chunk: the first ceil(N / dp) elements on rank 0,
    the padding at the end). A full fine-tune's units are the decoder layers (the auto wrap
    policy's transformer layer class) and the root (embeddings, final norm, output layer,
    a vision tower); under PEFT each trainable LoRA Linear is a unit of its own
    (fsdp_numels), every adapter weight r x a multiple of 128 elements, which the ranks
    divide evenly."""
    n = facts.dp
    whole = trainable(facts)
    config = _config(facts)
    if facts.adapters or config is None:
        return -(-whole // n)
    layer = sum(numel for numel, _ in layer_shapes(config))
    layers = int(config["num_hidden_layers"])
    rest = whole - layer * layers
    return layers * -(-layer // n) + -(-rest // n)


def fsdp_numels(facts: Facts, op: str) -> tuple[int, int] | None:
    """(NumelIn, NumelOut) of FSDP1's all-gather or reduce-scatter of one decoder layer's
    flat parameter over the data-parallel group: the layer's numel padded to a multiple of
    the group (FlatParamHandle), from the printed config. Under PEFT the Trainer installs
    peft's fsdp_auto_wrap_policy (trainer.py:5577-5583 at 4.57.1): each trainable LoRA
    Linear is a unit of its own and the layer's flat parameter is frozen, so it is gathered
    (for QLoRA each Linear's 4-bit weight packed in bf16 storage, a quarter of its elements:
    bitsandbytes' quantize_4bit allocates (n + 1) // (2 x the storage's bytes) of them,
    index:4494189925; biases and norms whole) and never reduce-scattered; a
    reduce-scatter is then of the first gradient backward reaches, the last layer's
    down_proj lora_B (hidden x r). None where the config is not tabled, under tensor
    parallelism (FSDP2) or for another collective."""
    config = _config(facts)
    n = facts.dp
    if config is None or facts.tp > 1 or n < 2:
        return None
    if op not in ("_ALLGATHER_BASE", "_REDUCE_SCATTER_BASE"):
        return None
    if facts.adapters and op == "_REDUCE_SCATTER_BASE":
        total = facts.hidden * facts.lora_rank
    else:
        packed = facts.method == "qlora"
        total = sum(
            (numel + 1) // 4 if packed and linear else numel
            for numel, linear in layer_shapes(config)
        )
    shard = -(-total // n)
    return (shard, shard * n) if op == "_ALLGATHER_BASE" else (shard * n, shard)


def saved_shards(facts: Facts) -> int:
    """The files save_pretrained splits the full model's weights into at its 5GB default
    (max_shard_size="5GB", modeling_utils.py:3778 at 4.57.1; tensors packed in order, a
    shard closed when the next would pass the limit): the same packing the run's export
    uses (RunPlan.export_shards), so a checkpoint and the final save_model of one model
    name one count (review-tt9 fault 8: 13 then 14)."""
    arch = next(a for a in architectures() if a.name == facts.arch)
    if arch.moe:
        return len(moe.safetensors_shards(arch))
    return len(
        physics.safetensors_shards(
            arch.params, arch.layers, arch.hidden, arch.heads, arch.kv_heads, arch.vocab
        )
    )
