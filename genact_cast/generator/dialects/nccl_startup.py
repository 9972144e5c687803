"""The NCCL_DEBUG=INFO lines of the world communicator coming up, as every process prints
its own: each rank its bootstrap, driver, version, network, Init START, Trees, channel
counts, Init COMPLETE, timings and connections (src/init.cc of NCCL 2.27.5: none of these
is guarded by a rank); rank 0 alone its ring lines (src/graph/rings.cc, `if (rank == 0)`).

The processes of one node write to one terminal at once, so their lines interleave: the
phases of start-up follow each other (a rank cannot print its Trees before every rank has
bootstrapped), and within a phase the ranks come in a drawn order.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Protocol

from genact_cast.generator.dialects import nccl, nccl_topology
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.nccl_connects import (
    GPUS_PER_NODE,
    ring_and_tree_connects,
    tree_links,
    world_place,
)
from genact_cast.generator.dialects.nccl_host import HostLines, host_lines
from genact_cast.generator.dialects.nccl_timings import PHASES, init_parts, measured, node_draw
from genact_cast.generator.rng import Rng

# p2p channels and channels per peer: pow2Up of the coll channels, each NVLink peer worth
# all of them (src/graph/paths.cc:798-866 at v2.27.5-1)
P2P_CHANNELS = 32


def p2p_per_peer(nranks: int, multi_node: bool) -> int:
    """p2p channels per peer (ncclTopoComputeP2pChannels, src/graph/paths.cc:798-866 at
    v2.27.5-1): pow2Up of the fewest any peer gets; an NVLink peer gets all 32; a peer
    across nodes 2, halved while 2 x nRanks exceeds 4 x the 32 p2p channels, at least the
    one NIC a GPU drives (real 2.27 log, 8 ranks on 2 nodes: `32 p2p channels, 2 p2p
    channels per peer`, index 66280673503)."""
    if not multi_node:
        return P2P_CHANNELS
    return 2 if 2 * nranks <= 4 * P2P_CHANNELS else 1


TREES_BUFFER = 1023  # src/init.cc: `char line[1024]`, written up to 1023 - strlen(line)


def channels(facts: Facts) -> int:
    return 32 if facts.gpu in {"H100", "H200", "B200"} else 24


def nvls_channels(facts: Facts, *, multi_node: bool | None = None) -> int:
    """NVLink SHARP channels: the NVSwitch systems of Hopper and Blackwell have them.
    src/transport/nvls.cc:147-149, 178-193 at v2.27.5-1: 16 on sm90; on sm100 (B200) 32
    for a communicator across nodes, 24 within one (`multi_node`: the communicator's; the
    world's where None)."""
    if facts.gpu == "B200":
        across = facts.gpus > GPUS_PER_NODE if multi_node is None else multi_node
        return 32 if across else 24
    return 16 if facts.gpu in {"H100", "H200"} else 0


def trees_line(
    where: nccl.Where, rank: int, total: int, places: tuple[tuple[int, int], ...]
) -> str:
    """Comm rank `rank`'s Trees line over `total` channels, `places` every comm rank's
    (node, GPU) (tree_links)."""
    return nccl.info(where, _trees_message(rank, total, places))


@functools.lru_cache(maxsize=4096)  # the same for that rank of every group of that shape
def _trees_message(rank: int, total: int, places: tuple[tuple[int, int], ...]) -> str:
    text = nccl_topology.trees(nccl.Where("", 0, 0, 0), tree_links(rank, total, places))
    start = text.index("Trees") + len("Trees")
    return text[start - len("Trees") : start] + text[start:][: TREES_BUFFER - 1]


class IncidentalsLike(Protocol):
    """What the start-up reads of a launch's incidentals (dialects/base.py's Incidentals)."""

    agent_pid: int
    worker_pids: list[int]
    thread_ids: list[int]
    comms: list[int]
    comm_id: int
    bus_ids: list[str]

    @property
    def launch_key(self) -> int: ...

    def address(self, node: int) -> str: ...


Tag = str | Callable[[int], str]


def nccl_startup(
    facts: Facts,
    incidentals: IncidentalsLike,
    *,
    tag: Tag = "",
    local_ranks: Sequence[int] = tuple(range(GPUS_PER_NODE)),
    node: int = 0,
    nodes: Sequence[int] = (),
    pid_of: Callable[[int, int], int] | None = None,
    timings: list[float] | None = None,
    trees: bool = True,
    until_bootstrap: bool = False,
) -> list[str]:
    """The lines the processes `local_ranks` of `node` (or of each of `nodes`, whose lines reach
    one terminal: srun's or pdsh's) print while the world communicator comes up, in the order
    NCCL `facts.nccl` prints them; `tag` (a string, or a function of the global rank) prefixes
    each line as the launcher shows it (a `--local-ranks-filter` shows a subset of the ranks);
    `pid_of(node, local rank)` where the launcher has named its processes' ids. Every process
    finishes a phase before any starts the next (the bootstrap's all-gathers wait for all of
    them), so the nodes' lines interleave within each phase. `timings` gets each process's `Init
    timings` total, for a log that stamps its next line after the communicator is up. Every
    process prints each of its ring connectors' lines (p2p.cc:393, net.cc:218/264: each rank its
    own, every channel) before `Connected all rings`, all of them: a real log has them on every
    rank (a terminal showing a node's eight processes gets each one's), and a job without
    NCCL_DEBUG=INFO prints none of this (debug_info), though its `timings` are still drawn.
    `trees`: whether the communicator's first collective runs on the trees (an all-reduce across
    nodes); with NCCL_RUNTIME_CONNECT's default (init.cc:1148) each algorithm connects at the
    first collective that uses it (enqueue.cc:463-472), and a broadcast or an all-gather uses
    the rings alone: tree_connects gives the trees' lines for the later collective that needs
    them. `until_bootstrap`: only the lines a process prints before its bootstrapInit waits for
    the root's reply, which comes once every rank has called it (ncclSocketAccept on the root's
    socket, src/bootstrap.cc at v2.27.5-1; RAS's client line comes after it): what a process
    prints while a rank that never starts keeps the communicator from coming up."""
    if not debug_info(facts) and timings is None:
        return []
    version = facts.nccl
    modern = nccl.new_layout(version)
    total = channels(facts)
    nranks = facts.gpus
    hcas = [f"mlx5_{index}" for index in range(8)]
    phases: list[list[tuple[float, list[str]]]] = [[] for _ in range(PHASES)]
    draws = {at: node_draw(facts.seed, incidentals.launch_key, at) for at in nodes or (node,)}
    world_places = tuple(world_place(rank) for rank in range(nranks))
    for at, local in [(at, local) for at in draws for local in local_ranks]:
        host = facts.hosts[at]
        shift = 0 if at == 0 else Rng(facts.seed * 17 + at).integer(1_000, 900_000)
        draw = draws[at]
        oob = ("bond0", incidentals.address(at))
        rank = at * GPUS_PER_NODE + local
        pid = incidentals.worker_pids[local] + shift if pid_of is None else pid_of(at, local)
        main = nccl.Where(host, pid, pid, local)
        # NCCL's init thread is a thread of that process: Linux numbers it just after its pid
        # (debug.cc prints pid:tid), on every node and whoever named the pid.
        gap = incidentals.thread_ids[local] - incidentals.worker_pids[local]
        init = main._replace(tid=pid + gap)
        proxy = init._replace(tid=init.tid + 3)
        comm = nccl.Comm(
            comm=incidentals.comms[local] + at * 0x1_0000_0000,
            rank=rank,
            nranks=nranks,
            bus_id=incidentals.bus_ids[local],
            comm_id=incidentals.comm_id,
        )
        first = [nccl.bootstrap(main, version, *oob)]
        if modern:
            first += [
                nccl.driver(main, 12080),
                nccl.version_line(main, version, facts.nccl_cuda or facts.cuda),
                nccl.comm_config_blocking(main),
            ]
        elif rank == 0:
            first.append(nccl.version_banner(version, facts.cuda))
        # 2.27's per-rank Init lines (src/init.cc:998, 651; tuning.cc:541; init.cc:481).
        extra = nccl.at_least(version, 2, 27)
        parts = init_parts(draw) if modern else []
        # the process's own lines around the communicator's (nccl_host), its first
        around = host_lines(
            facts.gpu,
            init,
            rank,
            nranks,
            first=True,
            bootstrap=parts[2][1] if parts else None,
            key=facts.seed * 41 + pid,
        )
        if not extra:
            around = HostLines([], [], [], [], [], [], [])
        second = [*around.network, nccl.net_ib(init, hcas, *oob)]
        if nccl.at_least(version, 2, 26):
            second += nccl.net_plugin(init, "IB")
        second += [
            nccl.using_network(init, "IB"),
            nccl.init_start(init, version, comm),
            *([] if until_bootstrap else around.bootstrap),
        ]
        third = list(around.placed)
        node_count = max(1, nranks // GPUS_PER_NODE)
        if extra and min(GPUS_PER_NODE, nranks) > 2:
            # ncclNvlsInit (init.cc:843; nvls.cc:200), past two GPUs (nvls.cc:160)
            third.append(nccl_topology.nvls_support(init, nvls_channels(facts)))
        if extra:
            third.append(
                nccl_topology.comm_ranks(
                    init, comm, nodes=node_count, local_ranks=min(GPUS_PER_NODE, nranks)
                )
            )
        # From 2.23 NCCL cuts a long ring at 128 characters; before, past 64 ranks a ring
        # runs over many rows and only the tree lines are kept here.
        if rank == 0 and (modern or nranks <= 64):
            ring = list(range(nranks))
            for index in range(total):
                order = ring if index % 2 == 0 else [0, *reversed(ring[1:])]
                third.append(nccl_topology.channel(init, index, total, order, version))
        third.append(trees_line(init, rank, total, world_places))
        if extra:
            third.append(nccl_topology.p2p_chunksize(init, node_count))
            third += around.profiler
            if rank == 0:
                third.append(nccl_topology.check_p2p_type(init, min(GPUS_PER_NODE, nranks)))
            third += around.proxies
        per_peer = (
            p2p_per_peer(nranks, nranks > GPUS_PER_NODE) if modern else 1 if nranks > 8 else 2
        )
        coll = nccl_topology.coll_channels(
            init, total, 32, per_peer, version=version, nvls=nvls_channels(facts)
        )
        complete = nccl.init_complete(init, version, comm)
        if modern:
            total_seconds = measured(parts)
            if timings is not None:
                timings.append(total_seconds)
            parts.append(("rest", 0.0))
            fourth = [
                *([nccl_topology.thread_thresholds(init, nranks)] if extra else []),
                coll,
                *([nccl_topology.work_fifo(init)] if extra and rank == 0 else []),
                *around.tuner,
                complete,
                nccl_topology.init_timings(
                    init,
                    rank=rank,
                    nranks=nranks,
                    total=total_seconds,
                    parts=parts,
                    version=version,
                ),
            ]
            # Rings (and, across nodes, trees) connect at the first collective, after Init
            # (src/transport/generic.cc), on the proxy thread.
            # Each connector's line too, every process its own.
            ring_lines, tree_lines = ring_and_tree_connects(
                proxy, rank, nranks, total, read=facts.gpu == "A100", places=world_places
            )
            fifth = [
                *around.progress,
                *ring_lines,
                nccl_topology.connected(proxy, "rings", version),
            ]
            if trees and nranks > GPUS_PER_NODE:
                fifth += [*tree_lines, nccl_topology.connected(proxy, "trees", version)]
        else:
            fourth = [
                nccl_topology.connected(init, "rings"),
                nccl_topology.connected(init, "trees"),
                coll,
                complete,
            ]
            fifth = []
        prefix = tag(rank) if callable(tag) else tag
        for phase, lines in zip(phases, (first, second, third, fourth, fifth), strict=True):
            phase.append((draw.random(), [prefix + line for line in lines]))
    if not debug_info(facts):
        return []
    shown = phases[:2] if until_bootstrap else phases
    return [line for phase in shown for _, lines in sorted(phase) for line in lines]


def debug_info(facts: Facts) -> bool:
    """Whether the job's user sets NCCL_DEBUG=INFO (RunPlan.nccl_debug: one job in five, on
    up to eight nodes); unset, NCCL prints nothing (src/debug.cc:49-50 at v2.27.5-1)."""
    return facts.nccl_debug
