"""The models of 2025-26: their configs as released, and no run before its model came out.

The figures below are copied from each model's config.json and card (cited in
genact_cast/generator/data/models.tsv), not read from the catalog, so that a wrong
catalogue entry is caught rather than trusted.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, catalog, make_plan, run_dates
from genact_cast.generator.plan import RunPlan

# name: (layers, hidden, heads, kv heads, vocab, released), from each config.json and card.
RELEASED_CONFIGS = {
    "Llama-3.1-8B": (32, 4096, 32, 8, 128256, date(2024, 7, 23)),
    "Llama-3.1-70B": (80, 8192, 64, 8, 128256, date(2024, 7, 23)),
    "Llama-3.1-405B": (126, 16384, 128, 8, 128256, date(2024, 7, 23)),
    "Llama-3.2-1B": (16, 2048, 32, 8, 128256, date(2024, 9, 25)),
    "Llama-3.2-3B": (28, 3072, 24, 8, 128256, date(2024, 9, 25)),
    "Qwen2.5-7B": (28, 3584, 28, 4, 152064, date(2024, 9, 19)),
    "Qwen2.5-14B": (48, 5120, 40, 8, 152064, date(2024, 9, 19)),
    "Qwen2.5-72B": (80, 8192, 64, 8, 152064, date(2024, 9, 19)),
    "Qwen3-8B": (36, 4096, 32, 8, 151936, date(2025, 4, 29)),
    "Qwen3-32B": (64, 5120, 64, 8, 151936, date(2025, 4, 29)),
    "OLMo-2-7B": (32, 4096, 32, 32, 100278, date(2024, 11, 26)),
    "OLMo-2-13B": (40, 5120, 40, 40, 100278, date(2024, 11, 26)),
    "OLMo-2-32B": (64, 5120, 40, 8, 100278, date(2025, 3, 13)),
    "Gemma-3-12B": (48, 3840, 16, 8, 262208, date(2025, 3, 12)),
    "Gemma-3-27B": (62, 5376, 32, 16, 262208, date(2025, 3, 12)),
}


def plan_for(seed: int, **pins: object) -> RunPlan:
    return make_plan(RecordOptions(seed=seed, **pins))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(RELEASED_CONFIGS))
def test_each_model_of_2025_26_has_its_released_config(name: str) -> None:
    arch = next(a for a in catalog.architectures() if a.name == name)
    shown = (arch.layers, arch.hidden, arch.heads, arch.kv_heads, arch.vocab, arch.released)
    assert shown == RELEASED_CONFIGS[name]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**63))
def test_a_run_starts_after_its_model_came_out(seed: int) -> None:
    plan = plan_for(seed)
    assert plan.arch.released < plan.start.date()


def test_the_seed_picks_models_of_2025_26() -> None:
    names = {plan_for(seed).arch.name for seed in range(60)}
    assert len(names & set(RELEASED_CONFIGS)) >= 8, names


@pytest.mark.parametrize("name", sorted(RELEASED_CONFIGS))
def test_each_new_model_can_be_pinned_and_starts_after_its_release(name: str) -> None:
    plan = plan_for(11, model=name)
    assert plan.arch.name == name
    assert plan.start.date() > RELEASED_CONFIGS[name][5]


def test_a_pinned_start_before_the_models_release_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every model came out before today's window (N10), which alone refuses 2025-03-01; a
    # window opened back to 2025 shows the check that guards a model out inside a window.
    now = run_dates.window()
    wide = run_dates.Window(date(2025, 1, 1), now.last, now.closed_by)
    monkeypatch.setattr(run_dates, "window", lambda: wide)
    start = datetime(2025, 3, 1, 12, tzinfo=timezone.utc)
    with pytest.raises(BadOption, match=r"Qwen3-8B .*came out on 2025-04-29"):
        plan_for(3, model="Qwen3-8B", gpu="H100", start=start)


def test_a_continued_run_starts_at_the_published_score_of_its_model() -> None:
    from genact_cast.generator.run import Run

    # On papers (peS2o): seed 5's own corpus is StarCoderData, and code costs MMLU
    # (domains.tsv mmlu_1t, review-realism11 N2).
    plan = plan_for(5, model="Qwen2.5-7B", kind="continue", dataset="peS2o")
    run = Run(plan)
    mmlu = dict(
        run.evaluation_metrics(1, plan.steps_per_epoch, plan.loss.after(plan.steps_per_epoch))
    )["MMLU"]
    assert abs(mmlu - 0.742) <= 0.02  # Qwen2.5 report, Table 3: base MMLU 74.2
