"""What happened in the run: typed events in simulated wall-clock time.

The run (`generator.run`) turns a plan into these events; presenters (the `log`
layout in each framework dialect, the dashboard) turn them into what a terminal
shows. Every event carries `t`, seconds of simulated wall clock since launch.

Training itself is not one event per optimizer step (a run has up to a few hundred
thousand): `Trained` says which contiguous steps ran when, and `Run.step(k, attempt)`
gives any step's numbers on demand, as pure functions of the seed and the step.
"""

from typing import NamedTuple


class Launched(NamedTuple):
    """torchrun started the worker processes on every node."""

    t: float
    attempt: int  # 0 for the first launch, then one more per restart


class Rendezvous(NamedTuple):
    t: float


class CommReady(NamedTuple):
    """The NCCL communicators are up (Init COMPLETE)."""

    t: float


class ModelReady(NamedTuple):
    """Weights initialized from scratch, or loaded from a checkpoint at storage speed."""

    t: float
    loaded_from: str | None  # checkpoint path, or None when initialized from scratch
    seconds: float  # how long building the model and initializing or loading took
    reading: float = 0.0  # of which reading the checkpoint from storage


class DataReady(NamedTuple):
    t: float


class EpochStarted(NamedTuple):
    t: float
    epoch: int  # from 1
    first_step: int


class Trained(NamedTuple):
    """Steps `first`..`last` ran back to back, ending at `t` (the end of step `last`)."""

    t: float
    t_start: float
    epoch: int
    first: int
    last: int
    attempt: int


class Notice(NamedTuple):
    """Something worth a log line during training: a GC pause, a straggler, a clipped step."""

    t: float
    step: int
    kind: str  # "gc", "straggler", "dataloader", "clip"
    message: str  # framework-neutral text; presenters may re-render from `fields`
    fields: tuple[tuple[str, str], ...]


class CheckpointSaved(NamedTuple):
    """A checkpoint of `step`: training blocked `blocking` seconds (of which `waited` for the
    previous save's write to end), the write took `seconds` after that wait. A step the
    framework does not save at (an epoch's end outside its interval) has an empty path
    and no time."""

    t: float
    step: int
    path: str
    size_bytes: float
    blocking: float
    seconds: float
    at_epoch_end: bool
    waited: float = 0.0
    # When the first part of the write ended, from the save's start: the HF Trainer's
    # consolidated weights, whose shard line save_pretrained logs once they are written.
    weights_seconds: float = 0.0


class Evaluated(NamedTuple):
    """Evaluation on the fixed held-out set after `step`."""

    t: float
    epoch: int
    step: int
    samples: int
    seconds: float
    loss: float
    metrics: tuple[tuple[str, float], ...]  # name and value, in the order to show them
    # generating the outputs that ROUGE or BLEU score, after the loss pass (generation_time)
    generation_seconds: float = 0.0

    @property
    def began(self) -> float:
        return self.t - self.seconds - self.generation_seconds


class EpochEnded(NamedTuple):
    t: float
    epoch: int
    step: int


class Failed(NamedTuple):
    """A hardware fault ended the launch: the faulty process dies with its CUDA error and its
    launcher stops the rest, or it hangs and its peers' NCCL watchdogs time out."""

    t: float
    step: int  # the step in flight
    host: str
    rank: int
    local_rank: int
    xid: int
    xid_text: str
    op: str  # the collective that timed out, e.g. "_ALLGATHER_BASE"
    seq: int
    timeout_ms: int
    ran_ms: int
    # The process on the faulty GPU dies at once with this CUDA error (`t_fault`); the
    # watchdog that times out (at `t`) is a peer's: `peer` (rank 0 where the log is rank 0's).
    cuda_error: str = "uncorrectable ECC error encountered"
    t_fault: float = 0.0
    peer: int = 0
    same_node: bool = True  # the host stays up; else it is lost and drained
    # torchrun gives up here: its --max_restarts are used (or, under Slurm, the node is
    # lost): the launcher exits and the job is started anew (Restarted.requeued).
    exits: bool = False
    # When each restart's worker failed again at CUDA initialisation on the same broken
    # GPU before torchrun gave up (FailurePlan.kind "gpu"): its remaining --max_restarts.
    retried: tuple[float, ...] = ()
    # How the fault ends the faulty process (plan_failures.ENDS): "dies" at `t_fault` with
    # `cuda_error` and exits; "stuck": gets the same error at `t_fault` but cannot exit while
    # its GPU waits for a reset; "hangs": its GPU (or host) stops answering, and it prints
    # nothing.
    ends: str = "hangs"
    # Who ends the peers: their NCCL watchdogs at `t` (`timeout_ms` after the hung
    # collective began) when True; when False the faulty node's launcher, which saw its
    # worker exit within its monitor interval, stops its other workers at `t` (its
    # SIGTERMs), and the other nodes' agents restart theirs at the next rendezvous round.
    watchdog: bool = True
    # Each node's torchrun agent's restarts left before this failure (by node; empty where
    # none was counted): torch 2.9.0 counts a restart only for the agent whose own worker
    # group failed, not for another node's return to the rendezvous
    # (elastic/agent/server/api.py:898-928).
    left: tuple[int, ...] = ()
    # The nodes whose agent has none left when its group fails here (after `retried`): each
    # raises ChildFailedError and closes the rendezvous, and the launch ends (`exits`).
    gives_up: tuple[int, ...] = ()
    # How far into the step's works on its group the hung collective was, in [0, 1): the
    # position `seq` counts, for the dialects that count their framework's own works.
    within: float = 0.0

    @property
    def errors(self) -> bool:
        """The faulty process reports its CUDA error (it dies, or is stuck after it)."""
        return self.ends != "hangs"

    @property
    def retries(self) -> int:
        return len(self.retried)


class Restarted(NamedTuple):
    """torchrun restarted the workers; the run reloads `checkpoint` and goes back to `step`."""

    t: float
    attempt: int
    checkpoint: str
    step: int  # the last step the checkpoint holds; training resumes at step + 1
    lost_seconds: float  # redone steps and the restart, each second once (docs/realism.md)
    requeued: bool = False  # the job started anew: requeued by Slurm, or run again by hand
    drained: str = ""  # the host taken out of the job (a spare took its place)
    # The shell's node's torchrun agent's restarts left when its own worker group failed
    # here (the "N/M attempts left" it logs); -1 where its group did not fail (another
    # node's worker died) and it restarted for that node's return to the rendezvous, which
    # does not count (torch 2.9.0 elastic/agent/server/api.py:898-928).
    shell_left: int = -1
    spare: str = ""  # the host that took the drained one's place
    gave_up: str = ""  # the host whose torchrun used its --max-restarts (`requeued`)


class Exported(NamedTuple):
    t: float
    path: str
    shards: tuple[float, ...]  # bytes per safetensors shard
    seconds: float


class Finished(NamedTuple):
    t: float
    step: int


RunEvent = (
    Launched
    | Rendezvous
    | CommReady
    | ModelReady
    | DataReady
    | EpochStarted
    | Trained
    | Notice
    | CheckpointSaved
    | Evaluated
    | EpochEnded
    | Failed
    | Restarted
    | Exported
    | Finished
)


class StepStats(NamedTuple):
    """One optimizer step as the framework measures it."""

    step: int
    epoch: int
    attempt: int
    t: float  # wall clock at the end of the step
    seconds: float  # this step's duration
    loss: float
    grad_norm: float
    lr: float
    tokens_per_second: float  # cluster-wide
    tflops_per_gpu: float
    mfu: float  # fraction of peak
    memory_gib: float  # peak allocated per GPU
    aux_loss: float | None = None  # the router's load-balancing loss, as logged (MoE only)
    z_loss: float | None = None  # the z-loss, where the recipe trains with one
