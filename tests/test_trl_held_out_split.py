"""A fine-tune on a set that ships a train split alone (OpenHermes-2.5, SlimOrca, Tulu-3,
MetaMathQA: datasets.tsv hub_splits `train,-`, the cards' split lists) evaluates on examples
held out of that split and trains on the rest. trl 0.24.0's sft.py:141 reads
`dataset[script_args.dataset_test_split]` ('test') while the run evaluates: a KeyError on
such a set, which 56 of 100 hf fine-tunes (seeds 47300-47399) drew. train.py splits it with
`train_test_split(test_size=N, seed=training_args.seed)` (hf_script), which prints nothing
(datasets 4.4.1 logs at INFO only), and every dialect counts the same split: the maps' bars,
the Trainer's steps, genact's `Dataset:` line."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, catalog, generate, held_out_set, make_plan
from genact_cast.generator.dialects import hf_script
from genact_cast.generator.dialects.hf_job import Job
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import output_of, plain

CARDS = {d.name: d for d in catalog.datasets() if d.kind == "sft"}
# the sets whose cards list a train split alone (the Hub's split lists, datasets.tsv)
TRAIN_ONLY = {"OpenHermes-2.5", "SlimOrca", "Tulu-3-SFT-Mix", "MetaMathQA"}


def _plan(options: RecordOptions) -> RunPlan | None:
    try:
        return make_plan(options)
    except (BadOption, SeedRefused):
        return None


def test_the_sets_of_no_held_out_split_are_the_cards_train_only_sets() -> None:
    split = {name for name, d in CARDS.items() if held_out_set.split_from_train(d)}
    assert split == TRAIN_ONLY
    # the others ship a split of their own, which the held-out count never passes
    assert all(CARDS[name].validation > 0 for name in set(CARDS) - TRAIN_ONLY)
    assert all(CARDS[name].validation == 0 for name in TRAIN_ONLY)


def _bars(text: str, verb: str) -> dict[str, int]:
    """{split: examples} of trl's `verb` map bars."""
    found = re.findall(rf"{verb} (train|eval) dataset[^:]*: 100%\|[^|]*\| *(\d+)/(\d+)", text)
    return {split: int(total) for split, done, total in found if done == total}


@pytest.mark.parametrize(
    ("seed", "framework", "dataset"),
    [
        (46110, "deepspeed", "MetaMathQA"),  # the repro: KeyError 'test' at sft.py:141
        (47800, "hf", "SlimOrca"),
        (47801, "deepspeed", "OpenHermes-2.5"),
        (47802, "hf", "Tulu-3-SFT-Mix"),
        (47803, "hf", "XSum"),  # a validation split of its own: nothing split, all trained
    ],
)
def test_the_trainer_trains_on_the_split_less_the_held_out_examples(
    seed: int, framework: str, dataset: str
) -> None:
    options = RecordOptions(seed=seed, framework=framework, kind="sft", dataset=dataset)
    if seed == 46110:
        options = RecordOptions(seed=seed, framework=framework, method="lora", gpus=8)
    plan = make_plan(options)
    assert plan.dataset.name == dataset
    card = CARDS[dataset]
    held = plan.held_out_examples
    text = plain(output_of(generate(options._replace(cols=1000, color=False)).events))
    command = Job(facts_for(plan), cols=1000).dataset_args()
    assert "--dataset_test_split" not in command or dataset not in TRAIN_ONLY
    tokenized = _bars(text, "Tokenizing")
    assert tokenized["eval"] == held
    if dataset in TRAIN_ONLY:
        assert hf_script.splits(dataset)
        assert tokenized["train"] == card.examples - held, (tokenized, card.examples, held)
        assert held in (1_000, 2_000, 5_000)
    else:
        assert not hf_script.splits(dataset)
        assert tokenized["train"] == card.examples
        assert held <= card.validation
    # the Trainer's steps are the trained examples' packed rows
    fill = plan.row_tokens
    assert plan.steps_per_epoch == math.ceil(
        tokenized["train"] * plan.dataset.tokens_per_example / (plan.global_batch * fill)
    )
    assert f"Total optimization steps = {plan.total_steps:,}" in text


def test_genact_s_log_counts_the_same_split() -> None:
    options = RecordOptions(seed=47804, framework="genact", kind="sft", dataset="SlimOrca")
    plan = make_plan(options)
    text = plain(output_of(generate(options._replace(cols=200, color=False)).events))
    trained = CARDS["SlimOrca"].examples - plan.held_out_examples
    assert f"Dataset: SlimOrca ({trained:,} examples + {plan.held_out_examples:,} held out" in text
    assert f"({plan.held_out_examples:,} examples packed)" in text


def test_the_held_out_set_is_the_same_whichever_dialect_shows_the_run() -> None:
    """The draw is the seed's alone: the framework (its date, its software) never moves it."""
    for seed in range(47810, 47830):
        plans = [
            _plan(RecordOptions(seed=seed, framework=fw, kind="sft", dataset="MetaMathQA"))
            for fw in ("genact", "hf", "deepspeed")
        ]
        held = {p.held_out_examples for p in plans if p is not None}
        assert len(held) == 1, (seed, held)
        trained = {p.dataset.examples for p in plans if p is not None}
        assert trained == {CARDS["MetaMathQA"].examples - held.pop()}, (seed, trained)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    dataset=st.sampled_from(sorted(CARDS)),
    framework=st.sampled_from(["genact", "hf", "deepspeed"]),
)
def test_every_fine_tune_trains_on_what_it_does_not_hold_out(
    seed: int, dataset: str, framework: str
) -> None:
    plan = _plan(RecordOptions(seed=seed, framework=framework, kind="sft", dataset=dataset))
    if plan is None:
        return
    card = CARDS[dataset]
    held = plan.held_out_examples
    assert held > 0
    if dataset in TRAIN_ONLY:
        assert plan.dataset.examples + held == card.examples
    else:
        assert plan.dataset.examples == card.examples
        assert held <= card.validation
    # an epoch is one pass over the trained examples' tokens, exactly
    assert plan.tokens_after(plan.steps_per_epoch) == plan.dataset.examples * (
        plan.dataset.tokens_per_example
    )
