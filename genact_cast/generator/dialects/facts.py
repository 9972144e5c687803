"""What a dialect needs to know about the run, and the releases it prints.

`Facts` gathers the plan's numbers in the shape the framework logs print them (exact parameter
counts, CUDA device names, the parallel layout), so the dialect modules never reach into the
plan itself.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from genact_cast.generator import catalog
from genact_cast.generator.rng import Rng

# torch.cuda.get_device_name() of each GPU of the catalog.
DEVICE_NAMES = {
    "A100": "NVIDIA A100-SXM4-80GB",
    "H100": "NVIDIA H100 80GB HBM3",
    "H200": "NVIDIA H200",
    "B200": "NVIDIA B200",
}


class Facts(NamedTuple):
    seed: int  # for the dialect's own incidental draws (pids, addresses), never the run's numbers
    start: datetime  # simulated wall clock of launch (t = 0)
    user: str
    hosts: tuple[str, ...]  # one per node, the first is the master
    port: int
    model_name: str
    family: str  # torchtitan's model name: "llama3", "llama2", "qwen2"...
    flavor: str  # torchtitan's flavor: "8B", "70B"...
    params: int  # exact, as the framework counts them
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    vocab: int
    ffn: int
    seq_len: int
    gpu: str  # catalog name: A100, H100, H200, B200
    capacity_gib: float
    peak_tflops: float
    dp: int
    tp: int
    pp: int
    micro_batch: int
    grad_accum: int
    total_steps: int
    warmup: int
    peak_lr: float
    epochs: int
    steps_per_epoch: int
    torch: str  # "2.5.1+cu124"
    cuda: str
    nccl: str
    dataset: str
    dataset_examples: int  # sequences (pre-training) or examples (fine-tuning) per epoch
    eval_samples: int
    held_out_examples: int  # a fine-tune's held-out examples, before packing (0 otherwise)
    kind: str  # "pretrain", "continue", "sft"
    recompute: str  # activation checkpointing: "off", "selective" or "full"
    state_gib: float  # sharded weights, gradients and optimizer state per GPU
    checkpoint_every: int  # steps between saves
    # steps between evaluations (plan_choices.evaluation_interval; steps_per_epoch: at the
    # epochs' ends, the Trainer's eval_strategy "epoch"), and between those the cast shows
    eval_every: int
    eval_shown: int
    nccl_cuda: str = ""  # the CUDA NCCL was compiled with, as its version line shows it
    versions: tuple[tuple[str, str], ...] = ()  # (package, version) pinned for the dialect
    arch: str = ""  # the architecture's catalog name ("Qwen3-30B-A3B"), whatever the run's name
    experts: int = 0  # routed experts per MoE layer (0: dense)
    top_k: int = 0  # experts each token goes to
    expert_ffn: int = 0  # one expert's intermediate size
    shared_experts: int = 0  # experts every token passes through
    ep: int = 1  # expert parallelism
    routed: int = 0  # parameters in the routed experts, all layers (0: dense)
    replicas: int = 1  # HSDP: data-parallel replicas of each shard group (1: flat FSDP)
    method: str = "full"  # "full", or LoRA / QLoRA adapters on frozen weights ("lora", "qlora")
    lora_rank: int = 0
    lora_alpha: int = 0
    lora_dropout: float = 0.0
    adapters: int = 0  # the adapters' parameters, the only trainable ones (0: full)
    chat: bool = False  # a fine-tune on conversations: its tokenizer has a chat template
    step_seconds: float = 0.0  # a steady optimizer step's mean duration (after the first)
    # a fine-tune's packed rows: the tokens a row holds on average (its examples', the rest
    # of it empty: packing.row_fill) and an epoch's (the set's); 0: rows full, no epochs
    row_tokens: float = 0.0
    epoch_tokens: int = 0
    # the plan's pipeline runs DeepSeek-V3's DualPipe (layout.dualpipe: torch 2.9's
    # ScheduleDualPipeV), not 1F1B
    dualpipe: bool = False
    nccl_debug: bool = False  # NCCL_DEBUG=INFO set (RunPlan.nccl_debug)

    def tokens_after(self, step: int) -> int:
        """Tokens trained once `step` steps are done (RunPlan.tokens_after): a fine-tune's
        epoch holds its set's tokens exactly, its rows a little short of full."""
        full = self.global_batch * self.seq_len
        if not self.row_tokens or not self.epoch_tokens:
            return step * full
        epochs, into = divmod(step, self.steps_per_epoch)
        batch = self.global_batch * self.row_tokens
        # each batch's rows hold what the packing put in them: the count wanders by up to
        # half a row about the mean (never a full row: it keeps rising), and an epoch's
        # end holds the set
        wander = (Rng(self.seed * 61 + step).random() - 0.5) * self.seq_len if into else 0.0
        return epochs * self.epoch_tokens + min(self.epoch_tokens, round(into * batch + wander))

    def version(self, package: str) -> str:
        """The pinned release of `package` ("transformers" -> "4.57.1")."""
        for name, version in self.versions:
            if name == package:
                return version
        raise KeyError(f"no release of {package} is pinned for this dialect")

    @property
    def evaluates_by_epoch(self) -> bool:
        """Whether the run evaluates at its epochs' ends only (a fine-tune)."""
        return self.eval_every == self.steps_per_epoch

    @property
    def saves_by_epoch(self) -> bool:
        """Whether the run's saves fall at its epochs' ends (an epoch shorter than the save
        interval, plan_choices.checkpoint_interval): the Trainer's save_strategy "epoch",
        as its users type it, not save_steps set to the epoch's step count
        (review-dialects20b W5)."""
        return self.checkpoint_every == self.steps_per_epoch

    def evaluates_at(self, step: int) -> bool:
        """Whether the training loop evaluates after `step` (every eval_every steps)."""
        return step % self.eval_every == 0

    def shows_evaluation(self, step: int) -> bool:
        """Whether the cast shows the evaluation after `step`: one of its subset, or an
        epoch's end (a phase of its own)."""
        return step % self.eval_shown == 0 or step % self.steps_per_epoch == 0

    @property
    def loaded(self) -> str:
        """The model a run that starts from released weights loads (continued pre-training, a
        fine-tune): that model as released, the catalogue's name, whatever the run's own
        (`MegaBrain-8B-Math` continues Qwen3-8B: genact's log loads /checkpoints/base/
        Qwen3-8B/, and every dialect loaded a `MegaBrain-8B-Math` not yet trained). A run
        from scratch names its own."""
        return self.model_name if self.kind == "pretrain" else self.arch or self.model_name

    @property
    def nodes(self) -> int:
        return len(self.hosts)

    @property
    def gpus(self) -> int:
        return self.nodes * 8

    @property
    def master(self) -> str:
        return self.hosts[0]

    @property
    def global_batch(self) -> int:
        return self.dp * self.micro_batch * self.grad_accum

    @property
    def device_name(self) -> str:
        return DEVICE_NAMES[self.gpu]

    def moment(self, t: float) -> datetime:
        """The wall clock `t` seconds after launch."""
        return self.start + timedelta(seconds=t)


class Stack(NamedTuple):
    """The software one dialect prints: its torch build and every release pinned to it."""

    torch: str
    cuda: str
    nccl: str
    nccl_cuda: str
    versions: tuple[tuple[str, str], ...]


def stack(dialect: str, fallback: catalog.Framework) -> Stack:
    """`dialect`'s pinned torch build and releases; a dialect with no pinned torch build
    prints the plan's (`fallback`)."""
    rows = catalog.pinned(dialect)
    builds = {f.torch: f for f in catalog.frameworks()}
    torch = next((builds[r.version] for r in rows if r.package == "torch"), fallback)
    versions = tuple((r.package, r.version) for r in rows if r.package != "torch")
    return Stack(torch.torch, torch.cuda, torch.nccl, torch.nccl_cuda or torch.cuda, versions)


def exact_parameters(
    params: float, layers: int, hidden: int, heads: int, kv_heads: int, vocab: int
) -> tuple[int, int]:
    """The exact parameter count of a Llama-shaped model near `params`, and its FFN width.

    Embedding and output (untied), per layer q/k/v/o and a SwiGLU MLP of width `ffn` plus two
    RMSNorms, and a final norm. The FFN width is what the nominal size leaves, rounded to 256
    as the architectures round it (Llama-3-8B: 14,336, 8,030,261,248 parameters).
    """
    head_dim = hidden // heads
    attention = 2 * hidden * hidden + 2 * hidden * kv_heads * head_dim
    fixed = 2 * vocab * hidden + hidden + layers * (attention + 2 * hidden)
    ffn = max(256, round((params - fixed) / (3 * hidden * layers) / 256) * 256)
    return fixed + 3 * hidden * ffn * layers, ffn
