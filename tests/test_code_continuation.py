"""A continued pre-training's general benchmarks move by the mix it trained on: code alone
costs HellaSwag and ARC-c as it costs MMLU (review-realism13 K1: seed 41363, DeepSeek-V3 on
250B StarCoderData tokens, lost 5.9 points of MMLU and ended at its card's HellaSwag 0.889;
Mixtral-8x7B's HellaSwag and ARC-c rose). The moves are recomputed from Code Llama 70B's
and Llama 2 70B's leaderboard figures (tests/realism.py CODE_MOVES), not read from the
generator."""

from __future__ import annotations

from typing import Any

import pytest

from genact_cast.errors import BadOption, SeedRefused
from tests.cast_text import read_run
from tests.helpers import events_of, output_of
from tests.realism import PUBLISHED_COMMONSENSE, mix_move, setup_of, violations

MODELS = sorted({arch for arch, _ in PUBLISHED_COMMONSENSE})


def _benchmarks(options: dict[str, Any]) -> tuple[Any, int, dict[str, float]]:
    run = read_run(output_of(events_of(cols=160, rows=50, color=False, **options)))
    last = [e for e in run.evaluations if e.metrics][-1]
    return run, last.epoch, {name: float(value) for name, value in last.metrics.items()}


@pytest.mark.parametrize(
    "options",
    [
        # DeepSeek-V3 continued on StarCoderData: HellaSwag 0.889 before. 41363 drew peS2o
        # since this session's pre-training data sets, so the review's data set is pinned.
        {"seed": 41363, "dataset": "StarCoderData"},
        {"seed": 41370, "model": "Mixtral-8x7B", "kind": "continue", "dataset": "StarCoderData"},
    ],
)
def test_the_reviews_code_runs_lose_commonsense_with_mmlu(options: dict[str, Any]) -> None:
    run, epoch, shown = _benchmarks(options)
    s = setup_of(run)
    assert s.dataset == "StarCoderData", s.dataset
    for name in ("HellaSwag", "ARC-c"):
        if name in shown:
            base = PUBLISHED_COMMONSENSE[(s.arch, name)]
            assert shown[name] <= base + mix_move(s, name, epoch) + 0.02 < base, (name, shown)
    assert not violations(run), violations(run)


@pytest.mark.parametrize("model", MODELS)
def test_every_seeds_code_continuation_moves_each_benchmark_by_the_mix(model: str) -> None:
    seen = 0
    for seed in range(12):
        options = {"seed": seed, "model": model, "kind": "continue", "dataset": "StarCoderData"}
        try:
            run, epoch, shown = _benchmarks(options)
        except (BadOption, SeedRefused):
            continue
        s = setup_of(run)
        for name in ("HellaSwag", "ARC-c"):
            if (model, name) not in PUBLISHED_COMMONSENSE:
                continue
            seen += 1
            moved = PUBLISHED_COMMONSENSE[(model, name)] + mix_move(s, name, epoch)
            assert moved - 0.05 <= shown[name] <= moved + 0.02, (seed, name, shown, moved)
    assert seen >= 6, model
