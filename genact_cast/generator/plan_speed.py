"""How fast a layout trains: its batch, step time and MFU, from the kernels' share of the
GPU's peak less what communication cannot hide."""

import functools
import math

from genact_cast.generator import catalog, links, lora, moe, physics
from genact_cast.generator.catalog import Architecture, Gpu
from genact_cast.generator.layout import (
    Fit,
    Layout,
    expert_parallelism,
    layout_options,
)
from genact_cast.generator.traffic import traffic

# Global batch: tokens for pre-training kinds, sequences for fine-tuning.
BATCH = {"pretrain": (1e6, 16.8e6), "continue": (2e6, 16.8e6), "sft": (64, 512)}
# DeepSeek LLM's fit of the best batch size to the compute budget of a pre-training run,
# B_opt = 0.2920 * C^0.3271 tokens, C in FLOPs (Bi et al. 2024, arXiv 2401.02954, section 3.1,
# equation 1; C as the plan counts it, its FLOPs per token times its tokens, a little above
# the paper's non-embedding M * D, so the bound is a little looser). Published runs sit at or
# under it: DeepSeek LLM 7B 9.4M tokens (2,304 x 4,096) against 9.2M, OLMo 2 7B 4.2M (1,024 x
# 4,096; allenai/OLMo OLMo2-7B-stage1.yaml) against 12M, TinyLlama 1.1B 2.1M (1,024 x 2,048 on
# 3T tokens, arXiv 2401.02385) against 6M. A batch is a power of two of sequences, so the
# nearest one may sit up to sqrt(2) above the fit. Past it a run spends tokens on a batch too
# large for its budget: a model cannot use more data-parallel ranks than that batch holds
# sequences (review-realism9 F3: Llama 3.2 1B on 2,048 GPUs ran 16.8M tokens a step, against
# a B_opt of about 4.3M for its 1.1T tokens, with each GPU a quarter full).
B_OPT_COEFF, B_OPT_EXPONENT = 0.2920, 0.3271
B_OPT_TOLERANCE = math.sqrt(2)
# And the least a pre-training run of a model that size takes: 1M tokens at 1B, growing as
# the cube root of the parameters (of what a mixture of experts learns like,
# moe.effective_params). Published runs sit at or above it: TinyLlama 1.1B 2.1M; OLMo 2 7B
# 4.2M, 13B and 32B 8.4M (recipes.tsv); LLaMA 65B and Llama 2 70B 4M (arXiv 2302.13971
# Table 2, arXiv 2307.09288 section 2.2) against 4.1M at 70B; DeepSeek LLM 67B 18.9M
# (4,608 x 4,096; arXiv 2401.02954 Table 2); Llama 3 405B 4M rising to 16M (arXiv
# 2407.21783, 3.4.1) against 7.4M. Below it a large model took a small model's batch and
# ran for millions of steps (review-realism12 N11: a 72B from scratch at 2.1M tokens a
# step, 1,233,842 steps of 2.6T tokens; 155k-620k steps at 4.2-16.8M).
PRETRAIN_BATCH_AT_1B, PRETRAIN_BATCH_EXPONENT = 1e6, 1 / 3


def pretrain_batch_floor(arch: Architecture) -> float:
    """The least global batch, in tokens, of a from-scratch run of `arch`."""
    scale = float((moe.effective_params(arch) / 1e9) ** PRETRAIN_BATCH_EXPONENT)
    return PRETRAIN_BATCH_AT_1B * max(1.0, scale)


def batch_bound(flops_per_token: float, tokens: float) -> float:
    """The largest global batch, in tokens, of a pre-training run of `tokens` tokens."""
    compute = flops_per_token * tokens
    return float(B_OPT_TOLERANCE * B_OPT_COEFF * compute**B_OPT_EXPONENT)


# Bounded: its key holds each run's random draws, so `run --forever` added every run's
# layouts for good (~10 KB a run, review-attack9 item 10); one plan tries a few dozen.
@functools.lru_cache(maxsize=1024)
def planned_layout(
    arch: Architecture,
    kind: str,
    gpu: Gpu,
    gpus: int,
    seq: int,
    per_seq: int,
    buffers_gib: float,
    batch_draw: float,
    mfu_draw: float,
    packed: float = 1.0,
    method: str = "full",
    flat: bool = False,
    dualpipe: bool = False,
    max_micro: int = 0,
    max_tokens: float = 0.0,
    per_rank: bool = False,
    whole_weights: bool = False,
) -> tuple[Layout, float, float] | None:
    """The layout, steady MFU and cluster tokens/s of `arch` on `gpus`, or None
    (`dualpipe`: the framework can run DeepSeek-V3's schedule; `max_micro`: the largest
    micro batch to try, 0 for what the kind's batch allows; `per_rank`: a fine-tune's
    sequences are counted a data-parallel rank, see below; `whole_weights`: Megatron's
    distributed optimizer holds the state, lineup.whole_weights).

    `packed`: examples a sequence holds (fine-tunes pack several short examples into
    one sequence; their batch bounds count examples). `max_tokens`: the largest global batch
    in tokens the run's compute budget takes (batch_bound; 0 for none)."""
    high = min(BATCH[kind][1], max_tokens or math.inf)
    if kind == "sft":
        sequences = high / packed
        # A sequence a GPU at least, as the seed draws its clusters. On a cluster the user
        # pinned (`per_rank`), a sequence a data-parallel rank: a tensor-parallel group
        # shares its micro batch, so a 72B's SFT on 256 H100 at TP 4 x DP 64 takes 192
        # sequences (review-realism19 W5: refused for needing 256), and the layout's own
        # batch bound (_batch_and_speed) keeps it within the kind's 64-512 examples.
        if gpus > sequences and not per_rank:
            return None
        max_micro = max_micro or max(1, int(sequences // gpus))
    else:
        max_micro = max_micro or max(1, int(high // (gpus * seq)))
    options = layout_options(
        arch,
        gpu,
        gpus,
        seq,
        max_micro=max_micro,
        buffers_gib=buffers_gib,
        method=method,
        flat=flat,
        dualpipe=dualpipe,
        pretraining=kind != "sft",
        whole_weights=whole_weights,
    )
    recipe = catalog.recipes().get(arch.name)
    recipe_micro = max(1, recipe.batch_sequences // gpus) if recipe is not None else 0
    smaller = recipe is not None and kind != "sft" and max_micro > recipe_micro
    for fit in options:
        built = _batch_and_speed(
            arch, kind, gpu, gpus, per_seq, fit, batch_draw, mfu_draw, packed, method, flat,
            dualpipe, max_tokens, whole_weights,
        )  # fmt: skip
        if built is not None:
            if smaller and built[0].tp > 1:
                # Tensor parallelism taken only to reach the recipe's batch at a larger micro
                # batch: the same batch without it, at the recipe's micro batch, holds more of
                # the GPU and keeps the TP traffic off the step, as OLMo 2 7B pre-trained on
                # 1,024 H100 (one sequence a GPU, no TP; arXiv 2501.00656, and
                # OLMo2-7B-stage1.yaml's 1,024 x 4,096 batch: review-realism20 WARN 13, TP 2
                # at 28.6 of 79.2 GiB).
                fewer = planned_layout(
                    arch, kind, gpu, gpus, seq, per_seq, buffers_gib, batch_draw, mfu_draw,
                    packed, method, flat, dualpipe, max_micro=recipe_micro,
                    max_tokens=max_tokens,
                )  # fmt: skip
                if fewer is not None and fewer[0].tp == 1:
                    return fewer
            return built
    if smaller:
        # The largest micro batch that fits overshoots the recipe's batch: a cluster of one
        # or two of its sequences a GPU (or more GPUs than sequences) takes fewer a micro
        # batch (review-realism7 WARN 11: OLMo-2-7B's 1,024 x 4,096 recipe on 1,024 GPUs
        # was refused between 512 and 2,048; review-realism8 WARN 6: on 2,048 it ran 4x it).
        return planned_layout(
            arch, kind, gpu, gpus, seq, per_seq, buffers_gib, batch_draw, mfu_draw, packed,
            method, flat, dualpipe, max_micro=recipe_micro, max_tokens=max_tokens,
            whole_weights=whole_weights,
        )  # fmt: skip
    return None


def _batch_and_speed(
    arch: Architecture,
    kind: str,
    gpu: Gpu,
    gpus: int,
    per_seq: int,
    fit: Fit,
    batch_draw: float,
    mfu_draw: float,
    packed: float = 1.0,
    method: str = "full",
    flat: bool = False,
    dualpipe: bool = False,
    max_tokens: float = 0.0,
    whole_weights: bool = False,
) -> tuple[Layout, float, float] | None:
    """Gradient accumulation up to the batch, MFU and speed; None if traffic cannot hide."""
    low, high = BATCH[kind]
    high = min(high, max_tokens or math.inf)
    if kind == "pretrain":  # a larger model takes a larger batch (pretrain_batch_floor)
        low = min(high, max(low, pretrain_batch_floor(arch)))
    dp = gpus // (fit.tp * fit.pp)
    # Batch target on a log scale between the kind's bounds, then whole micro steps; a
    # published recipe's own batch where the architecture has one (recipes.tsv).
    target = math.exp(math.log(low) + batch_draw * (math.log(high) - math.log(low)))
    recipe = catalog.recipes().get(arch.name)
    if recipe is not None and kind != "sft":
        target = recipe.batch_sequences * per_seq
    # Batch counted in tokens, or in examples (packed several to a sequence).
    unit = per_seq if kind != "sft" else packed
    accum = max(
        1, round(target / (dp * fit.micro * unit)), math.ceil(low / (dp * fit.micro * unit))
    )
    if fit.pp > 1:  # enough micro batches to keep the bubble (p - 1)/(m + p - 1) small
        # (Narayanan et al. 2021, §2.2.1): 6 a stage; a giant MoE's data-parallel group is
        # wide (no TP), so it takes as many as the kind's largest batch allows, at least 2 a
        # stage (DeepSeek-V3 on 2,048 GPUs: 32 micro batches, 16M tokens; on 512, 96 rather
        # than 32 that idled 31.9 % of the step with memory free, review-realism7 WARN 13)
        most = int(high // (dp * fit.micro * unit))
        accum = max(accum, max(2 * fit.pp, min(6 * fit.pp, most)) if arch.moe else 6 * fit.pp)
    accum = min(accum, 256 if fit.pp > 1 else 32)
    ep = expert_parallelism(arch, dp, method, flat)
    layout = Layout(
        gpus, fit.tp, fit.pp, fit.micro, accum, fit.recompute == "full", fit.memory,
        selective=fit.recompute == "selective", ep=ep, shard=fit.shard,
        dualpipe=dualpipe and moe.uses_dualpipe(arch, ep, fit.pp), whole_weights=whole_weights,
    )  # fmt: skip
    if not low <= layout.global_batch * unit <= high:
        return None
    # The recipe's batch exactly (a smaller micro batch or TP reaches it); a cluster with more
    # data-parallel ranks than its sequences takes one sequence a rank, not two (review-
    # realism8 WARN 6: OLMo-2-7B on 2,048 GPUs ran 4,096 sequences, 4x the recipe's 1,024).
    if (
        recipe is not None
        and kind != "sft"
        and layout.global_batch != recipe.batch_sequences
        and not (dp > recipe.batch_sequences and accum == 1 and fit.micro == 1)
    ):
        return None
    mfu = kernel_mfu(arch, gpu, layout, mfu_draw, method)
    fpt = lora.flops(arch, per_seq, method)
    compute = (
        layout.global_batch
        * per_seq
        / physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu, fpt)
    )
    # The slowest links the GPU's ranges allow (collectives.tsv, gpus.tsv): a layout chosen
    # here holds at whatever rates the run then draws.
    rates = links.links(gpu, layout, 0.0, gpu.ib_gbps[0])
    flow = traffic(arch, layout, per_seq, rates, compute, method)
    mfu *= compute / (compute + flow.exposed)
    if flow.all_gather * flow.all_gathers > 0.8 * compute:
        return None  # a step's gathers alone would outlast its compute: no overlap left
    if mfu < mfu_floor(arch, gpu, method, layout.checkpointing):
        return None  # the gathers could not hide: another layout (HSDP, TP) would be used
    cluster_tps = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu, fpt)
    step = layout.global_batch * per_seq / cluster_tps
    experts = moe.plan(arch, ep, fit.pp, fit.micro, accum, per_seq, rates.experts)
    left = experts.total if experts is not None else 0.0
    if experts is not None and layout.dualpipe:  # DualPipe hides it under the compute
        left = moe.dualpipe_exposed(experts.total, compute, fit.pp, accum)
    if left > 0.5 * step:
        return None  # the experts' all-to-all would take most of the step
    return layout, mfu, cluster_tps


# Steady MFU of the kernels, before what communication cannot hide. B200 runs in bf16
# reach less of their higher peak: 38.2 % MFU for Llama 3 70B on 8 x B200 (newmind.ai's own
# benchmark on Together AI's B200s, 2025; torchao's on power-limited B200s: 22.5 % for
# Llama 3 8B), so their range ends at 37 %: with the 1-3 % step-time jitter a step shows
# no more than the measured 38.2 % (review-realism5 WARN 15: 39.3 and 40.1 % were shown).
_MFU_HIGH_BY_GPU = {"B200": 0.37}
# and the least a dense B200 run shows once its exposed communication is off: first-hand
# B200 figures span 22.5 % (torchtitan on power-limited B200s) to 38.2 %, so 30 %, where
# Hopper's published runs start at 33 % (tests/data/realism/mfu_published.tsv).
_MFU_LOW_BY_GPU = {"B200": 0.30}
_MFU_LOW, _MFU_HIGH = moe.DENSE_MFU_RANGE
# The kernels' share starts a little above the shown floor: what communication cannot
# hide (a few per cent where the layout is sound) comes off it.
_KERNEL_LOW = 0.35


# Full activation checkpointing runs each block's forward again in its backward: 8N of
# work a token for the 6N that MFU counts. MFU leaves recomputation out (Chowdhery et al.
# 2022, PaLM, appendix B; Korthikanti et al. 2022, arXiv 2205.05198, section 6: 530B on
# 2,240 A100 at 54.2 % MFU with selective recompute, 42.1 % with full), and so does every
# dialect's figure: torchtitan v0.2.0's 6N + 12·L·h·s, Megatron-LM core_v0.14.0's
# num_floating_point_operations (training.py:289, expansion factor 3 x 2 x 2, no
# recompute term), the Trainer's total_flos (6N). The kernels run as fast, so the MFU
# shown is 6/8 of theirs (review-realism5 WARN 11: full recompute showed 43 %).
RECOMPUTE_MFU = 6 / 8
# Adapters on frozen weights count 4N a token (forward and activation gradients, no weight
# gradients: lora.flops_per_token); recomputing the forward adds 2N, so the kernels do 6N
# for the 4N counted (review-realism7 FAIL 5: a 405B LoRA under full recompute showed 42.0 %
# MFU, 63 % of the H200's peak in kernel work).
ADAPTER_RECOMPUTE_MFU = 4 / 6


def recompute_share(method: str) -> float:
    """The share of the kernels' work that MFU counts under full activation checkpointing."""
    return RECOMPUTE_MFU if method == "full" else ADAPTER_RECOMPUTE_MFU


def mfu_floor(
    arch: Architecture, gpu: Gpu, method: str = "full", recomputed: bool = False
) -> float:
    """The least steady MFU a run shows: its kind's floor, lower for dense runs on B200,
    and the counted share of it where full activation checkpointing recomputes the forward
    (6/8, adapters 4/6)."""
    low = lora.mfu_range(arch, method)[0]
    if method == "full" and not arch.moe:
        low = min(low, _MFU_LOW_BY_GPU.get(gpu.name, low))
    return low * recompute_share(method) if recomputed else low


def kernel_mfu(
    arch: Architecture, gpu: Gpu, layout: Layout, draw: float, method: str = "full"
) -> float:
    """Steady MFU 0.33-0.47 (0.37 on B200; a mixture of experts 0.20-0.35; LoRA and QLoRA
    their own); pipelines lose their bubble on top of it, and full activation
    checkpointing a quarter (RECOMPUTE_MFU; adapters a third, ADAPTER_RECOMPUTE_MFU)."""
    recompute = recompute_share(method) if layout.checkpointing else 1.0
    if method != "full":  # a little above the floor: what cannot hide comes off it
        low, high = lora.mfu_range(arch, method)
        high = min(high, _MFU_HIGH_BY_GPU.get(gpu.name, high))
        return recompute * (low + 0.02 + (high - low - 0.02) * draw)
    by_size = moe.dense_mfu_range(arch.params)[1]  # larger matmuls reach more of the peak
    low, high = _KERNEL_LOW, min(by_size, _MFU_HIGH_BY_GPU.get(gpu.name, _MFU_HIGH))
    if arch.moe:
        low, high = moe.mfu_range(arch)
        return recompute * (
            max(low, (low + 0.04 + 0.1 * draw) * (1 - layout.bubble))
            if layout.pp > 1
            else (low + (high - low) * draw)
        )
    mfu = low + (high - low) * draw
    if layout.pp > 1:  # the kernels' efficiency, less the pipeline's bubble
        mfu = max(_KERNEL_LOW, (0.37 + (high - 0.37) * draw) * (1 - layout.bubble))
    return recompute * mfu
