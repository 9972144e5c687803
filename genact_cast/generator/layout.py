"""How a model is spread over a cluster: DP × TP × PP, micro batches, memory and traffic.

A layout is what a training engineer would pick: tensor parallelism inside a node for
large models, pipeline stages for the largest, FSDP over what is left, then the largest
micro batch that memory holds (activation checkpointing only when it must), and gradient
accumulation up to the global batch. Every figure it shows is derived from the bytes
that each collective moves over the link it uses.
"""

from typing import NamedTuple

from genact_cast.generator import moe, physics
from genact_cast.generator.catalog import Architecture, Gpu

MICRO_BATCHES = (16, 8, 4, 2, 1)
MEMORY_CEILING = 0.92  # of capacity: room for the allocator's fragmentation
MEMORY_FLOOR = 0.55  # below this, a real job would use a larger micro batch
IB_GBPS = (46.0, 48.0)  # InfiniBand NDR per NIC; one NIC per GPU


class Memory(NamedTuple):
    """Peak memory of one GPU, in bytes, by what holds it."""

    state: float  # bf16 weights and grads, fp32 master, momentum and variance, sharded
    activations: float
    logits: float
    buffers: float  # CUDA context, NCCL buffers, allocator slack

    @property
    def total(self) -> float:
        return self.state + self.activations + self.logits + self.buffers


class Layout(NamedTuple):
    gpus: int
    tp: int
    pp: int
    micro_batch: int  # sequences per GPU per micro step
    grad_accum: int  # micro steps per optimizer step (micro batches per pipeline)
    checkpointing: bool  # full activation checkpointing
    memory: Memory
    selective: bool = False  # selective activation checkpointing (attention recomputed)
    ep: int = 1  # expert parallelism: ranks of the data-parallel group that split the experts

    @property
    def recompute(self) -> str:
        """Activation checkpointing as training configs name it: off, selective or full."""
        return "full" if self.checkpointing else "selective" if self.selective else "off"

    @property
    def dp(self) -> int:
        return self.gpus // (self.tp * self.pp)

    @property
    def global_batch(self) -> int:
        """Sequences per optimizer step."""
        return self.dp * self.micro_batch * self.grad_accum

    @property
    def bubble(self) -> float:
        return physics.pipeline_bubble(self.pp, self.grad_accum) if self.pp > 1 else 0.0

    def describe(self) -> str:
        parts = [f"DP {self.dp} (FSDP)"]
        if self.tp > 1:
            parts.append(f"TP {self.tp}")
        if self.pp > 1:
            parts.append(f"PP {self.pp}")
        described = " x ".join(parts)
        return described + (f", EP {self.ep}" if self.ep > 1 else "")


def model_parallel(arch: Architecture, gpus: int) -> tuple[int, int] | None:
    """(TP, PP): TP 8 inside a node past 30B parameters, pipeline stages past 200B."""
    # A mixture of experts keeps TP 1 (its experts are small; DeepSeek-V3 trained without TP)
    # and splits its experts by EP instead.
    tp = 8 if arch.params > 30e9 and not arch.moe else 1
    pp = 1
    if arch.params > 200e9:
        pp = 16 if gpus >= 256 else 8
    if gpus % (tp * pp):
        return None
    return tp, pp


def memory(
    arch: Architecture,
    gpus: int,
    tp: int,
    pp: int,
    seq: int,
    micro: int,
    *,
    checkpointed: bool,
    buffers_gib: float,
    selective: bool = False,
) -> Memory:
    """REALISM.md's sum: sharded state + activations + logits + buffers."""
    layers = -(-arch.layers // pp)
    in_flight = pp  # 1F1B keeps up to `pp` micro batches alive on the first stage
    activations = in_flight * physics.activation_bytes(
        seq, micro, arch.hidden, arch.heads, layers, tp, checkpointed=checkpointed,
        selective=selective,
    )  # fmt: skip
    return Memory(
        state=physics.static_memory_bytes(arch.params, gpus),
        activations=activations,
        logits=physics.logits_bytes(seq, micro, arch.vocab, tp),
        buffers=buffers_gib * physics.GIB,
    )


Fit = tuple[int, int, int, str, Memory]  # TP, PP, micro batch, recompute, memory


def layout_options(
    arch: Architecture,
    gpu: Gpu,
    gpus: int,
    seq: int,
    *,
    max_micro: int,
    buffers_gib: float,
) -> list[Fit]:
    """(TP, PP, micro batch, recompute, memory) that fit, best first.

    No activation checkpointing first (no recompute), then selective, then full; each
    with the largest micro batch that memory holds. Options whose memory sits between
    the floor and the ceiling come before those that leave the GPU half empty.
    """
    parallel = model_parallel(arch, gpus)
    if parallel is None:
        return []
    tp, pp = parallel
    capacity = gpu.memory_gib * physics.GIB
    fitting: list[Fit] = []
    for recompute in ("off", "selective", "full"):
        for micro in MICRO_BATCHES:
            if micro > max_micro:
                continue
            mem = memory(
                arch, gpus, tp, pp, seq, micro, checkpointed=recompute == "full",
                selective=recompute == "selective", buffers_gib=buffers_gib,
            )  # fmt: skip
            if mem.total <= MEMORY_CEILING * capacity:
                fitting.append((tp, pp, micro, recompute, mem))
                break
    full = [f for f in fitting if fills(f[4].total, capacity)]
    return full + [f for f in fitting if f not in full]


def fills(total: float, capacity: float) -> bool:
    """Whether `total` bytes of memory fill at least MEMORY_FLOOR of `capacity` bytes, with
    room for both being shown rounded to 0.1 GiB."""
    return total - 0.1 * physics.GIB >= MEMORY_FLOOR * capacity


class Traffic(NamedTuple):
    """Seconds per call of each collective of one optimizer step, and their counts."""

    all_gather: float  # FSDP: one transformer block's weights
    reduce_scatter: float  # FSDP: one block's gradients
    tp_all_reduce: float  # TP: one activation tensor
    all_gathers: int
    reduce_scatters: int
    tp_all_reduces: int
    exposed: float  # what compute cannot hide, per step

    @property
    def total(self) -> float:
        return (
            self.all_gather * self.all_gathers
            + self.reduce_scatter * self.reduce_scatters
            + self.tp_all_reduce * self.tp_all_reduces
        )


def traffic(
    arch: Architecture,
    layout: Layout,
    seq: int,
    dp_gbps: float,
    nvlink_gbps: float,
) -> Traffic:
    """Each collective from the bytes it moves under `layout` over the link it uses."""
    layers = -(-arch.layers // layout.pp)
    held = moe.gathered_params(arch, layout.ep)  # each rank gathers its EP share of experts
    block_bytes = physics.BF16_BYTES * held / (layout.tp * layout.pp) / layers
    gather = physics.all_gather_seconds(layout.dp, block_bytes, dp_gbps * physics.GB)
    activation = physics.BF16_BYTES * seq * layout.micro_batch * arch.hidden
    tp_reduce = (
        physics.ring_allreduce_seconds(layout.tp, activation, nvlink_gbps * physics.GB)
        if layout.tp > 1
        else 0.0
    )
    gathers = 2 * layers * layout.grad_accum if layout.dp > 1 else 0
    scatters = layers if layout.dp > 1 else 0
    tp_reduces = 4 * layers * layout.grad_accum if layout.tp > 1 else 0
    # FSDP prefetches the next block while this one computes: only the first gather
    # and the last reduce-scatter are exposed. TP all-reduces sit on the critical path.
    exposed = (gather if gathers else 0.0) + (gather if scatters else 0.0) + tp_reduce * tp_reduces
    return Traffic(gather, gather, tp_reduce, gathers, scatters, tp_reduces, exposed)
