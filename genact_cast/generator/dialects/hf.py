"""The Hugging Face Trainer's log (transformers 4.45, as example scripts configure it):
`[LEVEL|file.py:line] stamp >> message` lines, Python-dict metric lines, and the tqdm bar the
Trainer redraws in place, with metric lines written above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects.common import float32, logging_stamp, py_float, rounded

# Source lines of transformers 4.45.2's trainer.py, as its logs show them.
RUNNING_TRAINING = 2243
EVALUATION = 4021
SAVE = 3705
COMPLETED = 2505


def line(moment: datetime, where: str, message: str, *, level: str = "INFO") -> str:
    return f"[{level}|{where}] {logging_stamp(moment)} >> {message}"


def trainer(moment: datetime, lineno: int, message: str) -> str:
    return line(moment, f"trainer.py:{lineno}", message)


def running_training(
    moment: datetime,
    *,
    examples: int,
    epochs: int,
    per_device: int,
    total_batch: int,
    grad_accum: int,
    steps: int,
    trainable: int,
) -> list[str]:
    """The `***** Running training *****` block, each line from its own source line."""
    rows = [
        (0, "***** Running training *****"),
        (1, f"  Num examples = {examples:,}"),
        (2, f"  Num Epochs = {epochs:,}"),
        (3, f"  Instantaneous batch size per device = {per_device:,}"),
        (
            6,
            f"  Total train batch size (w. parallel, distributed & accumulation) = {total_batch:,}",
        ),
        (7, f"  Gradient Accumulation steps = {grad_accum}"),
        (8, f"  Total optimization steps = {steps:,}"),
        (9, f"  Number of trainable parameters = {trainable:,}"),
    ]
    return [trainer(moment, RUNNING_TRAINING + offset, text) for offset, text in rows]


def running_evaluation(moment: datetime, *, examples: int, batch_size: int) -> list[str]:
    """The message starts with a newline, so the banner stands on a line of its own."""
    return [
        trainer(moment, EVALUATION, ""),
        "***** Running Evaluation *****",
        trainer(moment, EVALUATION + 2, f"  Num examples = {examples:,}"),
        trainer(moment, EVALUATION + 5, f"  Batch size = {batch_size}"),
    ]


def saving(moment: datetime, folder: str) -> str:
    return trainer(moment, SAVE, f"Saving model checkpoint to {folder}")


def tokenizer_saved(moment: datetime, folder: str) -> list[str]:
    where = "tokenization_utils_base.py"
    return [
        line(
            moment,
            f"{where}:2641",
            f"tokenizer config file saved in {folder}/tokenizer_config.json",
        ),
        line(
            moment,
            f"{where}:2650",
            f"Special tokens file saved in {folder}/special_tokens_map.json",
        ),
    ]


def training_completed(moment: datetime) -> list[str]:
    return [
        trainer(moment, COMPLETED, ""),
        "",
        "Training completed. Do not forget to share your model on huggingface.co/models =)",
        "",
        "",
    ]


def _dict(items: Sequence[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"'{key}': {value}" for key, value in items) + "}"


def log(*, loss: float, grad_norm: float, learning_rate: float, epoch: float) -> str:
    """A logging step: loss rounded to 4 places, grad norm as a float32 tensor's value,
    learning rate as the scheduler's double, epoch to 2 places."""
    return _dict(
        [
            ("loss", py_float(rounded(loss, 4))),
            ("grad_norm", py_float(float32(grad_norm))),
            ("learning_rate", py_float(learning_rate)),
            ("epoch", py_float(rounded(epoch, 2))),
        ]
    )


def eval_log(*, loss: float, runtime: float, samples: int, steps: int, epoch: float) -> str:
    """`{'eval_loss': ...}`: a float32 mean loss, runtime and rates rounded as `speed_metrics`."""
    return _dict(
        [
            ("eval_loss", py_float(float32(loss))),
            ("eval_runtime", py_float(rounded(runtime, 4))),
            ("eval_samples_per_second", py_float(rounded(samples / runtime, 3))),
            ("eval_steps_per_second", py_float(rounded(steps / runtime, 3))),
            ("epoch", py_float(rounded(epoch, 2))),
        ]
    )


def train_summary(*, runtime: float, samples: int, steps: int, loss: float, epoch: float) -> str:
    return _dict(
        [
            ("train_runtime", py_float(rounded(runtime, 4))),
            ("train_samples_per_second", py_float(rounded(samples / runtime, 3))),
            ("train_steps_per_second", py_float(rounded(steps / runtime, 3))),
            ("train_loss", py_float(loss)),
            ("epoch", py_float(rounded(epoch, 2))),
        ]
    )


def metrics(title: str, values: Sequence[tuple[str, str]]) -> list[str]:
    """`***** train metrics *****` then `  name = value`, names padded, values right-aligned."""
    name_width = max(len(name) for name, _ in values)
    value_width = max(len(value) for _, value in values)
    rows = [f"  {name:<{name_width}} = {value:>{value_width}}" for name, value in values]
    return [f"***** {title} metrics *****", *rows]


def runtime_text(seconds: float) -> str:
    """`0:17:01.26`: hours unpadded, hundredths, as `metrics_format` prints a runtime."""
    hundredths = round(seconds * 100)
    whole, cents = divmod(hundredths, 100)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}.{cents:02d}"


# tqdm's bar: full blocks, then one partial block of eighths, then spaces.
_BLOCKS = " " + "".join(chr(code) for code in range(0x258F, 0x2587, -1))


def interval(seconds: float) -> str:
    """tqdm's `format_interval`: [H:]MM:SS."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def bar(n: int, total: int, elapsed: float, rate: float | None, ncols: int) -> str:
    """The tqdm meter at `ncols` columns: percent, bar, n/total, [elapsed<remaining, rate].

    `rate` is iterations per second (None before the first one); below one it/s tqdm shows s/it.
    """
    fraction = n / total
    left = f"{fraction * 100:3.0f}%|"
    if rate is None or rate <= 0:
        right = f"| {n}/{total} [{interval(elapsed)}<?, ?it/s]"
    else:
        remaining = interval((total - n) / rate)
        speed = f"{1 / rate:5.2f}s/it" if rate < 1 else f"{rate:5.2f}it/s"
        right = f"| {n}/{total} [{interval(elapsed)}<{remaining}, {speed}]"
    width = max(1, ncols - len(left) - len(right))
    eighths = int(fraction * width * 8)
    full, part = divmod(eighths, 8)
    body = _BLOCKS[-1] * full
    if full < width:
        body += _BLOCKS[part] + " " * (width - full - 1)
    return left + body + right


def command(
    *, nodes: int, master: str, port: int, script: str, args: Sequence[str], config: str
) -> list[str]:
    """`accelerate launch` with a multi-GPU config; several nodes name the main process."""
    words = ["accelerate", "launch", "--config_file", config, f"--num_processes={nodes * 8}"]
    if nodes > 1:
        words += [
            f"--num_machines={nodes}",
            "--machine_rank=0",
            f"--main_process_ip={master}",
            f"--main_process_port={port}",
        ]
    return [*words, script, *args]
