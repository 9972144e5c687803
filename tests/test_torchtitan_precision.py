"""torchtitan v0.2.0 trains TP or PP without data-parallel sharding in float32
(distributed/utils.py:218-236, maybe_enable_amp: `Mixed precision training with TP or PP is
only supported when FSDP/HSDP/CP is enabled.` / `Mixed precision training is disabled`),
while the run is planned at bf16 throughput and memory: such a layout is never printed with
bf16 numbers (review-tt12 N7: 8454 `--gpus 8` logged 687.75 TFLOPS on a Qwen3-32B the cast
itself declared fp32). The seed draws a layout torchtitan trains in bf16 instead (it was
refused until issue 18's decision: a named framework constrains the seed's draw)."""

from __future__ import annotations

from typing import Any

import pytest

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.run_plan import RunPlan
from genact_cast.generator.torchtitan_precision import why_torchtitan_runs_fp32
from tests.release_catalogue import cast_lines
from tests.seed_scan import seed_where

# Llama-3.1-405B continued on 64 GPUs, TP 8 x PP 8 and no shards in genact's layout of the
# seed. Seeds 8454 (--gpus 8) and 3079 drew Qwen3-32B on one node, TP 8 and no shards, until
# continued pre-training took only released bases (review-realism13 N4: both now continue
# OLMo-2-7B) and attention counted the heads' own size (N7: Qwen3-32B on 8 GPUs is now TP 4 x
# FSDP 2); on main before N10, in seeds 0-7999 (no pin, --kind continue, --failures 1) only
# 2106 and 6937 drew such a layout, and in the date window of N10 neither does. So the cluster
# is pinned (the model stays the seed's draw; a pinned model takes a layout of its own), and
# each seed is the first from the old one whose genact layout is TP without shards.
PINNED: dict[str, Any] = {"gpus": 64, "kind": "continue"}


def _unsharded_tp(plan: RunPlan) -> bool:
    return plan.layout.shard_group == 1 and plan.layout.tp > 1


FP32_IN_GENACT = [
    RecordOptions(
        seed=seed_where(_unsharded_tp, seeds=range(start, start + 100), **PINNED),
        framework="torchtitan",
        failures=failures,
        **PINNED,
    )
    for start, failures in ((2106, None), (6937, 1))
]


@pytest.mark.parametrize("options", FP32_IN_GENACT, ids=lambda o: str(o.seed))
def test_a_layout_torchtitan_trains_in_fp32_is_never_planned(options: RecordOptions) -> None:
    layout = make_plan(options._replace(framework="genact")).layout
    assert why_torchtitan_runs_fp32(layout) is not None
    assert layout.shard_group == 1
    assert layout.tp > 1
    plan = make_plan(options)
    assert why_torchtitan_runs_fp32(plan.layout) is None, plan.layout.describe()
    assert plan.layout.shard_group > 1 or plan.layout.tp == plan.layout.pp == 1


@pytest.mark.parametrize("seed", range(8440, 8460))
def test_no_torchtitan_cast_trains_without_mixed_precision(seed: int) -> None:
    options = RecordOptions(seed=seed, framework="torchtitan", gpus=8, kind="continue")
    try:
        lines = cast_lines(options._replace(cols=1000, color=False, duration=60.0))
    except SeedRefused:
        return
    assert not any("Mixed precision training is disabled" in line for line in lines)
    assert any("Mixed precision training is handled by fully_shard" in line for line in lines)
