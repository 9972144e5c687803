"""What the GPUs are doing while the step counter stands still: the panel's readings by phase.

The run's sensor readings (`Run.gpu_reading`) are those of a GPU training. Between
steps the job does other things, and a monitor shows it: evaluation runs forward passes
only (the SMs stay busy, the power falls), staging a checkpoint copies the weights and
optimizer state to host memory over the copy engines (nvidia-smi's utilization counts
kernels, so it falls to a few percent), an export has rank 0 write shards while the other
GPUs wait, and a failed job's processes are gone until torchrun restarts them (no
process, no memory, idle power). The panel reads the phase the dashboard shows and
leaves the run's numbers untouched.

Idle power is a tenth of the board's limit (an idle H100 SXM reads about 70 W of 700 W
in nvidia-smi, an A100 SXM about 50-60 W of 400 W); temperatures fall towards the data
hall's idle 30-40 °C while the load is off.
"""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator.catalog import Gpu
from genact_cast.generator.noise import Noise

DASHBOARD = 0xDA5B  # the dashboard's own noise stream: no number of the run comes from it
# Share of the training draw above idle, share of training utilization, and degrees
# below the training temperature, for each phase that is not training.
_LOAD: dict[str, tuple[float, float, int]] = {
    "initializing": (0.15, 0.05, 15),
    "evaluating": (0.55, 0.88, 4),
    "checkpointing": (0.15, 0.06, 8),
    "exporting": (0.08, 0.03, 12),
    "done": (0.0, 0.0, 18),
    "failed": (0.0, 0.0, 10),
    "restarting": (0.1, 0.0, 14),
}
# Phases in which the training processes hold no memory on the GPUs.
NO_PROCESS = frozenset({"failed", "restarting", "done"})
# The caching allocator keeps a little more than a step's peak, more or less each step.
RESERVED_SPREAD = 0.012


class Reading(NamedTuple):
    util: int
    temp_c: int
    power_w: int


def idle_watts(gpu: Gpu) -> int:
    return gpu.power_watts[1] // 10


def reading(
    phase: str, training: tuple[int, int, int], gpu: Gpu, noise: Noise, index: int, gpus: int = 1
) -> Reading:
    """A line's reading in `phase`, from its training reading (`Run.gpu_reading`): one
    GPU's, or a node's (`gpus` of them: the power summed)."""
    util, temp, watts = training
    load = _LOAD.get(phase)
    if load is None:
        return Reading(util, temp, watts)
    power_share, util_share, cooler = load
    idle = idle_watts(gpu) * gpus
    jitter = noise.unit(DASHBOARD, index)
    shown_util = round(util * util_share * (0.9 + 0.2 * jitter)) if util_share else 0
    shown_watts = idle + round((watts - idle) * power_share) + round(8 * gpus * jitter)
    shown_temp = max(32, temp - cooler - round(3 * jitter))
    return Reading(min(100, shown_util), shown_temp, shown_watts)


def memory(phase: str, peak_gib: float, capacity_gib: float, noise: Noise, index: int) -> float:
    """Memory used on one GPU: the step's peak plus what the allocator keeps around it,
    none while the processes are gone."""
    if phase in NO_PROCESS or peak_gib <= 0:
        return 0.0
    kept = peak_gib * (1 + RESERVED_SPREAD * noise.unit(DASHBOARD, index))
    return min(kept, capacity_gib - 0.5)
