"""The Hugging Face Trainer's line formats in transformers 4.57.1 (and trl 0.24.0's SFT
metrics, tqdm's bar): each function or constant is one format of that release (its file:line
in presenters/frameworks/hf/catalogue.tsv), filled with numbers. The flow that prints them
is `hf.Log`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects.common import (
    float32,
    logging_stamp,
    py_float,
    py_rounded,
)

# Source lines of transformers 4.57.1 (its PyPI wheel), as its logs show them.
RUNNING_TRAINING = 2519  # trainer.py: "***** Running training *****", then its rows
LOADING_MODEL = 2934  # trainer.py (_load_from_checkpoint): "Loading model from {checkpoint}."
RESUMING = (2549, 2550, 2551, 2553)  # trainer.py: "  Continuing training from ..."
EVALUATION = 4643  # trainer.py: f"\n***** Running {description} *****"
SAVE = 4309  # trainer.py (_save): "Saving model checkpoint to {output_dir}"
# trainer.py (_rotate_checkpoints, after each _save_checkpoint's save and trainer state,
# :3367-3370): "Deleting older checkpoint [{checkpoint}] due to args.save_total_limit"
DELETE = 4418
COMPLETED = 2810  # trainer.py: "\n\nTraining completed. Do not forget ..."
CONFIG_SAVED = "configuration_utils.py:491"
GENERATION_SAVED = "configuration_utils.py:757"  # generation/configuration_utils.py
SHARDS_SAVED = "modeling_utils.py:4189"
WEIGHTS_SAVED = "modeling_utils.py:4181"
TOKENIZER_SAVED = ("tokenization_utils_base.py:2590", "tokenization_utils_base.py:2599")
CHAT_TEMPLATE_SAVED = "tokenization_utils_base.py:2421"  # save_chat_templates, a str template


def line(moment: datetime, where: str, message: str, *, level: str = "INFO") -> str:
    return f"[{level}|{where}] {logging_stamp(moment)} >> {message}"


def with_prefix(moment: datetime, where: str, message: list[str]) -> list[str]:
    """A message of several lines: the logger's prefix stands before its first only."""
    if not message:
        return []
    return [line(moment, where, message[0]), *message[1:]]


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
        trainer(moment, EVALUATION + 2, f"  Num examples = {examples}"),
        trainer(moment, EVALUATION + 5, f"  Batch size = {batch_size}"),
    ]


LOADING_CONFIG = "configuration_utils.py:763"  # "loading configuration file {path}"
LOADING_WEIGHTS = "modeling_utils.py:1169"  # "loading weights file {path}"
INSTANTIATING = "modeling_utils.py:2341"  # "Instantiating {cls} model under default dtype"

# The model class each family's config.json names (its "architectures").
MODEL_CLASSES = (
    ("Llama-4", "Llama4ForConditionalGeneration"),
    ("Llama", "LlamaForCausalLM"),
    ("Mistral", "MistralForCausalLM"),
    ("Mixtral", "MixtralForCausalLM"),
    ("Qwen3-30B-A3B", "Qwen3MoeForCausalLM"),
    ("Qwen3", "Qwen3ForCausalLM"),
    ("Qwen2", "Qwen2ForCausalLM"),
    ("OLMo-2", "Olmo2ForCausalLM"),
    ("Gemma-3", "Gemma3ForConditionalGeneration"),
    ("DeepSeek-V3", "DeepseekV3ForCausalLM"),
)


def model_class(model_name: str) -> str:
    """The architecture class a checkpoint's config.json names for the catalog's model."""
    for prefix, name in MODEL_CLASSES:
        if model_name.startswith(prefix):
            return name
    return "LlamaForCausalLM"


HALF_PRECISION = 749  # trainer.py: "Using auto half precision backend" (--bf16)


def half_precision(moment: datetime) -> str:
    return trainer(moment, HALF_PRECISION, "Using auto half precision backend")


def saving(moment: datetime, folder: str) -> str:
    return trainer(moment, SAVE, f"Saving model checkpoint to {folder}")


def deleting(moment: datetime, folder: str) -> str:
    """`_rotate_checkpoints` removes a checkpoint past save_total_limit. It globs
    `Path(output_dir)`, which drops a leading `./`: `out/checkpoint-200`
    (_sorted_checkpoints, trainer.py:4362-4364 at 4.57.1)."""
    message = f"Deleting older checkpoint [{folder}] due to args.save_total_limit"
    return trainer(moment, DELETE, message)


def tokenizer_saved(moment: datetime, folder: str, *, chat: bool = False) -> list[str]:
    """`save_pretrained` of the tokenizer. One with a chat template writes it to
    chat_template.jinja first (save_jinja_files defaults to True, :2544): an SFT run on
    conversations has one, as apply_chat_template raises without it."""
    template = [
        line(moment, CHAT_TEMPLATE_SAVED, f"chat template saved in {folder}/chat_template.jinja")
    ]
    return [
        *(template if chat else []),
        line(
            moment,
            TOKENIZER_SAVED[0],
            f"tokenizer config file saved in {folder}/tokenizer_config.json",
        ),
        line(
            moment,
            TOKENIZER_SAVED[1],
            f"Special tokens file saved in {folder}/special_tokens_map.json",
        ),
    ]


def config_saved(moment: datetime, folder: str) -> str:
    return line(moment, CONFIG_SAVED, f"Configuration saved in {folder}/config.json")


def generation_config_saved(moment: datetime, folder: str) -> str:
    return line(moment, GENERATION_SAVED, f"Configuration saved in {folder}/generation_config.json")


def sharded_save(moment: datetime, folder: str, shards: int) -> str:
    """save_pretrained's last line: an index only where the weights split into more than one
    file (modeling_utils.py:4179-4193 at 4.57.1); one safetensors file otherwise."""
    if shards == 1:
        return line(moment, WEIGHTS_SAVED, f"Model weights saved in {folder}/model.safetensors")
    return line(
        moment,
        SHARDS_SAVED,
        "The model is bigger than the maximum size per checkpoint (5GB) and is going to be split "
        f"in {shards} checkpoint shards. You can find where each parameters has been saved in the "
        f"index located at {folder}/model.safetensors.index.json.",
    )


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


def log(
    *,
    loss: float,
    grad_norm: float,
    learning_rate: float,
    epoch: float,
    sft: tuple[float, float, float] | None = None,
    bar: bool = True,
) -> str:
    """A logging step: loss rounded to 4 places, grad norm as a float32 tensor's value,
    learning rate as the scheduler's double, epoch to 2 places (trainer_callback.py's
    ProgressCallback.on_log; without the bar, `bar` False, PrinterCallback prints the
    state's epoch unrounded, :706-709). trl's SFTTrainer adds its metrics before the epoch
    (sft_trainer.py:1187): the mean entropy, the tokens seen and the mean token accuracy,
    already Python means of float32 values (trl_metrics)."""
    items = [
        ("loss", py_rounded(loss, 4)),
        ("grad_norm", py_float(float32(grad_norm))),
        ("learning_rate", py_float(learning_rate)),
    ]
    if sft is not None:
        entropy, tokens, accuracy = sft
        items += [
            ("entropy", py_float(entropy)),
            ("num_tokens", py_float(tokens)),
            ("mean_token_accuracy", py_float(accuracy)),
        ]
    return _dict([*items, ("epoch", py_rounded(epoch, 2) if bar else py_float(epoch))])


# The command's --lr_scheduler_kwargs (hf_job.py): cosine decay to a tenth of the peak.
MIN_LR_RATE = 0.1


def scheduled_lr(step: int, *, peak: float, warmup: int, total: int) -> float:
    """The learning rate the Trainer logs after optimizer step `step`: torch 2.9's LambdaLR
    (`base_lr * lmbda(self.last_epoch)`, lr_scheduler.py LambdaLR.get_lr) of
    transformers 4.57.1's cosine_with_min_lr lambda (optimization.py:324-333, num_cycles
    0.5), computed in its order: the factor first, the peak last. The same curve as
    physics.learning_rate, whose other order leaves other last bits
    (`0.00044999999999999993` for 0.0006 x 0.75)."""
    if step < warmup:
        factor = float(step) / float(max(1, warmup))
    else:
        progress = float(step - warmup) / float(max(1, total - warmup))
        factor = 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress))
        factor = factor * (1 - MIN_LR_RATE) + MIN_LR_RATE
    return peak * max(0.0, factor)


def state_epoch(step: int, steps_per_epoch: int) -> float:
    """TrainerState.epoch at optimizer step `step`: `epoch + (step + 1) / steps_in_epoch`
    (trainer.py:2754 at 4.57.1), the epoch's batches seen over its batches (gradient
    accumulation scales both alike)."""
    epoch = (step - 1) // steps_per_epoch if step > 0 else 0
    return epoch + (step - epoch * steps_per_epoch) / steps_per_epoch


def eval_log(
    *,
    loss: float,
    runtime: float,
    samples: int,
    steps: int,
    epoch: float,
    sft: tuple[float, float, float] | None = None,
    bar: bool = True,
) -> str:
    """`{'eval_loss': ...}`: a float32 mean loss, runtime and rates rounded as `speed_metrics`.
    trl 0.24.0's SFTTrainer.log adds its eval-mode metrics, prefixed `eval_`, after those and
    before the epoch (sft_trainer.py:1187-1197): entropy and token accuracy averaged over the
    eval batches (:1121, :1174), and num_tokens, the training tokens seen so far (:1134)."""
    items = [
        ("eval_loss", py_float(float32(loss))),
        ("eval_runtime", py_rounded(runtime, 4)),
        ("eval_samples_per_second", py_rounded(samples / runtime, 3)),
        ("eval_steps_per_second", py_rounded(steps / runtime, 3)),
    ]
    if sft is not None:
        entropy, tokens, accuracy = sft
        items += [
            ("eval_entropy", py_float(entropy)),
            ("eval_num_tokens", py_float(tokens)),
            ("eval_mean_token_accuracy", py_float(accuracy)),
        ]
    return _dict([*items, ("epoch", py_rounded(epoch, 2) if bar else py_float(epoch))])


def train_summary(*, runtime: float, samples: int, steps: int, loss: float, epoch: float) -> str:
    return _dict(
        [
            ("train_runtime", py_rounded(runtime, 4)),
            ("train_samples_per_second", py_rounded(samples / runtime, 3)),
            ("train_steps_per_second", py_rounded(steps / runtime, 3)),
            ("train_loss", py_float(loss)),
            ("epoch", py_rounded(epoch, 2)),
        ]
    )


def metrics(title: str, values: Sequence[tuple[str, str]]) -> list[str]:
    """`***** train metrics *****` then `  name = value`, names padded, values right-aligned."""
    name_width = max(len(name) for name, _ in values)
    value_width = max(len(value) for _, value in values)
    rows = [f"  {name:<{name_width}} = {value:>{value_width}}" for name, value in values]
    return [f"***** {title} metrics *****", *rows]


def runtime_text(seconds: float) -> str:
    """`0:17:01.26`: `str(timedelta)` of the whole seconds (with days past 24 hours), then the
    hundredths truncated, as the Trainer's `metrics_format` prints a runtime."""
    whole = int(seconds)
    cents = int((seconds - whole) * 100)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    head = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    return f"{head}{hours}:{minutes:02d}:{secs:02d}.{cents:02d}"


# tqdm's bar: full blocks, then one partial block of eighths, then spaces.
_BLOCKS = " " + "".join(chr(code) for code in range(0x258F, 0x2587, -1))


# "00" to "59": the bar shows two intervals on each of its thousand or more redraws, and
# formatting each field with `:02d` cost twice the rest of `interval`.
_TWO_DIGITS = tuple(f"{k:02d}" for k in range(60))


def interval(seconds: float) -> str:
    """tqdm's `format_interval`: [H:]MM:SS."""
    minutes, secs = divmod(int(seconds), 60)
    if 0 <= minutes < 60:  # (a negative time: tqdm's own layout, below)
        return f"{_TWO_DIGITS[minutes]}:{_TWO_DIGITS[secs]}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{_TWO_DIGITS[minutes]}:{_TWO_DIGITS[secs]}"


def bar(
    n: int,
    total: int,
    elapsed: float,
    rate: float | None,
    ncols: int | None,
    desc: str = "",
    unit: str = "it",
) -> str:
    """The tqdm meter at `ncols` columns: percent, bar, n/total, [elapsed<remaining, rate].
    With no width (None: a stream that is not a terminal, and no COLUMNS) tqdm draws a bar
    of 10 cells (tqdm 4.67.1 std.py:637, `max(1, ncols - disp_len(nobar)) if ncols else 10`).

    `rate` is iterations per second (None before the first one); below one it/s tqdm shows s/it.
    `unit` as tqdm's (datasets' map bars count " examples").
    """
    fraction = n / total
    left = f"{desc}{fraction * 100:3.0f}%|"
    if rate is None or rate <= 0:
        right = f"| {n}/{total} [{interval(elapsed)}<?, ?{unit}/s]"
    else:
        remaining = interval((total - n) / rate)
        speed = f"{1 / rate:5.2f}s/{unit}" if rate < 1 else f"{rate:5.2f}{unit}/s"
        right = f"| {n}/{total} [{interval(elapsed)}<{remaining}, {speed}]"
    width = max(1, ncols - len(left) - len(right)) if ncols else 10
    eighths = int(fraction * width * 8)
    full, part = divmod(eighths, 8)
    body = _BLOCKS[-1] * full
    if full < width:
        body += _BLOCKS[part] + " " * (width - full - 1)
    return left + body + right


def command(
    *,
    nodes: int,
    master: str,
    port: int,
    script: str,
    args: Sequence[str],
    config: str,
    max_restarts: int = 0,
    parallelism: Sequence[str] = (),
) -> list[str]:
    """`accelerate launch` with a multi-GPU config; several nodes name the main process."""
    words = ["accelerate", "launch", "--config_file", config, f"--num_processes={nodes * 8}"]
    if max_restarts:  # the elastic agent restarts the workers after a failure
        words.append(f"--max_restarts={max_restarts}")
    if nodes > 1:
        words += [
            f"--num_machines={nodes}",
            "--machine_rank=0",
            f"--main_process_ip={master}",
            f"--main_process_port={port}",
        ]
        if max_restarts:
            # accelerate 1.11.0's default rendezvous is static (commands/launch.py:333-338),
            # whose num_nodes_waiting() is always 0: only the c10d one lets the other nodes'
            # agents see a restarted node and restart their workers with it (review-tt10
            # fault 4); accelerate passes main_process_ip:port as its endpoint
            # (utils/launch.py:226).
            words.append("--rdzv_backend=c10d")
    return [*words, *parallelism, script, *args]
