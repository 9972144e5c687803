"""The bus bandwidth each collective of a run achieves, from the links its group crosses.

Inside a node every collective runs over NVLink at its operation's own rate (collectives.tsv:
the rings of an all-gather or reduce-scatter, NVLink SHARP's all-reduce, the point-to-point
sends of an all-to-all). Across nodes a group uses as many NICs a node as it has ranks
there, one NIC a GPU (DGX/HGX rails):
- a ring all-gather or reduce-scatter moves at the sum of its rails (at most the node's
  NVLink ring), less what a ring loses as it spans more nodes (ring_scale.tsv);
- an all-reduce across nodes runs as a tree at its rails' rate;
- an all-to-all cannot aggregate a node's NICs: each GPU's traffic leaves by its own NIC,
  and nccl-tests' busbw is N/(N-1) x that NIC over N nodes (NVIDIA/nccl-tests#130, #267).
Ranks are laid out TP fastest, then data parallelism (shard group, then replicas), then
pipeline stages (Megatron-Core's and torchtitan's meshes): a shard group of g ranks spans
g x TP consecutive GPUs, and a replica group takes one rank from each shard group.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from genact_cast.generator import catalog, physics, tables
from genact_cast.generator.catalog import Gpu
from genact_cast.generator.layout import Layout

NODE = physics.GPUS_PER_NODE


class Links(NamedTuple):
    """Achieved bus bandwidth (GB/s) of each collective group of a run."""

    shard: float  # FSDP all-gathers and reduce-scatters over the shard group
    replica: float  # HSDP's all-reduce across the replicas
    tp: float  # TP's reduce-scatter and all-gather (sequence parallelism), inside a node
    experts: float  # EP's all-to-all (dispatch and combine)
    expert_sync: float  # the ring over the ranks that hold the same experts
    nic: float  # one NIC's achieved rate (0 on one node)


@functools.cache
def _node_rates() -> dict[tuple[str, str], tuple[float, float]]:
    return {
        (r[0], r[1]): (float(r[2]), float(r[3]))
        for r in tables.rows(catalog.DATA / "collectives.tsv")
    }


@functools.cache
def _ring_scale() -> tuple[tuple[int, float], ...]:
    return tuple((int(r[0]), float(r[1])) for r in tables.rows(catalog.DATA / "ring_scale.tsv"))


def node_rate(gpu: Gpu, op: str, draw: float) -> float:
    """`op`'s bus bandwidth among a node's GPUs, at `draw` (0-1) of its published range: one
    draw for the node, so that its operations stand where its NVLink does."""
    low, high = _node_rates()[gpu.name, op]
    return low + draw * (high - low)


def ring_share(nodes: int) -> float:
    """What a ring over `nodes` nodes keeps of its rails' rate (ring_scale.tsv)."""
    (near, full), (far, least) = _ring_scale()
    if nodes <= near:
        return full
    if nodes >= far:
        return least
    span = math.log2(far) - math.log2(near)
    return full + (least - full) * (math.log2(nodes) - math.log2(near)) / span


def ring(gpu: Gpu, ranks: int, stride: int, draw: float, nic: float) -> float:
    """A ring all-gather or reduce-scatter over `ranks` ranks `stride` GPUs apart."""
    span = ranks * stride
    if span <= NODE:
        return node_rate(gpu, "ring", draw)
    rails = max(1, NODE // stride)
    nodes = span // NODE if stride < NODE else ranks
    return min(node_rate(gpu, "ring", draw), rails * nic) * ring_share(nodes)


def all_reduce(gpu: Gpu, ranks: int, stride: int, draw: float, nic: float) -> float:
    """An all-reduce over `ranks` ranks `stride` GPUs apart: NVLink SHARP inside a node, a
    tree over the group's rails across nodes."""
    if ranks * stride <= NODE:
        return node_rate(gpu, "all_reduce", draw)
    rails = max(1, NODE // stride)
    return min(node_rate(gpu, "all_reduce", draw), rails * nic)


def all_to_all(gpu: Gpu, ranks: int, stride: int, draw: float, nic: float) -> float:
    """An all-to-all over `ranks` ranks `stride` GPUs apart: NVLink's point-to-point rate
    inside a node; across N nodes, N/(N-1) x one NIC (the part that stays in the node is not
    the bottleneck: nccl-tests#130)."""
    span = ranks * stride
    if span <= NODE:
        return node_rate(gpu, "all_to_all", draw)
    nodes = math.ceil(span / NODE)
    return min(node_rate(gpu, "all_to_all", draw), nodes / (nodes - 1) * nic)


def links(gpu: Gpu, layout: Layout, draw: float, nic: float) -> Links:
    """Each collective group's bus bandwidth under `layout`, the node's NVLink at `draw` of
    its ranges and each NIC at `nic` GB/s."""
    tp, group = layout.tp, layout.shard_group
    shard = ring(gpu, group, tp, draw, nic)
    replica = all_reduce(gpu, layout.replicas, group * tp, draw, nic)
    # An EP group is carved from the data-parallel ranks of a node (moe.expert_parallel);
    # the ranks holding the same experts are one an EP group, in other nodes.
    experts = all_to_all(gpu, layout.ep, 1, draw, nic)
    holders = group // layout.ep if layout.ep > 1 else 1
    sync = ring(gpu, holders, layout.ep, draw, nic)
    return Links(shard, replica, node_rate(gpu, "ring", draw), experts, sync, nic)
