"""The run's failures: how often a job of its size is interrupted (Llama 3's rate), the
Xid that ends each, and what the cluster does about it."""

import math
from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator import physics
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.rng import Rng

GPU_HOURS_PER_FAILURE = 50_000  # Llama 3 405B: 419 interruptions in 54 days on 16,384 GPUs
# The Xids that kill a training job (NVIDIA's Xid catalogue; REALISM.md, "Failures"),
# the CUDA error the process on that GPU dies with, and whether the same node can take
# the job again: a contained ECC error (94) kills only the application, so torchrun's
# restart on the same hosts is what happens; the others need a GPU reset or a repair, and
# are drawn as faults that take the node down (it stops answering): under srun Slurm ends
# the step and the job is run again on a spare; a torchrun typed at a shell restarts and
# waits at the rendezvous for a spare's torchrun. (A host that stays up with a GPU needing a
# reset, whose restarts would fail on that GPU until they run out, is not modelled.)
# 63 (a row-remapping record) is informational and never ends a job.
XIDS = (
    (94, "Contained ECC error", "uncorrectable ECC error encountered", True),
    (94, "Contained ECC error", "uncorrectable ECC error encountered", True),
    (48, "DBE (Double Bit ECC Error)", "uncorrectable ECC error encountered", False),
    (95, "Uncontained ECC error", "uncorrectable ECC error encountered", False),
    (79, "GPU has fallen off the bus", "unspecified launch failure", False),
    (74, "NVLink error", "unspecified launch failure", False),
    (119, "GSP RPC timeout", "unspecified launch failure", False),
    (120, "GSP error", "unspecified launch failure", False),
)


class FailurePlan(NamedTuple):
    at: float  # share of the training steps done when it strikes
    rank: int
    xid: int
    xid_text: str
    restart_seconds: float
    cuda_error: str = "uncorrectable ECC error encountered"
    same_node: bool = True  # torchrun restarts on the same hosts; else the node is replaced


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
    shares = sorted(rng.uniform(0.15, 0.9) for _ in range(count))
    plans = []
    for share in shares:
        xid, text, error, same = rng.pick(XIDS)
        # The faulty rank dies at once; rank 0 (whose watchdog the log shows) is a peer.
        # A fault that takes its node out never strikes the first node, whose shell the
        # cast is typed in (and which hosts the rendezvous): that session would end there.
        # On one node there is no other: its faults are those torchrun restarts in place.
        if not same and gpus == physics.GPUS_PER_NODE:
            xid, text, error, same = XIDS[0]
        low = 1 if same else physics.GPUS_PER_NODE
        rank = rng.integer(low, gpus - 1)
        # A requeue waits for the scheduler and a spare node: minutes, not seconds.
        wait = rng.uniform(40, 150) if same else rng.uniform(180, 900)
        plans.append(FailurePlan(share, rank, xid, text, wait, error, same))
    return tuple(plans)
