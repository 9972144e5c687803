"""Each dialect's line formats, held against real lines from real logs.

`tests/data/real_logs/<dialect>.tsv` quotes the lines with where they came from. For every row
the test takes the numbers and names out of the real line, formats them with the dialect's
function for that shape, and requires the real line back exactly.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from genact_cast.generator import tables
from genact_cast.generator.dialects import (
    c10d_watchdog,
    megatron_checkpoint,
    megatron_lines,
    megatron_shards,
    nccl,
    nccl_topology,
    torchrun,
    torchtitan_release,
)
from genact_cast.generator.dialects import deepspeed_lines as deepspeed
from genact_cast.generator.dialects import hf_lines as hf
from genact_cast.generator.dialects import torchtitan_lines as torchtitan
from genact_cast.generator.dialects.common import py_float, py_rounded

REAL_LOGS = Path(__file__).parent / "data" / "real_logs"


class RealLine(NamedTuple):
    shape: str
    source: str
    text: str


def real_lines(dialect: str) -> list[RealLine]:
    return [RealLine(*row) for row in tables.rows(REAL_LOGS / f"{dialect}.tsv")]


def match(pattern: str, text: str) -> re.Match[str]:
    found = re.fullmatch(pattern, text)
    assert found, f"{text!r} does not match {pattern!r}"
    return found


def when(text: str, fmt: str = "%Y-%m-%d %H:%M:%S,%f") -> datetime:
    """A stamp with milliseconds (`,322`) read as the datetime the log was written at."""
    return datetime.strptime(text, fmt)


# --- torchtitan ---------------------------------------------------------------------------

TITAN_HEAD = (
    r"(?P<rank>\[rank(?P<r>\d+)\]:)?\[titan\] "
    r"(?P<stamp>[\d-]+ [\d:]+,\d{3}) - root - (?P<level>INFO|WARNING) - "
)


def titan(real: str) -> str:
    """A line of torchtitan v0.2.0's format back from the dialect's function for it."""
    head = match(TITAN_HEAD + r"(?P<msg>.*)", real)
    message = titan_message(head["msg"])
    rank = int(head["r"]) if head["rank"] else None
    return torchtitan.line(when(head["stamp"]), message, level=head["level"], rank=rank)


def titan_message(msg: str) -> str:
    number = r"([\d.,]+)"
    if msg.startswith("step:"):
        found = match(
            rf"step: +(\d+)  loss: +{number}  grad_norm: +{number}  "
            rf"memory: +{number}GiB\({number}%\)"
            rf"  tps: {number}  tflops: {number}  mfu: {number}%",
            msg,
        )
        step, loss, grad_norm, mem, pct, tps, tflops, mfu = found.groups()
        return torchtitan.step(
            step=int(step),
            loss=float(loss),
            grad_norm=float(grad_norm),
            memory_gib=float(mem),
            memory_pct=float(pct),
            tps=float(tps.replace(",", "")),
            tflops=float(tflops.replace(",", "")),
            mfu_pct=float(mfu),
        )
    if msg.startswith("validate step:"):
        found = match(
            rf"validate step: +(\d+)  loss: +{number}  "
            rf"memory: +{number}GiB\({number}%\)  tps: {number}",
            msg,
        )
        step, loss, mem, pct, tps = found.groups()
        return torchtitan.validate(
            step=int(step),
            loss=float(loss),
            memory_gib=float(mem),
            memory_pct=float(pct),
            tps=float(tps.replace(",", "")),
        )
    table: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (r"\[GC\] (.+) took ([\d.]+) seconds", lambda m: torchtitan.gc(m[1], float(m[2]))),
        (
            r"Saving the checkpoint \(or staging if async is enabled\)\.",
            lambda m: torchtitan.SAVING,
        ),
        (
            r"Finished saving the checkpoint \(or staging if async is enabled\)"
            r"in ([\d.]+) seconds\.",
            lambda m: torchtitan.saved(float(m[1])),
        ),
        (
            r"Saving a model only checkpoint in (\S+) at last step, step (\d+)\.",
            lambda m: torchtitan.saving_model_only(int(m[2]), m[1]),
        ),
        (r"Loading the checkpoint from (.+)\.", lambda m: torchtitan.loading_checkpoint(m[1])),
        (
            r"Finished loading the checkpoint in ([\d.]+) seconds\.",
            lambda m: torchtitan.loaded_checkpoint(float(m[1])),
        ),
        (r"Training starts at step (\d+)", lambda m: torchtitan.training_starts(int(m[1]))),
        (r"Starting job: (.+)", lambda m: torchtitan.starting_job(m[1])),
        (r"ENV\[TORCH_NCCL_ASYNC_ERROR_HANDLING\].*", lambda m: torchtitan.ENV_OVERRIDE),
        (
            r"Building (\d)-D device mesh with \[(.+)\], \[(.+)\]",
            lambda m: torchtitan.device_mesh(
                [name.strip("'") for name in m[2].split(", ")],
                [int(size) for size in m[3].split(", ")],
            ),
        ),
        (
            r"CUDA capacity: (.+) with ([\d.]+)GiB memory",
            lambda m: torchtitan.cuda_capacity(m[1], float(m[2])),
        ),
        (
            r"Model (\S+) (\S+) size: ([\d,]+) total parameters",
            lambda m: torchtitan.model_size(m[1], m[2], int(m[3].replace(",", ""))),
        ),
        (
            r"Applied (\w+) activation checkpointing to the model",
            lambda m: torchtitan.applied_ac(m[1]),
        ),
        (r"Applied FSDP to the model", lambda m: torchtitan.APPLIED_FSDP),
        (r"Loading tokenizer from tokenizer.json", lambda m: torchtitan.LOADING_TOKENIZER),
        (
            r"Mixed precision training is handled by fully_shard",
            lambda m: torchtitan.MIXED_PRECISION,
        ),
        (r"Peak FLOPS used for computing MFU: (.+)", lambda m: torchtitan.peak_flops(float(m[1]))),
        (
            r"CUDA memory usage for model: ([\d.]+)GiB\(([\d.]+)%\)",
            lambda m: torchtitan.model_memory(float(m[1]), float(m[2])),
        ),
        (
            r"Trainer is initialized with local batch size (\d+), "
            r"global batch size (\d+), gradient "
            r"accumulation steps (\d+), sequence length (\d+), total steps (\d+) \(warmup (\d+)\)",
            lambda m: torchtitan.trainer_initialized(
                local_batch=int(m[1]),
                global_batch=int(m[2]),
                grad_accum=int(m[3]),
                seq_len=int(m[4]),
                steps=int(m[5]),
                warmup=int(m[6]),
            ),
        ),
        (
            r"Synchronizing and adjusting timeout for all ProcessGroups to (.+)",
            lambda m: torchtitan.sync_timeout(m[1]),
        ),
        (r"Sleeping 2 seconds for other ranks to complete", lambda m: torchtitan.SLEEPING),
        (r"Training completed", lambda m: torchtitan.TRAINING_COMPLETED),
        (r"Process group destroyed", lambda m: torchtitan.PROCESS_GROUP_DESTROYED),
        (r"Preparing (\S+) dataset from (.+)", lambda m: torchtitan.preparing_dataset(m[1], m[2])),
        (r"Building (\S+) (\S+) with (.+)", lambda m: torchtitan.building(m[1], m[2], m[3])),
    ]
    for pattern, build in table:
        hit = re.fullmatch(pattern, msg)
        if hit:
            return build(hit)
    raise AssertionError(f"no torchtitan format for {msg!r}")


def titan_launch(real: str) -> str:
    found = match(r"\+ torchrun .* --rdzv_endpoint=(\S+) .* -m torchtitan.train (.+)", real)
    return "+ " + " ".join(torchtitan.command(nodes=1, endpoint=found[1], args=found[2].split(" ")))


# --- Megatron-LM --------------------------------------------------------------------------


def megatron_line(shape: str, real: str) -> list[str] | str:
    if shape.startswith("iteration"):
        found = match(
            r"(?: \[(?P<stamp>[\d-]+ [\d:]+)\]|\[(?P<bare>[\d-]+ [\d:]+)\])?"
            r" iteration +(?P<it>\d+)/ +(?P<total>\d+) \|"
            r" consumed samples: +(?P<samples>\d+) \|"
            r" elapsed time per iteration \(ms\): (?P<ms>[\d.]+) \|"
            r" learning rate: (?P<lr>[\d.E+-]+) \| global batch size: +(?P<gbs>\d+) \|"
            r" lm loss: (?P<loss>[\d.E+-]+) \| loss scale: (?P<scale>[\d.]+) \|"
            r"(?: grad norm: (?P<gn>[\d.]+) \|)?(?: num zeros: [\d.]+ \|)?"
            r" number of skipped iterations: +(?P<skipped>\d+) \|"
            r" number of nan iterations: +(?P<nan>\d+) \|",
            real,
        )
        stamp = found["stamp"] or found["bare"]
        text = megatron_lines.iteration(
            moment=datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") if stamp else None,
            iteration=int(found["it"]),
            train_iters=int(found["total"]),
            consumed_samples=int(found["samples"]),
            elapsed_ms=float(found["ms"]),
            learning_rate=float(found["lr"]),
            global_batch=int(found["gbs"]),
            lm_loss=float(found["loss"]),
            loss_scale=float(found["scale"]),
            grad_norm=float(found["gn"]) if found["gn"] else None,
            skipped=int(found["skipped"]),
            nans=int(found["nan"]),
            lr_digits=len(found["lr"].split("E")[0]) - 2,
        )
        # `num zeros` (--log-num-zeros-in-grad) is an option we never turn on; the
        # pre-stamp Megatron-LLM fork of 2023 prints its stamp without the leading space.
        zeros = re.search(r" num zeros: [\d.]+ \|", real)
        if zeros:
            text = text.replace(" number of skipped", zeros[0] + " number of skipped")
        if found["bare"]:
            text = text[1:]
        return text
    simple: dict[str, Callable[[], str | list[str]]] = {
        "arguments_header": lambda: megatron_lines.ARGUMENTS_HEADER,
        "arguments_footer": lambda: megatron_lines.ARGUMENTS_FOOTER,
        "timers_header": lambda: megatron_lines.TIMERS_HEADER,
        "building_model": lambda: megatron_lines.BUILDING_MODEL,
        "datasets_done": lambda: megatron_lines.DATASETS_DONE,
        "setup_done": lambda: megatron_lines.SETUP_DONE,
        "training": lambda: megatron_lines.TRAINING,
    }
    if shape in simple:
        return simple[shape]()
    if shape == "argument":
        found = match(r"  (\S+) \.+ (.*)", real)
        return megatron_lines.argument(found[1], found[2])
    if shape == "world_size":
        found = match(
            r"using world size: (\d+), data-parallel size: (\d+), context-parallel size: (\d+), "
            r"tensor-model-parallel size: (\d+), encoder-tensor-model-parallel size: 0, "
            r"pipeline-model-parallel size: (\d+), encoder-pipeline-model-parallel size: 0",
            real,
        )
        w, d, c, t, p = (int(g) for g in found.groups())
        return megatron_lines.world_size(world=w, data=d, context=c, tensor=t, pipeline=p)
    if shape == "microbatches":
        return megatron_lines.microbatches(int(match(r".* constant (\d+)", real)[1]))
    if shape == "building_tokenizer":
        return megatron_lines.building_tokenizer(
            match(r"> building (\S+) tokenizer \.\.\.", real)[1]
        )
    if shape == "padded_vocab":
        found = match(
            r" > padded vocab \(size: (\d+)\) with \d+ dummy tokens \(new size: (\d+)\)", real
        )
        return megatron_lines.padded_vocab(int(found[1]), int(found[2]))
    if shape in {"initialized_tp", "initialized_pp"}:
        found = match(r"> initialized (\w+) model parallel with size (\d+)", real)
        return megatron_lines.initialized_parallel(found[1], int(found[2]))
    if shape == "random_seeds":
        return megatron_lines.random_seeds(
            int(match(r"> setting random seeds to (\d+) \.\.\.", real)[1])
        )
    if shape == "time_to_initialize":
        return megatron_lines.time_to_initialize(float(match(r".*: ([\d.]+)", real)[1]))
    if shape == "datetime_marker":
        found = match(r"\[(.+)\] datetime: (.+) ", real)
        return megatron_lines.datetime_marker(
            found[1], datetime.strptime(found[2], "%Y-%m-%d %H:%M:%S")
        )
    if shape == "parameters":
        found = match(
            r" > number of parameters on \(tensor, pipeline\) model parallel rank "
            r"\((\d+), (\d+)\): (\d+)",
            real,
        )
        return megatron_lines.parameters(int(found[1]), int(found[2]), int(found[3]))
    if shape == "timer":
        found = match(r"    (\S+) \.+: \(([\d.]+), ([\d.]+)\)", real)
        return megatron_lines.timer(found[1], float(found[2]), float(found[3]))
    if shape == "validation":
        found = match(
            r" validation loss at (.+) \| lm loss value: (\S+) \| lm loss PPL: (\S+) \| ", real
        )
        return megatron_lines.validation(found[1], float(found[2]), float(found[3]))[1]
    if shape == "validation_rule":
        # The rule printed above " validation loss at iteration 100 | ... " of the same log.
        return megatron_lines.validation("iteration 100", 7.398865, 1634.128)[0]
    if shape == "saving":
        found = match(r"saving checkpoint at iteration +(\d+) to (\S+) in (\S+) format", real)
        return megatron_checkpoint.saving(int(found[1]), found[2], found[3])
    if shape == "saved":
        found = match(
            r"  successfully saved checkpoint from iteration +(\d+) to (\S+) "
            r"\[ t 1/(\d+), p 1/(\d+) \]",
            real,
        )
        return megatron_checkpoint.saved(int(found[1]), found[2], int(found[3]), int(found[4]))
    if shape == "memory":
        found = match(
            r"\[Rank (\d+)\] \(after (\d+) iterations\) memory \(MB\) \| allocated: (\S+) \| "
            r"max allocated: (\S+) \| reserved: (\S+) \| max reserved: (\S+)",
            real,
        )
        return megatron_lines.memory(
            int(found[1]), int(found[2]), *(float(found[i]) for i in range(3, 7))
        )
    if shape == "theoretical_memory":
        return megatron_lines.theoretical_memory(float(match(r".*=([\d.]+) MB", real)[1]))
    raise AssertionError(f"no Megatron format for shape {shape}")


# --- DeepSpeed ----------------------------------------------------------------------------


def deepspeed_line(shape: str, real: str) -> str:
    head = match(r"\[([\d-]+ [\d:]+,\d{3})\] \[(INFO|ERROR)\] \[([^\]]+)\] (.*)", real)
    moment, level, where, msg = when(head[1]), head[2], head[3], head[4]
    if shape == "exits":
        found = match(r"\[(.+)\] exits with return code = (-?\d+)", msg)
        words = [word.strip("'") for word in found[1].split(", ")]
        text = deepspeed.exits(words, int(found[2]))
        return deepspeed.line(moment, where, text, level=level)
    if shape == "killing":
        pid = int(match(r"Killing subprocess (\d+)", msg)[1])
        return deepspeed.line(moment, where, deepspeed.killing(pid))
    if where.endswith(":log_dist"):  # the tag is the real line's own release
        found = match(r"\[Rank (-?\d+)\] (.*)", msg)
        rank, body = int(found[1]), found[2]
        return deepspeed.line(moment, where, f"[Rank {rank}] {deepspeed_dist(body)}")
    return deepspeed.line(moment, where, deepspeed_message(shape, msg))


def deepspeed_dist(body: str) -> str:
    if body.startswith("step="):
        found = match(
            r"step=(\d+), skipped=(\d+), lr=\[(.+)\], mom=\[\(([\d.]+), ([\d.]+)\).*\]", body
        )
        lrs = [float(value) for value in found[3].split(", ")]
        return deepspeed.step(int(found[1]), int(found[2]), lrs, (float(found[4]), float(found[5])))
    table: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (r"Saving model checkpoint: (.+)", lambda m: deepspeed.saving_model(m[1])),
        (
            r"Overflow detected\. Skipping step\. "
            r"Attempted loss scale: ([\d.]+), reducing to [\d.]+",
            lambda m: deepspeed.overflow(float(m[1])),
        ),
        (
            r"DeepSpeed info: version=(\S+), git-hash=unknown, git-branch=unknown",
            lambda m: deepspeed.ds_info(m[1]),
        ),
        (
            r"Creating fp16 ZeRO stage 3 optimizer, MiCS is enabled False, "
            r"Hierarchical params gather False",
            lambda m: deepspeed.ZERO3_MICS,
        ),
        (
            r"Creating (\S+) ZeRO stage (\d) optimizer",
            lambda m: deepspeed.zero_optimizer(m[1], int(m[2])),
        ),
    ]
    for pattern, build in table:
        hit = re.fullmatch(pattern, body)
        if hit:
            return build(hit)
    raise AssertionError(f"no DeepSpeed log_dist format for {body!r}")


def deepspeed_message(shape: str, msg: str) -> str:
    if shape == "timer":
        found = match(
            r"epoch=(\d+)/micro_step=(\d+)/global_step=(\d+), RunningAvgSamplesPerSec=(\S+), "
            r"CurrSamplesPerSec=(\S+), MemAllocated=(\S+)GB, MaxMemAllocated=(\S+)GB",
            msg,
        )
        return deepspeed.timer(
            epoch=int(found[1]),
            micro_step=int(found[2]),
            global_step=int(found[3]),
            running_avg=float(found[4]),
            current=float(found[5]),
            mem_allocated_gb=float(found[6]),
            max_mem_allocated_gb=float(found[7]),
        )
    if shape == "world_info":
        mapping = json.loads(match(r"WORLD INFO DICT: (.+)", msg)[1].replace("'", '"'))
        (count,) = {len(gpus) for gpus in mapping.values()}
        return deepspeed.world_info_dict(list(mapping), count)
    if shape == "nnodes":
        found = match(r"nnodes=(\d+), num_local_procs=(\d+), node_rank=(\d+)", msg)
        return deepspeed.nnodes(int(found[1]), int(found[2]), int(found[3]))
    if shape == "rank_mapping":
        mapping = json.loads(
            match(r"global_rank_mapping=defaultdict\(<class 'list'>, (.+)\)", msg)[1].replace(
                "'", '"'
            )
        )
        (count,) = {len(ranks) for ranks in mapping.values()}
        return deepspeed.rank_mapping(list(mapping), count)
    if shape == "dist_world_size":
        return deepspeed.dist_world_size(int(match(r"dist_world_size=(\d+)", msg)[1]))
    if shape == "visible_devices":
        return deepspeed.visible_devices(
            len(match(r"Setting CUDA_VISIBLE_DEVICES=(.+)", msg)[1].split(","))
        )
    if shape == "workers":
        return deepspeed.workers(
            match(r"Running on the following workers: (.+)", msg)[1].split(",")
        )
    if shape == "config":
        found = match(r"  (\S+) (?:\.+ |\s)(.+)", msg)
        return deepspeed.config_row(found[1], found[2])
    if shape == "see_memory":
        found = match(r"MA (\S+) GB +Max_MA (\S+) GB +CA (\S+) GB +Max_CA (\d+) GB ", msg)
        return deepspeed.see_memory(*(float(found[i]) for i in range(1, 5)))
    if shape == "bucket":
        found = match(r"(Reduce|Prefetch) bucket size (\d+)", msg)
        return deepspeed.bucket(found[1], int(found[2]))
    if shape == "runner_cmd":
        found = match(r"cmd = .* --world_info=(\S+) .*", msg)
        mapping = json.loads(base64.urlsafe_b64decode(found[1]))
        (count,) = {len(gpus) for gpus in mapping.values()}
        assert deepspeed.encoded_world_info(list(mapping), count) == found[1]
        return msg
    raise AssertionError(f"no DeepSpeed format for shape {shape}")


# --- Hugging Face Trainer -----------------------------------------------------------------

HF_HEAD = r"\[INFO\|trainer\.py:(\d+)\] ([\d-]+ [\d:]+,\d{3}) >>"


def hf_line(shape: str, real: str) -> str:
    block_offsets = {
        "running_training": 0,
        "num_examples": 1,
        "num_epochs": 2,
        "per_device": 3,
        "total_batch": 6,
        "grad_accum": 7,
        "total_steps": 8,
        "trainable": 9,
    }
    if shape in block_offsets:
        found = match(HF_HEAD + r" (.*)", real)
        numbers = [int(n.replace(",", "")) for n in re.findall(r"= ([\d,]+)$", found[3])] or [0]
        value = numbers[0]
        fields = dict.fromkeys(
            ("examples", "epochs", "per_device", "total_batch", "grad_accum", "steps", "trainable"),
            1,
        )
        key = {
            1: "examples",
            2: "epochs",
            3: "per_device",
            6: "total_batch",
            7: "grad_accum",
            8: "steps",
            9: "trainable",
        }
        offset = block_offsets[shape]
        if offset in key:
            fields[key[offset]] = value
        lines = hf.running_training(when(found[2]), **fields)
        start = int(found[1]) - offset
        by_offset = {
            int(match(HF_HEAD + ".*", text)[1]) - hf.RUNNING_TRAINING: text for text in lines
        }
        return by_offset[offset].replace(
            f"trainer.py:{hf.RUNNING_TRAINING + offset}]", f"trainer.py:{start + offset}]"
        )
    if shape == "log":
        found = match(
            r"\{'loss': (\S+), 'grad_norm': (\S+), 'learning_rate': (\S+), 'epoch': (\S+)\}", real
        )
        return hf.log(
            loss=float(found[1]),
            grad_norm=float(found[2]),
            learning_rate=float(found[3]),
            epoch=float(found[4]),
        )
    if shape == "eval":
        found = match(
            r"\{'eval_loss': (\S+), 'eval_runtime': (\S+), 'eval_samples_per_second': (\S+), "
            r"'eval_steps_per_second': (\S+), 'epoch': (\S+)\}",
            real,
        )
        # The rates come from the unrounded runtime: try the runtimes that print as the real one.
        shown = float(found[2])
        samples = round(float(found[3]) * shown)
        steps = round(float(found[4]) * shown)
        candidates = [
            hf.eval_log(
                loss=float(found[1]),
                runtime=shown + k * 1e-5,
                samples=samples,
                steps=steps,
                epoch=float(found[5]),
            )
            for k in range(-4, 5)
        ]
        return real if real in candidates else candidates[4]
    if shape == "train_summary":
        found = match(
            r"\{'train_runtime': (\S+), 'train_samples_per_second': (\S+), "
            r"'train_steps_per_second': (\S+), "
            r"'train_loss': (\S+), 'epoch': (\S+)\}",
            real,
        )
        runtime = float(found[1])
        samples = round(float(found[2]) * runtime)
        steps = round(float(found[3]) * runtime)
        return hf.train_summary(
            runtime=runtime,
            samples=samples,
            steps=steps,
            loss=float(found[4]),
            epoch=float(found[5]),
        )
    if shape in {"bar", "bar_start"}:
        found = match(
            r" *(\d+)%\|.*\| (\d+)/(\d+) \[([\d:]+)<([\d:?]+), +(\?|[\d.]+)(it/s|s/it)\]", real
        )
        n, total = int(found[2]), int(found[3])
        elapsed = seconds(found[4])
        rate = (
            None if found[6] == "?" else tqdm_rate(found[6], found[7], seconds(found[5]), total - n)
        )
        return hf.bar(n, total, elapsed, rate, ncols=len(real))
    if shape == "running_evaluation":
        found = match(HF_HEAD, real)
        return hf.running_evaluation(when(found[2]), examples=1, batch_size=1)[0].replace(
            f"trainer.py:{hf.EVALUATION}]", f"trainer.py:{found[1]}]"
        )
    if shape in {"eval_num_examples", "eval_batch_size"}:
        found = match(HF_HEAD + r"   (Num examples|Batch size) = ([\d,]+)", real)
        value = int(found[4].replace(",", ""))
        block = hf.running_evaluation(when(found[2]), examples=value, batch_size=value)
        return block[2] if shape == "eval_num_examples" else block[3]
    if shape == "half_precision":
        found = match(HF_HEAD + r" Using auto half precision backend", real)
        return hf.half_precision(when(found[2]))
    if shape == "saving":
        found = match(HF_HEAD + r" Saving model checkpoint to (.+)", real)
        return hf.saving(when(found[2]), found[3])
    if shape in {"tokenizer_saved", "special_tokens_saved"}:
        found = match(
            r"\[INFO\|tokenization_utils_base\.py:\d+\] ([\d-]+ [\d:]+,\d{3}) >> "
            r".* saved in (.+)/[^/]+",
            real,
        )
        pair = hf.tokenizer_saved(when(found[1]), found[2])
        return pair[0] if shape == "tokenizer_saved" else pair[1]
    if shape == "config_saved":
        found = match(
            r"\[INFO\|configuration_utils\.py:\d+\] (\S+ \S+) >> .* saved in (.+)/config\.json",
            real,
        )
        return hf.config_saved(when(found[1]), found[2])
    if shape == "sharded_save":
        found = match(
            r"\[INFO\|modeling_utils\.py:\d+\] (\S+ \S+) >> .* split in (\d+) checkpoint shards\. "
            r".* located at (.+)/model\.safetensors\.index\.json\.",
            real,
        )
        return hf.sharded_save(when(found[1]), found[3], int(found[2]))
    if shape == "training_completed":
        found = match(HF_HEAD, real)
        return hf.training_completed(when(found[2]))[0]
    if shape == "metrics_header":
        return hf.metrics("train", [("epoch", "3.0")])[0]
    if shape == "metric":
        # The real block of that log, rebuilt whole: rows pad to the widest name and value.
        block = hf.metrics(
            "train",
            [
                ("epoch", "3.0"),
                ("total_flos", "766230GF"),
                ("train_loss", "3.0969"),
                ("train_runtime", hf.runtime_text(1021.2666)),
                ("train_samples_per_second", "2.644"),
                ("train_steps_per_second", "1.322"),
            ],
        )
        (row,) = [
            text for text in block if text.split("=")[0].strip() == real.split("=")[0].strip()
        ]
        return row
    if shape == "launch":
        found = match(
            r"ACCELERATE_LOG_LEVEL=info accelerate launch --config_file (\S+) "
            r"--num_processes=1 (\S+) (.*)",
            real,
        )
        words = hf.command(
            nodes=1, master="", port=0, script=found[2], args=found[3].split(), config=found[1]
        )
        return "ACCELERATE_LOG_LEVEL=info " + " ".join(words).replace(
            "--num_processes=8", "--num_processes=1"
        )
    raise AssertionError(f"no Trainer format for shape {shape}")


def tqdm_rate(shown: str, unit: str, remaining: float, left: int) -> float:
    """The iteration rate behind a bar: it prints as `shown` and leaves `remaining` seconds
    (tqdm truncates) for the `left` iterations still to run."""
    speed = float(shown)
    low, high = speed - 0.005, speed + 0.005
    per_iteration = (low, high) if unit == "s/it" else (1 / high, 1 / low)
    if left == 0:
        return 2 / (per_iteration[0] + per_iteration[1])
    low_s = max(per_iteration[0], remaining / left)
    high_s = min(per_iteration[1], (remaining + 1) / left)
    assert low_s < high_s, "no rate prints as the real line does"
    return 1 / ((low_s + high_s) / 2)


def seconds(text: str) -> float:
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return float(total)


# --- torchrun and NCCL --------------------------------------------------------------------


def torchrun_line(shape: str, real: str) -> str:
    if shape == "banner":
        found = match(
            r"W(\d{4} [\d:]+\.\d{3})000 (\d+) (\S*)torch/distributed/run\.py:(\d+)\] (.*)", real
        )
        moment = datetime.strptime("2025" + found[1], "%Y%m%d %H:%M:%S.%f")
        return torchrun.banner_line(moment, int(found[2]), int(found[4]), found[5], site=found[3])
    if shape.startswith("watchdog"):
        head = match(
            r"\[rank(\d+)\]:\[E(\d{3,4}) ([\d:]+)\.(\d{6})(\d{3}) "
            r"ProcessGroupNCCL\.cpp:(\d+)\] (.*)",
            real,
        )
        rank, monthday, clock, micros, nanos, line, msg = head.groups()
        moment = datetime.strptime(
            f"2025{int(monthday):04d} {clock}.{micros}", "%Y%m%d %H:%M:%S.%f"
        )
        source = torchrun.torch_source("2.5")._replace(
            watchdog=int(line), exception=int(line), inconsistency=int(line), takedown=int(line)
        )
        if shape == "watchdog_timeout":
            found = match(
                r"\[Rank \d+\] Watchdog caught collective operation timeout: "
                r"WorkNCCL\(SeqNum=(\d+), OpType=(\w+), NumelIn=(\d+), NumelOut=(\d+), "
                r"Timeout\(ms\)=(\d+)\) ran for (\d+) milliseconds before timing out\.",
                msg,
            )
            numbers = [int(found[i]) for i in range(3, 7)]
            timeout = c10d_watchdog.Timeout(int(found[1]), found[2], *numbers)
            return c10d_watchdog.watchdog_timeout(int(rank), moment, int(nanos), source, timeout)
        if shape == "watchdog_exception":
            found = match(
                r"\[(.+) Rank \d+\] Exception .* at work: (\d+), "
                r"last enqueued NCCL work: (\d+), last completed NCCL work: (\d+)\.",
                msg,
            )
            return c10d_watchdog.watchdog_exception(
                int(rank),
                moment,
                int(nanos),
                source,
                group=found[1],
                work=int(found[2]),
                enqueued=int(found[3]),
                completed=int(found[4]),
            )
        if shape == "watchdog_inconsistency":
            return c10d_watchdog.watchdog_inconsistency(int(rank), moment, int(nanos), source)
        return c10d_watchdog.watchdog_takedown(int(rank), moment, int(nanos), source)
    head = match(
        r"([WEI])(\d{4} [\d:]+\.\d{3})000 (\d+) (\S*)torch/distributed/elastic/(\S+):(\d+)\] (.*)",
        real,
    )
    _level, stamp, agent, site, _where, line, msg = head.groups()
    moment = datetime.strptime("2025" + stamp, "%Y%m%d %H:%M:%S.%f")
    number = int(line)
    source = torchrun.torch_source("2.6")._replace(
        mp_failed=number,
        mp_sigterm=number,
        agent_failed=number,
        agent_stopping=number,
        agent_rendezvous=number,
    )
    if shape == "worker_failed":
        found = match(
            r"failed \(exitcode: (-?\d+)\) local_rank: (\d+) \(pid: (\d+)\) of binary: (.+)", msg
        )
        return torchrun.worker_failed(
            moment,
            int(agent),
            source,
            exitcode=int(found[1]),
            local_rank=int(found[2]),
            pid=int(found[3]),
            binary=found[4],
            site=site,
        )
    if shape == "closing_signal":
        found = match(r"Sending process (\d+) closing signal (SIG\w+)", msg)
        return torchrun.closing_signal(
            moment, int(agent), source, int(found[1]), site=site, signal=found[2]
        )
    if shape == "death_signal":
        signum = int(match(r"Received (\d+) death signal, shutting down workers", msg)[1])
        return torchrun.death_signal(moment, int(agent), signum, site=site)
    if shape == "group_failed":
        found = match(r".*FAILED\. (\d+)/(\d+) attempts left.*", msg)
        return torchrun.group_failed(moment, int(agent), source, int(found[1]), int(found[2]))
    if shape == "stopping":
        return torchrun.stopping(moment, int(agent), source)
    if shape == "rendezvousing":
        return torchrun.rendezvousing(moment, int(agent), source)
    raise AssertionError(f"no torchrun format for shape {shape}")


def nccl_line(shape: str, real: str) -> str:
    if shape == "version":
        found = match(r"NCCL version ([\d.]+)\+cuda([\d.]+)", real)
        return nccl.version_banner(found[1], found[2])
    head = match(r"(\S+):(\d+):(\d+) \[(\d+)\] NCCL INFO (.*)", real)
    where = nccl.Where(head[1], int(head[2]), int(head[3]), int(head[4]))
    msg = head[5]
    if shape in {"init_complete_v1", "init_complete_v2", "init_start"}:
        found = match(
            r"(?:(ncclCommInitRank\w*) )?comm 0x([0-9a-f]+) rank (\d+) nranks (\d+) "
            r"cudaDev \d+ nvmlDev \d+ "
            r"busId (\w+) commId 0x([0-9a-f]+) - Init (START|COMPLETE)",
            msg,
        )
        version = "2.23.4" if msg.startswith("ncclCommInitRank") else "2.21.5"
        build = nccl.init_start if found[7] == "START" else nccl.init_complete
        comm = nccl.Comm(
            int(found[2], 16), int(found[3]), int(found[4]), found[5], int(found[6], 16)
        )
        return build(where, version, comm, caller=found[1] or "")
    if shape == "net_ib":
        found = match(r"NET/IB : Using (.+) \[RO\]; OOB (\w+):([\d.]+)<0>", msg)
        devices = [item.split("]")[1].split(":")[0] for item in found[1].split()]
        return nccl.net_ib(where, devices, found[2], found[3])
    if shape == "using_network":
        return nccl.using_network(where, match(r"Using network (\w+)", msg)[1])
    if shape == "bootstrap":
        found = match(r"Bootstrap ?: Using (\w+):([\d.]+)<0>", msg)
        return nccl.bootstrap(where, "2.18.3" if " :" in msg else "2.27.5", found[1], found[2])
    if shape == "driver":
        return nccl.driver(where, int(match(r"cudaDriverVersion (\d+)", msg)[1]))
    if shape == "comm_config":
        assert msg == "Comm config Blocking set to 1"
        return nccl.comm_config_blocking(where)
    if shape == "net_plugin":
        found = match(r"(Initialized|Assigned) NET plugin (\w+)(?: to comm)?", msg)
        return nccl.net_plugin(where, found[2])[0 if found[1] == "Initialized" else 1]
    if shape == "channel_v2":
        found = match(r"Channel (\d+)/(\d+) :((?: +\d+)+)", msg)
        ring = [int(r) for r in found[3].split()]
        return nccl_topology.channel(where, int(found[1]), int(found[2]), ring, "2.27.5")
    if shape == "coll_channels_v2":
        found = match(
            r"(\d+) coll channels, (\d+) collnet channels, (\d+) nvls channels, "
            r"(\d+) p2p channels, (\d+) p2p channels per peer",
            msg,
        )
        assert found[1] == found[2]  # 2.27 passes nChannels for both
        return nccl_topology.coll_channels(
            where, int(found[1]), int(found[4]), int(found[5]), "2.27.5", nvls=int(found[3])
        )
    if shape == "connected_rings_v2":
        found = match(r"Connected all rings, use ring PXN (\d) GDR (\d)", msg)
        return nccl_topology.connected(
            where, "rings", "2.27.5", pxn=int(found[1]), gdr=int(found[2])
        )
    if shape == "init_timings_v2":
        found = match(
            r"Init timings - ncclCommInitRankConfig: rank (\d+) nranks (\d+) total ([\d.]+) "
            r"\((.+)\)",
            msg,
        )
        parts = [
            (name, float(value)) for name, value in (item.split() for item in found[4].split(", "))
        ]
        return nccl_topology.init_timings(
            where,
            rank=int(found[1]),
            nranks=int(found[2]),
            total=float(found[3]),
            parts=parts,
            version="2.27.5",
        )
    if shape == "version_prefixed":
        found = match(r"NCCL version ([\d.]+)\+cuda([\d.]+)", msg)
        return nccl.info(where, nccl.version_banner(found[1], found[2]))
    if shape == "channel":
        found = match(r"Channel (\d+)/(\d+) :((?: +\d+)+)", msg)
        ring = [int(r) for r in found[3].split()]
        return nccl_topology.channel(where, int(found[1]), int(found[2]), ring, "2.18.3")
    if shape == "trees":
        links = []
        for part in re.findall(r"\[\d+\] (\S+)", msg):
            down, rank, parent = part.split("->")
            links.append(([int(child) for child in down.split("/")], int(rank), int(parent)))
        return nccl_topology.trees(where, links)
    if shape == "connected_rings":
        return nccl_topology.connected(where, match(r"Connected all (\w+)", msg)[1])
    if shape == "coll_channels":
        found = match(r"(\d+) coll channels, (\d+) p2p channels, (\d+) p2p channels per peer", msg)
        return nccl_topology.coll_channels(where, int(found[1]), int(found[2]), int(found[3]))
    if shape == "init_timings":
        found = match(r"Init timings: rank (\d+) nranks (\d+) total ([\d.]+) \((.+)\)", msg)
        parts = [
            (name, float(value)) for name, value in (item.split() for item in found[4].split(", "))
        ]
        return nccl_topology.init_timings(
            where, rank=int(found[1]), nranks=int(found[2]), total=float(found[3]), parts=parts
        )
    raise AssertionError(f"no NCCL format for shape {shape}")


# --- the tests ------------------------------------------------------------------------------

# Pages that quote logs often strip trailing blanks; these shapes end in one in the real log.
TRAILING_BLANK_STRIPPED = {("hf", "running_evaluation"), ("hf", "training_completed")}

REFORMAT: dict[str, Callable[[RealLine], str | list[str]]] = {
    "torchtitan": lambda row: titan_launch(row.text) if row.shape == "launch" else titan(row.text),
    "megatron": lambda row: megatron_line(row.shape, row.text),
    "deepspeed": lambda row: deepspeed_line(row.shape, row.text),
    "hf": lambda row: hf_line(row.shape, row.text),
    "torchrun": lambda row: torchrun_line(row.shape, row.text),
    "nccl": lambda row: nccl_line(row.shape, row.text),
}

ROWS = [
    (dialect, row)
    for dialect in REFORMAT
    for row in real_lines(dialect)
    if not row.shape.startswith("reference:")  # another release's line, kept as a reference
]


@pytest.mark.parametrize(
    ("dialect", "row"), ROWS, ids=[f"{d}-{r.shape}-{i}" for i, (d, r) in enumerate(ROWS)]
)
def test_a_real_line_comes_back_from_its_format(dialect: str, row: RealLine) -> None:
    ours = REFORMAT[dialect](row)
    assert isinstance(ours, str)
    if (dialect, row.shape) in TRAILING_BLANK_STRIPPED:
        assert ours.rstrip() == row.text.rstrip()
    else:
        assert ours == row.text


@pytest.mark.parametrize("dialect", ["torchtitan", "megatron", "deepspeed", "hf"])
def test_each_framework_is_held_against_ten_real_line_shapes(dialect: str) -> None:
    shapes = {row.shape for row in real_lines(dialect)}
    assert len(shapes) >= 10, sorted(shapes)


def test_every_real_line_names_where_it_came_from() -> None:
    for _dialect, row in ROWS:
        assert re.fullmatch(r"https://github\.com/\S+|index:\d+", row.source), row


@settings(max_examples=3000)
@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.builds(
            lambda exponent, sign: sign * 2.0**exponent,
            st.integers(-1074, 1023),
            st.sampled_from([1.0, -1.0]),
        ),
    )
)
@example(2.0**-24)  # lopsided rounding interval: the correctly rounded 16 digits miss
@example(2.0**-645)  # 15 digits read back, 16 correctly rounded do not
@example(-0.0)
def test_python_float_text_is_repr(value: float) -> None:
    assert py_float(value) == repr(value)


@settings(max_examples=3000)
@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(-1e11, 1e11),
        st.floats(-1e-3, 1e-3),
        st.integers(-(10**6), 10**6).map(lambda k: k / 10_000),  # ties and exact places
    ),
    st.integers(0, 6),
)
@example(-0.00004, 4)  # rounds to -0.0
@example(0.00005, 4)  # the least nonzero value of 4 places, at repr's fixed-point edge
@example(9_999_999_999.99996, 4)
def test_python_rounded_text_is_repr_of_the_rounded_value(value: float, digits: int) -> None:
    # the Trainer's `round(x, 4)` printed by repr, as py_float(rounded(...)) gives it
    assert py_rounded(value, digits) == repr(float(f"{value:.{digits}f}"))


def tqdm_format_interval(t: float) -> str:
    """tqdm 4.67.1, tqdm/std.py `tqdm.format_interval`, as released."""
    mins, s = divmod(int(t), 60)
    h, m = divmod(mins, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


@given(st.one_of(st.floats(-1e7, 1e9), st.integers(-4000, 4000).map(float)))
@example(3599.999)
@example(3600.0)
@example(-0.5)
@example(-61.0)
def test_the_tqdm_interval_is_tqdms_format_interval(seconds: float) -> None:
    assert hf.interval(seconds) == tqdm_format_interval(seconds)


def test_deepspeed_world_info_is_the_runners_base64_json() -> None:
    assert deepspeed.encoded_world_info(["localhost"], 2) == "eyJsb2NhbGhvc3QiOiBbMCwgMV19"
    decoded = json.loads(base64.urlsafe_b64decode(deepspeed.encoded_world_info(["a", "b"], 8)))
    assert decoded == {"a": list(range(8)), "b": list(range(8))}


@given(
    st.integers(0, 10_000),
    st.integers(1, 10_000),
    st.floats(0, 1e6),
    st.one_of(st.none(), st.floats(1e-4, 1e3)),
    st.integers(40, 250),
)
def test_the_tqdm_bar_fills_its_columns_and_shows_its_fraction(
    n: int, extra: int, elapsed: float, rate: float | None, ncols: int
) -> None:
    total = n + extra
    text = hf.bar(n, total, elapsed, rate, ncols)
    bar = text.split("|")[1]
    # tqdm keeps at least one bar cell; otherwise the meter is exactly as wide as asked.
    assert len(text) == ncols or (len(bar) == 1 and len(text) > ncols)
    assert bar.count("█") == int(n / total * len(bar) * 8) // 8


def test_megatron_validation_rules_are_one_longer_than_the_line() -> None:
    rule, text, again = megatron_lines.validation("iteration 50", 8.889540, 7255.679)
    assert rule == again == "-" * (len(text) + 1)


def test_trainer_runtimes_past_a_day_print_as_timedelta_does() -> None:
    assert hf.runtime_text(98849.5) == "1 day, 3:27:29.50"
    assert hf.runtime_text(2 * 86400 + 61.999) == "2 days, 0:01:01.99"


def test_torchtitan_model_args_give_each_architectures_ffn_width() -> None:
    # torchtitan/models/llama3/__init__.py at v0.2.0: 8B multiple_of=1024,
    # ffn_dim_multiplier=1.3; 70B 4096 and 1.3; 405B 4096 and 1.2 (FFN 14336, 28672, 53248).
    assert torchtitan_release.ffn_args(4096, 14336) == (1024, 1.3)
    assert torchtitan_release.ffn_args(8192, 28672) == (4096, 1.3)
    assert torchtitan_release.ffn_args(16384, 53248) == (4096, 1.2)
    assert torchtitan_release.ffn_args(4096, 11008) == (256, None)


@given(st.integers(1, 200), st.integers(1, 32))
def test_megatron_stages_hold_every_layer_with_the_ends_lightest(layers: int, stages: int) -> None:
    counts = megatron_shards.stage_layers(layers, stages)
    assert len(counts) == stages
    assert sum(counts) == layers
    if layers >= stages:
        # TransformerConfig (transformer_config.py:1051-1056 at core_v0.14.0): the layers
        # after the first and last stage divide evenly over the middle ones; none is empty.
        assert min(counts) >= 1
        assert len(set(counts[1:-1])) <= 1
    extra = layers % stages
    if stages <= 3 or extra in (0, stages - 2, stages - 1) or layers < stages:
        # where layers can be spread one apart at most, they are, the ends lightest
        assert max(counts) - min(counts) <= 1
        if stages > 2 and extra <= stages - 2:
            assert counts[0] == counts[-1] == min(counts)
    else:  # DeepSeek-V3's 61 over 16: 2, 4 x 14, 3 (the first stage the lighter end)
        assert counts[0] <= counts[-1]
