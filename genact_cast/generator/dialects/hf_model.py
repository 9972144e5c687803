"""The model the Trainer holds, as transformers 4.57.1 builds it from the checkpoint's
config.json: for a multimodal checkpoint (`...ForConditionalGeneration`) the vision tower
and projector too, which `num_parameters` counts (modeling_utils.py:1690-1740: every
parameter but nn.Embedding weights when excluding embeddings) and whose Linear layers a
LoRA target list matches by module-name suffix (peft 0.17.1 tuners_utils.py:1261,
check_target_module_exists: `.` + the target at the end of the module's name)."""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator.dialects.facts import Facts
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
    name = facts.arch or facts.model_name
    return next((tower for prefix, tower in VISION if name.startswith(prefix)), None)


def adapters(facts: Facts) -> int:
    """peft's trainable count: the language model's adapters and the vision tower's."""
    tower = vision(facts)
    extra = tower.adapters(facts.lora_rank) if tower is not None and facts.adapters else 0
    return int(facts.adapters) + extra


def parameters(facts: Facts) -> int:
    """Every parameter of the model shown, adapters included (num_parameters())."""
    tower = vision(facts)
    extra = tower.parameters(facts.hidden) if tower is not None else 0
    return int(facts.params) + extra + adapters(facts)


def non_embedding(facts: Facts) -> int:
    """num_parameters(exclude_embeddings=True): without the token embedding (a tied output
    layer shares it) nor the vision tower's position embedding."""
    tower = vision(facts)
    positions = tower.positions if tower is not None else 0
    return parameters(facts) - facts.vocab * facts.hidden - positions


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
