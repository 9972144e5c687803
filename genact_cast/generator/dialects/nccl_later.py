"""Connections a communicator makes after its start-up, at the first collective of a kind:
the world communicator's trees at its first all-reduce across nodes, and its send/recv
channels at its first all-to-all (NCCL_RUNTIME_CONNECT's default, src/init.cc:1148 at
v2.27.5-1: each algorithm connects at the first collective that uses it, enqueue.cc:463-472;
send/recv at the first grouped send/recv, group.cc:131)."""

from collections.abc import Sequence

from genact_cast.generator.dialects import nccl, nccl_topology
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.nccl_connects import (
    GPUS_PER_NODE,
    all_to_all_connects,
    ring_and_tree_connects,
    world_place,
)
from genact_cast.generator.dialects.nccl_startup import (
    P2P_CHANNELS,
    IncidentalsLike,
    channels,
    p2p_per_peer,
)


def tree_connects(
    facts: Facts, incidentals: IncidentalsLike, *, local_ranks: Sequence[int] = (0,)
) -> list[str]:
    """The world communicator's tree connectors and `Connected all trees` (src/transport/
    generic.cc:46-50), which the processes `local_ranks` of node 0 print at the first
    collective that runs on the trees, where the communicator's first one did not
    (nccl_startup's `trees`); nothing on one node, whose collectives never take the tree."""
    nranks = facts.gpus
    if not nccl.new_layout(facts.nccl) or nranks <= GPUS_PER_NODE:
        return []
    places = tuple(world_place(rank) for rank in range(nranks))
    out: list[str] = []
    for local in local_ranks:
        pid = incidentals.worker_pids[local]
        gap = incidentals.thread_ids[local] - pid
        proxy = nccl.Where(facts.hosts[0], pid, pid + gap + 3, local)
        _, lines = ring_and_tree_connects(
            proxy, local, nranks, channels(facts), read=facts.gpu == "A100", places=places
        )
        out += [*lines, nccl_topology.connected(proxy, "trees", facts.nccl)]
    return out


def world_all_to_all(
    facts: Facts, incidentals: IncidentalsLike, *, local_ranks: Sequence[int] = (0,)
) -> list[str]:
    """The send/recv connectors the processes `local_ranks` of node 0 set up at the world
    communicator's first all-to-all (MoE's token exchange where the experts' group is the
    world's: nccl_connects.all_to_all_connects), on the thread that connects it."""
    places = tuple(world_place(rank) for rank in range(facts.gpus))
    out: list[str] = []
    for local in local_ranks:
        pid = incidentals.worker_pids[local]
        gap = incidentals.thread_ids[local] - pid
        proxy = nccl.Where(facts.hosts[0], pid, pid + gap + 3, local)
        out += all_to_all_connects(
            proxy,
            local,
            places,
            P2P_CHANNELS,
            p2p_per_peer(facts.gpus, facts.gpus > GPUS_PER_NODE),
            read=facts.gpu == "A100",
        )
    return out
