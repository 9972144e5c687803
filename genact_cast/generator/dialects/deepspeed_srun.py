"""A large DeepSpeed job (past rank_logs.RANK_LOG_NODES nodes) as its users launch it under
Slurm: one torchrun per node started by srun, rank 0's lines on the console.

The transformers DeepSpeed guide at v4.57.1 (docs/source/en/deepspeed.md, "SLURM") runs a
multi-node job as `srun --jobid $SLURM_JOBID bash -c 'python -m torch.distributed.run
--nproc_per_node $GPUS_PER_NODE --nnodes $SLURM_NNODES --node_rank $SLURM_PROCID
--master_addr $MASTER_ADDR --master_port $MASTER_PORT your_program.py <normal cl args>
--deepspeed ds_config.json'`, and BigScience's Megatron-DeepSpeed slurm scripts (BLOOM,
train/tr11-176B-ml/tr11-176B-ml.slurm) launch the same way with a c10d rendezvous, `--tee 3`
and srun's `--kill-on-bad-exit=1`. That passes every rank's output on: at 64 processes and
more users keep the console for rank 0 (rank_logs), which torch 2.9.0's torchrun does with
`--local-ranks-filter 0` (run.py: "Only show logs from specified ranks in console", each
other local rank's streams go to files under `--log-dir` only), as torchtitan's run_train.sh
does (`--local-ranks-filter 0 --role rank --tee 3`). So the command is the Megatron
dialect's srun + torchrun (megatron_startup.command's srun words) with
`--log-dir=logs --tee=3 --local-ranks-filter=0`, and the console shows:

- every node's torchrun banner (the agent's own stderr, which srun relays untagged);
- local rank 0 of every node, each line prefixed by torchrun's TailLog with
  `[{role}{local_rank}]:`, the default role's `[default0]:` (elastic/multiprocessing/
  tail_log.py): node 0's is world rank 0, whose log_dist(ranks=[0]) lines, engine and
  Trainer lines (`--log_on_each_node=False`) are the run's; every node's prints what each
  process prints (the accelerator on import, `cdb=None`, PrinterCallback's dicts on each
  node's local main process, its watchdog on a hang);
- on a failure, each node's agent (torch 2.9.0 elastic/multiprocessing/api.py: the closing
  signals, the failed worker) and, with torchrun's default `--max_restarts` 0, its
  ChildFailedError; srun's line for each task's exit status 1 and, at the first,
  `--kill-on-bad-exit` ending the step (srun.terminating, srun.task_failure).

On success torchrun's agents log at INFO only (unseen without LOGLEVEL=INFO): nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.generator.dialects import rank_logs, srun, torchrun
from genact_cast.generator.dialects.base import Incidentals, Line, Out
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_comms import agent
from genact_cast.generator.rng import Rng

if TYPE_CHECKING:
    from genact_cast.generator.dialects.deepspeed_launch import Launcher
    from genact_cast.generator.events import Failed

# TailLog's header for local rank 0 of the default role "default" (torch 2.9.0
# elastic/multiprocessing/tail_log.py: `[{name}{local_rank}]:`, name the worker's role).
TEE_TAG = "[default0]:"
# The NGC image's torch, as the DeepSpeed dialect's watchdog frames name it.
PACKAGES = "dist-packages"
LOG_DIR = "logs"  # torchrun's --log-dir: every local rank's stdout and stderr files


def srun_launch(facts: Facts) -> bool:
    """Whether the job is launched through srun + torchrun (past RANK_LOG_NODES nodes)."""
    return rank_logs.to_files(facts)


def command(facts: Facts, script: list[str]) -> list[str]:
    """srun (one task a node) running torchrun with rank 0's output on the console."""
    words = torchrun.command(
        nodes=facts.nodes,
        master=facts.master,
        port=facts.port,
        script=script,
        extra=[f"--log-dir={LOG_DIR}", "--tee=3", "--local-ranks-filter=0"],
    )
    # (as megatron_startup.command: --kill-on-bad-exit=1 ends the step at a torchrun's
    # failure, as BLOOM's SRUN_ARGS do)
    return ["srun", f"--nodes={facts.nodes}", "--ntasks-per-node=1", "--kill-on-bad-exit=1", *words]


def fresh(attempt: int) -> tuple[int, ...]:
    """Every launch of a DeepSpeed job is the command typed again (no torchrun restarts)."""
    return tuple(range(1, attempt + 1))


def banners(log: Launcher, t: float) -> list[Out]:
    """Every node's torchrun warns once as it starts; srun passes each node's lines on."""
    from genact_cast.generator.dialects.megatron_startup import banners as node_banners

    f = log.facts
    lines = node_banners(f, f.moment(t), log.incidentals, log.attempt, fresh(log.attempt))
    return [Line("\r\n".join(lines))]


def failed(log: Launcher, event: Failed, before: Facts) -> list[Out]:
    """A failure as srun's console shows it: the faulty process's error where it is a node's
    local rank 0, then either Slurm ending the step on a lost node, the dead worker's
    agent giving up, or every node's local rank 0 watchdog and every agent giving up."""
    from genact_cast.generator.dialects.megatron_node_failures import (
        lost_node_lines,
        terminated_agents,
    )
    from genact_cast.generator.dialects.rank_watchdog import faulty_rank_lines

    f = log.facts
    node = event.rank // 8
    out: list[Out] = []
    if event.errors and event.local_rank == 0:  # the console's process on its node
        texts = faulty_rank_lines(before, event, event.rank, PACKAGES)
        per_node = [[("", text) for text in texts] if n == node else [] for n in range(f.nodes)]
        out = log._merge(event.t_fault, per_node, 3)
    attempt, launches = log.attempt, fresh(log.attempt)
    if not event.same_node:
        # The node went down: Slurm finds it after SlurmdTimeout, before any watchdog's
        # 30 minutes, and ends the step (megatron_node_failures.lost_node_lines).
        lines = lost_node_lines(before, event, log.incidentals, attempt, launches)
        return [*out, Line("\r\n".join(lines))]
    draw = Rng(f.seed * 613 + event.seq)
    job = srun.job_id(f.seed, attempt)
    if event.ends == "dies":
        # Its agent sees the exit at its next poll and, with no restart, gives up; srun's
        # --kill-on-bad-exit ends the step before any other rank's watchdog fires, and
        # every other torchrun takes Slurm's SIGTERM.
        at = event.t  # (the timeline draws when its agent sees the exit)
        workers = agent(before, log.incidentals, attempt, node, launches)
        exited = at + draw.uniform(0.3, 1.5)
        lines = _gives_up(before, workers, node, event.local_rank, at, exited)
        lines += [
            srun.task_exit(event.host, node),
            srun.terminating(job=job, step=0),
            srun.task_failure(job=job, step=0, first=f.hosts[0], moment=before.moment(exited)),
        ]
        survivors = [
            (each, agent(before, log.incidentals, attempt, each, launches))
            for each in range(f.nodes)
            if each != node
        ]
        lines += terminated_agents(before, survivors, exited + 0.05, draw)
        return [*out, Line("\r\n".join(lines))]
    out += log._watchdogs(event, node, None)
    # Every node's agent sees its local rank 0 (1 where that is the faulty GPU's, stuck
    # after its error) abort, stops the rest and gives up; srun relays them as they come.
    chunks: list[tuple[float, int, list[str]]] = []
    held: list[tuple[int, Incidentals]] = []
    ended: list[tuple[float, int]] = []  # (when, node) of each torchrun's exit
    for each in range(f.nodes):
        workers = agent(f, log.incidentals, attempt, each, launches)
        stopped = event.t + 1.5 + draw.uniform(0.0, 0.2)
        aborted = 1 if event.errors and event.rank == each * 8 else 0
        lines = _gives_up(f, workers, each, aborted, stopped, stopped + 0.6)
        if event.ends == "stuck" and each == node:
            # The faulty GPU's process, stuck since its error, does not end on its agent's
            # SIGTERM (the real Xid 48 log, plan_failures.ENDS): the agent waits for it, and
            # the step ends first, at another task's bad exit: Slurm's SIGTERM reaches this
            # torchrun there (megatron_node_failures.terminated_agents).
            chunks.append((stopped, each, lines[:7]))
            held.append((each, workers))
            continue
        chunks.append((stopped, each, lines))
        ended.append((stopped, each))
    chunks.sort(key=lambda item: (item[0], item[1]))
    lines = [text for _, _, chunk in chunks for text in chunk]
    ended.sort()
    first = f.moment(ended[0][0] + 0.7)
    tasks = [(f.hosts[each], each) for _, each in ended]
    lines += srun.bad_exits(tasks, job=job, first=f.hosts[0], moment=first)
    if held:
        lines += terminated_agents(f, held, ended[0][0] + 0.75, draw)
    return [*out, Line("\r\n".join(lines))]


def _gives_up(
    facts: Facts, workers: Incidentals, node: int, local: int, t: float, ended: float
) -> list[str]:
    """One node's agent with no restart left: a closing signal for each live worker at `t`
    (the 7 first lines), the failed worker at `ended` and torchrun's ChildFailedError
    (elastic/agent/server/api.py's _invoke_run and launcher/api.py at v2.9.0)."""
    from genact_cast.generator.dialects.megatron_node_failures import stopped

    return stopped(facts, workers, local, t, ended, exitcode=-6) + torchrun.child_failed(
        script="train.py",
        host=facts.hosts[node],
        moment=facts.moment(ended),
        rank=node * 8 + local,
        local_rank=local,
        pid=workers.worker_pids[local],
        signum=6,
        packages=PACKAGES,
    )
