"""What a framework dialect's record pays that genact's does not (issue 18's speed bar: within
5 % of genact's own look): no layout planned twice, no NCCL line module loaded for a job whose
NCCL prints nothing."""

from __future__ import annotations

import functools
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects import nccl_timings
from genact_cast.generator.dialects.base import Incidentals
from genact_cast.generator.dialects.nccl_startup import nccl_startup
from genact_cast.generator.dialects.nccl_timings import init_totals
from genact_cast.generator.plan_speed import planned_layout
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import with_nccl_debug
from tests.seed_scan import plans


@functools.cache
def every_framework_seed() -> int:
    """The first seed of 51000-51199 whose dense run every framework trains as genact plans it
    (51002; in the date window planned in N10, a Llama 3.1 405B that the Trainer's launchers
    do not run). A framework that does not train the seed's run draws one of its own (issue
    18), which is no longer a refusal: the runs are compared."""
    frameworks = ("megatron", "hf", "deepspeed", "torchtitan")
    for seed, plan in plans(range(51000, 51200), duration=180):
        if plan.arch.moe:
            continue
        try:
            theirs = [
                make_plan(RecordOptions(seed=seed, duration=180, framework=framework))
                for framework in frameworks
            ]
        except BadOption:
            continue
        if all((p.arch, p.kind, p.gpus) == (plan.arch, plan.kind, plan.gpus) for p in theirs):
            return seed
    raise AssertionError("no seed of 51000-51199 that every framework runs")


@pytest.mark.parametrize("framework", ["megatron", "hf", "deepspeed"])
def test_a_framework_plans_a_dense_models_layouts_once(framework: str) -> None:
    """A framework's plan builds genact's run of the seed and then the framework's own
    (plan_config._replaced); for a dense model the two lay it out alike (the framework's
    flat sharding and DualPipe only touch experts), so the second finds the first's layouts
    in planned_layout's cache. every_framework_seed() plans a dense model in all three."""
    options = RecordOptions(seed=every_framework_seed(), duration=180, framework=framework)
    planned_layout.cache_clear()
    plan = make_plan(options)
    own = planned_layout.cache_info().misses
    assert not plan.arch.moe
    planned_layout.cache_clear()
    make_plan(options._replace(framework="genact"))
    assert own == planned_layout.cache_info().misses


@pytest.mark.parametrize("seed", [7, 51000, 0, 51005])  # 0: every_framework_seed()
@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
def test_init_timings_drawn_without_nccl_as_nccl_startup_draws_them(
    seed: int, framework: str
) -> None:
    """The Trainer's first step waits for its slowest process's `Init timings`, drawn
    whether or not NCCL prints: init_totals draws what nccl_startup's `timings` gets."""
    seed = seed or every_framework_seed()
    for debug in (False, True):
        options = RecordOptions(seed=seed, duration=180, framework=framework)
        facts = facts_for(make_plan(with_nccl_debug(options) if debug else options))
        for attempt in (0, 1):
            incidentals = Incidentals(facts, attempt)
            timings: list[float] = []
            nccl_startup(facts, incidentals, timings=timings)
            assert timings
            assert init_totals(facts.seed, incidentals.launch_key, facts.nccl) == timings


NCCL_LINE_MODULES = ("nccl", "nccl_startup", "nccl_topology", "nccl_connects", "nccl_host")


@pytest.mark.parametrize("framework", ["hf", "deepspeed", "megatron", "torchtitan"])
def test_no_nccl_line_module_loads_where_nccl_prints_nothing(framework: str) -> None:
    """A job without NCCL_DEBUG=INFO prints no NCCL line (src/debug.cc:49-50 at v2.27.5-1),
    and its record loads none of the modules that build them: every_framework_seed(), which
    every framework runs, with --nccl-debug off and two failures (the watchdog's restart
    rounds)."""
    seed = every_framework_seed()
    code = (
        "import sys\n"
        "from genact_cast.cli import main\n"
        f"sys.argv = ['genact-cast', 'record', '--seed', '{seed}', '--framework', '{framework}',"
        " '--nccl-debug', 'off', '--failures', '2', '-o', '-']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "prefix = 'genact_cast.generator.dialects.'\n"
        "print(' '.join(m[len(prefix):] for m in sys.modules if m.startswith(prefix + 'nccl')),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = done.stderr.split()
    assert [name for name in loaded if name in NCCL_LINE_MODULES] == []


def test_a_nodes_agents_share_one_chain_whatever_later_launches_were_fresh() -> None:
    """Launch n's torchrun agent reads only which launches up to n were run again, so callers
    that name later fresh launches get the same agents: seed 51004's Megatron run (127 nodes,
    24 launches) keyed them on the whole tuple, overflowed the cache's bound mid-run and built
    49,241 agents again from launch 0, where 3,175 are asked for."""
    from genact_cast.generator.dialects import megatron_comms

    facts = facts_for(make_plan(RecordOptions(seed=7, duration=180)))
    first = Incidentals(facts, 0)
    megatron_comms._AGENTS.clear()
    short = [megatron_comms.agent(facts, first, a, n, (2,)) for a in range(5) for n in (1, 2, 3)]
    longer = [megatron_comms.agent(facts, first, a, n, (2, 9)) for a in range(5) for n in (1, 2, 3)]
    assert all(one is other for one, other in zip(short, longer, strict=True))
    assert len(megatron_comms._AGENTS) == 15


@given(
    st.integers(0, 2**31),
    st.integers(0, 3_000_000),
    st.integers(0, 255),
    st.integers(0, 8),
    st.sampled_from(["2.27.5", "2.23.4", "2.21.5"]),
)
def test_init_totals_are_the_parts_drawn_and_summed_as_printed(
    seed: int, launch: int, node: int, processes: int, version: str
) -> None:
    """init_totals draws each process's parts inline (issue 18's speed bar): the totals of
    init_parts and measured, process after process, each followed by its phases' draws."""
    draw = nccl_timings.node_draw(seed, launch, node)
    expected = []
    for _ in range(processes):
        expected.append(nccl_timings.measured(nccl_timings.init_parts(draw)))
        for _ in range(nccl_timings.PHASES):
            draw.random()
    if not nccl_timings.new_layout(version):
        expected = []
    assert init_totals(seed, launch, version, processes, node) == expected
