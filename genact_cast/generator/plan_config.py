"""The model, data, cluster and layout of a run, chosen together: every combination that
fits the GPUs' memory and finishes in a run's time, and what would work where none does."""

import math
from datetime import date
from typing import NamedTuple

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import catalog, lineup, lora, physics, tokenizers
from genact_cast.generator.catalog import Architecture, Dataset, Framework, Gpu
from genact_cast.generator.layout import (
    MEMORY_FLOOR,
    PINNED_MEMORY_FLOOR,
    Layout,
    fills,
)
from genact_cast.generator.megatron_memory import why_megatron_cannot_hold
from genact_cast.generator.options import CLUSTER_SIZES, KINDS, RecordOptions
from genact_cast.generator.plan_choices import find_dataset, find_model, usable_from
from genact_cast.generator.plan_speed import batch_bound, planned_layout
from genact_cast.generator.torchtitan_precision import why_torchtitan_runs_fp32

# Pre-training from scratch takes one pass over a corpus larger than its budget (repeats are
# for data-constrained regimes, Muennighoff et al. 2023, not for a sample of a web corpus
# whose whole is at hand); continued pre-training one or two over its domain corpus.
EPOCHS = {"pretrain": (1, 1), "continue": (1, 2), "sft": (2, 5)}
# Passes a fine-tune makes, by what it teaches (review-realism10 N5: 4-5 epochs of chat SFT):
# chat and math recipes make 1-3 (zephyr-7b-sft-full 1, Tulu 3's SFT 2, arXiv 2411.15124
# Table 8; Alpaca 3; MetaMath 3, arXiv 2309.12284 sec. 4.1); task fine-tunes of a few
# hundred thousand summaries or sentence pairs run longer (EPOCHS["sft"]).
SFT_EPOCHS = {"chat": (1, 3), "math": (1, 3)}
# Continued pre-training takes 5-500B tokens (Code Llama: 500B; Llemma: 50-55B; DeepSeekMath:
# 500B; Ibrahim et al. 2024: 100-300B) on a cluster sized for days, not weeks. Pre-training
# stops short of two months so that restarts' lost time keeps the whole under it.
DAYS = {"pretrain": (0.5, 55.0), "continue": (0.25, 14.0), "sft": (1 / 24, 14.0)}
KIND_LABELS = {
    "pretrain": "pre-training from scratch",
    "continue": "continued pre-training",
    "sft": "supervised fine-tuning",
}


# Every framework, in the order a refusal suggests them.
FRAMEWORKS = ("genact", "hf", "deepspeed", "megatron", "torchtitan")


def frameworks_for(arch: Architecture, kind: str, but: str = "") -> str:
    """`--framework a, b or c`: the frameworks whose pinned release trains `arch` in a
    `kind` run (`but`: one that cannot run this seed's layout of it)."""
    names = [
        f
        for f in FRAMEWORKS
        if lineup.trains(arch, f) and (kind != "sft" or lineup.why_no_sft(f) is None) and f != but
    ]
    return "--framework " + (", ".join(names[:-1]) + " or " + names[-1] if names[1:] else names[0])


def bf16_adapters(
    options: RecordOptions, kind: str, gpu: Gpu, config: "Config", pick: float, day: date
) -> "Config | None":
    """The same model as a LoRA on bf16 weights, if memory holds it: on the same data and
    GPUs, else on other GPU counts (LoRA runs faster: the same data may take under the
    shortest run on as many GPUs), else on other data of the kind."""
    arch, data, layout = config[:3]
    tries = (
        options._replace(method="lora", model=arch.name, dataset=data.name, gpus=layout.gpus),
        options._replace(method="lora", model=arch.name, dataset=data.name),
        options._replace(method="lora", model=arch.name),
    )
    for pinned in tries:
        found = _candidates(pinned, kind, gpu, *config.draws[:4], day=day)  # type: ignore[arg-type]
        if found:
            chosen = found[min(len(found) - 1, int(pick * len(found)))]
            return chosen._replace(draws=config.draws)
    return None


def adapters_instead(
    options: RecordOptions,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    order: tuple[float, float],
    day: date,
    framework: Framework,
) -> tuple[str, str, Gpu, "Config"] | None:
    """(method, kind, GPU, configuration) of the fine-tune with adapters that people run
    where no full run fits what is pinned: LoRA on bf16 weights, else QLoRA where those do
    not fit (torchtune v0.6.1's llama3_1/70B_lora.yaml "needs 8 GPUs", its 405B_qlora.yaml
    runs Llama 3.1 405B on 8). None where the pins ask for another kind of run or nothing
    fits either."""
    if options.kind not in (None, "sft"):
        return None
    if options.dataset is not None and not _serves(find_dataset(options.dataset), "sft"):
        return None
    for method in ("lora", "qlora"):
        pinned = options._replace(method=method, kind="sft")
        try:
            kind, chosen, config = feasible(pinned, "sft", gpu, draws, order, day, framework)
        except SeedRefused:
            raise
        except BadOption:
            continue
        return method, kind, chosen, config
    return None


# Model, data, cluster and layout, chosen together


class Config(NamedTuple):
    arch: Architecture
    dataset: Dataset
    layout: Layout
    seq_len: int
    epochs: int
    mfu: float
    draws: tuple[float, ...] = ()


def feasible(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    order: tuple[float, float],
    day: date,
    framework: Framework,
) -> tuple[str, Gpu, Config]:
    """The seed's configuration; where the seed's draws make none for what is pinned, the
    middle draws, then (where not pinned) another GPU, then another kind of run: a
    configuration people really run is never refused because of how the seed fell."""
    middle = (draws[0], 0.5, 0.5, draws[3])
    gpus = [gpu]
    if options.gpu is None:
        now = [g for g in catalog.gpus() if usable_from(g) <= day and g.name in framework.gpus]
        # Then GPUs of a later date, where the start is not pinned (make_plan moves it).
        later = [g for g in catalog.gpus() if g not in now] if options.start is None else []
        gpus += [g for g in now + later if g != gpu]
    kinds = [kind]
    if options.kind is None and options.dataset is None:
        kinds += [k for k in KINDS if k != kind]
    first: BadOption | None = None
    for floor in _floors(options):
        for k in kinds:
            for candidate in gpus:
                for tried in (draws, middle):
                    try:
                        config = _choose_config(options, k, candidate, tried, order, day, floor)
                        return k, candidate, config
                    except SeedRefused:
                        raise  # the seed's run itself: no other GPU or kind in its place
                    except BadOption as refusal:
                        first = first or refusal
    assert first is not None
    raise first


def _choose_config(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    order: tuple[float, float],
    day: date,
    floor: bool = True,
) -> Config:
    """A believable (model, data, cluster, layout, epochs) for `kind` on `gpu` (`floor`:
    only layouts that fill the GPUs' memory, see _floors).

    The seed orders the models; for the first model that can make a believable run,
    every candidate the pins allow is built and checked (tokens per parameter,
    wall-clock time, memory, traffic), and the seed picks one. None left for any
    model: a one-line refusal naming what would work.
    """
    first_model, pick = order
    if options.model is not None:  # old models are still trained when asked for
        models = [find_model(options.model)]
    else:
        models = lineup.choosable(kind, day) or [
            a for a in lineup.models() if lineup.serves(a, kind)
        ]
    start = int(first_model * len(models))
    rotation = models[start:] + models[:start]
    if options.model is None and options.framework != "genact":
        seeds = _replaced(options, kind, gpu, draws, pick, rotation, floor, day)
        if seeds is not None:
            return seeds._replace(draws=draws)
    candidates: list[Config] = []
    for arch in rotation:
        if options.model is not None and arch != find_model(options.model):
            continue
        candidates = _candidates(options, kind, gpu, *draws, arch, floor=floor, day=day)
        if options.framework == "megatron":
            # what is pinned, on a layout Megatron can hold (megatron_memory)
            candidates = [
                c for c in candidates if why_megatron_cannot_hold(c.arch, c.layout, gpu) is None
            ]
        if candidates:
            break
    if not candidates:
        raise BadOption(_what_would_work(options, kind, gpu, draws, day))
    c = candidates[min(len(candidates) - 1, int(pick * len(candidates)))]
    return c._replace(draws=draws)


def _replaced(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    pick: float,
    rotation: list[Architecture],
    floor: bool = True,
    day: date | None = None,
) -> Config | None:
    """The run genact plans for the seed, as the framework lays it out (the same model, its
    own candidates, the same pick); None where genact has no run for the seed (or the
    framework none of its model); where the framework does not train its model
    (lineup.why_not), SeedRefused: --framework changes how the run is printed, never
    the run (review-tt6 fault 10). Another model in its place made another run, with other
    steps, GPUs and failures (review-tt8 fault 5: seed 9803's Gemma-3-27B an 8B under hf and
    torchtitan)."""
    generic = options._replace(framework="genact")
    seed: list[Config] = []
    for arch in rotation:
        seed = _candidates(generic, kind, gpu, *draws, arch, floor=floor, day=day)
        if seed:
            break
    if not seed:
        return None
    chosen = seed[min(len(seed) - 1, int(pick * len(seed)))]
    reason = lineup.why_not(chosen.arch, options.framework)
    if reason is None:
        # The seed's model, as this framework lays it out: a mixture of experts sharded
        # flat under the Trainer's launchers may fit where genact's expert-parallel layout
        # did not, and so come first in the seed's order (seed 42: Qwen3-30B-A3B under hf
        # for genact's Llama-3-8B).
        own = _candidates(options, kind, gpu, *draws, chosen.arch, floor=floor, day=day)
        picked = own[min(len(own) - 1, int(pick * len(own)))] if own else None
        # The same run under Megatron, or none: a layout whose distributed-optimizer state
        # would not fit is refused, never shown over the GPU (megatron_memory).
        if picked is not None and options.framework == "megatron":
            reason = why_megatron_cannot_hold(picked.arch, picked.layout, gpu)
        # Under torchtitan, TP or PP without sharding trains in float32, not the bf16 run.
        if picked is not None and options.framework == "torchtitan":
            reason = why_torchtitan_runs_fp32(picked.layout)
        if reason is None:
            return picked
    raise SeedRefused(
        f"seed {options.seed} trains {chosen.arch.name} ({KIND_LABELS[kind]}): {reason}; "
        f"use {frameworks_for(chosen.arch, kind, options.framework)}, or pin --model"
    )


def _candidates(
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
) -> list[Config]:
    """Every believable configuration the options allow (`floor`: only layouts that fill
    the GPUs' memory, see _floors; `day`: the log's first day, before which every set it
    trains on was published)."""
    arches = [a for a in lineup.models() if lineup.serves(a, kind)]
    if only is not None:
        arches = [a for a in arches if a == only]
    if options.model is not None:
        arch = find_model(options.model)
        if not lineup.serves(arch, kind, options.method):
            return []
        arches = [arch]
    # A pinned model with adapters may need no stages where a full run would (405B QLoRA).
    adapters = options.method if options.model is not None else None
    arches = [a for a in arches if lineup.trains(a, options.framework, adapters)]
    if options.method in ("lora", "qlora") and options.model is None:
        arches = [a for a in arches if not a.moe]  # the seed's adapter runs: dense models
    sets = [d for d in catalog.datasets() if _serves(d, kind)]
    if options.dataset is not None:
        pinned = find_dataset(options.dataset)
        if not _serves(pinned, kind):
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
    low_days, high_days = DAYS[kind]
    for arch in arches:
        seq = min(lengths[int(seq_draw * len(lengths))], arch.max_seq)
        for data in (tokenizers.in_tokens_of(d, arch) for d in sets):
            low, high = SFT_EPOCHS.get(data.task, EPOCHS[kind]) if kind == "sft" else EPOCHS[kind]
            epochs_range = range(low, high + 1)
            per_seq = seq
            method = options.method or "full"
            fpt = lora.flops(arch, per_seq, method)
            mfu_low, mfu_high = lora.mfu_range(arch, method)
            epochs = [
                e
                for e in epochs_range
                if kind != "pretrain"
                or lineup.fewest_tokens_per_param(arch) * arch.params
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
                built = planned_layout(
                    arch, kind, gpu, gpus, seq, per_seq, buffers_gib, batch_draw, mfu_draw, packed,
                    method, arch.moe and lineup.flat_sharding(options.framework),
                    options.framework in lineup.DUALPIPE, max_tokens=bound,
                )  # fmt: skip
                if built is None:
                    continue
                layout, mfu, cluster_tps = built
                # A real job fills its GPUs (55-97 %): on a cluster so large that one
                # sequence per GPU leaves them half empty, it would use fewer GPUs.
                least = MEMORY_FLOOR if floor else PINNED_MEMORY_FLOOR
                if not fills(layout.memory.total, gpu.memory_gib * physics.GIB, least):
                    continue
                for e, work in days:
                    if low_days <= work / cluster_tps <= high_days:
                        found.append(Config(arch, data, layout, seq, e, mfu))
    return found


def _floors(options: RecordOptions) -> tuple[bool, ...]:
    """Whether each pass over the models holds the memory floor. A drawn cluster does: a
    real job that leaves its GPUs half empty would use fewer of them. A pinned --gpus
    count is the cluster people have: where no layout fills it, the run takes the
    recipe's batch as it fits, with the memory it really uses, rather than a refusal
    (review-realism7 WARN 11: OLMo 2 7B's 1,024 x 4,096-token batch, allenai/OLMo
    configs/official-1124/OLMo2-7B-stage1.yaml, one sequence a GPU on 1,024 H100s as in
    the OLMo 2 paper, arXiv 2501.00656, was refused for filling under 55 %)."""
    return (True, False) if options.gpus is not None else (True,)


def _serves(data: Dataset, kind: str) -> bool:
    """Continued pre-training takes a domain corpus (math, code, papers, textbooks), never
    generic web text older than the released model's own mix."""
    return data.kind == kind


def _what_would_work(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    day: date,
) -> str:
    """One line: why the pinned options cannot make a believable run, and what can (among the
    models the run's day can choose, as the choice itself does)."""

    def works(opts: RecordOptions, k: str, g: Gpu) -> bool:
        if opts.model is not None:
            return any(_candidates(opts, k, g, *draws, floor=f, day=day) for f in _floors(opts))
        models = lineup.choosable(k, day) or [a for a in lineup.models() if lineup.serves(a, k)]
        return any(
            _candidates(opts, k, g, *draws, only=arch, floor=f, day=day)
            for f in _floors(opts)
            for arch in models
        )

    pinned = [
        f"--{name} {value}"
        for name, value in (
            ("kind", options.kind),
            ("model", options.model),
            ("gpus", options.gpus),
            ("gpu", options.gpu),
            ("dataset", options.dataset),
        )
        if value is not None
    ]
    what = " ".join(pinned) or "these options"
    pinned_arch = find_model(options.model) if options.model is not None else None
    if pinned_arch is not None and not lineup.serves(pinned_arch, kind, options.method):
        others = [k for k in KINDS if lineup.serves(pinned_arch, k)]
        low, high = lineup.SIZES[kind]
        if kind == "sft" and options.method in ("lora", "qlora") and low <= pinned_arch.params:
            return (
                f"{what} --method {options.method}: its frozen weights and adapters would "
                f"not fit {lora.MAX_GPUS} GPUs; use --method qlora or --kind continue"
            )
        if kind == "sft" and pinned_arch.params > high:
            return (
                f"{what}: a full fine-tune is for models of {low / 1e9:g}B to "
                f"{high / 1e9:g}B parameters; use --method lora or qlora, or --kind continue"
            )
        return (
            f"{what}: {KIND_LABELS[kind]} is for models "
            f"{f'of {low / 1e9:g}B to' if low else 'up to'} {high / 1e9:g}B parameters; "
            f"use --kind {' or --kind '.join(others)}"
        )
    if options.dataset is not None and not _serves(find_dataset(options.dataset), kind):
        data = find_dataset(options.dataset)
        return (
            f"{what}: {data.name} is data for {KIND_LABELS[data.kind]}, not for {KIND_LABELS[kind]}"
        )
    hints: list[str] = []
    if options.gpus is not None:
        sizes = [n for n in CLUSTER_SIZES if works(options._replace(gpus=n), kind, gpu)]
        # the counts nearest the pinned one, at its scale (review-realism7 WARN 11: 1,024
        # GPUs refused with "try --gpus 8 or 16 or 32 or 64" where 512 and 2,048 run)
        pinned_gpus = options.gpus
        near = sorted(sizes, key=lambda n: (abs(math.log2(n / pinned_gpus)), n))[:4]
        if near:
            hints.append(f"--gpus {' or '.join(str(n) for n in sorted(near))}")
    if options.gpu is not None:
        types = [g.name for g in catalog.gpus() if g.name != gpu.name and works(options, kind, g)]
        if types:
            hints.append(f"--gpu {' or '.join(types)}")
    if options.method == "lora" and works(options._replace(method="qlora"), kind, gpu):
        hints.append("--method qlora")  # 4-bit frozen weights: a quarter of the gathers
    if options.kind is not None or options.dataset is not None:
        kinds = [
            k
            for k in KINDS
            if k != kind
            and (options.dataset is None or _serves(find_dataset(options.dataset), k))
            and works(options._replace(kind=k), k, gpu)
        ]
        if kinds:
            hints.append(f"--kind {' or '.join(kinds)}")
    if not hints:
        # Nothing of what was pinned works changed alone: name what does, never only "pin
        # fewer options" (review-realism6 FAIL 4, seed 9735): another GPU, another kind,
        # or an option left to the draw.
        hints += [f"--gpu {g.name}" for g in catalog.gpus() if g.name != gpu.name
                  and works(options._replace(gpu=g.name), kind, g)][:2]  # fmt: skip
    if not hints:
        hints += [
            f"--kind {k}" for k in KINDS if k != kind and works(options._replace(kind=k), k, gpu)
        ][:2]
    if not hints:  # an option left to the draw, on any GPU
        freed = (
            ("gpus", options._replace(gpus=None)),
            ("dataset", options._replace(dataset=None)),
            ("kind", options._replace(kind=None)),
            ("model", options._replace(model=None)),
        )
        for name, opts in freed:
            tried: tuple[str, ...] = tuple(KINDS) if name == "kind" else (kind,)
            if getattr(options, name) is not None and any(
                works(opts, k, g) for k in tried for g in catalog.gpus()
            ):
                hints.append(f"no --{name}")
                break
    hint = "; try " + ", or ".join(hints) if hints else "; pin fewer options"
    # a pinned count is never refused for leaving memory free (_floors)
    least = PINNED_MEMORY_FLOOR if options.gpus is not None else MEMORY_FLOOR
    empty = f", would fill less than {least:.0%} of it"
    if kind == "pretrain":  # plan_speed.batch_bound
        empty += ", would need a batch larger than its token budget takes"
    return (
        f"{what} cannot make a believable {kind} run on {gpu.name} GPUs (it would not fit in "
        f"memory{empty}, or would take under "
        f"{_hours(DAYS[kind][0] * 24)} or over "
        f"{DAYS[kind][1]:g} days){hint}"
    )


def _hours(hours: float) -> str:
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def fits(arch: Architecture, gpu: Gpu, gpus: int) -> bool:
    """Sharded state must leave room for activations: at most 85 % of the GPU."""
    return physics.static_memory_bytes(arch.params, gpus) <= 0.85 * gpu.memory_gib * physics.GIB
