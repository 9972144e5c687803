"""`pretrain()`'s set-up after torch.distributed's init, as Megatron-LM core_v0.14.0 prints it
on rank 0: `initialize_megatron` up to `after megatron is initialized`,
`setup_model_and_optimizer` (each rank's parameter count, the DDP or FSDP wrap, the
checkpoint load) and `build_train_valid_test_data_iterators` up to `before the start of
training step`. The presenter (megatron.Log) times them and places them, event by event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects import megatron_checkpoint as checkpoint
from genact_cast.generator.dialects import megatron_comms as comms
from genact_cast.generator.dialects import megatron_data as data
from genact_cast.generator.dialects import megatron_shards as shards
from genact_cast.generator.dialects import megatron_startup as startup
from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.base import Incidentals
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_formulas import Shape
from genact_cast.generator.dialects.megatron_lines import (
    BUILDING_MODEL,
    CORE_ATTN_RECOMPUTE_WARNING,
    SETUP_DONE,
    TIMERS_HEADER,
    TRAINING,
    datetime_marker,
    initialized_parallel,
    parameters,
    random_seeds,
    time_to_initialize,
    timer,
)
from genact_cast.generator.dialects.megatron_tee import Tee
from genact_cast.generator.dialects.nccl_timings import init_totals
from genact_cast.generator.rng import Rng


def index_seconds(f: Facts, attempt: int) -> float:
    """`>>> done with dataset index builder`'s time (initialize.py:179-189 at core_v0.14.0):
    compile_helpers' `make -C megatron/core/datasets`, which has nothing to build (the
    helpers were built on the job's first run, make_helpers) but evaluates the Makefile's
    two `$(shell python3 ...)` (pybind11's includes, python3-config's suffix): two Python
    starts. Real logs print 0.044 s and 0.237 s for that up-to-date make; each launch
    times its own."""
    return Rng(f.seed * 347 + attempt).uniform(0.04, 0.24)


def kernels_seconds(f: Facts, incidentals: Incidentals, attempt: int) -> float:
    """`>>> done with compiling and loading fused kernels`'s time on rank 0
    (initialize.py:217-231): at the tag fused_kernels.load builds no extension, it runs
    `nvcc -V` (megatron/legacy/fused_kernels/__init__.py:17-27); then the first barrier,
    where the others wait and the world communicator comes up (the slowest of every
    node's processes' NCCL `Init timings` totals, nccl_timings.init_totals, as the log's
    NCCL lines print them), the others' own `nvcc -V` and the second barrier. Nothing is cached
    across launches: every launch creates its communicator anew. Real logs of a load that
    builds nothing: 0.264 s and 1.855 s."""
    draw = Rng(f.seed * 349 + attempt)
    nvcc = draw.uniform(0.02, 0.08)
    # NCCL before 2.23 prints no parts: its total drawn over the same parts' range
    totals = (
        total
        for node in range(f.nodes)
        for total in init_totals(f.seed, incidentals.launch_key, f.nccl, node=node)
    )
    communicator = max(totals, default=draw.uniform(0.3, 2.5))
    return nvcc + communicator + nvcc * draw.uniform(0.9, 1.1) + draw.uniform(0.001, 0.01)


def barrier_lines(f: Facts, attempt: int) -> list[str]:
    """`initialize_megatron` from the parallel state to _compile_dependencies' first barrier,
    where the processes wait while the world communicator comes up: init_process_group had
    no device_id (initialize.py:326-336), so that first collective creates it (the barrier
    after the fused kernels, initialize.py:221-229, where rank 0's barrier() warns). Printed
    as the launch starts: what comes before the barrier takes moments."""
    return [
        initialized_parallel("tensor", f.tp),
        initialized_parallel("pipeline", f.pp),
        random_seeds(margs.SEED),
        "> compiling dataset index builder ...",
        *startup.make_helpers(f.user),
        f">>> done with dataset index builder. Compilation time: "
        f"{index_seconds(f, attempt):.3f} seconds",
        *startup.softmax_warning(f),
        "> compiling and loading fused kernels ...",
        *torchrun.barrier_warning(f.torch, "dist-packages"),
    ]


def initialized_lines(
    f: Facts,
    incidentals: Incidentals,
    attempt: int,
    fresh: tuple[int, ...],
    *,
    moment: datetime,
    seconds: float,
    tee: Tee,
) -> list[str]:
    """`initialize_megatron` from the world communicator's creation in that barrier to its
    datetime marker, `seconds` after the process started: rank 0's lines, and NCCL's of
    every process where NCCL_DEBUG is set (on up to 8 nodes, where nothing is teed)."""
    guess = torchrun.device_guess_warning(
        f.torch, moment - timedelta(seconds=0.35), Rng(f.seed * 331 + 17).integer(0, 999)
    )
    return [
        *tee.rank0(guess),
        *comms.nccl_lines(f, incidentals, attempt, fresh),
        *tee.rank0(
            [
                ">>> done with compiling and loading fused kernels. Compilation time: "
                f"{kernels_seconds(f, incidentals, attempt):.3f} seconds",
                time_to_initialize(seconds),
                datetime_marker("after megatron is initialized", moment),
            ]
        ),
    ]


def model_lines(
    f: Facts,
    args: dict[str, str],
    *,
    padded_vocab: int,
    shape: Shape,
    fsdp: bool,
    save: str,
    base: str | None,
    resume_step: int,
    loaded_from: str | None,
    reading: float,
    moment: datetime,
    tee: Tee,
) -> list[str]:
    """`setup_model_and_optimizer`: the model built, each rank of data-parallel rank 0
    counting its own shard, the wrap, the scheduler, the checkpoint loaded (from `save`
    on a resume, else from `base` when it fine-tunes one) and its timer (the last rank's),
    as the console shows them (`tee`)."""
    text = tee.rank0([BUILDING_MODEL])
    if f.recompute == "selective":
        # model_provider's core_transformer_config_from_args: TransformerConfig's
        # __post_init__ takes recompute_modules None as ["core_attn"] and warns of it
        # (core/transformer/transformer_config.py:864-865, 895-901 at the tag), once in
        # every process, as Python's warnings module shows it: file, line, the call's line.
        where = f"/home/{f.user}/llm-train/megatron/core/transformer/transformer_config.py"
        warning = [f"{where}:896: UserWarning: {CORE_ATTN_RECOMPUTE_WARNING}", "  warnings.warn("]
        for rank in tee.ranks():
            text += tee.of_rank(rank, warning)
    for rank, tensor, stage in shards.dp0_ranks(f):
        if tee.shown(rank):
            count = shards.stage_parameters(f, padded_vocab, untied=shape.untied, stage=stage)
            text += tee.of_rank(rank, [parameters(tensor, stage, count)])
    text += shards.wrapping(
        f, args, padded_vocab, fsdp=fsdp, distributed=shape.distributed_optimizer, tee=tee
    )
    text += tee.rank0(
        ["INFO:megatron.core.optimizer_param_scheduler:> learning rate decay style: cosine"]
    )
    load_ms = reading * 1000 if loaded_from else 0.2
    text += checkpoint.load_lines(
        loaded_from=loaded_from,
        save=save,
        base=base,
        resume_step=resume_step,
        args=args,
        tensor=f.tp,
        pipeline=f.pp,
        fsdp=fsdp,
        tee=tee,
    )
    text += tee.last([TIMERS_HEADER, timer("load-checkpoint", load_ms * 0.97, load_ms)])
    marker = "after model, optimizer, and learning rate scheduler are built"
    return text + tee.rank0([datetime_marker(marker, moment)])


def data_lines(
    f: Facts,
    args: dict[str, str],
    *,
    cached: bool,
    model_seconds: float,
    data_seconds: float,
    moment: datetime,
    tee: Tee,
) -> list[str]:
    """The datasets built (`cached` on a relaunch), the set-up timers (the last rank's) and
    the loop's start, as the console shows them (`tee`)."""
    model_ms, data_ms = model_seconds * 1000, data_seconds * 1000
    return [
        *tee.rank0(
            [
                *data.datasets_lines(f, args, cached=cached),
                datetime_marker("after dataloaders are built", moment),
                SETUP_DONE,
            ]
        ),
        *tee.last(
            [
                TIMERS_HEADER,
                # Max over ranks is the wall time between the datetime markers (loading the
                # checkpoint included); the fastest rank a little less.
                timer("model-and-optimizer-setup", model_ms * 0.97, model_ms),
                timer("train/valid/test-data-iterators-setup", data_ms * 0.78, data_ms),
            ]
        ),
        *tee.rank0([TRAINING, datetime_marker("before the start of training step", moment)]),
    ]
