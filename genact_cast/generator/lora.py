"""LoRA and QLoRA fine-tunes beside full fine-tunes: low-rank adapters on frozen weights.

Figures:
- LoRA (Hu et al. 2021) adds B·A of rank r beside each targeted matrix: r x (in + out)
  trainable parameters per matrix; targeting every linear layer of the blocks (q, k, v, o,
  gate, up, down), as QLoRA (Dettmers et al. 2023) found necessary to match full
  fine-tuning, gives a fraction of a percent of the model (Llama 3 8B, r 16: 41.9M, 0.52 %).
- Only the adapters train: their fp32 weights, gradients and Adam moments (16 bytes a
  parameter); the frozen weights stay bf16 (LoRA) or 4-bit NormalFloat with double
  quantization (QLoRA: 4 + 0.127 bits a parameter, section 3 of the paper), sharded by FSDP.
- FLOPs: the frozen weights need no weight gradients, so a token costs the forward (2N) and
  the activation gradients (2N), 4N instead of 6N. QLoRA dequantizes every weight before
  each use, which costs kernel time (lower MFU).
- Communication (FSDP): each block's frozen weights are still all-gathered for forward and
  backward (bf16; QLoRA's NF4 storage, about a quarter of that plus its constants: Answer.AI's
  FSDP-QLoRA), but only the adapters have gradients, so the reduce-scatter moves those alone
  (PEFT: frozen base parameters have requires_grad=False). See docs/realism.md.
- LR 1e-4 to 2e-4 (QLoRA paper, table 9: 2e-4 for 7-13B, 1e-4 for 33-65B).
- Checkpoints hold the adapters and their optimizer state only; the export merges LoRA into
  the bf16 weights (PEFT's merge_and_unload) or, for QLoRA, saves the adapter
  (adapter_model.safetensors, fp32) beside adapter_config.json.
"""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator import attention, moe, physics
from genact_cast.generator.catalog import Architecture
from genact_cast.generator.rng import Rng

METHODS = ("full", "lora", "qlora")
MAX_GPUS = 16  # LoRA runs on one node or two (how most 70B models are tuned)
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
ADAPTER_BYTES = 16  # fp32 weights (4) + gradients (4) + Adam moments (8)
CHECKPOINT_BYTES = 12  # fp32 weights + Adam moments: what a save holds per adapter parameter
# The optimizer state a save holds per adapter parameter: Adam's two fp32 moments (the adapters
# are fp32 already, so no master copy; the frozen weights have none: requires_grad=False).
OPTIMIZER_BYTES = 8
EXPORT_BYTES = 4  # adapter_model.safetensors keeps the fp32 adapters
ADAPTER_WEIGHT_BYTES = 4  # what FSDP gathers of an adapter: its fp32 weight
FROZEN_BYTES = {"lora": 2.0, "qlora": (4 + 0.127) / 8}  # bf16; NF4 with double quantization
MFU_RANGE = {"lora": (0.30, 0.42), "qlora": (0.15, 0.28)}
LEARNING_RATES = {"lora": (1e-4, 2e-4), "qlora": (1e-4, 2e-4)}
# r 16, alpha 32 on every linear layer (TRL's and PEFT's examples; the QLoRA paper used r 64,
# which puts 1-2 % of a model in its adapters): a fraction of a percent.
RANK = {"lora": 16, "qlora": 16}
# The seed's choice for a fine-tune, when --method is not given.
_ODDS = (("full", 0.5), ("lora", 0.3), ("qlora", 0.2))


class LoraPlan(NamedTuple):
    method: str  # "lora" or "qlora"
    rank: int
    alpha: int
    dropout: float
    trainable: float  # adapter parameters

    @property
    def frozen_bytes(self) -> float:
        return FROZEN_BYTES[self.method]

    @property
    def label(self) -> str:
        return "QLoRA" if self.method == "qlora" else "LoRA"


def choose_method(seed: int, kind: str, pinned: str | None, adapters: bool = True) -> str:
    """full, lora or qlora: pinned, or the seed's (its own draw: the run's others stay);
    always full where the framework trains no adapters (`adapters` False)."""
    roll = Rng(seed ^ 0x10FA).random()
    if kind != "sft" or (pinned is None and not adapters):
        return "full"
    if pinned is not None:
        return pinned
    for method, odds in _ODDS:
        if roll < odds:
            return method
        roll -= odds
    return METHODS[-1]


# Mixtral's experts in transformers 4.57.1 are MixtralBlockSparseTop2MLP modules whose
# projections are named w1 (gate), w3 (up) and w2 (down); every other family here names
# them gate_proj, up_proj and down_proj.
_MIXTRAL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "w1", "w3", "w2")


def targets(arch: Architecture) -> tuple[str, ...]:
    """The module names a recipe targets to adapt every linear layer of the blocks."""
    return targets_named(arch.name)


def targets_named(name: str) -> tuple[str, ...]:
    """`targets` by the architecture's catalog name."""
    return _MIXTRAL_TARGETS if name.startswith("Mixtral") else TARGETS


def why_no_adapters(arch: Architecture) -> str | None:
    """Why adapters are not counted here for `arch`, if they are not: DeepSeek-V3's
    multi-latent attention has no q/k/v/o projections, and its first layers are dense MLPs
    of another width than its experts."""
    if arch.moe and moe.moe_layers(arch) != arch.layers:
        return f"{arch.name}'s attention and dense layers are not the q/k/v/o and MLPs counted here"
    return None


def trainable(arch: Architecture, rank: int) -> float:
    """r x (in + out) for each targeted matrix of each block; a mixture of experts adapts
    each expert's gate, up and down projections (and its shared experts'), as PEFT counts
    the per-expert Linear modules it matches and torchtune's LoRAGroupedExperts holds
    lora_{gate,up,down}_{a,b} per expert (torchtune/modules/moe/experts.py); routers are
    not targeted."""
    d, q, kv, ffn = arch.hidden, arch.heads * arch.head_dim, arch.kv_heads * arch.head_dim, arch.ffn
    mlps = arch.experts + arch.shared if arch.moe else 1
    per_layer = (d + q) + 2 * (d + kv) + (q + d) + mlps * (2 * (d + ffn) + (ffn + d))
    return float(rank * per_layer * arch.layers)


def block_linears(arch: Architecture) -> list[tuple[int, int]]:
    """(in, out) of each Linear of one block the adapters target: q, k, v, o, and each MLP's
    gate, up and down (every expert's and shared expert's of a mixture of experts)."""
    d, q, kv, ffn = arch.hidden, arch.heads * arch.head_dim, arch.kv_heads * arch.head_dim, arch.ffn
    mlps = arch.experts + arch.shared if arch.moe else 1
    return [(d, q), (d, kv), (d, kv), (q, d)] + [(d, ffn), (d, ffn), (ffn, d)] * mlps


def block_shapes(arch: Architecture, rank: int) -> list[tuple[int, int]]:
    """(rows, columns) of each adapter matrix of one block, as `trainable` counts them:
    lora_A (r x in) and lora_B (out x r) of every targeted Linear (PEFT's layer shapes)."""
    return [shape for into, out in block_linears(arch) for shape in ((rank, into), (out, rank))]


def plan(arch: Architecture, method: str) -> LoraPlan | None:
    if method == "full":
        return None
    rank = RANK[method]
    alpha = 2 * rank
    dropout = 0.05
    return LoraPlan(method, rank, alpha, dropout, trainable(arch, rank))


def state_bytes(arch: Architecture, method: str, gpus: int) -> float:
    """Frozen weights and the adapters' training state, sharded over the GPUs (FSDP)."""
    adapters = ADAPTER_BYTES * trainable(arch, RANK[method])
    return (FROZEN_BYTES[method] * arch.params + adapters) / gpus


def flops_per_token(arch: Architecture, seq: int) -> float:
    """4N (no weight gradients for frozen weights) plus attention's 12·L·H·Q·s (each layer
    over the positions it attends to); N the active parameters of a mixture of experts."""
    return 4 * arch.active_params + attention.flops_per_token(arch, seq)


def learning_rate(arch: Architecture, method: str) -> float:
    low, high = LEARNING_RATES[method]
    return high if arch.params < 20e9 else low


def flops(arch: Architecture, seq: int, method: str) -> float:
    """Training FLOPs per token of a run: LoRA's 4N, or 6 x the active parameters."""
    if method != "full":
        return flops_per_token(arch, seq)
    return physics.flops_per_token(arch.active_params, attention.flops_per_token(arch, seq))


def mfu_range(arch: Architecture, method: str) -> tuple[float, float]:
    """A method's steady MFU; adapters on a mixture of experts stay within the MoE band
    (20-35 %: their grouped expert GEMMs are the same; review-realism5 WARN 15 saw 37.7 %)."""
    if method == "full":
        return moe.mfu_range(arch)
    low, high = MFU_RANGE[method]
    return (low, min(high, moe.MFU_RANGE[1])) if arch.moe else (low, high)
