"""What would work, in one line, where the pinned options make no believable run."""

import math
from datetime import date

from genact_cast.generator import catalog, lineup, lora
from genact_cast.generator.catalog import Gpu
from genact_cast.generator.layout import MEMORY_FLOOR, PINNED_MEMORY_FLOOR
from genact_cast.generator.options import CLUSTER_SIZES, KINDS, RecordOptions
from genact_cast.generator.plan_candidates import DAYS, KIND_LABELS, candidates, floors, serves
from genact_cast.generator.plan_choices import find_dataset, find_model


def what_would_work(
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
            return any(candidates(opts, k, g, *draws, floor=f, day=day) for f in floors(opts))
        models = lineup.choosable(k, day) or [a for a in lineup.models() if lineup.serves(a, k)]
        return any(
            candidates(opts, k, g, *draws, only=arch, floor=f, day=day)
            for f in floors(opts)
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
    if pinned_arch is not None and kind == "continue" and not pinned_arch.base_released:
        others = [k for k in KINDS if k != kind and lineup.serves(pinned_arch, k)]
        return (
            f"{what}: no base checkpoint of {pinned_arch.name} was released to continue "
            f"(only a post-trained model); use --kind {' or --kind '.join(others)}"
        )
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
    if options.dataset is not None and not serves(find_dataset(options.dataset), kind):
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
            and (options.dataset is None or serves(find_dataset(options.dataset), k))
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
    # a pinned count is never refused for leaving memory free (floors)
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
