"""NCCL's INFO lines as NCCL_DEBUG=INFO prints them while a communicator comes up.

Every line starts `host:pid:tid [cudaDev] NCCL INFO`. The layout changed in 2.23: the
bootstrap line lost the space before its colon and Init START / COMPLETE gained the
`ncclCommInitRank` prefix; `new_layout` picks it from the version.
"""

from collections.abc import Sequence
from typing import NamedTuple


class Where(NamedTuple):
    """Which process and thread of which GPU prints the line."""

    host: str
    pid: int
    tid: int
    device: int


def new_layout(version: str) -> bool:
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (2, 23)


def info(where: Where, message: str) -> str:
    return f"{where.host}:{where.pid}:{where.tid} [{where.device}] NCCL INFO {message}"


def version_banner(version: str, cuda: str) -> str:
    """Printed once by rank 0, without a prefix (torch tags it `[rank0]:` in torchtitan)."""
    return f"NCCL version {version}+cuda{cuda}"


def bootstrap(where: Where, version: str, interface: str, address: str) -> str:
    colon = ":" if new_layout(version) else " :"
    return info(where, f"Bootstrap{colon} Using {interface}:{address}<0>")


def net_ib(where: Where, devices: Sequence[str], oob_interface: str, oob_address: str) -> str:
    """The InfiniBand HCAs NCCL will use, and the out-of-band interface of the bootstrap."""
    hcas = " ".join(f"[{index}]{name}:1/IB" for index, name in enumerate(devices))
    return info(where, f"NET/IB : Using {hcas} [RO]; OOB {oob_interface}:{oob_address}<0>")


def using_network(where: Where, network: str) -> str:
    return info(where, f"Using network {network}")


def _comm(*, comm: int, rank: int, nranks: int, device: int, bus_id: str, comm_id: int) -> str:
    return (
        f"comm 0x{comm:x} rank {rank} nranks {nranks} cudaDev {device} nvmlDev {device} "
        f"busId {bus_id} commId 0x{comm_id:016x}"
    )


def init_start(
    where: Where, version: str, *, comm: int, rank: int, nranks: int, bus_id: str, comm_id: int
) -> str:
    head = "ncclCommInitRank " if new_layout(version) else ""
    body = _comm(
        comm=comm, rank=rank, nranks=nranks, device=where.device, bus_id=bus_id, comm_id=comm_id
    )
    return info(where, f"{head}{body} - Init START")


def init_complete(
    where: Where, version: str, *, comm: int, rank: int, nranks: int, bus_id: str, comm_id: int
) -> str:
    head = "ncclCommInitRank " if new_layout(version) else ""
    body = _comm(
        comm=comm, rank=rank, nranks=nranks, device=where.device, bus_id=bus_id, comm_id=comm_id
    )
    return info(where, f"{head}{body} - Init COMPLETE")


def channel(where: Where, index: int, channels: int, ring: Sequence[int]) -> str:
    """One ring of the communicator: every rank in ring order, each right-aligned in 4 columns."""
    ranks = "".join(f"{rank:4d}" for rank in ring)
    return info(where, f"Channel {index:02d}/{channels:02d} : {ranks}")


def trees(where: Where, links: Sequence[tuple[Sequence[int], int, int]]) -> str:
    """`Trees [0] 1/-1/-1->0->-1 ...`: per channel the children, this rank and its parent."""
    parts = []
    for index, (children, rank, parent) in enumerate(links):
        down = "/".join(str(child) for child in children)
        parts.append(f"[{index}] {down}->{rank}->{parent}")
    return info(where, "Trees " + " ".join(parts))


def connected(where: Where, what: str) -> str:
    """`Connected all rings` / `Connected all trees`."""
    return info(where, f"Connected all {what}")


def coll_channels(where: Where, coll: int, p2p: int, per_peer: int) -> str:
    return info(
        where, f"{coll} coll channels, {p2p} p2p channels, {per_peer} p2p channels per peer"
    )


def init_timings(
    where: Where, *, rank: int, nranks: int, total: float, parts: Sequence[tuple[str, float]]
) -> str:
    """How long the communicator took to come up (2.23 on); `total` is measured, not summed."""
    listed = ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts)
    return info(where, f"Init timings: rank {rank} nranks {nranks} total {total:.2f} ({listed})")
