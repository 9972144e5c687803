"""The process group a Megatron-LM core_v0.14.0 collective runs on, as torch 2.9.0's watchdog
names it: `PG ID <local id> PG GUID <name>(<group_desc>)` and the rank's number in that group.

`initialize_model_parallel` (parallel_state.py at the tag) creates, in this order, for every
rank set of its RankGenerator (order tp-cp-ep-dp-pp): DATA_PARALLEL_GROUP_WITH_CP (:766, and a
gloo twin :773), DATA_PARALLEL_GROUP (:843, gloo twin :847), CONTEXT_PARALLEL_GROUP (:865),
MODEL_PARALLEL_GROUP (:894, the tp-pp ranks), TENSOR_MODEL_PARALLEL_GROUP (:911), ... Every
process calls `new_group` for every set, so each call takes the next name from
`_world.group_count` (distributed_c10d.py:5015 in the 2.9.0 wheel; the default group is "0"):
the GUID. The PG ID counts the NCCL groups the process is a member of (the default one is 0),
so DATA_PARALLEL_GROUP_WITH_CP is 1 and TENSOR_MODEL_PARALLEL_GROUP 5 on every rank; a real
log of tp 2, dp 8 shows rank 9's `PG ID 5 PG GUID 37(TENSOR_MODEL_PARALLEL_GROUP) Rank 1`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from genact_cast.generator.dialects import megatron_ddp as ddp
from genact_cast.generator.dialects import megatron_parallel_state as ps
from genact_cast.generator.dialects import megatron_parsed_args as parsed_args
from genact_cast.generator.dialects.c10d_watchdog import label as label
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_formulas import Shape
from genact_cast.generator.dialects.megatron_shards import stage_layers
from genact_cast.generator.dialects.rank_watchdog import Collective

DP_WITH_CP_ID = 1  # default 0, then DATA_PARALLEL_GROUP_WITH_CP
TP_ID = 5  # ... DATA_PARALLEL_GROUP 2, CONTEXT_PARALLEL_GROUP 3, MODEL_PARALLEL_GROUP 4
# With --num-distributed-optimizer-instances > 1, INTRA_PARTIAL_DATA_PARALLEL_GROUP_WITH_CP
# (parallel_state.py:782-807) comes right after DATA_PARALLEL_GROUP_WITH_CP: PG ID 2, and
# every later group's one higher.
INTRA_ID = 2


class Coords(NamedTuple):
    tensor: int
    data: int
    pipeline: int


def coords(rank: int, tp: int, dp: int) -> Coords:
    """A rank's place in the tp-cp-ep-dp-pp order (context and decoder expert sizes 1)."""
    return Coords(rank % tp, rank // tp % dp, rank // (tp * dp))


def _per_dp_cp(replicas: int) -> int:
    """The groups made for each dp-cp rank set: its own and its gloo twin, then with several
    optimizer instances each instance's intra-partial group and its gloo twin."""
    return 2 + (2 * replicas if replicas > 1 else 0)


def dp_with_cp_guid(rank: int, tp: int, dp: int, replicas: int = 1) -> int:
    """get_ranks('dp-cp') enumerates the groups by the unmasked tp and pp coordinates, tp
    fastest; each NCCL group is followed by its gloo twin (--enable-gloo-process-groups is on
    by default)."""
    where = coords(rank, tp, dp)
    return 1 + _per_dp_cp(replicas) * (where.tensor + tp * where.pipeline)


def intra_guid(rank: int, tp: int, dp: int, replicas: int) -> int:
    """The rank's optimizer instance's group: the dp-cp set's slice `data // shard`
    (parallel_state.py:784-789), made right after that set's own group and gloo twin."""
    shard = dp // replicas
    return dp_with_cp_guid(rank, tp, dp, replicas) + 2 + 2 * (coords(rank, tp, dp).data // shard)


def tp_guid(rank: int, tp: int, dp: int, pp: int, replicas: int = 1) -> int:
    """After the dp-cp and dp groups (tp·pp of each, with their gloo twins), one context group
    per rank and one model-parallel group per dp rank: the rank's tensor group by rank // tp."""
    world = tp * dp * pp
    return 1 + (_per_dp_cp(replicas) + 2) * tp * pp + world + dp + rank // tp


def stage_buckets(
    facts: Facts, stage: int, layers: int, padded_vocab: int, bucket_size: int | None
) -> list[int]:
    """The padded sizes of a stage's dense gradient buckets under the distributed optimizer,
    as get_model logs them (bucketing only on the first stage, distributed_data_parallel.py:186)."""
    params = ddp.stage_params(facts, padded_vocab, stage, layers)
    dense = [param for param in params if not param.expert]
    # With several optimizer instances a buffer is sharded, so padded, over one instance.
    shard = facts.dp // max(1, facts.replicas)
    found = ddp.buckets(dense, bucket_size if stage == 0 else None, shard, True)
    return [padded for _, padded in found]


def ready_buckets(
    facts: Facts, stage: int, layers: int, padded_vocab: int, bucket_size: int | None
) -> list[tuple[bool, int]]:
    """(of the expert buffer, local view) of every gradient bucket of a stage under the
    distributed optimizer, in the order the backward pass readies them: a bucket is ready
    once the backward, which meets the parameters in reverse, has reached all of its own.
    The local view is the bucket over its instance's size (the dense buffer's data-parallel
    group with CP, the expert buffer's expert data-parallel group, each within one
    optimizer instance: distributed_data_parallel.py:80-93, 370-385 at the tag)."""
    params = ddp.stage_params(facts, padded_vocab, stage, layers)
    size = bucket_size if stage == 0 else None
    replicas = max(1, facts.replicas)
    shards = (facts.dp // replicas, facts.dp // max(1, facts.ep) // replicas)
    when = {param.name: index for index, param in enumerate(reversed(params))}
    ready: list[tuple[int, bool, int]] = []
    for expert, shard in zip((False, True), shards, strict=True):
        own = [param for param in params if param.expert == expert]
        for members, padded in ddp.buckets(own, size, shard, True):
            ready.append((max(when[param.name] for param in members), expert, padded // shard))
    return [(expert, numel) for _, expert, numel in sorted(ready)]


def expert_first(
    facts: Facts, flags: list[tuple[str, str | None]], padded_vocab: int, shape: Shape
) -> bool | None:
    """Whether the first stage's first gradient bucket ready in the backward is the expert
    buffer's; None without an expert buffer under the distributed optimizer."""
    if not facts.experts or not shape.distributed_optimizer:
        return None
    bucket = ddp.ddp_bucket_size(parsed_args.parsed(flags, facts.gpus), facts.dp)
    layers = stage_layers(facts.layers, facts.pp)[0]
    return ready_buckets(facts, 0, layers, padded_vocab, bucket)[0][0]


def inter_views(
    facts: Facts, stage: int, layers: int, padded_vocab: int, bucket_size: int | None
) -> list[int]:
    """With several optimizer instances, the elements of each all-reduce across instances
    in one step (param_and_grad_buffer.py:407-435 at the tag: after a bucket's reduce-scatter
    within the instance, its local view), bucket by bucket as the backward readies them:
    the dense and the expert buffer reduce across instances on the same group
    (distributed_data_parallel.py:86-93, 315)."""
    return [numel for _, numel in ready_buckets(facts, stage, layers, padded_vocab, bucket_size)]


def fsdp2_layer(facts: Facts, padded_vocab: int, op: str) -> tuple[int, int]:
    """(NumelIn, NumelOut) of FSDP2's all-gather or reduce-scatter of one TransformerLayer,
    the unit Megatron's TorchFullyShardedDataParallel wraps (torch_fully_sharded_data_
    parallel.py:60-64, 134 at the tag) on the data-parallel group with CP: each parameter
    is split in dim 0 into one chunk a rank, padded to the first chunk's rows, and the
    unit's chunks go out as one flat buffer (a rank's in an all-gather, every rank's in a
    reduce-scatter)."""
    world = facts.dp // max(1, facts.replicas)  # an optimizer instance's ranks under HSDP
    shard = 0
    for param in ddp.stage_params(facts, padded_vocab, 0, 1):
        if ".decoder.layers.0." not in param.name:
            continue
        # dim 0: the output rows of a column-parallel weight (qkv, fc1), the hidden size of
        # a row-parallel one (proj, fc2), the length of a vector.
        if param.name.endswith(("linear_proj.weight", "linear_fc2.weight")):
            rows = facts.hidden
        elif param.name.endswith(("linear_qkv.weight", "linear_fc1.weight")):
            rows = param.numel // facts.hidden
        else:
            rows = param.numel
        shard += -(-rows // world) * (param.numel // rows)
    if op == "_REDUCE_SCATTER_BASE":
        return shard * world, shard
    return shard, shard * world


def p2p_schedule(stage: int, pp: int, micro: int) -> list[str]:
    """A training step's point-to-point exchanges on `stage` under 1F1B without interleaving
    (schedules.py:2132-2280 at the tag), each one _communicate call; p2p_communication.py
    skips the first stage's exchanges with a previous stage and the last stage's with a
    next one."""
    first, last = stage == 0, stage == pp - 1
    warmup = min(pp - stage - 1, micro)
    remaining = micro - warmup
    out: list[str] = []
    for _ in range(warmup):
        out += [*(["recv_forward"] if not first else []), *(["send_forward"] if not last else [])]
    if remaining > 0 and not first:
        out.append("recv_forward")
    for index in range(remaining):
        if not last:
            out.append("send_forward_recv_backward")
        if not first:
            out.append("send_backward" if index == remaining - 1 else "send_backward_recv_forward")
    for _ in range(warmup):
        out += [*(["recv_backward"] if not last else []), *(["send_backward"] if not first else [])]
    return out


def pipeline_wait(facts: Facts, rank: int, step: int) -> Collective:
    """A stage before the last while the last stage hangs in its cross entropy: every stage
    ahead of it waits in its step's last recv_backward for the gradient the last stage does
    not send. With batch_p2p_comm (arguments.py:1165, on where validate_args turns
    overlap_p2p_comm off without virtual stages, :548) each exchange is one
    batch_isend_irecv, a coalesced work of no elements on the pipeline group, whose works
    it counts: a real Megatron log shows `recv_backward -> _communicate -> req.wait()` as
    `WorkNCCL(SeqNum=65, OpType=COALESCED, NumelIn=0, NumelOut=0)` (tests/data/megatron/
    pipeline_p2p_hang.txt). `step` counts this process's iterations."""
    tp, dp, pp = facts.tp, facts.dp, facts.pp
    replicas = max(1, facts.replicas)
    where = coords(rank, tp, dp)
    calls = p2p_schedule(where.pipeline, pp, facts.grad_accum)
    waits = max(i for i, call in enumerate(calls, 1) if call.endswith("recv_backward"))
    seq = (step - 1) * len(calls) + waits
    # The pipeline groups alternate with their embedding groups (parallel_state.py:982-1028).
    desc = "PIPELINE_MODEL_PARALLEL_GROUP"
    own = ps.member(ps.layout_of(tp, dp, pp, facts.ep, replicas), desc, rank)
    return Collective(own.label(desc), where.pipeline, "COALESCED", seq, 0, 0)


def inter_wait(facts: Facts, rank: int, step: int, views: list[int]) -> Collective:
    """A rank of an optimizer instance the dead GPU is not in: its own instance's gathers
    and scatters complete on their own communicators, and it blocks in the step's first
    all-reduce across instances, which the dead GPU's instance never joins. That group is
    the expert data-parallel group's upper level, shared by dense and expert buckets
    (get_inter_distributed_optimizer_instance_group, parallel_state.py:1857-1866, built at
    :1172-1194); it counts only these all-reduces, `len(views)` a step."""
    layout = ps.layout_of(facts.tp, facts.dp, facts.pp, facts.ep, facts.replicas)
    desc = "HIERARCHICAL_EXPERT_DATA_PARALLEL_GROUP_L1"
    own = ps.member(layout, desc, rank)
    seq = (step - 1) * len(views) + 1
    return Collective(own.label(desc), own.rank, "ALLREDUCE", seq, views[0], views[0])


def collective(
    facts: Facts,
    *,
    rank: int,
    op: str,
    step: int,
    stage_layers: list[int],
    buckets: Callable[[int], list[int]] | None,
    fallback: tuple[int, int],
    start: int = 0,
    dead: int | None = None,
    inter: Callable[[int], list[int]] | None = None,
) -> Collective:
    """The collective `op` of iteration `step` on `rank`'s own group, in a process that
    started at iteration `start` (a relaunch resumes there: its groups count their works
    afresh). An ALLREDUCE (the
    generator draws one only where TP > 1, and sequence parallelism turns the layers' ones
    into gathers and scatters) is the vocab-parallel cross entropy's all-reduce of the max
    logits (cross_entropy.py:130, one fp32 a token of the micro batch) on the tensor group;
    a gather or scatter is the distributed optimizer's over a gradient bucket of the rank's
    stage (`buckets(stage)`: their padded sizes) on the data-parallel group with CP
    (`fallback`, one layer's shard, under FSDP2, where `buckets` is None), or with several
    optimizer instances on the rank's instance's group, which start_grad_sync and
    start_param_sync use (param_and_grad_buffer.py:238-252, 381-400). Under pipeline
    parallelism only the last stage runs the cross entropy: the other stages' ranks wait in
    the pipeline's point-to-point exchange (`pipeline_wait`). With several optimizer
    instances only the instance of the `dead` rank hangs there; the others' ranks wait in
    the all-reduce across instances (`inter_wait`, `inter(stage)`: its elements a step)."""
    tp, dp, pp = facts.tp, facts.dp, facts.pp
    replicas = max(1, facts.replicas) if buckets is not None else 1
    shard = dp // replicas
    where = coords(rank, tp, dp)
    layers = stage_layers[where.pipeline]
    if shard == 1 and tp > 1:
        op = "ALLREDUCE"  # a data-parallel group of one waits on no peer
    step -= start
    others = dead is not None and where.data // shard != coords(dead, tp, dp).data // shard
    if replicas > 1 and others and inter is not None:
        return inter_wait(facts, rank, step, inter(where.pipeline))
    if op == "ALLREDUCE" and where.pipeline < pp - 1:
        return pipeline_wait(facts, rank, step)
    if op == "ALLREDUCE":
        # Per micro batch, sequence parallelism gathers and scatters twice a layer forward
        # and backward, and the last stage's cross entropy all-reduces three times; once a
        # step the layer norms' gradients.
        per_micro = 8 * layers + 3
        per_step = facts.grad_accum * per_micro + 1
        seq = (step - 1) * per_step + (facts.grad_accum - 1) * per_micro + 8 * layers
        tokens = facts.micro_batch * facts.seq_len
        guid = tp_guid(rank, tp, dp, pp, replicas)
        group = label(TP_ID + (replicas > 1), guid, "TENSOR_MODEL_PARALLEL_GROUP")
        return Collective(group, where.tensor, op, seq, tokens, tokens)
    if buckets is None:
        # Megatron-FSDP's gathers and scatters run on its dp_cp_group: with several optimizer
        # instances (HSDP) the instance's partial group (mcore_fsdp_adapter.py:156-162 at
        # the tag), else the whole data-parallel group with CP (:164-166).
        if facts.replicas > 1:
            guid = intra_guid(rank, tp, dp, facts.replicas)
            group = label(INTRA_ID, guid, "INTRA_PARTIAL_DATA_PARALLEL_GROUP_WITH_CP")
            member = where.data % (dp // facts.replicas)
        else:
            guid = dp_with_cp_guid(rank, tp, dp)
            group = label(DP_WITH_CP_ID, guid, "DATA_PARALLEL_GROUP_WITH_CP")
            member = where.data
        per_step = 2 * layers + 2
        seq = (step - 1) * per_step + layers
        return Collective(group, member, op, seq, *fallback)
    found = buckets(where.pipeline)
    # Each step reduce-scatters every bucket in the backward pass and all-gathers every
    # bucket (overlap_param_gather) in the next forward pass, then all-reduces the loss on
    # the whole group with CP (not an instance's).
    per_step = 2 * len(found) + (replicas == 1)
    if replicas > 1:
        guid = intra_guid(rank, tp, dp, replicas)
        group = label(INTRA_ID, guid, "INTRA_PARTIAL_DATA_PARALLEL_GROUP_WITH_CP")
    else:
        guid = dp_with_cp_guid(rank, tp, dp)
        group = label(DP_WITH_CP_ID, guid, "DATA_PARALLEL_GROUP_WITH_CP")
    member = where.data % shard
    if op == "_REDUCE_SCATTER_BASE":
        padded = found[0]
        seq = (step - 1) * per_step + len(found)
        return Collective(group, member, op, seq, padded, padded // shard)
    padded = found[-1]
    seq = (step - 1) * per_step + 1
    return Collective(group, member, op, seq, padded // shard, padded)


# Collectives on the default group (torch.distributed's calls without a group) that every
# process of a core_v0.14.0 run makes, counted where the tag makes them. Start-up: the
# fused-kernel barriers (initialize.py:221 or :223, :229), the start-time all-reduce
# (training.py:601), print_datetime's barrier (:140) after initialisation, the model and the
# data loaders (:611, :658, :678) and before training (:1954), the set-up timers'
# start(barrier=True) (:652, :663) and their log (:695: a barrier and the timers' all-gather,
# timers.py:265, :287), the flags' broadcast (:2651), the interval timer's start (:1953), and
# build_generic_dataset's barrier (blended_megatron_dataset_builder.py:519) for the indexed
# dataset and each of the three splits.
STARTUP_WORKS = 2 + 1 + 4 + 2 + 2 + 1 + 1 + 4
# load-checkpoint's timer: start and stop with a barrier, its log (training.py:1124-1136),
# and load_checkpoint's own barrier (checkpointing.py:1720).
LOAD_WORKS = 4
# Every --log-interval: the interval timer's elapsed(barrier=True) and the timers' log
# (training.py:1509, :1590).
LOG_WORKS = 2
# Every evaluation: eval-time's and evaluate's start(barrier=True), evaluate's log and the
# interval timer's restart (training.py:2221, :2324, :2458, :2245).
EVAL_WORKS = 4
# Every save: save_checkpoint_and_time's timer start and stop with barriers and its log, save
# _checkpoint's two barriers (checkpointing.py:589, :684), the interval timer's restart
# (training.py:1660, :1684, :1685, :1699).
SAVE_WORKS = 6


def default_works(
    *, start: int, step: int, log_interval: int, eval_interval: int, save_interval: int, loads: bool
) -> int:
    """The default group's works of a process started at iteration `start` (loading a
    checkpoint if `loads`) whose iteration `step` hangs on another group: all of them
    completed. dist_checkpointing's own exchanges while it loads and saves are not counted."""

    def multiples(every: int) -> int:
        return (step - 1) // every - start // every if every > 0 else 0

    works = STARTUP_WORKS + (LOAD_WORKS if loads else 0)
    works += LOG_WORKS * multiples(log_interval) + EVAL_WORKS * multiples(eval_interval)
    return works + SAVE_WORKS * multiples(save_interval)
