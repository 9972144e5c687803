"""accelerate 1.11.0's device mesh under FSDP2 with TP and data parallelism, as the Trainer's
processes meet it.

ParallelismConfig.build_device_mesh (parallelism_config.py:186-214) makes the ("dp_shard",
"tp") mesh, then flattens dp_shard three times: "dp", "dp_shard_cp" and "dp_cp" (:207-212).
torch 2.9.0 gives each row of each a group of its own (device_mesh.py:541-660 and
create_flatten_mesh, :169-239; accelerate passes init_process_group no device, so new_group,
not split_group). FSDP2 shards over mesh["dp_shard_cp"] (utils/fsdp_utils.py:632:
`fsdp_dim_names` is ("dp_shard_cp",) with no replication), the TP layers over "tp".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.mesh_groups import MeshGroup, mesh_groups

if TYPE_CHECKING:
    from genact_cast.generator.dialects.nccl_startup import IncidentalsLike

NAMES = ("dp_shard", "tp")
FLATTENED = (("dp", ("dp_shard",)), ("dp_shard_cp", ("dp_shard",)), ("dp_cp", ("dp_shard",)))
FSDP = "dp_shard_cp"


def group(facts: Facts, rank: int, name: str) -> MeshGroup | None:
    """`rank`'s group of mesh dimension `name` (or a flattened one); None where accelerate
    builds no 2-D mesh (TP over the world: ("tp",), the default group)."""
    if facts.tp == 1 or facts.dp == 1:
        return None
    return mesh_groups(NAMES, [facts.dp, facts.tp], FLATTENED, rank)[name]


def first_step_comms(facts: Facts, incidentals: IncidentalsLike, launch: int) -> list[str]:
    """NCCL_DEBUG=INFO: every process of the first node as its mesh groups bring up their
    communicators at their first collective, in the first step: FSDP2's all-gather of the
    first unit on dp_shard_cp, then the TP layers' collective on tp (the world's came up at
    start-up, nccl_startup). Each is an ncclCommInitRankConfig of its own (no device bound,
    so no split). None without a 2-D mesh."""
    if group(facts, 0, FSDP) is None:
        return []

    def members(name: str) -> Callable[[int], Sequence[int]]:
        def of(rank: int) -> Sequence[int]:
            found = group(facts, rank, name)
            assert found is not None
            return found.members

        return of

    # NCCL's line modules load only for a job that sets NCCL_DEBUG=INFO (hf.py's caller)
    from genact_cast.generator.dialects.nccl_groups import sub_communicators

    return sub_communicators(
        facts,
        incidentals,
        [members(FSDP), members("tp")],
        pid_of=lambda local: incidentals.worker_pids[local],
        launch=launch,
    )
