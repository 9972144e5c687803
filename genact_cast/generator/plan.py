"""The run plan: every choice drawn once from the seed, every number derived from it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator import catalog, physics
from genact_cast.generator.budget import PhaseBudget, plan_budget
from genact_cast.generator.catalog import Architecture, Dataset, Framework, Gpu
from genact_cast.generator.curves import GradNormCurve, LossCurve, Spike
from genact_cast.generator.options import CLUSTER_SIZES, RecordOptions
from genact_cast.generator.rng import Rng

_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
_HOSTS = ("node", "gpu", "dgx", "hgx", "trn", "worker")
_USERS = ("alice", "bob", "mlops", "research", "train", "ubuntu")


class RunPlan(NamedTuple):
    options: RecordOptions
    model_name: str
    arch: Architecture
    gpu: Gpu
    dataset: Dataset
    framework: Framework
    nodes: int
    tensor_parallel: int
    seq_len: int
    micro_batch: int
    grad_accum: int
    mfu: float
    first_step_mfu: float
    epochs: int
    steps_per_epoch: int
    warmup_steps: int
    peak_lr: float
    memory_fraction: float
    storage_gbps: float
    bus_gbps: float
    loss: LossCurve
    grad_norm: GradNormCurve
    loss_noise: float
    start: datetime
    host_prefix: str
    user: str
    master_port: int
    budget: PhaseBudget
    scene_seed: int

    # Everything below is derived, never drawn.

    @property
    def gpus(self) -> int:
        return self.nodes * physics.GPUS_PER_NODE

    @property
    def data_parallel(self) -> int:
        return self.gpus // self.tensor_parallel

    @property
    def finetune(self) -> bool:
        return self.dataset.is_finetune

    @property
    def global_batch(self) -> int:
        """Sequences per optimizer step."""
        return self.data_parallel * self.micro_batch * self.grad_accum

    @property
    def global_batch_tokens(self) -> int:
        return self.global_batch * self.seq_len

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def flops_per_token(self) -> float:
        a = self.arch
        return physics.flops_per_token(a.params, a.layers, a.hidden, self.seq_len)

    def tokens_per_second(self, mfu: float | None = None) -> float:
        """Cluster-wide, at steady-state MFU unless told otherwise."""
        return physics.cluster_tokens_per_second(
            self.gpus, self.gpu.peak_tflops, self.mfu if mfu is None else mfu, self.flops_per_token
        )

    @property
    def step_seconds(self) -> float:
        return self.global_batch_tokens / self.tokens_per_second()

    @property
    def first_step_seconds(self) -> float:
        return self.global_batch_tokens / self.tokens_per_second(self.first_step_mfu)

    def learning_rate(self, step: int) -> float:
        return physics.learning_rate(step, self.peak_lr, self.warmup_steps, self.total_steps)

    @property
    def static_memory_gib(self) -> float:
        return physics.static_memory_bytes(self.arch.params, self.gpus) / physics.GIB

    @property
    def memory_gib(self) -> float:
        """Steady memory per GPU: sharded state plus activations."""
        return self.gpu.memory_gib * self.memory_fraction

    @property
    def reduce_bucket_bytes(self) -> float:
        """One transformer block's bf16 gradients: FSDP reduces them layer by layer."""
        return physics.BF16_BYTES * self.arch.params / self.arch.layers

    @property
    def allreduce_seconds(self) -> float:
        return physics.ring_allreduce_seconds(
            self.data_parallel, self.reduce_bucket_bytes, self.bus_gbps * physics.GB
        )

    @property
    def weights_bytes(self) -> float:
        return physics.BF16_BYTES * self.arch.params

    @property
    def optimizer_bytes(self) -> float:
        return physics.OPTIMIZER_BYTES_PER_PARAM * self.arch.params

    @property
    def checkpoint_seconds(self) -> float:
        return (self.weights_bytes + self.optimizer_bytes) / (self.storage_gbps * physics.GB)

    @property
    def export_shards(self) -> list[float]:
        a = self.arch
        return physics.safetensors_shards(
            a.params, a.layers, a.hidden, a.heads, a.kv_heads, a.vocab
        )

    @property
    def output_name(self) -> str:
        base = self.model_name.lower()
        return f"{base}-{self.dataset.name.lower()}-sft" if self.finetune else f"{base}-pretrain"

    @property
    def master(self) -> str:
        return f"{self.host_prefix}-000"


def make_plan(options: RecordOptions) -> RunPlan:
    """Draw every choice of the run from `options.seed`, honouring what the options pin.

    Each choice is drawn whether or not it is pinned, so pinning one (say `--gpu`)
    leaves the seed's other choices as they were.
    """
    options.check()
    rng = Rng(options.seed)
    choose, shape, curve, scene = rng.fork(), rng.fork(), rng.fork(), rng.fork()

    dataset = _choose_dataset(choose, options)
    gpu = _choose_gpu(choose, options)
    # Pre-training aims at a loss this far above the law's floor (ends near 2.0-2.4).
    excess_loss = choose.uniform(0.25, 0.5)
    arch, nodes = _choose_model_and_cluster(choose, options, gpu, excess_loss)
    model_name = _model_name(choose, arch, dataset, pinned=options.model is not None)
    framework = choose.pick([f for f in catalog.frameworks() if gpu.name in f.gpus])

    tensor_parallel = 8 if arch.params > 30e9 else 1
    seq_len = _sequence_length(shape, arch, dataset)
    # Micro batches as large as memory allows for the sequence length, then up to 16
    # accumulation steps towards the batch target; small clusters just train on less.
    micro_choices = {2048: (2, 4, 8), 4096: (1, 2, 4), 8192: (1, 1, 2)}[seq_len]
    micro_batch = shape.pick(micro_choices) if arch.params < 30e9 else 1
    data_parallel = nodes * physics.GPUS_PER_NODE // tensor_parallel
    batch_target = (
        math.exp(shape.uniform(math.log(0.25e6), math.log(2e6)))
        if dataset.is_finetune
        else math.exp(shape.uniform(math.log(1e6), math.log(16e6)))
    )
    grad_accum = min(16, max(1, round(batch_target / (data_parallel * micro_batch * seq_len))))
    batch_tokens = data_parallel * micro_batch * grad_accum * seq_len

    mfu = shape.uniform(0.33, 0.47)
    first_step_mfu = shape.uniform(0.05, 0.15)
    fpt = physics.flops_per_token(arch.params, arch.layers, arch.hidden, seq_len)
    physics.cluster_tokens_per_second(nodes * 8, gpu.peak_tflops, mfu, fpt)

    epochs = shape.integer(2, 3) if dataset.is_finetune else shape.integer(2, 4)
    if dataset.is_finetune:
        tokens_per_epoch = dataset.tokens
    else:
        tokens_per_epoch = min(dataset.tokens, _pretraining_tokens(arch, excess_loss) / epochs)
    steps_per_epoch = max(40, round(tokens_per_epoch / batch_tokens))
    total_steps = epochs * steps_per_epoch

    if dataset.is_finetune:
        peak_lr = shape.pick((1e-5, 1.5e-5, 2e-5))
        warmup = max(10, round(total_steps * shape.uniform(0.02, 0.05)))
    else:
        peak_lr = 3e-4 if arch.params < 30e9 else 1.5e-4 if arch.params < 200e9 else 8e-5
        warmup = min(2000, max(100, round(total_steps * shape.uniform(0.01, 0.05))))
    warmup = min(warmup, total_steps // 4)

    static_fraction = (
        physics.static_memory_bytes(arch.params, nodes * 8) / physics.GIB / gpu.memory_gib
    )
    memory_fraction = shape.uniform(max(0.55, static_fraction + 0.06), 0.95)

    loss, grad_norm, noise = _curves(curve, arch, dataset, batch_tokens, total_steps)

    intra = shape.uniform(*gpu.nvlink_gbps)
    bus_gbps = intra if nodes == 1 else shape.uniform(46, 48)

    start = options.start or _EPOCH + timedelta(
        days=scene.integer(0, 660), hours=scene.integer(7, 22), seconds=scene.integer(0, 3599)
    )
    return RunPlan(
        options=options,
        model_name=model_name,
        arch=arch,
        gpu=gpu,
        dataset=dataset,
        framework=framework,
        nodes=nodes,
        tensor_parallel=tensor_parallel,
        seq_len=seq_len,
        micro_batch=micro_batch,
        grad_accum=grad_accum,
        mfu=mfu,
        first_step_mfu=first_step_mfu,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        warmup_steps=warmup,
        peak_lr=peak_lr,
        memory_fraction=memory_fraction,
        # Shared file systems scale sublinearly with the writers: √nodes.
        storage_gbps=min(300.0, max(2.0, math.sqrt(nodes) * shape.uniform(0.6, 1.2))),
        bus_gbps=bus_gbps,
        loss=loss,
        grad_norm=grad_norm,
        loss_noise=noise,
        start=start,
        host_prefix=scene.pick(_HOSTS),
        user=scene.pick(_USERS),
        master_port=29500 if scene.chance(0.7) else scene.integer(29400, 29999),
        budget=plan_budget(scene, epochs, options.duration),
        scene_seed=scene.integer(0, 2**53),
    )


def _choose_dataset(rng: Rng, options: RecordOptions) -> Dataset:
    finetune = rng.chance(0.3)
    drawn = rng.pick([d for d in catalog.datasets() if d.is_finetune == finetune])
    if options.dataset is None:
        return drawn
    by_name = {d.name: d.name for d in catalog.datasets()}
    name = catalog.find("dataset", options.dataset, by_name)
    return next(d for d in catalog.datasets() if d.name == name)


def _choose_gpu(rng: Rng, options: RecordOptions) -> Gpu:
    drawn = rng.pick(catalog.gpus())
    if options.gpu is None:
        return drawn
    name = catalog.find("GPU", options.gpu, {g.name: g.name for g in catalog.gpus()})
    return next(g for g in catalog.gpus() if g.name == name)


def fits(arch: Architecture, gpu: Gpu, gpus: int) -> bool:
    """Sharded state must leave room for activations: at most 85 % of the GPU."""
    return physics.static_memory_bytes(arch.params, gpus) <= 0.85 * gpu.memory_gib * physics.GIB


def _pretraining_tokens(arch: Architecture, excess_loss: float) -> float:
    target = physics.chinchilla_floor(arch.params) + excess_loss
    return physics.chinchilla_tokens(arch.params, target)


def _estimated_days(arch: Architecture, gpu: Gpu, gpus: int, excess_loss: float) -> float:
    """Rough length of a pre-training run: 6N FLOPs per token at 40 % MFU."""
    tokens_per_s = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, 0.4, 6 * arch.params)
    return _pretraining_tokens(arch, excess_loss) / tokens_per_s / 86400


def _choose_model_and_cluster(
    rng: Rng, options: RecordOptions, gpu: Gpu, excess_loss: float
) -> tuple[Architecture, int]:
    arches = catalog.architectures()
    drawn_arch = rng.pick(arches)
    size_steps = rng.integer(0, 3)
    if options.model is not None:
        name = catalog.find("model", options.model, {a.name: a.name for a in arches})
        arch = next(a for a in arches if a.name == name)
    elif options.gpus is not None:
        fitting = [a for a in arches if fits(a, gpu, options.gpus)]
        arch = (
            drawn_arch
            if drawn_arch in fitting
            else fitting[arches.index(drawn_arch) % len(fitting)]
        )
    else:
        arch = drawn_arch

    if options.gpus is not None:
        if not fits(arch, gpu, options.gpus):
            need = next((n for n in CLUSTER_SIZES if fits(arch, gpu, n)), None)
            per_gpu = physics.static_memory_bytes(arch.params, options.gpus) / physics.GIB
            hint = f"; use --gpus {need} or more" if need else ""
            raise BadOption(
                f"{arch.name} does not fit on {options.gpus} {gpu.name} GPUs: its weights, "
                f"gradients and optimizer state take {per_gpu:.1f} GiB per GPU of "
                f"{gpu.memory_gib:.1f} GiB{hint}"
            )
        return arch, options.gpus // physics.GPUS_PER_NODE

    smallest = next((n for n in CLUSTER_SIZES if fits(arch, gpu, n)), CLUSTER_SIZES[-1])
    # Larger clusters for the same model, as long as one sequence per GPU stays a sane batch.
    candidates = [n for n in CLUSTER_SIZES if n >= smallest]
    tp = 8 if arch.params > 30e9 else 1
    sane = [n for n in candidates if n // tp * min(arch.max_seq, 8192) <= 16.8e6] or candidates[:1]
    # Nobody pre-trains for a year: start from a cluster that finishes within weeks.
    quick = [n for n in sane if _estimated_days(arch, gpu, n, excess_loss) <= 40] or sane[-1:]
    start = sane.index(quick[0])
    gpus = sane[min(start + size_steps, len(sane) - 1)]
    return arch, gpus // physics.GPUS_PER_NODE


def _model_name(rng: Rng, arch: Architecture, dataset: Dataset, *, pinned: bool) -> str:
    invented = rng.chance(0.4)
    family = rng.pick(catalog.invented_models())
    suffix = rng.pick(catalog.model_suffixes(dataset.kind))
    if pinned or not invented:
        return arch.name
    return f"{family}-{arch.size_label}{suffix}"


def _sequence_length(rng: Rng, arch: Architecture, dataset: Dataset) -> int:
    lengths = (2048, 4096) if dataset.is_finetune else (2048, 4096, 8192, 8192)
    return min(rng.pick(lengths), arch.max_seq)


def _curves(
    rng: Rng, arch: Architecture, dataset: Dataset, batch_tokens: int, total_steps: int
) -> tuple[LossCurve, GradNormCurve, float]:
    if dataset.is_finetune:
        initial = rng.uniform(1.8, 2.3)
        final: float | None = rng.uniform(0.8, 1.3)
        offset = 0.0
        noise = rng.uniform(0.02, 0.04)
    else:
        initial = math.log(arch.vocab) + rng.uniform(0.0, 0.5)
        final = None
        offset = physics.chinchilla_tokens(arch.params, initial)
        noise = rng.uniform(0.006, 0.014)
    spike = None
    if rng.chance(0.35):
        grad_step = rng.integer(total_steps // 5, total_steps * 4 // 5)
        spike = Spike(
            grad_step=grad_step,
            loss_step=grad_step + 1,
            grad_factor=rng.uniform(6.0, 20.0),
            loss_height=rng.uniform(0.15, 0.5),
            recovery_steps=max(5.0, total_steps * rng.uniform(0.01, 0.03)),
        )
    loss = LossCurve(
        arch.params, batch_tokens, total_steps, initial, final, offset, spike
    )  # fmt: skip
    grad = GradNormCurve(
        initial=rng.uniform(5.0, 50.0),
        settled=rng.uniform(0.15, 0.6),
        settle_steps=min(rng.uniform(15.0, 60.0), total_steps / 12),
        spike=spike,
    )
    return loss, grad, noise
