"""`--method` says how a fine-tune trains and implies `--kind sft` (the option's help): a
pinned method never makes another kind of run (issue 17, review-realism9 F7 and F8).

F7: `--seed 8150 --method lora --model Llama-3.2-1B` pre-trained rank-16 adapters on a frozen,
randomly initialised model for 45 days (`Initializing weights from scratch`, then LoRA
0.90 % trainable, then `merge_and_unload`): LoRA adapts a pretrained model (Hu et al. 2021,
arXiv 2106.09685), and frozen random weights cannot learn a language model through 0.9 % of
their size. F8: `--method full --model Llama-3.1-70B --gpus 8 --gpu H100` was refused as a
*pretrain* run, with pre-training's GPU counts (1,024 or 2,048)."""

from __future__ import annotations

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan


@pytest.mark.parametrize(
    ("seed", "method", "model"),
    [
        (8150, "lora", "Llama-3.2-1B"),
        (8151, "lora", "Llama-3.2-3B"),
        (8152, "qlora", "Llama-3.2-1B"),
    ],
)
def test_adapters_on_a_small_model_make_a_fine_tune(seed: int, method: str, model: str) -> None:
    """review-realism18 F2: Llama 3.2 1B and 3B were refused adapters ("supervised
    fine-tuning is for models of 6.5B to 75B"), though their Instruct releases are SFT of
    these bases (meta-llama/Llama-3.2-{1B,3B}-Instruct cards): a pinned model is fine-tuned
    wherever its memory and a run's length allow (lineup.PINNED_SIZES)."""
    plan = make_plan(RecordOptions(seed=seed, method=method, model=model))
    assert (plan.kind, plan.options.method, plan.arch.name) == ("sft", method, model)


def test_a_full_fine_tune_that_does_not_fit_is_refused_as_a_fine_tune() -> None:
    options = RecordOptions(seed=8150, method="full", model="Llama-3.1-70B", gpus=8, gpu="H100")
    with pytest.raises(BadOption) as refused:
        make_plan(options)
    message = str(refused.value)
    assert message.startswith("--method full --model Llama-3.1-70B"), message
    assert "sft run" in message
    assert "pretrain" not in message
    assert make_plan(options._replace(gpus=None, gpu=None)).kind == "sft"


@pytest.mark.parametrize("method", ["full", "lora", "qlora"])
def test_a_pinned_method_is_always_a_fine_tune(method: str) -> None:
    for seed in range(40):
        try:
            plan = make_plan(RecordOptions(seed=seed, method=method))
        except BadOption:
            continue
        assert plan.kind == "sft", (seed, method, plan.kind)


# A fine-tune on a model torchtitan v0.2.0 builds, refused only as a fine-tune.
TITAN = RecordOptions(seed=7, framework="torchtitan", model="Llama-3.1-8B")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (TITAN._replace(method="full"), "--method full"),
        (TITAN._replace(method="lora", kind="sft"), "--method lora"),
        (TITAN._replace(method="qlora"), "--method qlora"),
        (TITAN._replace(kind="sft"), "--kind sft"),
        (TITAN._replace(dataset="MetaMathQA"), "--dataset MetaMathQA"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_fine_tune_refused_by_a_framework_names_the_pin_and_a_way_that_runs(
    options: RecordOptions, named: str
) -> None:
    """torchtitan v0.2.0 types no fine-tune (lineup.NO_SFT): the refusal names the option
    that made the run one (`--method full` was named `--dataset None`), and suggests only
    what runs: not `--method full` after a refused adapter (it is a fine-tune too), nor
    another kind of run after a fine-tuning dataset (which no pre-training takes)."""
    with pytest.raises(BadOption) as refused:
        make_plan(options)
    message = str(refused.value)
    assert message.startswith(f"{named}: torchtitan v0.2.0 has no "), message
    assert "None" not in message
    assert "--method full" not in message.split("; use ")[1], message
    assert message.endswith(" or genact"), message
    if options.dataset is not None:
        assert "--kind" not in message
    elif "--kind continue" in message:
        # taken as given, the suggestion runs (a pinned --method full with it too)
        method = "full" if options.method == "full" else None
        assert make_plan(TITAN._replace(kind="continue", method=method)).kind == "continue"
