"""The model, data, cluster and layout of a run, chosen together from the candidates that fit
(plan_candidates), the same run under every framework, and what would work where none does
(plan_refusal)."""

from datetime import date

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import catalog, lineup
from genact_cast.generator.catalog import Architecture, Framework, Gpu
from genact_cast.generator.options import KINDS, RecordOptions
from genact_cast.generator.plan_candidates import (
    Config,
    candidates,
    floors,
    serves,
    why_framework_cannot,
)
from genact_cast.generator.plan_choices import find_dataset, find_model, usable_from
from genact_cast.generator.plan_refusal import what_would_work


def bf16_adapters(
    options: RecordOptions, kind: str, gpu: Gpu, config: Config, pick: float, day: date
) -> Config | None:
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
        found = candidates(pinned, kind, gpu, *config.draws[:4], day=day)  # type: ignore[arg-type]
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
) -> tuple[str, str, Gpu, Config] | None:
    """(method, kind, GPU, configuration) of the fine-tune with adapters that people run
    where no full run fits what is pinned: LoRA on bf16 weights, else QLoRA where those do
    not fit (torchtune v0.6.1's llama3_1/70B_lora.yaml "needs 8 GPUs", its 405B_qlora.yaml
    runs Llama 3.1 405B on 8). None where the pins ask for another kind of run or nothing
    fits either."""
    if options.kind not in (None, "sft"):
        return None
    if options.dataset is not None and not serves(find_dataset(options.dataset), "sft"):
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
        # (never a fine-tune where the framework's release has no SFT path: choose_kind's
        # draw leaves it out, and so does its stand-in; `--model Qwen3-32B --gpus 64 --gpu
        # A100 --framework torchtitan` made an SFT run once Qwen3-32B's SFT fitted there)
        fine_tunes = lineup.why_no_sft(options.framework) is None
        kinds += [k for k in KINDS if k != kind and (k != "sft" or fine_tunes)]
        if options.model is not None and not find_model(options.model).base_released:
            # A pinned model with no base checkpoint is never continued: try that kind last,
            # so that a refusal names why the kinds it can run do not fit, not "no base
            # checkpoint ... to continue" for a kind nobody asked for (`--model Qwen3-32B
            # --gpus 64 --gpu H200` said so on every seed).
            kinds.sort(key=lambda k: k == "continue")
    first: BadOption | None = None
    # Then, where neither the seed's draws nor the middle ones make a run of what is pinned,
    # the other ends of the batch and sequence draws: a pinned run people make at one batch
    # or length is not refused for the seed's (review-realism18 F1: Llama 3.1 405B's full
    # SFT on 256 H100 fits the 6 micro batches a pipeline stage takes at 2,048 tokens, not
    # at 4,096). Tried last, so that every run made before stays as it was.
    # And a small model's pre-training down to Chinchilla's budget, where no modern one fits
    # the cluster in a run's time (review-realism18 F3: Llama 3.2 3B on 8 H100 refused at
    # 200 tokens a parameter, 55 days; at 20, 6.5 days).
    wider = [(draws[0], 0.5, batch, length) for length in (0.0, 0.99) for batch in (0.5, 0.1, 0.9)]
    for tries, least in (((draws, middle), False), (wider, True)):
        for floor in floors(options):
            for k in kinds:
                # Another kind in the drawn one's place trains as that kind does: a
                # fine-tune's adapters are not a pre-training's (review-realism17 F1:
                # `--model Llama-3.1-8B --gpus 512` refused on seeds that drew a LoRA
                # fine-tune, whose pre-training and continued runs were tried with adapters)
                each = options if k == kind or k == "sft" else options._replace(method="full")
                for candidate in gpus:
                    for tried in tries:
                        try:
                            config = _choose_config(
                                each, k, candidate, tried, order, day, floor, least
                            )
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
    least: bool = False,
) -> Config:
    """A believable (model, data, cluster, layout, epochs) for `kind` on `gpu` (`floor`:
    only layouts that fill the GPUs' memory, see floors; `least`: pre-training budgets down
    to Chinchilla's).

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
        seeds = _replaced(options, kind, gpu, draws, pick, rotation, floor, day, least)
        if seeds is not None:
            return seeds  # with the draws that made it (_replaced)
        # The seed's draw among the models the framework trains, each as likely as in
        # genact's draw (a rotation of all models would give the one after a run of refused
        # ones, Qwen3-30B-A3B after OLMo 2 and Gemma 3, half of Megatron's runs).
        models = [a for a in models if lineup.trains(a, options.framework)] or models
        start = int(first_model * len(models))
        rotation = models[start:] + models[:start]
    fitting: list[Config] = []
    for arch in rotation:
        if options.model is not None and arch != find_model(options.model):
            continue
        fitting = candidates(options, kind, gpu, *draws, arch, floor=floor, day=day, least=least)
        # what the framework's release trains as planned: a layout Megatron can hold
        # (megatron_memory), one torchtitan trains in bf16 (torchtitan_precision)
        fitting = [c for c in fitting if why_framework_cannot(options.framework, c, gpu) is None]
        if fitting:
            break
    if not fitting:
        raise _NoRun(options, kind, gpu, draws, day)
    c = fitting[min(len(fitting) - 1, int(pick * len(fitting)))]
    return c._replace(draws=draws)


class _NoRun(BadOption):
    """No believable run of what is pinned. Its one line (what would work, plan_refusal)
    is worked out only where it is shown: feasible tries dozens of draws, GPUs and kinds
    before it refuses, and shows the first (`--kind sft --model DeepSeek-V3 --gpus 256`
    spent 4.7 s naming what works for each)."""

    def __init__(
        self,
        options: RecordOptions,
        kind: str,
        gpu: Gpu,
        draws: tuple[float, float, float, float],
        day: date,
    ) -> None:
        super().__init__()
        self.why = (options, kind, gpu, draws, day)
        self.text: str | None = None

    def __str__(self) -> str:
        if self.text is None:
            from genact_cast.escape import terminal_text

            self.text = terminal_text(what_would_work(*self.why))
        return self.text


def _replaced(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    pick: float,
    rotation: list[Architecture],
    floor: bool = True,
    day: date | None = None,
    least: bool = False,
) -> Config | None:
    """The run genact plans for the seed, as the framework lays it out (the same model, its
    own candidates, the same pick): --framework changes how the run is printed, never the
    run, wherever the framework's release trains it (review-tt6 fault 10; review-tt8 fault
    5: seed 9803's Gemma-3-27B was an 8B under hf and torchtitan). None where genact has no
    run for the seed, or where the framework does not train its model (lineup.why_not) or
    lays out none of it as planned: the seed's draw is then made among the models the
    framework trains (_choose_config's rotation, the framework's own candidates), as a user
    who names a framework asks for a run of it, not a refusal (issue 18, review-dialects17
    W2: torchtitan refused the seed's model in 38 of 42 casts)."""
    generic = options._replace(framework="genact")
    seed: list[Config] = []
    for arch in rotation:
        seed = candidates(generic, kind, gpu, *draws, arch, floor=floor, day=day, least=least)
        if seed:
            break
    if not seed:
        return None
    chosen = seed[min(len(seed) - 1, int(pick * len(seed)))]
    if not lineup.trains(chosen.arch, options.framework):
        return None
    # The seed's model, as this framework lays it out: a mixture of experts sharded flat
    # under the Trainer's launchers may fit where genact's expert-parallel layout did not,
    # and so come first in the seed's order (seed 42: Qwen3-30B-A3B under hf for genact's
    # Llama-3-8B).
    for used in (draws, (draws[0], 0.5, 0.5, draws[3])):
        # No layout of its own under the seed's batch and MFU draws: the middle draws, as
        # for a pinned model (feasible), before another model (seed 99 since N7: genact's
        # Qwen3-30B-A3B on 1,024 H200, whose flat sharding under the Trainer and DeepSpeed
        # took no layout of the 30B at the seed's batch draw).
        own = candidates(options, kind, gpu, *used, chosen.arch, floor=floor, day=day, least=least)
        if own:
            picked = own[min(len(own) - 1, int(pick * len(own)))]._replace(draws=used)
            # The same run under Megatron or torchtitan, or the framework's own draw: a
            # layout whose distributed-optimizer state would not fit, or that torchtitan
            # would train in float32, is never shown as planned.
            if why_framework_cannot(options.framework, picked, gpu) is None:
                return picked
            return None
    return None
