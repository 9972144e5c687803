"""What the dashboard shows at one moment: a snapshot the panes are drawn from.

The presenter builds one `View` per redraw from the run's events and the plan; the
panes only read it. Numbers arrive as numbers and are formatted by the panes, so that
a pane can choose a shorter form when it is narrow.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple


class Job(NamedTuple):
    """What does not change during the run."""

    model: str
    kind: str  # "pre-training", "continued pre-training", "fine-tuning"
    framework: str  # e.g. "torchtitan", "torch 2.5.1"
    gpu_name: str
    gpus: int
    nodes: int
    layout: str  # parallelism, e.g. "FSDP 64" or "DP 8 x TP 8 x PP 4"
    capacity_gib: float  # memory of one GPU as tools show it
    power_limit_w: int
    epochs: int
    total_steps: int


class Point(NamedTuple):
    step: int
    value: float


class GpuRow(NamedTuple):
    """One line of the GPU panel: a GPU, or a node of 8 (then power is the node's)."""

    label: str
    util: int  # percent
    memory_gib: float
    temp_c: int
    power_w: int
    straggler: bool = False
    history: tuple[int, ...] = ()  # utilization at the frames before, oldest first
    power_history: tuple[int, ...] = ()  # power at the same frames


class Process(NamedTuple):
    """A training process on the first node, as nvitop lists it."""

    gpu: int
    pid: int
    user: str
    memory_gib: float
    sm: int  # percent of the GPU's SMs busy with it
    seconds: float  # running time
    command: str


class Stat(NamedTuple):
    """A labelled value, formatted already: an NCCL time, a throughput figure."""

    label: str
    value: str


class View(NamedTuple):
    job: Job
    clock: datetime  # the simulated wall clock
    elapsed: float  # simulated seconds since launch
    phase: str  # what the job is doing: "training", "evaluating", "checkpointing", ...
    epoch: int
    step: int
    eta_seconds: float | None
    train: Sequence[Point]  # loss at every step shown so far
    lr: Sequence[Point]  # the learning rate at the same steps
    val: Sequence[Point]  # validation loss after the steps it was measured at
    failures: Sequence[int]  # steps in flight when the job failed
    resumes: Sequence[int]  # steps the job went back to after a restart
    gpus: Sequence[GpuRow]
    gpus_hidden: str | None  # a summary of the nodes that do not fit, if any
    tokens_per_second: Sequence[Point]  # cluster-wide, at the steps shown
    mfu: float  # fraction of peak, at the last step shown
    tflops_per_gpu: float
    nccl: Sequence[Stat]
    log: Sequence[str]  # the last lines of the log layout, with its own SGR
    processes: Sequence[Process] = ()  # none while the job is down
    history_seconds: float = 0.0  # simulated time the GPU rows' history spans
    aux_loss: float | None = None  # the router's load-balancing loss at the last step (MoE)
