"""What the seed draws first: the kind of run, the GPUs, the software and the date, the
model's name and how often the run saves."""

import math
from datetime import date, datetime, timedelta, timezone

from genact_cast.errors import BadOption
from genact_cast.generator import catalog, lineup, run_dates
from genact_cast.generator.catalog import Architecture, Dataset, Framework, Gpu
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.rng import Rng

_KIND_ODDS = (("pretrain", 0.4), ("continue", 0.25), ("sft", 0.35))


# Kind, hardware, software and date


def choose_kind(rng: Rng, options: RecordOptions) -> str:
    roll = rng.random()
    no_sft = lineup.why_no_sft(options.framework)
    if options.kind is not None:
        return options.kind
    if options.method is not None:
        # --method full too: how a fine-tune trains (review-realism9 F8: `--method full
        # --model Llama-3.1-70B --gpus 8` was refused as a pre-training run)
        return "sft"
    if options.dataset is not None:
        return find_dataset(options.dataset).kind
    if options.model is not None:
        arch = find_model(options.model)
        if not lineup.serves(arch, "sft") or no_sft is not None:
            return "continue" if lineup.serves(arch, "continue") else "pretrain"
    # A framework with no fine-tuning path draws among the kinds it runs, at their odds: the
    # seed's roll keeps its kind wherever the framework runs it, and a roll that falls on a
    # fine-tune falls again, scaled, on pre-training or continued pre-training (issue 18: a
    # user who names a framework asks for a run of it; torchtitan and Megatron refused every
    # seed whose roll drew a fine-tune, 72 of seeds 0-199).
    kinds = _KIND_ODDS if no_sft is None else tuple(k for k in _KIND_ODDS if k[0] != "sft")
    runs = sum(odds for _, odds in kinds)
    if roll >= runs:  # (only where a kind is left out: the odds sum to 1)
        roll = (roll - runs) / (1.0 - runs) * runs
    drawn = kinds[-1][0]
    for kind, odds in kinds:
        if roll < odds:
            drawn = kind
            break
        roll -= odds
    return drawn


def find_model(name: str) -> Architecture:
    arches = lineup.models()
    found = catalog.find("model", name, {a.name: a.name for a in arches})
    return next(a for a in arches if a.name == found)


def find_dataset(name: str) -> Dataset:
    sets = catalog.datasets()
    found = catalog.find("dataset", name, {d.name: d.name for d in sets})
    return next(d for d in sets if d.name == found)


def choose_gpu(rng: Rng, options: RecordOptions) -> Gpu:
    drawn = rng.pick(catalog.gpus())
    if options.gpu is None:
        return drawn
    name = catalog.find("GPU", options.gpu, {g.name: g.name for g in catalog.gpus()})
    return next(g for g in catalog.gpus() if g.name == name)


def usable_from(gpu: Gpu) -> date:
    """The first day a run on `gpu` can happen: in service, and a torch build supports it."""
    builds = [f.released for f in catalog.frameworks() if gpu.name in f.gpus]
    return max(gpu.since, min(builds))


def choose_software_and_date(
    choose: Rng, scene: Rng, options: RecordOptions, gpu: Gpu
) -> tuple[Framework, datetime]:
    """A start time at which the GPU is in service, and a torch build released before it."""
    # Every run is dated in one window, whatever its dialect, so that the run is the same
    # whichever dialect shows it: after the releases the dialects name, before their
    # successors (run_dates).
    span = run_dates.window()
    arch = find_model(options.model) if options.model is not None else None
    data = find_dataset(options.dataset) if options.dataset is not None else None
    # The seed's day comes after the pinned model and set came out, on a GPU a torch build
    # supports; a model or set that came out after the window never runs (test_run_dates).
    first = max(span.first, usable_from(gpu))
    pins = [(arch.released, "--model", arch.name)] if arch is not None else []
    pins += [(data.released, "--dataset", data.name)] if data is not None else []
    for out, option, name in pins:
        first = max(first, out + timedelta(days=1))
        if out >= span.last:
            raise BadOption(
                f"no {name} run can be dated: it came out on {out:%Y-%m-%d}, and runs are "
                f"dated {span}, while every release the dialects name is current; pin another "
                f"{option}"
            )
    days = scene.integer(0, (span.last - first).days)
    hour, second = scene.integer(7, 22), scene.integer(0, 3599)
    pick = choose.random()
    if options.start is not None:
        start = options.start.astimezone(timezone.utc)
        if not span.holds(start.date()):
            raise BadOption(run_dates.refusal(start.date()))
        refusal = start_refusal(options, gpu, start.date())
        if refusal is not None:
            raise BadOption(refusal)
    else:
        day = first + timedelta(days=days)
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(
            hours=hour, seconds=second
        )
    # Teams pin a build for a while: one of the three newest a week before the start.
    released = [
        f
        for f in catalog.frameworks()
        if gpu.name in f.gpus and f.released <= start.date() - timedelta(days=7)
    ] or [f for f in catalog.frameworks() if gpu.name in f.gpus and f.released <= start.date()]
    recent = released[-3:]
    return recent[min(len(recent) - 1, int(pick * len(recent)))], start


def start_refusal(options: RecordOptions, gpu: Gpu, day: date) -> str | None:
    """Why no run of `options` on `gpu` could start on `day`, naming what blocks it (the
    latest first) and the first day that would work; None where nothing does.

    review-realism17 W2: `--start 2024-06-01 --model Qwen3-8B` blamed the drawn H200 ("use
    another --gpu") while no GPU helps before the model's weights came out."""
    blockers: list[tuple[date, str, str]] = []  # (first day it allows, what, option to change)
    if usable_from(gpu) > day:
        why = (
            f"{gpu.name} GPUs came into service on {gpu.since:%Y-%m-%d}"
            if gpu.since >= usable_from(gpu)
            else f"the first torch build with {gpu.name} kernels came out on "
            f"{usable_from(gpu):%Y-%m-%d}"
        )
        blockers.append((usable_from(gpu), why, "--gpu"))
    if options.model is not None:
        arch = find_model(options.model)
        if not lineup.out_by(arch, day):
            blockers.append(
                (arch.released + timedelta(days=1),
                 f"the weights of {arch.name} came out on {arch.released:%Y-%m-%d}", "--model")
            )  # fmt: skip
    if options.dataset is not None:
        data = find_dataset(options.dataset)
        if not data.out_by(day):
            blockers.append(
                (data.released + timedelta(days=1),
                 f"{data.name} was published on {data.released:%Y-%m-%d}", "--dataset")
            )  # fmt: skip
    late = [r for r in catalog.pinned(options.framework) if r.released >= day]
    if late:
        blockers.append(
            (late[0].released + timedelta(days=1),
             f"the {options.framework} dialect names {late[0].package} {late[0].version}, "
             f"released {late[0].released:%Y-%m-%d}", "--framework")
        )  # fmt: skip
    if not blockers:
        return None
    blockers.sort(key=lambda b: b[0], reverse=True)
    works = f"use --start {blockers[0][0]:%Y-%m-%d} or later"
    if len(blockers) == 1 and blockers[0][2] != "--framework":
        works += f", or another {blockers[0][2]}"
    reasons = "; ".join(b[1] for b in blockers)
    return f"no {options.framework} run could be dated {day:%Y-%m-%d}: {reasons}; {works}"


def model_name_for(
    rng: Rng, arch: Architecture, kind: str, dataset: Dataset, *, pinned: bool
) -> str:
    invented = rng.chance(0.4)
    family = rng.pick(catalog.invented_models())
    suffix = rng.pick(catalog.model_suffixes(kind, dataset.name) or ("",))
    # A model trained from scratch is not the released one: it carries a project's name
    # and the released architecture (shown beside it).
    if kind != "pretrain" and (pinned or not invented):
        return arch.name
    return invented_name(family, arch.size_label, suffix)


def invented_name(family: str, size: str, suffix: str) -> str:
    """`family`-`size``suffix`, without a word the family already has (review-realism8
    WARN 8: "Ultron-Base-3B-Base")."""
    if suffix.lstrip("-") in family.split("-"):
        suffix = ""
    return f"{family}-{size}{suffix}"


def checkpoint_interval(rng: Rng, step_seconds: float, steps_per_epoch: int) -> int:
    """A round number of steps that saves every 1-3 hours of training (500-2,000 steps
    where that fits too); the epoch's own save where an epoch is shorter."""
    hours = rng.uniform(1.2, 2.8)
    nice = [int(m * 10**e) for e in range(6) for m in (1, 2, 2.5, 5)]
    in_hours = [n for n in nice if 3600 <= n * step_seconds <= 3 * 3600]
    both = [n for n in in_hours if 500 <= n <= 2000]
    pool = both or in_hours or nice
    every = min(pool, key=lambda n: abs(math.log(n * step_seconds / (hours * 3600))))
    return max(1, min(every, steps_per_epoch))


# Steps between two evaluations of a pre-training run: Megatron-LM's examples use
# --eval-interval 1000 (core_v0.14.0 examples/gpt3/train_gpt3_175b_distributed.sh:70) or 100
# (examples/llama/train_llama3_8b_h100_fp8.sh:165); OLMo evaluates in the loop every 1,000
# steps. Multiples of 100, so that every framework's logging interval (1, 10 or 100:
# dialect_pacing) logs the step an evaluation follows.
EVAL_INTERVALS = (100, 200, 500, 1000)
MIN_EVALS = 8  # a run evaluates at least this often, or only at its epochs' ends


def evaluation_interval(kind: str, total_steps: int, steps_per_epoch: int) -> int:
    """How many steps apart the run evaluates on its held-out set: a fine-tune after each
    epoch (the Trainer's eval_strategy "epoch"); a pre-training run or continued
    pre-training every 1,000 steps, or the largest of 500, 200, 100 that still evaluates
    MIN_EVALS times, so that a bad run shows on the held-out loss within hours, not at
    its end (review-realism10 N3). A run too short for that evaluates at its epochs' ends.
    Drawn from nothing: the seed's other draws stay where they were."""
    if kind == "sft":
        return steps_per_epoch
    fitting = [n for n in EVAL_INTERVALS if total_steps // n >= MIN_EVALS]
    return max(fitting) if fitting else steps_per_epoch
