"""How a model is spread over a cluster: DP × TP × PP, micro batches, memory and traffic.

A layout is what a training engineer would pick: tensor parallelism inside a node for
large models, pipeline stages for the largest, FSDP over what is left, then the largest
micro batch that memory holds (activation checkpointing only when it must), and gradient
accumulation up to the global batch. Every figure it shows is derived from the bytes
that each collective moves over the link it uses.
"""

from typing import NamedTuple

from genact_cast.generator import lora, moe, physics
from genact_cast.generator.catalog import Architecture, Gpu

MICRO_BATCHES = (16, 8, 4, 2, 1)
RECOMPUTE_ORDER = ("off", "selective", "full")
MEMORY_CEILING = 0.92  # of capacity: room for the allocator's fragmentation
MEMORY_FLOOR = 0.55  # below this, a real job would use a larger micro batch
# A pinned --gpus count keeps the memory its batch really uses (review-realism7 WARN 11), down
# to the fill of the emptiest published configuration the plans reproduce: OLMo 2 7B's
# 1,024 x 4,096-token batch on 512 B200 (Olmo Hybrid 7B, Lambda's blog), two sequences a GPU,
# 56.4 of 178.3 GiB (31.6 %). Below it the run's batch (plan_speed.batch_bound) has too few
# sequences for the GPUs and it would use fewer (review-realism9 F3: Llama 3.2 1B on 1,024
# GPUs, one sequence a GPU, 17 % full).
PINNED_MEMORY_FLOOR = 0.30


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
    # Ranks of the data-parallel group that shard the state between them: all of it
    # (FSDP / ZeRO-3), or a node or a few of them, replicated across the rest (HSDP).
    shard: int = 0  # 0: the whole data-parallel group
    dualpipe: bool = False  # DeepSeek-V3's schedule (moe.uses_dualpipe), not 1F1B
    # Megatron's distributed optimizer (lineup.whole_weights): every rank keeps its TP x PP
    # (x EP) shard's bf16 weights and fp32 gradients whole and shards only the optimizer
    # state; its weights are gathered once a step, never per block (distributed_state).
    whole_weights: bool = False

    @property
    def shard_group(self) -> int:
        return self.shard or self.dp

    @property
    def replicas(self) -> int:
        return self.dp // self.shard_group

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
        if self.pp == 1:
            return 0.0
        if self.dualpipe:
            return physics.dualpipe_bubble(self.pp, self.grad_accum)
        return physics.pipeline_bubble(self.pp, self.grad_accum)

    def describe(self) -> str:
        if self.replicas > 1:
            parts = [f"DP {self.dp} (HSDP: shard {self.shard_group} x replicate {self.replicas})"]
        elif self.whole_weights:  # Megatron's: the optimizer state alone is sharded
            parts = [f"DP {self.dp} (distributed optimizer)" if self.dp > 1 else "DP 1"]
        else:  # one data-parallel rank shards nothing
            parts = [f"DP {self.dp} (FSDP)" if self.dp > 1 else "DP 1"]
        if self.tp > 1:
            parts.append(f"TP {self.tp}")
        if self.pp > 1:
            parts.append(f"PP {self.pp}")
        described = " x ".join(parts)
        return described + (f", EP {self.ep}" if self.ep > 1 else "")


# HSDP shard groups: a node, or a few, with NVLink or a few IB hops inside.
SHARD_GROUPS = (8, 16, 32, 64)
# Above this many data-parallel ranks, a flat FSDP group's per-block gathers (each moving
# (n-1)/n of a block over InfiniBand, with latency growing with the ring) no longer hide
# behind a block's compute for small and mid models: people shard within nodes instead.
FLAT_FSDP_LIMIT = 256


# The largest dense model trained in public without tensor parallelism at scale: OLMo 2 32B
# (32.2B parameters; OLMo-2-0325-32B-train.py, HSDP alone).
HSDP_ONLY_PARAMS = 35e9


def model_parallel(
    arch: Architecture,
    gpus: int,
    method: str = "full",
    *,
    pretraining: bool = False,
    flat: bool = False,
) -> list[tuple[int, int]]:
    """(TP, PP) an engineer would try, best first: TP 8 inside a node past 30B parameters
    (TP 4 too), pipeline stages past 200B (Llama 3 405B: TP 8, PP 16 on 16,384 GPUs; 8 or
    4 stages on fewer). `pretraining`: from scratch or continued, not a fine-tune. `flat`:
    a framework that shards past 200B over its whole data-parallel group instead
    (lineup.flat_layout: ZeRO-3, as Tülu 3 405B's SFT ran on 256 H100)."""
    # A mixture of experts keeps TP 1 (its experts are small; DeepSeek-V3 trained without
    # TP) and splits its experts by EP instead.
    # LoRA and QLoRA shard their frozen weights with FSDP on a node or two: no TP either,
    # and no stages whatever the size (torchtune's llama3_1/405B_qlora.yaml runs
    # lora_finetune_distributed, FSDP alone, over 8 GPUs).
    single = arch.moe or method != "full"
    tensor = (1,) if single else (8,)
    if arch.params > 200e9 and (method != "full" or flat):
        options = [(1, 1)]
    elif arch.params > 200e9:
        stages = (16, 8, 4) if gpus >= 256 else (8, 4)
        options = [(tp, pp) for tp in tensor for pp in stages]
    elif arch.params > 30e9:
        # and, in pre-training a model of OLMo 2 32B's size where neither fills the GPUs,
        # none: HSDP alone, as OLMo 2 32B pre-trains (allenai/OLMo-core src/scripts/official/
        # OLMo2/OLMo-2-0325-32B-train.py: HSDP over groups of 64, no TP, micro batch 4 x
        # 4,096, 2 on 1,024 GPUs or more; review-realism17: Qwen3-32B on 2,048 H200 was
        # refused on 44 of 100 seeds, its TP 8 and 4 layouts filling under 30 % of 141 GB at
        # the recipe's batch)
        options = [(1, 1)] if single else [(8, 1), (4, 1)]
        if pretraining and not single and arch.params <= HSDP_ONLY_PARAMS:
            options.append((1, 1))
    else:
        options = [(1, 1), (2, 1)]
    return [(tp, pp) for tp, pp in options if gpus % (tp * pp) == 0 and gpus >= tp * pp]


def expert_parallelism(arch: Architecture, dp: int, method: str, flat: bool) -> int:
    """EP of a run: none for adapters (FSDP wraps the whole model, each GPU gathers every
    expert: peft, torchtune's LoRAGroupedExperts) nor for a framework that shards flat."""
    return moe.expert_parallel(arch, dp) if method == "full" and not flat else 1


def shard_options(arch: Architecture, dp: int, tp: int) -> list[int]:
    """Shard group sizes to try, 0 meaning the whole data-parallel group (flat FSDP):
    flat first where it hides, HSDP first at hundreds to thousands of ranks."""
    hsdp = [n for n in SHARD_GROUPS if n * tp <= 64 and n < dp and dp % n == 0]
    if arch.moe:
        # Experts split by EP inside the shard group (torchtitan's EP borrows from the
        # FSDP shard dimension; Megatron Core has HSDP for MoE since v0.13, MoE README), so
        # a group must hold the EP ranks: 8 inside a node, or 64 across nodes.
        ep = moe.expert_parallel(arch, dp)
        hsdp = [n for n in hsdp if n % ep == 0]
    if dp > FLAT_FSDP_LIMIT // tp:
        return [*hsdp, 0]
    return [0, *hsdp]


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
    shard: int = 0,
    method: str = "full",
    ep: int = 1,
    dualpipe: bool = False,
    whole_weights: bool = False,
) -> Memory:
    """REALISM.md's sum: sharded state + activations + logits + buffers (`ep`: the expert
    parallelism of a mixture of experts, whose share of experts a pipeline stage keeps
    gathered; `dualpipe`: DeepSeek-V3's schedule, which keeps two copies of the stage's
    weights and PP + 1 micro batches' activations, report Table 2; `whole_weights`:
    Megatron's distributed optimizer, distributed_state)."""
    layers = -(-arch.layers // pp)
    # 1F1B keeps up to `pp` micro batches alive on the first stage, DualPipe one more
    in_flight = pp + 1 if dualpipe else pp

    activations = in_flight * physics.activation_bytes(
        seq, micro, arch.hidden, arch.heads, layers, tp, checkpointed=checkpointed,
        selective=selective, stored=moe.stored_per_token(arch),
    ) + moe.permutation_bytes(arch, seq, micro, tp)  # fmt: skip
    sharers = gpus if not shard else shard * tp * pp
    # FSDP shards everything: the dense weights over the shard group, and under expert
    # parallelism each EP rank's experts over the ranks holding the same ones (torchtitan's
    # dp_shard_mod_ep: moe.expert_state_bytes), so that the state is 16 B x N / sharers
    # whatever EP is (REALISM.md, "Memory per GPU, derived").
    state = physics.static_memory_bytes(moe.sharded_params(arch, ep), sharers)
    state += moe.expert_state_bytes(arch, ep, moe.holders(sharers // (tp * pp), ep)) / (tp * pp)
    if method != "full":  # frozen weights and the adapters' state (LoRA, QLoRA)
        state = lora.state_bytes(arch, method, sharers)
    if whole_weights:
        state = distributed_state(arch, tp, pp, ep, sharers // (tp * pp))
    elif pp > 1:
        # The stage's weights stay gathered through its micro batches (torchtitan v0.2.0
        # models/llama4/infra/parallelize.py:318, `reshard_after_forward = not pp_enabled`,
        # for the block and the experts' unit alike, dense and MoE models alike; torch's
        # pipeline stage reshards after the last backward only): the dense weights and the
        # EP rank's share of the experts (review-realism5 FAIL 2), twice under DualPipe.
        copies = 2 if dualpipe else 1
        state += copies * physics.BF16_BYTES * moe.gathered_params(arch, ep) / (tp * pp)
    return Memory(
        state=state,
        activations=activations,
        logits=physics.logits_bytes(seq, micro, arch.vocab, tp),
        buffers=buffers_gib * physics.GIB,
    )


# validate_args sets accumulate_allreduce_grads_in_fp32 for bf16 ("bfloat16 requires
# gradient accumulation and all-reduce to be done in fp32", Megatron-LM core_v0.14.0
# arguments.py): 4-byte main grads.
MAIN_GRAD_BYTES = 4


def distributed_state(arch: Architecture, tp: int, pp: int, ep: int, instance: int) -> float:
    """Megatron-LM core_v0.14.0's distributed optimizer on one rank: bf16 weights and fp32
    gradients of its TP x PP (x EP for experts) shard whole, 6 bytes a parameter, and 12 of
    fp32 master weights and Adam moments sharded over one optimizer instance's `instance`
    data-parallel ranks, the experts' over that instance's expert data-parallel ranks
    (theoretical_memory_usage.py's 6 + 12/DP; distrib_optimizer.py shards each buffer over
    its data-parallel group, the experts' buffer over the expert data-parallel group of
    parallel_state, world / (ETP x EP x PP))."""
    dense = (arch.params - arch.routed) / (tp * pp)
    experts = arch.routed / (tp * pp * ep)
    whole = (physics.BF16_BYTES + MAIN_GRAD_BYTES) * (dense + experts)
    optimizer = physics.OPTIMIZER_BYTES_PER_PARAM * (
        dense / instance + experts / max(1, instance // ep)
    )
    return whole + optimizer


class Fit(NamedTuple):
    tp: int
    pp: int
    micro: int
    recompute: str
    memory: Memory
    shard: int = 0  # HSDP shard group, 0 for flat FSDP


def layout_options(
    arch: Architecture,
    gpu: Gpu,
    gpus: int,
    seq: int,
    *,
    max_micro: int,
    buffers_gib: float,
    method: str = "full",
    flat: bool = False,
    dualpipe: bool = False,
    pretraining: bool = False,
    whole_weights: bool = False,
) -> list[Fit]:
    """(TP, PP, micro batch, recompute, memory, shard group) that fit, best first.

    For each parallel layout an engineer would try: no activation checkpointing first
    (no recompute), then selective, then full; each with the largest micro batch that
    memory holds. Options whose memory sits between the floor and the ceiling come
    before those that leave the GPU half empty.
    """
    capacity = gpu.memory_gib * physics.GIB
    fitting: list[Fit] = []
    for tp, pp in model_parallel(arch, gpus, method, pretraining=pretraining, flat=flat):
        dp = gpus // (tp * pp)
        # `flat`: the framework shards over all of DP, no HSDP and no EP (lineup.FLAT_SHARDING).
        ep = expert_parallelism(arch, dp, method, flat)
        # `dualpipe`: the framework has the schedule; the layout takes it where it is
        # DeepSeek-V3's (moe.uses_dualpipe)
        paired = dualpipe and moe.uses_dualpipe(arch, ep, pp)
        for shard in shard_options(arch, dp, tp) if method == "full" and not flat else [0]:
            for recompute in ("off", "selective", "full"):
                for micro in MICRO_BATCHES:
                    if micro > max_micro:
                        continue
                    mem = memory(
                        arch, gpus, tp, pp, seq, micro, checkpointed=recompute == "full",
                        selective=recompute == "selective", buffers_gib=buffers_gib,
                        shard=shard, method=method, ep=ep, dualpipe=paired,
                        whole_weights=whole_weights,
                    )  # fmt: skip
                    if mem.total <= MEMORY_CEILING * capacity:
                        fitting.append(Fit(tp, pp, micro, recompute, mem, shard))
                        break
    full = [f for f in fitting if fills(f.memory.total, capacity)]

    # Of the layouts that fill the GPUs, the one that recomputes least first: a wider shard
    # group that holds the activations beats recomputing the forward (a quarter of the
    # kernels' work) to fit a narrower one (review-realism9 F3: Qwen3-30B-A3B under full
    # recompute in a shard group of 8 where one of 16 needs none).
    # (a flat FSDP group past FLAT_FSDP_LIMIT ranks stays behind HSDP, as shard_options
    # orders it: its gathers cannot hide)
    # Only among the shard groups of one model-parallel layout: recompute is not traded for
    # tensor parallelism (seed 6216's Llama-3.1-8B LoRA on 16 GPUs went TP 2 to leave out a
    # selective recompute of a few per cent, under the Trainer, which names no TP).
    mp_order: dict[tuple[int, int], int] = {}
    for f in fitting:
        mp_order.setdefault((f.tp, f.pp), len(mp_order))

    def rank(f: Fit) -> tuple[bool, int, int]:
        dp = gpus // (f.tp * f.pp)
        flat_wide = f.shard == 0 and dp > FLAT_FSDP_LIMIT // f.tp
        return flat_wide, mp_order[f.tp, f.pp], RECOMPUTE_ORDER.index(f.recompute)

    full.sort(key=rank)
    return full + [f for f in fitting if f not in full]


def fills(total: float, capacity: float, floor: float = MEMORY_FLOOR) -> bool:
    """Whether `total` bytes of memory fill at least `floor` of `capacity` bytes, with
    room for both being shown rounded to 0.1 GiB."""
    return total - 0.1 * physics.GIB >= floor * capacity
