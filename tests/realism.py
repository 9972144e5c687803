"""The relations of REALISM.md and issue 9, checked on what a cast shows.

Every check reads a `cast_text.Run` (the cast's text, parsed) and returns the
violations it finds, each quoting the offending text. Reference figures are copied
from REALISM.md, not imported from the generator, so that a wrong catalogue entry
is caught rather than trusted.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tests.cast_text import Failure, Frame, Run, gigabytes, number, read_run, seconds_of, tokens
from tests.restart_budgets import budget_faults

# REALISM.md: hardware.


@dataclass(frozen=True)
class Gpu:
    peak: float  # dense bf16 TFLOP/s
    capacity_gib: float
    watts: tuple[int, int]
    celsius: tuple[int, int]
    ring: tuple[float, float]  # NVLink bus bandwidth of an all-gather or reduce-scatter, GB/s
    since: date
    ib: tuple[float, float]  # InfiniBand achieved by one NIC, GB/s (one a GPU, 8 a node)
    hbm: float = 0.0  # memory bandwidth, GB/s (the datasheet's)
    all_reduce: tuple[float, float] = (0.0, 0.0)  # NVLink (SHARP where the switch has it)
    all_to_all: tuple[float, float] = (0.0, 0.0)  # NVLink, point to point to every peer


# InfiniBand between nodes, one NIC a GPU: DGX A100 has 8 single-port ConnectX-6 HDR
# 200 Gb/s (25 GB/s, behind PCIe Gen4; NVIDIA DGX A100 datasheet); DGX H100/H200 and
# DGX B200 8 single-port ConnectX-7 NDR 400 Gb/s (50 GB/s; NVIDIA DGX BasePOD reference
# architecture, "Core Components"). Achieved: 92-96 % of the line rate.
HDR = (23.0, 24.0)
NDR = (46.0, 48.0)
# Capacity: what torch reports, cudaGetDeviceProperties().totalGlobalMem in GiB, as a training
# log computes "of N GiB" and torchtitan's `CUDA capacity: ... with N GiB memory` prints it
# (torchtitan_release.TORCH_TOTAL_GIB, real logs in tests/data/real_logs/cuda_capacity.tsv):
# an A100-SXM4-80GB is 79.25, a B200 178.35 (review-realism9 F10: the genact log showed
# nvidia-smi's 80.0 and 179.1 for them, CUDA's for H100 and H200, so dialects disagreed).
# HBM: NVIDIA's datasheets, A100 80GB SXM 2,039 GB/s, H100 SXM 3.35 TB/s, H200 4.8 TB/s,
# B200 8 TB/s (DGX B200's 64 TB/s over 8).
# NVLink bus bandwidth by operation, large messages, 8 GPUs of a node (nccl-tests' busbw):
# - all-gather, reduce-scatter: rings, at most NCCL's own NVLink figure (NVIDIA/nccl
#   src/graph/topo.h: A100 12 x 20.0, H100 18 x 20.6 = 370.8, B200 18 x 40.1 = 721.8; "maxBw
#   721.8" on B200, nccl#1807); H100 measured 350-370 (nccl-tests#212, #326; nccl#1281),
#   A100 ~200-208 (nccl-tests#149, #178);
# - all-reduce: NVLink SHARP on Hopper/Blackwell, H100 ~480 (nccl-tests#212), H200 475
#   (nccl-tests#272), B200 830+ (nccl#1807); A100 has none: its rings';
# - all-to-all: point-to-point sends, below the rings (A100 sendrecv 195 GB/s where its rings
#   reach 200-240: li-plus/playground cuda/nccl.md).
# The review that found the old 480 GB/s all-gathers (review-realism15 C1) held them to these.
GPUS = {
    "A100": Gpu(312, 79.25, (350, 400), (55, 75), (200, 240), date(2020, 7, 1), HDR, 2039,
                (200, 240), (165, 210)),
    "H100": Gpu(989, 79.18, (550, 700), (50, 75), (340, 371), date(2022, 10, 1), NDR, 3350,
                (450, 480), (285, 335)),
    "H200": Gpu(989, 139.81, (550, 700), (50, 75), (340, 371), date(2024, 7, 1), NDR, 4800,
                (450, 480), (285, 335)),
    "B200": Gpu(2250, 178.35, (800, 1000), (50, 75), (650, 722), date(2025, 1, 1), NDR, 8000,
                (780, 850), (550, 650)),
}  # fmt: skip
# A ring all-gather or reduce-scatter across nodes moves at its rails' sum (one NIC a GPU of
# the group in each node; nccl#412: more NICs, more bandwidth, up to NVLink's), less what a
# ring loses as it spans nodes: 2 nodes at the rails' rate, 32 nodes of 8 H100 on 8 x 400 Gb/s
# at 200 GB/s for a 2 GB all-gather (nccl#1218, 0.53 of 8 x 47), log-linear between.
RING_SHARE = ((2, 1.0), (32, 0.53))


def ring_share(nodes: int) -> float:
    (near, full), (far, least) = RING_SHARE
    if nodes <= near:
        return full
    if nodes >= far:
        return least
    span = math.log2(far) - math.log2(near)
    return full + (least - full) * (math.log2(nodes) - math.log2(near)) / span


def shard_link(s: Setup) -> tuple[float, float]:
    """FSDP's gathers and reduce-scatters: NVLink's rings inside a node; across nodes the
    shard group's rails (8 / TP a node), each NIC at its achieved rate."""
    group, tp = s.shard, s.tp
    if s.nodes == 1 or group * tp <= 8:
        return s.gpu.ring
    rails = max(1, 8 // tp)
    nodes = group * tp // 8
    share = ring_share(nodes)
    return (
        min(s.gpu.ring[0], rails * s.gpu.ib[0]) * share,
        min(s.gpu.ring[1], rails * s.gpu.ib[1]) * share,
    )


def replica_link(s: Setup) -> tuple[float, float]:
    """HSDP's all-reduce across replicas: a tree over the replica group's rails (one NIC a
    node where a shard group fills a node: nccl-tests#130, one GPU a node is the NIC's rate)."""
    stride = s.shard * s.tp
    if s.nodes == 1:
        return s.gpu.all_reduce
    rails = max(1, 8 // stride)
    return (
        min(s.gpu.all_reduce[0], rails * s.gpu.ib[0]),
        min(s.gpu.all_reduce[1], rails * s.gpu.ib[1]),
    )


def experts_link(s: Setup) -> tuple[float, float]:
    """EP's all-to-all: NVLink's point-to-point inside a node; across N nodes N/(N-1) x one
    NIC, which an all-to-all cannot aggregate (nccl-tests#130, #267)."""
    if s.ep <= 8:
        return s.gpu.all_to_all
    nodes = math.ceil(s.ep / 8)
    return (nodes / (nodes - 1) * s.gpu.ib[0], nodes / (nodes - 1) * s.gpu.ib[1])


# REALISM.md: models (params, layers, hidden, heads, kv heads, vocab).
MODELS = {
    "Llama-2-7B": (6.74e9, 32, 4096, 32, 32, 32000),
    "Llama-2-13B": (13.0e9, 40, 5120, 40, 40, 32000),
    "Llama-3-8B": (8.03e9, 32, 4096, 32, 8, 128256),
    "Llama-3-70B": (70.6e9, 80, 8192, 64, 8, 128256),
    "Mistral-7B": (7.2e9, 32, 4096, 32, 8, 32768),
    "Qwen2-7B": (7.6e9, 28, 3584, 28, 4, 152064),
    # Models of 2025-26 (REALISM.md's table; each config.json as cited in models.tsv).
    "Llama-3.1-8B": (8.03e9, 32, 4096, 32, 8, 128256),
    "Llama-3.1-70B": (70.6e9, 80, 8192, 64, 8, 128256),
    "Llama-3.1-405B": (405.9e9, 126, 16384, 128, 8, 128256),
    "Llama-3.2-1B": (1.24e9, 16, 2048, 32, 8, 128256),
    "Llama-3.2-3B": (3.21e9, 28, 3072, 24, 8, 128256),
    "Qwen2.5-7B": (7.61e9, 28, 3584, 28, 4, 152064),
    "Qwen2.5-14B": (14.7e9, 48, 5120, 40, 8, 152064),
    "Qwen2.5-72B": (72.7e9, 80, 8192, 64, 8, 152064),
    "Qwen3-8B": (8.2e9, 36, 4096, 32, 8, 151936),
    "Qwen3-32B": (32.8e9, 64, 5120, 64, 8, 151936),
    "OLMo-2-7B": (7.3e9, 32, 4096, 32, 32, 100278),
    "OLMo-2-13B": (13.7e9, 40, 5120, 40, 40, 100278),
    "OLMo-2-32B": (32.2e9, 64, 5120, 40, 8, 100278),
    "Gemma-3-12B": (12.2e9, 48, 3840, 16, 8, 262208),
    "Gemma-3-27B": (27.4e9, 62, 5376, 32, 16, 262208),
    "Mixtral-8x7B": (46.7e9, 32, 4096, 32, 8, 32000),
    "Qwen3-30B-A3B": (30.5e9, 48, 2048, 32, 4, 151936),
    "Llama-4-Scout-17B-16E": (109e9, 48, 5120, 40, 8, 202048),
    "DeepSeek-V3": (671e9, 61, 7168, 128, 128, 129280),
}
# MMLU (5-shot) of each released base model, from its card or report (model_scores.tsv
# cites each): a run that starts from it starts there and moves a point or two.
PUBLISHED_MMLU = {
    "Llama-2-7B": 0.453, "Llama-2-13B": 0.548, "Llama-3-8B": 0.666, "Llama-3-70B": 0.795,
    "Mistral-7B": 0.601, "Qwen2-7B": 0.703, "Llama-3.1-8B": 0.667,
    "Llama-3.1-70B": 0.793, "Llama-3.1-405B": 0.852, "Llama-3.2-1B": 0.322,
    "Llama-3.2-3B": 0.580, "Qwen2.5-7B": 0.742, "Qwen2.5-14B": 0.797, "Qwen2.5-72B": 0.861,
    "Qwen3-8B": 0.769, "Qwen3-32B": 0.836, "Qwen3-30B-A3B": 0.814, "OLMo-2-7B": 0.637,
    "OLMo-2-13B": 0.675, "OLMo-2-32B": 0.749, "Gemma-3-12B": 0.745, "Gemma-3-27B": 0.786,
    "Mixtral-8x7B": 0.706, "Llama-4-Scout-17B-16E": 0.796, "DeepSeek-V3": 0.871,
}  # fmt: skip
# GSM8K, MATH and HumanEval of released base models (model_scores.tsv cites each: Llama-2
# paper Tables 21 and 25, Mistral 7B and Mixtral papers, Qwen2 and Qwen2.5 reports,
# DeepSeek-V3 report), which a math or code continued pre-training starts from; and the
# domain each belongs to.
PUBLISHED_DOMAIN = {
    ("Llama-2-7B", "GSM8K"): 0.146, ("Llama-2-7B", "MATH"): 0.025,
    ("Llama-2-7B", "HumanEval"): 0.128, ("Llama-2-13B", "GSM8K"): 0.287,
    ("Llama-2-13B", "MATH"): 0.039, ("Llama-2-13B", "HumanEval"): 0.183,
    ("Mistral-7B", "GSM8K"): 0.522, ("Mistral-7B", "MATH"): 0.131,
    ("Mistral-7B", "HumanEval"): 0.305, ("Mixtral-8x7B", "GSM8K"): 0.744,
    ("Mixtral-8x7B", "MATH"): 0.284, ("Mixtral-8x7B", "HumanEval"): 0.402,
    ("Qwen2-7B", "GSM8K"): 0.799, ("Qwen2-7B", "MATH"): 0.442, ("Qwen2-7B", "HumanEval"): 0.512,
    ("Qwen2.5-7B", "GSM8K"): 0.854, ("Qwen2.5-7B", "MATH"): 0.498,
    ("Qwen2.5-7B", "HumanEval"): 0.579, ("Qwen2.5-14B", "GSM8K"): 0.902,
    ("Qwen2.5-14B", "MATH"): 0.556, ("Qwen2.5-14B", "HumanEval"): 0.567,
    ("Qwen2.5-72B", "GSM8K"): 0.915, ("Qwen2.5-72B", "MATH"): 0.621,
    ("Qwen2.5-72B", "HumanEval"): 0.591, ("DeepSeek-V3", "GSM8K"): 0.893,
    ("DeepSeek-V3", "MATH"): 0.616, ("DeepSeek-V3", "HumanEval"): 0.652,
    ("OLMo-2-7B", "GSM8K"): 0.675, ("OLMo-2-13B", "GSM8K"): 0.751,  # OLMo-2-1124 cards
    # Qwen3 report (arXiv 2505.09388), Tables 4-6, base models, 4-shot CoT.
    ("Qwen3-8B", "GSM8K"): 0.8984, ("Qwen3-8B", "MATH"): 0.6080,
    ("Qwen3-32B", "GSM8K"): 0.9340, ("Qwen3-32B", "MATH"): 0.6162,
    ("Qwen3-30B-A3B", "GSM8K"): 0.9181, ("Qwen3-30B-A3B", "MATH"): 0.5904,
    # Gemma 3 PT card: GSM8K 8-shot, MATH 4-shot.
    ("Gemma-3-12B", "GSM8K"): 0.710, ("Gemma-3-12B", "MATH"): 0.433,
    ("Gemma-3-27B", "GSM8K"): 0.826, ("Gemma-3-27B", "MATH"): 0.500,
    # Llama 4 model card, "Pre-trained models": MATH 4-shot em_maj1@1.
    ("Llama-3.1-70B", "MATH"): 0.416, ("Llama-3.1-405B", "MATH"): 0.535,
    ("Llama-4-Scout-17B-16E", "MATH"): 0.503,
}  # fmt: skip
# OLMo 2's pre-training recipe: (global batch in sequences, peak LR, warm-up steps), from
# allenai/OLMo configs/official-1124/OLMo2-{7B,13B}-stage1.yaml and allenai/OLMo-core
# src/scripts/official/OLMo2/OLMo-2-0325-32B-train.py; z-loss 1e-5 in all three.
OLMO2_RECIPE = {"OLMo-2-7B": (1024, 3e-4, 2000), "OLMo-2-13B": (2048, 3e-4, 1000),
                "OLMo-2-32B": (2048, 6e-4, 2000)}  # fmt: skip
# HellaSwag and ARC-Challenge where a card or paper publishes them: Mixtral paper (arXiv
# 2401.04088), Table 2: 84.4, 59.7; Gemma 3 PT cards: HellaSwag 10-shot 84.2 / 85.6, ARC-c
# 25-shot 68.9 / 70.6 (12B / 27B); DeepSeek-V3 report (arXiv 2412.19437), Table 3:
# HellaSwag 10-shot 88.9.
PUBLISHED_COMMONSENSE = {
    ("Mixtral-8x7B", "HellaSwag"): 0.844, ("Mixtral-8x7B", "ARC-c"): 0.597,
    ("Gemma-3-12B", "HellaSwag"): 0.842, ("Gemma-3-12B", "ARC-c"): 0.689,
    ("Gemma-3-27B", "HellaSwag"): 0.856, ("Gemma-3-27B", "ARC-c"): 0.706,
    ("DeepSeek-V3", "HellaSwag"): 0.889,
}  # fmt: skip
DOMAIN_METRICS = {"GSM8K": "math", "MATH": "math", "HumanEval": "code"}
# Mixtures of experts: (active params, routed-expert params, experts, top-k, MoE layers),
# from each config.json and card (models.tsv cites them): Mixtral paper (12.9B active of
# 46.7B), Qwen3 report (3.3B of 30.5B), Llama 4 Scout card (17B of 109B), DeepSeek-V3
# report (37B of 671B; first 3 of 61 layers dense). Routed = layers x experts x 3 x hidden
# x moe_intermediate_size.
MOE = {
    "Mixtral-8x7B": (12.9e9, 45.1e9, 8, 2, 32),
    "Qwen3-30B-A3B": (3.3e9, 29.0e9, 128, 8, 48),
    "Llama-4-Scout-17B-16E": (17e9, 96.6e9, 16, 1, 48),
    "DeepSeek-V3": (37e9, 653.9e9, 256, 8, 58),
}
MOE_MFU = (0.20, 0.35)  # REALISM.md: MoE MFU 20-35 %
# Routers that limit the nodes one token reaches: DeepSeek-V3, 4 (report 2.1.2, "node-limited
# routing"; config.json n_group 8, topk_group 4). Qwen3-30B-A3B's config.json has
# num_experts_per_tok 8 and no group limit; Mixtral and Llama 4 route plain top-k.
NODE_LIMITED = {"DeepSeek-V3": 4}
# What a block keeps per token for its backward (tests/test_moe.py explains the tensors):
# each model's (hidden, routed experts, top-k, shared experts, expert width), from its
# config.json (models.tsv cites them).
MOE_TENSORS = {
    "Mixtral-8x7B": (4096, 8, 2, 0, 14336),
    "Qwen3-30B-A3B": (2048, 128, 8, 0, 768),
    "Llama-4-Scout-17B-16E": (5120, 16, 1, 1, 8192),
    "DeepSeek-V3": (7168, 256, 8, 1, 2048),
}


def dualpipe_bubble(pp: int, micro_batches: int) -> float:
    """DeepSeek-V3's DualPipe (arXiv 2412.19437, Table 2): (PP/2 - 1)(F&B + B - 3W) idle
    beside m(F + B) of work, with a backward twice the forward, half of it the weights'
    (W = F) and the overlapped pair F&B taking F + B: (PP/2 - 1) x 2F against 3F a micro
    batch."""
    idle = (pp / 2 - 1) * 2
    return idle / (3 * micro_batches + idle)


def moe_mlp_extra(arch: str) -> tuple[float, float]:
    """Of a mixture of experts, over the dense 34·s·b·h: what its MLP block keeps above the
    19 of Korthikanti's 4h MLP, and the permutation buffers of the layer being computed
    (both in s·b·h); (0, 0) for a dense model."""
    if arch not in MOE_TENSORS:
        return 0.0, 0.0
    h, experts, k, shared, f = MOE_TENSORS[arch]
    mlp = (3 * h + 4 * experts + k * (4 * h + 8 * f) + shared * 8 * f) / h
    return mlp - 19, 4 * k


def dense_mfu(params: float) -> tuple[float, float]:
    """A dense model's steady MFU range by its size, held against the published figures of
    tests/data/realism/mfu_published.tsv (test_realism checks the two agree)."""
    from genact_cast.generator.moe import dense_mfu_range

    return dense_mfu_range(params)


# LoRA's shapes: (intermediate size, head_dim) of each dense model's config.json.
LORA_SHAPES = {
    "Llama-2-7B": (11008, 128), "Llama-2-13B": (13824, 128), "Llama-3-8B": (14336, 128),
    "Llama-3-70B": (28672, 128), "Mistral-7B": (14336, 128), "Qwen2-7B": (18944, 128),
    "Llama-3.1-8B": (14336, 128), "Llama-3.1-70B": (28672, 128), "Qwen2.5-7B": (18944, 128),
    "Qwen2.5-14B": (13824, 128), "Qwen2.5-72B": (29568, 128), "Qwen3-8B": (12288, 128),
    "Qwen3-32B": (25600, 128), "OLMo-2-7B": (11008, 128), "OLMo-2-13B": (13824, 128),
    "OLMo-2-32B": (27648, 128), "Gemma-3-12B": (15360, 256), "Gemma-3-27B": (21504, 128),
    "Llama-3.1-405B": (53248, 128), "Llama-3.2-1B": (8192, 64), "Llama-3.2-3B": (8192, 128),
    # Mixtures of experts: one expert's width (moe_intermediate_size, or intermediate_size of
    # Mixtral and Llama 4), with the routed and shared experts of every layer adapted.
    "Mixtral-8x7B": (14336, 128), "Qwen3-30B-A3B": (768, 128),
    "Llama-4-Scout-17B-16E": (8192, 128),
}  # fmt: skip
# Each model's attention head sizes (queries/keys, values), where not 128 and 128: Gemma 3
# 12B's head_dim 256 and Llama 3.2 1B's 64 (config.json), DeepSeek-V3's MLA (qk_nope 128
# + qk_rope 64, v 128).
ATTENTION_HEAD_DIMS = {
    "Gemma-3-12B": (256, 256), "Llama-3.2-1B": (64, 64), "DeepSeek-V3": (192, 128),
}  # fmt: skip
# Sliding-window layers (review-realism14 A1): (window, one full-attention layer in this many).
# Gemma 3: "5 local layers for every global layer, starting with a local layer" and a
# 1,024-token window (Gemma 3 report, arXiv 2503.19786, section 2.1; MaxText's
# configs/models/gemma3-{12b,27b}.yml sliding_window_size 1024), counted as Google's MaxText
# counts them (maxtext_utils.calculate_gemma3_tflops_training_per_device: layers // 6 global
# layers over the sequence, the others over min(window, sequence)).
SLIDING_WINDOWS = {"Gemma-3-12B": (1024, 6), "Gemma-3-27B": (1024, 6)}


def attended(arch: str, layers: int, seq: float) -> float:
    """Positions a token attends to, summed over the layers: the sequence in each layer,
    or a sliding-window layer's window where the sequence is longer."""
    if arch not in SLIDING_WINDOWS:
        return layers * seq
    window, pattern = SLIDING_WINDOWS[arch]
    full = layers // pattern
    return full * seq + (layers - full) * min(window, seq)


# Experts each MoE layer adapts (routed + shared), and the module names of their
# projections: transformers 4.57.1's MixtralBlockSparseTop2MLP names them w1, w3, w2.
LORA_EXPERTS = {"Mixtral-8x7B": 8, "Qwen3-30B-A3B": 128, "Llama-4-Scout-17B-16E": 17}
LORA_MLP_NAMES = {"Mixtral-8x7B": ["w1", "w3", "w2"]}
# LoRA: frozen weights bf16 (2 bytes) or NF4 with double quantization (4.127 bits, QLoRA
# paper section 3), adapters' fp32 weights, grads and Adam (16 bytes); MFU ranges; LR.
FROZEN_BYTES = {"lora": 2.0, "qlora": 4.127 / 8}
LORA_MFU = {"lora": (0.30, 0.42), "qlora": (0.15, 0.28)}
# Each mixture of experts' router balancing as released (balance loss, its coefficient, the
# auxiliary-loss-free bias update speed): Mixtral-8x7B-v0.1 config.json router_aux_loss_coef
# 0.02; Qwen3-30B-A3B-Base and Llama-4-Scout-17B-16E config.json 0.001; DeepSeek-V3 report
# 4.2: bias update speed 0.001 and a sequence-wise balance loss with alpha 0.0001. The loss
# shown is coefficient x balance term, the term 1.0 at perfect balance and a little above.
ROUTERS = {
    "Mixtral-8x7B": ("load-balancing", 0.02, None),
    "Qwen3-30B-A3B": ("load-balancing", 0.001, None),
    "Llama-4-Scout-17B-16E": ("load-balancing", 0.001, None),
    "DeepSeek-V3": ("sequence-wise balance", 0.0001, 0.001),
}
BALANCE_TERM = (0.98, 1.5)
# When each model's weights came out (its card or release post): no log predates it.
RELEASED = {
    "Llama-2-7B": date(2023, 7, 18),
    "Llama-2-13B": date(2023, 7, 18),
    "Llama-3-8B": date(2024, 4, 18),
    "Llama-3-70B": date(2024, 4, 18),
    "Mistral-7B": date(2023, 9, 27),
    "Qwen2-7B": date(2024, 6, 6),
    "Llama-3.1-8B": date(2024, 7, 23),
    "Llama-3.1-70B": date(2024, 7, 23),
    "Llama-3.1-405B": date(2024, 7, 23),
    "Llama-3.2-1B": date(2024, 9, 25),
    "Llama-3.2-3B": date(2024, 9, 25),
    "Qwen2.5-7B": date(2024, 9, 19),
    "Qwen2.5-14B": date(2024, 9, 19),
    "Qwen2.5-72B": date(2024, 9, 19),
    "Qwen3-8B": date(2025, 4, 29),
    "Qwen3-32B": date(2025, 4, 29),
    "Qwen3-30B-A3B": date(2025, 4, 29),
    "OLMo-2-7B": date(2024, 11, 26),
    "OLMo-2-13B": date(2024, 11, 26),
    "OLMo-2-32B": date(2025, 3, 13),
    "Gemma-3-12B": date(2025, 3, 12),
    "Gemma-3-27B": date(2025, 3, 12),
    "Mixtral-8x7B": date(2023, 12, 11),
    "Llama-4-Scout-17B-16E": date(2025, 4, 5),
    "DeepSeek-V3": date(2024, 12, 26),
}
# Each card's count and the tokenizer it counts with (docs/realism.md, "Tokenizers"): FineWeb
# and FineWeb-Edu cards (GPT-2); RedPajama-Data README and SlimPajama's blog (GPT-NeoX);
# Dolma paper (GPT-NeoX); Pythia (deduplicated Pile, GPT-NeoX); Llemma (Llama 2).
DATASET_TOKENS = {
    "FineWeb": (15e12, "gpt2"),
    "FineWeb/sample-350BT": (350e9, "gpt2"),
    "FineWeb/sample-100BT": (100e9, "gpt2"),
    "FineWeb-Edu": (1.3e12, "gpt2"),
    "FineWeb-Edu/sample-350BT": (350e9, "gpt2"),
    "FineWeb-Edu/sample-100BT": (100e9, "gpt2"),
    "Dolma": (3e12, "gpt-neox"),
    "SlimPajama": (627e9, "gpt-neox"),
    "RedPajama-1T": (1.2e12, "gpt-neox"),
    "pile-deduped": (207e9, "gpt-neox"),
    "Proof-Pile-2": (55e9, "llama2"),
    "OpenWebMath": (14.7e9, "llama2"),
    "peS2o": (42e9, "gpt-neox"),
}
# Characters per token on English prose, measured with each model's own tokenizer on the
# same 99,956 characters (Debian 12's licence texts; the measurement is described in
# docs/realism.md): the ratio of two families is how many more tokens the same text makes.
# GPT-NeoX counts English web text as GPT-2 does (GPT-NeoX-20B paper); OLMo 2's vocabulary is
# cl100k's and so is the first 100K of Llama 3's (20,930 tokens each); Llama 4 unmeasured.
CHARS_PER_TOKEN = {
    "gpt2": 99956 / 24361,
    "gpt-neox": 99956 / 24361,
    "llama2": 99956 / 24598,
    "Llama-2-": 99956 / 24598,
    "Mistral-": 99956 / 23619,
    "Mixtral-": 99956 / 23619,
    "Llama-3": 99956 / 20930,
    "Llama-4-": 99956 / 20930,
    "OLMo-2-": 99956 / 20930,
    "Qwen": 99956 / 21011,
    "Gemma-3-": 99956 / 21455,
    "DeepSeek-V3": 99956 / 21169,
    # not a tokenizer: the words papers count examples in, a punctuation mark a word (the
    # PTBTokenizer's split), \w+|[^\w\s] over the same 99,956 characters
    "words": 99956 / 18984,
}

# Fine-tuning sets: an example's mean length and what it is counted in. Published: CNN-DailyMail
# 781 + 56 PTB tokens (See et al. 2017, sec. 4), XSum 431.07 + 23.26 words (Narayan et al.
# 2018, Table 1), UltraChat 1467.4 tokens a dialogue (Ding et al. 2023, Table 1); the others
# are the project's estimates in Llama 2 tokens (datasets.tsv). A run shows them in its own
# model's tokens.
SFT_LENGTHS = {
    "UltraChat-200k": (1467.4, "words"),
    "OpenHermes-2.5": (420, "llama2"),
    "SlimOrca": (430, "llama2"),
    "Tulu-3-SFT-Mix": (660, "llama2"),
    "CNN-DailyMail": (781 + 56, "words"),
    "XSum": (431.07 + 23.26, "words"),
    "WMT16-ro-en": (80, "llama2"),
    "MetaMathQA": (300, "llama2"),
}


def chars_per_token(arch: str) -> float:
    """The figure of the tokenizer of the model `arch` (its name's longest listed prefix)."""
    prefixes = [p for p in CHARS_PER_TOKEN if arch.startswith(p)]
    return CHARS_PER_TOKEN[max(prefixes, key=len)]


# PyTorch release dates (REALISM.md, and pytorch.org for the builds it does not list).
TORCH_RELEASED = {
    "2.0.1": date(2023, 5, 8),
    "2.1.2": date(2023, 12, 14),
    "2.2.2": date(2024, 3, 27),
    "2.3.0": date(2024, 4, 24),
    "2.3.1": date(2024, 6, 5),
    "2.4.0": date(2024, 7, 24),
    "2.4.1": date(2024, 9, 4),
    "2.5.0": date(2024, 10, 17),
    "2.5.1": date(2024, 10, 29),
    "2.6.0": date(2025, 1, 29),
    "2.7.0": date(2025, 4, 23),
    "2.7.1": date(2025, 6, 4),
    "2.8.0": date(2025, 8, 6),
    "2.9.0": date(2025, 10, 15),  # PyPI upload; requires nvidia-nccl-cu12==2.27.5
}
# The CUDA each nvidia-nccl-cu12 wheel on PyPI was built with, as its libnccl.so.2 prints it
# (`strings nvidia/nccl/lib/libnccl.so.2 | grep "NCCL version"`, each wheel, 2026-12-06):
# whichever torch build requires the wheel, the NCCL version line carries this.
NCCL_BUILD = {
    "2.18.1": "12.1",
    "2.19.3": "12.3",
    "2.20.5": "12.4",
    "2.21.5": "12.4",
    "2.26.2": "12.2",
    "2.27.3": "12.9",
    "2.27.5": "12.9",
}
# The NCCL each torch wheel ships (pip's nvidia-nccl-cu12 pin), by torch minor version.
TORCH_NCCL = {
    "2.1": {"2.18.1"},
    "2.2": {"2.19.3"},
    "2.3": {"2.20.5"},
    "2.4": {"2.20.5"},
    "2.5": {"2.21.5"},
    "2.6": {"2.21.5"},
    "2.7": {"2.26.2"},
    "2.8": {"2.27.3"},
    "2.9": {"2.27.5"},
}
# slurm.conf(5): a requeued job waits the credential's lifetime (cred_expire, 120 s) + 1 s.
REQUEUE_HOLD_SECONDS = 121.0
# The Xids that end a job (NVIDIA's Xid catalogue; REALISM.md "Failures"), with what the
# driver's catalogue calls each, and whether the same node can take the job again (a
# contained ECC error kills only the application; the rest need a GPU reset or a repair).
# 63 (row-remapping record) is informational, never the fatal event.
XID_WORDS = {
    48: "double bit",
    94: "contained ecc",
    95: "uncontained ecc",
    79: "fallen off the bus",
    74: "nvlink",
    119: "gsp",
    120: "gsp",
}
SAME_NODE_XIDS = {94}
# The CUDA error a process on the faulty GPU gets, as the CUDA runtime spells it
# (cudaGetErrorString): ECC faults cudaErrorECCUncorrectable; a GPU fallen off the bus
# cudaErrorUnknown, as for any GPU the driver cannot reach (proteneer/timemachine#1203,
# "Handle gpu fell off bus"; microsoft/onnxruntime#14211, cudaSetDevice's `unknown error`),
# and so the GSP's faults, which leave the GPU unanswering; an NVLink fault
# cudaErrorNvlinkUncorrectable (a torch worker's `CUDA error: uncorrectable NVLink error
# detected during the execution`, intelligent-machine-learning/dlrover's docs). Never
# "unspecified launch failure", a kernel's own fault (review-realism15 X1).
XID_CUDA_ERRORS = {
    48: "uncorrectable ECC error encountered",
    94: "uncorrectable ECC error encountered",
    95: "uncorrectable ECC error encountered",
    79: "unknown error",
    74: "uncorrectable NVLink error detected during the execution",
    119: "unknown error",
    120: "unknown error",
}
# The Xids whose process gets a CUDA error (NVIDIA's Xid catalogue,
# docs.nvidia.com/deploy/xid-errors: 48, 94, 95 are uncorrectable ECC errors the process
# hit). Of them only 94, contained (the catalogue's RESTART_APP: the GPU stays usable), lets
# the process exit: its node's torchrun sees it within --monitor-interval (0.1 s, torch
# 2.9.0 run.py:477-482) and sends the others SIGTERM (elastic/agent/server/api.py:898-910).
# After 48 or 95 the process cannot exit before the GPU's reset (a real log of Xid 48: the
# peer's watchdog fires 600 s later, torchrun's SIGTERM goes unanswered); 79, 119/120
# and a lost host give no error at all. Either way the peers wait for their watchdog. An
# uncorrectable NVLink error (74) is raised in the process using the link, which aborts at
# once (dlrover's docs quote such a worker's `exitcode: -6`; a fault-injection write-up saw
# every worker exit with it within 3 s): it dies as after 94, though its GPU needs a reset.
ERROR_XIDS = {48, 74, 94, 95}
DYING_XIDS = {74, 94}
KINDS = {
    "pre-training from scratch": "pretrain",
    "continued pre-training": "continue",
    "supervised fine-tuning": "sft",
}
BENCHMARK_CHANCE = {"HellaSwag": 0.25, "ARC-c": 0.25, "ARC-e": 0.25, "MMLU": 0.25, "PIQA": 0.5,
                    "WinoGrande": 0.5}  # fmt: skip
GENERATION_METRICS = {"BLEU", "ROUGE-1", "ROUGE-2", "ROUGE-L", "ROUGE-Lsum", "chrF"}
GENERATION_TASKS = {"summarization", "translation"}
FAILURE_GPU_HOURS = 50_000
WATCHDOG_MS = 600_000
DAY = 86400.0


def benchmark_ceiling(name: str, params: float) -> float:
    """The best published base models of about that size (few-shot)."""
    # MMLU: Qwen3-8B base 76.9, Qwen2.5-14B base 79.7 and Qwen2.5-72B base 86.1 (their
    # reports) lead their sizes.
    if params <= 15e9:
        return {"HellaSwag": 0.84, "ARC-c": 0.65, "MMLU": 0.81}.get(name, 0.9)
    if params <= 80e9:
        return {"HellaSwag": 0.90, "ARC-c": 0.75, "MMLU": 0.87}.get(name, 0.95)
    return {"HellaSwag": 0.95, "ARC-c": 0.97, "MMLU": 0.90}.get(name, 0.97)


# The facts every check starts from, read from the initialization lines.


@dataclass
class Setup:
    kind: str
    params: float
    layers: int
    hidden: int
    heads: int
    vocab: int
    gpus: int
    nodes: int
    gpu_name: str
    gpu: Gpu
    dp: int
    shard: int  # ranks that shard the state: DP with FSDP, a node or a few with HSDP
    tp: int
    pp: int
    cp: int
    micro: int
    accum: int
    seqs: int
    seq_len: int
    per_seq: float  # tokens a sequence holds on average
    batch_tokens: float
    epochs: int
    steps_per_epoch: int
    total_steps: int
    total_tokens_text: str
    dataset: str
    dataset_tokens_text: str
    examples: int
    held: int  # examples the Dataset line holds out of a set's one (train) split
    task: str
    peak_lr: float
    warmup: int
    floor_lr: float
    every: int
    storage_gbps: float
    storage_text: str
    checkpoint_gb: float
    start: datetime
    arch: str = ""
    active: float = 0.0  # parameters a token passes through (= params for dense models)
    ep: int = 1  # expert parallelism (MoE)
    method: str = "full"  # "lora" or "qlora" for adapters on frozen weights
    trainable: float = 0.0  # adapter parameters (LoRA)
    # --gpus was pinned: the cluster people have, never refused for leaving memory free
    # (REALISM.md "Memory per GPU"; review-realism7 WARN 11), so the memory floor is off
    gpus_pinned: bool = False

    @property
    def moe(self) -> bool:
        return self.arch in MOE

    @property
    def mfu_range(self) -> tuple[float, float]:
        if self.method != "full":  # on a mixture of experts, within the MoE band too
            low, high = LORA_MFU[self.method]
            return (low, min(high, MOE_MFU[1])) if self.moe else (low, high)
        if self.moe:
            return MOE_MFU
        low, high = dense_mfu(self.params)
        # First-hand dense bf16 B200 figures: 22.5 % (torchtitan, power-limited) to 38.2 %
        # (mfu_published.tsv), so a B200 run may show down to 30 % once its TP is exposed.
        return (0.30 if self.gpu_name == "B200" else low), high

    @property
    def flops_per_token(self) -> float:
        """FLOPs from the active parameters (REALISM.md: MoE FLOPs and MFU from active), and
        attention's 12·L·H·Q·s with the heads' own size (PaLM, arXiv 2204.02311 appendix B;
        DeepSeek-V3's MLA: queries and keys 192, values 128, its report 2.1.1), a
        sliding-window layer's over its window (SLIDING_WINDOWS)."""
        value = ATTENTION_HEAD_DIMS.get(self.arch, (128, 128))
        attention = 6 * self.heads * sum(value) * attended(self.arch, self.layers, self.per_seq)
        if self.method != "full":  # frozen weights: no weight gradients, 4N (LoRA)
            return 4 * (self.active or self.params) + attention
        return 6 * (self.active or self.params) + attention


def setup_of(run: Run) -> Setup:
    size, layout, batch = run.fact("size"), run.fact("parallel"), run.fact("batch")
    training, data = run.fact("training"), run.fact("dataset")
    cluster = re.match(r"(\d+) x (\S+) across (\d+) nodes?", run.summary.get("Cluster", ""))
    if cluster is None:
        raise AssertionError(f"summary has no Cluster row: {run.summary}")
    parts = dict(re.findall(r"(DP|TP|PP|CP) (\d+)", layout.group("layout")))
    seqs = int(number(batch.group("seqs")))
    seq_len = int(batch.group("seq") or batch.group("upto"))
    examples = int(number(data.group("examples"))) if data.group("examples") else 0
    held = int(number(data.group("held"))) if data.group("held") else 0
    # Packed sequences (the batch line gives tokens a step), or one example a sequence.
    packed = batch.group("seq") is not None
    per_seq = float(seq_len) if packed or not examples else tokens(data.group("tokens")) / examples
    optimizer, ckpt = run.fact("optimizer"), run.fact("checkpoints")
    epochs, steps = int(training.group("epochs")), int(number(training.group("steps")))
    return Setup(
        kind=KINDS[training.group("kind")],
        params=float(size.group("params")) * 1e9,
        layers=int(size.group("layers")),
        hidden=int(size.group("hidden")),
        heads=int(size.group("heads")),
        vocab=int(number(size.group("vocab"))),
        gpus=int(cluster.group(1)),
        nodes=int(cluster.group(3)),
        gpu_name=cluster.group(2),
        gpu=GPUS[cluster.group(2)],
        dp=int(parts.get("DP", 1)),
        shard=int(
            hsdp.group(1)
            if (hsdp := re.search(r"HSDP: shard (\d+)", layout.group(0)))
            else parts.get("DP", 1)
        ),
        tp=int(parts.get("TP", 1)),
        pp=int(parts.get("PP", 1)),
        cp=int(parts.get("CP", 1)),
        micro=int(batch.group("micro")),
        accum=int(batch.group("accum")),
        seqs=seqs,
        seq_len=seq_len,
        per_seq=per_seq,
        batch_tokens=number(batch.group("tokens")) if batch.group("tokens") else seqs * per_seq,
        epochs=epochs,
        steps_per_epoch=steps,
        total_steps=epochs * steps,
        total_tokens_text=training.group("tokens"),
        dataset=data.group("name"),
        dataset_tokens_text=data.group("tokens"),
        examples=examples,
        held=held,
        task=data.group("task") or "lm",
        peak_lr=float(optimizer.group("peak")),
        warmup=int(number(optimizer.group("warmup"))),
        floor_lr=float(optimizer.group("floor")),
        every=int(number(ckpt.group("every"))),
        storage_gbps=float(ckpt.group("gbps")),
        storage_text=ckpt.group("gbps"),
        checkpoint_gb=gigabytes(ckpt.group("size")),
        start=run.stamps[0][0],
        arch=run.fact("building").group("arch"),
        active=MOE.get(run.fact("building").group("arch"), (0.0,))[0],
        ep=int(dict(re.findall(r"(EP) (\d+)", layout.group("layout"))).get("EP", 1)),
        method=_method(run),
        trainable=number(run.facts["lora"].group("trainable")) if "lora" in run.facts else 0.0,
    )


def _method(run: Run) -> str:
    adapters = run.facts.get("lora")
    if adapters is None:
        return "full"
    return "qlora" if adapters.group("label") == "QLoRA" else "lora"


def printed_tolerance(text: str) -> float:
    """Half a unit of the last digit of a count printed like '29.4B', '627B' or '1B'."""
    units = {"T": 1e12, "B": 1e9, "M": 1e6, "K": 1e3}
    unit = units.get(text[-1], 1.0)
    value = float(text.rstrip("TBMK"))
    return (0.5 if value >= 100 else 0.05) * unit


def half_unit(text: str) -> float:
    """Half a unit of the last digit shown of a number like '9.0e-06', '35.3' or '2.15'."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def shown_as(value: float, text: str) -> bool:
    """Whether `text` is `value` to the digits it shows (allowing for float rounding)."""
    return abs(value - float(text.replace(",", ""))) <= half_unit(text) * 1.0001 + 1e-12


def _started_over(run: Run, s: Setup, f: Failure, where: str, saved: bool) -> list[str]:
    """A restart before any save completed: step 0 again, reading what the first launch
    read (the released bf16 weights at storage speed) or initializing again."""
    out = []
    if saved:
        out.append(f"{where}: starts over though a checkpoint was saved")
    if f.resume_step != 0:
        out.append(f"{where}: starts over at step {f.resume_step}, not 0")
    load = run.facts.get("load")
    if f.reloaded is None:
        out.append(f"{where}: no model loaded after the restart")
    elif load is None:
        if f.reloaded[0] != 0.0:
            out.append(f"{where}: a run from scratch reloads {f.reloaded[0]} GB")
    else:
        size, seconds = f.reloaded
        fastest, slowest = storage_seconds(size, s)
        if size != gigabytes(load.group("gb")) or not fastest <= seconds <= slowest + 20:
            out.append(
                f"{where}: reloaded the base model as {size} GB in {seconds}s, the start "
                f"read {load.group('gb')} (at {s.storage_gbps} GB/s)"
            )
    return out


def storage_seconds(size_gb: float, s: Setup, spread: float = 0.3) -> tuple[float, float]:
    """Fastest and slowest write (or read) of `size_gb` at the printed aggregate bandwidth,
    ±`spread`, allowing for the bandwidth's own rounding."""
    half = half_unit(s.storage_text)
    fastest = size_gb / (s.storage_gbps + half)
    slowest = size_gb / max(s.storage_gbps - half, 1e-9)
    return (1 - spread) * fastest - 0.05, (1 + spread) * slowest + 0.05


def schedule(setup: Setup, step: int, peak: float | None = None) -> float:
    peak = setup.peak_lr if peak is None else peak
    if step < setup.warmup:
        return peak * step / setup.warmup
    progress = min(1.0, (step - setup.warmup) / max(1, setup.total_steps - setup.warmup))
    low = peak * 0.1
    return low + 0.5 * (peak - low) * (1 + math.cos(math.pi * progress))


def first_steps(run: Run) -> set[tuple[int, int]]:
    """(attempt, step) of the first step of each launch: slow (compile and warm-up)."""
    firsts = {(0, 1)}
    for f in run.failures:
        firsts.add((f.attempt, f.resume_step + 1))
    return firsts


def paused_steps(run: Run) -> set[int]:
    """Steps that a notice or a blocking save names: their step time includes a pause."""
    # A save pauses training after its step: the next step's time includes the staging.
    steps = {s.step for s in run.saves} | {s.step + 1 for s in run.saves}
    for n in run.notices:
        found = re.search(r"(?:step |^step )(\d+)", n.text)
        if found:
            steps.add(int(found.group(1)))
    return steps


def steady_frames(run: Run) -> list[Frame]:
    firsts, paused = first_steps(run), paused_steps(run)
    return [
        f
        for f in run.frames
        if (f.attempt, f.step) not in firsts and f.step not in paused and f.step > 1
    ]


def step_tokens(setup: Setup) -> float:
    """Tokens a step trains on: a fine-tune's packed rows hold its examples' tokens, a
    little short of full (docs/realism.md, "Packed rows"), so an epoch's steps share the
    set's tokens; a pre-training step is its full rows."""
    if setup.kind != "sft" or not setup.steps_per_epoch:
        return setup.batch_tokens
    return min(setup.batch_tokens, tokens(setup.dataset_tokens_text) / setup.steps_per_epoch)


def step_seconds(run: Run, setup: Setup) -> float:
    steady = steady_frames(run) or run.frames
    return step_tokens(setup) / statistics.median(f.tokens_per_second for f in steady)


def total_seconds(run: Run) -> float:
    return seconds_of(run.summary.get("Time", "0s"))


Check = Callable[[Run, Setup], list[str]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def violations(
    run: Run, cols: int | None = None, *, gpus_pinned: bool = False
) -> dict[str, list[str]]:
    """Every relation the run breaks, with the text that breaks it (`gpus_pinned`: the cast
    was recorded with --gpus, which waives the memory floor)."""
    found: dict[str, list[str]] = {}
    if run.errors:
        found["parse"] = list(run.errors)
    try:
        setup = setup_of(run)
    except (AssertionError, KeyError, ValueError) as error:
        found["setup lines"] = [str(error)]
        return found
    setup.gpus_pinned = gpus_pinned
    for name, function in CHECKS.items():
        problems = function(run, setup)
        if problems:
            found[name] = problems
    return found


# Cluster, layout, model and data


@check("cluster: GPUs, nodes and ranks agree everywhere")
def _cluster(run: Run, s: Setup) -> list[str]:
    out = []
    rdzv, backend = run.fact("rendezvous"), run.fact("backend")
    if s.gpus != 8 * s.nodes or s.nodes not in (1, 2, 4, 8, 16, 32, 64, 128, 256):
        out.append(f"Cluster {run.summary['Cluster']!r}: 8 GPUs a node, 1-256 nodes")
    if (int(rdzv.group("world")), int(rdzv.group("nodes"))) != (s.gpus, s.nodes):
        out.append(f"{rdzv.group(0)!r} vs {s.gpus} GPUs on {s.nodes} nodes")
    if rdzv.group("local") != "8":
        out.append(f"{rdzv.group(0)!r}: local_world_size must be 8")
    if (int(backend.group("gpus")), int(backend.group("nodes"))) != (s.gpus, s.nodes):
        out.append(f"{backend.group(0)!r} vs {s.gpus} GPUs on {s.nodes} nodes")
    init = [line for line in run.nccl if "Init COMPLETE" in line]
    for line in init:
        if f"nranks {s.gpus} " not in line:
            out.append(f"{line!r}: nranks must be {s.gpus}")
        comm = re.search(r"comm 0x([0-9a-f]+)", line)
        if comm and int(comm.group(1), 16) % 16:
            out.append(f"{line!r}: comm address not 16-byte aligned")
    if bool(run.nccl) != run.nccl_debug:
        # NCCL prints its INFO lines only where the job sets NCCL_DEBUG=INFO (NCCL_LOG_NONE
        # otherwise, src/debug.cc:49-50 at v2.27.5-1)
        out.append(f"{len(run.nccl)} NCCL INFO lines, NCCL_DEBUG=INFO typed: {run.nccl_debug}")
    network = " ".join(run.nccl)
    multi = s.nodes > 1
    if run.nccl and multi and ("Using network IB" not in network or "NET/Socket" in network):
        out.append(f"{s.nodes} nodes but NCCL does not use IB: {network[:200]!r}")
    if "Using ib0" in network and "NET/Socket" in network:
        out.append("NCCL bootstraps on ib0, then uses sockets")
    channel = next((line for line in run.nccl if "Channel 00/" in line), None)
    if channel is not None:
        ring = [int(r) for r in channel.rsplit(" : ", 1)[-1].split()]
        if sorted(ring) != list(range(s.gpus)):
            out.append(f"{channel!r}: the ring must list every rank 0-{s.gpus - 1}")
    if run.banner_pids and any(f":{run.banner_pids[0]}:" in line for line in run.nccl):
        out.append(f"NCCL worker has the launcher's PID {run.banner_pids[0]}")
    return out


@check("layout: GPUs = DP x TP x PP (x CP), TP within a node, batch = micro x accum x DP")
def _layout(run: Run, s: Setup) -> list[str]:
    out = []
    layout = run.fact("parallel")
    if s.dp * s.tp * s.pp * s.cp != s.gpus or int(layout.group("gpus")) != s.gpus:
        out.append(f"{layout.group(0)!r}: DP x TP x PP x CP != {s.gpus} GPUs")
    if s.tp > 8:
        out.append(f"{layout.group(0)!r}: TP above 8 leaves the node's NVLink")
    if s.micro * s.accum * s.dp != s.seqs:
        out.append(f"{run.fact('batch').group(0)!r}: micro x accum x DP != global batch")
    if s.pp > 1:
        bubble = layout.group("bubble")
        if bubble is None:
            out.append(f"{layout.group(0)!r}: PP > 1 without a pipeline bubble")
        elif layout.group("dualpipe") is not None:
            if not shown_as(100 * dualpipe_bubble(s.pp, s.accum), bubble):
                out.append(f"{layout.group(0)!r}: DualPipe's bubble is Table 2's")
        elif not shown_as(100 * (s.pp - 1) / (s.accum + s.pp - 1), bubble):
            out.append(f"{layout.group(0)!r}: 1F1B bubble is (PP-1)/(m+PP-1)")
    # Full training of 200B+ needs stages; adapters on frozen weights shard with FSDP alone
    # (torchtune's llama3_1/405B_qlora.yaml: lora_finetune_distributed on 8 GPUs).
    if s.params > 200e9 and s.pp == 1 and s.method == "full":
        out.append(f"{layout.group(0)!r}: a {s.params / 1e9:.0f}B model needs pipeline parallelism")
    return out


@check("model: architecture as published, tokenizer vocab = model vocab")
def _model(run: Run, s: Setup) -> list[str]:
    out = []
    arch = run.fact("building").group("arch")
    shown = (s.params, s.layers, s.hidden, s.heads, run.fact("size").group("kv"), s.vocab)
    if arch not in MODELS:
        out.append(f"{run.fact('building').group(0)!r}: unknown architecture {arch}")
    else:
        real = MODELS[arch]
        if (
            abs(shown[0] - real[0]) > 0.006 * real[0]
            or tuple(int(x) for x in shown[1:]) != real[1:]
        ):
            out.append(f"{run.fact('size').group(0)!r} is not {arch}: {real}")
    if int(run.fact("tokenizer").group("vocab")) != s.vocab:
        out.append(f"{run.fact('tokenizer').group(0)!r} vs vocab {s.vocab}")
    return out


@check("kind: pre-training only up to ~70B, fine-tunes any size, continued 7-671B")
def _kind(run: Run, s: Setup) -> list[str]:
    # Fine-tunes are bounded by memory and wall clock (their own checks), not by size: Meta's
    # Llama-3.2-1B/3B-Instruct are SFT of the 1B and 3B bases (their cards); Tülu 3 405B
    # fine-tuned Llama 3.1 405B in full on 256 H100 (allenai.org/blog/tulu-3-405B,
    # 2025-01-30); DeepSeek-V3-Base was fine-tuned in full (arXiv 2412.19437, section 5.1);
    # torchtune's llama3_1/405B_qlora.yaml tunes 405B's adapters on 8 GPUs.
    limits = {"pretrain": (0, 75e9), "sft": (0, math.inf), "continue": (6.5e9, 700e9)}
    low, high = limits[s.kind]
    out = []
    if not low <= s.params <= high:
        out.append(f"{run.fact('training').group(0)!r} of a {s.params / 1e9:.1f}B model")
    # A model trained from random init is not the released one: a project's own name, with
    # the released architecture beside it.
    building = run.facts.get("building")
    if s.kind == "pretrain" and building is not None and building.group("name") in MODELS:
        out.append(f"{building.group(0)!r}: a from-scratch run named as the released model")
    return out


@check("data: epochs are passes over the named data; tokens = epochs x dataset tokens")
def _data(run: Run, s: Setup) -> list[str]:
    out = []
    training, data = run.fact("training").group(0), run.fact("dataset").group(0)
    dataset = tokens(s.dataset_tokens_text)
    total = tokens(s.total_tokens_text)
    tol = s.epochs * printed_tolerance(s.dataset_tokens_text) + printed_tolerance(
        s.total_tokens_text
    )
    if abs(s.epochs * dataset - total) > tol:
        out.append(f"{data!r} then {training!r}: {s.epochs} x dataset != tokens trained")
    trained = s.total_steps * s.batch_tokens
    slack = printed_tolerance(s.total_tokens_text) + s.batch_tokens
    # A fine-tune's rows are packed by trl's Best Fit Decreasing, which cuts no example and
    # leaves each row a little short: 97-100 % full (docs/realism.md, "Packed rows"), so
    # its rows' capacity covers the set's tokens with up to 3 % to spare.
    spare = 1 / 0.97 - 1 if s.kind == "sft" else 0.0
    if s.kind == "sft":  # packed: each epoch ends on a partly filled batch
        slack += s.epochs * s.batch_tokens
    if not total - slack <= trained <= total * (1 + spare) + slack:
        out.append(f"{training!r}: steps x {s.batch_tokens:,.0f} tokens/step = {trained:.3g}")
    if s.kind == "sft" and not 10_000 <= s.examples <= 1_000_000 * 1.05:
        out.append(f"{data!r}: fine-tuning sets hold 10k-1M examples")
    epoch_tokens = s.steps_per_epoch * s.batch_tokens
    room = printed_tolerance(s.dataset_tokens_text) + s.batch_tokens
    if not dataset - room <= epoch_tokens <= dataset * (1 + spare) + room:
        out.append(f"{data!r}: an epoch of {training!r} is {epoch_tokens:.3g} tokens")
    base = s.dataset.split("/")[0]
    if s.dataset in DATASET_TOKENS and s.arch:
        # The card's count in the run's own model's tokens: the same characters, divided by
        # that tokenizer's characters per token.
        card, counted = DATASET_TOKENS[s.dataset]
        own = card * CHARS_PER_TOKEN[counted] / chars_per_token(s.arch)
        if s.held:  # the set less what it holds out, which the run does not train on
            own *= s.examples / (s.examples + s.held)
        if abs(dataset - own) > 0.01 * own + printed_tolerance(s.dataset_tokens_text):
            out.append(f"{data!r}: {base}'s {card:.3g} {counted} tokens are {own:.3g} for {s.arch}")
    if s.dataset in SFT_LENGTHS and s.examples and s.arch:
        mean, counted = SFT_LENGTHS[s.dataset]
        length = mean * CHARS_PER_TOKEN[counted] / chars_per_token(s.arch)
        if (
            abs(dataset / s.examples - length)
            > 1.5 + printed_tolerance(s.dataset_tokens_text) / s.examples
        ):
            out.append(f"{data!r}: a {base} example is about {length:.0f} {s.arch} tokens")
    if s.kind == "continue" and not 10e9 <= dataset <= 500e9:
        out.append(f"{data!r}: continued pre-training uses a 10-500B-token domain corpus")
    # From scratch: one pass over a corpus larger than the budget (Muennighoff et al. 2023's
    # repeats are for data-constrained regimes, not for a sample of a web corpus).
    # Fine-tunes: recipes make 1-3 passes, summaries and translations too (see _validation).
    epochs = {"pretrain": (1, 1), "continue": (1, 2), "sft": (1, 3)}[s.kind]
    if not epochs[0] <= s.epochs <= epochs[1]:
        out.append(f"{training!r}: {s.kind} runs {epochs[0]}-{epochs[1]} epochs")
    return out


@check("tokens/param: pre-training sees 20-2,000 tokens a parameter; shown ratio right")
def _tokens_per_param(run: Run, s: Setup) -> list[str]:
    out = []
    training = run.fact("training")
    total = tokens(s.total_tokens_text)
    ratio = total / s.params
    if s.kind == "pretrain" and not 20 <= ratio <= 2000:
        out.append(f"{training.group(0)!r}: {ratio:.1f} tokens/param")
    shown = training.group("per_param")
    if shown is not None:
        tol = printed_tolerance(s.total_tokens_text) / s.params + 0.5 + 0.002 * ratio
        if abs(number(shown) - ratio) > tol:
            out.append(f"{training.group(0)!r}: {total:.3g} / {s.params:.3g} = {ratio:.2f}")
        if number(shown) == 0:
            out.append(f"{training.group(0)!r}: a non-zero ratio printed as 0")
    return out


@check("batch: 1-16M tokens (pre-training), 2-16M (continued), 64-512 examples (SFT)")
def _batch(run: Run, s: Setup) -> list[str]:
    line = run.fact("batch").group(0)
    if s.kind == "sft":
        # Packed sequences hold several examples: a recipe counts examples (64-512 a step),
        # about tokens a step / tokens an example.
        per_example = tokens(s.dataset_tokens_text) / s.examples if s.examples else s.per_seq
        examples = s.batch_tokens / per_example
        ok = 64 * 0.97 <= examples <= 512 * 1.03
        packed = run.fact("batch").group("packed")
        if packed and abs(number(packed) - examples) > 0.03 * examples + 1:
            return [f"{line!r}: {s.batch_tokens:,.0f} tokens hold about {examples:,.0f} examples"]
    else:
        low = 1e6 if s.kind == "pretrain" else 2e6
        size = s.active or s.params
        if s.kind == "pretrain" and size >= 20e9:
            # A large model from scratch takes a large model's batch: every published run of
            # 2023 on of 20B and up took 4M tokens or more (PUBLISHED_LARGE_BATCHES); 0.7 of
            # that allows a batch of whole sequences a little under it (review-realism12
            # N11: a 72B at 2.1M tokens, 1,233,842 steps).
            near = [b for n, b in PUBLISHED_LARGE_BATCHES.values() if size / 2 <= n <= size * 2]
            low = 0.7 * min(near, default=low / 0.7)
        ok = low * 0.99 <= s.batch_tokens <= 16 * 2**20
    return [] if ok else [f"{line!r} for {s.kind} of {s.params / 1e9:.0f}B"]


# From-scratch runs of 20B and up, published from 2023 on: (parameters, tokens a step). LLaMA
# 33B and 65B 4M (arXiv 2302.13971, Table 2); Llama 2 34B and 70B 4M (arXiv 2307.09288, 2.2);
# OLMo 2 32B 2,048 x 4,096 (allenai/OLMo-core OLMo-2-0325-32B-train.py); DeepSeek LLM 67B
# 4,608 x 4,096 (arXiv 2401.02954, Table 2); Llama 3 405B 4M at its start (arXiv 2407.21783,
# 3.4.1). Older runs took less (OPT-66B 2M, arXiv 2205.01068), not the practice of the
# catalogue's 2024-26 models.
PUBLISHED_LARGE_BATCHES = {
    "LLaMA-33B": (32.5e9, 4e6), "LLaMA-65B": (65.2e9, 4e6), "Llama-2-34B": (34e9, 4e6),
    "Llama-2-70B": (70e9, 4e6), "OLMo-2-32B": (32.2e9, 2048 * 4096),
    "DeepSeek-LLM-67B": (67e9, 4608 * 4096), "Llama-3-405B": (405e9, 4e6),
}  # fmt: skip


@check("wall clock: between hours and about two months")
def _wall_clock(run: Run, s: Setup) -> list[str]:
    seconds = total_seconds(run)
    if not 3600 <= seconds <= 62 * DAY:
        return [f"Time {run.summary.get('Time')!r}"]
    # Continued pre-training's 5-500B tokens run on a cluster sized for days, not weeks
    # (Code Llama, Llemma, DeepSeekMath; Ibrahim et al. 2024), with a day's slack for restarts.
    if s.kind == "continue" and seconds > 15 * DAY:
        return [f"Time {run.summary.get('Time')!r}: continued pre-training takes days, not weeks"]
    return []


# Throughput, MFU, memory, communication


@check("MFU: 0.33-0.47 in steady state, 0.05-0.15 on the first step of a launch")
def _mfu(run: Run, s: Setup) -> list[str]:
    out = []
    firsts = first_steps(run)
    steady = steady_frames(run)
    for f in run.frames:
        if (f.attempt, f.step) in firsts and not 0.05 <= f.mfu <= 0.15:
            out.append(f"step {f.step} (first of launch {f.attempt}) MFU {f.mfu * 100:.1f}%")
    # B200s in bf16 reach less of their peak: 38.2 % MFU for Llama 3 70B on 8 x B200
    # (newmind.ai's B200 benchmark via Together AI, 2025).
    top = 0.382 if s.gpu_name == "B200" else 0.47
    # Full activation checkpointing recomputes the forward: 8N of work a token, of which
    # MFU counts 6N (PaLM appendix B; Korthikanti et al. 2022, section 6), so the range
    # starts at 6/8 of its floor (review-realism5 WARN 11). Adapters count 4N of 6N: the
    # whole range, kernels' work, scales by 4/6 (review-realism7 FAIL 5: 42.0 % shown).
    parallel = run.facts.get("parallel")
    recomputed = parallel is not None and parallel.group("ac") == "full"
    share = (0.75 if s.method == "full" else 4 / 6) if recomputed else 1.0
    floor = s.mfu_range[0] * share
    top = min(top, s.mfu_range[1] * share) if s.method != "full" else top
    # A notice's pause dips one step's throughput; the notice does not say which step.
    dips = len(run.notices)
    for f in steady:
        low, high = floor, s.mfu_range[1]
        if 0.1 <= f.mfu < low - 0.01 and dips > 0:
            dips -= 1
        elif not low - 0.01 <= f.mfu <= min(high, top) + 0.01:  # ±1 point: step-time jitter
            out.append(f"step {f.step}: MFU {f.mfu * 100:.1f}% on {s.gpu_name}")
    dips = len(run.notices)
    for line in run.step_lines:
        first = (line.attempt, line.step) in firsts
        steady_range = (floor - 0.01, min(s.mfu_range[1], top) + 0.01)
        low, high = (0.05, 0.15) if first else steady_range
        if line.step in paused_steps(run) or low <= line.mfu <= high:
            continue
        if not first and line.mfu >= min(0.15, 0.5 * floor) and dips > 0:
            dips -= 1
        else:
            out.append(f"step line {line.step}: mfu {line.mfu * 100:.1f}%")
    if s.pp > 1 and steady:
        bubble = (s.pp - 1) / (s.accum + s.pp - 1)
        if run.fact("parallel").group("dualpipe") is not None:
            bubble = dualpipe_bubble(s.pp, s.accum)
        median = statistics.median(f.mfu for f in steady)
        if median / (1 - bubble) > s.mfu_range[1] + 0.01 + (0.02 if s.moe else 0.0):
            out.append(
                f"MFU {median * 100:.1f}% with a {bubble * 100:.1f}% bubble: "
                f"{median / (1 - bubble) * 100:.1f}% outside the bubble, above 47%"
            )
    return out[:5]


@check("throughput: tokens/s = GPUs x peak x MFU / FLOPs-per-token; samples/s; TFLOP/s")
def _throughput(run: Run, s: Setup) -> list[str]:
    out = []
    fpt = s.flops_per_token
    for f in run.frames:
        expected = s.gpus * s.gpu.peak * 1e12 * f.mfu / fpt
        if abs(f.tokens_per_second - expected) > 0.01 * expected + 1:
            out.append(
                f"step {f.step}: Speed {f.tokens_per_second:,.0f} tokens/s at MFU "
                f"{f.mfu * 100:.1f}% (expected {expected:,.0f} from {s.gpus} x {s.gpu.peak} x "
                f"MFU / {fpt:.4g})"
            )
        samples = f.tokens_per_second / s.per_seq
        # Whole above 10, two significant digits below (0.2 is not 0): half the last digit.
        digit = 1.0 if samples >= 9.95 else 10 ** math.floor(math.log10(max(samples, 1e-9))) / 10
        if abs(f.samples_per_second - samples) > digit / 2 + 0.01 * samples:
            out.append(f"step {f.step}: {f.samples_per_second:,.0f} samples/s, not {samples:,.1f}")
        tflops = f.tokens_per_second / s.gpus * fpt / 1e12
        if abs(f.tflops - tflops) > 0.01 * tflops + 0.05:
            out.append(f"step {f.step}: TFLOP/s {f.tflops} vs {tflops:.1f} from tokens/s")
        if abs(f.mfu - f.tflops / s.gpu.peak) > 0.0006 + 0.0005:
            out.append(f"step {f.step}: MFU {f.mfu * 100:.1f}% != {f.tflops} / {s.gpu.peak}")
    for line in run.step_lines:
        mfu = line.tokens_per_gpu * fpt / (s.gpu.peak * 1e12)
        rounding = 0.5 * fpt / (s.gpu.peak * 1e12)  # tok/s/GPU is printed whole
        if abs(mfu - line.mfu) > 0.01 * mfu + 0.0006 + rounding:
            out.append(
                f"step line {line.step}: {line.tokens_per_gpu:,.0f} tok/s/GPU is MFU {mfu:.3f}"
            )
        same = [f for f in run.frames if (f.attempt, f.step) == (line.attempt, line.step)]
        for f in same:
            if abs(f.tokens_per_second / s.gpus - line.tokens_per_gpu) > 1:
                out.append(f"step {line.step}: step line and live block disagree on tokens/s")
    return out[:5]


@check("ETA = remaining steps x step time")
def _eta(run: Run, s: Setup) -> list[str]:
    out = []
    step = step_seconds(run, s)
    for f in run.frames:
        expected = (f.total - f.step) * step
        shown = seconds_of(f.eta)
        resolution = 3600 if "d" in f.eta else 60
        if abs(shown - expected) > 0.03 * expected + resolution:
            out.append(f"step {f.step}/{f.total}: ETA {f.eta!r}, expected {expected / 3600:.2f} h")
        if f.total != s.total_steps:
            out.append(f"Step {f.step}/{f.total} but training has {s.total_steps} steps")
    return out[:5]


@check("memory: sum of its parts, within capacity, above the state, flat, derived")
def _memory(run: Run, s: Setup) -> list[str]:
    out = []
    m = run.fact("memory")
    total, capacity = float(m.group("total")), float(m.group("capacity"))
    state, act = float(m.group("state")), float(m.group("act"))
    logits, buffers = float(m.group("logits")), float(m.group("buffers"))
    line = m.group(0)
    if abs(total - (state + act + logits + buffers)) > 0.21:
        out.append(f"{line!r}: parts add up to {state + act + logits + buffers:.1f}")
    if not shown_as(s.gpu.capacity_gib, m.group("capacity")):
        out.append(f"{line!r}: a {s.gpu_name} shows {s.gpu.capacity_gib} GiB")
    # A drawn cluster is filled (55-97 %): a real job leaving half its GPUs' memory free
    # would use fewer GPUs. A pinned one runs the recipe's batch as it fits (OLMo 2 7B:
    # 1,024 x 4,096 tokens, one sequence a GPU on 1,024 H100s, arXiv 2501.00656).
    floor = 0.0 if s.gpus_pinned else 0.55
    if not floor * capacity <= total <= 0.97 * capacity:
        out.append(f"{line!r}: {total / capacity * 100:.0f}% of capacity ({floor:.0%}-97%)")
    # Sharded over the shard group and the model-parallel ranks; a pipeline stage keeps its
    # bf16 weights gathered through the step's micro batches.
    # Everything is sharded: under EP each rank's experts over the ranks of its shard group
    # holding the same ones (torchtitan v0.2.0 models/llama4/infra/parallelize.py:334-356,
    # dp_shard_mod_ep; review-realism20 FAIL 6), so 16 bytes x N / sharers whatever EP is.
    routed = MOE[s.arch][1] if s.moe and s.ep > 1 else 0.0
    expected_state = 16 * s.params / (s.shard * s.tp * s.pp) / 2**30
    dualpipe = run.fact("parallel").group("dualpipe") is not None
    if s.pp > 1:  # the dense weights and the EP rank's share of the experts
        # DualPipe keeps two copies of them (DeepSeek-V3 report, Table 2)
        copies = 2 if dualpipe else 1
        expected_state += copies * 2 * (s.params - routed + routed / s.ep) / (s.tp * s.pp) / 2**30
    if s.method != "full":  # frozen weights, and the adapters' training state
        frozen = FROZEN_BYTES[s.method] * s.params + 16 * s.trainable
        expected_state = frozen / (s.shard * s.tp * s.pp) / 2**30
    if abs(state - expected_state) > 0.01 * expected_state + 0.05:
        out.append(f"{line!r}: 16 bytes x N / (shard x TP x PP) = {expected_state:.1f} GiB")
    expected_logits = s.seq_len * s.micro * s.vocab * 4 / s.tp / 2**30
    if abs(logits - expected_logits) > 0.02 * expected_logits + 0.05:
        out.append(f"{line!r}: logits s x b x vocab x 4 / TP = {expected_logits:.1f} GiB")
    if not 3.0 - 0.05 <= buffers <= 6.0 + 0.05:
        out.append(f"{line!r}: CUDA and NCCL buffers take 3-6 GiB")
    layers = math.ceil(s.layers / s.pp)
    recompute = run.fact("parallel").group("ac")
    # REALISM.md: FlashAttention never stores the s x s scores, so a block keeps about
    # 34·s·b·h bytes (÷ TP with sequence parallelism) with nothing recomputed, 2·s·b·h with
    # full checkpointing (and one block rebuilt for its backward), in between selective.
    block = s.seq_len * s.micro * s.hidden / s.tp
    # A mixture of experts stores its MLP activations for each of the top-k experts (and
    # shared ones): Korthikanti's 19·s·b·h of a 4h MLP, scaled by the width a token passes.
    mlp, permuted = moe_mlp_extra(s.arch)
    if recompute == "off":
        low, high = (30 + mlp) * block * layers, (38 + mlp) * block * layers
    elif recompute == "full":
        low, high = 2 * block * layers, 2 * block * layers + (40 + mlp) * block
    else:
        low, high = 2 * block * layers, (34 + mlp) * block * layers
    low, high = low + permuted * block, high + permuted * block
    low, high = low / 2**30, high / 2**30
    if not low - 0.05 <= act <= high * s.pp + 0.05:
        out.append(
            f"{line!r}: activations with FlashAttention, recompute {recompute}: "
            f"{low:.1f}-{high:.1f} GiB a micro batch in flight"
        )
    for f in run.frames:
        if abs(f.memory - total) > 0.05 or abs(f.capacity - capacity) > 0.05:
            out.append(f"step {f.step}: GPU Mem {f.memory}GiB/{f.capacity}GiB vs {line!r}")
            break
    return out


def _per_layer_bytes(s: Setup) -> float:
    """bf16 weights (or grads) FSDP gathers (or reduces) of one layer's TP shard; under expert
    parallelism the dense ones alone: the experts are an FSDP unit of their own, gathered over
    the ranks holding the same ones (torchtitan's dp_shard_mod_ep; docs/realism.md,
    "Mixture-of-experts routers")."""
    routed = MOE[s.arch][1] if s.moe and s.ep > 1 else 0.0
    return 2 * (s.params - routed) / _stage_blocks(s)


def _stage_blocks(s: Setup) -> int:
    """Blocks the model's parameters are spread over on one TP rank: the model's layers, or
    under PP a stage's blocks times the stages (DeepSeek-V3's 61 layers on 16 stages: 4 a
    stage, so a block's share of a stage's parameters is 1/64 of them, not 1/61)."""
    return math.ceil(s.layers / s.pp) * s.pp * s.tp


def _replica_all_reduce(f: Frame, s: Setup, stage: int, step: float) -> list[str]:
    """HSDP: after the reduce-scatter inside the shard group, each GPU all-reduces its fp32
    gradient shard of every block across the replicas (PyTorch FSDP's HYBRID_SHARD, FSDP
    docs, ShardingStrategy), over InfiniBand: 2 (r-1)/r of the shard. It is the step's
    largest inter-node transfer and is shown (review-realism4 WARN 7)."""
    replicas = s.dp // s.shard
    value = f.replica_all_reduce
    if replicas <= 1:
        return [] if value is None else [f"step {f.step}: AllReduce(replicate) without HSDP"]
    if value is None:
        return [f"step {f.step}: HSDP over {replicas} replicas shows no AllReduce(replicate)"]
    # Each GPU holds 1/shard of every parameter of a block, experts too (EP splits them,
    # then FSDP shards each over the shard group's other ranks): its fp32 gradient shard
    # is 4 bytes x the block's parameters / shard (review-realism5 FAIL 3).
    moved = 2 * (replicas - 1) / replicas * 4 * s.params / _stage_blocks(s) / s.shard
    bandwidth = moved / (value / 1000) / 1e9
    low, high = replica_link(s)
    out = []
    if not within(bandwidth, value, low, high):
        out.append(
            f"step {f.step}: AllReduce(replicate): {value}ms for {moved / 1e6:,.1f} MB is "
            f"{bandwidth:,.1f} GB/s (its rails: {low:.0f}-{high:.0f})"
        )
    if value / 1000 * stage > step:
        out.append(f"step {f.step}: {stage} replica all-reduces of {value}ms > step {step:.1f}s")
    return out


def within(bandwidth: float, shown_ms: float, low: float, high: float) -> bool:
    """Whether a collective shown at `shown_ms` (rounded as the step line rounds it: 0.01,
    0.1 or 1 ms) moved its bytes at `bandwidth` within its link's range, allowing the ±5 %
    a collective jitters from step to step."""
    half = 0.005 if shown_ms < 1 else 0.05 if shown_ms < 100 else 0.5
    slack = half / shown_ms if shown_ms > 0 else 0.0
    return low / 1.05 / (1 + slack) <= bandwidth <= high / 0.95 * (1 + slack)


@check("collectives: times from the bytes moved and the link; they fit in the step")
def _collectives(run: Run, s: Setup) -> list[str]:
    out = []
    step = step_seconds(run, s)
    group = s.shard  # FSDP gathers and scatters within the shard group (all of DP, or HSDP's)
    inside = s.nodes == 1 or group * s.tp <= 8
    dp_link = shard_link(s)
    stage = math.ceil(s.layers / s.pp)
    # Under PP a stage's weights stay gathered for the step; else each block is gathered
    # for every forward and backward.
    gathers = stage if s.pp > 1 else 2 * stage * s.accum
    for f in run.frames[:3] + run.frames[-3:]:
        # bf16 weights gathered; gradients reduced in fp32: twice the bytes.
        for name, value, width in (
            ("AllGather", f.all_gather, 2),
            ("ReduceScatter", f.reduce_scatter, 4),
        ):
            if value is None:
                if s.dp > 1:
                    out.append(f"step {f.step}: FSDP over DP {s.dp} shows no {name}")
                continue
            per_layer = width / 2 * _per_layer_bytes(s)
            small = 0.0  # NCCL's latency floor, which only a tiny collective feels
            if s.method != "full":  # frozen weights gathered; the adapters' grads reduced
                adapters = s.trainable / s.layers / s.tp  # of one layer's TP shard
                per_layer = (
                    FROZEN_BYTES[s.method] * s.params / s.layers / s.tp + 4 * adapters
                    if name == "AllGather"
                    else 4 * adapters
                )
                small = 0.1e-3 if name == "ReduceScatter" else 0.0
            moved = (group - 1) / group * per_layer if group > 1 else 0.0
            if value > 0 and moved > 0:
                bandwidth = moved / (value / 1000) / 1e9
                low, high = dp_link
                # A latency-bound collective may be slower than bytes / link, up to the floor.
                slowest = moved / (moved / (low * 1e9) + small) / 1e9
                if not within(bandwidth, value, slowest, high):
                    out.append(
                        f"step {f.step}: [NCCL] {name}: {value}ms for {moved / 1e6:,.0f} MB a "
                        f"layer is {bandwidth:,.0f} GB/s (link {low:.0f}-{high:.0f})"
                    )
            calls = gathers if name == "AllGather" else stage
            if value / 1000 * calls > step:
                out.append(f"step {f.step}: {name} {value}ms x {calls} calls > step {step:.1f}s")
        out += _replica_all_reduce(f, s, stage, step)
        if f.tp_named_all_reduce is not None:
            # The memory line's activations are 34 s b h / TP: sequence parallelism, whose
            # TP collectives are reduce-scatters and all-gathers (Korthikanti et al. 2022,
            # arXiv 2205.05198, §4.2.2), not all-reduces.
            out.append(f"step {f.step}: AllReduce(TP) under sequence parallelism")
        if s.tp > 1:
            if f.tp_all_reduce is None:
                out.append(f"step {f.step}: TP {s.tp} but no AllGather(TP)/ReduceScatter(TP)")
            else:
                moved = 2 * (s.tp - 1) / s.tp * 2 * s.seq_len * s.micro * s.hidden
                bandwidth = moved / (f.tp_all_reduce / 1000) / 1e9
                low, high = s.gpu.ring  # under sequence parallelism: rings, not NVLS
                if not within(bandwidth, f.tp_all_reduce, low, high):
                    out.append(
                        f"step {f.step}: AllReduce(TP): {f.tp_all_reduce}ms for {moved / 1e6:,.0f} "
                        f"MB is {bandwidth:,.0f} GB/s (NVLink rings {low:.0f}-{high:.0f})"
                    )
                # Two a layer in forward, two in backward, the forward's again when it is
                # recomputed (full activation checkpointing).
                full = run.fact("parallel").group("ac") == "full"
                calls = (6 if full else 4) * stage * s.accum
                if f.tp_all_reduce / 1000 * calls > step:
                    out.append(
                        f"step {f.step}: {calls} TP all-reduces of {f.tp_all_reduce}ms > step"
                    )
                # Each joins the matmuls around it: hidden only by an opt-in overlap (Megatron's
                # --tp-comm-overlap, torchtitan's async TP) that no run here names.
                # (each of the pair is shown rounded: 0.04ms is 0.035-0.045; 4,352 of them
                # carry that rounding 4,352 times: seed 536870911's 0.08 over 299.0 ms)
                each = f.tp_all_reduce / 2
                half = 0.005 if each < 1 else 0.05 if each < 100 else 0.5
                least = max(0.0, f.tp_all_reduce - 2 * half)
                if f.exposed is not None and f.exposed < 0.9 * least * calls:
                    out.append(
                        f"step {f.step}: Exposed {f.exposed}ms/step hides part of {calls} TP "
                        f"all-reduces of {f.tp_all_reduce}ms, which no overlap the run names hides"
                    )
        elif f.tp_all_reduce is not None:
            out.append(f"step {f.step}: TP collectives shown without tensor parallelism")
        if f.exposed is not None and f.exposed / 1000 > step:
            out.append(f"step {f.step}: Exposed {f.exposed}ms/step > step {step:.1f}s")
        # The gathers and reduce-scatters share one link (and the experts' all-to-alls, where
        # they cross the same one): however well they overlap compute, the link cannot carry
        # more than a step's time. Past that, "hidden" is impossible (REALISM.md: a per-layer
        # collective x layers must fit in the step), at ±5 % jitter.
        on_link = (f.all_gather or 0.0) * gathers + (f.reduce_scatter or 0.0) * stage
        a2a_across = s.moe and s.ep > 8
        if s.moe and f.all_to_all is not None and a2a_across == (not inside):
            on_link += f.all_to_all * 4 * math.ceil(MOE[s.arch][4] / s.pp) * s.accum
        if on_link / 1000 > 1.05 * step:
            out.append(
                f"step {f.step}: {gathers} AllGathers of {f.all_gather}ms + {stage} "
                f"ReduceScatters of {f.reduce_scatter}ms on one link take "
                f"{on_link / 1000:.2f}s, more than the {step:.2f}s step (Exposed {f.exposed}ms)"
            )
        # Nothing hides the first gather and the last reduce-scatter.
        ends = (f.all_gather or 0.0) + (f.reduce_scatter or 0.0)
        if f.exposed is not None and s.dp > 1 and f.exposed < 0.8 * ends:
            out.append(
                f"step {f.step}: Exposed {f.exposed}ms is less than the first gather and "
                f"the last reduce-scatter ({f.all_gather}ms + {f.reduce_scatter}ms)"
            )
    # A flat FSDP group of hundreds of ranks cannot hide a small model's gathers: people
    # shard within a node or a few and replicate across (HSDP).
    if s.params < 30e9 and group * s.tp > 256:
        out.append(f"a {s.params / 1e9:.0f}B model sharded flat over {group} ranks (use HSDP)")
    pairs = [(f.all_gather, f.reduce_scatter) for f in run.frames if f.all_gather]
    if s.method != "full":  # only adapters have gradients: a tiny reduce-scatter
        for gather, scatter in pairs:
            if scatter and scatter > 0.2 * gather + 0.2:
                out.append(
                    f"ReduceScatter {scatter}ms vs AllGather {gather}ms: only the adapters' "
                    f"gradients are reduced ({s.trainable / 1e6:,.1f}M parameters), not the "
                    f"frozen weights'"
                )
                break
        pairs = []
    for gather, scatter in pairs:
        if scatter and not 1.6 <= scatter / gather <= 2.5:
            out.append(
                f"ReduceScatter {scatter}ms vs AllGather {gather}ms: an fp32 reduce moves twice "
                f"the bytes of the bf16 gather"
            )
            break
    if len(pairs) >= 4 and len(set(pairs)) == 1:
        out.append(f"collective times identical in every redraw: {pairs[0]}")
    # (Only where three digits are shown: "1.1ms" and "2.0ms" repeat by rounding alone.)
    distinct = {(g, r) for g, r in pairs if g >= 10 and r}
    ratios = {round(scatter / gather, 3) for gather, scatter in distinct}
    if len(distinct) >= 4 and len(ratios) == 1:
        out.append(f"ReduceScatter always {ratios.pop()} x AllGather: each jitters on its own")
    return out[:5]


@check("MoE: experts as released, EP splits them, all-to-all from bytes, router as released")
def _experts(run: Run, s: Setup) -> list[str]:
    out: list[str] = []
    line = run.facts.get("moe")
    if not s.moe:
        if line is not None:
            out.append(f"{line.group(0)!r} for the dense {s.arch}")
        if any(f.aux_loss is not None or f.all_to_all is not None for f in run.frames) or any(
            x.aux_loss is not None for x in run.step_lines
        ):
            out.append(f"router losses or all-to-alls shown for the dense {s.arch}")
        return out
    if line is None:
        return [f"{s.arch} is a mixture of experts, but no MoE line says so"]
    active, _, experts, top_k, layers = MOE[s.arch]
    shown = (int(line.group("experts")), int(line.group("top_k")), int(line.group("layers")))
    if shown != (experts, top_k, layers):
        out.append(
            f"{line.group(0)!r}: {s.arch} has {experts} experts, top-{top_k}, {layers} layers"
        )
    if abs(float(line.group("active")) * 1e9 - active) > 0.01 * active:
        out.append(f"{line.group(0)!r}: {s.arch} has {active / 1e9:g}B active parameters")
    if line.group("whole") is not None:
        # Adapter recipes wrap the whole model in FSDP (peft; torchtune's LoRAGroupedExperts):
        # each GPU gathers every expert of a block and nothing is dispatched.
        if s.method == "full" or s.ep != 1:
            out.append(f"{line.group(0)!r}: a full {s.arch} run splits its experts by EP")
        if any(f.all_to_all is not None for f in run.frames):
            out.append(f"{line.group(0)!r}, yet an AllToAll(EP) is shown")
        return (out + _router_losses(run, s, line))[:5]
    ep = int(line.group("ep"))
    if ep != s.ep or s.dp % ep or experts % ep:
        out.append(f"{line.group(0)!r}: EP {ep} must divide DP {s.dp} and {experts} experts")
    across = ep > 8
    if line.group("link") != ("IB" if across else "NVLink"):
        out.append(f"{line.group(0)!r}: EP {ep} runs over {'IB' if across else 'NVLink'}")
    # Dispatch (or combine) of one micro batch in one layer: tokens x hidden x top-k x 2 bytes,
    # (EP-1)/EP of it leaving the GPU. Only DeepSeek-V3's router limits a token to 4 nodes
    # (report 2.1.2; config.json n_group 8, topk_group 4), which is what spreads its experts
    # across nodes: a plain top-k router (Qwen3-MoE, Mixtral, Llama 4) keeps them in a node
    # and sends every copy (review-realism9 F5).
    if across and s.arch not in NODE_LIMITED:
        out.append(f"{line.group(0)!r}: {s.arch}'s top-{top_k} router has no node limit")
    copies = min(top_k, NODE_LIMITED[s.arch]) if across and s.arch in NODE_LIMITED else top_k
    moved = (ep - 1) / ep * s.micro * s.seq_len * s.hidden * copies * 2
    low, high = experts_link(s)
    step = step_seconds(run, s)
    calls = 4 * math.ceil(layers / s.pp) * s.accum
    dualpipe = run.fact("parallel").group("dualpipe") is not None
    for f in run.frames[:3] + run.frames[-3:]:
        if f.all_to_all is None:
            out.append(f"step {f.step}: EP {ep} but no AllToAll(EP) shown")
            break
        bandwidth = moved / (f.all_to_all / 1000) / 1e9 if f.all_to_all else math.inf
        if not within(bandwidth, f.all_to_all, low, high):
            out.append(
                f"step {f.step}: AllToAll(EP): {f.all_to_all}ms for {moved / 1e6:,.0f} MB is "
                f"{bandwidth:,.0f} GB/s (link {low:.0f}-{high:.0f})"
            )
        if f.all_to_all / 1000 * calls > step:
            out.append(f"step {f.step}: {calls} all-to-alls of {f.all_to_all}ms > step {step:.1f}s")
        # Each dispatch lands before its experts compute and each combine before the next
        # layer: with the standard all-to-all dispatcher (no DualPipe-style overlap named),
        # every one is on the critical path (DeepSeek-V3 report, 3.2.1), so it is exposed;
        # DualPipe runs it under the paired chunk's compute, all but the warm-up's and
        # cool-down's (about PP/2 of the m micro batches).
        # (the warm-up's share is approximate: a quarter's slack beside the 10 % of jitter)
        exposed_share = 0.75 * min(1.0, s.pp / 2 / s.accum) if dualpipe else 1.0
        if f.exposed is not None and f.exposed < 0.9 * f.all_to_all * calls * exposed_share:
            out.append(
                f"step {f.step}: Exposed {f.exposed}ms/step leaves out {calls} all-to-alls of "
                f"{f.all_to_all}ms ({f.all_to_all * calls / 1000:.2f}s), which nothing overlaps"
            )
    return (out + _router_losses(run, s, line))[:5]


def _router_losses(run: Run, s: Setup, line: re.Match[str]) -> list[str]:
    """The router's balancing as released, and its loss at every step shown."""
    out: list[str] = []
    balance, coeff, bias = ROUTERS[s.arch]
    shown_bias = float(line.group("bias")) if line.group("bias") else None
    if (line.group("balance"), float(line.group("coeff")), shown_bias) != (balance, coeff, bias):
        out.append(
            f"{line.group(0)!r}: {s.arch} trains with a {balance} loss of coefficient {coeff:g}"
            + (f" beside auxiliary-loss-free balancing (bias update {bias:g})" if bias else "")
        )
    losses = [f.aux_loss for f in run.frames] + [x.aux_loss for x in run.step_lines]
    if any(x is None for x in losses):
        out.append("a step shows no load-balancing loss")
    low, high = (coeff * bound for bound in BALANCE_TERM)
    for value in losses:
        # Printed to four significant digits: within half a unit of the last.
        if value is not None and not low * 0.9995 <= value <= high * 1.0005:
            out.append(
                f"aux loss {value:.3e}: {s.arch}'s coefficient {coeff:g} x a balance term "
                f"near 1 sits in {low:.3e}-{high:.3e}"
            )
            break
    return out


@check("LoRA: r x (in + out) per targeted matrix, a fraction of a percent, on a node or two")
def _adapters(run: Run, s: Setup) -> list[str]:
    line = run.facts.get("lora")
    if line is None:
        return []
    out = []
    if s.kind != "sft" or s.arch not in LORA_SHAPES:
        out.append(f"{line.group(0)!r}: adapters here fine-tune the models of LORA_SHAPES")
        return out
    ffn, head_dim = LORA_SHAPES[s.arch]
    kv = int(run.fact("size").group("kv"))
    q, kvd, d = s.heads * head_dim, kv * head_dim, s.hidden
    mlps = LORA_EXPERTS.get(s.arch, 1)  # PEFT adapts each expert's Linear modules
    per_layer = (d + q) + 2 * (d + kvd) + (q + d) + mlps * (2 * (d + ffn) + (ffn + d))
    rank = int(line.group("rank"))
    mlp = LORA_MLP_NAMES.get(s.arch, ["gate_proj", "up_proj", "down_proj"])
    if line.group("targets").split(", ") != ["q_proj", "k_proj", "v_proj", "o_proj", *mlp]:
        out.append(f"{line.group(0)!r}: the recipe targets every linear layer of the blocks")
    expected = rank * per_layer * s.layers
    if s.trainable != expected:
        out.append(f"{line.group(0)!r}: r x (in + out) x layers = {expected:,}")
    total = number(line.group("total"))
    if abs(total - (s.params + s.trainable)) > 0.006 * s.params:
        out.append(f"{line.group(0)!r}: the model has {s.params:,.0f} parameters")
    # A few percent where every one of 128 experts has its adapters (Qwen3-30B-A3B: 2.7 %).
    share = 0.03 if s.moe else 0.01
    if not shown_as(100 * s.trainable / total, line.group("pct")) or s.trainable >= share * total:
        out.append(f"{line.group(0)!r}: adapters are a fraction of a percent")
    frozen = "4-bit NF4" if s.method == "qlora" else "bf16"
    if not line.group("frozen").startswith(frozen):
        out.append(f"{line.group(0)!r}: {line.group('label')} keeps its frozen weights {frozen}")
    if s.gpus > 16:
        out.append(f"{line.group(0)!r} on {s.gpus} GPUs: adapters are trained on a node or two")
    return out


# Schedules and curves


@check("LR: linear warm-up, cosine to 10 % of the printed peak, at every step shown")
def _lr(run: Run, s: Setup) -> list[str]:
    out = []
    line = run.fact("optimizer").group(0)
    if not shown_as(s.peak_lr * 0.1, run.fact("optimizer").group("floor")):
        out.append(f"{line!r}: the floor is 10 % of the peak")
    if not 1 <= s.warmup <= max(1, s.total_steps // 4):
        out.append(f"{line!r}: warm-up of {s.warmup} steps out of {s.total_steps}")
    if s.kind != "sft" and not min(100, s.total_steps // 10) <= s.warmup <= 5000:
        out.append(f"{line!r}: warm-up of a few hundred to a few thousand steps")
    if s.kind == "sft" and s.method == "full" and not 1e-5 <= s.peak_lr <= 2e-5:
        out.append(f"{line!r}: full fine-tuning peaks at 1e-5 to 2e-5")
    if s.method != "full" and not 1e-4 <= s.peak_lr <= 2e-4:
        out.append(f"{line!r}: LoRA and QLoRA train at 1e-4 to 2e-4")
    arch = run.fact("building").group("arch")
    if s.kind == "pretrain" and arch in OLMO2_RECIPE:
        batch, peak, warmup = OLMO2_RECIPE[arch]
        if s.peak_lr != peak:
            out.append(f"{line!r}: {arch}'s recipe peaks at {peak:.0e}")
        if s.warmup != min(warmup, s.total_steps // 4):
            out.append(f"{line!r}: {arch}'s recipe warms up over {warmup} steps")
        if s.seqs != batch and not (s.dp > batch and s.accum == 1):  # more ranks than it
            out.append(f"{s.seqs} sequences a step: {arch}'s recipe takes {batch}")
    elif s.kind == "pretrain":
        low, high = (1.5e-4, 6e-4) if s.params < 30e9 else (1e-4, 3e-4)
        if not low <= s.peak_lr <= high:
            out.append(f"{line!r}: a {s.params / 1e9:.0f}B pre-training peaks near 3e-4/1.5e-4")
    # The peak is printed to two digits: any peak that prints so is the schedule's.
    half = half_unit(run.fact("optimizer").group("peak"))
    peaks = (s.peak_lr - half, s.peak_lr + half)
    for f in run.frames:
        values = [schedule(s, k, p) for k in (f.step - 1, f.step, f.step + 1) for p in peaks]
        shown, slack = float(f.lr), half_unit(f.lr) * 1.0001
        if not min(values) - slack <= shown <= max(values) + slack:
            out.append(f"step {f.step}: LR {f.lr}, schedule gives {schedule(s, f.step):.3e}")
    return out[:5]


@check("loss: starts as the kind does, ends in range; PPL = exp(loss) to the digits shown")
def _loss(run: Run, s: Setup) -> list[str]:
    out = []
    losses = run.losses()
    if (0, 1) not in losses:
        return ["step 1 never shown"]
    first = float(losses[(0, 1)])
    if s.kind == "pretrain":
        low = math.log(s.vocab)
        if not low - 0.05 <= first <= low + 0.55:
            out.append(f"step 1 loss {first} for vocab {s.vocab:,} (ln = {low:.2f}; +0-0.5)")
    elif s.kind == "sft":
        if not 1.2 <= first <= 2.0:
            out.append(f"step 1 loss {first} for sft (1.2-2.0)")
    else:
        domain = DOMAIN_CORPORA.get(s.dataset, "")
        low, high = DOMAIN_START.get(domain, (1.8, 2.4))
        if not low <= first <= high:
            out.append(f"step 1 loss {first} for continued pre-training on {domain} ({low}-{high})")
    final = run.summary.get("Final loss", "")
    found = re.match(r"([\d.]+) \(PPL ([\d.]+)\)", final)
    if found is None:
        out.append(f"summary Final loss {final!r}")
        return out
    loss, ppl = found.group(1), found.group(2)
    if not shown_as(math.exp(float(loss)), ppl):
        out.append(f"Final loss {final!r}: exp({loss}) = {math.exp(float(loss)):.4f}")
    last = max(losses)
    if losses[last] != loss:
        out.append(f"Final loss {loss} but the last step shown ({last[1]}) had {losses[last]}")
    metrics = run.export.get("Final metrics", "")
    if metrics and metrics != f"Loss={loss}, PPL={ppl}":
        out.append(f"Final metrics {metrics!r} vs summary {final!r}")
    end = {"pretrain": (1.6, 2.4), "sft": (0.6, 1.3)}.get(s.kind, (0.0, 9.0))
    if s.kind == "pretrain":
        # REALISM.md's 1.6-2.4 is per token of a 32k vocabulary (the Chinchilla law's, Llama
        # 2's): a tokenizer that packs more text into a token has as much more loss per
        # token at the same bits per byte (docs/realism.md, "Loss per token").
        scale = chars_per_token(s.arch) / CHARS_PER_TOKEN["llama2"]
        end = (end[0] * scale, end[1] * scale)
    if s.total_steps == last[1] and not end[0] <= float(loss) <= end[1]:
        out.append(f"{s.kind} ends at loss {loss} ({end[0]}-{end[1]})")
    # A released model already knows most of a domain: the loss falls by a few to 15 %.
    if s.kind == "continue" and not first * 0.8 <= float(loss) < first:
        out.append(f"continued pre-training from {first} to {loss}: a little lower")
    for e in run.evaluations:
        if e.loss and not shown_as(math.exp(float(e.loss)), e.ppl):
            out.append(
                f"Val Loss: {e.loss} | Val PPL: {e.ppl}: exp = {math.exp(float(e.loss)):.4f}"
            )
    return out


@check("grad norm: 1-5 at the start of a fine-tune, 5-50 when pre-training starts")
def _grad_norm(run: Run, s: Setup) -> list[str]:
    start = next((f for f in run.frames if (f.attempt, f.step) == (0, 1)), None)
    if start is None:
        return []
    low, high = (5.0, 50.0) if s.kind == "pretrain" else (1.0, 5.0)
    if not low <= start.grad_norm <= high:
        return [f"step 1 Grad Norm: {start.grad_norm} for {s.kind} ({low}-{high})"]
    return []


@check("a clipped-gradient warning names a norm over the clip, the one its step shows")
def _clipped(run: Run, s: Setup) -> list[str]:
    out = []
    for n in run.notices:
        found = re.search(r"step (\d+): grad_norm ([\d.]+) above clip ([\d.]+)", n.text)
        if found is None:
            continue
        step, norm, clip = int(found.group(1)), float(found.group(2)), float(found.group(3))
        if norm <= clip:  # clip_grad_norm_ scales only a total norm over max_norm
            out.append(f"{n.text!r}: {norm} is not above {clip}")
        for f in run.frames:
            if f.step == step and f.attempt == 0 and abs(f.grad_norm - norm) > 0.006:
                out.append(f"{n.text!r}: step {step} shows Grad Norm {f.grad_norm}")
    return out


@check("SFT: train loss drops at each epoch boundary")
def _sft_epochs(run: Run, s: Setup) -> list[str]:
    if s.kind != "sft":
        return []
    out = []
    frames = run.frames
    for epoch in range(1, s.epochs):
        edge = epoch * s.steps_per_epoch
        span = max(1, s.steps_per_epoch // 5)
        before = [float(f.loss) for f in frames if edge - span < f.step <= edge]
        after = [float(f.loss) for f in frames if edge < f.step <= edge + span]
        if (
            len(before) >= 2
            and len(after) >= 2
            and statistics.mean(after) >= statistics.mean(before)
        ):
            out.append(
                f"epoch {epoch} -> {epoch + 1}: loss {statistics.mean(before):.4f} before the "
                f"boundary, {statistics.mean(after):.4f} after"
            )
    return out


@check("epoch bars: each step under the epoch it is in, 0-100 % through it")
def _epoch_bars(run: Run, s: Setup) -> list[str]:
    """A resume from a save of an earlier epoch trains that epoch again (transformers'
    Trainer: epochs_trained = global_step // num_update_steps_per_epoch): its steps are drawn
    under their own epoch's bar, never under the later one's with a negative percentage
    (issue 17, seed 11189 --failures 2: steps 2,001-2,038 under `Epoch 3/3` at -4 %)."""
    out = []
    for f in run.frames:
        epoch = (f.step - 1) // s.steps_per_epoch + 1
        done = (f.step - (epoch - 1) * s.steps_per_epoch) / s.steps_per_epoch
        if f.epoch != epoch or f.percent is None or f.percent != math.floor(done * 100):
            out.append(f"step {f.step} under Epoch {f.epoch}/{f.epochs} at {f.percent} %")
    return out[:5]


# Evaluation


IN_LOOP = re.compile(
    r"\[Validation\] step ([\d,]+) \| Val Loss: ([\d.]+) \| Val PPL: ([\d.]+) \| "
    r"Eval time: ([\d.]+)s$"
)


@check("validation during training: a long pre-training run evaluates as it goes")
def _in_loop_validation(run: Run, s: Setup) -> list[str]:
    """REALISM.md's evaluation: a run of days evaluates its held-out set during training (OLMo
    every 1,000 steps, Megatron's examples --eval-interval 1000), not once at its end
    (review-realism10 N3); each held-out loss near the training loss of its step, its PPL
    exp(loss)."""
    out = []
    found = [m for _, text in run.stamps if (m := IN_LOOP.match(text))]
    days = total_seconds(run) / 86400
    if s.kind != "sft" and days >= 3 and not found:
        out.append(f"{days:.1f} days of {s.kind} with no evaluation before its end")
    losses = {line.step: float(line.loss) for line in run.step_lines}
    for m in found:
        step, loss = number(m[1]), float(m[2])
        if not shown_as(math.exp(loss), m[3]):
            out.append(f"{m[0]!r}: PPL is not exp({loss})")
        near = [v for k, v in losses.items() if abs(k - step) <= max(100, step // 20)]
        if near and min(abs(loss - v) for v in near) > 0.1:
            out.append(f"{m[0]!r}: the training loss near it is {near[:3]}")
    return out


@check("replayed evaluations: the same weights on the same held-out set, the same loss")
def _replayed_evaluations(run: Run, s: Setup) -> list[str]:
    """A step trained again after a resume evaluates the weights its first pass evaluated
    (the save resumed from holds them; data order and seed restored): an epoch's end shows
    its block again with its first Val Loss and scores, an in-loop evaluation its first loss,
    and an epoch's end is never an in-loop line (issue 17: seed 11189 --failures 2 showed
    epoch 2's end as `[Validation] step 2,038 | Val Loss: 0.7915` after its block's 1.0532)."""
    out = []
    first: dict[int, tuple[str, dict[str, str]]] = {}
    for e in run.evaluations:
        seen = first.setdefault(e.epoch, (e.loss, e.metrics))
        if seen != (e.loss, e.metrics):
            out.append(f"epoch {e.epoch}: {e.loss} {e.metrics} after {seen[0]} {seen[1]}")
    in_loop: dict[int, str] = {}
    for _, text in run.stamps:
        if (m := IN_LOOP.match(text)) is None:
            continue
        step = int(number(m[1]))
        if s.steps_per_epoch and step % s.steps_per_epoch == 0:
            out.append(f"{m[0]!r}: an epoch's end shown as an in-loop evaluation")
        if in_loop.setdefault(step, m[2]) != m[2]:
            out.append(f"{m[0]!r}: step {step} evaluated at {in_loop[step]} before")
    return out


# What a generation fine-tune's references hold, in tokens (copied from the sources, not from
# the generator): XSum's summaries 23.26 words (arXiv 1808.08745, Table 1), CNN/DailyMail's
# highlights 56 (arXiv 1704.04368), each about 1.3 Llama 2 tokens a word; a WMT16 ro-en
# sentence about 25 words. transformers' run_summarization.py and run_translation.py cap an
# output at max_target_length 128.
REFERENCE_TOKENS = {"XSum": 23.26 * 1.3, "CNN-DailyMail": 56 * 1.3, "WMT16-ro-en": 25 * 1.3}
MAX_NEW_TOKENS = 128


@check("generation: ROUGE and BLEU after the decoding of their outputs, memory-bound")
def _generation(run: Run, s: Setup) -> list[str]:
    """review-realism13 G2: ROUGE and BLEU score generated outputs, and decoding is bound by
    memory bandwidth: each step of a batch reads every weight once. A rank's batches of the
    Gen line's size run one after another, each at least its outputs' mean length in steps
    and at most max_new_tokens; a step reads the rank's part of the bf16 weights (4-bit for
    QLoRA) at no more than the datasheet's HBM bandwidth, and (gathering the rest over
    NVLink or InfiniBand where sharded) at no less than a fifth of it."""
    out: list[str] = []
    for e in run.evaluations:
        scored = {"ROUGE-1", "BLEU"} & set(e.metrics)
        if not scored:
            continue
        if not e.generated or not e.generation_seconds:
            out.append(f"epoch {e.epoch}: {sorted(scored)[0]} with no outputs generated")
            continue
        batch = 8  # TrainingArguments.per_device_eval_batch_size's default
        batches = math.ceil(e.generated / (s.dp * batch))
        weights = s.params * (0.5 if s.method == "qlora" else 2.0) / (s.tp * s.pp)
        fastest = weights / (s.gpu.hbm * 1e9)
        low = batches * REFERENCE_TOKENS[s.dataset] * fastest
        gather = weights / (min(s.gpu.ib[0], s.gpu.ring[0]) * 1e9)
        high = batches * MAX_NEW_TOKENS * (5 * fastest + gather) + 0.05 * e.seconds + 1
        if not low <= e.generation_seconds <= high:
            out.append(
                f"epoch {e.epoch}: {e.generated:,} outputs in {batches} batches a rank: "
                f"Gen time {e.generation_seconds}s outside {low:.1f}-{high:.1f}s"
            )
    return out


# The held-out split each fine-tuning set's card ships, in examples (copied from the Hugging
# Face hub cards' split tables, not from the generator): HuggingFaceH4/ultrachat_200k
# test_sft 23,110; abisee/cnn_dailymail 3.0.0 validation 13,368; EdinburghNLP/xsum
# validation 11,332 (arXiv 1808.08745); wmt/wmt16 ro-en validation 1,999 (newsdev2016).
# OpenHermes-2.5, SlimOrca, Tulu-3-SFT-Mix and MetaMathQA ship a train split alone.
VALIDATION_SPLITS = {"UltraChat-200k": 23_110, "CNN-DailyMail": 13_368, "XSum": 11_332,
                     "WMT16-ro-en": 1_999}  # fmt: skip
# The train split of each set that ships one alone (the cards' split lists: teknium/
# OpenHermes-2.5 1,001,551 rows, Open-Orca/SlimOrca 517,982, allenai/tulu-3-sft-mixture
# 939,344, meta-math/MetaMathQA 395,000): a fine-tune holds its examples out of it and trains
# on the rest (trl's sft.py reads a 'test' split while it evaluates).
TRAIN_ONLY_SPLITS = {"OpenHermes-2.5": 1_001_551, "SlimOrca": 517_982,
                     "Tulu-3-SFT-Mix": 939_344, "MetaMathQA": 395_000}  # fmt: skip


@check("held-out set: a fine-tune's examples from its split, its time the forward of its rows")
def _held_out_set(run: Run, s: Setup) -> list[str]:
    """review-realism13 E2: a fine-tune holds out examples of its set's validation split, never
    more than the split holds, packed as its training rows are (the batch line's examples a
    sequence); its Eval time is the forward of those rows, a third of a training token's
    FLOPs for a full fine-tune (2N + 4·L·d·s of 6N + 12·L·d·s: Kaplan et al. 2020, arXiv
    2001.08361), about a half for LoRA and QLoRA (2N of 4N), at the run's own tokens/s."""
    out: list[str] = []
    if s.kind != "sft" or not run.evaluations:
        return out
    e = run.evaluations[0]
    split = VALIDATION_SPLITS.get(s.dataset)
    packed = run.fact("batch").group("packed")
    per_row = number(packed) / s.seqs if packed else 1.0
    # the rows hold whole examples, the set's last row partly filled
    held = max(e.examples, round((e.samples - 1) * per_row))
    whole = TRAIN_ONLY_SPLITS.get(s.dataset)
    if whole is not None and (s.examples + s.held != whole or s.held != e.examples):
        out.append(
            f"{s.dataset} ships a train split alone ({whole:,}): it trains on "
            f"{s.examples:,} examples and holds out {s.held:,}, evaluating on {e.examples:,}"
        )
    if split is not None and held > split:
        out.append(
            f"{e.samples:,} samples of {per_row:.1f} examples: {held:,} examples held out of "
            f"{s.dataset}'s {split:,}-example split"
        )
    if (
        packed
        and e.examples
        and not ((e.samples - 1) * per_row * 0.95 <= e.examples <= e.samples * per_row * 1.05)
    ):
        out.append(
            f"{e.samples:,} samples of {per_row:.1f} examples each hold "
            f"{e.samples * per_row:,.0f} examples, not the {e.examples:,} held out"
        )
    frames = steady_frames(run)
    if frames:
        rate = statistics.median(f.tokens_per_second for f in frames)
        share = 3.0 if s.method == "full" else 2.0
        expected = e.samples * s.seq_len / (share * rate)
        for ev in run.evaluations:
            if not 0.88 * expected - 0.1 <= ev.seconds <= 1.12 * expected + 0.1:
                out.append(
                    f"epoch {ev.epoch}: Eval time {ev.seconds}s for {ev.samples:,} rows of "
                    f"{s.seq_len} at {share:.0f}x {rate:,.0f} tokens/s: {expected:.1f}s"
                )
                break
    return out


@check("validation: fixed held-out set, val loss by kind, metrics that fit the kind")
def _validation(run: Run, s: Setup) -> list[str]:
    out = []
    if len({e.samples for e in run.evaluations}) > 1:
        out.append(f"held-out set changes size: {[e.samples for e in run.evaluations]}")
    # A pre-training run's held-out set is a few million tokens, whatever the cluster (not
    # 20,000 sequences, 164 M tokens and 74 minutes of one node: review-realism3 WARN 10).
    for e in run.evaluations[:1]:
        held_out = e.samples * s.per_seq
        if s.kind != "sft" and held_out > 20e6:
            out.append(
                f"Evaluating on {e.samples:,} samples: {held_out / 1e6:,.0f} M tokens held out "
                f"(fixed sets are a few million tokens)"
            )
    for e in run.evaluations:
        if not e.loss:
            out.append(f"epoch {e.epoch}: no Val Loss shown")
            continue
        # Against the last training loss shown, or the mean of the last three (noise).
        shown = e.train_losses[-3:]
        near = [shown[-1], statistics.mean(shown)] if shown else []
        if s.kind != "sft" and near and min(abs(float(e.loss) - x) for x in near) > 0.05:
            out.append(
                f"epoch {e.epoch}: Val Loss {e.loss} vs the training loss last shown {shown}"
            )
        for name, value in e.metrics.items():
            v = float(value)
            if s.kind != "sft":
                arch = run.fact("building").group("arch")
                card = PUBLISHED_DOMAIN.get((arch, name))
                if name in DOMAIN_METRICS and s.kind == "continue" and card is not None:
                    domain = DOMAIN_CORPORA.get(s.dataset, "")
                    if domain != DOMAIN_METRICS[name]:
                        out.append(f"epoch {e.epoch}: {name} on a {domain or s.dataset} corpus")
                    # Llemma's and Code Llama's gains: about a third of the way to 100 %
                    # for a weak base over 200B tokens, a few points for a strong one.
                    elif not card - 0.05 <= v <= card + 0.35 * (1 - card) ** 2 + 0.02:
                        out.append(
                            f"epoch {e.epoch}: {name}: {value} continuing {arch} (published "
                            f"{card}: it starts there and rises by what the run can teach)"
                        )
                    continue
                if name in GENERATION_METRICS or name not in BENCHMARK_CHANCE:
                    out.append(f"epoch {e.epoch}: {name}: {value} on {s.kind}")
                    continue
                carded = (arch, name) in PUBLISHED_COMMONSENSE or (
                    name == "MMLU" and arch in PUBLISHED_MMLU
                )
                if s.kind == "continue" and not carded:
                    # docs/realism.md: a released model's benchmark is its card's figure, or
                    # none (a curve's ARC-c sat 13-30 points under the cards': review-realism3).
                    out.append(f"epoch {e.epoch}: {name}: {value} continuing {arch}: no published")
                    continue
                if s.kind == "continue" and (arch, name) in PUBLISHED_COMMONSENSE:
                    base = PUBLISHED_COMMONSENSE[(arch, name)]
                    # what the corpus's mix takes (CODE_MOVES: Code Llama against Llama 2,
                    # review-realism13 K1), then the run's small drift and a spike's 0.05
                    moved = base + mix_move(s, name, e.epoch)
                    if not moved - 0.05 <= v <= moved + 0.02:
                        out.append(
                            f"epoch {e.epoch}: {name}: {value} continuing {arch} ({base}, "
                            f"{moved:.3f} after {s.total_tokens_text} of {s.dataset})"
                        )
                    continue
                if s.kind == "continue" and name == "MMLU" and arch in PUBLISHED_MMLU:
                    base = PUBLISHED_MMLU[arch]
                    # Code costs general knowledge: Code Llama 70B, 1T tokens mostly code,
                    # 56.4 against Llama 2 70B's 68.9 (review-realism11 N2): up to 0.13 by
                    # 1T code tokens (the square root of the tokens), less a spike's 0.05.
                    lost = 0.05
                    if DOMAIN_CORPORA.get(s.dataset) == "code":
                        lost += 0.13 * math.sqrt(min(1.0, tokens(s.total_tokens_text) / 1e12))
                    if not base - lost <= v <= base + 0.02:
                        out.append(
                            f"epoch {e.epoch}: MMLU: {value} continuing {arch} (published "
                            f"{base}: it starts there and moves a little)"
                        )
                    continue
                ceiling = benchmark_ceiling(name, s.params)
                if not BENCHMARK_CHANCE[name] - 0.02 <= v <= ceiling:
                    out.append(
                        f"epoch {e.epoch}: {name}: {value} for a {s.params / 1e9:.0f}B model "
                        f"(chance {BENCHMARK_CHANCE[name]}, best {ceiling})"
                    )
            else:
                if name in GENERATION_METRICS and s.task not in GENERATION_TASKS:
                    out.append(f"epoch {e.epoch}: {name} on a {s.task} fine-tune")
                bounds = {"BLEU": (5, 45), "ROUGE-1": (0.2, 0.5), "ROUGE-2": (0.05, 0.3),
                          "ROUGE-L": (0.15, 0.47), "Token Acc": (0.4, 0.9),
                          "GSM8K": (0.05, 0.97)}.get(name, (0.0, 1.0))  # fmt: skip
                if not bounds[0] <= v <= bounds[1]:
                    out.append(f"epoch {e.epoch}: {name}: {value} outside {bounds}")
                published = GENERATION_BEST.get((s.dataset, name))
                if published is not None and not 0.85 * published <= v <= published:
                    out.append(
                        f"epoch {e.epoch}: {name}: {value} on {s.dataset} (the best published "
                        f"plain fine-tune scores {published}; review-realism12 G1)"
                    )
        if {"ROUGE-1", "ROUGE-2", "ROUGE-L"} <= set(e.metrics):
            r1, r2, rl = (float(e.metrics[k]) for k in ("ROUGE-1", "ROUGE-2", "ROUGE-L"))
            if not r2 < rl <= r1 or rl < 0.78 * r1:
                out.append(
                    f"epoch {e.epoch}: ROUGE-1/2/L {r1}/{r2}/{rl}: ROUGE-L sits a few points "
                    f"under ROUGE-1 (BART: 45.1/22.3/37.3 XSum, 44.2/21.3/40.9 CNN/DM)"
                )
    vals = [float(e.loss) for e in run.evaluations if e.loss]
    # Chat and math recipes make 1-3 passes, and a second pass still lowers the held-out
    # loss (zephyr 1, Tulu 3 2, Alpaca and MetaMath 3; Llama-3-8B on UltraChat-200k:
    # 1.0696, 1.0405, 1.0691): review-realism10 N5 saw 4-5 passes, validation rising in each.
    # Summaries and translations alike (review-realism11 N5: 4-5 passes of CNN-DailyMail,
    # validation rising from the second; transformers' summarization and translation
    # examples train the Trainer's default 3).
    if s.kind == "sft":
        if s.epochs > 3:
            out.append(f"{s.epochs} epochs of a {s.task} fine-tune (recipes: 1-3)")
        if len(vals) >= 2 and vals[1] >= vals[0]:
            out.append(f"SFT Val Loss rising from the first pass: {vals}")
    if s.kind == "sft" and len(vals) >= 3:
        for epoch in range(2, len(vals)):  # from epoch 3 on, no longer falling
            if vals[epoch] < vals[epoch - 1] - 0.01:
                out.append(f"SFT Val Loss still falling at epoch {epoch + 1}: {vals}")
                break
    evals = [e for e in run.evaluations if e.loss]
    for a, b in itertools.pairwise(evals):
        drop = float(a.loss) - float(b.loss)
        for name in set(a.metrics) & set(b.metrics):
            change = float(b.metrics[name]) - float(a.metrics[name])
            scale = 0.5 if name == "BLEU" else 0.015
            # A math fine-tune's test accuracy keeps rising over epochs even where the
            # held-out loss rises (the model grows confident on the templated answers).
            rises = s.kind == "sft" and name == "GSM8K"
            # Code continued pre-training: the held-out loss is the code corpus's, and it
            # falls as general knowledge is lost (Code Llama 70B's MMLU 56.4 against Llama 2
            # 70B's 68.9: review-realism11 N2); how far MMLU may fall is bounded above.
            costs = (
                s.kind == "continue"
                and name in ("MMLU", *CODE_MOVES)
                and DOMAIN_CORPORA.get(s.dataset) == "code"
                and change < 0 < drop
            )
            if (
                abs(drop) > 0.03
                and change * drop < 0
                and abs(change) > scale
                and not (rises or costs)
            ):
                out.append(
                    f"{name} {a.metrics[name]} -> {b.metrics[name]} as loss {a.loss} -> {b.loss}"
                )
    return out


# REALISM.md, "Evaluation": GSM8K after a MetaMath SFT (Yu et al. 2023) or, where higher,
# the model's own published score (copied here from the sources, not from the generator).
PUBLISHED_MATH_SFT = {"Llama-2-7B": 0.665, "Llama-2-13B": 0.723, "Mistral-7B": 0.777,
                      "Qwen2-7B": 0.799, "Llama-3-8B": 0.796, "Llama-3-70B": 0.93,
                      "Qwen2.5-7B": 0.854, "Llama-3.1-8B": 0.845}  # fmt: skip
# The best published plain fine-tune (one model, maximum likelihood, no re-ranking) of each
# generation set, on its test split (copied from the papers, not from the generator):
# PEGASUS-large (HugeNews; arXiv 1912.08777, Table 1) CNN/DM 44.17 / 21.47 / 41.11 and XSum
# 47.21 / 24.56 / 39.25, T5-11B's CNN/DM ROUGE-2 21.55 (arXiv 1910.10683, Table 14), BART's
# WMT16 ro-en 37.96 BLEU (arXiv 1910.13461, Table 6). BART-large's CNN/DM 44.16 / 21.28 /
# 40.90 and XSum 45.14 / 22.27 / 37.25 sit under them; a score may fall 15 % short (a 3B
# decoder's first pass), never above (review-realism12 G1: ROUGE-2 0.22-0.25 on CNN/DM).
GENERATION_BEST = {
    ("CNN-DailyMail", "ROUGE-1"): 0.4417, ("CNN-DailyMail", "ROUGE-2"): 0.2155,
    ("CNN-DailyMail", "ROUGE-L"): 0.4111, ("XSum", "ROUGE-1"): 0.4721,
    ("XSum", "ROUGE-2"): 0.2456, ("XSum", "ROUGE-L"): 0.3925, ("WMT16-ro-en", "BLEU"): 37.96,
}  # fmt: skip
# What 1T tokens of code alone take from a released model's general benchmarks, by the
# square root of the tokens (copied from the sources, not from the generator): Code Llama
# 70B (Llama 2 70B on 1T tokens mostly code, arXiv 2308.12950) on the Open LLM Leaderboard,
# HellaSwag 77.24 and ARC-c 55.03 (codellama/CodeLlama-70b-Instruct-hf card), against Llama
# 2 70B on the leaderboard's metrics, 86.9 and 67.2 (llm360.ai/evaluation.html). review-
# realism13 K1: 250B StarCoderData tokens took 5.9 points of DeepSeek-V3's MMLU and left its
# HellaSwag at the card's 0.889.
CODE_MOVES = {"HellaSwag": (77.24 - 86.9) / 100, "ARC-c": (55.03 - 67.2) / 100}


def mix_move(s: Setup, benchmark: str, epoch: int | None = None) -> float:
    """How far a continued pre-training's mix moves `benchmark` by the end of `epoch` (by
    the run's end where not told)."""
    if DOMAIN_CORPORA.get(s.dataset) != "code" or benchmark not in CODE_MOVES:
        return 0.0
    done = (epoch or s.epochs) / s.epochs
    return CODE_MOVES[benchmark] * math.sqrt(min(1.0, tokens(s.total_tokens_text) * done / 1e12))


# Corpora of a domain, for continued pre-training (and the name suffix that promises each).
DOMAIN_CORPORA = {"OpenWebMath": "math", "Proof-Pile-2": "math", "StarCoderData": "code",
                  "peS2o": "science", "Cosmopedia": "textbooks"}  # fmt: skip
# A released model's first loss on a domain corpus, per token of its own tokenizer: code and
# LaTeX/worked mathematics sit far below web prose (The Pile, arXiv 2101.00027: its
# per-component bits per byte put GitHub and ArXiv among the lowest, Pile-CC among the
# highest); papers a little below, synthetic textbooks between. General text is 1.9-2.45
# for the catalogue's models (docs/realism.md, "Continued pre-training loss").
DOMAIN_START = {"code": (0.8, 1.35), "math": (1.2, 1.9), "science": (1.5, 2.3),
                "textbooks": (1.2, 1.8)}  # fmt: skip
PROMISES = {"-Math": ("math", "MetaMathQA"), "-Code": ("code",), "-Science": ("science",)}


@check("plausibility: a fine-tune's task metric near the recipe's published result, rising")
def _published(run: Run, s: Setup) -> list[str]:
    out = []
    arch = run.fact("building").group("arch")
    evals = [e for e in run.evaluations if e.metrics]
    scores = [float(e.metrics["GSM8K"]) for e in evals if "GSM8K" in e.metrics]
    if s.kind == "sft" and scores:
        target = PUBLISHED_MATH_SFT.get(arch)
        if target is not None and not target - 0.07 <= scores[-1] <= target + 0.05:
            out.append(f"GSM8K {scores[-1]:.3f} after a math SFT of {arch} (published {target})")
        if any(b < a - 0.01 for a, b in itertools.pairwise(scores)):
            out.append(f"GSM8K over the epochs {scores}: a math SFT's accuracy rises")
        # docs/realism.md: a fine-tune starts from its base, so never scores below the base's
        # own published score (OLMo-2-13B's 75.1 % on its card).
        base = PUBLISHED_DOMAIN.get((arch, "GSM8K"))
        if base is not None and min(scores) < base:
            out.append(f"GSM8K {scores} after a math SFT of {arch}: its base scores {base}")
    return out


@check("plausibility: the name promises only the data the run uses; domain corpora")
def _promises(run: Run, s: Setup) -> list[str]:
    out = []
    name = run.fact("building").group("name")
    domain = DOMAIN_CORPORA.get(s.dataset, s.task if s.kind == "sft" else "")
    for suffix, domains in PROMISES.items():
        if name.endswith(suffix) and domain not in domains and s.dataset not in domains:
            out.append(f"{name} trains on {s.dataset}: its name promises {suffix[1:]}")
    if s.kind == "continue" and s.dataset not in DOMAIN_CORPORA:
        out.append(f"continued pre-training on {s.dataset}: generic web text, not a domain corpus")
    return out


@check("loss spikes recover within hundreds of steps; never permanently higher")
def _spikes(run: Run, s: Setup) -> list[str]:
    losses = sorted((step, float(v)) for (attempt, step), v in run.losses().items())
    out = []
    for (a, before), (b, peak) in itertools.pairwise(losses):
        if peak - before < 0.12 or b - a > 50:
            continue
        later = [v for step, v in losses if b + 300 <= step]
        if later and min(later[:5]) > before + 0.06:
            out.append(f"loss {before} at step {a}, {peak} at {b}, still {min(later[:5])} later")
    return out[:3]


@check("logging: every 1-100 steps; a cast shows fewer lines, not a longer interval")
def _log_interval(run: Run, s: Setup) -> list[str]:
    firsts = first_steps(run)
    steps = sorted(
        {(x.attempt, x.step) for x in run.step_lines if (x.attempt, x.step) not in firsts}
    )
    gaps = [b[1] - a[1] for a, b in itertools.pairwise(steps) if a[0] == b[0] and b[1] > a[1]]
    if len(gaps) < 2:
        return []
    every = min(gaps)
    if every > 100:
        return [f"step lines at least {every} steps apart: jobs log every 1-100 steps"]
    # (An epoch's last step is logged too, as trainers do at the end of a pass.)
    odd = [step for _, step in steps if step % every and step % s.steps_per_epoch]
    return [f"step {odd[0]} is off the logging interval of {every} steps"] if odd else []


# Checkpoints and storage


@check("checkpoints: step-based, regular, timed by size / bandwidth, the last step saved")
def _checkpoints(run: Run, s: Setup) -> list[str]:
    out = []
    line = run.fact("checkpoints").group(0)
    step = step_seconds(run, s)
    interval_hours = s.every * step / 3600
    by_epoch = s.kind == "sft" and s.every == s.steps_per_epoch  # fine-tunes save each epoch
    if not (500 <= s.every <= 2000 or 1 - 0.05 <= interval_hours <= 3 + 0.05 or by_epoch):
        out.append(f"{line!r}: every {s.every} steps is {interval_hours:.2f} h")
    per_node = s.storage_gbps / s.nodes
    if s.nodes >= 16:
        if not 50 <= s.storage_gbps <= 500:
            out.append(f"{line!r}: {s.nodes} nodes get 50-500 GB/s aggregate")
    elif not 2 - 0.5 <= per_node <= 10 + 0.5:
        out.append(f"{line!r}: {per_node:.1f} GB/s a node (2-10)")
    if s.method != "full":  # the adapters' fp32 weights and Adam moments: 12 bytes each
        if abs(s.checkpoint_gb - 12 * s.trainable / 1e9) > 0.05 + 0.005 * s.checkpoint_gb:
            out.append(f"{line!r}: an adapter checkpoint is 12 bytes x {s.trainable:,.0f}")
    elif not 14 * s.params / 1e9 * 0.995 <= s.checkpoint_gb <= 16 * s.params / 1e9 * 1.005:
        out.append(f"{line!r}: a checkpoint is 14-16 bytes x {s.params / 1e9:.1f}B")
    expected = s.checkpoint_gb / s.storage_gbps
    times = []
    for save in run.saves:
        where = f"save of step {save.step} ({save.seconds}s)"
        if save.pending:  # a background write a failure ended: it has no time
            continue
        if abs(save.size_gb - s.checkpoint_gb) > 0.001 * s.checkpoint_gb + 0.05:
            out.append(f"{where}: {save.size_gb} GB vs {s.checkpoint_gb} GB each")
        if save.optimizer_gb is not None:
            # Adam's state is part of the save: 12 bytes (fp32 master and two moments) of each
            # weight, or for adapters their two fp32 moments alone (8 bytes; the frozen weights
            # have requires_grad=False: PEFT's LoRA guide, QLoRA section 3).
            state = 8 * s.trainable if s.method != "full" else 12 * s.params
            if save.optimizer_gb > save.size_gb or (
                abs(save.optimizer_gb - state / 1e9) > 0.06 + 0.005 * state / 1e9
            ):
                out.append(
                    f"{where}: optimizer state {save.optimizer_gb} GB of a {save.size_gb} GB "
                    f"save (Adam of what trains: {state / 1e9:.2f} GB)"
                )
        # Never faster than the storage the log names, plus torch.distributed.checkpoint's
        # fixed costs (planning, metadata, files: seconds for hundreds of ranks).
        overhead = 1.0 + 0.003 * s.gpus
        floor = s.checkpoint_gb / (s.storage_gbps + half_unit(s.storage_text)) + overhead
        ceiling = s.checkpoint_gb / max(s.storage_gbps - half_unit(s.storage_text), 1e-9)
        if not floor - 0.05 <= save.seconds <= 1.35 * ceiling + 1.3 * overhead + 5:
            out.append(
                f"{where}: size / bandwidth = {expected:.1f}s, plus {overhead:.1f}s of planning "
                f"and metadata for {s.gpus} ranks, 0-35 % slower"
            )
        if save.gbps and save.gbps > s.storage_gbps + half_unit(s.storage_text) + 0.05:
            out.append(f"{where}: {save.gbps} GB/s on storage of {s.storage_text} GB/s")
        if save.blocking is not None:
            shard = s.checkpoint_gb / s.gpus
            if save.blocking < shard / 25 + overhead - 0.05:
                out.append(
                    f"{where}: blocked {save.blocking}s to stage {shard:.2f} GB a GPU at "
                    f"10-25 GB/s plus {overhead:.1f}s of planning"
                )
        times.append(save.seconds)
        # A save is called written when its write has ended, not before (review-realism8
        # FAIL 2): after the step it saves, its wait for the write before, and the write.
        stepped = [x.at for x in run.step_lines if (x.attempt, x.step) == (save.attempt, save.step)]
        if save.at is not None and stepped:
            early = (stepped[0] - save.at).total_seconds() + save.waited + save.seconds
            if early > 1.0:
                out.append(f"{where}: logged as written {early:.0f}s before its write could end")
        if not save.path.endswith(f"step-{save.step}"):
            out.append(f"{where} written to {save.path}")
        if save.blocking is not None and not 0 < save.blocking - save.waited <= min(
            30.0, save.seconds
        ):
            out.append(f"{where}: async save blocks {save.blocking}s")
        if save.blocking is None and save.step != s.total_steps:
            # The header says async: every save but the last step's (written before the job
            # goes on: torchtitan v0.2.0 checkpoint.py:497 `_save_last_step`) blocks only
            # while it stages, an epoch's end too.
            out.append(f"{where}: an async save blocks for its whole write")
        edge = save.step % s.steps_per_epoch == 0
        if save.blocking is not None and save.step % s.every and not edge:
            out.append(f"{where}: not a multiple of {s.every}")
    # Storage's few per cent of jitter shows at the log's 0.1 s only on saves of seconds:
    # an adapter's 2 s save can print 2.0s three times running. Three saves of 16 s can too,
    # about once in 3,000 runs (each within the 0.1 s of the first, out of a 0-35 % spread:
    # seed 287573); four alike are the constant this looks for.
    if len(times) >= 4 and len(set(times)) == 1 and times[0] >= 5.0:
        out.append(f"every save takes {times[0]}s")
    ends = {save.step for save in run.saves if save.at is None}
    for epoch in range(1, s.epochs + 1):
        if epoch * s.steps_per_epoch not in ends and run.summary.get("Steps", "").startswith(
            f"{s.total_steps:,} of"
        ):
            out.append(f"no save at the end of epoch {epoch} (step {epoch * s.steps_per_epoch})")
    last = run.saves[-1] if run.saves else None
    named = run.summary.get("Checkpoint", "none saved").replace(" ", "").rstrip("/")
    if last is None or named != last.path:
        out.append(f"summary Checkpoint {named!r}, last saved {last.path if last else None!r}")
    complete = run.summary.get("Steps", "").startswith(f"{s.total_steps:,} of")
    if last is not None and complete and last.step != s.total_steps:
        out.append(f"the last step {s.total_steps} is not saved (last: {last.step})")
    return out[:6]


@check("start: from scratch initializes, others load at storage read speed")
def _start(run: Run, s: Setup) -> list[str]:
    out = []
    init, load = run.facts.get("init"), run.facts.get("load")
    if s.kind == "pretrain":
        if load is not None:
            out.append(f"from scratch, yet {load.group(0)!r}")
        if init is None:
            out.append("from scratch, yet no 'Initializing weights from scratch' line")
        elif float(init.group("seconds")) > 15:
            out.append(f"{init.group(0)!r}: a sharded random init takes seconds")
        return out
    if load is None:
        return [f"{s.kind} run loads no checkpoint"]
    size, seconds = gigabytes(load.group("gb")), float(load.group("seconds"))
    if abs(size - 2 * s.params / 1e9) > 0.005 * size + 0.1:
        out.append(f"{load.group(0)!r}: bf16 weights are 2 x {s.params / 1e9:.1f}B bytes")
    expected = size / s.storage_gbps
    fastest, slowest = storage_seconds(size, s)
    if not fastest <= seconds <= slowest + 20:  # plus building the model: up to 20 s
        out.append(
            f"{load.group(0)!r}: {size:.1f} GB at {s.storage_gbps:g} GB/s takes {expected:.1f}s"
        )
    return out


# Dates, hosts and readings


@check("dates: torch and model released before the log, GPU in service, CUDA/NCCL of torch")
def _dates(run: Run, s: Setup) -> list[str]:
    out = []
    p = run.fact("precision")
    torch = p.group("torch")
    version, _, build = torch.partition("+")
    day = s.start.date()
    released = TORCH_RELEASED.get(version)
    if released is None:
        out.append(f"{p.group(0)!r}: unknown torch {version}")
    elif released > day:
        out.append(f"{p.group(0)!r}: torch {version} came out {released}, the log is {day}")
    if s.gpu.since > day:
        out.append(f"{s.gpu_name} on {day}: in service from {s.gpu.since}")
    arch = run.fact("building").group("arch")
    if arch in RELEASED and RELEASED[arch] >= day:
        out.append(f"{arch} on {day}: its weights came out on {RELEASED[arch]}")
    cuda = p.group("cuda")
    if build and build != "cu" + cuda.replace(".", ""):
        out.append(f"{p.group(0)!r}: torch built for {build}, CUDA {cuda}")
    minor = ".".join(version.split(".")[:2])
    if minor in TORCH_NCCL and p.group("nccl") not in TORCH_NCCL[minor]:
        out.append(f"{p.group(0)!r}: torch {minor} ships NCCL {sorted(TORCH_NCCL[minor])}")
    version_line = next((line for line in run.nccl if "NCCL version" in line), "")
    build = NCCL_BUILD.get(p.group("nccl"), cuda)
    if run.nccl and f"NCCL version {p.group('nccl')}+cuda{build}" not in version_line:
        out.append(f"{version_line!r} vs {p.group(0)!r}")
    if s.gpu_name == "B200" and tuple(int(x) for x in cuda.split(".")) < (12, 8):
        out.append(f"{p.group(0)!r}: B200 needs CUDA 12.8")
    banner = re.match(r"W(\d\d)(\d\d) (\d\d:\d\d:\d\d)", run.banner)
    if banner:
        when = datetime.strptime(f"{s.start.year}{banner.group(1)}{banner.group(2)} "
                                 f"{banner.group(3)}", "%Y%m%d %H:%M:%S")  # fmt: skip
        if not timedelta(0) <= s.start - when <= timedelta(minutes=1):
            out.append(f"torchrun banner at {when} but the log starts {s.start}")
    return out


@check("timestamps never go backwards; total time counts everything shown")
def _timestamps(run: Run, s: Setup) -> list[str]:
    out = []
    previous = None
    for at, message in run.stamps:
        if previous is not None and at < previous[0]:
            out.append(f"[{at}] {message[:60]!r} after [{previous[0]}] {previous[1][:60]!r}")
        previous = (at, message)
    total = total_seconds(run)
    if run.stamps:
        span = (run.stamps[-1][0] - run.stamps[0][0]).total_seconds()
        if total < span - 1:
            out.append(f"Time {run.summary.get('Time')!r} < the log's own span {span:.0f}s")
        if s.total_steps and run.summary.get("Steps", "").startswith(f"{s.total_steps:,} of"):
            step = step_seconds(run, s)
            last_step = max((line.step for line in run.step_lines), default=0)
            after_step = max((line.at for line in run.step_lines), default=run.stamps[0][0])
            tail = (s.total_steps - last_step) * step * 1.05
            tail += sum(e.pause for e in run.evaluations) + sum(
                save.waited + save.seconds for save in run.saves if save.at is None
            )
            tail += 2 * s.params / 1e9 / s.storage_gbps + 120  # the export
            end = (after_step - run.stamps[0][0]).total_seconds() + tail
            if total > end + 60:
                out.append(f"Time {run.summary.get('Time')!r}: the log accounts for {end:.0f}s")
    if run.export.get("Total training time") != run.summary.get("Time"):
        out.append(
            f"Total training time {run.export.get('Total training time')!r} vs summary "
            f"{run.summary.get('Time')!r}"
        )
    return out[:5]


@check("step times: timestamps between step lines follow the step time")
def _step_times(run: Run, s: Setup) -> list[str]:
    out = []
    step = step_seconds(run, s)
    lines = run.step_lines
    evaluated = [
        (number(m[1]), float(m[4])) for _, text in run.stamps if (m := IN_LOOP.match(text))
    ]
    for a, b in itertools.pairwise(lines):
        if a.attempt != b.attempt or a.step == 1 or b.step <= a.step:
            continue
        elapsed = (b.at - a.at).total_seconds()
        low = (b.step - a.step) * step * 0.97 - 1
        pauses = sum(
            (save.blocking or save.seconds) for save in run.saves if a.step <= save.step < b.step
        )
        pauses += sum(
            e.pause for e in run.evaluations if a.step <= e.epoch * s.steps_per_epoch < b.step
        )
        pauses += 3 * sum(1 for n in run.notices if a.at <= n.at <= b.at) + 3
        # the evaluations inside an epoch, each after its step (its stated Eval time)
        pauses += sum(seconds for at, seconds in evaluated if a.step <= at < b.step)
        high = (b.step - a.step) * step * 1.03 + pauses + 1
        if not low <= elapsed <= high:
            out.append(
                f"step {a.step} at {a.at:%H:%M:%S}, step {b.step} at {b.at:%H:%M:%S}: "
                f"{elapsed:.0f}s for {b.step - a.step} steps of {step:.2f}s"
            )
    return out[:3]


def _host_index(run: Run, host: str) -> int | None:
    """The node `host` is in the job: its own, or the drained node's whose place it took."""
    for f in run.failures:
        if f.spare and host == f.spare:
            return _host_index(run, f.drained)
    master = run.fact("rendezvous").group("master")
    prefix = master.rsplit("-", 1)[0]
    found = re.fullmatch(re.escape(prefix) + r"-(\d{3})", host)
    return int(found.group(1)) if found else None


@check("a drained node never comes back: its spare runs in its place")
def _drained(run: Run, s: Setup) -> list[str]:
    out = []
    master = run.fact("rendezvous").group("master")
    for f in run.failures:
        if not f.drained or f.restart_at is None:
            continue
        # The cast is typed at the first node's shell, which hosts the rendezvous too: a
        # fault that takes that node out ends the session (review-realism3 fault 5).
        if f.drained in (run.prompt_host, master):
            out.append(
                f"{f.drained} taken out of the job, yet the session's shell and the "
                f"rendezvous are on it"
            )
        if f.endpoint and f.endpoint.split(":")[0] != master:
            out.append(f"spare {f.spare} joined a rendezvous at {f.endpoint}, not {master}")
        if not f.spare or f.spare == f.drained:
            out.append(f"{f.drained} drained, replaced by {f.spare!r}")
        named = re.compile(rf"\b{re.escape(f.drained)}\b")
        for later in run.failures:
            if later.xid_at > f.restart_at and later.host == f.drained:
                out.append(f"{f.drained} drained at {f.restart_at}, fails again at {later.xid_at}")
        for n in run.notices:
            if n.at > f.restart_at and named.search(n.text):
                out.append(f"{f.drained} drained at {f.restart_at}, named later: {n.text!r}")
        if f.spare and re.fullmatch(r".*-(\d{3})", f.spare):
            own = int(f.spare.rsplit("-", 1)[1])
            if own < s.nodes:
                out.append(f"spare {f.spare} is already one of the job's {s.nodes} nodes")
    return out


@check("hosts, ranks, GPUs and readings named anywhere exist in the run")
def _hosts(run: Run, s: Setup) -> list[str]:
    out = []
    master = run.fact("rendezvous").group("master")
    if run.prompt_host != master or _host_index(run, master) != 0:
        out.append(f"prompt on {run.prompt_host!r}, master_addr={master}")
    for line in run.nccl:
        if not line.startswith((master + ":", "NCCL version ")):
            out.append(f"{line[:50]!r} on rank 0 is not on {master}")
            break
    low_t, high_t = s.gpu.celsius
    for n in run.notices:
        for rank in re.findall(r"rank (\d+)", n.text):
            if int(rank) >= s.gpus:
                out.append(f"{n.text!r}: rank {rank} of {s.gpus}")
        for host in re.findall(r"\(([A-Za-z]+-\d+)[ )]", n.text):
            index = _host_index(run, host)
            ranks = [int(r) for r in re.findall(r"rank (\d+)", n.text)]
            if index is None or index >= s.nodes or any(r // 8 != index for r in ranks):
                out.append(f"{n.text!r}: host {host} (nodes {master}.. x{s.nodes})")
        gpu = re.search(r"GPU (\d+)\)", n.text)
        rank_found = re.search(r"rank (\d+)", n.text)
        if gpu and rank_found and int(gpu.group(1)) != int(rank_found.group(1)) % 8:
            out.append(
                f"{n.text!r}: rank {rank_found.group(1)} is GPU {int(rank_found.group(1)) % 8}"
            )
        celsius = re.search(r"(\d+)°C", n.text)
        if celsius and not low_t <= int(celsius.group(1)) <= high_t:
            out.append(f"{n.text!r}: {s.gpu_name} runs at {low_t}-{high_t} °C")
        watts = re.search(r"(\d+) W\b", n.text)
        if watts and not s.gpu.watts[0] <= int(watts.group(1)) <= s.gpu.watts[1]:
            out.append(f"{n.text!r}: {s.gpu_name} draws {s.gpu.watts[0]}-{s.gpu.watts[1]} W")
        median = re.search(r"vs median ([\d.]+)s", n.text)
        if (
            median
            and abs(float(median.group(1)) - step_seconds(run, s))
            > 0.03 * float(median.group(1)) + 0.01
        ):
            out.append(f"{n.text!r}: median step is {step_seconds(run, s):.2f}s")
    for f in run.frames:
        covered = len(f.gpus) + (f.rest[0] if f.rest else 0)
        if covered != s.nodes:
            out.append(f"step {f.step}: GPU status covers {covered} nodes of {s.nodes}")
        for i, (a, b, util, temp) in enumerate(f.gpus):
            if (a, b) != (8 * i, 8 * i + 7) or b >= s.gpus:
                out.append(f"step {f.step}: [GPU {a}-{b}] on a {s.gpus}-GPU cluster")
            if not 95 <= util <= 100 or not low_t <= temp <= high_t:
                out.append(f"step {f.step}: [GPU {a}-{b}: {util}% util, {temp}°C]")
        if f.rest and not low_t <= f.rest[1] <= f.rest[2] <= high_t:
            out.append(f"step {f.step}: [+{f.rest[0]} nodes ... {f.rest[1]}-{f.rest[2]}°C]")
        if out:
            break
    return out[:5]


@check("GPU temperatures drift slowly under a steady load")
def _temperatures(run: Run, s: Setup) -> list[str]:
    """The same GPUs under the same load hold their temperature within a few degrees over
    hours (the Llama 3 paper, 3.3.4: a 1-2 % diurnal throughput swing from temperature);
    REALISM.md's 50-75 °C is a range across GPUs and clusters, not a draw per redraw."""
    seen: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for f in run.frames:
        for a, b, _, temp in f.gpus:
            seen.setdefault((a, b), []).append((f.step, temp))
    out = []
    for (a, b), readings in seen.items():
        temps = [temp for _, temp in readings]
        if max(temps) - min(temps) > 8:
            hot, cold = max(readings, key=lambda r: r[1]), min(readings, key=lambda r: r[1])
            out.append(
                f"[GPU {a}-{b}]: {cold[1]}°C at step {cold[0]}, {hot[1]}°C at step {hot[0]} "
                f"under the same load"
            )
    return out[:5]


# Failures and resume


def _expert_shard_numels(numels: tuple[int, int], op: str, s: Setup, where: str) -> list[str]:
    """An FSDP collective of a mixture of experts moves one block of this TP rank without
    the routed experts where EP splits them (each expert lives whole on one EP rank:
    DeepSeek-V3 report 3.2; Megatron-Core's expert-data-parallel group), as the step line's
    AllGather carries: review-realism4 fault 2 saw all 256 of DeepSeek-V3's experts gathered,
    20 GiB a GPU."""
    routed = MOE[s.arch][1] if s.ep > 1 else 0.0
    block = (s.params - 2 * s.vocab * s.hidden - routed) / s.layers / s.tp
    whole = max(numels) if op == "_ALLGATHER_BASE" else numels[0]
    if abs(whole - block) > 0.02 * block:
        return [
            f"{where}: {op} of {whole:,} elements; one block with {s.ep} EP ranks' share of "
            f"the experts is {block:,.0f}"
        ]
    return []


def _watchdog(f: Failure, s: Setup, where: str) -> list[str]:
    """A peer's watchdog timeout, after a hang (or a death no agent restarts from)."""
    out = []
    if f.watchdog_rank >= s.gpus or f.watchdog_rank < 0:
        out.append(f"{where}: watchdog on rank {f.watchdog_rank} of {s.gpus}")
    if f.watchdog_rank == f.rank:
        out.append(f"{where}: the faulty rank {f.rank} times itself out; its peers do")
    # Under sequence parallelism (the memory line's activations / TP) the TP group gathers
    # and scatters a micro batch's activations, a TP-th of the sequence a rank (Korthikanti
    # et al. 2022, arXiv 2205.05198, §4.2.2); it all-reduces none of them.
    activations = s.seq_len * s.micro * s.hidden
    tp_works = {
        "_ALLGATHER_BASE": (activations // s.tp, activations),
        "_REDUCE_SCATTER_BASE": (activations, activations // s.tp),
    }
    if f.numels is None or min(f.numels) <= 0:
        out.append(f"{where}: WorkNCCL(...) without NumelIn/NumelOut")
    elif s.tp > 1 and f.op == "ALLREDUCE":
        out.append(f"{where}: OpType=ALLREDUCE on the TP group under sequence parallelism")
    elif s.tp > 1 and tp_works.get(f.op) == f.numels:
        pass  # the TP group's gather or scatter
    elif s.moe and f.op in ("_ALLGATHER_BASE", "_REDUCE_SCATTER_BASE"):
        out += _expert_shard_numels(f.numels, f.op, s, where)
    if s.method != "full" and f.op == "_REDUCE_SCATTER_BASE" and f.numels:
        # Adapters on frozen weights reduce only the adapters' gradients: one block's, each
        # matrix's rows padded at most to the shard group by FSDP (lora_A's 16 rows to a
        # group of up to s.gpus; review-realism12 W1: a frozen block's 202,391,552 beside a
        # 0.21 ms ReduceScatter).
        block = s.trainable / s.layers
        if f.numels[0] > block * max(1.0, s.gpus / 16) + 14 * 16 * s.gpus:
            out.append(
                f"{where}: a LoRA run reduce-scatters {f.numels[0]:,} elements, its "
                f"block's adapters are {block:,.0f}"
            )
    if not f.took_down:
        out.append(f"{where}: the watchdog's rank never takes the process down")
    if f.timeout_ms != WATCHDOG_MS or f.ran_ms < WATCHDOG_MS:
        out.append(f"{where}: Timeout(ms)={f.timeout_ms} ran for {f.ran_ms} ms")
    gap = (f.watchdog_at - f.xid_at).total_seconds()
    if not 0 <= gap <= f.ran_ms / 1000 + 2:
        out.append(f"{where}: Xid at {f.xid_at}, watchdog at {f.watchdog_at}")
    return out


@check("failures: each node's torchrun agent spends its own --max-restarts")
def _restart_budgets(run: Run, s: Setup) -> list[str]:
    return budget_faults(run)


@check("failures: Xid, fatal watchdog, restart, back to the last checkpoint, time counted")
def _failures(run: Run, s: Setup) -> list[str]:
    out = [e for e in run.errors if "kernel log" in e][:1]
    lost_total = 0.0
    for f in run.failures:
        where = f"failure at step {f.step} ({f.watchdog_at})"
        words = XID_WORDS.get(f.xid)
        if f.xid == 0:  # a host lost: no GPU error, and it is replaced
            if f.cuda_error or f.monitor is not None or f.drained != f.host:
                out.append(f"{where}: {f.host} lost, yet {f.cuda_error!r} {f.monitor}")
        elif words is None or words not in f.xid_text.lower():
            out.append(f"{where}: Xid {f.xid} ({f.xid_text!r}) is not one that ends a job")
        elif f.xid in ERROR_XIDS and f.cuda_error != XID_CUDA_ERRORS[f.xid]:
            out.append(
                f"{where}: the faulty rank {f.rank} dies of {f.cuda_error!r}, not Xid "
                f"{f.xid}'s {XID_CUDA_ERRORS[f.xid]!r}"
            )
        elif f.xid not in ERROR_XIDS and f.cuda_error:
            out.append(f"{where}: Xid {f.xid} hangs its GPU, yet rank {f.rank} dies at once")
        index = _host_index(run, f.host)
        if f.rank < 0 and index is not None:  # a hang: the monitoring names host and GPU
            f.rank = index * 8 + f.gpu
        watchdog = f.watchdog_rank != -1
        if f.stopped_at is not None:
            if watchdog:
                out.append(f"{where}: the agent stopped the workers, yet a watchdog fired")
            if f.xid not in DYING_XIDS:
                out.append(f"{where}: Xid {f.xid} hangs, yet the agent stops the workers at once")
            if not 0 <= (f.stopped_at - f.xid_at).total_seconds() <= 1:
                out.append(f"{where}: died at {f.xid_at}, workers stopped at {f.stopped_at}")
        elif not watchdog:
            out.append(f"{where}: neither the agent nor a watchdog ends the workers")
        elif f.xid in DYING_XIDS and not f.requeued:
            # Only a torchrun past its restarts leaves another node's ranks to the watchdog.
            out.append(f"{where}: rank {f.rank} died, yet its peers wait for the watchdog")
        # A GPU that needs a reset fails every restart at CUDA initialisation until the
        # launch gives up (requeued without its node); a contained error's restart works.
        if f.xid in SAME_NODE_XIDS and f.init_failures:
            out.append(f"{where}: Xid {f.xid} is contained, yet restarts fail on its GPU")
        if f.xid not in SAME_NODE_XIDS and f.xid != 0 and not f.requeued:
            out.append(f"{where}: Xid {f.xid} needs a GPU reset, yet torchrun restarts on it")
        wrong = {e for e in f.init_errors if e != XID_CUDA_ERRORS.get(f.xid)}
        if wrong:
            out.append(
                f"{where}: restarts on Xid {f.xid}'s GPU fail with {sorted(wrong)}, not its "
                f"{XID_CUDA_ERRORS.get(f.xid)!r}"
            )
        if any((rank, host) != (f.rank, f.host) for _, rank, host in f.init_failures):
            out.append(f"{where}: restarts fail on {f.init_failures}, the fault was rank {f.rank}")
        if f.monitor is not None and f.monitor[:2] != (f.host, f.gpu):
            out.append(f"{where}: monitoring names {f.monitor}, the fault was {f.host} {f.gpu}")
        if index is None or index != f.rank // 8 or f.rank >= s.gpus or f.gpu != f.rank % 8:
            out.append(f"{where}: Xid on {f.host} GPU {f.gpu} (rank {f.rank}) of {s.nodes} nodes")
        if f.xid not in SAME_NODE_XIDS and f.drained != f.host:
            out.append(f"{where}: Xid {f.xid} takes {f.host} out, yet the job restarts on it")
        if watchdog:
            out += _watchdog(f, s, where)
        if f.restart_at is None:
            out.append(f"{where}: the job is not restarted")
            continue
        # A job started anew is not back within seconds: Slurm holds a requeued job for the
        # credential's lifetime (slurm.conf(5) cred_expire, 120 s) and a command typed again
        # waits for its operator (docs/realism.md, "Failures: when they strike, and how long a
        # relaunch takes"; review-realism8 WARN 7).
        ended = f.stopped_at or f.watchdog_at
        if f.requeued and (f.restart_at - ended).total_seconds() < REQUEUE_HOLD_SECONDS:
            out.append(f"{where}: started anew {f.restart_at - ended} after the workers ended")
        # An async save is logged when its write ends: one still writing when the rank died
        # never completes, and the job goes back to the one before it.
        saved = [
            v
            for v in run.saves
            if not v.pending
            and (v.at is None or v.at <= f.xid_at)
            and (v.written_at is None or v.written_at <= f.xid_at)
        ]
        # (a hang names no step: the one after the last shown is a lower bound)
        before = [
            v for v in saved if v.attempt < f.attempt and (v.step <= f.step or not f.step_named)
        ]
        early = f.step_named and not f.resume_step < f.step
        if early or f.step - f.resume_step > 2 * max(s.every, 1):
            out.append(f"{where}: resumes at step {f.resume_step}, checkpoints every {s.every}")
        if f.from_start:  # no complete save: it reads what the start read, at storage speed
            out.extend(_started_over(run, s, f, where, bool(before)))
        elif not before or (f.resume_path != before[-1].path and f.resume_step < before[-1].step):
            latest = before[-1].path if before else None
            out.append(f"{where}: resumes from {f.resume_path}, last saved {latest}")
        else:
            if not f.resume_path.endswith(f"step-{f.resume_step}"):
                out.append(f"{where}: Resuming from {f.resume_path} (step {f.resume_step})")
            if f.reloaded is None or f.reloaded_path != f.resume_path:
                out.append(f"{where}: no reload of {f.resume_path}")
            else:
                size, seconds = f.reloaded
                fastest, slowest = storage_seconds(size, s)
                if abs(size - s.checkpoint_gb) > 0.001 * size + 0.05 or not (
                    fastest <= seconds <= slowest + 20
                ):
                    out.append(
                        f"{where}: reloaded {size} GB in {seconds}s at {s.storage_gbps} GB/s"
                    )
        after = sorted(
            [(x.step, x.loss) for x in run.frames if x.attempt == f.attempt]
            + [(x.step, x.loss) for x in run.step_lines if x.attempt == f.attempt]
        )
        if not after or after[0][0] != f.resume_step + 1:
            first = after[0][0] if after else None
            out.append(
                f"{where}: first step shown after the restart: {first}, not {f.resume_step + 1}"
            )
        lost = seconds_of(f.lost)
        lost_total += lost
        save = next((v for v in run.saves if v.path == f.resume_path and v.at is not None), None)
        if save is not None and save.at is not None:
            # Each second is counted once (docs/realism.md "Time lost"): where an earlier
            # restart came after the save resumed from, its time is that restart's.
            kept = max(
                [save.at]
                + [g.restart_at for g in run.failures if g.restart_at and g.restart_at < f.xid_at]
            )
            low = (f.watchdog_at - kept).total_seconds() - 2
            resumed = [x.at for x in run.step_lines if x.attempt == f.attempt]
            # Lost counts from when training went on after the save blocked it, which is
            # before the write (the line's time) ended: at most its write time before it.
            began = (resumed[0] - save.at).total_seconds() + save.seconds if resumed else 0.0
            high = began + 2 if resumed else math.inf
            if not low <= lost <= high:
                out.append(
                    f"{where}: {f.lost!r} lost, but the checkpoint was saved at {save.at} and "
                    f"the workers were stopped at {f.watchdog_at}"
                )
    # The same data after a resume (the sampler's state is in the checkpoint): a replayed
    # step repeats its loss up to non-deterministic reductions (~1e-4).
    first_seen: dict[int, float] = {}
    for (attempt, step), loss in sorted(run.losses().items()):
        if step in first_seen and abs(float(loss) - first_seen[step]) > 2.5e-4:
            out.append(
                f"step {step} replayed by launch {attempt}: loss {loss}, was {first_seen[step]}"
            )
            break
        first_seen.setdefault(step, float(loss))
    attempts = [f.attempt for f in run.failures]
    if attempts != list(range(1, len(attempts) + 1)):
        out.append(f"restart attempts {attempts}")
    summary = run.summary.get("Failures")
    if run.failures:
        # From where the log resumed each time (review-realism10 N8): its checkpoints, or
        # the start when none was complete (`Resuming from the base model, no complete ...`).
        starts = sum(f.from_start for f in run.failures)
        start = "(?:the base model|scratch)"
        whence = (
            "checkpoints" if not starts
            else start if starts == len(run.failures)
            else f"checkpoints and {start}"
        )  # fmt: skip
        found = re.match(rf"(\d+) \(restarted from {whence}, (.+) lost\)", summary or "")
        if found is None or int(found.group(1)) != len(run.failures):
            out.append(f"summary Failures {summary!r} after {len(run.failures)} failures")
        elif abs(seconds_of(found.group(2)) - lost_total) > len(run.failures):
            out.append(f"summary {summary!r}: the failures lost {lost_total:.0f}s")
    elif summary is not None:
        out.append(f"summary Failures {summary!r} without a failure shown")
    return out


@check("summary: model, run, steps and tokens as the log showed them")
def _summary(run: Run, s: Setup) -> list[str]:
    out = []
    model = run.summary.get("Model", "")
    name = run.fact("building").group("name")
    params = run.fact("size").group("params")
    if model != f"{name} ({params}B params)":
        out.append(f"summary Model {model!r} vs {name}, {params}B parameters")
    label = next(k for k, v in KINDS.items() if v == s.kind)
    if run.summary.get("Run") != f"{label} on {s.dataset}":
        out.append(f"summary Run {run.summary.get('Run')!r} vs {label} on {s.dataset}")
    steps = re.match(r"([\d,]+) of ([\d,]+) \((\S+) tokens\)$", run.summary.get("Steps", ""))
    if steps is None:
        return [*out, f"summary Steps {run.summary.get('Steps')!r}"]
    done, total = int(number(steps.group(1))), int(number(steps.group(2)))
    if total != s.total_steps or done > total:
        out.append(f"summary Steps {steps.group(0)!r} of a {s.total_steps}-step run")
    trained = tokens(steps.group(3))
    slack = printed_tolerance(steps.group(3)) + 0.01 * trained
    if s.kind == "sft":  # packed: each epoch ends on a partly filled batch, and its rows
        # are 97-100 % full (trl's Best Fit Decreasing, docs/realism.md "Packed rows")
        slack += s.epochs * s.batch_tokens + 0.03 * done * s.batch_tokens
    if abs(trained - done * s.batch_tokens) > slack:
        out.append(f"summary Steps {steps.group(0)!r}: {done:,} steps x {s.batch_tokens:,.0f}")
    if done == total and steps.group(3) != s.total_tokens_text:
        out.append(f"summary Steps {steps.group(0)!r} vs Training line's {s.total_tokens_text}")
    return out


@check("no line reaches the last column")
def _wraps(run: Run, s: Setup) -> list[str]:
    return []  # checked on the screen itself: see `wrap_violations`


def wrap_violations(widest: int, widest_line: str, cols: int) -> list[str]:
    if widest > cols - 1:
        return [f"{widest} columns on a {cols}-column terminal: {widest_line!r}"]
    return []


@check("export: safetensors shards of at most 5 GB adding up to the bf16 weights")
def _export(run: Run, s: Setup) -> list[str]:
    out: list[str] = []
    if not run.shards:
        return out if "Total training time" not in run.export else ["no shards listed"]
    names = [name for name, _ in run.shards]
    if s.method == "qlora":  # the adapter alone, fp32
        expected = 4 * s.trainable / 1e9
        if names != ["adapter_model.safetensors"] or abs(run.shards[0][1] - expected) > 0.006:
            out.append(f"{run.shards}: a QLoRA run saves its adapter, {expected:.2f} GB")
        return out
    index = "model.safetensors.index.json" in run.export
    if names == ["model.safetensors"]:  # save_pretrained's one shard: the file, no index
        count = 1
        if index:
            out.append("one shard (model.safetensors) has no index file")
    else:
        count = int(names[0].split("-of-")[1].split(".")[0])
        if count == 1 or not index:  # huggingface_hub 0.36.0 serialization/_base.py:151-164
            out.append(
                f"{names[0]}: save_pretrained names one shard model.safetensors, no index,"
                " and indexes two or more"
            )
    more = run.export.get("more")
    listed = len(names) + (int(more.split()[1]) if more else 0)
    if listed != count:
        out.append(f"{count} shards named, {listed} listed")
    for name, size in run.shards:
        if size > 5.0:
            out.append(f"{name} {size} GB (at most 5 GB)")
    weights = 2 * s.params / 1e9
    if not (count - 1) * 4.0 <= weights <= count * 5.0 + 0.01:
        out.append(f"{count} shards for {weights:.1f} GB of bf16 weights")
    return out


# Across seeds


def unexplained(pairs: list[tuple[float, float]]) -> float:
    """Share of y's variance that no smooth function of x explains (about 1 when unrelated,
    near 0 when y is a fixed function of x, whatever its shape).

    Sorted by x, each y is compared with the mean of its two neighbours: for y = f(x) + noise
    the differences are the noise alone (times 1.5 for the neighbours' own noise)."""
    points = sorted(pairs)
    ys = [p[1] for p in points]
    if len(points) < 10 or statistics.pvariance(ys) == 0:
        return 1.0
    local = [ys[i] - (ys[i - 1] + ys[i + 1]) / 2 for i in range(1, len(ys) - 1)]
    return statistics.fmean(r * r for r in local) / 1.5 / statistics.pvariance(ys)


def expected_failures(run: Run, s: Setup) -> float:
    hours = s.total_steps * step_seconds(run, s) / 3600
    return s.gpus * hours / FAILURE_GPU_HOURS


def at_most_two(rate: float) -> float:
    """The mean failures a run at `rate` shows: all of them (Poisson, no cap)."""
    return rate


def caught(text: str, pattern: str, replacement: str) -> list[str]:
    """The checks that fail on the cast text `text` with one wrong thing put in (`pattern`
    replaced, as re.sub does; it must change the text): for tests that the checker sees it."""
    doctored = re.sub(pattern, replacement, text)
    assert doctored != text, f"{pattern!r} matches nothing"
    return list(violations(read_run(doctored)))
