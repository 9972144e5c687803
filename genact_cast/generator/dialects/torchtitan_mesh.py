"""torchtitan v0.2.0's device mesh (distributed/parallel_dims.py), the process groups torch
2.9.0 builds for it (mesh_groups), which of them bring up an NCCL communicator in the first
step of a launch, and the group a timed-out collective ran on."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.mesh_groups import MeshGroup, mesh_groups

if TYPE_CHECKING:
    from genact_cast.generator.dialects.nccl_startup import IncidentalsLike


class Mesh(NamedTuple):
    names: list[str]
    sizes: list[int]
    flattened: list[tuple[str, list[str]]]


def mesh(facts: Facts) -> Mesh:
    """The mesh `Building N-D device mesh with` logs, and the dimensions build_mesh flattens
    after it, in its order: dp, dp_shard_cp, dp_cp (and ep) (parallel_dims.py:75-176; the
    runs here have no context parallelism and the default expert_tensor_parallel_degree 1)."""
    f = facts
    names: list[str] = []
    sizes: list[int] = []
    if f.ep > 1:
        # _build_mesh_with_ep (:75-140): EP borrows the TP degree and part of dp_shard
        # (dp_replicate stays a dimension of its own, :97-106); dp_shard_mod_ep is built
        # even where it is 1.
        if f.replicas > 1:
            names, sizes = ["dp_replicate"], [f.replicas]
        names, sizes = [*names, "dp_shard_mod_ep"], [*sizes, f.dp // f.replicas * f.tp // f.ep]
        if f.ep // f.tp > 1:
            names, sizes = [*names, "dp_shard_in_ep"], [*sizes, f.ep // f.tp]
    else:
        # _build_mesh_without_ep (:142-176): only the dims of degree > 1
        for name, degree in (("dp_replicate", f.replicas), ("dp_shard", f.dp // f.replicas)):
            if degree > 1:
                names, sizes = [*names, name], [*sizes, degree]
    if f.pp > 1:
        names, sizes = ["pp", *names], [f.pp, *sizes]
    if f.tp > 1:
        names, sizes = [*names, "tp"], [*sizes, f.tp]
    replicate = ["dp_replicate"] if "dp_replicate" in names else []
    flattened: list[tuple[str, list[str]]]
    shard: list[str]
    if f.ep > 1:
        shard = [name for name in ("dp_shard_mod_ep", "dp_shard_in_ep") if name in names]
        ep: list[str] = [name for name in ("dp_shard_in_ep", "tp") if name in names]
        flattened = [
            ("dp", [*replicate, *shard]),
            ("dp_shard_cp", shard),
            ("dp_cp", [*replicate, *shard]),
            ("ep", ep),
        ]
    else:
        shard = ["dp_shard"] if "dp_shard" in names else []
        flattened = [
            (name, dims)
            for name, dims in (
                ("dp", [*replicate, *shard]),
                ("dp_shard_cp", shard),
                ("dp_cp", [*replicate, *shard]),
            )
            if dims
        ]
    return Mesh(names, sizes, flattened)


def groups(facts: Facts, rank: int) -> dict[str, MeshGroup | None]:
    """`rank`'s group of every mesh dimension and flattened one (None: the default group)."""
    found = mesh(facts)
    return mesh_groups(found.names, found.sizes, found.flattened, rank)


# new_group's timeout where none is given: _get_default_timeout's default_pg_nccl_timeout for
# NCCL (distributed_c10d.py in the 2.9.0 wheel), ten minutes; DeviceMesh gives none.
NCCL_DEFAULT_TIMEOUT_SECONDS = 600


def timeout_seconds(
    facts: Facts, group: MeshGroup | None, *, resumed: bool, init: int, train: int
) -> int:
    """The timeout of the group a collective runs on. init_process_group gives the default
    group comm.init_timeout_seconds (`init`); the mesh's groups have new_group's NCCL
    default. After step 1, set_pg_timeouts (distributed/utils.py:289-315, train.py:633)
    sets `train` on the default group and on the groups of the root mesh's dimensions
    (`world_mesh.get_group(dim)` for each of its ndim), not on the flattened ones (dp,
    dp_shard_cp, dp_cp, ep): FSDP's collectives on dp_shard_cp keep ten minutes (pytorch
    issue 121676). A launch that resumed never runs step 1."""
    if group is None:
        return init if resumed else train
    if group.name in mesh(facts).names and not resumed:
        return train
    return NCCL_DEFAULT_TIMEOUT_SECONDS


def first_step_groups(facts: Facts, rank: int) -> list[MeshGroup]:
    """The groups whose first collective falls in a launch's first step (torch creates each
    communicator then), in the order `rank` reaches them: FSDP's all-gather of the first
    unit on dp_shard_cp (apply_fsdp's mesh, parallelize.py:113-125; the MoE experts' own on
    dp_shard_mod_ep, then the tokens' all-to-all on ep), the embedding's TP collective on
    tp, stage 0's batched send to the next stage on pp (batch_isend_irecv: the group's own
    communicator), HSDP's gradient all-reduce across dp_replicate in the backward, and at
    the logged step the loss's all-reduce on dp_cp (train.py:531-545). The dp and dp_shard
    groups carry no collective (the data loader's rank only; FSDP shards over
    dp_shard_cp), nor does a group of one."""
    own = groups(facts, rank)
    order = ["dp_shard_cp", "tp", "dp_shard_mod_ep", "ep", "pp", "dp_replicate", "dp_cp"]
    if facts.ep > 1:
        order = ["dp_shard_cp", "dp_shard_mod_ep", "ep", "tp", "pp", "dp_replicate", "dp_cp"]
    out: list[MeshGroup] = []
    for name in order:
        group = own.get(name)
        if group is not None and len(group.members) > 1:
            out.append(group)
    return out


def _members(members: Sequence[int], local: int) -> Sequence[int]:
    """A group's ranks, whichever local rank asks: only rank 0's lines show."""
    del local
    return members


def first_step_comms(facts: Facts, incidentals: IncidentalsLike, launch: int) -> list[str]:
    """NCCL_DEBUG=INFO: rank 0's lines as each of its first-step groups brings up its own
    communicator at its first collective, as the world's (no device bound at
    init_process_group); `launch` counts the job's launches. Not among them: NVLS's buffer
    line ("NVLS comm %p headRank ...", nvls.cc:339 at v2.27.5-1, INFO under NCCL_INIT, which
    the default NCCL_DEBUG_SUBSYS shows, debug.cc:43): with NCCL_RUNTIME_CONNECT on (init.cc:
    52, 1148) ncclNvlsBufferSetup runs at the first collective the tuner gives NVLS or
    NVLS_TREE (enqueue.cc:463-471, group.cc:153-160), which no source or real 2.27 log pins
    for these collectives (the index's real logs of the line are 2.28's, connected at init
    with NCCL_ALGO set)."""
    found = first_step_groups(facts, 0)
    wanted: list[Callable[[int], Sequence[int]]] = [
        functools.partial(_members, group.members) for group in found
    ]
    # FSDP's groups begin with an all-gather, TP's (within a node) and the experts' with
    # their own; only HSDP's gradient all-reduce and the loss's begin on the trees. The
    # others' trees connect at the step's grad-norm all-reduce, after every group is up.
    later: list[str] = []
    ring_first = [group.name not in ("dp_replicate", "dp_cp") for group in found]
    from genact_cast.generator.dialects.nccl_groups import sub_communicators

    out = sub_communicators(
        facts,
        incidentals,
        wanted,
        pid_of=lambda local: incidentals.worker_pids[local],
        launch=launch,
        local_ranks=(0,),
        deferred=(ring_first, later),
        # the experts' token exchange (all_to_all_single on ep): send/recv connectors, its
        # rings at the grad norm's all-reduce over ep (distributed/utils.py:427)
        all_to_all=[group.name == "ep" for group in found],
        # stage 0's first batched send on pp; its rings at the grad norm's all-reduce over
        # pp (distributed/utils.py:441-447)
        pipeline=[group.name == "pp" for group in found],
    )
    return out + later


def collective_group(facts: Facts, op: str, rank: int) -> MeshGroup | None:
    """The group a timed-out collective ran on: FSDP's all-gathers and reduce-scatters on
    dp_shard_cp, an all-reduce (drawn only where TP > 1) the loss-parallel cross entropy's
    on tp. None: the default group."""
    own = groups(facts, rank)
    if op == "ALLREDUCE":
        return own.get("tp")
    return own.get("dp_shard_cp")


def tp_seq(facts: Facts, steps: int, *, full: bool) -> int:
    """The SeqNum of the loss-parallel cross entropy's first all-reduce (the max logits, one
    fp32 a token) on the tp group in the last microbatch of the launch's `steps`-th step:
    the group counts from the launch. Per microbatch, sequence parallelism (parallelize.py's
    apply_tp) reduce-scatters the embedding's output, all-gathers and reduce-scatters around
    the attention and the feed-forward of every block (4), all-gathers the output's input,
    and the loss all-reduces 3 times; the backward mirrors the gathers and scatters (`full`
    activation checkpointing recomputes the blocks' 4), and clip_grad_norm_ all-reduces
    once a step."""
    f = facts
    layers = -(-f.layers // f.pp)  # the blocks of rank 0's pipeline stage, as the tp group runs
    forward = 1 + 4 * layers + 1
    per_micro = forward + 3 + (4 + (4 if full else 0)) * layers + 2
    per_step = f.grad_accum * per_micro + 1
    return max(steps - 1, 0) * per_step + (f.grad_accum - 1) * per_micro + forward + 1


# DCP's works on the default group (the 2.9.0 wheel's checkpoint/utils.py _DistWrapper, two
# NCCL works for gather_object, all_gather_object and broadcast_object_list, three for
# scatter_object_list): a save gathers and scatters the plans (5), gathers the write results
# and broadcasts the metadata (4) and ends in a barrier (state_dict_saver.py:456-483); a load
# gathers and scatters the plans (5), all-gathers the reads (2) and ends in a barrier
# (state_dict_loader.py:279-299).
DCP_SAVE_WORKS = 10
DCP_LOAD_WORKS = 8


def default_works(facts: Facts, step: int, resume_step: int, *, loaded: bool, log_freq: int) -> int:
    """The default group's last work in a launch (from `resume_step`) before a hang in
    `step`, where the training collectives run on mesh groups: set_determinism's broadcast
    (seed None, distributed/utils.py:124-128), the checkpoint's load where the launch
    `loaded` one, set_pg_timeouts's barrier after step 1 (train.py:633), each save's, and
    the logged steps' loss reductions where dp_cp is the default group (loss_reductions)."""
    works = 1 + (DCP_LOAD_WORKS if loaded else 0)
    if not resume_step and step > 1:
        works += 1
    every = facts.checkpoint_every
    saves = (step - 1) // every - resume_step // every if every > 0 else 0
    reductions = loss_reductions(facts, resume_step + 1, step - 1, log_freq)
    return works + DCP_SAVE_WORKS * max(saves, 0) + reductions


# A logged step's loss reductions on world_mesh["dp_cp"] (train.py:533-545 at v0.2.0):
# dist_mean, dist_max and dist_sum, one functional all_reduce each (distributed/utils.py:
# 26-80; no torchft group here).
LOSS_REDUCTIONS = 3


def loss_reductions(facts: Facts, first: int, last: int, log_freq: int) -> int:
    """The default group's works from the loss reductions of steps `first`..`last`: where
    dp_cp spans the world, DeviceMesh reuses the default group for it (a 1-D mesh of the
    world, mesh_groups), and each logged step (step 1 and every log_freq,
    components/metrics.py:385-386) all-reduces three times on it (review-tt9 fault 10:
    seed 8803's HSDP counted 62 works on default_pg after 126 logged steps)."""
    if last < first or groups(facts, 0).get("dp_cp", False) is not None:
        return 0
    logged = last // log_freq - (first - 1) // log_freq
    if first <= 1 <= last and log_freq > 1:
        logged += 1  # step 1 logs too
    return LOSS_REDUCTIONS * logged
