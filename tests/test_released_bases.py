"""Continued pre-training starts from a released base (issue 17, review-realism13 N4).

`--seed 41378 --model Qwen3-32B --kind continue` loaded `/checkpoints/base/Qwen3-32B/` and
continued it on 500B tokens of StarCoderData. Qwen released Qwen3-32B post-trained only
(QwenLM/Qwen3 issues #1275, #1546, #1693; the Qwen3 report, arXiv 2505.09388, evaluates a 32B
base that was never published): models.tsv's base column names each model's released
checkpoint, "post:" where only a post-trained one came out."""

from __future__ import annotations

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, catalog, make_plan
from genact_cast.generator.plan import RunPlan


def _plan(options: RecordOptions) -> RunPlan | None:
    try:
        return make_plan(options)
    except (BadOption, SeedRefused):
        return None


def test_every_model_names_its_released_checkpoint() -> None:
    for arch in catalog.architectures():
        assert "/" in arch.base, arch.name
    assert {a.name for a in catalog.architectures() if not a.base_released} == {"Qwen3-32B"}


def test_no_run_continues_pre_training_a_base_that_was_never_released() -> None:
    unreleased = {a.name for a in catalog.architectures() if not a.base_released}
    seen = []
    for seed in range(8100, 8260):
        plan = _plan(RecordOptions(seed=seed, kind="continue"))
        if plan is not None and plan.kind == "continue":
            seen.append((seed, plan.arch.name))
    assert len(seen) > 100
    assert not [(s, a) for s, a in seen if a in unreleased]


@pytest.mark.parametrize("seed", [41378, 8116])
def test_a_pinned_model_without_a_base_is_refused_for_continued_pre_training(seed: int) -> None:
    with pytest.raises(BadOption) as refused:
        make_plan(RecordOptions(seed=seed, model="Qwen3-32B", kind="continue"))
    assert "no base checkpoint of Qwen3-32B was released" in str(refused.value)
    assert "--kind pretrain" in str(refused.value)
    # the released post-trained model is fine-tuned, as people do (seeds 41362, 41383)
    assert make_plan(RecordOptions(seed=seed, model="Qwen3-32B", kind="sft")).kind == "sft"
