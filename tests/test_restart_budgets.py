"""review-realism12 R1: the genact log is typed at the first node's shell, so its torchrun
lines are that node's agent's, whose --max-restarts are its own (torch 2.9.0
elastic/agent/server/api.py:898-928; pytorch/pytorch#108158). The log showed each failed
node's count as if it were the shell's (seed 41233: `3/3 attempts left` twice with no
relaunch between; 41211: `3/3` on hgx-127's death, then hgx-060's `restart 1..3 of 3`)."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.events import Failed, Restarted
from genact_cast.generator.run import Run
from genact_cast.generator.run_plan import RunPlan
from tests.cast_text import read_run
from tests.helpers import events_of, output_of, plain
from tests.restart_budgets import MAX_RESTARTS, budget_faults
from tests.seed_scan import seed_where


def _text(seed: int, **options: object) -> str:
    return plain(output_of(events_of(seed=seed, color=False, cols=250, **options)))


# The review's seeds (default options), and pinned failures on small and large clusters.
@pytest.mark.parametrize(
    ("seed", "failures"), [(41211, None), (41233, None), (41234, None), (41211, 2), (7164, 2)]
)
def test_every_node_spends_its_own_restarts(seed: int, failures: int | None) -> None:
    text = _text(seed, **({} if failures is None else {"failures": failures}))
    run = read_run(text)
    assert run.failures
    assert budget_faults(run) == []


def _deaths_and_a_broken_gpu(plan: RunPlan) -> bool:
    """Two workers die on nodes other than the shell's with no relaunch between, and a
    broken GPU fails its node's restarts (Failed.retried) until that torchrun gives up."""
    events = Run(plan).events
    shell = plan.host(0)
    kinds = [
        "death" if e.host != shell and not e.watchdog and e.ends == "dies" else "other"
        for e in events
        if isinstance(e, Failed)
    ]
    relaunches = [e.requeued for e in events if isinstance(e, Restarted)]
    twice = any(
        kinds[i] == kinds[i + 1] == "death" and not relaunches[i]
        for i in range(min(len(kinds), len(relaunches)) - 1)
    )
    return twice and any(isinstance(e, Failed) and e.retried for e in events)


def test_a_death_on_another_node_costs_the_shells_agent_nothing() -> None:
    """Two workers die (Xid 94) on other nodes with no relaunch between (seed 41233 on main:
    worker-037 and worker-003). The shell's agent restarts for each node's return to the
    rendezvous (the HEALTHY branch's line, Lightning-AI/pytorch-lightning#3029 shows it on a
    real node 0), and a broken GPU's restarts are named with its node's agent, rank and host
    as the run planned them."""
    seed = seed_where(_deaths_and_a_broken_gpu, seeds=range(41233, 41333))
    text = _text(seed)
    run = read_run(text)
    # (a death that ends the launch, an NVLink fault's on a GPU that needs a reset, is run
    # again with new torchruns: no agent of the shell's counts anything for it either)
    deaths = [
        f
        for f in run.failures
        if f.stopped_at is not None and f.host != run.prompt_host and not f.requeued
    ]
    assert len(deaths) >= 2
    assert all(f.shell_left == -1 for f in deaths)
    assert "Detected 1 new nodes from group_rank=0; will restart worker group" in text
    events = Run(make_plan(RecordOptions(seed=seed))).events
    broken = next(e for e in events if isinstance(e, Failed) and e.retried)
    first = MAX_RESTARTS - broken.retries + 1
    assert re.search(
        rf"\[elastic\] {broken.host}'s agent: restart {first} of {MAX_RESTARTS}: "
        rf"rank {broken.rank} failed",
        text,
    ), (seed, broken.host, broken.rank)
    gave_up = next(
        e.gave_up for e in events if isinstance(e, Restarted) and e.t > broken.t and e.gave_up
    )
    assert f"{gave_up}'s torchrun used its {MAX_RESTARTS} restarts and exited" in text


def test_the_check_catches_one_count_shown_for_every_agent() -> None:
    """The old shapes: another node's count printed as the shell's own, and a give-up by
    a torchrun that still had restarts."""
    text = _text(41233)
    doctored = text.replace(
        "[elastic] [default] Detected 1 new nodes from group_rank=0; will restart worker group",
        "[elastic] [default] Worker group FAILED. 3/3 attempts left; will restart worker group",
    )
    assert doctored != text
    assert budget_faults(read_run(doctored))
    doctored = re.sub(r"\] \S+'s torchrun used its", "] torchrun used its", text)
    assert doctored != text
    assert budget_faults(read_run(doctored))
