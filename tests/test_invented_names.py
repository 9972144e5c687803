"""An invented model name says each word once (review-realism8 WARN 8: seed 6301 built
`Ultron-Base-3B-Base`, the family `Ultron-Base` with the pre-training suffix `-Base`)."""

from __future__ import annotations

from genact_cast.generator import RecordOptions, catalog, make_plan
from genact_cast.generator.plan_choices import invented_name
from tests.seed_scan import seed_where


def test_no_family_and_suffix_repeat_a_word() -> None:
    for family in catalog.invented_models():
        for kind in ("pretrain", "continue", "sft"):
            for suffix in catalog.model_suffixes(kind):
                words = invented_name(family, "7B", suffix).split("-")
                assert len(words) == len(set(words)), (family, suffix)


def test_the_reviewed_seed_names_its_model_once_as_base() -> None:
    # The reviewed run, Ultron-Base pre-trained: seed 6301 outside N10's planned date
    # window: the first such seed of 6300-7299.
    seed = seed_where(
        lambda plan: plan.kind == "pretrain" and plan.model_name.startswith("Ultron-Base-"),
        seeds=range(6300, 7300),
    )
    plan = make_plan(RecordOptions(seed=seed))
    assert plan.model_name == f"Ultron-Base-{plan.arch.size_label}"
