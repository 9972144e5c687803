"""The run plan: every choice drawn once from the seed, every number derived from it
(run_plan.RunPlan).

A plan depends on the seed and the run options only (`RecordOptions.run_options`):
the terminal size, the duration and the speed change how a run is shown, never what
it does. They only reach the plan's `budget`, which the pacing reads.
"""

import math
from datetime import date

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import held_out_set, lineup, links, lora, moe, packing, physics
from genact_cast.generator.budget import plan_budget
from genact_cast.generator.catalog import Framework, Gpu
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan_candidates import Config
from genact_cast.generator.plan_choices import (
    checkpoint_interval,
    choose_gpu,
    choose_kind,
    choose_software_and_date,
    evaluation_interval,
    model_name_for,
    usable_from,
)
from genact_cast.generator.plan_config import adapters_instead, bf16_adapters, feasible
from genact_cast.generator.plan_curves import draw_curves
from genact_cast.generator.plan_failures import draw_failures
from genact_cast.generator.plan_pinned import NoAdapters, NoSft, check_pinned
from genact_cast.generator.plan_refusal import Change, configurations
from genact_cast.generator.plan_schedule import draw_schedule
from genact_cast.generator.plan_speed import kernel_mfu
from genact_cast.generator.rng import Rng
from genact_cast.generator.run_plan import EVERY_NODE, NCCL_DEBUG_NODES, RunPlan
from genact_cast.generator.traffic import traffic

# RunPlan is read from here by most of the package (its home is run_plan).
__all__ = ["RunPlan", "make_plan"]

_ADAPTED = "Llama-3.1-70B"  # a model whose adapters are counted, where nothing else works
_HOSTS = ("node", "gpu", "dgx", "hgx", "trn", "worker")
_USERS = ("alice", "bob", "mlops", "research", "train", "ubuntu")
EVAL_TOKENS = (2 * 2**20, 4 * 2**20, 8 * 2**20)  # a pre-training run's held-out set
_HELD_OUT = 0x4E1D  # the stream of a fine-tune's held-out examples


def make_plan(options: RecordOptions) -> RunPlan:
    """Draw every choice of the run from `options.seed`, honouring what the options pin.

    Each choice is drawn whether or not it is pinned, so pinning one (say `--gpu`)
    leaves the seed's other choices as they were.
    """
    options.check()
    rng = Rng(options.seed)
    choose, shape, curve, scene = rng.fork(), rng.fork(), rng.fork(), rng.fork()

    kind = choose_kind(choose, options)
    no_lora: NoAdapters | None = None
    no_sft: NoSft | None = None
    try:
        pinned_moe, uncounted, no_adapters = check_pinned(options, kind)
    except NoAdapters as refusal:  # refused below, naming what works with the seed's draws
        no_lora, options = refusal, options._replace(method="full")
        pinned_moe, uncounted, no_adapters = check_pinned(options, kind)
    except NoSft as refusal:  # the same: the kinds that run, with the seed's draws
        no_sft = refusal
        pinned_moe, uncounted, no_adapters = check_pinned(options, "continue")
    # A pinned mixture of experts is fully fine-tuned unless --method asks for adapters.
    method = (
        (options.method or "full")
        if pinned_moe
        else lora.choose_method(options.seed, kind, options.method, no_adapters is None)
    )
    method_pinned = options.method is not None
    options = options._replace(method=method)
    gpu = choose_gpu(choose, options)
    buffers_gib = shape.uniform(3.0, 6.0)
    mfu_draw = shape.random()
    first_step_mfu = shape.uniform(*physics.FIRST_STEP_MFU)
    batch_draw = shape.random()
    seq_draw = shape.random()
    framework, start = choose_software_and_date(choose, scene, options, gpu)
    order = (choose.random(), choose.random())
    draws = (buffers_gib, mfu_draw, batch_draw, seq_draw)
    if no_sft is not None:
        kinds: list[Change] = [{"kind": "pretrain"}, {"kind": "continue"}]
        named = configurations(options, kind, gpu, draws, start.date(), kinds)
        others = f"--framework {lineup.SFT_FRAMEWORKS}"
        raise BadOption(f"{no_sft}; use {', or '.join([*named, others])}")
    if no_lora is not None:
        changes: list[Change] = [{"method": "full"}, {"kind": "continue", "method": "full"}]
        instead = configurations(options, kind, gpu, draws, start.date(), changes)
        raise BadOption(f"{no_lora}; use {', or '.join(instead) or '--model ' + _ADAPTED}")
    drawn_gpu = gpu
    # A pinned --method pins the kind with it: a fine-tune, never another kind in its place
    # (review-realism9 F7: `--method lora --model Llama-3.2-1B` pre-trained adapters on a
    # frozen random model, a model too small to fine-tune here).
    tried = options._replace(kind=kind) if method_pinned else options
    try:
        kind, gpu, config = feasible(tried, kind, gpu, draws, order, start.date(), framework)
    except SeedRefused:
        raise
    except BadOption as refusal:
        # No full run of what is pinned: the fine-tune people run instead, with adapters
        # (a 70B on one node), where --method leaves the choice to the run; and where the
        # seed drew adapters that the pinned cluster cannot hold (LoRA runs on a node or
        # two), the full fine-tune it can (review-realism18 F1: `--kind sft --model
        # Llama-3.1-405B --gpus 256` drew LoRA; Tülu 3 405B's SFT ran in full on 256 H100).
        allowed = not method_pinned and no_adapters is None and uncounted is None
        adapted = (
            adapters_instead(options, gpu, draws, order, start.date(), framework)
            if allowed
            else None
        )
        if adapted is None and not method_pinned and method != "full":
            adapted = _in_full(options, kind, gpu, draws, order, start.date(), framework)
        if adapted is None:
            if method_pinned and options.kind is None:
                raise _as_method(refusal, options.method or "") from None
            raise
        method, kind, gpu, config = adapted
        options = options._replace(method=method)
    if kind != "sft" and method != "full":  # (feasible's other kind: trained in full)
        method = "full"
        options = options._replace(method=method)
    if method == "qlora" and not method_pinned:
        # 4-bit weights are for a model whose bf16 weights the GPUs cannot hold (a 70B on a
        # node); where they can, the seed's adapter fine-tune is a LoRA (explicit --method
        # qlora is still honoured).
        bf16 = bf16_adapters(options, kind, gpu, config, order[1], start.date())
        if bf16 is not None:
            method, config = "lora", bf16
            options = options._replace(method=method)
    if gpu != drawn_gpu and (gpu.name not in framework.gpus or usable_from(gpu) > start.date()):
        # Only a newer GPU makes the pinned run: a date and a torch build it has.
        again = Rng(options.seed ^ 0xD47E)
        # after the chosen set's publication too, as a pinned one's (F9)
        dated = options._replace(dataset=config.dataset.name)
        framework, start = choose_software_and_date(again.fork(), again.fork(), dated, gpu)
    arch, dataset, layout, seq_len, epochs = config[:5]
    mfu_draw = config.draws[1]  # the middle draw where the seed's made no run
    model_name = model_name_for(choose, arch, kind, dataset, pinned=options.model is not None)
    nodes = layout.gpus // physics.GPUS_PER_NODE
    if options.nccl_debug and nodes > NCCL_DEBUG_NODES and options.framework in EVERY_NODE:
        # srun's and pdsh's terminal gets every process's start-up: on 16+ nodes, tens of
        # thousands of lines. Refused like a run the framework does not train, so an unpinned
        # seed is drawn again (torchtitan's, the Trainer's and genact's show one node's).
        raise SeedRefused(
            f"--nccl-debug on: seed {options.seed}'s run is on {nodes} nodes, and "
            f"{options.framework} shows every node's NCCL start-up; it is shown on up to "
            f"{NCCL_DEBUG_NODES} (pin --gpus {NCCL_DEBUG_NODES * 8} or fewer)"
        )

    # Where the node's NVLink stands in its published ranges (one draw for every operation),
    # and each NIC's rate where the run spans nodes (collectives.tsv, gpus.tsv).
    nvlink = shape.uniform(0.0, 1.0)
    nic = 0.0 if nodes == 1 else shape.uniform(*gpu.ib_gbps)
    rates = links.links(gpu, layout, nvlink, nic)
    # The kernels' MFU again, and the step's compute at it; the drawn links' traffic then
    # says what of it is exposed, and the MFU shown is what is left.
    kernels = kernel_mfu(arch, gpu, layout, mfu_draw, method)
    fpt = lora.flops(arch, seq_len, method)
    compute = (
        layout.global_batch
        * seq_len
        / physics.cluster_tokens_per_second(layout.gpus, gpu.peak_tflops, kernels, fpt)
    )
    flow = traffic(arch, layout, seq_len, rates, compute, method)
    mfu = kernels * compute / (compute + flow.exposed)

    # A fine-tune's held-out set: 1-5 k examples of its validation split, or of its train
    # split where the set ships no other, which the run then does not train on
    # (held_out_set). Drawn from a stream of its own, before the epoch is counted.
    held_out = 0
    if kind == "sft":
        drawn = Rng(options.seed ^ _HELD_OUT).pick(held_out_set.HELD_OUT_EXAMPLES)
        held_out = held_out_set.examples(drawn, dataset)
        dataset = held_out_set.trained(dataset, held_out)

    batch = layout.global_batch
    fill = packing.row_fill(dataset.tokens_per_example, seq_len) if kind == "sft" else 1.0
    if kind == "sft":  # packed rows, a little short; the last step of an epoch takes the rest
        steps_per_epoch = math.ceil(int(dataset.tokens) / (batch * seq_len * fill))
    else:
        steps_per_epoch = max(20, round(dataset.tokens / (batch * seq_len)))
    total_steps = epochs * steps_per_epoch

    peak_lr, warmup = draw_schedule(shape, arch, kind, method, total_steps, batch)

    tokens_per_step = batch * seq_len
    loss, grad_norm, noise = draw_curves(
        curve, arch, kind, tokens_per_step, total_steps, epochs, warmup, dataset.task,
        dataset.name, method,
    )  # fmt: skip

    # File systems give 2-10 GB/s per node, 50-500 GB/s in all for 16 nodes or more.
    storage = nodes * shape.uniform(2.0, 10.0)
    if nodes >= 16:
        storage = min(500.0, max(50.0, storage))
    # Whole GB/s, as the log states it: a rate rounded down for the line would let every
    # write and read run a few % past the storage the log names (review-realism7 FAIL 10).
    storage = float(round(storage))
    step_seconds = (
        tokens_per_step
        * fill
        / physics.cluster_tokens_per_second(layout.gpus, gpu.peak_tflops, mfu, fpt)
    )
    checkpoint_every = checkpoint_interval(shape, step_seconds, steps_per_epoch)
    # A held-out set is fixed in size whatever the cluster: a few million tokens for a
    # pre-training run (torchtitan's validation caps its steps; OLMo's in-loop evaluation
    # sets are a few million tokens each), 1-5 k examples of its validation split for a
    # fine-tune, packed as its training rows are (held_out_set).
    if kind == "sft":
        eval_samples = held_out_set.sequences(held_out, dataset, seq_len, fill)
    else:
        eval_samples = shape.pick(EVAL_TOKENS) // seq_len

    hours = total_steps * step_seconds / 3600
    failures = draw_failures(choose, options, layout.gpus, hours)

    experts = moe.plan(
        arch, layout.ep, layout.pp, layout.micro_batch, layout.grad_accum, seq_len, rates.experts
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
        links=rates,
        loss=loss,
        grad_norm=grad_norm,
        loss_noise=noise,
        checkpoint_every=checkpoint_every,
        eval_samples=eval_samples,
        eval_every=evaluation_interval(kind, total_steps, steps_per_epoch),
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
        held_out_examples=held_out,
    )


def _in_full(
    options: RecordOptions,
    kind: str,
    gpu: Gpu,
    draws: tuple[float, float, float, float],
    order: tuple[float, float],
    day: date,
    framework: Framework,
) -> tuple[str, str, Gpu, Config] | None:
    """(method, kind, GPU, configuration) of the full fine-tune of what is pinned, or None."""
    try:
        found = feasible(options._replace(method="full"), kind, gpu, draws, order, day, framework)
    except SeedRefused:
        raise
    except BadOption:
        return None
    return ("full", *found)


def _as_method(refusal: BadOption, method: str) -> BadOption:
    """The refusal of a fine-tune that --method pinned, told by the option the user typed."""
    text = str(refusal).replace("--kind sft", f"--method {method}", 1)
    return BadOption(text.replace("; use --kind ", "; drop --method and use --kind ", 1))
