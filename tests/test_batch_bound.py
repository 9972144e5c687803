"""A pre-training run's global batch stays within what its compute budget takes, so a model
uses no more data-parallel GPUs than that batch has sequences for (issue 17, review-realism9 F3).

F3: `--seed 8130 --gpus 2048 --model Llama-3.2-1B` ran DP 2048 with 16.8M tokens a step, each
GPU 19.5 of 80 GiB full; DeepSeek LLM's fit of the best batch to the compute budget (Bi et al.
2024, arXiv 2401.02954, section 3.1: B_opt = 0.2920 * C^0.3271 tokens) gives about 4.3M for
its 1.1T tokens. OLMo 2 7B's recipe on 1,024 GPUs (review-realism7 WARN 11) stays a run."""

from __future__ import annotations

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.plan_speed import B_OPT_TOLERANCE, batch_bound


def test_the_bound_is_deepseek_llms_fit_at_its_own_runs() -> None:
    """DeepSeek LLM 7B: 30 layers of 4,096, 6.9B parameters, 2T tokens of 4,096, trained with
    2,304 x 4,096 = 9.4M tokens a step (the paper's Table 2); its fit gives about that."""
    flops_per_token = 6 * 6.9e9 + 12 * 30 * 4096 * 4096
    fit = batch_bound(flops_per_token, 2e12) / B_OPT_TOLERANCE
    assert 0.85 < 2304 * 4096 / fit < 1.15, fit


@pytest.mark.parametrize("gpus", [1024, 2048])
@pytest.mark.parametrize("seed", [8130, 8131, 8165])
def test_a_small_model_on_more_gpus_than_its_batch_holds_is_refused(seed: int, gpus: int) -> None:
    with pytest.raises(BadOption) as refused:
        make_plan(RecordOptions(seed=seed, model="Llama-3.2-1B", gpus=gpus))
    message = str(refused.value)
    assert "would need a batch larger than its token budget takes" in message
    named = [int(n) for n in message.split("try --gpus ")[1].split(",")[0].split(" or ")]
    for count in named:  # each count it names makes a run, inside the bound
        plan = make_plan(RecordOptions(seed=seed, model="Llama-3.2-1B", gpus=count))
        bound = batch_bound(plan.flops_per_token, plan.total_tokens)
        assert plan.global_batch_tokens <= bound * 1.001, (count, plan.global_batch_tokens)


def test_drawn_pre_training_batches_stay_within_the_bound() -> None:
    checked = 0
    for seed in range(150):
        try:
            plan = make_plan(RecordOptions(seed=seed))
        except (BadOption, SeedRefused):
            continue
        if plan.kind != "pretrain":
            continue
        checked += 1
        bound = batch_bound(plan.flops_per_token, plan.total_tokens)
        assert plan.global_batch_tokens <= bound * 1.001, (seed, plan.arch.name)
    assert checked >= 40


@pytest.mark.parametrize(
    ("model", "gpus", "gpu"), [("OLMo-2-7B", 1024, "H100"), ("OLMo-2-7B", 512, "B200")]
)
def test_published_recipes_on_large_clusters_still_run(model: str, gpus: int, gpu: str) -> None:
    for seed in range(8130, 8140):
        plan = make_plan(RecordOptions(seed=seed, model=model, gpus=gpus, gpu=gpu, kind="pretrain"))
        assert plan.global_batch == 1024  # allenai/OLMo OLMo2-7B-stage1.yaml
        assert plan.memory_gib / plan.gpu.memory_gib >= 0.30
