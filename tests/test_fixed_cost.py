"""What a framework dialect's record pays that genact's does not (issue 18's speed bar: within
5 % of genact's own look): no layout planned twice."""

from __future__ import annotations

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.plan_speed import planned_layout


@pytest.mark.parametrize("framework", ["megatron", "hf", "deepspeed"])
def test_a_framework_plans_a_dense_models_layouts_once(framework: str) -> None:
    """A framework's plan builds genact's run of the seed and then the framework's own
    (plan_config._replaced); for a dense model the two lay it out alike (the framework's
    flat sharding and DualPipe only touch experts), so the second finds the first's layouts
    in planned_layout's cache. Seed 51002 plans a dense model in all three."""
    options = RecordOptions(seed=51002, duration=180, framework=framework)
    planned_layout.cache_clear()
    plan = make_plan(options)
    own = planned_layout.cache_info().misses
    assert not plan.arch.moe
    planned_layout.cache_clear()
    make_plan(options._replace(framework="genact"))
    assert own == planned_layout.cache_info().misses
