"""The NCCL_DEBUG=INFO lines of process groups other than the world's as their
communicators come up (torch's new_group or split_group, each at its first collective or
eagerly with a device bound): the world's start-up lines of nccl_startup for the group's
ranks, after the process's own plugins and network are up."""

import math
from collections.abc import Callable, Sequence

from genact_cast.generator.dialects import nccl, nccl_topology
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.nccl_connects import (
    GPUS_PER_NODE,
    ring_and_tree_connects,
    send_recv_connects,
    world_place,
)
from genact_cast.generator.dialects.nccl_host import host_lines
from genact_cast.generator.dialects.nccl_startup import (
    P2P_CHANNELS,
    IncidentalsLike,
    channels,
    nvls_channels,
    p2p_per_peer,
    trees_line,
)
from genact_cast.generator.rng import Rng

THREADS_PER_COMM = 5


def sub_communicators(
    facts: Facts,
    incidentals: IncidentalsLike,
    groups: Sequence[Callable[[int], Sequence[int]]],
    *,
    pid_of: Callable[[int], int],
    launch: int = 0,
    local_ranks: Sequence[int] | None = None,
    nodes: Sequence[int] = (0,),
    node_pid: Callable[[int, int], int] | None = None,
    splits: int = 0,
    tag: Callable[[int], str] | None = None,
    unconnected: Sequence[int] = (),
    deferred: tuple[Sequence[bool], list[str]] | None = None,
    color: Callable[[Sequence[int]], int] = nccl.split_color,
    all_to_all: Sequence[bool] = (),
    pipeline: Sequence[bool] = (),
) -> list[str]:
    """The Init blocks of process groups other than the world's, on rank 0's node: each group
    (a function from a global rank to its group's global ranks, in comm-rank order) is a
    ProcessGroupNCCL of its own whose communicator torch creates with ncclCommInitRankConfig
    at its first collective, as the world's (no device bound). The process's NET plugin and
    bootstrap are up already, so a block starts with the plugin assigned to the comm and the
    network (src/plugin/net.cc:174, src/init.cc:346); the rest is the world block's, for the
    group's ranks, and its rings and trees connect at once (the collective runs); each block
    opens with the communicator's `Comm config Blocking set to 1`. `launch`
    counts the job's launches: each draws new unique ids; `local_ranks`: the processes the
    terminal shows (all of the node's by default), on each of `nodes` (srun brings every
    node's lines, their processes named by `node_pid(node, local rank)`; node 0's by
    `pid_of(local rank)` where that is not given). ncclNvlsInit (init.cc:843) prints its
    line for every communicator whose node holds more than two of its GPUs (nvls.cc:160,
    200), and NVLS is off in one that holds two or fewer.

    `splits`: the groups are torch's split_group of the world's communicator, which a device
    bound at init_process_group brought up eagerly (torch 2.9.0 device_mesh.py: one
    split_group a mesh dimension, in the mesh's order), the first of them the parent's
    split number `splits` (earlier splits not shown): each comes up at once through
    ncclCommSplit (ProcessGroupNCCL::split then eagerConnectSingleDevice; color
    nccl.split_color of the group's ranks, key the process's rank in the group), its Init lines
    naming the parent, the parent's split count and both (src/init.cc:1428, 1464 at
    v2.27.5-1), the same network and topology lines between. `tag(global rank)`: the
    launcher's prefix of each line (pdsh's). `unconnected`: the groups (by index) whose
    first collective comes later than this block, so no connection lines yet. `deferred`:
    for each group, whether its first collective runs on the rings alone (an all-gather), so
    that its trees connect at a later all-reduce (enqueue.cc:463-472); their lines go to the
    list given, for the caller to put where that collective falls. `color`: the split's
    color of a group's ranks (a new_group's is torch's Python one instead). `all_to_all`:
    for each group, whether its first collective is an all-to-all (MoE's token exchange),
    which connects send/recv channels to every peer instead of the rings
    (nccl_connects.all_to_all_connects). `pipeline`: for each group, whether it is a
    pipeline's, whose first operation is stage 0's send to stage 1 and each later stage's
    receive from the one before (batch_isend_irecv): that direction's connectors alone,
    the rings likewise waiting for a collective."""
    version = facts.nccl
    if not nccl.new_layout(version):
        return []
    total = channels(facts)
    out: list[str] = []
    for index, group_of in enumerate(groups):
        phases: list[list[tuple[float, list[str]]]] = [[], [], [], []]
        backward: list[str] = []  # the pipeline stages' later connectors, after the block
        draw = Rng(facts.seed * 29 + incidentals.launch_key + index)
        shown = range(min(GPUS_PER_NODE, facts.gpus)) if local_ranks is None else local_ranks
        for node, local in [(node, local) for node in nodes for local in shown]:
            world_rank = node * GPUS_PER_NODE + local
            slot = splits + index if splits else index + 1  # each its own address
            members = list(group_of(world_rank))
            nranks = len(members)
            rank = members.index(world_rank)
            pid = node_pid(node, local) if node_pid is not None else pid_of(local)
            gap = incidentals.thread_ids[local] - incidentals.worker_pids[local]
            # each communicator comes up on an init thread of its own, after the threads of
            # the ones before it (its init, two proxy services, a connecting thread and
            # its progress thread: THREADS_PER_COMM; a real 2.27.3 log: world init 386,
            # split init 507, services 508-509, connects 510, progress 511, index
            # 24563078160)
            tid = pid + gap + THREADS_PER_COMM * slot
            init = nccl.Where(facts.hosts[node], pid, tid, local)
            proxy = init._replace(tid=init.tid + 3)
            # Every member draws the group's id from rank 0's unique id (the store's key).
            comm = nccl.Comm(
                comm=incidentals.comms[local] + node * 0x1_0000_0000 + slot * 0x20_0000,
                rank=rank,
                nranks=nranks,
                bus_id=incidentals.bus_ids[local],
                comm_id=Rng(
                    facts.seed * 31 + members[0] * 7 + index * 1_009 + launch * 65_537
                ).integer(2**60, 2**64 - 1),
            )
            # the world's communicator (nccl_startup's) is the parent of every split
            split = nccl.Split(
                parent=incidentals.comms[local] + node * 0x1_0000_0000,
                number=splits + index,
                color=color(members),
                key=rank,
            )
            spans = sorted({member // GPUS_PER_NODE for member in members})
            per_peer = p2p_per_peer(nranks, len(spans) > 1)
            here = sum(member // GPUS_PER_NODE == node for member in members)

            places = tuple(world_place(member) for member in members)

            # ncclCommInitRankDev parses each communicator's config on the calling thread
            # (init.cc:1802, 1728, 1498: torch sets `blocking`), before the init thread's
            # lines; a real 2.27 log prints it before each later communicator's network.
            second = [
                nccl.comm_config_blocking(init._replace(tid=pid)),
                *(nccl.net_plugin(init, "IB")[1:] if nccl.at_least(version, 2, 26) else []),
                nccl.using_network(init, "IB"),
                nccl.split_start(init, comm, split)
                if splits
                else nccl.init_start(init, version, comm),
            ]
            parts = [
                ("kernels", 0.0),
                ("alloc", draw.uniform(0.0, 0.02)),
                ("bootstrap", draw.uniform(0.01, 0.2)),
                ("allgathers", draw.uniform(0.0, 0.05)),
                ("topo", draw.uniform(0.05, 0.3)),
                ("graphs", draw.uniform(0.0, 0.05)),
                ("connections", draw.uniform(0.05, 0.5)),
            ]
            # a later communicator of the process: no plugin or RAS line; a split's
            # bootstrapSplit prints no timings
            around = host_lines(
                facts.gpu,
                init,
                rank,
                nranks,
                first=False,
                bootstrap=None if splits else parts[2][1],
                key=facts.seed * 43 + pid + index * 7_919,
            )
            nvls = nvls_channels(facts, multi_node=len(spans) > 1) * (here > 2)
            third = list(around.placed)
            third += [nccl_topology.nvls_support(init, nvls)] if here > 2 else []
            third.append(nccl_topology.comm_ranks(init, comm, nodes=len(spans), local_ranks=here))
            if rank == 0:
                ring = list(range(nranks))
                for channel in range(total):
                    order = ring if channel % 2 == 0 else [0, *reversed(ring[1:])]
                    third.append(nccl_topology.channel(init, channel, total, order, version))
            third += [
                trees_line(init, rank, total, places),
                nccl_topology.p2p_chunksize(init, len(spans)),
                *([nccl_topology.check_p2p_type(init, here)] if rank == 0 else []),
                *around.proxies,
            ]
            measured = math.fsum(round(seconds, 2) for _, seconds in parts)
            parts.append(("rest", 0.0))
            fourth = [
                nccl_topology.thread_thresholds(init, nranks),
                nccl_topology.coll_channels(
                    init, total, P2P_CHANNELS, per_peer, version=version, nvls=nvls
                ),
                *([nccl_topology.work_fifo(init)] if rank == 0 else []),
                nccl.split_complete(init, comm, split)
                if splits
                else nccl.init_complete(init, version, comm),
                nccl_topology.init_timings(
                    init,
                    rank=rank,
                    nranks=nranks,
                    total=measured,
                    parts=parts,
                    version=version,
                    caller=nccl.SPLIT if splits else "",
                ),
            ]
            rings, trees = ring_and_tree_connects(
                proxy, rank, nranks, total, read=facts.gpu == "A100", places=places
            )
            ring_lines = [*rings, nccl_topology.connected(proxy, "rings", version)]
            tree_lines = [*trees, nccl_topology.connected(proxy, "trees", version)] * (
                len(spans) > 1
            )
            staged = index < len(pipeline) and pipeline[index]
            if staged or (index < len(all_to_all) and all_to_all[index]):
                # its send/recv connectors (every peer's, or the stage's neighbour's); the
                # rings (and trees) wait for a collective, where the caller puts them
                # (`deferred`), else never run
                exchange = send_recv_connects(
                    proxy,
                    rank,
                    places,
                    P2P_CHANNELS,
                    per_peer,
                    read=facts.gpu == "A100",
                    # stage 0 sends to stage 1, a later stage receives from the one before
                    sends=frozenset({1} if rank == 0 else ()) if staged else None,
                    receives=frozenset({rank - 1} if rank else ()) if staged else None,
                )
                fifth = [*around.progress, *exchange]
                if staged:
                    # the stage's later directions, each connected at its first use
                    # (enqueue.cc:2301-2327): 1F1B sends on what a stage received, then in
                    # the backward receives the next stage's gradient and sends its own
                    # back, before the backward's collectives on the groups after this one
                    later = [({rank + 1}, set()), (set(), {rank + 1}), ({rank - 1}, set())]
                    for sends, receives in later:
                        sends -= {-1, nranks, 1 if rank == 0 else -1}
                        receives -= {nranks}
                        prefix = "" if tag is None else tag(world_rank)
                        backward += [
                            prefix + text
                            for text in send_recv_connects(
                                proxy,
                                rank,
                                places,
                                P2P_CHANNELS,
                                per_peer,
                                read=facts.gpu == "A100",
                                sends=frozenset(sends),
                                receives=frozenset(receives),
                            )
                        ]
                if deferred is not None:
                    deferred[1].extend(ring_lines + tree_lines)
            else:
                fifth = [*around.progress, *ring_lines]
                if deferred is not None and deferred[0][index]:
                    deferred[1].extend(tree_lines)
                else:
                    fifth += tree_lines
            if index in unconnected:
                fifth = []
            prefix = "" if tag is None else tag(world_rank)
            for phase, lines in zip(phases, (second, third, fourth, fifth), strict=True):
                phase.append((draw.random(), [prefix + text for text in lines]))
        out += [line for phase in phases for _, lines in sorted(phase) for line in lines]
        out += backward
    return out
