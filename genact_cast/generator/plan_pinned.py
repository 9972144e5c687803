"""What a plan refuses before drawing anything: a pinned model, method or kind of run that the
chosen framework's dialect does not print, each as one line naming what works instead."""

from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator import lineup, lora
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan_choices import find_model


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
    if uncounted is not None and options.method in ("lora", "qlora"):
        instead = (
            "--method full"
            if lineup.serves(find_model(options.model or ""), "sft")
            else ("--kind continue")
        )
        raise BadOption(f"--method {options.method}: {uncounted}; use {instead}")
    no_adapters = lineup.why_no_adapters(options.framework)
    if no_adapters is not None and options.method in ("lora", "qlora"):
        raise BadOption(f"--method {options.method}: {no_adapters}; use --method full")
    no_sft = lineup.why_no_sft(options.framework)
    if no_sft is not None and kind == "sft":
        pinned = f"--kind {kind}" if options.kind else f"--dataset {options.dataset}"
        raise BadOption(
            f"{pinned}: {no_sft}; use --kind pretrain or continue, "
            f"or --framework {lineup.SFT_FRAMEWORKS}"
        )
    return Pinned(pinned_moe, uncounted, no_adapters)
