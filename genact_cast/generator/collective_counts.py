"""How many collectives one process issues on one process group: the number the NCCL
watchdog prints as `WorkNCCL(SeqNum=...)`.

torch's ProcessGroupNCCL keeps `seqCollective_` per process-group instance, starting at 0
when the process creates the group and incremented once per collective it enqueues
(torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp at v2.9.0: `seqCollective_++` in
`collective()`/`collectiveCoalesced()`, printed as `SeqNum=` by `WorkNCCL::logPrefix` and
the watchdog). A relaunch by torchrun is a new process with new groups, so its count starts
again at 0; and each group counts only its own works, so the count a step is what the
parallel plan issues on that group: layers of the rank's pipeline stage x collectives a
layer x micro batches, by the kind of group."""

from __future__ import annotations

# The group a timed-out collective ran on, by the OpType the watchdog prints: tensor
# parallelism all-reduces activations; FSDP / ZeRO-3 gathers parameters and scatters
# gradients on the (shard) data-parallel group.
TP_OPS = frozenset({"ALLREDUCE"})


def tp_per_step(*, layers: int, micro_batches: int, full_recompute: bool, first_stage: bool) -> int:
    """All-reduces a step on a tensor-parallel group (Megatron-style TP without sequence
    parallelism, Shoeybi et al. 2019 §3 fig. 3: the f/g operators): per layer two in
    forward (attention's and the MLP's row-parallel outputs) and two in backward (the
    column-parallel inputs' gradients), two more where full recompute runs the forward
    again; the first stage's vocab-parallel embedding all-reduces its output once a micro
    batch."""
    per_layer = 4 + (2 if full_recompute else 0)
    per_micro = per_layer * layers + (1 if first_stage else 0)
    return micro_batches * per_micro


def fsdp_per_step(*, layers: int, micro_batches: int, pp: int) -> int:
    """Gathers and scatters a step on a rank's FSDP (shard) group. The wrapped units are
    the stage's blocks plus the embedding and the final norm/output (torchtitan v0.2.0
    models/llama3/infra/parallelize.py:298-318; transformers/accelerate and DeepSpeed
    ZeRO-3 gather per module alike). Without pipeline parallelism each micro batch
    all-gathers every unit in forward, again all but the last in backward (the root
    keeps it), and reduce-scatters every unit's gradients (torchtitan train.py:415-492,
    one forward_backward_step per micro batch); with it the stage keeps its weights
    gathered between micro batches (`reshard_after_forward = not pp_enabled`) and syncs
    gradients at the last backward only (torch.distributed.pipelining's schedules), so
    once a step each. Then clip_grad_norm_'s all-reduce of the norm."""
    units = layers + 2
    if pp > 1:
        return 2 * units + 1
    return micro_batches * (units + (units - 1) + units) + 1


def per_step(op: str, *, layers: int, micro_batches: int, pp: int, full_recompute: bool) -> int:
    """Collectives a step on the group that runs `op`, for a rank of the first stage
    (rank 0's, whose log the presenters show)."""
    if op in TP_OPS:
        return tp_per_step(
            layers=layers,
            micro_batches=micro_batches,
            full_recompute=full_recompute,
            first_stage=True,
        )
    return fsdp_per_step(layers=layers, micro_batches=micro_batches, pp=pp)


def seq_num(
    op: str,
    *,
    step: int,
    resumed_at: int,
    layers: int,
    micro_batches: int,
    pp: int,
    full_recompute: bool,
    within: float,
) -> int:
    """The SeqNum of the work in flight at `step` on `op`'s group, in a process launched to
    resume after step `resumed_at` (0: the first launch): the steps this process completed
    times the group's collectives a step, plus the works of the step in flight before the
    hang (`within`, a fraction in [0, 1))."""
    count = per_step(
        op, layers=layers, micro_batches=micro_batches, pp=pp, full_recompute=full_recompute
    )
    done = max(step - 1 - resumed_at, 0)
    return done * count + 1 + min(int(within * count), count - 1)
