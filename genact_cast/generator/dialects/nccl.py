"""NCCL's INFO lines as NCCL_DEBUG=INFO prints them while a communicator comes up.

Every line starts `host:pid:tid [cudaDev] NCCL INFO`. Each format follows NCCL's source at
the release given (`version`, "2.27.5"): Init START / COMPLETE and Init timings name the
calling function from 2.23 (torch calls `ncclCommInitRankConfig`), a ring's ranks are
printed `" %*d"` wide enough for the largest rank from 2.23 (and cut at 128 characters with
`...`), the channel counts name collnet channels from 2.20, `Connected all rings` gives the
PXN and GDR use from 2.24, and the bootstrap line lost the space before its colon in 2.24.
"""

from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator.dialects.nccl_timings import at_least as at_least
from genact_cast.generator.dialects.nccl_timings import new_layout as new_layout


class Where(NamedTuple):
    """Which process and thread of which GPU prints the line."""

    host: str
    pid: int
    tid: int
    device: int


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
