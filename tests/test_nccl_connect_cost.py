"""The connector lines of a communicator's first collective (nccl_connects._setup), which
a multi-node start-up prints by the ten thousand (Megatron seed 17: 18,048 of its 20,930
NCCL lines): the same lines, in NCCL's order, as the setup loop of NCCL's own source
gives them, and made with the work per line issue 18's speed bar leaves for them.

The reference is ncclTransportP2pSetup's loop (src/transport.cc:124-160 at v2.27.5-1): for
each distance i the receive from rank - i on every channel that has it, then the send to
rank + i on every channel that has it, written out here as this project first wrote it,
channel by channel at each distance.
"""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.generator.dialects import nccl_topology
from genact_cast.generator.dialects.nccl_connects import Wanted, _setup

Place = tuple[int, int]


def reference_setup(
    net_dev: int,
    rank: int,
    nranks: int,
    wanted: Wanted,
    read: bool,
    places: tuple[Place, ...],
    conn: int = 0,
) -> list[str]:
    """transport.cc's loop, asking every channel at every distance (the code before 2026-12)."""
    node, device = places[rank]
    out: list[str] = []
    distances = sorted(
        {(rank - peer) % nranks for sources, _ in wanted.values() for peer in sources}
        | {(peer - rank) % nranks for _, targets in wanted.values() for peer in targets}
    )
    for distance in distances:
        source, target = (rank - distance) % nranks, (rank + distance) % nranks
        source_node, source_device = places[source]
        for channel, (sources, _) in wanted.items():
            if source in sources and source_node != node:
                devices = (source_device, device)
                out.append(
                    nccl_topology.net_connect(
                        channel, (source, rank), "receive", net_dev, devices, conn
                    )
                )
        target_node, target_device = places[target]
        for channel, (_, targets) in wanted.items():
            if target not in targets:
                continue
            if target_node == node:
                out.append(
                    nccl_topology.p2p_send(
                        channel, rank, device, target, target_device, read=read, conn=conn
                    )
                )
            else:
                devices = (device, target_device)
                out.append(
                    nccl_topology.net_connect(
                        channel, (rank, target), "send", net_dev, devices, conn
                    )
                )
    return out


@st.composite
def setups(draw: st.DrawFn) -> tuple[int, int, Wanted, bool, tuple[Place, ...], int]:
    nranks = draw(st.integers(1, 40))
    per_node = draw(st.integers(1, 8))
    # ranks in order on their nodes (a world's), or any node and GPU (a sub-group's members)
    if draw(st.booleans()):
        places = tuple((r // per_node, r % per_node) for r in range(nranks))
    else:
        places = tuple(draw(st.tuples(st.integers(0, 4), st.integers(0, 7))) for _ in range(nranks))
    rank = draw(st.integers(0, nranks - 1))
    peers = st.sets(st.integers(0, nranks - 1), max_size=4)
    channels = draw(st.integers(0, 32))
    wanted: Wanted = {channel: (draw(peers), draw(peers)) for channel in range(channels)}
    return rank, nranks, wanted, draw(st.booleans()), places, draw(st.integers(0, 1))


@settings(max_examples=400, deadline=None)
@given(setups())
def test_setup_prints_the_reference_loops_lines(case: tuple) -> None:  # type: ignore[type-arg]
    rank, nranks, wanted, read, places, conn = case
    expected = reference_setup(3, rank, nranks, wanted, read, places, conn)
    assert _setup(3, rank, nranks, wanted, read, places.__getitem__, conn) == expected


def _best_seconds(action: object, repeats: int = 15) -> float:
    assert callable(action)
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def test_setup_costs_well_under_the_channel_by_channel_loop() -> None:
    """Every rank of a 64-GPU world (eight nodes) sets up its rings' connectors on 32
    channels (an H100 job's, nccl_startup.channels): the lines of each distance made
    together cost less than half the reference loop's (process time, the best of five runs
    of each, three times; 0.42-0.48 measured at a load of 13 on two cores). The bar, 0.75,
    is what the loop per channel cannot meet (1.0 against itself)."""
    places = tuple((r // 8, r % 8) for r in range(64))
    inputs = []
    for rank in range(64):
        # each channel's ring: the previous and the next rank, reversed on odd channels
        ring: Wanted = {c: ({(rank - s) % 64}, {(rank + s) % 64}) for c in range(32)
                        for s in (1 if c % 2 == 0 else -1,)}  # fmt: skip
        inputs.append((rank, ring))

    def new() -> None:
        for rank, ring in inputs:
            _setup(rank % 8, rank, 64, ring, False, places.__getitem__)

    def old() -> None:
        for rank, ring in inputs:
            reference_setup(rank % 8, rank, 64, ring, False, places)

    assert [_setup(r % 8, r, 64, w, False, places.__getitem__) for r, w in inputs] == [
        reference_setup(r % 8, r, 64, w, False, places) for r, w in inputs
    ]
    ratios = []
    for _ in range(3):
        ratios.append(_best_seconds(new, 5) / _best_seconds(old, 5))
    assert min(ratios) < 0.75, ratios
