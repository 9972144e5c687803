"""NCCL's start-up as a Megatron-LM job prints it with NCCL_DEBUG=INFO, and the torchrun agent
of each node that the lines name: every process's world communicator at the barrier after
the fused kernels, then the communicators of Megatron's process groups at their first
collective in iteration 1. Apart from the presenter because the groups' membership follows
parallel_state's rank order, which only this and the failure's watchdog lines need.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from genact_cast.generator.dialects import megatron_groups as groups
from genact_cast.generator.dialects.base import Incidentals
from genact_cast.generator.dialects.facts import Facts


def agent(
    facts: Facts, incidentals: Incidentals, attempt: int, node: int, fresh: tuple[int, ...] = ()
) -> Incidentals:
    """Node `node`'s torchrun and its workers in this launch: torchrun keeps its pid
    across a restart and starts new workers (later pids) on every node, not just node 0;
    a command run again (the launches in `fresh`) is a new torchrun. `incidentals` is
    node 0's."""
    if node == 0:
        return incidentals
    return _node_agent(facts, attempt, node, fresh)


# A node's agent is a function of (seed, attempt, node, fresh) alone: Incidentals reads only
# facts.seed and relaunched only the agent before it, and no caller changes one. A failure's
# lines ask for every node's agent many times a launch (seed 51003's Megatron record built
# 763 Incidentals for 318 agent calls), so each is built once, from the launch before it.
_AGENTS: dict[tuple[int, int, int, tuple[int, ...]], Incidentals] = {}
# The seed whose agents _AGENTS holds: a long process (the tests) records many seeds, and one
# run keeps all of its own (a 4,096-entry bound cleared DeepSpeed seed 146's mid-run, 256 nodes
# over 35 launches, and rebuilt each chain from launch 0: 237,114 Incidentals for 17,625 asks).
_AGENTS_SEED: list[int] = [-1]


def _node_agent(facts: Facts, attempt: int, node: int, fresh: tuple[int, ...]) -> Incidentals:
    # Launch n's agent reads only which launches up to n were fresh: keyed on those alone, the
    # callers' longer `fresh` tuples share one chain (seed 51004's Megatron run, 127 nodes over
    # 24 launches, keyed on whole tuples, passed the bound and cleared the cache mid-run,
    # building 49,241 Incidentals where 3,175 agents are asked for).
    fresh = tuple(launch for launch in fresh if launch <= attempt)
    if _AGENTS_SEED[0] != facts.seed:
        _AGENTS.clear()
        _AGENTS_SEED[0] = facts.seed
    key = (facts.seed, attempt, node, fresh)
    found = _AGENTS.get(key)
    if found is None:
        if attempt == 0:
            found = Incidentals(facts, 100_000 + node)
        else:
            before = _node_agent(facts, attempt - 1, node, fresh)
            found = before.relaunched(facts, attempt, same_agent=attempt not in fresh)
        _AGENTS[key] = found
    return found


def nccl_lines(
    facts: Facts, incidentals: Incidentals, attempt: int, fresh: tuple[int, ...] = ()
) -> list[str]:
    """NCCL_DEBUG=INFO: every process's start-up on every node, which srun brings to this
    terminal as they come (one write: a thousand lines on eight nodes)."""
    f = facts
    if not f.nccl_debug:
        return []
    from genact_cast.generator.dialects.nccl_startup import nccl_startup

    agents = [agent(f, incidentals, attempt, n, fresh) for n in range(f.nodes)]
    text = nccl_startup(
        f,
        incidentals,
        nodes=range(f.nodes),
        pid_of=lambda node, local: agents[node].worker_pids[local],
    )
    return ["\r\n".join(text)] if text else []


def group_comms(
    facts: Facts,
    incidentals: Incidentals,
    attempt: int,
    expert_first: bool | None = None,
    fresh: tuple[int, ...] = (),
) -> list[str]:
    """NCCL_DEBUG=INFO: Megatron's process groups (parallel_state at the tag, new_group
    with no device bound) each bring up their own communicator at their first
    collective in iteration 1, in the order the step reaches them: the tensor group's
    all-reduce in the embedding, the expert group's all-to-all in the first MoE layer,
    the pipeline's send at the end of the first stage's forward, then in the backward
    the gradient reduce-scatter of the first bucket ready (within each optimizer
    instance, then the all-reduce across instances) and the other buffer's first one:
    the dense buffer's on the data-parallel group with CP, the expert buffer's on the
    expert data-parallel group (parallel_state.py:1155-1165; within an instance its
    hierarchical level 0, :1172-1194). `expert_first`: whether the expert buffer's bucket
    is ready first (None: no distributed optimizer's expert buffer). Ranks in Megatron's
    tp-cp-ep-dp-pp order; every member prints its own (init.cc:1441), on every node, as
    srun brings them."""
    f = facts
    if not f.nccl_debug:
        return []
    from genact_cast.generator.dialects.nccl_groups import sub_communicators

    tp, dp, pp, ep = f.tp, f.dp, f.pp, max(1, f.ep)
    shard = max(1, dp // max(1, f.replicas))
    expert_shard = max(1, dp // ep // max(1, f.replicas))

    def tensor(rank: int) -> list[int]:
        return [rank - rank % tp + i for i in range(tp)]

    def expert(rank: int) -> list[int]:
        base = rank - (rank // tp) % ep * tp
        return [base + tp * i for i in range(ep)]

    def pipeline(rank: int) -> list[int]:
        return [rank % (tp * dp) + tp * dp * i for i in range(pp)]

    def data(rank: int) -> list[int]:
        where = groups.coords(rank, tp, dp)
        first = where.data - where.data % shard
        return [
            where.tensor + tp * j + tp * dp * where.pipeline for j in range(first, first + shard)
        ]

    def instances(rank: int) -> list[int]:
        where = groups.coords(rank, tp, dp)
        return [
            where.tensor + tp * (where.data % shard + shard * j) + tp * dp * where.pipeline
            for j in range(dp // shard)
        ]

    def expert_data(rank: int) -> list[int]:
        # Expert ranks in the same order: tp, ep, expert dp, pp; an instance is a run of
        # expert_shard consecutive expert-dp ranks.
        step = tp * ep
        where = rank % step + step * (dp // ep) * (rank // (tp * dp))
        index = rank // step % (dp // ep)
        first = index - index % expert_shard
        return [where + step * j for j in range(first, first + expert_shard)]

    wanted: list[Callable[[int], Sequence[int]]] = []
    if tp > 1:
        wanted.append(tensor)
    if f.experts and ep > 1:
        wanted.append(expert)
    if pp > 1:
        wanted.append(pipeline)
    backward: list[Callable[[int], Sequence[int]]] = []
    if shard > 1:
        backward.append(data)
    if dp // shard > 1:
        backward.append(instances)
    if f.experts and expert_first is not None and expert_shard > 1:
        backward.insert(0 if expert_first else len(backward), expert_data)
    wanted += backward
    agents = [agent(f, incidentals, attempt, node, fresh) for node in range(f.nodes)]
    return sub_communicators(
        f,
        incidentals,
        wanted,
        pid_of=lambda local: agents[0].worker_pids[local],
        launch=attempt,
        nodes=range(f.nodes),
        node_pid=lambda node, local: agents[node].worker_pids[local],
        # the token dispatcher's all-to-all on the expert group (send/recv connectors; no
        # collective of the group connects its rings)
        all_to_all=[group is expert for group in wanted],
        # the schedule's first send or receive on the pipeline group (p2p_communication),
        # which no collective of the group follows
        pipeline=[group is pipeline for group in wanted],
    )
