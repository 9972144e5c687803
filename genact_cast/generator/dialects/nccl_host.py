"""What NCCL 2.27.5 prints at NCCL_DEBUG=INFO's default mask (INIT, BOOTSTRAP and ENV:
src/debug.cc:43 at v2.27.5-1) about the process around a communicator's own lines: the plugin
look-ups, the RAS socket, the bootstrap's timings, the CPU affinity and the proxy threads.

Where each goes in one process's start-up (src/init.cc:1410-1476, initTransportsRank):
- the first communicator of the process looks each plugin up once: NET before the network
  (plugin/net.cc:238, in ncclNetInit), PROFILER after `P2P Chunksize` (init.cc:1079), TUNER
  after the work FIFO's line (init.cc:1450); no later communicator prints them;
- its bootstrapInit opens RAS's client socket once a process (bootstrap.cc:744, ras.cc:93),
  and every bootstrapInit (not a split's bootstrapSplit) ends with its timings
  (bootstrap.cc:767);
- every communicator sets its affinity to the GPU's CPUs (init.cc:831, topo.cc:1602) before
  its NVLS and nRanks lines, and starts its proxy service threads after `Check P2P Type`
  (init.cc:1087, proxy.cc:1578, 1769), each on a thread of its own; its progress thread
  starts at its first connection (proxy.cc:1362, 911), before the connectors' lines.

A real 2.27.3 log shows the same order for a world communicator and a split (index
24563078160: Init START, RAS, Bootstrap timings, Setting affinity, nRanks, ..., P2P
Chunksize, PROFILER, Check P2P Type, the two Proxy Service lines, threadThresholds, ..., CC
Off, TUNER, Init COMPLETE; a split: no plugin, RAS or bootstrap line).
"""

import functools
from typing import NamedTuple

from genact_cast.generator.dialects import nccl
from genact_cast.generator.rng import Rng

Span = tuple[tuple[int, int], ...]  # a CPU set as ranges, both ends included

# Each GPU's NUMA node's CPUs (both hardware threads of its cores), which NCCL intersects
# with the process's own set (torchrun and srun's one task a node leave it whole):
# - DGX A100, two EPYC 7742 in NPS4 (`nvidia-smi topo -m`, index 18363675466): GPUs 0-1 on
#   48-63,176-191; 2-3 on 16-31,144-159; 4-5 on 112-127,240-255; 6-7 on 80-95,208-223;
# - HGX H100 and H200, two Xeon 8480C (MLPerf's H100_SXM_80GBx8 numa_config, index
#   13710222479): GPUs 0-3 on 0-55,112-167, 4-7 on 56-111,168-223;
# - HGX B200, two Xeon 8570 (index 62740260253): the same halves.
_A100: tuple[Span, ...] = (
    ((48, 63), (176, 191)),
    ((48, 63), (176, 191)),
    ((16, 31), (144, 159)),
    ((16, 31), (144, 159)),
    ((112, 127), (240, 255)),
    ((112, 127), (240, 255)),
    ((80, 95), (208, 223)),
    ((80, 95), (208, 223)),
)
_XEON: tuple[Span, ...] = (((0, 55), (112, 167)),) * 4 + (((56, 111), (168, 223)),) * 4
NUMA_CPUS = {"A100": _A100, "H100": _XEON, "H200": _XEON, "B200": _XEON}

PROXY_SERVICE = "Proxy Service"
PROXY_UDS = "Proxy Service UDS"
PROXY_PROGRESS = "Proxy Progress"
STAGGER_RATE = 7000  # bootstrap.cc:617, NCCL_UID_STAGGER_RATE: connections a second to a root
STAGGER_THRESHOLD = 256  # :618: ranks of a root past which they stagger


@functools.lru_cache(maxsize=16)
def cpu_ranges(gpu: str, device: int) -> str:
    """ncclCpusetToRangeStr (src/include/cpuset.h:61): `a-b` ranges joined by commas."""
    span = NUMA_CPUS.get(gpu, _XEON)[device % 8]
    return ",".join(f"{low}-{high}" for low, high in span)


def _core(span: Span, draw: Rng) -> int:
    """sched_getcpu() of a thread the affinity keeps on the GPU's CPUs."""
    count = sum(high - low + 1 for low, high in span)
    index = int(draw.random() * count)
    for low, high in span:
        if index <= high - low:
            return low + index
        index -= high - low + 1
    return span[-1][1]


class HostLines(NamedTuple):
    """One process's lines around one communicator's, by where they go."""

    network: list[str]  # before `NET/IB : Using` (the process's first communicator)
    bootstrap: list[str]  # after Init START
    placed: list[str]  # once every rank has bootstrapped: before the NVLS and nRanks lines
    profiler: list[str]  # after `P2P Chunksize`, before `Check P2P Type`
    proxies: list[str]  # after `Check P2P Type`, before `threadThresholds`
    tuner: list[str]  # after `CC Off`, before Init COMPLETE
    progress: list[str]  # before the communicator's first connectors


def host_lines(
    gpu: str,
    init: nccl.Where,
    rank: int,
    nranks: int,
    *,
    first: bool,
    bootstrap: float | None,
    key: int,
) -> HostLines:
    """The lines of `init` (the process's init thread; its proxy threads are the threads the
    process starts after it: service +1, UDS +2, progress +4, the connecting thread being
    +3) for its communicator of `nranks` where it is `rank`. `first`: the process's first
    communicator. `bootstrap`: the seconds its bootstrapInit took (Init timings' bootstrap
    part), None for a split. `key` seeds the draws (thread cores, the timings' parts)."""
    draw = Rng(key)
    span = NUMA_CPUS.get(gpu, _XEON)[init.device % 8]
    bootstrapped: list[str] = []
    if bootstrap is not None:
        # the rank's own stagger before it calls the root (bootstrap.cc:668-680, one root)
        delay = rank / STAGGER_RATE if nranks > STAGGER_THRESHOLD else 0.0
        delay += draw.uniform(0.0, 0.0000015) if delay == 0.0 else draw.uniform(5e-5, 1.5e-4)
        create = draw.uniform(0.00002, 0.0001)
        send = draw.uniform(0.0001, 0.0004)
        ring = draw.uniform(0.0001, 0.006)
        total = max(bootstrap - draw.uniform(0.00005, 0.0005), create + send + ring + delay)
        recv = total - create - send - ring - delay - draw.uniform(0.0, 0.00003)
        parts = (total, create, send, max(recv, 0.0), ring, delay)
        bootstrapped.append(nccl.bootstrap_timings(init, parts))
    service = init._replace(tid=init.tid + 1)
    uds = init._replace(tid=init.tid + 2)
    progress = init._replace(tid=init.tid + 4)
    return HostLines(
        network=[nccl.plugin_missing(init, nccl.NET_PLUGIN_MISSING)] if first else [],
        bootstrap=[nccl.ras_client(init)] if first else [],
        placed=[*bootstrapped, nccl.affinity(init, cpu_ranges(gpu, init.device))],
        profiler=[nccl.plugin_missing(init, nccl.PROFILER_PLUGIN_MISSING)] if first else [],
        proxies=[
            nccl.proxy_thread(service, PROXY_SERVICE, _core(span, draw)),
            nccl.proxy_thread(uds, PROXY_UDS, _core(span, draw)),
        ],
        tuner=[nccl.plugin_missing(init, nccl.TUNER_PLUGIN_MISSING)] if first else [],
        progress=[nccl.proxy_thread(progress, PROXY_PROGRESS, _core(span, draw))],
    )
