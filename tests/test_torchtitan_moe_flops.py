"""torchtitan v0.2.0's MFU for a mixture of experts: models/utils.py:394-442
(get_moe_model_nparams_and_flops) counts the routed experts' parameters top_k/num_experts
times, so the logged MFU is the run's own (from its active parameters), never above the
device's peak."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, catalog, generate, lineup, make_plan
from tests.helpers import output_of, plain

# The mixtures of experts torchtitan v0.2.0 builds (qwen3's 30B-A3B flavor).
MOE = [a.name for a in catalog.architectures() if a.experts and lineup.trains(a, "torchtitan")]


def test_the_catalogue_has_mixtures_of_experts() -> None:
    assert len(MOE) >= 1


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("model", MOE)
def test_a_mixture_of_experts_logs_the_mfu_of_its_active_parameters(model: str, seed: int) -> None:
    options = RecordOptions(
        seed=seed, model=model, framework="torchtitan", cols=1000, duration=30.0, failures=0
    )
    plan = make_plan(options)
    out = plain(output_of(generate(options).events))
    logged = [float(x) for x in re.findall(r"  mfu: ([\d.]+)%", out)]
    assert len(logged) >= 3
    # The engine's MFU counts 6 FLOPs per active parameter and token plus attention; the
    # tag's formula differs from it only in the attention term and the embedding.
    assert max(logged) <= 100.0
    assert max(logged) == pytest.approx(100 * plan.mfu, rel=0.12)
