"""review-realism12 R1: the genact log is typed at the first node's shell, so its torchrun
lines are that node's agent's, whose --max-restarts are its own (torch 2.9.0
elastic/agent/server/api.py:898-928; pytorch/pytorch#108158). The log showed each failed
node's count as if it were the shell's (seed 41233: `3/3 attempts left` twice with no
relaunch between; 41211: `3/3` on hgx-127's death, then hgx-060's `restart 1..3 of 3`)."""

from __future__ import annotations

import re

import pytest

from tests.cast_text import read_run
from tests.helpers import events_of, output_of, plain
from tests.restart_budgets import budget_faults


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


def test_a_death_on_another_node_costs_the_shells_agent_nothing() -> None:
    """Seed 41233: worker-037 and worker-003 die (Xid 94) with no relaunch between. The
    shell's agent restarts for each node's return to the rendezvous (the HEALTHY branch's
    line, Lightning-AI/pytorch-lightning#3029 shows it on a real node 0), and the broken GPUs'
    restarts are named with their node's agent."""
    text = _text(41233)
    run = read_run(text)
    deaths = [f for f in run.failures if f.stopped_at is not None and f.host != run.prompt_host]
    assert len(deaths) >= 2
    assert all(f.shell_left == -1 for f in deaths)
    assert "Detected 1 new nodes from group_rank=0; will restart worker group" in text
    assert re.search(r"\[elastic\] worker-052's agent: restart 1 of 3: rank 419 failed", text)
    assert "worker-052's torchrun used its 3 restarts and exited" in text


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
