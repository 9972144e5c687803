"""What would work, in one line, where the pinned options make no believable run."""

import math
from collections.abc import Sequence
from datetime import date

from genact_cast.generator import catalog, lineup, lora, physics
from genact_cast.generator.catalog import Gpu
from genact_cast.generator.layout import MEMORY_FLOOR, PINNED_MEMORY_FLOOR
from genact_cast.generator.options import CLUSTER_SIZES, KINDS, RecordOptions
from genact_cast.generator.plan_candidates import (
    DAYS,
    KIND_LABELS,
    Config,
    candidates,
    floors,
    serves,
    why_framework_cannot,
)
from genact_cast.generator.plan_choices import find_dataset, find_model

# Options a refusal names together, each with its value: {"kind": "sft", "gpus": 256}.
Change = dict[str, str | int]


def makes_run(
    opts: RecordOptions, k: str, g: Gpu, draws: tuple[float, float, float, float], day: date
) -> bool:
    """Whether `opts` make a `k` run on `g` (among the models the run's day can choose, as the
    choice itself does where no model is pinned). Never a kind or method the framework's
    release does not train (review-realism20 FAIL 5: torchtitan's refusal of Scout said
    "use --kind sft", which torchtitan then refuses for having no SFT path)."""
    if k == "sft" and lineup.why_no_sft(opts.framework) is not None:
        return False
    if opts.method in ("lora", "qlora") and lineup.why_no_adapters(opts.framework) is not None:
        return False
    adapted = opts.method in ("lora", "qlora") and opts.model is not None
    if adapted and lora.why_no_adapters(find_model(str(opts.model))) is not None:
        return False  # (DeepSeek-V3's attention: plan.make_plan refuses its adapters)
    if opts.model is not None:
        # as plan_config.feasible tries a pinned model: the seed's draws, then the other
        # ends of the batch and sequence draws with Chinchilla's least budget
        tries = [(draws, False)] + [
            ((draws[0], 0.5, batch, length), True)
            for length in (0.0, 0.99)
            for batch in (0.5, 0.1, 0.9)
        ]
        return any(
            trained(candidates(opts, k, g, *tried, floor=f, day=day, least=least), opts, g)
            for tried, least in tries
            for f in floors(opts)
        )
    models = lineup.choosable(k, day) or [a for a in lineup.models() if lineup.serves(a, k)]
    return any(
        trained(candidates(opts, k, g, *draws, only=arch, floor=f, day=day), opts, g)
        for f in floors(opts)
        for arch in models
    )


def trained(configs: list[Config], opts: RecordOptions, g: Gpu) -> bool:
    """Whether the framework's release trains one of `configs` as planned, as the plan's
    own choice keeps only those (plan_config._choose_config): a refusal never names a
    count the framework refuses in its turn (review-realism20 FAIL 4: Mixtral on Megatron,
    "try --gpus 16 or 32 or 64 or 128" with 64 H100 refused)."""
    return any(why_framework_cannot(opts.framework, c, g) is None for c in configs)


def configurations(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    day: date,
    changes: Sequence[Change],
    limit: int = 2,
) -> list[str]:
    """Of `changes` (each some options set together), those that make a run with the other
    pins as they are; else with the nearest cluster size; else with another GPU too, as
    `--option value` text: a refusal names configurations that work, never a kind that the
    pinned cluster cannot run (`--kind pretrain --model Llama-3.1-405B --gpus 64 --gpu A100`
    said "use --kind continue", refused in its turn)."""

    def runs(change: Change) -> bool:
        opts = _changed(options, change)
        k = str(change.get("kind", kind))
        if opts.method in ("lora", "qlora") and k != "sft":
            return False  # adapters are a fine-tune's (options.check)
        named = str(change.get("gpu", gpu.name))
        return makes_run(opts, k, next(g for g in catalog.gpus() if g.name == named), draws, day)

    near = options.gpus or 64
    sizes = sorted(CLUSTER_SIZES, key=lambda n: (abs(math.log2(n / near)), n))
    found: list[Change] = [c for c in changes if runs(c)][:limit]
    if not found:
        found = [
            {**c, "gpus": n} for c in changes for n in sizes
            if n != options.gpus and runs({**c, "gpus": n})
        ][:limit]  # fmt: skip
    if not found:
        found = [
            {**c, "gpus": n, "gpu": g.name} for c in changes for n in sizes
            for g in catalog.gpus() if g.name != gpu.name and runs({**c, "gpus": n, "gpu": g.name})
        ][:limit]  # fmt: skip
    return [" ".join(f"--{name} {value}" for name, value in c.items()) for c in found]


def _changed(options: RecordOptions, change: Change) -> RecordOptions:
    """`options` with a change's kind, method, GPU and count."""
    return options._replace(
        kind=str(change["kind"]) if "kind" in change else options.kind,
        method=str(change["method"]) if "method" in change else options.method,
        gpu=str(change["gpu"]) if "gpu" in change else options.gpu,
        gpus=int(change["gpus"]) if "gpus" in change else options.gpus,
    )


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
        return makes_run(opts, k, g, draws, day)

    def concrete(changes: Sequence[Change], limit: int = 2) -> list[str]:
        return configurations(options, kind, gpu, draws, day, changes, limit)

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
        others = [k for k in KINDS if k != kind and lineup.serves(pinned_arch, k, pinned=True)]
        instead = concrete([{"kind": k} for k in others]) or [f"--kind {k}" for k in others]
        return (
            f"{what}: no base checkpoint of {pinned_arch.name} was released to continue "
            f"(only a post-trained model); use {', or '.join(instead)}"
        )
    if pinned_arch is not None and not lineup.serves(
        pinned_arch, kind, options.method, pinned=True
    ):
        others = [k for k in KINDS if lineup.serves(pinned_arch, k, pinned=True)]
        low, high = lineup.PINNED_SIZES[kind]
        if kind == "sft" and options.method in ("lora", "qlora") and low <= pinned_arch.params:
            why = f"its frozen weights and adapters would not fit {lora.MAX_GPUS} GPUs"
            changes: list[Change] = [{"method": "qlora"}, {"method": "full"}]
            what += f" --method {options.method}"
        elif kind == "sft" and pinned_arch.params > high:
            why = f"a full fine-tune is for models of {low / 1e9:g}B to {high / 1e9:g}B parameters"
            changes = [{"method": "lora"}, {"method": "qlora"}, {"kind": "continue"}]
        else:
            span = f"of {low / 1e9:g}B to" if low else "up to"
            why = f"{KIND_LABELS[kind]} is for models {span} {high / 1e9:g}B parameters"
            changes = [{"kind": k} for k in others]
        instead = concrete([c for c in changes if c.get("method") != options.method])
        return f"{what}: {why}; use {', or '.join(instead) or 'no --model'}"
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
    if options.method in ("lora", "qlora") and works(options._replace(method="full"), kind, gpu):
        # adapters train on a node or two (lora.MAX_GPUS): a larger cluster fine-tunes in full
        hints.append("--method full")
    # (never adapters for a model whose layers they are not counted for, DeepSeek-V3, nor in
    # place of another kind than a fine-tune)
    counted = pinned_arch is None or lora.why_no_adapters(pinned_arch) is None
    if options.method == "full" and counted and kind == "sft":  # the adapters of a node or two
        adapted = [m for m in ("lora", "qlora") if works(options._replace(method=m), kind, gpu)]
        if adapted:
            hints.append(f"--method {' or '.join(adapted)}")
    adapters = options.method in ("lora", "qlora")  # a fine-tune, whatever else is named
    if (options.kind is not None or options.dataset is not None) and not adapters:
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
    if not hints and not adapters:
        hints += [
            f"--kind {k}" for k in KINDS if k != kind and works(options._replace(kind=k), k, gpu)
        ][:2]
    if not hints and options.gpus is not None:
        # a cluster of another size and GPU together, nearest the pinned count first
        # (review-realism18 F1: "try no --gpus" named no configuration that works)
        pinned_gpus = options.gpus
        by_scale = sorted(CLUSTER_SIZES, key=lambda n: (abs(math.log2(n / pinned_gpus)), n))
        hints += [
            f"--gpus {n} --gpu {g.name}"
            for n in by_scale
            for g in catalog.gpus()
            if (n, g.name) != (options.gpus, gpu.name)
            and works(options._replace(gpus=n, gpu=g.name), kind, g)
        ][:2]
    if not hints and options.method is not None:
        hints += [
            f"--method {m}"
            for m in ("full", "lora", "qlora")
            if m != options.method and works(options._replace(method=m), kind, gpu)
        ][:1]
    if not hints and options.kind is not None and options.gpus is not None and not adapters:
        # another kind on a cluster of another size, on this GPU (a model no cluster
        # fine-tunes here, DeepSeek-V3's SFT on 8 A100, is continued on 256: "try no
        # --model" named nothing that runs)
        pinned_gpus = options.gpus
        by_scale = sorted(CLUSTER_SIZES, key=lambda n: (abs(math.log2(n / pinned_gpus)), n))
        found = next(
            (
                f"--kind {k} --gpus {n}"
                for k in KINDS
                if k != kind
                for n in by_scale
                if n != options.gpus and works(options._replace(kind=k, gpus=n), k, gpu)
            ),
            None,
        )
        hints += [found] if found else []
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
    length = run_length(options, kind, gpu, draws, day)
    if length is not None:  # the one reason that holds, not the list of every one
        return f"{what} cannot make a believable {kind} run on {gpu.name} GPUs: {length}{hint}"
    # a pinned count is never refused for leaving memory free (floors)
    least = PINNED_MEMORY_FLOOR if options.gpus is not None else MEMORY_FLOOR
    empty = f", would fill less than {least:.0%} of it"
    if kind == "pretrain":  # plan_speed.batch_bound
        empty += ", would need a batch larger than its token budget takes"
    # the layouts that fit but whose exposed communication leaves less than the published
    # MFU floor (plan_speed._batch_and_speed; realism-y: the 405B's SFT on 512 H100)
    empty += ", would leave its communication exposed below a believable MFU"
    return (
        f"{what} cannot make a believable {kind} run on {gpu.name} GPUs (it would not fit in "
        f"memory{empty}, or would take under "
        f"{_hours(DAYS[kind][0] * 24)} or over "
        f"{DAYS[kind][1]:g} days){hint}"
    )


def run_length(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    day: date,
) -> str | None:
    """Where the pinned model fits the pinned cluster and only the run's length refuses it:
    how long its nearest run would take, with the memory and MFU of its layout (review-
    realism20 WARN 11: `--kind continue --model Llama-3.1-70B --gpus 8 --gpu B200` said "would
    not fit, fill < 30 %, or take under 6 hours or over 14 days"; it fits only under full
    recompute, at 25 % MFU, and its smallest corpus would take 15 days). None otherwise."""
    if options.model is None or options.gpus is None:
        return None
    tries = [(draws, False)] + [
        ((draws[0], 0.5, batch, length), True)
        for length in (0.0, 0.99)
        for batch in (0.5, 0.1, 0.9)
    ]
    method = options.method or "full"
    runs: list[tuple[float, Config]] = []
    for tried, least in tries:
        for floor in floors(options):
            for c in candidates(
                options, kind, gpu, *tried, floor=floor, day=day, least=least,
                run_days=(0.0, math.inf),
            ):  # fmt: skip
                if why_framework_cannot(options.framework, c, gpu) is not None:
                    continue
                fpt = lora.flops(c.arch, c.seq_len, method)
                speed = physics.cluster_tokens_per_second(
                    c.layout.gpus, gpu.peak_tflops, c.mfu, fpt
                )
                runs.append((c.epochs * c.dataset.tokens / speed / 86400, c))
    if not runs:
        return None
    low, high = DAYS[kind]
    shortest, longest = min(runs, key=lambda r: r[0]), max(runs, key=lambda r: r[0])
    if shortest[0] > high:
        days, c = shortest
        took = f"{days:.1f} days, over {high:g}"
    elif longest[0] < low:
        days, c = longest
        took = f"{_hours(round(days * 24, 1))}, under {_hours(low * 24)}"
    else:
        return None
    layout = c.layout
    passes = f"{c.epochs} epoch{'s' if c.epochs > 1 else ''} of {c.dataset.name}"
    run = f"{passes} ({c.dataset.tokens / 1e9:,.1f}B tokens), would take {took}"
    if shortest[0] > high:  # the fastest layout's: what it would take at best
        return (
            f"it fits ({layout.memory.total / physics.GIB:.1f} of {gpu.memory_gib:g} GiB, "
            f"{layout.describe()}, recompute {layout.recompute}, MFU {c.mfu:.0%}), but its "
            f"shortest run, {run}"
        )
    # (the slowest layout's, a bound that holds for every layout: not one to show)
    return f"it fits, but even its longest run, {run}"


def _hours(hours: float) -> str:
    return f"{hours:g} hour{'s' if hours != 1 else ''}"
