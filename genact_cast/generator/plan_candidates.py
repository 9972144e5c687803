"""Every configuration (model, data, cluster, layout, epochs) that fits the GPUs' memory and
finishes in a run's time: the candidates a plan's seed picks from."""

from datetime import date
from typing import NamedTuple

from genact_cast.generator import catalog, lineup, lora, physics, tokenizers
from genact_cast.generator.catalog import Architecture, Dataset, Gpu
from genact_cast.generator.layout import (
    MEMORY_FLOOR,
    PINNED_MEMORY_FLOOR,
    Layout,
    fills,
)
from genact_cast.generator.options import CLUSTER_SIZES, RecordOptions
from genact_cast.generator.plan_choices import find_dataset, find_model
from genact_cast.generator.plan_speed import batch_bound, planned_layout

# Pre-training from scratch takes one pass over a corpus larger than its budget (repeats are
# for data-constrained regimes, Muennighoff et al. 2023, not for a sample of a web corpus
# whose whole is at hand); continued pre-training one or two over its domain corpus.
# Passes a fine-tune makes, whatever it teaches (review-realism10 N5: 4-5 epochs of chat SFT;
# review-realism11/13 N5: 4-5 of CNN-DailyMail and WMT16, validation and ROUGE falling from the
# second, the last pass shipped): chat and math recipes make 1-3 (zephyr-7b-sft-full 1, Tulu
# 3's SFT 2, arXiv 2411.15124 Table 8; Alpaca 3; MetaMath 3, arXiv 2309.12284 sec. 4.1), and so
# do summarization and translation fine-tunes: transformers' run_summarization /
# run_translation examples train with the Trainer's default num_train_epochs 3
# (training_args.py), and a run whose held-out loss turns up at its third pass stops there
# (kykim0/llama3-8b-ultrachat-sft: 1.0696, 1.0405, 1.0691 over its 3 epochs).
EPOCHS = {"pretrain": (1, 1), "continue": (1, 2), "sft": (1, 3)}
# Continued pre-training takes 5-500B tokens (Code Llama: 500B; Llemma: 50-55B; DeepSeekMath:
# 500B; Ibrahim et al. 2024: 100-300B) on a cluster sized for days, not weeks. Pre-training
# stops short of two months so that restarts' lost time keeps the whole under it.
DAYS = {"pretrain": (0.5, 55.0), "continue": (0.25, 14.0), "sft": (1 / 24, 14.0)}
KIND_LABELS = {
    "pretrain": "pre-training from scratch",
    "continue": "continued pre-training",
    "sft": "supervised fine-tuning",
}


class Config(NamedTuple):
    arch: Architecture
    dataset: Dataset
    layout: Layout
    seq_len: int
    epochs: int
    mfu: float
    draws: tuple[float, ...] = ()


def candidates(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    buffers_gib: float,
    mfu_draw: float,
    batch_draw: float,
    seq_draw: float,
    only: Architecture | None = None,
    *,
    floor: bool = True,
    day: date | None = None,
    least: bool = False,
    run_days: tuple[float, float] | None = None,
) -> list[Config]:
    """Every believable configuration the options allow (`floor`: only layouts that fill
    the GPUs' memory, see floors; `day`: the log's first day, before which every set it
    trains on was published; `least`: pre-training budgets down to Chinchilla's, see
    lineup.fewest_tokens_per_param; `run_days`: the run lengths allowed, the kind's DAYS
    unless given, as a refusal asks what a run would take)."""
    arches = [a for a in lineup.models() if lineup.serves(a, kind)]
    if kind == "continue":  # a base to continue from (review-realism13 N4: Qwen3-32B has none)
        arches = [a for a in arches if a.base_released]
    if only is not None:
        arches = [a for a in arches if a == only]
    if options.model is not None:
        arch = find_model(options.model)
        if not lineup.serves(arch, kind, options.method, pinned=True):
            return []
        arches = [arch] if kind != "continue" or arch.base_released else []
    # A pinned model with adapters may need no stages where a full run would (405B QLoRA).
    adapters = options.method if options.model is not None else None
    arches = [a for a in arches if lineup.trains(a, options.framework, adapters)]
    if options.method in ("lora", "qlora") and options.model is None:
        arches = [a for a in arches if not a.moe]  # the seed's adapter runs: dense models
    sets = [d for d in catalog.datasets() if serves(d, kind)]
    if options.dataset is not None:
        pinned = find_dataset(options.dataset)
        if not serves(pinned, kind):
            return []
        sets = [pinned]
    if day is not None:
        # only sets published before the log (review-realism9 F9: FineWeb in a log of
        # 2024-03-01, Tulu 3 in one of 2024-08-01)
        sets = [d for d in sets if d.out_by(day)]
    sizes = [options.gpus] if options.gpus is not None else list(CLUSTER_SIZES)
    if options.method in ("lora", "qlora"):  # adapters are trained on a node or two
        sizes = [n for n in sizes if n <= lora.MAX_GPUS]
    found: list[Config] = []
    lengths = (2048, 4096) if kind == "sft" else (4096, 8192)
    low_days, high_days = run_days or DAYS[kind]
    for arch in arches:
        seq = min(lengths[int(seq_draw * len(lengths))], arch.max_seq)
        for data in (tokenizers.in_tokens_of(d, arch) for d in sets):
            low, high = EPOCHS[kind]
            epochs_range = range(low, high + 1)
            per_seq = seq
            method = options.method or "full"
            fpt = lora.flops(arch, per_seq, method)
            mfu_low, mfu_high = lora.mfu_range(arch, method)
            epochs = [
                e
                for e in epochs_range
                if kind != "pretrain"
                or lineup.fewest_tokens_per_param(arch, least) * arch.params
                <= e * data.tokens
                <= 2000 * arch.params
            ]
            for gpus in sizes:
                # A cheap bound first: at the best MFU, could the run last long enough and
                # at the worst, end soon enough? Only then build the layout.
                fastest = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu_high, fpt)
                slowest = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu_low, fpt)
                days = [(e, e * data.tokens / 86400) for e in epochs]
                days = [
                    (e, d) for e, d in days if d / fastest <= high_days and d / slowest >= low_days
                ]
                if not days:
                    continue
                packed = seq / data.tokens_per_example if kind == "sft" else 1.0
                # A pre-training run's batch stays within what its compute budget takes
                # (plan_speed.batch_bound), for the fewest tokens it may train.
                bound = (
                    batch_bound(fpt, min(e for e, _ in days) * data.tokens)
                    if kind == "pretrain"
                    else 0.0
                )
                # `flat` and `dualpipe` only change a mixture of experts' layout (the
                # experts' sharding, moe.uses_dualpipe) and a model past 200B's (no pipeline
                # stages under the Trainer's launchers): any other's is keyed alike for
                # every framework, so that a framework's plan finds genact's layouts of the
                # seed's run in planned_layout's cache (_replaced builds both) rather than
                # building them again (issue 18: a third of a record's planning).
                built = planned_layout(
                    arch, kind, gpu, gpus, seq, per_seq, buffers_gib, batch_draw, mfu_draw, packed,
                    method, lineup.flat_layout(arch, options.framework),
                    arch.moe and options.framework in lineup.DUALPIPE, max_tokens=bound,
                    per_rank=least and not floor and kind == "sft",
                    whole_weights=lineup.whole_weights(arch, options.framework),
                )  # fmt: skip
                if built is None:
                    continue
                layout, mfu, cluster_tps = built
                # A real job fills its GPUs (55-97 %): on a cluster so large that one
                # sequence per GPU leaves them half empty, it would use fewer GPUs.
                fill = MEMORY_FLOOR if floor else PINNED_MEMORY_FLOOR
                if least and not floor and kind == "sft":
                    # A fine-tune on a pinned cluster takes its recipe's batch (64-512
                    # examples, at least a sequence a GPU) with the memory that uses, as
                    # Tülu 3's SFTs ran: micro batch 1 x 4,096 under ZeRO-3 on 32-256 GPUs
                    # (arXiv 2411.15124 section 4.3; review-realism18: Qwen3-32B's SFT on 64
                    # A100 was refused at 29 % full)
                    fill = 0.0
                if not fills(layout.memory.total, gpu.memory_gib * physics.GIB, fill):
                    continue
                for e, work in days:
                    if low_days <= work / cluster_tps <= high_days:
                        found.append(Config(arch, data, layout, seq, e, mfu))
    return found


def floors(options: RecordOptions) -> tuple[bool, ...]:
    """Whether each pass over the models holds the memory floor. A drawn cluster does: a
    real job that leaves its GPUs half empty would use fewer of them. A pinned --gpus
    count is the cluster people have: where no layout fills it, the run takes the
    recipe's batch as it fits, with the memory it really uses, rather than a refusal
    (review-realism7 WARN 11: OLMo 2 7B's 1,024 x 4,096-token batch, allenai/OLMo
    configs/official-1124/OLMo2-7B-stage1.yaml, one sequence a GPU on 1,024 H100s as in
    the OLMo 2 paper, arXiv 2501.00656, was refused for filling under 55 %)."""
    return (True, False) if options.gpus is not None else (True,)


def serves(data: Dataset, kind: str) -> bool:
    """Continued pre-training takes a domain corpus (math, code, papers, textbooks), never
    generic web text older than the released model's own mix."""
    return data.kind == kind


def fits(arch: Architecture, gpu: Gpu, gpus: int) -> bool:
    """Sharded state must leave room for activations: at most 85 % of the GPU."""
    return physics.static_memory_bytes(arch.params, gpus) <= 0.85 * gpu.memory_gib * physics.GIB


def why_framework_cannot(framework: str, config: Config, gpu: Gpu) -> str | None:
    """Why `framework`'s release would not train `config` as it is planned, if it would not:
    a layout whose distributed-optimizer state Megatron cannot hold (megatron_memory), one
    torchtitan would train in float32 (torchtitan_precision)."""
    if framework == "megatron":
        from genact_cast.generator.megatron_memory import why_megatron_cannot_hold

        return why_megatron_cannot_hold(config.arch, config.layout, gpu)
    if framework == "torchtitan":
        from genact_cast.generator.torchtitan_precision import why_torchtitan_runs_fp32

        return why_torchtitan_runs_fp32(config.layout)
    return None
