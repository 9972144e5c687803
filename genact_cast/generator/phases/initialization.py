"""Launcher warnings, rendezvous, NCCL set-up, and loading the model, tokenizer and data."""

from __future__ import annotations

from genact_cast.generator import style as fmt
from genact_cast.generator.console import Console
from genact_cast.generator.plan import RunPlan


def initialization(con: Console, plan: RunPlan, budget: float) -> None:
    rng, _s = con.rng, con.style
    pace = con.pacer(budget, 16)
    pid = rng.integer(20000, 99999)
    clock = f"{con.now:%m%d %H:%M:%S}.{rng.integer(0, 999999):06d}"
    con.text(
        f"W{clock} {pid} torch/distributed/run.py:793] Setting OMP_NUM_THREADS environment "
        "variable for each process to be 1 in default, to avoid your system being overloaded, "
        "please further tune the variable for optimal performance in your application as needed.",
        indent="",
    )
    pace()
    con.log("Initializing distributed training environment...")
    con.advance(rng.uniform(2, 9))
    con.log(
        f"Rendezvous complete: master_addr={plan.master} master_port={plan.master_port} "
        f"group_rank=0 group_world_size={plan.nodes} local_world_size=8 "
        f"world_size={plan.gpus}"
    )
    pace()
    con.log(f"Setting up NCCL backend ({plan.gpus} GPUs across {plan.nodes} nodes)")
    con.log(f"Master: {plan.master}, Port: {plan.master_port}")
    pace()
    _nccl_init(con, plan, pid)
    con.advance(rng.uniform(1, 4))
    con.natural_break()

    con.log(f"Loading model: {plan.model_name}")
    pace()
    con.advance(plan.weights_bytes / (plan.storage_gbps * 1e9) + rng.uniform(5, 20))
    sharding = "FSDP/ZeRO-3" + (f" + TP={plan.tensor_parallel}" if plan.tensor_parallel > 1 else "")
    con.log(
        f"Model size: {fmt.params(plan.arch.params)} parameters, sharded across "
        f"{plan.gpus} GPUs ({sharding})"
    )
    a = plan.arch
    con.log(
        f"Architecture: {a.layers} layers, hidden {a.hidden}, {a.heads} heads "
        f"({a.kv_heads} KV), sequence length {plan.seq_len}"
    )
    pace()
    con.log(f"Loading tokenizer: AutoTokenizer (vocab_size={a.vocab})")
    con.advance(rng.uniform(1, 3))
    pace()
    con.log(f"Dataset: {plan.dataset.name} ({fmt.tokens(plan.dataset.tokens)} tokens)")
    con.advance(rng.uniform(5, 40))
    pace()
    con.log(
        f"Global batch: {plan.global_batch:,} sequences x {plan.seq_len} = "
        f"{plan.global_batch_tokens:,} tokens (micro batch {plan.micro_batch}, "
        f"grad accum {plan.grad_accum}, data parallel {plan.data_parallel})"
    )
    con.log(
        f"Optimizer: AdamW (betas 0.9/0.95, weight decay 0.1) | LR {plan.peak_lr:.1e}, "
        f"warm-up {plan.warmup_steps:,} steps, cosine to {plan.peak_lr * 0.1:.1e}"
    )
    pace()
    f = plan.framework
    con.log(f"Precision: bf16 | torch {f.torch} | CUDA {f.cuda} | NCCL {f.nccl}")
    con.log(
        f"Sharded state: {plan.static_memory_gib:.1f} GiB per GPU "
        f"(weights, gradients, optimizer) of {plan.gpu.memory_gib:.1f} GiB"
    )
    tokens = plan.total_steps * plan.global_batch_tokens
    con.log(
        f"Training: {plan.epochs} epochs x {plan.steps_per_epoch:,} steps "
        f"({fmt.tokens(tokens)} tokens)"
    )
    pace.finish()
    con.natural_break()


def _nccl_init(con: Console, plan: RunPlan, pid: int) -> None:
    rng = con.rng
    prefix = f"{plan.master}:{pid}:{pid} [0] NCCL INFO"
    subnet = f"10.{rng.integer(0, 200)}.{rng.integer(0, 250)}"
    cuda = plan.framework.cuda
    network = "IB" if plan.nodes > 1 else "Socket"
    channels = 32 if plan.nodes > 1 else 16
    ring = " ".join(str(r) for r in range(min(8, plan.gpus)))
    for message in (
        f"Bootstrap : Using ib0:{subnet}.1<0>",
        f"NCCL version {plan.framework.nccl}+cuda{cuda}",
        f"Using network {network}",
        f"Channel 00/{channels} : {ring}",
        "Connected all rings",
        "Connected all trees",
        f"comm 0x{rng.integer(0x55D000000000, 0x55DFFFFFFFFF):x} rank 0 nranks {plan.gpus} "
        f"cudaDev 0 busId 18000 - Init COMPLETE",
    ):
        con.text(f"{prefix} {message}", indent="", paint=con.style.nccl)
