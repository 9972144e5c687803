"""megatron_comms.agent's cache: each node's torchrun agent, built once per (seed, launch, node,
restarted commands), equals the one built launch by launch from the first (the uncached
construction it replaced), and a caller's agent is never another seed's or launch's."""

from __future__ import annotations

import itertools

import pytest

from genact_cast.generator.dialects.base import Incidentals
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_comms import agent
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan import make_plan
from genact_cast.generator.presenters.dialect_choice import facts_for


def _facts(seed: int) -> Facts:
    return facts_for(make_plan(RecordOptions(seed=seed)))


def _built(facts: Facts, attempt: int, node: int, fresh: tuple[int, ...]) -> Incidentals:
    found = Incidentals(facts, 100_000 + node)
    for again in range(1, attempt + 1):
        found = found.relaunched(facts, again, same_agent=again not in fresh)
    return found


@pytest.mark.parametrize("seed", [7, 51003])
def test_cached_agent_is_the_built_one(seed: int) -> None:
    facts = _facts(seed)
    first = Incidentals(facts, 0)
    cases = list(itertools.product(range(5), range(1, 5), [(), (2,), (1, 3), (4,)]))
    for attempt, node, fresh in cases + cases[::-1]:  # asked again, in another order
        got = agent(facts, first, attempt, node, fresh)
        assert vars(got) == vars(_built(facts, attempt, node, fresh)), (attempt, node, fresh)
    assert agent(facts, first, 3, 0, ()) is first  # node 0's is the launch's own


def test_agents_differ_by_seed_launch_and_fresh() -> None:
    one, other = _facts(7), _facts(8)
    a = agent(one, Incidentals(one, 0), 2, 1, ())
    assert vars(a) != vars(agent(other, Incidentals(other, 0), 2, 1, ()))
    assert vars(a) != vars(agent(one, Incidentals(one, 0), 1, 1, ()))
    assert vars(a) != vars(agent(one, Incidentals(one, 0), 2, 1, (2,)))
