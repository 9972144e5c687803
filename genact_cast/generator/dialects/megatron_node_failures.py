"""A Megatron-LM job's nodes when a worker dies, a node is lost, or a GPU needs a reset:
what each node's torchrun and Slurm print (the watchdog's path, where a collective hangs,
is megatron_failure.py's)."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.dialects import srun, torchrun
from genact_cast.generator.dialects.base import Incidentals, torch_site
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_comms import agent
from genact_cast.generator.dialects.megatron_cuda_init import set_device_failed
from genact_cast.generator.dialects.megatron_tee import Tee
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng


def died_lines(
    facts: Facts, event: Failed, incidentals: Incidentals, attempt: int, fresh: tuple[int, ...]
) -> list[str]:
    """Every node's torchrun after a worker died (`event.watchdog` false): the faulty node's
    agent sees the exit at its next poll (--monitor-interval, 0.1 s) and stops its other
    workers, then logs the failed one (torch 2.9.0 elastic/multiprocessing/api.py:855-908);
    every other agent sees it waiting at the rendezvous (num_nodes_waiting,
    agent/server/api.py:915-928) a second or two later and stops all its workers. srun
    relays the nodes' lines as they come. On one node a torchrun past its restarts then
    exits with ChildFailedError naming the worker; one with restarts left on a GPU that needs
    a reset (`event.retried`) restarts its group, whose rounds are `broken_gpu_lines`'."""
    f = facts
    node = event.rank // 8
    source = torchrun.torch_source(f.torch)
    site = torch_site(f.torch, "dist-packages")
    draw = Rng(f.seed * 619 + event.seq)
    exited = event.t + draw.uniform(0.3, 1.5)
    # Its agent has no restart left: it raises ChildFailedError and exits, and srun
    # (--kill-on-bad-exit=1) ends the step; no other agent sees it back at the rendezvous,
    # and each takes Slurm's SIGTERM in its monitor loop.
    gives_up = event.exits and not event.retried
    ends = gives_up and f.nodes > 1
    chunks: list[tuple[float, int, list[str]]] = []
    for each in range(f.nodes):
        workers = agent(f, incidentals, attempt, each, fresh)
        if each != node:
            seen = event.t + draw.uniform(0.5, 2.5)
            closing = [
                torchrun.closing_signal(f.moment(seen), workers.agent_pid, source, pid, site=site)
                for pid in workers.worker_pids
            ]
            if not ends:
                chunks.append((seen, each, closing))
            continue
        block = stopped(f, workers, event.local_rank, event.t, exited, exitcode=-6)
        if gives_up:
            block += torchrun.child_failed(
                script="pretrain_gpt.py",
                host=f.hosts[node],
                moment=f.moment(exited),
                rank=event.rank,
                local_rank=event.local_rank,
                pid=workers.worker_pids[event.local_rank],
                signum=6,
                packages="dist-packages",
            )
        # Its SIGTERMs at the poll, its `failed` line once they have ended: srun relays
        # another agent's SIGTERMs of the time between (their stamps went backwards).
        stopping = len(workers.worker_pids) - 1
        chunks += [(event.t, each, block[:stopping]), (exited, each, block[stopping:])]
    chunks.sort(key=lambda item: (item[0], item[1]))
    lines = [text for _, _, chunk in chunks for text in chunk]
    if ends:
        ended = exited + 0.1
        job = srun.job_id(f.seed, typed_launch(attempt, fresh))
        lines += [
            srun.task_exit(event.host, node),
            srun.terminating(job=job, step=0),
            srun.task_failure(job=job, step=0, first=f.hosts[0], moment=f.moment(ended)),
        ]
        survivors = [
            (each, agent(f, incidentals, attempt, each, fresh))
            for each in range(f.nodes)
            if each != node
        ]
        lines += terminated_agents(f, survivors, ended + 0.05, draw)
    return lines


def stopped(
    facts: Facts, workers: Incidentals, local_rank: int, t: float, ended: float, *, exitcode: int
) -> list[str]:
    """The faulty node's agent stopping its workers at `t` (a closing signal for each live
    one) and logging the failed worker, ended at `ended` with `exitcode`
    (torchrun.stopped_workers): NGC's /usr/bin/python, torch under dist-packages (DeepSpeed's
    srun launch's agents too, deepspeed_srun)."""
    return torchrun.stopped_workers(
        facts.moment(t),
        workers.agent_pid,
        torchrun.torch_source(facts.torch),
        workers.worker_pids,
        failed=local_rank,
        binary="/usr/bin/python",
        site=torch_site(facts.torch, "dist-packages"),
        failed_at=facts.moment(ended),
        exitcode=exitcode,
    )


def typed_launch(attempt: int, fresh: tuple[int, ...]) -> int:
    """Which typed command (0 the first) this attempt runs under."""
    return sum(1 for again in fresh if again <= attempt)


def lost_node_lines(
    facts: Facts,
    event: Failed,
    incidentals: Incidentals,
    attempt: int,
    fresh: tuple[int, ...],
) -> list[str]:
    """The node went down (`Failed.same_node` false): its ranks print nothing more, the
    others wait in the collective, and Slurm, which finds the node unresponsive after its
    SlurmdTimeout (300 s by default), before Megatron's ten-minute process-group timeout,
    ends the step: srun's and node 0's slurmstepd's lines (srun.node_failure). slurmd's
    REQUEST_TERMINATE_JOB then sends every process of the step SIGCONT and SIGTERM
    (slurmd/slurmd/req.c:5414-5442 at slurm-25-05-8-1), so each surviving torchrun shuts
    its workers down and ends with SignalException, within the step's 32 s
    (`terminated_agents`). The job is run again on a spare."""
    f = facts
    noticed = srun.noticed(f.seed, event.t_fault)
    lines = srun.node_failure(
        lost=event.host,
        first=f.hosts[0],
        job=srun.job_id(f.seed, typed_launch(attempt, fresh)),
        step=0,
        moment=f.moment(noticed),
    )
    lost = event.rank // 8
    survivors = [
        (node, agent(f, incidentals, attempt, node, fresh))
        for node in range(f.nodes)
        if node != lost
    ]
    return lines + terminated_agents(f, survivors, noticed + 0.1, Rng(f.seed * 619 + event.seq))


def agent_shutting_down(
    facts: Facts, node: int, workers: Incidentals, seen: float, *, signum: int
) -> tuple[float, int, list[str]]:
    """One node's torchrun as signal `signum` reaches it at `seen`: its agent's warning and
    its workers closed (torchrun.shut_down), as srun relays them, keyed to sort by time."""
    site = torch_site(facts.torch, "dist-packages")
    source = torchrun.torch_source(facts.torch)
    lines = torchrun.shut_down(
        facts.moment(seen), workers.agent_pid, source, workers.worker_pids, signum=signum, site=site
    )
    return (seen, node, lines)


def terminated_agents(
    facts: Facts, agents: Sequence[tuple[int, Incidentals]], t: float, draw: Rng
) -> list[str]:
    """Every listed node's torchrun (node, its agent and workers) as Slurm's SIGTERM reaches
    the step's processes at `t`: torch 2.9's agent warns `Received 15 death signal, shutting
    down workers` (agent/server/api.py:725) and closes its eight workers with SIGTERM
    (multiprocessing/api.py:908); they end on the signal, and the agent's SignalException
    ends torchrun with status 1 (torchrun.signal_exception), which srun reports for its task
    (src/srun/launch.c:432). srun relays every node's lines as they come."""
    f = facts
    chunks: list[tuple[float, int, list[str]]] = []
    for node, workers in agents:
        seen = t + draw.uniform(0.0, 0.05)
        chunks.append(agent_shutting_down(f, node, workers, seen, signum=15))
        # The workers' CUDA contexts torn down, the agent's exception reaches the top.
        ended = seen + draw.uniform(0.8, 2.5)
        traceback = torchrun.signal_exception(
            agent=workers.agent_pid, signum=15, packages="dist-packages"
        )
        chunks.append((ended, node, traceback))
        chunks.append((ended + 0.05, node, [srun.task_exit(f.hosts[node], node)]))
    chunks.sort(key=lambda item: (item[0], item[1]))
    return [text for _, _, chunk in chunks for text in chunk]


def broken_gpu_lines(
    facts: Facts,
    event: Failed,
    incidentals: Incidentals,
    attempt: int,
    fresh: tuple[int, ...],
    startup: Sequence[str],
    tee: Tee,
) -> list[str]:
    """A GPU that needs a reset (`Failed.retried`): every restart's worker on it fails at
    CUDA initialisation (Megatron's _initialize_distributed calls torch.cuda.set_device,
    megatron/training/initialize.py:318 at core_v0.14.0) and exits with 1; its node's
    agent stops the node's other workers and counts the failure, until the restarts are
    used and it raises ChildFailedError naming that worker (elastic/agent/server/api.py's
    _invoke_run at v2.9.0). Each time it comes back to the rendezvous every other node's
    agent, in _invoke_run's HEALTHY branch, sees num_nodes_waiting > 0 and restarts its
    own workers (no retry counted): _stop_workers -> SubprocessContext._close warns
    `Sending process %s closing signal %s` for each live worker. Every round's rank 0
    prints its start-up again (`startup`: arguments and `> initializing torch
    distributed ...`, before set_device). srun reports the failing node's task; the job is
    then run again without the node. What the other agents print once the failing one has
    left the rendezvous closed, no torch 2.9 source or real log read here shows: nothing.
    `startup` is as the console shows it; the failing worker's traceback too (`tee`)."""
    f = facts
    node = event.rank // 8
    source = torchrun.torch_source(f.torch)
    site = torch_site(f.torch, "dist-packages")
    draw = Rng(f.seed * 617 + event.seq)
    # The restart after the hang: every node's first round of workers.
    rounds = [
        agent(f, incidentals, attempt, each, fresh).relaunched(
            f, 50_000 + attempt * 8, same_agent=True
        )
        for each in range(f.nodes)
    ]
    lines: list[str] = list(startup)
    dead = rounds[node].worker_pids[event.local_rank]
    # The faulty GPU fails the new process's set_device with its Xid's own CUDA error: an ECC
    # error pending the reset the error the old one died of, a GPU that stopped answering
    # cudaErrorUnknown (xids.tsv).
    failed_init = tee.of_rank(event.rank, set_device_failed(f.user, event.cuda_error))
    for retry, at in enumerate(event.retried):
        last = retry == len(event.retried) - 1
        workers = rounds[node]
        dead = workers.worker_pids[event.local_rank]
        chunks: list[tuple[float, int, list[str]]] = [
            (
                at,
                node,
                # the worker on the broken GPU fails at its first CUDA call, then its agent
                # stops the others
                failed_init + stopped(f, workers, event.local_rank, at, at + 0.4, exitcode=1),
            )
        ]
        if not last:
            for other, others in enumerate(rounds):
                if other == node:
                    continue
                seen = at + 0.9 + draw.uniform(0.0, 0.2)
                chunks.append(
                    (
                        seen,
                        other,
                        [
                            torchrun.closing_signal(
                                f.moment(seen), others.agent_pid, source, pid, site=site
                            )
                            for pid in others.worker_pids
                        ],
                    )
                )
        chunks.sort(key=lambda item: (item[0], item[1]))
        lines += [text for _, _, chunk in chunks for text in chunk]
        if last:
            break
        rounds = [
            workers.relaunched(f, 50_000 + attempt * 8 + retry + 1, same_agent=True)
            for workers in rounds
        ]
        lines += startup
    lines += torchrun.child_failed(
        script="pretrain_gpt.py",
        host=event.host,
        moment=f.moment(event.retried[-1] + 0.4),
        rank=event.rank,
        local_rank=event.local_rank,
        pid=dead,
        signum=0,
        packages="dist-packages",
        exitcode=1,
    )
    if f.nodes > 1:
        # srun reports the task, and (--kill-on-bad-exit=1) ends the step: the other agents,
        # whose last round's workers wait in NCCL's bootstrap for a rank that never comes
        # (a blocking accept, src/bootstrap.cc:296 at v2.27.5-1), take Slurm's SIGTERM.
        ended = event.retried[-1] + 0.5
        job = srun.job_id(f.seed, typed_launch(attempt, fresh))
        lines += [
            srun.task_exit(event.host, node),
            srun.terminating(job=job, step=0),
            srun.task_failure(job=job, step=0, first=f.hosts[0], moment=f.moment(ended)),
        ]
        survivors = [(each, rounds[each]) for each in range(f.nodes) if each != node]
        lines += terminated_agents(f, survivors, ended + 0.05, draw)
    return lines
