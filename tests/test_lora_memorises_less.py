"""An adapter memorises less than a full fine-tune: its epoch-boundary drop is a fraction of
full fine-tuning's (review-realism9 W3; Biderman et al. 2024, arXiv 2405.09673)."""

import statistics

from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan import RunPlan, make_plan

SEEDS = range(8100, 8140)  # the review's default seeds: 4 LoRA and 8 full multi-epoch fine-tunes


def boundary_drops(plan: RunPlan) -> list[float]:
    """The smooth loss over the last 15 % of each epoch less that over the next one's first
    15 %, as the review measured it on the step lines."""
    loss, per = plan.loss, plan.steps_per_epoch
    span = max(1, per * 15 // 100)
    drops = []
    for epoch in range(1, plan.epochs):
        edge = epoch * per
        before = statistics.mean(loss.smooth(s) for s in range(edge - span + 1, edge + 1))
        after = statistics.mean(loss.smooth(s) for s in range(edge + 1, edge + span + 1))
        drops.append(before - after)
    return drops


def test_adapters_drop_at_epoch_boundaries_a_fraction_of_what_full_fine_tunes_drop() -> None:
    lora: list[float] = []
    full: list[float] = []
    for seed in SEEDS:
        plan = make_plan(RecordOptions(seed=seed))
        if plan.kind != "sft" or plan.epochs < 2:
            continue
        (full if plan.lora is None else lora).extend(boundary_drops(plan))
    assert len(lora) >= 4, "too few LoRA fine-tunes among the seeds: widen SEEDS"
    assert len(full) >= 4, "too few full fine-tunes among the seeds: widen SEEDS"
    assert min(lora) > 0  # still a drop: the adapter sees each example again
    assert max(lora) < min(full), (lora, full)
    assert statistics.mean(lora) <= 0.6 * statistics.mean(full), (lora, full)
