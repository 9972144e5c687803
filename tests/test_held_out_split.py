"""A fine-tune's held-out set comes from its data set's validation split and is timed as the
forward of its packed rows (review-realism13 E2: seed 41365 evaluated 2,000 packed WMT16
sequences, 59,500 sentence pairs of a 1,999-pair split, in 87.2 s; the split's forward is
about 3 s). The splits are the cards' (tests/realism.py VALIDATION_SPLITS)."""

from __future__ import annotations

from typing import Any

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, make_plan
from tests.cast_text import read_run
from tests.helpers import events_of, output_of
from tests.realism import CHECKS, VALIDATION_SPLITS, setup_of

HELD_OUT = "held-out set: a fine-tune's examples from its split, its time the forward of its rows"


@pytest.mark.parametrize(
    "options",
    [
        # the review's runs, their sets pinned (129c37f's 1-3 passes moved some draws)
        {"seed": 41365, "kind": "sft", "dataset": "WMT16-ro-en"},  # 2,000 packed rows before
        {"seed": 41361, "kind": "sft", "dataset": "CNN-DailyMail"},  # 26,600 articles before
        {"seed": 41361, "model": "Llama-3.1-70B", "gpus": 8, "kind": "sft", "dataset": "XSum"},
        {"seed": 41377, "model": "Qwen3-32B", "kind": "sft", "dataset": "XSum"},
        {"seed": 41376, "kind": "sft", "dataset": "CNN-DailyMail"},
    ],
)
def test_the_reviews_fine_tunes_hold_out_no_more_than_the_split(options: dict[str, Any]) -> None:
    run = read_run(output_of(events_of(cols=160, rows=50, color=False, **options)))
    assert run.evaluations, options
    assert setup_of(run).dataset == options["dataset"], options
    assert not CHECKS[HELD_OUT](run, setup_of(run)), CHECKS[HELD_OUT](run, setup_of(run))


@pytest.mark.parametrize("dataset", sorted(VALIDATION_SPLITS))
def test_every_seeds_held_out_examples_fit_the_cards_split(dataset: str) -> None:
    """Over many seeds and each catalogue set that ships a split: the examples held out fit
    it, and the rows hold them (the set's tokens over the rows' filled tokens)."""
    seen = 0
    for seed in range(40):
        try:
            plan = make_plan(RecordOptions(seed=seed, kind="sft", dataset=dataset))
        except (BadOption, SeedRefused):
            continue
        seen += 1
        assert 0 < plan.held_out_examples <= VALIDATION_SPLITS[dataset], (seed, plan)
        per_example = plan.dataset.tokens_per_example
        rows = plan.held_out_examples * per_example / plan.row_tokens
        assert rows <= plan.eval_samples < rows + 1, (seed, plan.eval_samples, rows)
    assert seen >= 20, dataset
