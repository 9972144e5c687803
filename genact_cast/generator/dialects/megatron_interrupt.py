"""Ctrl-C at a Megatron-LM launch (`genact-cast run` stopped): what torchrun and srun print.

On one node the command is torchrun itself, in the terminal's foreground process group; its
workers run in sessions of their own (torch 2.9.0 elastic/multiprocessing/
subprocess_handler/subprocess_handler.py:68 `start_new_session=True`), so the SIGINT reaches
the agent alone. Its handler raises SignalException in the monitor loop; the agent warns
`Received 2 death signal, shutting down workers` (agent/server/api.py:725), closes each
worker with SIGINT (multiprocessing/api.py:908) and, once they are gone, launch_agent
re-raises the exception (launcher/api.py:301-305), which nothing above torch's `run` catches:
torchrun ends with its traceback (torchrun_tracebacks.signal_exception, as Slurm's SIGTERM
ends it in megatron_node_failures.terminated_agents).

On several nodes the command is srun, and one Ctrl-C stops nothing: srun 25.05's signal
thread prints `interrupt (one more within 1 sec to abort)` and the step's task states
(src/srun/srun_job.c:1800-1806, launch.c:1589 -> task_state.c:290 `%ps task%s %s: %s`); the
second within the second sends SIGINT to every task (`sending Ctrl-C to %ps`, :1796) and
forces the step's end (job_force_termination, :1616 `forcing job termination`, SIGKILL
through step abort), and srun waits KillWait + 2 s for it (src/api/step_launch.c:707-709).
Node 0's slurmstepd says why the step ends (slurmd/slurmstepd/req.c:1171-1174, `DUE to
SIGNAL Killed` as strsignal(9) words it). Real transcripts show the two Ctrl-C and srun's
lines in this order (find_string ids 19507621093, 29249099744: `^Csrun: interrupt (one more
within 1 sec to abort)`, `srun: StepId=8717.0 task 0: running`, `^Csrun: sending Ctrl-C to
StepId=8717.0`, `srun: Job step aborted: Waiting up to 32 seconds for job step to
finish.`, then `slurmstepd: error: *** STEP 13218794.0 ON sh-101-58 CANCELLED AT ...`).
The SIGINT reaches each node's torchrun first (srun waits for every node's answer before it
aborts the step): each agent warns and closes its workers, and the SIGKILL that follows
through slurmctld ends agents and workers before any worker's exit is reported.
"""

from __future__ import annotations

from genact_cast.generator.dialects import srun, torchrun
from genact_cast.generator.dialects.base import Incidentals, Line, Out, torch_site
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_comms import agent
from genact_cast.generator.dialects.megatron_node_failures import (
    agent_shutting_down,
    typed_launch,
)
from genact_cast.generator.rng import Rng

PACKAGES = "dist-packages"  # the NGC image's torch, as every other torchrun line of the dialect


def interrupted_lines(
    facts: Facts,
    incidentals: Incidentals,
    attempt: int,
    fresh: tuple[int, ...],
    t: float,
    *,
    where: str | None = None,
    megatron_fsdp: bool = False,
) -> list[Out]:
    """What follows the terminal's `^C` (the presenter writes the first); `where`: the wait
    the workers are in (megatron_worker_interrupt's STEP, EVALUATE or INITIALIZE; None where
    no frames are drawn), `megatron_fsdp`: under Megatron-FSDP's optimizer."""
    f = facts
    source = torchrun.torch_source(f.torch)
    site = torch_site(f.torch, PACKAGES)
    draw = Rng(f.seed * 673 + attempt)
    if f.nodes == 1:
        pids = incidentals.worker_pids
        lines = torchrun.shut_down(
            f.moment(t), incidentals.agent_pid, source, pids, signum=2, site=site
        )
        # the workers end on the SIGINT, each with its traceback where it waits
        # (megatron_worker_interrupt); then the agent's exception reaches the top
        if where is not None:
            from genact_cast.generator.dialects.megatron_worker_interrupt import (
                workers_interrupted,
            )

            lines += workers_interrupted(
                f.user, megatron_fsdp=megatron_fsdp, seed=f.seed * 677 + attempt, where=where
            )
        lines += torchrun.signal_exception(agent=incidentals.agent_pid, signum=2, packages=PACKAGES)
        return [Line(text) for text in lines]
    job = srun.job_id(f.seed, typed_launch(attempt, fresh))
    step = f"StepId={job}.0"
    agents = [agent(f, incidentals, attempt, node, fresh) for node in range(f.nodes)]
    # The second Ctrl-C a fraction of a second after the first.
    second = t + draw.uniform(0.3, 0.8)
    lines = [
        "srun: interrupt (one more within 1 sec to abort)",
        f"srun: {step} tasks 0-{f.nodes - 1}: running",
        f"^Csrun: sending Ctrl-C to {step}",
        "srun: forcing job termination",
        "srun: Job step aborted: Waiting up to "
        f"{srun.KILL_WAIT + srun.STEP_ABORT_TIME} seconds for job step to finish.",
    ]
    # Each node's agent as the SIGINT reaches it, relayed by srun as the lines come.
    chunks: list[tuple[float, int, list[str]]] = []
    for node, workers in enumerate(agents):
        seen = second + draw.uniform(0.005, 0.05)
        chunks.append(agent_shutting_down(f, node, workers, seen, signum=2))
    chunks.sort(key=lambda item: (item[0], item[1]))
    lines += [text for _, _, chunk in chunks for text in chunk]
    killed = f.moment(second + draw.uniform(0.05, 0.2))
    lines.append(
        f"slurmstepd: error: *** STEP {job}.0 ON {f.hosts[0]} CANCELLED AT "
        f"{killed:%Y-%m-%dT%H:%M:%S} DUE to SIGNAL Killed ***"
    )
    return [Line(text) for text in lines]
