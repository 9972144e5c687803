"""torch 2.9.0's restart counting, as the tests re-derive it from a run's failures: each
node's torchrun agent restarts its workers `if self._remaining_restarts > 0` only when its own
worker group FAILED (a worker died there, or its ranks' watchdogs fired), and restarts for
another node's return to the rendezvous in its HEALTHY branch, which "membership changes do
not count as retries" (elastic/agent/server/api.py:898-928 in the 2.9.0 wheel). An agent with
none left raises ChildFailedError and closes the rendezvous: the launch ends."""

from __future__ import annotations

from collections.abc import Iterator

from genact_cast.generator.events import Failed
from genact_cast.generator.plan import RunPlan


def agents_left(
    plan: RunPlan, failed: list[Failed], most: int = 3
) -> Iterator[tuple[Failed, list[int], list[int]]]:
    """Each failure with every node's restarts left before it and the nodes whose agent
    gives up at it (none left when its own group fails, or out of them on a broken GPU)."""
    left = [most] * plan.nodes
    for event in failed:
        node = event.rank // 8
        lost = not event.same_node
        # a death fails its own node's group; a hang every group whose ranks time out in the
        # collective (a lost host's agent is gone with it)
        if event.ends == "dies":
            counted = [node]
            if event.watchdog:  # its agent gave up: the others' ranks wait for their watchdog
                counted += [n for n in range(plan.nodes) if n != node]
        else:
            counted = [n for n in range(plan.nodes) if not (lost and n == node)]
        gives_up = [n for n in counted if left[n] == 0]
        if event.retries and not gives_up:  # each restart's worker fails on the broken GPU
            gives_up = [node]
        yield event, list(left), gives_up
        if event.exits:  # the job started anew: new agents
            left = [most] * plan.nodes
            continue
        for n in counted:
            left[n] -= 1
        if lost:  # a spare's torchrun took the node's place: an agent of its own
            left[node] = most
