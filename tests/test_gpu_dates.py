"""A GPU runs every torch build that carries kernels for its compute capability, from the day
its vendor shipped it; a start no run could make is refused naming what blocks it and the
first day that works (review-realism17 W2: H200 runs were refused before 2024-09-04 "for want
of a torch build", though H200 is Hopper, compute capability 9.0, like H100; and `--start
2024-06-01 --model Qwen3-8B` blamed the drawn H200 where no GPU helps before the model)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.generator import RecordOptions, catalog
from genact_cast.generator.plan_choices import find_model, start_refusal, usable_from

GPUS = {g.name: g for g in catalog.gpus()}


@given(st.sampled_from(catalog.frameworks()), st.sampled_from(catalog.gpus()))
def test_a_build_runs_on_every_gpu_of_a_compute_capability_it_carries(
    build: catalog.Framework, gpu: catalog.Gpu
) -> None:
    twins = [g.name for g in catalog.gpus() if g.compute == gpu.compute]
    assert all(name in build.gpus for name in twins) or gpu.name not in build.gpus


def test_h200_runs_whatever_torch_h100_runs_from_its_first_shipments() -> None:
    h100, h200 = GPUS["H100"], GPUS["H200"]
    assert h200.compute == h100.compute == "9.0"
    assert usable_from(h200) == h200.since  # no torch build to wait for
    for build in catalog.frameworks():
        assert ("H200" in build.gpus) == ("H100" in build.gpus), build.torch


@given(st.dates(date(2019, 1, 1), date(2026, 12, 31)), st.sampled_from(catalog.gpus()))
def test_a_refused_start_names_the_first_day_that_works(day: date, gpu: catalog.Gpu) -> None:
    options = RecordOptions(seed=1, model="Qwen3-8B")
    refusal = start_refusal(options, gpu, day)
    works = max(usable_from(gpu), find_model("Qwen3-8B").released + timedelta(days=1))
    if day >= works:
        assert refusal is None
        return
    assert refusal is not None
    assert f"use --start {works:%Y-%m-%d} or later" in refusal
    if day < usable_from(gpu) and works > usable_from(gpu):
        # the model blocks longer than the GPU: another GPU alone would not help
        assert "another --gpu" not in refusal
        assert refusal.index("Qwen3-8B") < refusal.index(gpu.name)


def test_the_model_not_the_gpu_is_named_where_the_model_came_later() -> None:
    refusal = start_refusal(RecordOptions(seed=42490, model="Qwen3-8B"), GPUS["H200"],
                            date(2024, 6, 1))  # fmt: skip
    assert refusal is not None
    assert "the weights of Qwen3-8B came out on 2025-04-29" in refusal
    assert refusal.endswith("use --start 2025-04-30 or later, or another --model")
