"""The run plan: every choice drawn once from the seed, every number derived from it.

A plan depends on the seed and the run options only (`RecordOptions.run_options`):
the terminal size, the duration and the speed change how a run is shown, never what
it does. They only reach the plan's `budget`, which the pacing reads.
"""

import functools
import math
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator import catalog, lineup, lora, moe, physics, tokenizers
from genact_cast.generator.budget import PhaseBudget, plan_budget
from genact_cast.generator.catalog import Architecture, Dataset, Framework, Gpu
from genact_cast.generator.curves import GradNormCurve, LossCurve, Spike, learned_tokens
from genact_cast.generator.layout import (
    MEMORY_FLOOR,
    Fit,
    Layout,
    Traffic,
    fills,
    layout_options,
    traffic,
)
from genact_cast.generator.lora import LoraPlan
from genact_cast.generator.moe import MoePlan
from genact_cast.generator.options import CLUSTER_SIZES, KINDS, RecordOptions
from genact_cast.generator.rng import Rng

_FIRST_DAY = date(2025, 1, 1)
_LAST_DAY = date(2026, 10, 31)
_HOSTS = ("node", "gpu", "dgx", "hgx", "trn", "worker")
_USERS = ("alice", "bob", "mlops", "research", "train", "ubuntu")
_KIND_ODDS = (("pretrain", 0.4), ("continue", 0.25), ("sft", 0.35))
# Pre-training from scratch takes one pass over a corpus larger than its budget (repeats are
# for data-constrained regimes, Muennighoff et al. 2023, not for a sample of a web corpus
# whose whole is at hand); continued pre-training one or two over its domain corpus.
_EPOCHS = {"pretrain": (1, 1), "continue": (1, 2), "sft": (2, 5)}
# Continued pre-training takes 5-500B tokens (Code Llama: 500B; Llemma: 50-55B; DeepSeekMath:
# 500B; Ibrahim et al. 2024: 100-300B) on a cluster sized for days, not weeks. Pre-training
# stops short of two months so that restarts' lost time keeps the whole under it.
_DAYS = {"pretrain": (0.5, 55.0), "continue": (0.25, 14.0), "sft": (1 / 24, 14.0)}
# Global batch: tokens for pre-training kinds, sequences for fine-tuning.
_BATCH = {"pretrain": (1e6, 16.8e6), "continue": (2e6, 16.8e6), "sft": (64, 512)}
KIND_LABELS = {
    "pretrain": "pre-training from scratch",
    "continue": "continued pre-training",
    "sft": "supervised fine-tuning",
}
EVAL_TOKENS = (2 * 2**20, 4 * 2**20, 8 * 2**20)  # a pre-training run's held-out set
GPU_HOURS_PER_FAILURE = 50_000  # Llama 3 405B: 419 interruptions in 54 days on 16,384 GPUs
# The Xids that kill a training job (NVIDIA's Xid catalogue; REALISM.md, "Failures"),
# the CUDA error the process on that GPU dies with, and whether the same node can take
# the job again: a contained ECC error (94) kills only the application, so torchrun's
# restart on the same hosts is what happens; the others need a GPU reset or a repair, so
# the scheduler drains the node and the job is requeued with a spare in its place.
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


class RunPlan(NamedTuple):
    options: RecordOptions
    kind: str
    model_name: str
    arch: Architecture
    gpu: Gpu
    dataset: Dataset
    framework: Framework
    nodes: int
    layout: Layout
    traffic: Traffic
    seq_len: int  # the longest sequence the run takes
    mfu: float
    first_step_mfu: float
    epochs: int
    steps_per_epoch: int
    warmup_steps: int
    peak_lr: float
    storage_gbps: float  # aggregate, of the parallel file system
    dp_gbps: float  # bus bandwidth of the data-parallel collectives
    nvlink_gbps: float
    loss: LossCurve
    grad_norm: GradNormCurve
    loss_noise: float
    checkpoint_every: int  # steps
    eval_samples: int
    failures: tuple[FailurePlan, ...]
    start: datetime
    host_prefix: str
    user: str
    master_port: int
    noise_seed: int
    budget: PhaseBudget
    scene_seed: int
    moe: MoePlan | None = None  # the experts' all-to-all, for a mixture of experts
    lora: LoraPlan | None = None  # the adapters of a LoRA or QLoRA fine-tune

    # Everything below is derived, never drawn.

    @property
    def gpus(self) -> int:
        return self.nodes * physics.GPUS_PER_NODE

    @property
    def async_saves(self) -> bool:
        """Whether step saves stage to host memory and write in the background: torch's
        async checkpointing (the genact log, torchtitan, Megatron's torch_dist); the HF
        Trainer and DeepSpeed's torch engine save synchronously."""
        return self.options.framework not in ("hf", "deepspeed")

    @property
    def epoch_saves(self) -> bool:
        """Whether the framework saves at an epoch's end between its interval saves: the
        genact log does; torchtitan, Megatron and the Trainer with save_strategy "steps" (on
        DeepSpeed too) save at interval multiples and the last step alone."""
        return self.options.framework == "genact"

    @property
    def launched_by_slurm(self) -> bool:
        """Whether Slurm's srun starts the job (Megatron on several nodes), so that a failed
        node can be drained and the job requeued on a spare; every other launch is a
        torchrun (or launcher) typed at the first node's shell."""
        return self.options.framework == "megatron" and self.nodes > 1

    @property
    def data_parallel(self) -> int:
        return self.layout.dp

    @property
    def tensor_parallel(self) -> int:
        return self.layout.tp

    @property
    def pipeline_parallel(self) -> int:
        return self.layout.pp

    @property
    def micro_batch(self) -> int:
        return self.layout.micro_batch

    @property
    def grad_accum(self) -> int:
        return self.layout.grad_accum

    @property
    def finetune(self) -> bool:
        return self.kind == "sft"

    @property
    def from_scratch(self) -> bool:
        return self.kind == "pretrain"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def tokens_per_sequence(self) -> int:
        """Every kind packs its examples into full-length sequences (TRL's packing=True)."""
        """Tokens a sequence holds on average: packed to the full length when pre-training."""
        return self.seq_len

    @property
    def global_batch(self) -> int:
        """Sequences per optimizer step."""
        return self.layout.global_batch

    @property
    def batch_examples(self) -> int:
        """Fine-tuning examples a step trains on, packed several to a sequence (recipes
        count 64-512 examples a step)."""
        return round(self.global_batch_tokens / self.dataset.tokens_per_example)

    @property
    def global_batch_tokens(self) -> int:
        return self.global_batch * self.tokens_per_sequence

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def total_tokens(self) -> int:
        return self.tokens_after(self.total_steps)

    def tokens_after(self, step: int) -> int:
        """Tokens trained once `step` steps are done: an epoch of fine-tuning ends on a
        short batch, so that each epoch is one pass over the examples, exactly."""
        if not self.finetune:
            return step * self.global_batch_tokens
        epochs, into = divmod(step, self.steps_per_epoch)
        per_epoch = int(self.dataset.tokens)
        return epochs * per_epoch + min(per_epoch, into * self.global_batch_tokens)

    @property
    def flops_per_token(self) -> float:
        a = self.arch
        method = self.lora.method if self.lora is not None else "full"
        return lora.flops(a, self.tokens_per_sequence, method)

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
        return self.layout.memory.state / physics.GIB

    @property
    def memory_gib(self) -> float:
        """Peak memory per GPU: state, activations, logits and buffers."""
        return self.layout.memory.total / physics.GIB

    @property
    def weights_bytes(self) -> float:
        return physics.BF16_BYTES * self.arch.params

    @property
    def optimizer_bytes(self) -> float:
        """fp32 master weights and Adam moments of what trains: every weight, or for LoRA
        the adapters' moments alone (a part of checkpoint_bytes)."""
        if self.lora is not None:
            return lora.OPTIMIZER_BYTES * self.lora.trainable
        return physics.OPTIMIZER_BYTES_PER_PARAM * self.arch.params

    @property
    def checkpoint_bytes(self) -> float:
        """bf16 weights and fp32 master weights, momentum and variance, sharded by rank; for
        LoRA, the adapters and their optimizer state only."""
        if self.lora is not None:
            return lora.CHECKPOINT_BYTES * self.lora.trainable
        return self.weights_bytes + self.optimizer_bytes

    @property
    def save_overhead_seconds(self) -> float:
        """torch.distributed.checkpoint's fixed costs of one save: the local and global
        plans (gathered to rank 0 and scattered back), the metadata file, one file created
        per rank. They grow with the ranks: about 2 s for 256, 9 s for 2,048."""
        return physics.checkpoint_overhead_seconds(self.gpus)

    @property
    def checkpoint_seconds(self) -> float:
        """The fastest save: its fixed costs, then the bytes at the file system's aggregate
        bandwidth (each save is slower by 0-35 %: other jobs share the file system)."""
        return self.save_overhead_seconds + self.checkpoint_bytes / (self.storage_gbps * physics.GB)

    @property
    def export_shards(self) -> list[float]:
        a = self.arch
        if self.lora is not None and self.lora.method == "qlora":  # the adapter, saved alone
            return [lora.EXPORT_BYTES * self.lora.trainable]
        if a.moe:
            return moe.safetensors_shards(a)
        return physics.safetensors_shards(
            a.params, a.layers, a.hidden, a.heads, a.kv_heads, a.vocab
        )

    @property
    def output_name(self) -> str:
        base = self.model_name.lower()
        suffix = {"pretrain": "pretrain", "continue": "cpt", "sft": "sft"}[self.kind]
        if self.lora is not None:  # a QLoRA export is the adapter alone
            suffix = self.lora.method if self.lora.method == "lora" else "qlora-adapter"
        data = self.dataset.name.lower().split("/")[0]
        return f"{base}-{suffix}" if self.kind == "pretrain" else f"{base}-{data}-{suffix}"

    @property
    def run_name(self) -> str:
        return f"{self.model_name.lower()}_{self.kind}"

    @property
    def master(self) -> str:
        return self.host(0)

    def host(self, node: int) -> str:
        return f"{self.host_prefix}-{node:03d}"

    @property
    def expected_failures(self) -> float:
        hours = self.total_steps * self.step_seconds / 3600
        return self.gpus * hours / GPU_HOURS_PER_FAILURE


def make_plan(options: RecordOptions) -> RunPlan:
    """Draw every choice of the run from `options.seed`, honouring what the options pin.

    Each choice is drawn whether or not it is pinned, so pinning one (say `--gpu`)
    leaves the seed's other choices as they were.
    """
    options.check()
    rng = Rng(options.seed)
    choose, shape, curve, scene = rng.fork(), rng.fork(), rng.fork(), rng.fork()

    kind = _choose_kind(choose, options)
    reason = (
        None
        if options.model is None
        else lineup.why_not(_find_model(options.model), options.framework, options.method)
    )
    if reason is not None:
        # One line that names what works: the models this framework's dialect does type.
        works = ", ".join(a.name for a in lineup.models() if lineup.trains(a, options.framework))
        raise BadOption(
            f"--model {options.model}: {reason}; --framework {options.framework} takes {works}"
        )
    pinned_moe = options.model is not None and _find_model(options.model).moe
    uncounted = None if options.model is None else lora.why_no_adapters(_find_model(options.model))
    if uncounted is not None and options.method in ("lora", "qlora"):
        instead = (
            "--method full"
            if lineup.serves(_find_model(options.model or ""), "sft")
            else ("--kind continue")
        )
        raise BadOption(f"--method {options.method}: {uncounted}; use {instead}")
    no_adapters = lineup.why_no_adapters(options.framework)
    if no_adapters is not None and options.method in ("lora", "qlora"):
        raise BadOption(f"--method {options.method}: {no_adapters}; use --method full")
    no_sft = lineup.why_no_sft(options.framework)
    if no_sft is not None and kind == "sft":
        pinned = f"--kind {kind}" if options.kind else f"--dataset {options.dataset}"
        raise BadOption(
            f"{pinned}: {no_sft}; use --kind pretrain or continue, "
            f"or --framework {lineup.SFT_FRAMEWORKS}"
        )
    # A pinned mixture of experts is fully fine-tuned unless --method asks for adapters.
    method = (
        (options.method or "full")
        if pinned_moe
        else lora.choose_method(options.seed, kind, options.method, no_adapters is None)
    )
    method_pinned = options.method is not None
    options = options._replace(method=method)
    gpu = _choose_gpu(choose, options)
    buffers_gib = shape.uniform(3.0, 6.0)
    mfu_draw = shape.random()
    first_step_mfu = shape.uniform(0.05, 0.15)
    batch_draw = shape.random()
    seq_draw = shape.random()
    framework, start = _choose_software_and_date(choose, scene, options, gpu)
    order = (choose.random(), choose.random())
    draws = (buffers_gib, mfu_draw, batch_draw, seq_draw)
    drawn_gpu = gpu
    kind, gpu, config = _feasible(options, kind, gpu, draws, order, start.date(), framework)
    if method == "qlora" and not method_pinned:
        # 4-bit weights are for a model whose bf16 weights the GPUs cannot hold (a 70B on a
        # node); where they can, the seed's adapter fine-tune is a LoRA (explicit --method
        # qlora is still honoured).
        bf16 = _bf16_adapters(options, kind, gpu, config, order[1])
        if bf16 is not None:
            method, config = "lora", bf16
            options = options._replace(method=method)
    if gpu != drawn_gpu and (gpu.name not in framework.gpus or usable_from(gpu) > start.date()):
        # Only a newer GPU makes the pinned run: a date and a torch build it has.
        again = Rng(options.seed ^ 0xD47E)
        framework, start = _choose_software_and_date(again.fork(), again.fork(), options, gpu)
    arch, dataset, layout, seq_len, epochs = config[:5]
    mfu_draw = config.draws[1]  # the middle draw where the seed's made no run
    model_name = _model_name(choose, arch, kind, dataset, pinned=options.model is not None)
    nodes = layout.gpus // physics.GPUS_PER_NODE

    nvlink = shape.uniform(*gpu.nvlink_gbps)
    dp_gbps = nvlink if nodes == 1 else shape.uniform(*gpu.ib_gbps)
    # The kernels' MFU again, and the step's compute at it; the drawn links' traffic then
    # says what of it is exposed, and the MFU shown is what is left.
    kernels = kernel_mfu(arch, gpu, layout, mfu_draw, method)
    fpt = lora.flops(arch, seq_len, method)
    compute = (
        layout.global_batch
        * seq_len
        / physics.cluster_tokens_per_second(layout.gpus, gpu.peak_tflops, kernels, fpt)
    )
    flow = traffic(arch, layout, seq_len, dp_gbps, nvlink, compute, method)
    mfu = kernels * compute / (compute + flow.exposed)

    batch = layout.global_batch
    if kind == "sft":  # packed sequences; the last step of an epoch takes what is left
        steps_per_epoch = -(-int(dataset.tokens) // (batch * seq_len))
    else:
        steps_per_epoch = max(20, round(dataset.tokens / (batch * seq_len)))
    total_steps = epochs * steps_per_epoch

    if kind == "sft":
        peak_lr = shape.pick((1e-5, 1.5e-5, 2e-5))
        if method != "full":  # adapters train at 1e-4 to 2e-4
            peak_lr = lora.learning_rate(arch, method)
        warmup = max(10, round(total_steps * shape.uniform(0.02, 0.05)))
    else:
        peak_lr = 3e-4 if arch.params < 30e9 else 1.5e-4 if arch.params < 200e9 else 8e-5
        recipe = catalog.recipes().get(arch.name)
        if recipe is not None:  # its published recipe (recipes.tsv: OLMo 2)
            peak_lr = recipe.peak_lr
        if kind == "continue":
            peak_lr /= shape.pick((2, 3, 5))
        warmup = min(2000, max(100, round(total_steps * shape.uniform(0.01, 0.05))))
        if recipe is not None and kind == "pretrain":
            warmup = recipe.warmup_steps
    warmup = min(warmup, total_steps // 4)

    tokens_per_step = batch * seq_len
    loss, grad_norm, noise = _curves(
        curve, arch, kind, tokens_per_step, total_steps, epochs, warmup, dataset.task,
        dataset.name,
    )  # fmt: skip

    # File systems give 2-10 GB/s per node, 50-500 GB/s in all for 16 nodes or more.
    storage = nodes * shape.uniform(2.0, 10.0)
    if nodes >= 16:
        storage = min(500.0, max(50.0, storage))
    step_seconds = tokens_per_step / physics.cluster_tokens_per_second(
        layout.gpus, gpu.peak_tflops, mfu, fpt
    )
    checkpoint_every = _checkpoint_interval(shape, step_seconds, steps_per_epoch)
    # A held-out set is fixed in size whatever the cluster: a few million tokens for a
    # pre-training run (torchtitan's validation caps its steps; OLMo's in-loop evaluation
    # sets are a few million tokens each), 1-5 k examples for a fine-tune.
    eval_samples = (
        shape.pick((1_000, 2_000, 5_000)) if kind == "sft" else shape.pick(EVAL_TOKENS) // seq_len
    )

    hours = total_steps * step_seconds / 3600
    failures = _failures(choose, options, layout.gpus, hours)

    experts = moe.plan(
        arch, layout.ep, layout.pp, layout.micro_batch, layout.grad_accum, seq_len, nvlink, dp_gbps
    )
    return RunPlan(
        options=options,
        kind=kind,
        model_name=model_name,
        arch=arch,
        gpu=gpu,
        dataset=dataset,
        framework=framework,
        nodes=nodes,
        layout=layout,
        traffic=flow,
        seq_len=seq_len,
        mfu=mfu,
        first_step_mfu=first_step_mfu,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        warmup_steps=warmup,
        peak_lr=peak_lr,
        storage_gbps=storage,
        dp_gbps=dp_gbps,
        nvlink_gbps=nvlink,
        loss=loss,
        grad_norm=grad_norm,
        loss_noise=noise,
        checkpoint_every=checkpoint_every,
        eval_samples=eval_samples,
        failures=failures,
        start=start,
        host_prefix=scene.pick(_HOSTS),
        user=scene.pick(_USERS),
        master_port=29500 if scene.chance(0.7) else scene.integer(29400, 29999),
        noise_seed=scene.integer(0, 2**53),
        budget=plan_budget(Rng(options.seed ^ 0x5EED), epochs, options.duration),
        scene_seed=scene.integer(0, 2**53),
        moe=experts,
        lora=lora.plan(arch, method),
    )


def _bf16_adapters(
    options: RecordOptions, kind: str, gpu: Gpu, config: "_Config", pick: float
) -> "_Config | None":
    """The same model as a LoRA on bf16 weights, if memory holds it: on the same data and
    GPUs, else on other GPU counts (LoRA runs faster: the same data may take under the
    shortest run on as many GPUs), else on other data of the kind."""
    arch, data, layout = config[:3]
    tries = (
        options._replace(method="lora", model=arch.name, dataset=data.name, gpus=layout.gpus),
        options._replace(method="lora", model=arch.name, dataset=data.name),
        options._replace(method="lora", model=arch.name),
    )
    for pinned in tries:
        found = _candidates(pinned, kind, gpu, *config.draws[:4])  # type: ignore[arg-type]
        if found:
            chosen = found[min(len(found) - 1, int(pick * len(found)))]
            return chosen._replace(draws=config.draws)
    return None


# Kind, hardware, software and date


def _choose_kind(rng: Rng, options: RecordOptions) -> str:
    roll = rng.random()
    no_sft = lineup.why_no_sft(options.framework)
    if options.kind is not None:
        return options.kind
    if options.method in ("lora", "qlora"):
        return "sft"
    if options.dataset is not None:
        return _find_dataset(options.dataset).kind
    if options.model is not None:
        arch = _find_model(options.model)
        if not lineup.serves(arch, "sft") or no_sft is not None:
            return "continue" if lineup.serves(arch, "continue") else "pretrain"
    drawn = KINDS[-1]
    for kind, odds in _KIND_ODDS:
        if roll < odds:
            drawn = kind
            break
        roll -= odds
    if drawn == "sft" and no_sft is not None:
        # Where the others fine-tune, a framework without SFT pre-trains or continues, in
        # their odds' proportion; every other draw is the other frameworks' own run.
        share = roll / dict(_KIND_ODDS)["sft"]
        others = [(kind, odds) for kind, odds in _KIND_ODDS if kind != "sft"]
        share *= math.fsum(odds for _, odds in others)
        return others[0][0] if share < others[0][1] else others[1][0]
    return drawn


def _find_model(name: str) -> Architecture:
    arches = lineup.models()
    found = catalog.find("model", name, {a.name: a.name for a in arches})
    return next(a for a in arches if a.name == found)


def _find_dataset(name: str) -> Dataset:
    sets = catalog.datasets()
    found = catalog.find("dataset", name, {d.name: d.name for d in sets})
    return next(d for d in sets if d.name == found)


def _choose_gpu(rng: Rng, options: RecordOptions) -> Gpu:
    drawn = rng.pick(catalog.gpus())
    if options.gpu is None:
        return drawn
    name = catalog.find("GPU", options.gpu, {g.name: g.name for g in catalog.gpus()})
    return next(g for g in catalog.gpus() if g.name == name)


def usable_from(gpu: Gpu) -> date:
    """The first day a run on `gpu` can happen: in service, and a torch build supports it."""
    builds = [f.released for f in catalog.frameworks() if gpu.name in f.gpus]
    return max(gpu.since, min(builds))


def _choose_software_and_date(
    choose: Rng, scene: Rng, options: RecordOptions, gpu: Gpu
) -> tuple[Framework, datetime]:
    """A start time at which the GPU is in service, and a torch build released before it."""
    # Every run is dated after the releases the framework dialects name (one floor for all,
    # so the run is the same whichever dialect shows it).
    first = max(_FIRST_DAY, usable_from(gpu), catalog.release_floor())
    if options.model is not None:  # the seed's day, after the pinned model came out
        first = max(first, _find_model(options.model).released + timedelta(days=1))
    days = scene.integer(0, (_LAST_DAY - first).days)
    hour, second = scene.integer(7, 22), scene.integer(0, 3599)
    pick = choose.random()
    if options.start is not None:
        start = options.start.astimezone(timezone.utc)
        if start.date() < usable_from(gpu):
            raise BadOption(
                f"no {gpu.name} run could start on {start:%Y-%m-%d}: the first torch build "
                f"for it came out on {usable_from(gpu):%Y-%m-%d}; use a later --start or "
                f"another --gpu"
            )
        arch = _find_model(options.model) if options.model is not None else None
        if arch is not None and not lineup.out_by(arch, start.date()):
            raise BadOption(
                f"no {arch.name} run could start on {start:%Y-%m-%d}: its weights came out on "
                f"{arch.released:%Y-%m-%d}; use a later --start or another --model"
            )
        late = [r for r in catalog.pinned(options.framework) if r.released >= start.date()]
        if late:
            raise BadOption(
                f"no {options.framework} run could be dated {start:%Y-%m-%d}: it names "
                f"{late[0].package} {late[0].version}, released {late[0].released:%Y-%m-%d}; "
                f"use a later --start"
            )
    else:
        day = first + timedelta(days=days)
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(
            hours=hour, seconds=second
        )
    # Teams pin a build for a while: one of the three newest a week before the start.
    released = [
        f
        for f in catalog.frameworks()
        if gpu.name in f.gpus and f.released <= start.date() - timedelta(days=7)
    ] or [f for f in catalog.frameworks() if gpu.name in f.gpus and f.released <= start.date()]
    recent = released[-3:]
    return recent[min(len(recent) - 1, int(pick * len(recent)))], start


# Model, data, cluster and layout, chosen together


class _Config(NamedTuple):
    arch: Architecture
    dataset: Dataset
    layout: Layout
    seq_len: int
    epochs: int
    mfu: float
    draws: tuple[float, ...] = ()


def _feasible(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    order: tuple[float, float],
    day: date,
    framework: Framework,
) -> tuple[str, Gpu, _Config]:
    """The seed's configuration; where the seed's draws make none for what is pinned, the
    middle draws, then (where not pinned) another GPU, then another kind of run: a
    configuration people really run is never refused because of how the seed fell."""
    middle = (draws[0], 0.5, 0.5, draws[3])
    gpus = [gpu]
    if options.gpu is None:
        now = [g for g in catalog.gpus() if usable_from(g) <= day and g.name in framework.gpus]
        # Then GPUs of a later date, where the start is not pinned (make_plan moves it).
        later = [g for g in catalog.gpus() if g not in now] if options.start is None else []
        gpus += [g for g in now + later if g != gpu]
    kinds = [kind]
    if options.kind is None and options.dataset is None:
        kinds += [k for k in KINDS if k != kind]
    first: BadOption | None = None
    for k in kinds:
        for candidate in gpus:
            for tried in (draws, middle):
                try:
                    config = _choose_config(options, k, candidate, tried, order, day)
                    return k, candidate, config
                except BadOption as refusal:
                    first = first or refusal
    assert first is not None
    raise first


def _choose_config(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    order: tuple[float, float],
    day: date,
) -> _Config:
    """A believable (model, data, cluster, layout, epochs) for `kind` on `gpu`.

    The seed orders the models; for the first model that can make a believable run,
    every candidate the pins allow is built and checked (tokens per parameter,
    wall-clock time, memory, traffic), and the seed picks one. None left for any
    model: a one-line refusal naming what would work.
    """
    first_model, pick = order
    if options.model is not None:  # old models are still trained when asked for
        models = [_find_model(options.model)]
    else:
        models = lineup.choosable(kind, day) or [
            a for a in lineup.models() if lineup.serves(a, kind)
        ]
    start = int(first_model * len(models))
    rotation = models[start:] + models[:start]
    if options.model is None and options.framework != "genact":
        seeds = _replaced(options, kind, gpu, draws, pick, rotation)
        if seeds is not None:
            return seeds._replace(draws=draws)
    candidates: list[_Config] = []
    for arch in rotation:
        if options.model is not None and arch != _find_model(options.model):
            continue
        candidates = _candidates(options, kind, gpu, *draws, arch)
        if candidates:
            break
    if not candidates:
        raise BadOption(_what_would_work(options, kind, gpu, draws, day))
    c = candidates[min(len(candidates) - 1, int(pick * len(candidates)))]
    return c._replace(draws=draws)


def _replaced(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    pick: float,
    rotation: list[Architecture],
) -> _Config | None:
    """Where the framework does not train the seed's model (lineup.why_not), the seed's run
    with only the model changed: the run genact plans for the seed, and in its place the
    first model of the seed's order that the framework trains with a configuration on the
    same GPUs, data and epochs (or as many of them as one allows), so that --framework
    changes how the run is printed, not the run (review-tt6 fault 10). None where the
    framework trains the seed's model (the candidates are then genact's, the same pick) or
    genact has no run for the seed."""
    generic = options._replace(framework="genact")
    seed: list[_Config] = []
    for arch in rotation:
        seed = _candidates(generic, kind, gpu, *draws, arch)
        if seed:
            break
    if not seed:
        return None
    chosen = seed[min(len(seed) - 1, int(pick * len(seed)))]
    if lineup.trains(chosen.arch, options.framework):
        return None
    best: tuple[tuple[bool, bool, bool], _Config] | None = None
    for arch in rotation:
        if not lineup.trains(arch, options.framework):
            continue
        for config in _candidates(options, kind, gpu, *draws, arch):
            key = (
                config.layout.gpus != chosen.layout.gpus,
                config.dataset.name != chosen.dataset.name,
                config.epochs != chosen.epochs,
            )
            if best is None or key < best[0]:
                best = (key, config)
        if best is not None and not any(best[0]):
            break
    return None if best is None else best[1]


def _candidates(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    buffers_gib: float,
    mfu_draw: float,
    batch_draw: float,
    seq_draw: float,
    only: Architecture | None = None,
) -> list[_Config]:
    arches = [a for a in lineup.models() if lineup.serves(a, kind)]
    if only is not None:
        arches = [a for a in arches if a == only]
    if options.model is not None:
        arch = _find_model(options.model)
        if not lineup.serves(arch, kind, options.method):
            return []
        arches = [arch]
    # A pinned model with adapters may need no stages where a full run would (405B QLoRA).
    adapters = options.method if options.model is not None else None
    arches = [a for a in arches if lineup.trains(a, options.framework, adapters)]
    if options.method in ("lora", "qlora") and options.model is None:
        arches = [a for a in arches if not a.moe]  # the seed's adapter runs: dense models
    sets = [d for d in catalog.datasets() if _serves(d, kind)]
    if options.dataset is not None:
        pinned = _find_dataset(options.dataset)
        if not _serves(pinned, kind):
            return []
        sets = [pinned]
    sizes = [options.gpus] if options.gpus is not None else list(CLUSTER_SIZES)
    if options.method in ("lora", "qlora"):  # adapters are trained on a node or two
        sizes = [n for n in sizes if n <= lora.MAX_GPUS]
    found: list[_Config] = []
    lengths = (2048, 4096) if kind == "sft" else (4096, 8192)
    epochs_range = range(_EPOCHS[kind][0], _EPOCHS[kind][1] + 1)
    low_days, high_days = _DAYS[kind]
    for arch in arches:
        seq = min(lengths[int(seq_draw * len(lengths))], arch.max_seq)
        for data in (tokenizers.in_tokens_of(d, arch) for d in sets):
            per_seq = seq
            method = options.method or "full"
            fpt = lora.flops(arch, per_seq, method)
            mfu_low, mfu_high = lora.mfu_range(arch, method)
            epochs = [
                e
                for e in epochs_range
                if kind != "pretrain"
                or lineup.fewest_tokens_per_param(arch) * arch.params
                <= e * data.tokens
                <= 2000 * arch.params
            ]
            for gpus in sizes:
                # A cheap bound first: at the best MFU, could the run last long enough and
                # at the worst, end soon enough? Only then build the layout.
                fastest = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu_high, fpt)
                slowest = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu_low, fpt)
                days = [(e, e * data.tokens / 86400) for e in epochs]
                days = [
                    (e, d) for e, d in days if d / fastest <= high_days and d / slowest >= low_days
                ]
                if not days:
                    continue
                packed = seq / data.tokens_per_example if kind == "sft" else 1.0
                built = _layout(
                    arch, kind, gpu, gpus, seq, per_seq, buffers_gib, batch_draw, mfu_draw, packed,
                    method,
                )  # fmt: skip
                if built is None:
                    continue
                layout, mfu, cluster_tps = built
                # A real job fills its GPUs (55-97 %): on a cluster so large that one
                # sequence per GPU leaves them half empty, it would use fewer GPUs.
                if not fills(layout.memory.total, gpu.memory_gib * physics.GIB):
                    continue
                for e, work in days:
                    if low_days <= work / cluster_tps <= high_days:
                        found.append(_Config(arch, data, layout, seq, e, mfu))
    return found


def _serves(data: Dataset, kind: str) -> bool:
    """Continued pre-training takes a domain corpus (math, code, papers, textbooks), never
    generic web text older than the released model's own mix."""
    return data.kind == kind


# Bounded: its key holds each run's random draws, so `run --forever` added every run's
# layouts for good (~10 KB a run, review-attack9 item 10); one plan tries a few dozen.
@functools.lru_cache(maxsize=1024)
def _layout(
    arch: Architecture,
    kind: str,
    gpu: Gpu,
    gpus: int,
    seq: int,
    per_seq: int,
    buffers_gib: float,
    batch_draw: float,
    mfu_draw: float,
    packed: float = 1.0,
    method: str = "full",
) -> tuple[Layout, float, float] | None:
    """The layout, steady MFU and cluster tokens/s of `arch` on `gpus`, or None.

    `packed`: examples a sequence holds (fine-tunes pack several short examples into
    one sequence; their batch bounds count examples)."""
    high = _BATCH[kind][1]
    if kind == "sft":
        sequences = high / packed
        if gpus > sequences:
            return None
        max_micro = max(1, int(sequences // gpus))
    else:
        max_micro = max(1, int(high // (gpus * seq)))
    options = layout_options(
        arch,
        gpu,
        gpus,
        seq,
        max_micro=max_micro,
        buffers_gib=buffers_gib,
        method=method,
    )
    for fit in options:
        built = _batch_and_speed(
            arch, kind, gpu, gpus, per_seq, fit, batch_draw, mfu_draw, packed, method
        )
        if built is not None:
            return built
    return None


def _batch_and_speed(
    arch: Architecture,
    kind: str,
    gpu: Gpu,
    gpus: int,
    per_seq: int,
    fit: Fit,
    batch_draw: float,
    mfu_draw: float,
    packed: float = 1.0,
    method: str = "full",
) -> tuple[Layout, float, float] | None:
    """Gradient accumulation up to the batch, MFU and speed; None if traffic cannot hide."""
    low, high = _BATCH[kind]
    dp = gpus // (fit.tp * fit.pp)
    # Batch target on a log scale between the kind's bounds, then whole micro steps; a
    # published recipe's own batch where the architecture has one (recipes.tsv).
    target = math.exp(math.log(low) + batch_draw * (math.log(high) - math.log(low)))
    recipe = catalog.recipes().get(arch.name)
    if recipe is not None and kind != "sft":
        target = recipe.batch_sequences * per_seq
    # Batch counted in tokens, or in examples (packed several to a sequence).
    unit = per_seq if kind != "sft" else packed
    accum = max(1, round(target / (dp * fit.micro * unit)))
    if fit.pp > 1:  # enough micro batches to keep the bubble small; a giant MoE's data-
        # parallel group is wide (no TP), so it stops at 2 per stage to stay under 16M tokens
        accum = max(accum, (2 if arch.moe else 6) * fit.pp)
    accum = min(accum, 256 if fit.pp > 1 else 32)
    # Adapter recipes wrap the whole model in FSDP (peft, torchtune's LoRAGroupedExperts):
    # each GPU gathers every expert of a block and runs its own tokens, no expert parallelism.
    ep = moe.expert_parallel(arch, dp) if method == "full" else 1
    layout = Layout(
        gpus, fit.tp, fit.pp, fit.micro, accum, fit.recompute == "full", fit.memory,
        selective=fit.recompute == "selective", ep=ep, shard=fit.shard,
    )  # fmt: skip
    if not low <= layout.global_batch * unit <= high:
        return None
    # The recipe's batch exactly (a smaller micro batch or TP reaches it); a cluster with more
    # data-parallel ranks than its sequences takes one micro batch a rank.
    if (
        recipe is not None
        and kind != "sft"
        and layout.global_batch != recipe.batch_sequences
        and not (dp > recipe.batch_sequences and accum == 1)
    ):
        return None
    mfu = kernel_mfu(arch, gpu, layout, mfu_draw, method)
    fpt = lora.flops(arch, per_seq, method)
    compute = (
        layout.global_batch
        * per_seq
        / physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu, fpt)
    )
    dp_gbps = float(gpu.nvlink_gbps[0]) if gpus == physics.GPUS_PER_NODE else gpu.ib_gbps[0]
    flow = traffic(arch, layout, per_seq, dp_gbps, float(gpu.nvlink_gbps[0]), compute, method)
    mfu *= compute / (compute + flow.exposed)
    if flow.all_gather * flow.all_gathers > 0.8 * compute:
        return None  # a step's gathers alone would outlast its compute: no overlap left
    if mfu < mfu_floor(arch, gpu, method):
        return None  # the gathers could not hide: another layout (HSDP, TP) would be used
    cluster_tps = physics.cluster_tokens_per_second(gpus, gpu.peak_tflops, mfu, fpt)
    step = layout.global_batch * per_seq / cluster_tps
    experts = moe.plan(
        arch, ep, fit.pp, fit.micro, accum, per_seq, gpu.nvlink_gbps[0], gpu.ib_gbps[0]
    )
    if experts is not None and experts.total > 0.5 * step:
        return None  # the experts' all-to-all would take most of the step
    return layout, mfu, cluster_tps


# Steady MFU of the kernels, before what communication cannot hide. B200 runs in bf16
# reach less of their higher peak: 38.2 % MFU for Llama 3 70B on 8 x B200 (newmind.ai's own
# benchmark on Together AI's B200s, 2025; torchao's on power-limited B200s: 22.5 % for
# Llama 3 8B), so their range ends at 40 %.
_MFU_HIGH_BY_GPU = {"B200": 0.40}
# and the least a dense B200 run shows once its exposed communication is off: first-hand
# B200 figures span 22.5 % (torchtitan on power-limited B200s) to 38.2 %, so 30 %, where
# Hopper's published runs start at 33 % (tests/data/realism/mfu_published.tsv).
_MFU_LOW_BY_GPU = {"B200": 0.30}
_MFU_LOW, _MFU_HIGH = moe.DENSE_MFU_RANGE
# The kernels' share starts a little above the shown floor: what communication cannot
# hide (a few per cent where the layout is sound) comes off it.
_KERNEL_LOW = 0.35


def mfu_floor(arch: Architecture, gpu: Gpu, method: str = "full") -> float:
    """The least steady MFU a run shows: its kind's floor, lower for dense runs on B200."""
    low = lora.mfu_range(arch, method)[0]
    if method == "full" and not arch.moe:
        low = min(low, _MFU_LOW_BY_GPU.get(gpu.name, low))
    return low


def kernel_mfu(
    arch: Architecture, gpu: Gpu, layout: Layout, draw: float, method: str = "full"
) -> float:
    """Steady MFU 0.33-0.47 (0.40 on B200; a mixture of experts 0.20-0.35; LoRA and QLoRA
    their own); pipelines lose their bubble on top of it."""
    if method != "full":  # a little above the floor: what cannot hide comes off it
        low, high = lora.MFU_RANGE[method]
        high = min(high, _MFU_HIGH_BY_GPU.get(gpu.name, high))
        return low + 0.02 + (high - low - 0.02) * draw
    by_size = moe.dense_mfu_range(arch.params)[1]  # larger matmuls reach more of the peak
    low, high = _KERNEL_LOW, min(by_size, _MFU_HIGH_BY_GPU.get(gpu.name, _MFU_HIGH))
    if arch.moe:
        low, high = moe.mfu_range(arch)
        return (
            max(low, (low + 0.04 + 0.1 * draw) * (1 - layout.bubble))
            if layout.pp > 1
            else (low + (high - low) * draw)
        )
    mfu = low + (high - low) * draw
    if layout.pp > 1:  # the kernels' efficiency, less the pipeline's bubble
        mfu = max(_KERNEL_LOW, (0.37 + (high - 0.37) * draw) * (1 - layout.bubble))
    return mfu


def _what_would_work(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    day: date,
) -> str:
    """One line: why the pinned options cannot make a believable run, and what can (among the
    models the run's day can choose, as the choice itself does)."""

    def works(opts: RecordOptions, k: str, g: Gpu) -> bool:
        if opts.model is not None:
            return bool(_candidates(opts, k, g, *draws))
        models = lineup.choosable(k, day) or [a for a in lineup.models() if lineup.serves(a, k)]
        return any(_candidates(opts, k, g, *draws, only=arch) for arch in models)

    pinned = [
        f"--{name} {value}"
        for name, value in (
            ("kind", options.kind),
            ("model", options.model),
            ("gpus", options.gpus),
            ("gpu", options.gpu),
            ("dataset", options.dataset),
        )
        if value is not None
    ]
    what = " ".join(pinned) or "these options"
    pinned_arch = _find_model(options.model) if options.model is not None else None
    if pinned_arch is not None and not lineup.serves(pinned_arch, kind, options.method):
        others = [k for k in KINDS if lineup.serves(pinned_arch, k)]
        low, high = lineup.SIZES[kind]
        if kind == "sft" and options.method in ("lora", "qlora") and low <= pinned_arch.params:
            return (
                f"{what} --method {options.method}: its frozen weights and adapters would "
                f"not fit {lora.MAX_GPUS} GPUs; use --method qlora or --kind continue"
            )
        if kind == "sft" and pinned_arch.params > high:
            return (
                f"{what}: a full fine-tune is for models of {low / 1e9:g}B to "
                f"{high / 1e9:g}B parameters; use --method lora or qlora, or --kind continue"
            )
        return (
            f"{what}: {KIND_LABELS[kind]} is for models "
            f"{f'of {low / 1e9:g}B to' if low else 'up to'} {high / 1e9:g}B parameters; "
            f"use --kind {' or --kind '.join(others)}"
        )
    if options.dataset is not None and not _serves(_find_dataset(options.dataset), kind):
        data = _find_dataset(options.dataset)
        return (
            f"{what}: {data.name} is data for {KIND_LABELS[data.kind]}, not for {KIND_LABELS[kind]}"
        )
    hints: list[str] = []
    if options.gpus is not None:
        sizes = [n for n in CLUSTER_SIZES if works(options._replace(gpus=n), kind, gpu)]
        if sizes:
            hints.append(f"--gpus {' or '.join(str(n) for n in sizes[:4])}")
    if options.gpu is not None:
        types = [g.name for g in catalog.gpus() if g.name != gpu.name and works(options, kind, g)]
        if types:
            hints.append(f"--gpu {' or '.join(types)}")
    if options.method == "lora" and works(options._replace(method="qlora"), kind, gpu):
        hints.append("--method qlora")  # 4-bit frozen weights: a quarter of the gathers
    if options.kind is not None or options.dataset is not None:
        kinds = [
            k
            for k in KINDS
            if k != kind
            and (options.dataset is None or _serves(_find_dataset(options.dataset), k))
            and works(options._replace(kind=k), k, gpu)
        ]
        if kinds:
            hints.append(f"--kind {' or '.join(kinds)}")
    hint = "; try " + ", or ".join(hints) if hints else "; pin fewer options"
    return (
        f"{what} cannot make a believable {kind} run on {gpu.name} GPUs (it would not fit in "
        f"memory, would fill less than {MEMORY_FLOOR:.0%} of it, or would take under "
        f"{_hours(_DAYS[kind][0] * 24)} or over "
        f"{_DAYS[kind][1]:g} days){hint}"
    )


def _hours(hours: float) -> str:
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _model_name(rng: Rng, arch: Architecture, kind: str, dataset: Dataset, *, pinned: bool) -> str:
    invented = rng.chance(0.4)
    family = rng.pick(catalog.invented_models())
    suffix = rng.pick(catalog.model_suffixes(kind, dataset.name) or ("",))
    # A model trained from scratch is not the released one: it carries a project's name
    # and the released architecture (shown beside it).
    if kind != "pretrain" and (pinned or not invented):
        return arch.name
    return f"{family}-{arch.size_label}{suffix}"


def _checkpoint_interval(rng: Rng, step_seconds: float, steps_per_epoch: int) -> int:
    """A round number of steps that saves every 1-3 hours of training (500-2,000 steps
    where that fits too); the epoch's own save where an epoch is shorter."""
    hours = rng.uniform(1.2, 2.8)
    nice = [int(m * 10**e) for e in range(6) for m in (1, 2, 2.5, 5)]
    in_hours = [n for n in nice if 3600 <= n * step_seconds <= 3 * 3600]
    both = [n for n in in_hours if 500 <= n <= 2000]
    pool = both or in_hours or nice
    every = min(pool, key=lambda n: abs(math.log(n * step_seconds / (hours * 3600))))
    return max(1, min(every, steps_per_epoch))


def _failures(rng: Rng, options: RecordOptions, gpus: int, hours: float) -> tuple[FailurePlan, ...]:
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


def _curves(
    rng: Rng,
    arch: Architecture,
    kind: str,
    tokens_per_step: int,
    total_steps: int,
    epochs: int,
    warmup: int,
    task: str = "lm",
    corpus: str = "",
) -> tuple[LossCurve, GradNormCurve, float]:
    params = moe.effective_params(arch)  # a mixture of experts learns like a mid-size model
    steps_per_epoch = total_steps // epochs
    drop = 0.0
    if kind == "sft":
        # Larger models fit the same examples better: about 1.0 at 7B, 0.75 at 70B.
        end = 1.0 - 0.075 * math.log2(params / 7e9) + rng.uniform(-0.1, 0.1)
        end = min(1.1, max(0.72, end))  # noise (±0.1 at most) keeps shown losses in 0.6-1.2
        # Each new pass over the same examples starts lower, by more than the noise
        # (±3.5σ) could hide.
        drop = rng.uniform(0.1, 0.16)
        # Room for the epochs' drops and a little decay: 1.3-1.9 at the start; templated
        # solutions (math) are more predictable: 1.2-1.4 shown, so the smooth curve starts
        # clear of 1.2 by the step noise (±3.5σ, 0.05 at most).
        start = rng.uniform(1.25, 1.4) if task == "math" else rng.uniform(1.3, 1.9)
        initial = max(start, min(1.9, end + 0.1 + 0.1 * (epochs - 1)))
        if epochs > 1:
            drop = min(drop, (initial - 0.1 - end) / (epochs - 1))
        final: float | None = end + drop * (epochs - 1)
        offset = 0.0
        noise = rng.uniform(0.008, 0.014)
    elif kind == "continue":
        # The released model's loss on general text by the law for its size and tokens, per
        # token of its own tokenizer (a larger vocabulary packs more text into a token);
        # then where its domain sits against that (domains.tsv: code about half of it,
        # mathematics two thirds, papers nine tenths), and the domain's fall over the run.
        # The draw (the run's sample of the corpus) moves the start by ±0.5 %, less than the
        # law's step from one size to the next: a larger model never starts above a smaller
        # one of its family on the same corpus.
        general = physics.chinchilla_loss(params, arch.released_tokens)
        general *= (arch.vocab / 32_000) ** 0.1
        domain = catalog.domains()[corpus]
        initial = general * domain.start * rng.uniform(0.995, 1.005)
        final = initial * (1 - rng.uniform(*domain.fall))
        offset = 0.0
        noise = rng.uniform(0.006, 0.009)  # within ±0.01-0.03 (Irwin-Hall: ±3.5σ)
    else:
        initial = math.log(arch.vocab) + rng.uniform(0.0, 0.5)
        final = None
        offset = physics.chinchilla_tokens(params, initial)
        noise = rng.uniform(0.006, 0.009)
    spike = None
    if rng.chance(0.35) and total_steps >= 50:
        grad_step = rng.integer(total_steps // 5, total_steps * 4 // 5)
        if kind == "sft" and steps_per_epoch >= 8:
            # Mid-epoch: a bump just after a boundary would hide the new pass's drop.
            into = grad_step % steps_per_epoch
            middle = steps_per_epoch // 2
            grad_step += steps_per_epoch // 4 + into % middle - into
        spike = Spike(
            grad_step=grad_step,
            loss_step=grad_step + 1,
            grad_factor=rng.uniform(6.0, 20.0),
            loss_height=rng.uniform(0.15, 0.5) * (0.5 if kind != "pretrain" else 1.0),
            # Real spikes settle within tens to hundreds of steps (or the run rolls back),
            # whatever the run's length: never a permanently higher loss.
            recovery_steps=min(rng.uniform(15.0, 120.0), max(3.0, total_steps / 20)),
        )
    learned = (
        learned_tokens(params, offset, tokens_per_step, warmup, total_steps)
        if final is None
        else ((), ())
    )
    loss = LossCurve(
        params, tokens_per_step, total_steps, initial, final, offset, spike,
        steps_per_epoch, drop, warmup, learned,
    )  # fmt: skip
    # Shown with ±28 % noise at most: 5-50 when pre-training starts, 1-5 for fine-tunes.
    start_norm = rng.uniform(8.0, 38.0) if kind == "pretrain" else rng.uniform(1.5, 3.8)
    grad = GradNormCurve(
        initial=start_norm,
        settled=min(rng.uniform(0.15, 0.6), start_norm * 0.5),
        settle_steps=min(rng.uniform(15.0, 60.0), total_steps / 12),
        spike=spike,
    )
    return loss, grad, noise


def fits(arch: Architecture, gpu: Gpu, gpus: int) -> bool:
    """Sharded state must leave room for activations: at most 85 % of the GPU."""
    return physics.static_memory_bytes(arch.params, gpus) <= 0.85 * gpu.memory_gib * physics.GIB
