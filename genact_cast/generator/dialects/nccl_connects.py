"""Which NCCL connectors a rank sets up at a communicator's first collective, and the lines
NCCL 2.27.5 prints for them: the double binary trees across nodes (src/graph/trees.cc), each
node's chain, and every channel's ring and tree links (src/transport/generic.cc, p2p.cc:393,
net.cc:218/264). Every rank prints its own; nccl_startup brings them to a terminal."""

import functools
from collections import defaultdict
from collections.abc import Callable

from genact_cast.generator.dialects import nccl, nccl_topology

GPUS_PER_NODE = 8


def btree(nranks: int, rank: int) -> tuple[int, int, int, int]:
    """src/graph/trees.cc's ncclGetBtree: (parent, child 0, child 1) of `rank`, and which
    child of its parent it is (0 where it is below its parent, else 1; rank 0 has none)."""
    bit = 1
    while bit < nranks and not bit & rank:
        bit <<= 1
    if rank == 0:
        return -1, -1, (bit >> 1 if nranks > 1 else -1), 0
    up = (rank ^ bit) | (bit << 1)
    if up >= nranks:
        up = rank ^ bit
    kind = 0 if rank < up else 1
    lowbit = bit >> 1
    down0 = -1 if lowbit == 0 else rank - lowbit
    down1 = -1 if lowbit == 0 else rank + lowbit
    while down1 >= nranks:
        down1 = -1 if lowbit == 0 else rank + lowbit
        lowbit >>= 1
    return up, down0, down1, kind


Tree = tuple[int, int, int, int]  # parent, child 0, child 1, the child it is of its parent


def dtree(nranks: int, rank: int) -> tuple[Tree, Tree]:
    """ncclGetDtree: the btree, and its mirror (even count) or its shift by one (odd)."""
    first = btree(nranks, rank)
    if nranks % 2 == 1:
        up, d0, d1, kind = btree(nranks, (rank - 1 + nranks) % nranks)

        def moved(r: int) -> int:
            return -1 if r == -1 else (r + 1) % nranks
    else:
        up, d0, d1, kind = btree(nranks, nranks - 1 - rank)

        def moved(r: int) -> int:
            return -1 if r == -1 else nranks - 1 - r

    return first, (moved(up), moved(d0), moved(d1), kind)


@functools.lru_cache(maxsize=256)
def _nodes(
    places: tuple[tuple[int, int], ...],
) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """Each comm rank's node, numbered as NCCL numbers them, by the first rank on each
    (src/init.cc:928-937), and each node's ranks in comm-rank order."""
    index: dict[int, int] = {}
    node_of: list[int] = []
    members: list[list[int]] = []
    for rank, (host, _) in enumerate(places):
        at = index.setdefault(host, len(index))
        if at == len(members):
            members.append([])
        members[at].append(rank)
        node_of.append(at)
    return tuple(node_of), tuple(tuple(ranks) for ranks in members)


def tree_links(
    rank: int, count: int, places: tuple[tuple[int, int], ...]
) -> list[tuple[list[int], int, int]]:
    """Each channel's tree at comm rank `rank`, `places` giving every comm rank's (node,
    GPU): a chain through the node's ranks (src/graph/connect.cc:46-57, the intra-node tree
    setting up and down[0]), and across nodes the double binary tree of ncclGetDtree over
    the nodes, the first half of the channels on its first tree and the duplicated second
    half on its mirror (connect.cc:136-165). With the balanced tree's pattern the node's
    first rank is the parent's end and its child 1's, its second rank (the first again
    where the node holds one) child 0's: a parent node reached as child 0 is entered at its
    second rank."""
    node_of, members = _nodes(places)
    node = node_of[rank]
    intra = members[node]
    at = intra.index(rank)
    head, child0 = intra[0], intra[1] if len(intra) > 1 else intra[0]
    links = []
    for tree, span in zip(dtree(len(members), node), (count // 2, count - count // 2), strict=True):
        parent, down0, down1, kind = tree
        down = [intra[at + 1]] if at + 1 < len(intra) else []
        up = intra[at - 1] if at > 0 else -1
        if rank == head and parent != -1:
            above = members[parent]
            up = above[1] if kind == 0 and len(above) > 1 else above[0]
        if rank == child0 and down0 != -1:
            down.append(members[down0][0])
        if rank == head and down1 != -1:
            down.append(members[down1][0])
        down += [-1] * (3 - len(down))
        links += [(list(down), rank, up) for _ in range(span)]
    return links


Wanted = dict[int, tuple[set[int], set[int]]]  # channel: (peers to receive from, to send to)


Place = Callable[[int], tuple[int, int]]


def world_place(rank: int) -> tuple[int, int]:
    """(node, GPU) of a rank of the world communicator: eight GPUs a node, in rank order."""
    return rank // GPUS_PER_NODE, rank % GPUS_PER_NODE


def _setup(
    net_dev: int,
    rank: int,
    nranks: int,
    wanted: Wanted,
    read: bool,
    place: Place,
    conn: int = 0,
) -> list[str]:
    """src/transport.cc's ncclTransportP2pSetup: for each distance i, the connectors from
    rank - i (receive) on every channel, then to rank + i (send). A send within the node is
    P2P (p2p.cc prints it; its receive end only traces), across nodes NET on both ends, on
    the NIC `net_dev`. `place(comm rank)` is that rank's (node, GPU). The lines' messages,
    without the printing process's prefix."""
    node, device = place(rank)
    out: list[str] = []
    # Each peer's channels, in channel order: a distance's lines are its source's and its
    # target's channels, found at once instead of asking every channel at every distance
    # (a 64-rank start-up sets up some 400 connectors a rank, on 32 channels).
    receives: defaultdict[int, list[int]] = defaultdict(list)
    sends: defaultdict[int, list[int]] = defaultdict(list)
    for channel, (sources, targets) in wanted.items():
        for peer in sources:
            receives[peer].append(channel)
        for peer in targets:
            sends[peer].append(channel)
    # Only the distances some channel connects at (a few), in the setup's order.
    distances = sorted(
        {(rank - peer) % nranks for peer in receives} | {(peer - rank) % nranks for peer in sends}
    )
    for distance in distances:
        source, target = (rank - distance) % nranks, (rank + distance) % nranks
        source_node, source_device = place(source)
        if source_node != node and source in receives:
            devices = (source_device, device)
            link = (source, rank)
            out += nccl_topology.net_connects(
                receives[source], link, "receive", net_dev, devices, conn
            )
        if target not in sends:
            continue
        target_node, target_device = place(target)
        if target_node == node:
            out += nccl_topology.p2p_sends(
                sends[target], rank, device, target, target_device, read=read, conn=conn
            )
        else:
            devices = (device, target_device)
            out += nccl_topology.net_connects(
                sends[target], (rank, target), "send", net_dev, devices, conn
            )
    return out


def ring_and_tree_connects(
    where: nccl.Where,
    rank: int,
    nranks: int,
    total: int,
    *,
    read: bool,
    place: Place = world_place,
    places: tuple[tuple[int, int], ...] | None = None,
) -> tuple[list[str], list[str]]:
    """The connector lines of the rings (src/transport/generic.cc:16, every channel's prev
    and next: the ring lines' order, reversed on odd channels) and then of the trees (:46,
    each channel's down and up both ways), each printed once per connector: a tree link a
    ring already made is not set up again (ncclTransportP2pConnect skips connected ones).
    What a rank prints depends on its peers' GPUs and on which share its node, the same for
    many ranks and launches: worked out once (every rank of 64 prints some 400 of them).
    `places`: every comm rank's place, where the caller has them."""
    if places is None:
        places = tuple(place(peer) for peer in range(nranks))
    rings, trees = _connect_messages(rank, nranks, total, read, where.device, places)
    prefix = nccl.info(where, "")
    return [prefix + text for text in rings], [prefix + text for text in trees]


@functools.lru_cache(maxsize=1024)
def _connect_messages(
    rank: int,
    nranks: int,
    total: int,
    read: bool,
    device: int,
    places: tuple[tuple[int, int], ...],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ring_and_tree_connects' messages, without the prefix of the process that prints them."""
    rings, trees = _connects(device, rank, nranks, total, read=read, places=places)
    return tuple(rings), tuple(trees)


def _connects(
    net_dev: int,
    rank: int,
    nranks: int,
    total: int,
    *,
    read: bool,
    places: tuple[tuple[int, int], ...],
) -> tuple[list[str], list[str]]:
    place = places.__getitem__
    rings: Wanted = {}
    for channel in range(total):
        step = 1 if channel % 2 == 0 else -1
        rings[channel] = ({(rank - step) % nranks}, {(rank + step) % nranks})
    trees: Wanted = {}
    for channel, (down, _, up) in enumerate(tree_links(rank, total, places[:nranks])):
        peers = {peer for peer in [*down, up] if peer != -1}
        have_in, have_out = rings[channel]
        trees[channel] = (peers - have_in, peers - have_out)
    return (
        _setup(net_dev, rank, nranks, rings, read, place),
        _setup(net_dev, rank, nranks, trees, read, place),
    )


P2P_PER_BATCH = 8  # src/include/device.h:369, NCCL_MAX_DEV_WORK_P2P_PER_BATCH


def _pow2_up(value: int) -> int:
    return 1 << max(0, value - 1).bit_length()


@functools.lru_cache(maxsize=256)
def p2p_schedule(rank: int, places: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """src/init.cc:1093-1140 at v2.27.5-1: each round's (peer sent to, peer received from),
    node deltas then local deltas by the quadratic formula over powers of two (flat where
    the nodes hold different counts of ranks)."""
    node_of, members = _nodes(places)
    nodes, node = len(members), node_of[rank]
    width = max(len(ranks) for ranks in members)
    local = members[node].index(rank)
    flat = any(len(ranks) != width for ranks in members)
    if flat:
        nodes, node, width, local = 1, 0, len(places), rank
    rounds = []
    node_round = node_delta = 0
    while node_round != _pow2_up(nodes):
        if node_delta < nodes:
            send_node, recv_node = (node + node_delta) % nodes, (node - node_delta) % nodes
            local_round = local_delta = 0
            while local_round != _pow2_up(width):
                if local_delta < width:
                    send, recv = (local + local_delta) % width, (local - local_delta) % width
                    if not flat:
                        send, recv = members[send_node][send], members[recv_node][recv]
                    rounds.append((send, recv))
                local_round += 1
                local_delta = (local_delta + local_round) & (_pow2_up(width) - 1)
        node_round += 1
        node_delta = (node_delta + node_round) & (_pow2_up(nodes) - 1)
    return tuple(rounds)


def _p2p_channels(round_: int, nodes: int, width: int, channels: int, per_peer: int) -> list[int]:
    """ncclP2pChannelBaseForRound (src/include/channel.h:19-29) and ncclP2pChannelForPart
    (device.h:269-274): the channels of a round's peer, its parts' bit-reversed offsets."""
    if nodes > 1:
        base = round_ // width * -(-width // P2P_PER_BATCH) + round_ % width // P2P_PER_BATCH
    else:
        base = round_
    bits = (channels - 1).bit_length()
    parts = [int(format(part, f"0{bits}b")[::-1], 2) if bits else 0 for part in range(per_peer)]
    return sorted({(base + delta) & (channels - 1) for delta in parts})


def all_to_all_connects(
    where: nccl.Where,
    rank: int,
    places: tuple[tuple[int, int], ...],
    channels: int,
    per_peer: int,
    *,
    read: bool,
) -> list[str]:
    """The connectors a rank sets up at its communicator's first send/recv to every peer
    (an all-to-all: each peer's send and receive on its round's `per_peer` channels of
    `channels` p2p channels, enqueue.cc:2301-2327) by ncclTransportP2pSetup with connIndex
    1 (group.cc:131): per distance, the receives then the sends, each channel in order
    (transport.cc:124-160); over NVLink a send prints its line (p2p.cc:393), across nodes
    both ends do (net.cc:218, 264), and no `Connected all` line follows."""
    return send_recv_connects(where, rank, places, channels, per_peer, read=read)


def send_recv_connects(
    where: nccl.Where,
    rank: int,
    places: tuple[tuple[int, int], ...],
    channels: int,
    per_peer: int,
    *,
    read: bool,
    sends: frozenset[int] | None = None,
    receives: frozenset[int] | None = None,
) -> list[str]:
    """all_to_all_connects for the peers a grouped send/recv names: `sends` and `receives`
    (None: every peer), as a pipeline stage's first send or receive connects only its
    neighbour's direction (enqueue.cc:2301-2327)."""
    prefix = nccl.info(where, "")
    texts = _send_recv(rank, places, channels, per_peer, read, where.device, sends, receives)
    return [prefix + text for text in texts]


@functools.lru_cache(maxsize=256)
def _send_recv(
    rank: int,
    places: tuple[tuple[int, int], ...],
    channels: int,
    per_peer: int,
    read: bool,
    device: int,
    sends: frozenset[int] | None,
    receives: frozenset[int] | None,
) -> tuple[str, ...]:
    _, members = _nodes(places)
    width = max(len(ranks) for ranks in members)
    wanted: Wanted = {channel: (set(), set()) for channel in range(channels)}
    for round_, (send, recv) in enumerate(p2p_schedule(rank, places)):
        for channel in _p2p_channels(round_, len(members), width, channels, per_peer):
            if send != rank and (sends is None or send in sends):
                wanted[channel][1].add(send)
            if recv != rank and (receives is None or recv in receives):
                wanted[channel][0].add(recv)
    return tuple(_setup(device, rank, len(places), wanted, read, places.__getitem__, conn=1))
