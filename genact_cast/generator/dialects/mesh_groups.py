"""The process groups torch 2.9.0's DeviceMesh creates for an N-D mesh and its flattened
dimensions, as the NCCL watchdog names them: `PG ID <local id> PG GUID <name>(<desc>)` and
the rank's number in the group (megatron_groups counts Megatron-LM's the same way).

`DeviceMesh._init_process_groups` (device_mesh.py:541-660 in the 2.9.0 wheel): a 1-D mesh of
the whole world reuses the default group; otherwise, dimension by dimension, every process
calls `new_group(ranks, group_desc=f"mesh_{name}")` for every row of
`mesh.swapdims(-1, dim).reshape(-1, size)` (no device bound at init_process_group, so no
split_group). `_flatten` (create_flatten_mesh, :169-239) builds a 1-D DeviceMesh of every row
of `mesh.permute(*kept, *flattened).reshape(-1, prod)`, each through the same
_init_process_groups: a new group per row, or the default group where the row is the world.
Every `new_group` call takes the next name from `_world.group_count` whether or not the
process is a member (the default group is "0"): the GUID. The PG ID counts the NCCL groups
the process is a member of (the default one is 0).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator.dialects.c10d_watchdog import label


class MeshGroup(NamedTuple):
    """One rank's group of a mesh dimension (or a flattened one)."""

    name: str  # the mesh dimension's name, e.g. "dp_shard_cp"
    local_id: int
    guid: int
    members: tuple[int, ...]  # global ranks, in the group's rank order

    @property
    def desc(self) -> str:
        return f"mesh_{self.name}"

    def label(self) -> str:
        return label(self.local_id, self.guid, self.desc)

    def rank_of(self, rank: int) -> int:
        return self.members.index(rank)


def _coords(rank: int, sizes: Sequence[int]) -> list[int]:
    """The rank's coordinates in a row-major mesh of `sizes` (ranks 0..world-1 in order)."""
    out: list[int] = []
    for size in reversed(sizes):
        out.append(rank % size)
        rank //= size
    return out[::-1]


def _rank(coords: Sequence[int], sizes: Sequence[int]) -> int:
    rank = 0
    for coord, size in zip(coords, sizes, strict=True):
        rank = rank * size + coord
    return rank


def _row(coords: Sequence[int], sizes: Sequence[int], kept: Sequence[int]) -> int:
    """The row index of a rank among `reshape(-1, n)` of the mesh permuted to `kept` first."""
    return _rank([coords[i] for i in kept], [sizes[i] for i in kept])


def _members(
    coords: Sequence[int], sizes: Sequence[int], spanned: Sequence[int]
) -> tuple[int, ...]:
    """The ranks sharing every coordinate but `spanned`'s, `spanned` row-major: the rank
    with those coordinates at 0, stepped along each spanned dimension's stride (a group of
    hundreds of ranks, asked for each rank a node shows)."""
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    out = [_rank(coords, sizes) - sum(coords[i] * strides[i] for i in spanned)]
    for i in spanned:  # the first spanned dimension varies slowest
        stride = strides[i]
        out = [base + value * stride for base in out for value in range(sizes[i])]
    return tuple(out)


def mesh_groups(
    names: Sequence[str],
    sizes: Sequence[int],
    flattened: Sequence[tuple[str, Sequence[str]]],
    rank: int,
) -> dict[str, MeshGroup | None]:
    """`rank`'s group of each mesh dimension, then of each flattened one (`(name, the
    dimensions it flattens)`, in the order the framework flattens them); None where the
    dimension is the default group (a 1-D mesh of the world)."""
    key = tuple((name, tuple(dims)) for name, dims in flattened)
    return dict(_mesh_groups(tuple(names), tuple(sizes), key, rank))


@functools.lru_cache(maxsize=256)  # a dialect asks for each group of a rank in turn
def _mesh_groups(
    names: tuple[str, ...],
    sizes: tuple[int, ...],
    flattened: tuple[tuple[str, tuple[str, ...]], ...],
    rank: int,
) -> dict[str, MeshGroup | None]:
    world = math.prod(sizes)
    coords = _coords(rank, sizes)
    found: dict[str, MeshGroup | None] = {}
    created = 0  # new_group calls so far: the GUIDs 1..created are taken
    local_id = 0
    spans: list[tuple[str, list[int]]] = [(name, [dim]) for dim, name in enumerate(names)]
    spans += [(name, [names.index(n) for n in dims]) for name, dims in flattened]
    for position, (name, spanned) in enumerate(spans):
        size = math.prod(sizes[i] for i in spanned)
        flat = position >= len(names)
        # A 1-D mesh of the whole world is the default group (device_mesh.py:555-572).
        if size == world and (flat or len(sizes) == 1):
            found[name] = None
            continue
        if flat:
            kept = [i for i in range(len(sizes)) if i not in spanned]
        else:
            # swapdims(-1, dim): the last dimension takes this one's place
            order = list(range(len(sizes)))
            dim = spanned[0]
            order[dim], order[-1] = order[-1], order[dim]
            kept = order[:-1]
        local_id += 1
        found[name] = MeshGroup(
            name,
            local_id,
            created + 1 + _row(coords, sizes, kept),
            _members(coords, sizes, spanned),
        )
        created += world // size
    return found
