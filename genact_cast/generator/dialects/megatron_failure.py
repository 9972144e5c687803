"""A Megatron-LM job's end when a collective hangs: every rank's NCCL watchdog times out after
Megatron's process-group timeout, torch dumps and takes the process down, and each node's
torchrun stops the rest of its workers and reports the failure. Apart from the presenter
because each rank's block names the group and the collective it was in, which follows
Megatron's groups and DDP buckets (megatron_groups.py, megatron_ddp.py).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta

from genact_cast.generator.dialects import megatron_ddp as ddp
from genact_cast.generator.dialects import megatron_groups as groups
from genact_cast.generator.dialects import megatron_parsed_args as parsed_args
from genact_cast.generator.dialects import srun, torch_dump, torchrun
from genact_cast.generator.dialects.base import Incidentals, Line, Out, torch_site
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_comms import agent
from genact_cast.generator.dialects.megatron_node_failures import (
    broken_gpu_lines,
    died_lines,
    lost_node_lines,
    typed_launch,
)
from genact_cast.generator.dialects.megatron_shards import stage_layers
from genact_cast.generator.dialects.megatron_tee import Tee
from genact_cast.generator.dialects.rank_watchdog import (
    Collective,
    collective_numels,
    faulty_rank_lines,
    watchdog_lines,
)
from genact_cast.generator.events import Failed
from genact_cast.generator.plan_failures import STUCK_KILL_SECONDS
from genact_cast.generator.rng import Rng

TIMEOUT_MINUTES = 10  # --distributed-timeout-minutes' default at core_v0.14.0


def failure_lines(
    facts: Facts,
    event: Failed,
    *,
    flags: list[tuple[str, str | None]],
    padded_vocab: int,
    fsdp: bool,
    distributed: bool,
    interval: int,
    resume_step: int,
    base: str | None,
    incidentals: Incidentals,
    attempt: int,
    tee: Tee,
    fresh: tuple[int, ...] = (),
    startup: Sequence[str] = (),
) -> tuple[Facts, list[Out]]:
    """Every rank was in the hung collective: each one's watchdog times out after
    Megatron's own process-group timeout (--distributed-timeout-minutes, 10 at the tag)
    and aborts its process, a few ms apart; then every node's torchrun stops the rest of
    its workers and reports the failure, and, with restarts left, starts them again (its
    INFO lines unseen without LOGLEVEL). With none left (`event.exits`) every torchrun
    raises ChildFailedError and exits, and srun reports each task's exit status: the job
    ends here. srun prints all nodes' output as it comes; of the workers', what `tee`
    lets through to the console (past 8 nodes local ranks 0 and 7 of each, megatron_tee).
    A fault that takes its node down ends the srun step instead (`lost_node_lines`).
    Returns the facts with the log's clock a minute later (torch's dump wait), which the
    presenter keeps for the rest of the run, and the lines."""
    f = facts
    if event.exits and not event.same_node and f.nodes > 1:
        return f, [Line("\r\n".join(lost_node_lines(f, event, incidentals, attempt, fresh)))]
    # The faulty GPU's process prints its CUDA error at the fault (it dies, or is stuck
    # after it); srun passes it on with every task's stderr.
    faulty = (
        tee.records(faulty_rank_lines(f, event, event.rank))
        if event.errors and tee.shown(event.rank)
        else []
    )
    if not event.watchdog:
        died = died_lines(f, event, incidentals, attempt, fresh)
        if event.retried:
            # It died on a GPU that needs a reset (an NVLink fault, plan_failures.ENDS): its
            # agent restarts the group, and each round's worker on that GPU fails again.
            died += broken_gpu_lines(f, event, incidentals, attempt, fresh, startup, tee)
        return f, [Line("\r\n".join(faulty + died))]
    layers = stage_layers(f.layers, f.pp)
    bucket = ddp.ddp_bucket_size(parsed_args.parsed(flags, f.gpus), f.dp)
    fallback = (
        groups.fsdp2_layer(f, padded_vocab, event.op)
        if fsdp and event.op != "ALLREDUCE"
        else collective_numels(f, event.op)
    )

    @functools.cache
    def buckets(stage: int) -> list[int]:
        return groups.stage_buckets(f, stage, layers[stage], padded_vocab, bucket)

    @functools.cache
    def inter(stage: int) -> list[int]:
        return groups.inter_views(f, stage, layers[stage], padded_vocab, bucket)

    def own(rank: int) -> Collective:
        # Each rank's watchdog names the group the collective ran on, not the default.
        return groups.collective(
            f,
            rank=rank,
            op=event.op,
            step=event.step,
            stage_layers=layers,
            buckets=buckets if distributed else None,
            fallback=fallback,
            start=resume_step,
            dead=event.rank,
            inter=inter if distributed else None,
        )

    timeout = TIMEOUT_MINUTES * 60 * 1000
    # torch 2.9 dumps on the timeout (torch_dump): each watchdog waits a minute for it
    # before it takes its process down, and the log runs that minute behind the run's.
    year = f.moment(event.t).year
    f = f._replace(start=f.start + timedelta(seconds=torch_dump.DUMP_WAIT_SECONDS))
    # Every rank's block, as srun passes on every task's stderr: a real log of N ranks
    # has N of them (some forty lines each under torch 2.9), not the first few nodes'.
    # Every rank's watchdog but the faulty one's, which ended with its error; past 8 nodes
    # those of the teed ranks alone (the others' go to their files, and are not built).
    ranks = [rank for rank in tee.ranks() if not (event.errors and rank == event.rank)]
    found = watchdog_lines(f, event, ranks, timeout, collective=own)
    works = groups.default_works(
        start=resume_step,
        step=event.step,
        log_interval=interval,
        eval_interval=f.eval_every,
        save_interval=f.checkpoint_every,
        loads=resume_step > 0 or base is not None,
    )
    early, lines = torch_dump.ranks_with_dump(found, year, Rng(f.seed * 59 + event.seq), works)
    early, lines = tee.records(early), tee.records(lines)
    source = torchrun.torch_source(f.torch)
    site = torch_site(f.torch, "dist-packages")
    draw = Rng(f.seed * 613 + event.seq)
    # Each node's records as (time, node, lines): srun relays every task's output as it
    # arrives, so the nodes' records interleave by time (review-mg8: grouped by node, the
    # stamps went backwards from one node's `failed` to the next node's SIGTERM).
    chunks: list[tuple[float, int, list[str]]] = []
    agents: list[tuple[float, int]] = []
    for node in range(f.nodes):
        node_agent = agent(f, incidentals, attempt, node, fresh)
        later = stopped = event.t + 1.5 + draw.uniform(0.0, 0.2)
        # The first of the node's workers to abort on its watchdog: local rank 0, unless
        # that is the faulty GPU's process, stuck after its error.
        aborted = 1 if event.errors and event.rank == node * 8 else 0
        closing = [
            torchrun.closing_signal(f.moment(later), node_agent.agent_pid, source, pid, site=site)
            for local, pid in enumerate(node_agent.worker_pids)
            if local != aborted
        ]
        block: list[str] = []
        if event.ends == "stuck" and node == event.rank // 8:
            # The faulty GPU's process, stuck since its error, does not end on the SIGTERM
            # either: the agent kills it 30 s later and only then reports the failure (the
            # real Xid 48 log, plan_failures.ENDS; multiprocessing/api.py:927 at torch 2.9.0).
            pid = node_agent.worker_pids[event.local_rank]
            later += STUCK_KILL_SECONDS
            block.append(
                torchrun.unable_to_shutdown(
                    f.moment(later), node_agent.agent_pid, source, pid, signum=15, site=site
                )
            )
        block += [
            torchrun.worker_failed(
                f.moment(later + 0.6),
                node_agent.agent_pid,
                source,
                exitcode=-6,
                local_rank=aborted,
                pid=node_agent.worker_pids[aborted],
                binary="/usr/bin/python",
                site=site,
            )
        ]
        if event.exits and not event.retried and node not in event.gives_up:
            # Restarts left, but another node's torchrun gave up and closed the rendezvous
            # its restart now meets (torchrun_tracebacks.rendezvous_closed).
            block += torchrun.rendezvous_closed(packages="dist-packages")
        elif event.exits and not event.retried:
            # The agent has no restart left: it stops the group and returns FAILED, and
            # torchrun raises ChildFailedError (elastic/agent/server/api.py:898-913,
            # launcher/api.py:293 in torch 2.9.0), naming its node's failed worker.
            block += torchrun.child_failed(
                script="pretrain_gpt.py",
                host=f.hosts[node],
                moment=f.moment(later + 0.6),
                rank=node * 8 + aborted,
                local_rank=aborted,
                pid=node_agent.worker_pids[aborted],
                signum=6,
                packages="dist-packages",
            )
        chunks += [(stopped, node, closing), (later + 0.6, node, block)]
        agents.append((later, node))
    chunks.sort(key=lambda item: (item[0], item[1]))
    agents.sort()
    lines += [text for _, _, chunk in chunks for text in chunk]
    first_lines = [Line("\r\n".join(faulty))] if faulty else []
    if event.retried:
        # (the timeline's restarts come after the dump's minute: on the run's clock)
        lines += broken_gpu_lines(facts, event, incidentals, attempt, fresh, startup, tee)
        return f, [*first_lines, Line("\r\n".join(early)), Line("\r\n".join(lines))]
    if event.exits and f.nodes > 1:
        # srun's own line as each task (one torchrun a node, task = node) exits with the
        # uncaught exception's status 1; the first bad exit ends the step
        # (--kill-on-bad-exit=1), as every other task is ending too.
        job = srun.job_id(f.seed, typed_launch(attempt, fresh))
        first = f.moment(agents[0][0] + 0.7)
        tasks = [(f.hosts[node], node) for _, node in agents]
        lines += srun.bad_exits(tasks, job=job, first=f.hosts[0], moment=first)
    # One write each (thousands of lines on a large run): the timeout, a minute later
    # the take-down.
    return f, [*first_lines, Line("\r\n".join(early)), Line("\r\n".join(lines))]
