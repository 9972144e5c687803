"""A run's plan: every choice drawn once from the seed (plan.make_plan draws them), and every
number derived from them, never drawn."""

from datetime import datetime
from typing import NamedTuple

from genact_cast.generator import lora, moe, packing, physics
from genact_cast.generator.budget import PhaseBudget
from genact_cast.generator.catalog import Architecture, Dataset, Framework, Gpu
from genact_cast.generator.curves import GradNormCurve, LossCurve
from genact_cast.generator.layout import Layout
from genact_cast.generator.links import Links
from genact_cast.generator.lora import LoraPlan
from genact_cast.generator.moe import MoePlan
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan_candidates import KIND_LABELS
from genact_cast.generator.plan_failures import GPU_HOURS_PER_FAILURE, FailurePlan
from genact_cast.generator.rng import Rng
from genact_cast.generator.traffic import Traffic

# NCCL_DEBUG=INFO: set by one job in this many, never past this many nodes (RunPlan.nccl_debug)
NCCL_DEBUG_JOBS = 5
NCCL_DEBUG_NODES = 8
# the dialects whose terminal gets every node's processes' NCCL lines (srun, pdsh)
EVERY_NODE = ("megatron", "deepspeed")


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
    links: Links  # bus bandwidth of each collective group (links.links)
    loss: LossCurve
    grad_norm: GradNormCurve
    loss_noise: float
    checkpoint_every: int  # steps
    eval_samples: int
    eval_every: int  # steps between evaluations on the held-out set (plan_choices)
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
    held_out_examples: int = 0  # a fine-tune's held-out examples (held_out_set)

    # Everything below is derived, never drawn.

    @property
    def gpus(self) -> int:
        return self.nodes * physics.GPUS_PER_NODE

    @property
    def async_saves(self) -> bool:
        """Whether step saves stage to host memory and write in the background: torch's
        async checkpointing (the genact log, torchtitan's async_mode "async"). The HF Trainer
        and DeepSpeed's torch engine save synchronously, and so does Megatron-LM without
        --async-save, as its arguments print it (`async_save None`, core_v0.14.0): its
        `successfully saved checkpoint` line comes once the write has ended (checkpointing.py:
        615, `iter_finalize_fn` called at once when not async), not when staging has."""
        return self.options.framework not in ("hf", "deepspeed", "megatron")

    @property
    def nccl_debug(self) -> bool:
        """Whether the job's user sets NCCL_DEBUG=INFO, as every dialect's command then shows:
        most jobs leave it unset, and NCCL prints nothing then (NCCL_LOG_NONE, src/debug.cc:
        49-50 at v2.27.5-1); one in NCCL_DEBUG_JOBS here, on up to NCCL_DEBUG_NODES nodes,
        where every process's start-up (about fifteen lines each) is still worth reading.
        `--nccl-debug on|off` pins it (make_plan refuses on past NCCL_DEBUG_NODES nodes where
        every node prints, EVERY_NODE); the draw has its own stream, so pinning it moves no
        other choice of the seed."""
        if self.options.nccl_debug is not None:
            return self.options.nccl_debug
        if self.nodes > NCCL_DEBUG_NODES:
            return False
        return Rng(self.scene_seed * 8147).random() < 1 / NCCL_DEBUG_JOBS

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
        """The length of a sequence (a packed row's, a fine-tune's)."""
        return self.seq_len

    @property
    def row_tokens(self) -> float:
        """Tokens a sequence holds on average: the full length when pre-training (documents
        are concatenated and cut), a little less for a fine-tune, whose packing never cuts
        an example (packing.row_fill)."""
        if not self.finetune:
            return float(self.seq_len)
        return self.seq_len * packing.row_fill(self.dataset.tokens_per_example, self.seq_len)

    @property
    def batch_tokens_trained(self) -> float:
        """Tokens a step trains on (and takes the time of: padding-free rows hold no pads)."""
        return self.global_batch * self.row_tokens

    @property
    def global_batch(self) -> int:
        """Sequences per optimizer step."""
        return self.layout.global_batch

    @property
    def batch_examples(self) -> int:
        """Fine-tuning examples a step trains on, packed several to a sequence (recipes
        count 64-512 examples a step)."""
        return round(self.batch_tokens_trained / self.dataset.tokens_per_example)

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
        return epochs * per_epoch + min(per_epoch, round(into * self.batch_tokens_trained))

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
        return self.batch_tokens_trained / self.tokens_per_second()

    @property
    def first_step_seconds(self) -> float:
        return self.batch_tokens_trained / self.tokens_per_second(self.first_step_mfu)

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
