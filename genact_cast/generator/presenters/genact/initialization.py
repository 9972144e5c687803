"""Launcher warnings, rendezvous, NCCL set-up, the layout, and the model and data ready."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from genact_cast.generator import held_out_set, physics
from genact_cast.generator import style as fmt
from genact_cast.generator.catalog import Router
from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.hf_model import released_parameters
from genact_cast.generator.events import CommReady, DataReady, ModelReady, Rendezvous, RunEvent
from genact_cast.generator.lora import targets
from genact_cast.generator.moe import moe_layers, router
from genact_cast.generator.presenters.genact.show import Show

# torch/distributed/run.py line of the OMP_NUM_THREADS warning of the releases before those
# of `torchrun.torch_source` (which every later release reads, as the dialects do).
OLD_OMP_WARNING_LINE = {"2.1": 785, "2.2": 793}


def initialization(show: Show, events: Sequence[RunEvent], budget: float) -> None:
    con, plan = show.con, show.plan
    rng = con.rng
    pace = con.pacer(budget, 14)
    pid = rng.integer(20000, 99999)
    _torchrun_banner(show, pid)
    pace()
    con.log("Initializing distributed training environment...")
    for event in events:
        # The model's lines: building starts when the communicators are up, and the line
        # that says how long it took is logged when it is done.
        con.at(event.t - event.seconds if isinstance(event, ModelReady) else event.t)
        if isinstance(event, Rendezvous):
            con.log(
                f"Rendezvous complete: master_addr={plan.master} master_port={plan.master_port} "
                f"group_rank=0 group_world_size={plan.nodes} local_world_size=8 "
                f"world_size={plan.gpus}"
            )
            pace()
            nodes = f"{plan.nodes} node{'s' if plan.nodes > 1 else ''}"
            con.log(f"Setting up NCCL backend ({plan.gpus} GPUs across {nodes})")
            con.log(f"Master: {plan.master}, Port: {plan.master_port}")
            pace()
        elif isinstance(event, CommReady):
            init_pid = pid + rng.integer(1, 40)
            if plan.nccl_debug:  # NCCL prints nothing unless the job sets NCCL_DEBUG
                _nccl_init(show, init_pid)
            pace()
        elif isinstance(event, ModelReady):
            _model(show, event)
            pace()
        elif isinstance(event, DataReady):
            _data(show)
            pace()
    pace.finish()
    con.natural_break()


def _torchrun_banner(show: Show, pid: int) -> None:
    """torchrun's glog warning as the run's torch prints it: the dialects' one table of
    source lines (`torchrun.torch_source`), its empty first line and its install path."""
    con, plan = show.con, show.plan
    moment = con.now + timedelta(milliseconds=con.rng.integer(0, 999))
    version = plan.framework.torch
    try:
        source = torchrun.torch_source(version)
    except ValueError:  # 2.1 and 2.2: the lines of the releases no dialect pins
        minor = ".".join(version.split(".")[:2])
        source = torchrun.torch_source("2.3")._replace(
            run_py=OLD_OMP_WARNING_LINE[minor], thread_ids=False
        )
    for line in torchrun.banner(moment, pid, source, site=torchrun.torch_site(version)):
        con.text(line, indent="")


def _nccl_init(show: Show, pid: int) -> None:
    con, plan = show.con, show.plan
    rng = con.rng
    prefix = f"{plan.master}:{pid}:{pid} [0] NCCL INFO"
    subnet = f"10.{rng.integer(0, 200)}.{rng.integer(0, 250)}"
    multi = plan.nodes > 1
    interface = "ib0" if multi else "eth0"
    channels = 32 if multi else 24
    nics = " ".join(f"[{i}]mlx5_{i}:1/IB" for i in range(8))
    comm = rng.integer(0x55D000000000, 0x55DFFFFFFFFF) & ~0xF  # 16-byte aligned
    ring = plan.gpus if plan.gpus <= 16 else 0
    address = f"{subnet}.{rng.integer(2, 250)}"  # the master's own, for both uses
    # the NCCL wheel's own build, whatever torch's CUDA (one release, one build string)
    build = plan.framework.nccl_cuda or plan.framework.cuda
    messages = [
        f"Bootstrap : Using {interface}:{address}<0>",
        f"NCCL version {plan.framework.nccl}+cuda{build}",
        f"NET/IB : Using {nics} ; OOB {interface}:{address}<0>"
        if multi
        else f"NET/Socket : Using [0]{interface}:{address}<0>",
        f"Using network {'IB' if multi else 'Socket'}",
    ]
    if ring:
        messages.append(f"Channel 00/{channels} :    " + " ".join(f"{r:>3}" for r in range(ring)))
    messages += [
        "Connected all rings",
        "Connected all trees",
        f"ncclCommInitRank comm 0x{comm:x} rank 0 nranks {plan.gpus} cudaDev 0 nvmlDev 0 "
        f"busId 18000 commId 0x{rng.integer(0, 2**64 - 1):x} - Init COMPLETE",
    ]
    for message in messages:
        # NCCL prints its version bare, without the host:pid:tid prefix, even at INFO.
        bare = message.startswith("NCCL version")
        con.text(message if bare else f"{prefix} {message}", indent="", paint=con.style.nccl)


def _model(show: Show, event: ModelReady) -> None:
    con, plan = show.con, show.plan
    a = plan.arch
    con.log(f"Building model: {plan.model_name} ({a.name} architecture)")
    con.at(event.t)
    if event.loaded_from is None:
        con.log(
            f"Initializing weights from scratch (random init, std 0.02) in {event.seconds:.1f}s"
        )
    else:
        con.log(
            f"Loading model: {plan.model_name} from {event.loaded_from}/ "
            f"({fmt.gigabytes(plan.weights_bytes)} bf16) in {event.seconds:.1f}s"
        )
    con.log(
        f"Model size: {fmt.params(a.params)} parameters, {a.layers} layers, hidden {a.hidden}, "
        f"{a.heads} heads ({a.kv_heads} KV), vocab {a.vocab:,}"
    )
    if plan.lora is not None:
        adapters = plan.lora
        frozen = "4-bit NF4 (double quantization)" if adapters.method == "qlora" else "bf16"
        # PEFT's "all params": the base model's exact count (the same the dialects print
        # for this run) plus the adapters, not the card's rounded size.
        total = released_parameters(a) + round(adapters.trainable)
        con.log(
            f"{adapters.label}: rank {adapters.rank}, alpha {adapters.alpha}, dropout "
            f"{adapters.dropout:g} on {', '.join(targets(a))}; trainable {adapters.trainable:,.0f} "
            f"of {total:,} parameters ({adapters.trainable / total * 100:.2f}%); frozen "
            f"weights {frozen}"
        )
    if plan.moe is not None:
        shared = f" + {a.shared} shared" if a.shared else ""
        con.log(
            f"MoE: {a.experts} experts (top-{a.top_k}{shared}) in {moe_layers(a)} layers, "
            f"{fmt.params(a.active_params)} of {fmt.params(a.params)} parameters active per "
            + (
                f"token; experts split over EP {plan.moe.ep} ({plan.moe.link}), all-to-all "
                "dispatch and combine; "
                if plan.moe.ep > 1
                else "token; every GPU runs all experts of a block (FSDP gathers them, no "
                "expert parallelism); "
            )
            + _balancing(router(a))
        )
    layout = plan.layout
    con.log(
        f"Parallelism: {layout.describe()} over {plan.gpus} GPUs; activation checkpointing "
        f"{layout.recompute}"
        + (f"; pipeline bubble {layout.bubble * 100:.1f}%" if layout.pp > 1 else "")
        + (" (DualPipe)" if layout.dualpipe else "")
    )
    m = layout.memory
    con.log(
        f"Memory per GPU: {m.total / physics.GIB:.1f} GiB of {plan.gpu.memory_gib:.1f} GiB "
        f"(state {m.state / physics.GIB:.1f}, activations {m.activations / physics.GIB:.1f}, "
        f"logits {m.logits / physics.GIB:.1f}, buffers {m.buffers / physics.GIB:.1f})"
    )


def _data(show: Show) -> None:
    con, plan = show.con, show.plan
    a, d = plan.arch, plan.dataset
    con.log(f"Loading tokenizer: AutoTokenizer (vocab_size={a.vocab})")
    if plan.finetune:
        # a set that ships a train split alone gives up the held-out examples to evaluate
        # on, and trains on the rest (held_out_set)
        held = f" + {plan.held_out_examples:,} held out" if held_out_set.split_from_train(d) else ""
        con.log(
            f"Dataset: {d.name} ({d.examples:,} examples{held}, {fmt.tokens(d.tokens)} tokens, "
            f"{d.task})"
        )
        con.log(
            f"Global batch: {plan.global_batch:,} sequences x {plan.seq_len} = "
            f"{plan.global_batch_tokens:,} tokens, {plan.batch_examples:,} examples packed "
            f"(micro batch "
            f"{plan.micro_batch}, grad accum {plan.grad_accum}, data parallel "
            f"{plan.data_parallel})"
        )
    else:
        con.log(f"Dataset: {d.name} ({fmt.tokens(d.tokens)} tokens)")
        con.log(
            f"Global batch: {plan.global_batch:,} sequences x {plan.seq_len} = "
            f"{plan.global_batch_tokens:,} tokens (micro batch {plan.micro_batch}, grad accum "
            f"{plan.grad_accum}, data parallel {plan.data_parallel})"
        )
    con.log(
        f"Optimizer: AdamW (betas {physics.ADAM_BETAS[0]:g}/{physics.ADAM_BETAS[1]:g}, weight "
        f"decay {physics.WEIGHT_DECAY:g}) | LR {plan.peak_lr:.1e}, "
        f"warm-up {plan.warmup_steps:,} steps, cosine to {plan.peak_lr * 0.1:.1e}"
    )
    f = plan.framework
    con.log(f"Precision: bf16 | torch {f.torch} | CUDA {f.cuda} | NCCL {f.nccl}")
    con.log(
        f"Checkpoints: every {plan.checkpoint_every:,} steps, async, to /lustre at "
        f"{plan.storage_gbps:.0f} GB/s aggregate ({fmt.gigabytes(plan.checkpoint_bytes)} each)"
    )
    per_param = f", {plan.total_tokens / a.params:,.0f} tokens/param" if plan.from_scratch else ""
    con.log(
        f"Training: {plan.kind_label} | {plan.epochs} epoch{'s' if plan.epochs > 1 else ''} x "
        f"{plan.steps_per_epoch:,} steps "
        f"({fmt.tokens(plan.total_tokens)} tokens{per_param})"
    )


def _balancing(rule: Router) -> str:
    """The router's balancing as its recipe names it: a load-balancing loss over the batch, or
    DeepSeek-V3's auxiliary-loss-free bias with a small sequence-wise loss beside it."""
    if rule.balance == "seq_aux_loss":
        free = (
            f"auxiliary-loss-free balancing (bias update speed {rule.bias_update:g}), "
            if rule.bias_update
            else ""
        )
        return f"{free}sequence-wise balance loss coefficient {rule.coeff:g}"
    return f"load-balancing loss coefficient {rule.coeff:g}"
