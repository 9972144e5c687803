"""torchtitan v0.2.0's lines while Trainer.__init__ builds the model (train.py:140-362): the
train spec's args, the converters, the parameter count, the loss, the pipeline split, the
parallelisms in parallelize_llama's (or parallelize_qwen3's) order, and the trainer's
summary. Each line comes as (seconds after the tokenizer's line, message, level).
"""

from genact_cast.generator.dialects import torchtitan_deepseek as deepseek
from genact_cast.generator.dialects import torchtitan_llama4 as llama4
from genact_cast.generator.dialects import torchtitan_pipeline as pipeline
from genact_cast.generator.dialects import torchtitan_release as release
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_lines import (
    AMP_DISABLED,
    AMP_UNSUPPORTED,
    APPLIED_FLOAT8_TP,
    APPLIED_FSDP,
    APPLIED_HSDP,
    APPLIED_TP,
    ASYNC_TP,
    COMPILING_BLOCKS,
    COMPILING_LOSS,
    FLOAT8_ACTIVE,
    FOLDER,
    MIXED_PRECISION,
    Colors,
    applied_ac,
    building,
    checkpointing_active,
    cuda_capacity,
    float8_swapped,
    model_memory,
    model_size,
    moe_param_count,
    peak_flops,
    preparing_dataset,
    seq_len_exceeds,
    trainer_initialized,
)

Timed = tuple[float, str, str]


def _at(dt: float, message: str, level: str = "INFO") -> Timed:
    return (dt, message, level)


def building_lines(
    f: Facts,
    *,
    family: str,
    flavor: str,
    max_seq_len: int,
    float8_compiled: bool,
    ac_mode: str,
    compile_loss: bool = False,
    validation: tuple[str, str],
    colors: Colors,
) -> list[Timed]:
    """`float8_compiled`: the shipped config's float8 converter, async TP and compile;
    `validation`: the held-out set's name and path (Job.validation_dataset); `compile_loss`:
    a config that compiles the loss alone (deepseek_v3_671b.toml's [compile])."""
    # fp32 parameters, sharded over a shard group (all of DP, or HSDP's)
    state_gib = 4 * release.model_params(f) / (f.gpus // f.replicas) / 2**30
    lines: list[Timed] = []
    if family == "qwen3":
        if f.seq_len > max_seq_len:
            lines.append(_at(0.29, seq_len_exceeds(f.seq_len, max_seq_len), "WARNING"))
        args = release.qwen3_args(f, flavor)
    elif family == llama4.FAMILY:
        if not llama4.grouped_mm(f):
            lines.append(_at(0.29, llama4.NO_GROUPED_MM, "WARNING"))
        args = llama4.model_args(f)
    elif family == deepseek.FAMILY:
        # update_from_config (models/deepseek_v3/model/args.py:91-106): the sequence
        # warning, then grouped mm off before SM90
        if f.seq_len > max_seq_len:
            lines.append(_at(0.29, seq_len_exceeds(f.seq_len, max_seq_len), "WARNING"))
        if not deepseek.grouped_mm(f):
            lines.append(_at(0.29, deepseek.NO_GROUPED_MM, "WARNING"))
        args = deepseek.model_args(f)
    else:
        args = release.model_args(f)
    lines.append(_at(0.3, building(family, flavor, args)))
    if float8_compiled:  # build_model_converters (train.py:156), then convert
        lines += [
            _at(0.3, FLOAT8_ACTIVE),
            _at(0.305, float8_swapped(f.dp > 1)),
        ]
    lines.append(_at(0.31, cuda_capacity(f.device_name, release.capacity_gib(f))))
    if family in release.MOE_FAMILIES:  # their get_nparams_and_flops is the MoE one
        counts = release.moe_counts(f)
        lines.append(_at(0.5, moe_param_count(counts.dense, counts.sparse, counts.active)))
    params = release.model_params(f)
    lines.append(_at(0.5, model_size(family, flavor, params, colors)))
    if float8_compiled or compile_loss:  # build_loss_fn (train.py:192, loss.py:29-31)
        lines.append(_at(0.502, COMPILING_LOSS))
    if f.pp > 1:  # pipeline_llm (train.py:221) splits the model before parallelizing
        lines += [_at(0.505, text) for text in pipeline.building_stages(f)]
    # pipeline_llm parallelizes each of the rank's model chunks in turn
    # (pipeline_parallel.py:134-140): a V schedule's two stages log their lines twice
    chunks = pipeline.stages_per_rank(f) if f.pp > 1 else 1
    first = len(lines)
    # parallelize_llama (models/llama3/infra/parallelize.py:86-119): TP, then
    # activation checkpointing, then FSDP.
    if f.tp > 1 and float8_compiled:  # float8 TP, then maybe_enable_async_tp
        lines += [
            _at(0.51, APPLIED_FLOAT8_TP),
            _at(0.511, ASYNC_TP),
        ]
    elif f.tp > 1:
        lines.append(_at(0.51, APPLIED_TP))
    if ac_mode != "none":  # --activation_checkpoint.mode none logs nothing
        lines.append(_at(0.55, applied_ac(ac_mode)))
    if float8_compiled:  # after activation checkpointing, before FSDP
        lines.append(_at(0.58, COMPILING_BLOCKS))
    # models/llama3/infra/parallelize.py:112-132: FSDP only where parallel_dims.fsdp_enabled
    # (dp_shard > 1; this dialect runs no CP), HSDP where dp_replicate is enabled too
    fsdp = f.dp // f.replicas > 1
    if fsdp:
        lines.append(_at(0.59, APPLIED_HSDP if f.replicas > 1 else APPLIED_FSDP))
    once = lines[first:]
    for chunk in range(1, chunks):
        lines += [
            (0.59 + 0.002 * chunk + 0.0005 * i, text, level)
            for i, (_, text, level) in enumerate(once)
        ]
    if f.pp > 1:
        bubble = pipeline.bubble_warning(f)
        if bubble is not None:
            lines.append(_at(0.6, bubble, "WARNING"))
        lines += [
            _at(0.6, pipeline.schedule(f)),
            _at(0.7, pipeline.loss_not_visible(f.gpus, f.pp, colors), "WARNING"),
        ]
    lines += [
        _at(0.8, peak_flops(release.peak_flops(f))),
        _at(0.8, model_memory(state_gib, 100 * state_gib / release.capacity_gib(f))),
        _at(0.81, checkpointing_active(FOLDER)),
        # distributed/utils.py:218-234 (maybe_enable_amp)
        *(
            [_at(0.82, MIXED_PRECISION)]
            if fsdp
            else [_at(0.82, AMP_UNSUPPORTED, "WARNING"), _at(0.82, AMP_DISABLED)]
        ),
        # train.py:333-356: build_validator's HuggingFaceDataset (validate.py:65,
        # hf_datasets.py:66)
        _at(0.825, preparing_dataset(*validation)),
        _at(
            0.83,
            trainer_initialized(
                local_batch=pipeline.local_batch(f),
                global_batch=f.global_batch,
                grad_accum=pipeline.accumulation(f),
                seq_len=f.seq_len,
                steps=f.total_steps,
                warmup=f.warmup,
            ),
        ),
    ]
    return lines
