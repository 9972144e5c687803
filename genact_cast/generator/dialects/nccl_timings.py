"""NCCL's release checks and each process's `Init timings` draw, apart from the line modules:
a job draws how long its communicator takes to come up whether or not NCCL prints it (the
Trainer's first step waits for it), and one without NCCL_DEBUG=INFO loads none of nccl,
nccl_startup and the modules they import (issue 18: five modules a record)."""

import functools
import math

from genact_cast.generator.rng import Rng

# The parts of `Init timings` (src/init.cc:1475-1481 at v2.27.5-1, less `rest`) and the
# seconds each is drawn in; nccl_startup prints them in this order.
INIT_PARTS = (
    ("kernels", 0.15, 0.4),
    ("alloc", 0.0, 0.02),
    ("bootstrap", 0.05, 1.2),
    ("allgathers", 0.0, 0.05),
    ("topo", 0.05, 0.3),
    ("graphs", 0.0, 0.05),
    ("connections", 0.05, 0.5),
)
# nccl_startup's phases (bootstrap, network, topology, Init COMPLETE, connections): each
# process draws its place in each phase's order after its parts.
PHASES = 5


@functools.lru_cache(maxsize=64)
def at_least(version: str, major: int, minor: int) -> bool:
    found = tuple(int(part) for part in version.split(".")[:2])
    return found >= (major, minor)


def new_layout(version: str) -> bool:
    """Init START / COMPLETE name their function (src/init.cc of 2.23)."""
    return at_least(version, 2, 23)


def node_draw(seed: int, launch: int, node: int) -> Rng:
    """The stream a node's processes draw their start-up from, in rank order (`launch`:
    Incidentals.launch_key, its own for every launch)."""
    return Rng(seed * 13 + launch + node)


def init_parts(draw: Rng) -> list[tuple[str, float]]:
    """One process's `Init timings` parts, in seconds (2.23 on; before, the line has none)."""
    return [(name, draw.uniform(low, high)) for name, low, high in INIT_PARTS]


def measured(parts: list[tuple[str, float]]) -> float:
    """The line's `total`: what NCCL measured, the parts as printed (two decimals) summed."""
    return math.fsum(round(seconds, 2) for _, seconds in parts)


def init_totals(
    seed: int, launch: int, version: str, processes: int = 8, node: int = 0
) -> list[float]:
    """Each of node `node`'s `processes` processes' `Init timings` total: what
    nccl_startup's `timings` gets for that node's default world communicator, drawn the
    same way (its parts, then its place in each phase) without building a line; none
    before 2.23, whose line has no parts. `launch`: the launch's Incidentals.launch_key
    (node 0's), which seeds every node's stream."""
    if not new_layout(version):
        return []
    random = node_draw(seed, launch, node).random
    totals = []
    for _ in range(processes):
        # measured(init_parts(draw)): each part drawn as Rng.uniform draws it, rounded as the
        # line prints it, without the named parts (a launch on 256 nodes draws 2,048 totals,
        # at each of Megatron's launches: 6 % of seed 47513's record, 256 nodes, 10 launches)
        totals.append(
            math.fsum([round(low + (high - low) * random(), 2) for _, low, high in INIT_PARTS])
        )
        for _ in range(PHASES):
            random()
    return totals
