"""NCCL's INFO lines about a communicator's topology and transports, as NCCL_DEBUG=INFO
prints them once it has mapped the ranks: rings and trees, channel counts, init timings,
tuning thresholds and the connectors (the lines' prefix and the release checks: nccl)."""

import functools
from collections.abc import Iterable, Sequence

from genact_cast.generator.dialects.nccl import Comm, Where, at_least, function, info, new_layout

LINE_LENGTH = 128  # src/graph/rings.cc: dumpLine's buffer, the end replaced by "..."


def channel(
    where: Where, index: int, channels: int, ring: Sequence[int], version: str = "2.27.5"
) -> str:
    """One ring of the communicator, as rank 0's `dumpLine` prints it: every rank in ring
    order; from 2.23 each `" %*d"` as wide as the largest rank, the line cut at 128
    characters; before, each in 4 columns."""
    prefix = f"Channel {index:02d}/{channels:02d} :"
    if not new_layout(version):
        return info(where, prefix + " " + "".join(f"{rank:4d}" for rank in ring))
    width = len(str(len(ring) - 1))
    # Each rank adds `width` + 1 characters at least, so the line is full after this many:
    # only they are read, and a ring's line is made once for every rank 0 that prints it.
    room = LINE_LENGTH - 1 - len(prefix)
    shown = tuple(ring[: max(0, -(-room // (width + 1)))])
    return info(where, _ring_text(prefix, width, shown))


@functools.lru_cache(maxsize=1024)
def _ring_text(prefix: str, width: int, ring: tuple[int, ...]) -> str:
    text = prefix
    for rank in ring:
        if len(text) >= LINE_LENGTH - 1:
            break
        text += f" {rank:{width}d}"
    if len(text) >= LINE_LENGTH:
        text = text[: LINE_LENGTH - 4] + "..."
    return text


def trees(where: Where, links: Sequence[tuple[Sequence[int], int, int]]) -> str:
    """`Trees [0] 1/-1/-1->0->-1 ...`: per channel the children, this rank and its parent."""
    parts = []
    for index, (children, rank, parent) in enumerate(links):
        down = "/".join(map(str, children))
        parts.append(f"[{index}] {down}->{rank}->{parent}")
    return info(where, "Trees " + " ".join(parts))


def connected(where: Where, what: str, version: str = "", *, pxn: int = 0, gdr: int = 1) -> str:
    """`Connected all rings` (from 2.24 with `, use ring PXN %d GDR %d`) / `Connected all
    trees` (src/transport/generic.cc)."""
    text = f"Connected all {what}"
    if what == "rings" and version and at_least(version, 2, 24):
        text += f", use ring PXN {pxn} GDR {gdr}"
    return info(where, text)


def coll_channels(
    where: Where, coll: int, p2p: int, per_peer: int, version: str = "", nvls: int = 0
) -> str:
    """src/init.cc's channel counts: 2.20 on print the collnet count too (2.27 passes
    `nChannels` for it), 2.18 and 2.19 coll, nvls and p2p; earlier coll and p2p alone."""
    if version and at_least(version, 2, 20):
        return info(
            where,
            f"{coll} coll channels, {coll} collnet channels, {nvls} nvls channels, "
            f"{p2p} p2p channels, {per_peer} p2p channels per peer",
        )
    if version and at_least(version, 2, 18):
        return info(
            where,
            f"{coll} coll channels, {nvls} nvls channels, {p2p} p2p channels, "
            f"{per_peer} p2p channels per peer",
        )
    return info(
        where, f"{coll} coll channels, {p2p} p2p channels, {per_peer} p2p channels per peer"
    )


def init_timings(
    where: Where,
    *,
    rank: int,
    nranks: int,
    total: float,
    parts: Sequence[tuple[str, float]],
    version: str = "",
    caller: str = "",
) -> str:
    """How long the communicator took to come up; `total` is measured, not summed. From 2.23
    the line names the function (`Init timings - ncclCommInitRankConfig: rank ...`), or
    `caller` (a split's ncclCommSplit)."""
    listed = ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts)
    head = (
        f"Init timings - {caller or function(version)}:"
        if version and new_layout(version)
        else ("Init timings:")
    )
    return info(where, f"{head} rank {rank} nranks {nranks} total {total:.2f} ({listed})")


# src/include/comm.h: each algorithm's per-thread work before NCCL adds threads and channels.
LL_THREAD_THRESHOLD = 8
LL128_THREAD_THRESHOLD = 8
SIMPLE_THREAD_THRESHOLD = 64
COLLNET_THREAD_THRESHOLD = 512  # src/graph/tuning.cc: CollNet Direct and Chain, Simple
NVL_CHUNK = 1 << 19  # src/init.cc: NCCL_P2P_NVL_CHUNKSIZE's default, 512 kB
NET_CHUNK = 1 << 17  # NCCL_P2P_NET_CHUNKSIZE's default, 128 kB
WORK_FIFO_BYTES = 1 << 20  # src/init.cc: NCCL_WORK_FIFO_BYTES_DEFAULT


def comm_ranks(where: Where, comm: Comm, *, nodes: int, local_ranks: int, mnnvl: int = 0) -> str:
    """src/init.cc (2.27): each rank's place once the third all-gather has mapped the nodes;
    MNNVL is 1 only where NVLink spans nodes (GB200 NVL72), 0 on HGX nodes."""
    return info(
        where,
        f"comm 0x{comm.comm:x} rank {comm.rank} nRanks {comm.nranks} nNodes {nodes} "
        f"localRanks {local_ranks} localRank {where.device} MNNVL {mnnvl}",
    )


def nvls_support(where: Where, channels: int) -> str:
    """src/transport/nvls.cc:200 (2.27.5): whether the device multicasts (NVSwitch systems
    of Hopper and Blackwell do; an A100's NVSwitch does not), with its NVLS channels."""
    available = "" if channels else "not "
    return info(
        where,
        f"NVLS multicast support is {available}available on dev {where.device} "
        f"(NVLS_NCHANNELS {channels})",
    )


def p2p_chunksize(where: Where, nodes: int) -> str:
    """computeBuffSizes: the net chunk once the communicator spans nodes, else NVLink's (the
    4 MiB Simple buffer over NCCL_STEPS, 8, caps neither)."""
    return info(where, f"P2P Chunksize set to {NET_CHUNK if nodes > 1 else NVL_CHUNK}")


def thread_thresholds(where: Where, nranks: int) -> str:
    """src/graph/tuning.cc's defaults: Tree LL/LL128/Simple, Ring the same with LL times the
    rank count, then CollNet Direct and Chain (no NCCL_THREAD_THRESHOLDS set)."""
    tree = f"{LL_THREAD_THRESHOLD}/{LL128_THREAD_THRESHOLD}/{SIMPLE_THREAD_THRESHOLD}"
    ring = f"{LL_THREAD_THRESHOLD * nranks}/{LL128_THREAD_THRESHOLD}/{SIMPLE_THREAD_THRESHOLD}"
    collnet = COLLNET_THREAD_THRESHOLD
    return info(where, f"threadThresholds {tree} | {ring} | {collnet} | {collnet}")


def check_p2p_type(where: Where, local_ranks: int) -> str:
    """src/transport.cc:99 (2.27.5, called at src/init.cc:1081), on comm rank 0 alone: whether
    every pair of the node's GPUs connects directly (NVLink through the HGX board's NVSwitch:
    1; a node holding one GPU of the communicator: 0), and whether two of them share a
    process (torch runs one process a GPU: 0)."""
    return info(where, f"Check P2P Type isAllDirectP2p {int(local_ranks > 1)} directMode 0")


def work_fifo(where: Where) -> str:
    """devCommSetup, on rank 0 alone: confidential computing off, the default work FIFO."""
    return info(where, f"CC Off, workFifoBytes {WORK_FIFO_BYTES}")


# The connectors' two messages come without the `info` prefix: a rank's connectors are the
# same for every process and launch that prints them, so nccl_connects works each rank's
# out once and puts each printing process's prefix on them (thousands of lines a start-up).


def p2p_send(
    channel: int, rank: int, dev: int, peer: int, peer_dev: int, *, read: bool, conn: int = 0
) -> str:
    """A send connector to a GPU of the node over NVLink (src/transport/p2p.cc:393, cuMem on):
    `/read` where both GPUs are Ampere (src/graph/paths.cc:365), none on Hopper and later;
    `conn` the connector's index (0 a ring's or tree's, 1 a send/recv's). The message."""
    return p2p_sends((channel,), rank, dev, peer, peer_dev, read=read, conn=conn)[0]


def p2p_sends(
    channels: Iterable[int],
    rank: int,
    dev: int,
    peer: int,
    peer_dev: int,
    *,
    read: bool,
    conn: int = 0,
) -> list[str]:
    """p2p_send's message on each of `channels`: what follows the channel's number is the
    same on every one, made once (a start-up prints thousands of these)."""
    tail = f"/{conn} : {rank}[{dev}] -> {peer}[{peer_dev}] via P2P/CUMEM" + (
        "/read" if read else ""
    )
    return [f"Channel {channel:02d}{tail}" for channel in channels]


def net_connect(
    channel: int,
    link: tuple[int, int],
    side: str,
    net_dev: int,
    devices: tuple[int, int] | None = None,
    conn: int = 0,
) -> str:
    """A connector to another node over InfiniBand with GPUDirect RDMA, on the rank's own NIC
    (src/transport/net.cc:218 `[send]`, :264 `[receive]`; not shared: a ring's connIndex 0).
    `link`: (sender, receiver) comm ranks; `devices` their GPUs (of the world communicator,
    eight GPUs a node: the ranks modulo 8); `conn` 1: a send/recv's connector, on the NET's
    shared buffers (`/Shared`), here on the rank's own NIC too. The message."""
    return net_connects((channel,), link, side, net_dev, devices, conn)[0]


def net_connects(
    channels: Iterable[int],
    link: tuple[int, int],
    side: str,
    net_dev: int,
    devices: tuple[int, int] | None = None,
    conn: int = 0,
) -> list[str]:
    """net_connect's message on each of `channels`, its tail made once (p2p_sends)."""
    sender, receiver = link
    send_dev, receive_dev = devices or (sender % 8, receiver % 8)
    tail = (
        f"/{conn} : {sender}[{send_dev}] -> {receiver}[{receive_dev}] "
        # a send/recv's connector shares the NET buffers (net.cc:199, 241: NET_SHARED_BUFFERS)
        f"[{side}] via NET/IB/{net_dev}/GDRDMA" + ("/Shared" if conn else "")
    )
    return [f"Channel {channel:02d}{tail}" for channel in channels]
