"""The run's failures: how often a job of its size is interrupted (Llama 3's rate), the
Xid that ends each, and what the cluster does about it."""

import math
from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator import physics, tables
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.rng import Rng

GPU_HOURS_PER_FAILURE = 50_000  # Llama 3 405B: 419 interruptions in 54 days on 16,384 GPUs

# What ends a launch, in three kinds, with their shares of Llama 3 405B's unexpected
# interruptions (Dubey et al. 2024, arXiv 2407.21783, Table 5, in percent):
# - "host": the host is lost (slurmd stops answering): unplanned host maintenance 7.6,
#   SSD 0.7, power supply 0.7, server chassis 0.5, IO expansion board 0.5, CPU 0.5, system
#   memory 0.5 = 11.0. No Xid: the GPU did not fail. Under srun Slurm ends the step (a node
#   failure); a torchrun typed at a shell restarts and waits at the rendezvous for a spare.
# - "gpu": a GPU that stays broken until it is reset or its node rebooted, while the host
#   and slurmd stay up: faulty GPU 30.1 (NVLink among them), the share of HBM3's 17.2 whose
#   uncorrectable errors are not contained (half, as drawn here), SRAM 4.5, GPU system
#   processor 4.1, thermal interface and sensor 1.4 = 48.7. NVIDIA's Xid catalogue
#   (docs.nvidia.com/deploy/xid-errors) gives 48, 95, 119 and 120 a GPU reset, 79 a node
#   reboot, and 74 (NVLink) a reset: torchrun's restarts fail on that GPU at CUDA
#   initialisation until they run out, and the job is run again without the node.
# - "app": a fault a restart clears: HBM3's contained errors (Xid 94, the catalogue's
#   RESTART_APP; the other half of 17.2), software bug 12.9, network switch and cable 8.4,
#   NIC 1.7, NCCL watchdog timeouts 1.7, silent data corruption 1.4, dependency 0.5 = 35.2.
#   All of them are drawn as the contained ECC error: the one of them the log can name.
FAILURE_KINDS = (("host", 11.0), ("gpu", 48.7), ("app", 35.2))


def _xids() -> dict[str, tuple[tuple[int, str, str], ...]]:
    """The Xids of each kind, with the CUDA error a process on that GPU gets (xids.tsv, its
    sources beside it: 79's is cudaErrorUnknown, not a kernel's launch failure). The host
    kind's Xid 0 has none: the log's last word from a lost host is its processes'."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    for kind, xid, text, error in tables.rows(tables.GENERATOR / "data" / "xids.tsv", 4):
        found.setdefault(kind, []).append((int(xid), text, error))
    return {kind: tuple(rows) for kind, rows in found.items()}


XIDS = _xids()
# How the fault ends the process on that GPU (docs/realism.md, "Failures and resume"):
# - "dies": a contained ECC error (94: the catalogue's RESTART_APP; the GPU stays usable).
#   The process gets `CUDA error: uncorrectable ECC error encountered` and exits at once;
#   its node's torchrun agent polls its workers every --monitor-interval (0.1 s by default,
#   torch 2.9.0 run.py:477-482) and stops the node's others at once
#   (elastic/agent/server/api.py:898-910 -> multiprocessing/api.py:874-908, SIGTERM); the
#   other nodes' agents restart theirs when it rejoins the rendezvous (api.py:915-928).
# - "stuck": an ECC error that needs the GPU reset (48, 95). The process gets the same CUDA
#   error and aborts, but cannot exit while its GPU waits for the reset: a real log of Xid 48
#   (a 2-GPU torchrun job, August 2026) shows the faulty rank's `Process group watchdog
#   thread terminated with exception: CUDA error: uncorrectable ECC error encountered` at
#   15:36:05, its peer's watchdog timeout 600 s later, and torchrun's SIGTERM unanswered
#   until its SIGKILL 30 s after (find_string id 61421322529, a blog post on the incident;
#   its timeline in tests/data/real_logs/xid48_torchrun_timeline.tsv). The peers wait for
#   their watchdog, as after a hang. review-mg13 (M2, D1) read `terminate called` as an exit
#   within the agent's 0.1 s poll: torch 2.9.0 does abort at once (Watchdog::run logs at
#   ProcessGroupNCCL.cpp:2057 and rethrows at :2063, nothing between), but the log shows the
#   process outliving its abort: no agent line for ten minutes, then its SIGTERM unanswered.
#   The log is the reference; tests/test_stuck_after_ecc.py holds every dialect to it.
#   An uncorrectable NVLink error (74) ends its process the same way, at once: the CUDA
#   runtime raises cudaErrorNvlinkUncorrectable in the process using the link, and torch
#   aborts (dlrover's fault-tolerance docs quote such a worker, `exitcode: -6`, `RuntimeError:
#   CUDA error: uncorrectable NVLink error detected during the execution`; find_string id
#   10679892842; a 2026 fault-injection write-up saw every worker exit with it within 3 s,
#   id 71369644865). The GPU still needs its reset: its node is drained (kind "gpu").
# - "hangs": the GPU stops answering without an error to its process (79 fallen off the
#   bus, 119/120 the GSP that stops answering RPCs), or the host is lost (0): nothing exits,
#   and the peers wait in the collective for their watchdog.
ENDS = {94: "dies", 48: "stuck", 95: "stuck", 79: "hangs", 74: "dies", 119: "hangs"}
ENDS |= {120: "hangs", 0: "hangs"}
# The NCCL timeout of the process group a hung collective runs on: its watchdog fires that
# long after the collective began, and the job's peers wait that long (every dialect's
# `Timeout(ms)=` and the time the run loses, one figure). torch's default group timeout is
# ten minutes (torch 2.9.0 ProcessGroupNCCL.hpp kProcessGroupNCCLDefaultTimeout), as Megatron's
# --distributed-timeout-minutes (10, core_v0.14.0 arguments.py:2357) and a torchrun typed at a
# shell leave it; deepspeed.init_distributed sets 30 minutes (deepspeed/constants.py:19 at
# v0.17.5, default_pg_timeout), and so does the Trainer (TrainingArguments.ddp_timeout, 1800 s
# at transformers 4.57.1), whose (dp_shard, tp) mesh groups keep torch's ten minutes
# (accelerate 1.11.0 parallelism_config.py:202 passes no timeout to init_device_mesh).
# torchtitan's own timeouts (comm.init_timeout_seconds, train_timeout_seconds) vary with the
# group and the step, and stay with its dialect (torchtitan_watchdog).
TORCH_TIMEOUT_MS = 600_000
DEEPSPEED_TIMEOUT_MS = 1_800_000
TRAINER_TIMEOUT_MS = 1_800_000


def watchdog_timeout_ms(framework: str, *, tp: int, dp: int) -> int:
    """The timeout of the group whose collective hangs, under `framework`'s launch."""
    if framework == "deepspeed":
        return DEEPSPEED_TIMEOUT_MS
    if framework == "hf":  # a hang on a mesh group (TP with data parallelism): its ten minutes
        return TORCH_TIMEOUT_MS if tp > 1 and dp > 1 else TRAINER_TIMEOUT_MS
    return TORCH_TIMEOUT_MS


# torch 2.9 dumps on a watchdog's timeout (TORCH_NCCL_DUMP_ON_TIMEOUT, on by default) and its
# watchdog waits a minute for the dump before it takes its process down
# (TORCH_NCCL_WAIT_TIMEOUT_DUMP_MILSEC; real torch 2.9 logs: the take-down at 03:05:11 after
# the timeout at 03:04:11, dialects.torch_dump): the launcher sees the exits that much later.
DUMP_WAIT_SECONDS = 60


# When slurmctld finds a lost node down: SlurmdTimeout (300 s, slurm.conf's default,
# src/common/read_config.h:143 at slurm-25-05-8-1) after its last answer, which its pings
# every SlurmdTimeout/3 (slurmctld/controller.c:2460) saw at most that long before the fault.
# It then ends the job step (dialects.srun.node_failure): before any watchdog's timeout.
SLURMD_TIMEOUT = 300


def slurm_notices(seed: int, fault: float) -> float:
    """When slurmctld finds the node lost at `fault` down, for the scene's `seed`."""
    return fault + SLURMD_TIMEOUT - Rng(seed * 991 + int(fault)).uniform(0, SLURMD_TIMEOUT / 3)


# How long torchrun's agent waits for a worker to end on its SIGTERM before it sends SIGKILL
# (SubprocessContext._close's timeout, elastic/multiprocessing/api.py:908-928 at torch 2.9.0;
# the real Xid 48 log: SIGTERM at 15:46:36, `Unable to shutdown process` at 15:47:06).
STUCK_KILL_SECONDS = 30.0


# Slurm holds a requeued job back for the job credential's lifetime before it may start
# again (slurm.conf(5), AuthInfo cred_expire: "This also controls how long a requeued job
# must wait before starting again. The default value is 120 seconds"; batch_requeue_fini
# sets its begin time to now + that + 1), then the scheduler's next pass takes it
# (SchedulerParameters sched_interval, default 60 s) and the prolog and srun start it.
REQUEUE_HOLD_SECONDS = 121.0
SCHEDULER_PASS_SECONDS = (0.0, 60.0)
PROLOG_SECONDS = (5.0, 30.0)
# A node out of the job (a GPU that needs a reset, a lost host) is first drained: by the
# node's health check, or by slurmctld once slurmd has not answered for SlurmdTimeout
# (300 s by default, slurm.conf(5)); and a spare brought in.
DRAIN_SECONDS = (60.0, 600.0)
# A launch typed at a shell is run again by its operator, who has to notice that it ended,
# read why and type the command again: minutes, never the seconds of torchrun's own restart
# (review-realism8 WARN 7: DeepSpeed run again 20 s after a crash). No public figure gives
# an operator's reaction time; it is held to no less than Slurm's own requeue above.
BY_HAND_SECONDS = (180.0, 900.0)


def relaunch_seconds(roll: float, kind: str, *, slurm: bool) -> float:
    """From the moment the launch ended to the new one's start, where the job is started
    anew (a Slurm requeue, or a command typed again), from one draw in 0-1 (the plan's
    `relaunch_roll`, the same in every framework)."""
    if not slurm:
        low, high = BY_HAND_SECONDS
        return low + roll * (high - low)
    # the three waits of a requeue, from one draw (its bits spread over them)
    first, second = roll * 7 % 1, roll * 49 % 1
    wait = REQUEUE_HOLD_SECONDS + SCHEDULER_PASS_SECONDS[1] * roll
    wait += PROLOG_SECONDS[0] + (PROLOG_SECONDS[1] - PROLOG_SECONDS[0]) * first
    if kind != "app":
        wait += DRAIN_SECONDS[0] + (DRAIN_SECONDS[1] - DRAIN_SECONDS[0]) * second
    return wait


def draw_kind(rng: Rng) -> str:
    """One of FAILURE_KINDS by its share."""
    roll = rng.random() * math.fsum(share for _, share in FAILURE_KINDS)
    for kind, share in FAILURE_KINDS:
        roll -= share
        if roll < 0:
            return kind
    return FAILURE_KINDS[-1][0]


class FailurePlan(NamedTuple):
    at: float  # share of the training steps done when it strikes, uniform in 0-1
    rank: int
    xid: int
    xid_text: str
    relaunch_roll: float  # 0-1: how long a job started anew waits (relaunch_seconds)
    cuda_error: str = "uncorrectable ECC error encountered"
    same_node: bool = True  # the host stays up; false: it is lost ("host")
    kind: str = "app"  # FAILURE_KINDS

    @property
    def ends(self) -> str:
        """How the fault ends the faulty process: "dies", "stuck" or "hangs" (ENDS)."""
        return ENDS[self.xid]


def draw_failures(
    rng: Rng, options: RecordOptions, gpus: int, hours: float
) -> tuple[FailurePlan, ...]:
    """At REALISM.md's rate (one per 50,000 GPU-hours: a 640k GPU-hour run expects about
    13), every one of them; `--failures` pins the count."""
    expected = gpus * hours / GPU_HOURS_PER_FAILURE
    roll = rng.random()
    count, p, cumulative = 0, math.exp(-expected), math.exp(-expected)
    while roll > cumulative and cumulative < 1 - 1e-12:  # Poisson, by its inverse CDF
        count += 1
        p *= expected / count
        cumulative += p
    if options.failures is not None:
        # Pinned: any count the run's GPU-hours make plausible (a Poisson count 4 sigma
        # above its mean), and always 0-2, so that a short run can still show a failure.
        most = max(2, math.ceil(expected + 4 * math.sqrt(expected) + 1))
        if options.failures > most:
            raise BadOption(
                f"--failures {options.failures} is more than {gpus:,} GPUs for "
                f"{hours:,.0f} hours would see (about {expected:.1f} at one per "
                f"{GPU_HOURS_PER_FAILURE:,} GPU-hours): use auto or at most {most}, or a "
                f"larger or longer run (--gpus, --model)"
            )
        count = options.failures
    # A Poisson process in the run's time: given its count, the times are independent and
    # uniform over the run, whatever the save schedule (a fault does not know when the last
    # save was; Dubey et al. 2024 count interruptions per day). Before the first save the
    # job starts over from what it started from.
    shares = sorted(rng.uniform(0.0, 1.0) for _ in range(count))
    plans = []
    for share in shares:
        kind = draw_kind(rng)
        xid, text, error = rng.pick(XIDS[kind])
        # The faulty rank dies at once; rank 0 (whose watchdog the log shows) is a peer.
        # A fault that takes its node or its GPU out of the job never strikes the first
        # node, whose shell the cast is typed in (and which hosts the rendezvous): that
        # session would end there. On one node there is no other: its faults are those
        # torchrun restarts in place.
        if kind != "app" and gpus == physics.GPUS_PER_NODE:
            kind = "app"
            xid, text, error = XIDS["app"][0]
        low = 1 if kind == "app" else physics.GPUS_PER_NODE
        rank = rng.integer(low, gpus - 1)
        roll = rng.random()  # how long a relaunch takes: relaunch_seconds
        plans.append(FailurePlan(share, rank, xid, text, roll, error, kind != "host", kind))
    return tuple(plans)
