"""How a hardware fault ends a launch in the genact log: the CUDA error, the node's Xid, the
agent's SIGTERM or the NCCL watchdog's timeout (with the caught collective's numels), and
the restarts that fail again at CUDA initialisation."""

from __future__ import annotations

from genact_cast.generator import lora, moe, physics
from genact_cast.generator.catalog import Architecture
from genact_cast.generator.dialects import parameters
from genact_cast.generator.events import (
    Failed,
)
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.plan_failures import STUCK_KILL_SECONDS
from genact_cast.generator.presenters.genact.show import Show

RESTARTS = 3  # torchrun --max-restarts
DEATH_EXITCODE = -6  # SIGABRT: the watchdog thread's rethrown CUDA error (log_failure)


def log_failure(show: Show, event: Failed) -> None:
    """How the fault ends the launch (Failed.ends, Failed.watchdog): a process that dies
    exits at once with its CUDA error, and its node's torchrun agent, polling every 0.1 s,
    stops the node's other workers (the other nodes' agents restart theirs at the next
    rendezvous round); one stuck after its error, a GPU that hangs, or a lost host leaves
    its peers blocked in the collective until their NCCL watchdog gives up. The
    node's monitoring names the Xid (the driver logs it in the kernel log, not in the job's
    output)."""
    con, s, plan = show.con, show.style, show.plan
    con.at(event.t_fault)
    if event.same_node and event.errors:
        con.log(
            f"[ERROR] [rank{event.rank}] RuntimeError: CUDA error: {event.cuda_error} "
            f"(step {event.step:,}, {event.host} GPU {event.local_rank})",
            s.error,
        )
    if event.same_node:
        con.log(
            f"[WARN] dcgm on {event.host}: GPU {event.local_rank} reported Xid {event.xid} "
            f"({event.xid_text})",
            s.warning,
        )
        if event.ends == "stuck":
            # The process aborts on its error but cannot exit before the GPU's reset (the
            # real Xid 48 log, plan_failures.ENDS): its agent sees it running, and its
            # peers wait in the collective.
            con.log(
                f"[WARN] [rank{event.rank}] aborting, but the process cannot exit until "
                f"{event.host} GPU {event.local_rank} is reset; its peers wait in the collective",
                s.warning,
            )
    else:  # the host is lost: no GPU error, its ranks just stop
        first = event.rank - event.local_rank
        con.log(
            f"[ERROR] [elastic] lost {event.host} (step {event.step:,}): ranks {first}-"
            f"{first + physics.GPUS_PER_NODE - 1} stopped answering",
            s.error,
        )
    con.at(event.t)
    if not event.watchdog:
        # The CUDA error reaches the process in c10d's watchdog thread, which rethrows it:
        # std::terminate, abort(), SIGABRT, so the agent records exit code -6, as every
        # dialect of the same death prints it (dialects.agent_failures; dlrover's record of
        # an Xid 74 worker, plan_failures.ENDS). xid74's finding: seed 19 --failures 2 said
        # 1 here and -6 in the dialects.
        con.log(
            f"[WARN] [elastic] {event.host}: local rank {event.local_rank} failed "
            f"(exitcode: {DEATH_EXITCODE}); "
            f"sending SIGTERM to the node's other {physics.GPUS_PER_NODE - 1} workers",
            s.warning,
        )
        if plan.nodes > 1:
            others = f"other {plan.nodes - 1} nodes' agents stop their"
            if plan.nodes == 2:
                others = "other node's agent stops its"
            con.log(
                f"[WARN] [elastic] the {others} workers for the next rendezvous round",
                s.warning,
            )
    else:
        op, seq = sequence_parallel_work(event.op, event.seq)
        numel_in, numel_out = collective_numels(plan, op, tp_group=event.op != op)
        con.log(
            f"[ERROR] [rank{event.peer}] Watchdog caught collective operation timeout: "
            f"WorkNCCL(SeqNum={seq}, OpType={op}, NumelIn={numel_in}, "
            f"NumelOut={numel_out}, Timeout(ms)={event.timeout_ms}) ran for {event.ran_ms} "
            f"milliseconds before timing out",
            s.error,
        )
        con.log(
            f"[ERROR] [rank{event.peer}] To avoid data inconsistency, we are taking the entire "
            f"process down.",
            s.error,
        )
        if event.ends == "stuck":
            # Its agent's SIGTERM goes unanswered too: SIGKILL 30 s later, and only then the
            # next rendezvous round (torch 2.9.0 multiprocessing/api.py:908-928).
            con.at(event.t + 1.5 + STUCK_KILL_SECONDS)
            con.log(
                f"[WARN] [elastic] {event.host}: local rank {event.local_rank} did not exit "
                f"{STUCK_KILL_SECONDS:.0f} s after SIGTERM; sent SIGKILL",
                s.warning,
            )
    # The broken GPU fails each restart's worker at CUDA initialisation (run_timeline).
    for retry, at in enumerate(event.retried):
        con.at(at)
        con.log(
            f"[ERROR] [elastic] {event.host}'s agent: restart "
            f"{RESTARTS - event.retries + retry + 1} of {RESTARTS}: "
            f"rank {event.rank} failed again at CUDA initialisation: {event.cuda_error} "
            f"({event.host} GPU {event.local_rank} needs a reset)",
            s.error,
        )


def sequence_parallel_work(op: str, seq: int) -> tuple[str, int]:
    """The OpType and SeqNum the watchdog prints for the run's collective `op`, `seq`-th on
    its group. The plan's activations assume sequence parallelism wherever TP > 1: each
    all-reduce of tensor parallelism (the timeline's ALLREDUCE, counted as Shoeybi et al.
    2019 count them, collective_counts.tp_per_step) is a reduce-scatter and an all-gather
    (Korthikanti et al. 2022, arXiv 2205.05198, §4.2.2: g is a reduce-scatter, g-bar an
    all-gather), so the group counts two works for each: the `seq`-th all-reduce's pair is
    works 2 seq - 1 (the gather) and 2 seq (the scatter), the one caught by `seq`'s parity.
    FSDP's gathers and scatters are printed as they are."""
    if op != "ALLREDUCE":
        return op, seq
    if seq % 2:
        return "_ALLGATHER_BASE", 2 * seq - 1
    return "_REDUCE_SCATTER_BASE", 2 * seq


def collective_numels(plan: RunPlan, op: str, *, tp_group: bool = False) -> tuple[int, int]:
    """Elements in and out of the collective the watchdog caught: one block's parameters of
    this TP/PP shard, gathered or scattered over the shard group, or on the TP group
    (`tp_group`) a micro batch's activations (micro batch x sequence x hidden), gathered
    from or scattered to a TP-th of the sequence each. Of a mixture of experts, only this
    rank's EP share of the routed experts (each lives on one EP rank), as the step line's
    AllGather time carries."""
    a, layout = plan.arch, plan.layout
    if tp_group:
        activations = plan.micro_batch * plan.seq_len * a.hidden
        part = activations // layout.tp
        if op == "_ALLGATHER_BASE":
            return part, activations
        return activations, part
    group = layout.shard_group
    if plan.lora is not None and op == "_REDUCE_SCATTER_BASE":
        # Only the adapters have gradients (the frozen weights' requires_grad is False), and
        # FSDP2 reduce-scatters a block's parameters that have one: each padded on dim 0 to
        # a multiple of the group (_chunk_with_empty), their sum in, a group-th out (torch
        # 2.9.0 fsdp/_fully_shard/_fsdp_collectives.py:503-507, foreach_reduce). What the
        # step line's ReduceScatter moves (traffic.traffic); review-realism12 W1 found the
        # frozen block's numel here.
        padded = 0
        for rows, columns in lora.block_shapes(a, plan.lora.rank):
            local = -(-rows // layout.tp)  # this TP rank's rows
            padded += -(-local // group) * group * columns
        return padded, padded // group
    block = _layer_params(a, layout.ep) // layout.tp
    if plan.lora is not None and plan.lora.method == "qlora" and layout.tp == 1:
        # QLoRA's frozen Linears are NF4 packed in bf16 storage (FSDP-QLoRA's
        # bnb_4bit_quant_storage): bitsandbytes' quantize_4bit allocates (n + 1) // 4 bf16
        # elements for n weights; norms stay whole (the HF dialect's fsdp_numels, and the
        # frozen bytes traffic.traffic gathers).
        linears = [into * out for into, out in lora.block_linears(a)]
        block += sum((n + 1) // 4 for n in linears) - sum(linears)
    shard = -(-block // group)  # padded to a multiple of the group, as FSDP's flat parameter
    if op == "_ALLGATHER_BASE":
        return shard, shard * group
    if op == "_REDUCE_SCATTER_BASE":
        return shard * group, shard
    activations = plan.micro_batch * plan.seq_len * a.hidden
    return activations, activations


def _layer_params(a: Architecture, ep: int) -> int:
    """One decoder layer's parameters: of a dense model with its released config.json,
    exactly (its q/k/v/o, norms and gated MLP: parameters.hf_state_dict); else the card's
    size less the embedding, and the output layer unless the config ties it
    (tie_word_embeddings; review-realism7 FAIL 9: Llama-3.2-3B's tied output was taken off
    its rounded 3.21 B, 86,499,712 against the released layer's 100,669,440)."""
    shape = parameters.of_architecture(a)
    embeddings = a.vocab * a.hidden * (1 if shape.tied else 2)
    if a.ffn and not a.experts:
        exact = parameters.hf_state_dict(shape)
        return (exact - embeddings - a.hidden) // a.layers  # the final norm
    return int(moe.sharded_params(a, ep) - embeddings) // a.layers
