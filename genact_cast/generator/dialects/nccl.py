"""NCCL's INFO lines as NCCL_DEBUG=INFO prints them while a communicator comes up.

Every line starts `host:pid:tid [cudaDev] NCCL INFO`. Each format follows NCCL's source at
the release given (`version`, "2.27.5"): Init START / COMPLETE and Init timings name the
calling function from 2.23 (torch calls `ncclCommInitRankConfig`), a ring's ranks are
printed `" %*d"` wide enough for the largest rank from 2.23 (and cut at 128 characters with
`...`), the channel counts name collnet channels from 2.20, `Connected all rings` gives the
PXN and GDR use from 2.24, and the bootstrap line lost the space before its colon in 2.24.
"""

import functools
from collections.abc import Iterable, Sequence
from typing import NamedTuple


class Where(NamedTuple):
    """Which process and thread of which GPU prints the line."""

    host: str
    pid: int
    tid: int
    device: int


@functools.lru_cache(maxsize=64)
def at_least(version: str, major: int, minor: int) -> bool:
    found = tuple(int(part) for part in version.split(".")[:2])
    return found >= (major, minor)


def new_layout(version: str) -> bool:
    """Init START / COMPLETE name their function (src/init.cc of 2.23)."""
    return at_least(version, 2, 23)


def function(version: str) -> str:
    """The function torch's communicators come up through, as 2.23+ names it; before 2.23
    Init COMPLETE named `ncclCommInitRank` whatever the caller."""
    return "ncclCommInitRankConfig" if new_layout(version) else "ncclCommInitRank"


def info(where: Where, message: str) -> str:
    return f"{where.host}:{where.pid}:{where.tid} [{where.device}] NCCL INFO {message}"


def version_banner(version: str, cuda: str) -> str:
    """`VERSION_STRING` as NCCL prints it at NCCL_DEBUG=VERSION or WARN: no prefix."""
    return f"NCCL version {version}+cuda{cuda}"


def version_line(where: Where, version: str, cuda: str) -> str:
    """`showVersion()` at NCCL_DEBUG=INFO: the same string as an INFO line."""
    return info(where, version_banner(version, cuda))


def driver(where: Where, cuda_driver: int) -> str:
    """src/misc/cudawrap.cc: `cudaDriverVersion %d` (12080 for a CUDA 12.8 driver)."""
    return info(where, f"cudaDriverVersion {cuda_driver}")


def comm_config_blocking(where: Where) -> str:
    """src/init.cc's `Comm config Blocking set to 1`: torch's communicators are blocking."""
    return info(where, "Comm config Blocking set to 1")


def net_plugin(where: Where, name: str) -> list[str]:
    """src/plugin/net.cc (2.26 on): the network plugin chosen and given to the communicator."""
    return [
        info(where, f"Initialized NET plugin {name}"),
        info(where, f"Assigned NET plugin {name} to comm"),
    ]


# src/plugin/plugin_open.cc:104 at v2.27.5-1: `%s/Plugin: Could not find:%s. %s`, each name
# tried after a space, then the type's fallback (":26": none for NET and PROFILER, hence the
# line's trailing space; "Using internal tuner plugin." for TUNER). Each type is looked up
# once a process: a failed load is remembered (plugin/net.cc:238-246, tuner.cc:38-44, 80-83,
# profiler.cc:38-40).
NET_PLUGIN_MISSING = "NET/Plugin: Could not find: libnccl-net.so. "
TUNER_PLUGIN_MISSING = (
    "TUNER/Plugin: Could not find: libnccl-tuner.so. Using internal tuner plugin."
)
PROFILER_PLUGIN_MISSING = "PROFILER/Plugin: Could not find: libnccl-profiler.so. "
# src/ras/client_support.cc:162 (INFO NCCL_INIT|NCCL_RAS), once a process at its first
# bootstrapInit (ras.cc:93-106; RAS_ENABLE defaults to 1, bootstrap.cc:620): the default
# NCCL_RAS_ADDR "localhost:28028" as the host resolves it (a real 2.27 log: index
# 51806320406).
RAS_CLIENT = "RAS client listening socket at 127.0.0.1<28028>"


def plugin_missing(where: Where, message: str) -> str:
    return info(where, message)


def ras_client(where: Where) -> str:
    return info(where, RAS_CLIENT)


def bootstrap_timings(where: Where, parts: Sequence[float]) -> str:
    """src/bootstrap.cc:767 (NCCL_BOOTSTRAP, in the default mask), at the end of every
    bootstrapInit (not a split's bootstrapSplit): total, create, send, recv, ring, delay."""
    total, create, send, recv, ring, delay = parts
    return info(
        where,
        f"Bootstrap timings total {total:.6f} (create {create:.6f}, send {send:.6f}, "
        f"recv {recv:.6f}, ring {ring:.6f}, delay {delay:.6f})",
    )


def affinity(where: Where, cpus: str) -> str:
    """src/graph/topo.cc:1602: the GPU's NUMA node's CPUs (ncclCpusetToRangeStr's ranges)."""
    return info(where, f"Setting affinity for GPU {where.device} to {cpus}")


def proxy_thread(where: Where, name: str, core: int) -> str:
    """src/proxy.cc:1578 (`Proxy Service`), :1769 (`Proxy Service UDS`), :911 (`Proxy
    Progress`): each proxy thread of the communicator, as it starts, on its own thread id."""
    return info(where, f"[{name}] Device {where.device} CPU core {core}")


def bootstrap(where: Where, version: str, interface: str, address: str) -> str:
    colon = ":" if at_least(version, 2, 24) else " :"
    return info(where, f"Bootstrap{colon} Using {interface}:{address}<0>")


def net_ib(where: Where, devices: Sequence[str], oob_interface: str, oob_address: str) -> str:
    """The InfiniBand HCAs NCCL will use, and the out-of-band interface of the bootstrap."""
    hcas = " ".join(f"[{index}]{name}:1/IB" for index, name in enumerate(devices))
    return info(where, f"NET/IB : Using {hcas} [RO]; OOB {oob_interface}:{oob_address}<0>")


def using_network(where: Where, network: str) -> str:
    return info(where, f"Using network {network}")


class Comm(NamedTuple):
    """One rank's communicator as its Init lines name it."""

    comm: int  # the ncclComm's address
    rank: int
    nranks: int
    bus_id: str  # the GPU's PCI bus id
    comm_id: int  # the unique id every rank of the communicator shares


def init_start(where: Where, version: str, comm: Comm, *, caller: str = "") -> str:
    """`caller` is the function the communicator came up through (torch's by default)."""
    return _init(where, version, comm, caller, "START")


def init_complete(where: Where, version: str, comm: Comm, *, caller: str = "") -> str:
    return _init(where, version, comm, caller, "COMPLETE")


def _init(where: Where, version: str, comm: Comm, caller: str, stage: str) -> str:
    head = f"{caller or function(version)} " if new_layout(version) else ""
    return info(
        where,
        f"{head}comm 0x{comm.comm:x} rank {comm.rank} nranks {comm.nranks} "
        f"cudaDev {where.device} nvmlDev {where.device} busId {comm.bus_id} "
        f"commId 0x{comm.comm_id:016x} - Init {stage}",
    )


class Split(NamedTuple):
    """What a communicator split from a parent adds to its Init lines (src/init.cc:1428 and
    :1464 at v2.27.5-1): the parent's address, the parent's count of splits so far, this
    one included (`job->splitCount = ++comm->splitCount`, :2314), the color and the key."""

    parent: int
    number: int
    color: int
    key: int


SPLIT = "ncclCommSplit"  # the caller ncclCommInitChildComm records (init.cc:2362, __func__)
_WORD = 2**64


def split_color(ranks: Sequence[int]) -> int:
    """The color torch gives ncclCommSplit for a group of `ranks` (ProcessGroupNCCL::split,
    `genNcclSplitColor` in torch/csrc/distributed/c10d/NCCLUtils.cpp: a fold of
    `acc ^ (std::hash<int>(rank) + 0x9e3779b9 + (acc << 6) + (acc >> 2))` over size_t, then
    abs of it as int64 modulo INT32_MAX); libstdc++'s std::hash<int> is the value itself."""
    acc = 0
    for rank in ranks:
        acc ^= (rank + 0x9E3779B9 + (acc << 6) + (acc >> 2)) % _WORD
    signed = acc - _WORD if acc >= _WORD // 2 else acc
    return abs(signed) % (2**31 - 1)


def no_color(where: Where, rank: int) -> str:
    """init.cc:2268: a process of the parent that is in none of the split's groups."""
    return info(
        where, f"Rank {rank} has color with NCCL_SPLIT_NOCOLOR, not creating a new communicator"
    )


def split_start(where: Where, comm: Comm, split: Split) -> str:
    """init.cc:1428: the split's Init START, with no space before its dash (the format's)."""
    return info(where, f"{_split_head(where, comm, split)}- Init START")


def split_complete(where: Where, comm: Comm, split: Split) -> str:
    """init.cc:1464: the split's Init COMPLETE (a space before the dash here)."""
    return info(where, f"{_split_head(where, comm, split)} - Init COMPLETE")


def _split_head(where: Where, comm: Comm, split: Split) -> str:
    return (
        f"{SPLIT} comm 0x{comm.comm:x} rank {comm.rank} nranks {comm.nranks} "
        f"cudaDev {where.device} nvmlDev {where.device} busId {comm.bus_id} "
        f"parent 0x{split.parent:x} splitCount {split.number} color {split.color} "
        f"key {split.key}"
    )


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
