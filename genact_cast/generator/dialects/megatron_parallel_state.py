"""Every process group Megatron-LM core_v0.14.0's `initialize_model_parallel` creates, in the
order it creates them (parallel_state.py:761-1233 at the tag, gloo twins on as
--enable-gloo-process-groups is by default), so that a group's name in torch 2.9's watchdog
follows from the layout instead of a formula per group: its GUID is the number of
`new_group` calls before it (every process makes every call; the default group is 0), its
PG ID the number of NCCL groups before it that the process is a member of (the default
group is 0). Context parallelism is 1 and the expert tensor size the tensor size, as the
dialect runs them (megatron_args).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import NamedTuple

ORDER = ("tp", "cp", "ep", "dp", "pp")  # --order's default at the tag


class Group(NamedTuple):
    desc: str
    ranks: tuple[int, ...]
    nccl: bool


class Layout(NamedTuple):
    tp: int
    dp: int
    pp: int
    ep: int = 1
    replicas: int = 1  # --num-distributed-optimizer-instances


class Member(NamedTuple):
    """A process's view of one group: `PG ID`, `PG GUID`, its rank in it and the members."""

    pg_id: int
    guid: int
    rank: int
    ranks: tuple[int, ...]

    def label(self, desc: str) -> str:
        return f"PG ID {self.pg_id} PG GUID {self.guid}({desc})"


def rank_groups(sizes: dict[str, int], token: str) -> list[tuple[int, ...]]:
    """RankGenerator.get_ranks(token) (parallel_state.py:196-296, 440-459): the ranks that
    differ only in the masked dimensions, groups enumerated by the unmasked coordinates and
    ranks within a group by the masked ones, the first dimension of ORDER fastest."""
    masked = set(token.split("-"))
    strides: dict[str, int] = {}
    stride = 1
    for name in ORDER:
        strides[name] = stride
        stride *= sizes[name]
    world = stride

    def offsets(names: list[str]) -> list[int]:
        found = [0]
        for name in names:
            found = [base + i * strides[name] for i in range(sizes[name]) for base in found]
        return found

    inside = offsets([name for name in ORDER if name in masked])
    outside = offsets([name for name in ORDER if name not in masked])
    assert len(inside) * len(outside) == world
    return [tuple(base + offset for offset in inside) for base in outside]


def hierarchical(ranks: tuple[int, ...], sizes: list[int]) -> list[list[tuple[int, ...]]]:
    """create_hierarchical_groups' sub-groups of each level (parallel_state.py:305-365): level
    l's groups are the ranks `u` apart, u the product of the sizes below it."""
    out: list[list[tuple[int, ...]]] = []
    for level, size in enumerate(sizes):
        below = 1
        for inner in sizes[:level]:
            below *= inner
        block = below * size
        out.append(
            [
                tuple(ranks[start + u + below * s] for s in range(size))
                for start in range(0, len(ranks), block)
                for u in range(below)
            ]
        )
    return out


def created(layout: Layout) -> Iterator[Group]:
    """The groups in the order initialize_model_parallel creates them."""
    tp, dp, pp, ep, replicas = layout
    dense = {"tp": tp, "cp": 1, "ep": 1, "dp": dp, "pp": pp}
    expert = {"tp": tp, "cp": 1, "ep": ep, "dp": dp // ep, "pp": pp}
    for ranks in rank_groups(dense, "dp-cp"):  # :761-807
        yield Group("DATA_PARALLEL_GROUP_WITH_CP", ranks, True)
        yield Group("DATA_PARALLEL_GROUP_WITH_CP_GLOO", ranks, False)
        if replicas > 1:
            intra = len(ranks) // replicas
            for i in range(replicas):
                part = ranks[i * intra : (i + 1) * intra]
                yield Group("INTRA_PARTIAL_DATA_PARALLEL_GROUP_WITH_CP", part, True)
                yield Group("INTRA_PARTIAL_DATA_PARALLEL_GROUP_WITH_CP_GLOO", part, False)
    for ranks in rank_groups(dense, "dp"):  # :838-847
        yield Group("DATA_PARALLEL_GROUP", ranks, True)
        yield Group("DATA_PARALLEL_GROUP_GLOO", ranks, False)
    for token, desc in (
        ("cp", "CONTEXT_PARALLEL_GROUP"),  # :860
        ("tp-pp", "MODEL_PARALLEL_GROUP"),  # :889
        ("tp", "TENSOR_MODEL_PARALLEL_GROUP"),  # :906
    ):
        for ranks in rank_groups(dense, token):
            yield Group(desc, ranks, True)
    for ranks in rank_groups(dense, "pp"):  # :982-1028, default embedding ranks (:446-458)
        yield Group("PIPELINE_MODEL_PARALLEL_GROUP", ranks, True)
        ends = (ranks[0],) if len(ranks) == 1 else (ranks[0], ranks[-1])
        yield Group("EMBEDDING_GROUP", ends, True)
        yield Group("POSITION_EMBEDDING_GROUP", (ranks[0],), True)
    for token, desc in (
        ("tp-dp-cp", "TENSOR_AND_DATA_PARALLEL_GROUP_WITH_CP"),  # :1039
        ("tp-dp", "TENSOR_AND_DATA_PARALLEL_GROUP"),  # :1048
        ("tp-cp", "TENSOR_AND_CONTEXT_PARALLEL_GROUP"),  # :1062
    ):
        for ranks in rank_groups(dense, token):
            yield Group(desc, ranks, True)
    for token, desc in (
        ("ep", "EXPERT_MODEL_PARALLEL_GROUP"),  # :1076
        ("tp", "EXPERT_TENSOR_PARALLEL_GROUP"),  # :1090
        ("tp-ep", "EXPERT_TENSOR_AND_MODEL_PARALLEL_GROUP"),  # :1105
        ("tp-ep-pp", "EXPERT_TENSOR_MODEL_PIPELINE_PARALLEL_GROUP"),  # :1120
    ):
        for ranks in rank_groups(expert, token):
            yield Group(desc, ranks, True)
    for ranks in rank_groups(expert, "dp"):  # :1155-1194
        yield Group("EXPERT_DATA_PARALLEL_GROUP", ranks, True)
        yield Group("EXPERT_DATA_PARALLEL_GROUP_GLOO", ranks, False)
        if replicas > 1:
            levels = hierarchical(ranks, [len(ranks) // replicas, replicas])
            for level, found in enumerate(levels):
                for part in found:
                    name = "HIERARCHICAL_EXPERT_DATA_PARALLEL_GROUP"
                    yield Group(f"{name}_L{level}", part, True)
                    yield Group(
                        f"HIERARCHICAL_EXPERT_DATA_PARALLEL_GROUP_GLOO_L{level}", part, False
                    )
    # INTRA_DISTRIBUTED_OPTIMIZER_INSTANCE_GROUP (:1221-1233) comes last: no group above
    # follows it.


@functools.lru_cache(maxsize=16)  # (keyed by the run's layout: bounded for `run --forever`)
def _table(layout: Layout) -> dict[str, dict[int, Member]]:
    world = layout.tp * layout.dp * layout.pp
    counts = [0] * world  # NCCL groups each process is in; the default group is PG ID 0
    table: dict[str, dict[int, Member]] = {}
    for guid, group in enumerate(created(layout), 1):
        if not group.nccl:
            continue
        members = table.setdefault(group.desc, {})
        for index, rank in enumerate(group.ranks):
            counts[rank] += 1
            members[rank] = Member(counts[rank], guid, index, group.ranks)
    return table


def member(layout: Layout, desc: str, rank: int) -> Member:
    """`rank`'s group of kind `desc` (its group_desc) and its place in it."""
    return _table(layout)[desc][rank]


def layout_of(tp: int, dp: int, pp: int, ep: int, replicas: int) -> Layout:
    return Layout(tp, dp, pp, max(1, ep), max(1, replicas))
