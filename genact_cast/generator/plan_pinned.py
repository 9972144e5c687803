"""What a plan refuses before drawing anything: a pinned model, method or kind of run that the
chosen framework's dialect does not print, each as one line naming what works instead."""

from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator import lineup, lora
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan_choices import find_model


class NoAdapters(BadOption):
    """Adapters of a model whose layers they are not counted for (DeepSeek-V3's multi-latent
    attention): make_plan names the configurations that work in their place."""


class NoSft(BadOption):
    """A pinned fine-tune (--kind sft) the framework's release does not run: make_plan names
    the kinds that run on the pinned cluster, or the nearest (review-realism20 FAIL 4's
    property: "use --kind pretrain or continue" named kinds refused in their turn)."""


class Pinned(NamedTuple):
    """What the pinned options allow, for the method make_plan draws."""

    moe: bool  # a pinned mixture of experts (fully fine-tuned unless --method says)
    uncounted: str | None  # why the pinned model takes no adapters (None: it does)
    no_adapters: str | None  # why the framework's dialect prints no adapters (None: it does)


def check_pinned(options: RecordOptions, kind: str) -> Pinned:
    """Refuse (BadOption) a pinned model, method or kind the framework's dialect does not
    print; else what the pins allow."""
    reason = (
        None
        if options.model is None
        else lineup.why_not(find_model(options.model), options.framework, options.method)
    )
    if reason is not None:
        # One line that names what works: the models this framework's dialect does type.
        works = ", ".join(a.name for a in lineup.models() if lineup.trains(a, options.framework))
        arch = find_model(options.model or "")
        # Adapters need no pipeline stages: the fine-tune people run on one node (405B QLoRA).
        tunes = options.method is None and options.kind in (None, "sft")
        adapters = tunes and lineup.trains(arch, options.framework, "qlora")
        also = f"; with --method lora or qlora it fine-tunes {arch.name}" if adapters else ""
        raise BadOption(
            f"--model {options.model}: {reason}; --framework {options.framework} takes "
            f"{works}{also}"
        )
    pinned_moe = options.model is not None and find_model(options.model).moe
    uncounted = None if options.model is None else lora.why_no_adapters(find_model(options.model))
    no_sft = lineup.why_no_sft(options.framework)
    # A full fine-tune where the framework runs one; else what it does run, or where it is run
    # (`--method full` would only be refused in its turn).
    full = (
        "--method full"
        if no_sft is None
        else f"--kind pretrain or continue, or --framework {lineup.SFT_FRAMEWORKS}"
    )
    if uncounted is not None and options.method in ("lora", "qlora"):
        if no_sft is not None:
            raise BadOption(f"--method {options.method}: {uncounted}; use {full}")
        # what works instead (a full fine-tune or continued pre-training, on the pinned
        # cluster or the nearest that runs it) is named once the seed's draws are made
        raise NoAdapters(f"--method {options.method}: {uncounted}")
    no_adapters = lineup.why_no_adapters(options.framework)
    if no_adapters is not None and options.method in ("lora", "qlora"):
        raise BadOption(f"--method {options.method}: {no_adapters}; use {full}")
    if no_sft is not None and kind == "sft" and options.kind == "sft" and options.method is None:
        raise NoSft(f"{_sft_pin(options)}: {no_sft}")
    if no_sft is not None and kind == "sft":
        # A fine-tuning dataset is not pre-training data: only another framework takes it.
        other_kind = (
            ""
            if options.kind is None and options.method is None
            else "--kind pretrain or continue, or "
        )
        raise BadOption(
            f"{_sft_pin(options)}: {no_sft}; use {other_kind}--framework {lineup.SFT_FRAMEWORKS}"
        )
    return Pinned(pinned_moe, uncounted, no_adapters)


def _sft_pin(options: RecordOptions) -> str:
    """The option that made the run a fine-tune (choose_kind's order: --kind, --method,
    then the dataset's kind)."""
    if options.kind is not None:
        return f"--kind {options.kind}"
    if options.method is not None:
        return f"--method {options.method}"
    return f"--dataset {options.dataset}"
