"""What Slurm prints into a job step's output when one of its nodes fails: srun's own lines
and the first node's slurmstepd's, as Slurm 25.05 words them.

When a node stops answering, slurmctld tells srun (SRUN_NODE_FAIL) and signals the step
with SIG_NODE_FAIL. srun logs the node (src/api/step_launch.c:1291 at slurm-25-05-8-1),
aborts the step and kills it, waiting KillWait (30 s by default, read_config.h:106) plus
STEP_ABORT_TIME (2 s) for it to end (step_launch.c:90, 707-709); the slurmstepd of the
step's node 0 says why (slurmd/slurmstepd/req.c:1123-1158, `msg_target_node_id` 0). The
killed tasks print nothing more. A real log shows the three lines in this order and
nothing after them (index 13860421536: `srun: error: Node failure on jean-zay-iam37`,
`srun: Job step aborted: Waiting up to 62 seconds for job step to finish.`, `slurmstepd:
error: *** STEP 1943824.0 ON jean-zay-iam17 CANCELLED AT 2023-03-06T03:17:51 DUE TO NODE
FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***`).
"""

from __future__ import annotations

from datetime import datetime

from genact_cast.generator.plan_failures import slurm_notices
from genact_cast.generator.rng import Rng

KILL_WAIT = 30  # slurm.conf's KillWait default (src/common/read_config.h:106)
STEP_ABORT_TIME = 2  # src/api/step_launch.c:90


def noticed(seed: int, fault: float) -> float:
    """When slurmctld finds the node down (plan_failures.slurm_notices: the run's timeline
    ends the launch there too)."""
    return slurm_notices(seed, fault)


def job_id(seed: int, launch: int) -> int:
    """The Slurm job of the `launch`-th command (0 the first): a new job each time it is run
    again, later on a busy cluster's counter."""
    draw = Rng(seed * 983 + 17)
    job = draw.integer(1_200_000, 8_900_000)
    for _ in range(launch):
        job += draw.integer(40, 2_400)
    return job


def node_failure(*, lost: str, first: str, job: int, step: int, moment: datetime) -> list[str]:
    """srun's and node 0's slurmstepd's lines as the step ends on the failure of `lost`."""
    return [
        f"srun: error: Node failure on {lost}",
        "srun: Job step aborted: Waiting up to "
        f"{KILL_WAIT + STEP_ABORT_TIME} seconds for job step to finish.",
        f"slurmstepd: error: *** STEP {job}.{step} ON {first} CANCELLED AT "
        f"{moment:%Y-%m-%dT%H:%M:%S} DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***",
    ]


def terminating(*, job: int, step: int) -> str:
    """srun tearing its step down after a task's bad exit, under --kill-on-bad-exit
    (src/srun/launch.c:481-483 and 102 at slurm-25-05-8-1: `_step_signal(SIG_TERM_KILL)`
    logs `Terminating %ps`)."""
    return f"srun: Terminating StepId={job}.{step}"


def task_failure(*, job: int, step: int, first: str, moment: datetime) -> str:
    """The step's node 0's slurmstepd on that SIG_TERM_KILL (slurmd/slurmstepd/req.c:1170),
    before it sends SIGCONT and SIGTERM to every process of the step, and SIGKILL after
    KillWait (req.c:1210-1214)."""
    return (
        f"slurmstepd: error: *** STEP {job}.{step} ON {first} CANCELLED AT "
        f"{moment:%Y-%m-%dT%H:%M:%S} DUE TO TASK FAILURE ***"
    )


def task_exit(host: str, task: int, code: int = 1) -> str:
    """srun's line for a task that ended with a non-zero status (an uncaught exception's 1)."""
    return f"srun: error: {host}: task {task}: Exited with exit code {code}"


def bad_exits(tasks: list[tuple[str, int]], *, job: int, first: str, moment: datetime) -> list[str]:
    """srun's lines as the step's tasks (one torchrun a node, task = node) exit with the
    uncaught exception's status 1, in the order they ended: the first bad exit ends the
    step (--kill-on-bad-exit=1), so srun's teardown and node 0's cancellation follow it."""
    lines: list[str] = []
    for n, (host, task) in enumerate(tasks):
        lines.append(task_exit(host, task))
        if n == 0:
            lines += [
                terminating(job=job, step=0),
                task_failure(job=job, step=0, first=first, moment=moment),
            ]
    return lines
