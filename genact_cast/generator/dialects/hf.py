"""The Hugging Face Trainer's log (transformers 4.45, as example scripts configure it):
`[LEVEL|file.py:line] stamp >> message` lines, Python-dict metric lines, and the tqdm bar the
Trainer redraws in place, with metric lines written above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects.base import (
    MAX_RESTARTS,
    Clock,
    Close,
    Incidentals,
    Line,
    Out,
    Redraw,
    banner,
    failure_lines,
    interrupted_lines,
    nccl_startup,
)
from genact_cast.generator.dialects.common import float32, logging_stamp, py_float, rounded
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    Evaluated,
    Exported,
    Failed,
    Launched,
    ModelReady,
    Restarted,
    RunEvent,
    StepStats,
)

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


def config_saved(moment: datetime, folder: str) -> str:
    return line(
        moment, "configuration_utils.py:472", f"Configuration saved in {folder}/config.json"
    )


def sharded_save(moment: datetime, folder: str, shards: int) -> str:
    return line(
        moment,
        "modeling_utils.py:2698",
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


def interval(seconds: float) -> str:
    """tqdm's `format_interval`: [H:]MM:SS."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def bar(n: int, total: int, elapsed: float, rate: float | None, ncols: int, desc: str = "") -> str:
    """The tqdm meter at `ncols` columns: percent, bar, n/total, [elapsed<remaining, rate].

    `rate` is iterations per second (None before the first one); below one it/s tqdm shows s/it.
    """
    fraction = n / total
    left = f"{desc}{fraction * 100:3.0f}%|"
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
    *,
    nodes: int,
    master: str,
    port: int,
    script: str,
    args: Sequence[str],
    config: str,
    max_restarts: int = 0,
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
    return [*words, script, *args]


# --- the run, as a Trainer script prints it -----------------------------------------------

PG_TIMEOUT_MS = 1_800_000  # TrainingArguments.ddp_timeout's default, 1800 s
LOGGING_STEPS = 10
SAVE_STEPS = 500


class Log:
    """`accelerate launch train.py`: the Trainer's logging lines, the tqdm bar it redraws in
    place every step with the `{'loss': ...}` dicts written above it every `logging_steps`,
    evaluation, `checkpoint-N` saves, and the summary at the end."""

    logs_first_step = False
    has_bar = True
    relaunched = False

    def __init__(
        self, facts: Facts, *, color: bool, cols: int, interval: int = LOGGING_STEPS
    ) -> None:
        del color  # the Trainer prints no colour
        self.facts = facts
        self.interval = interval
        self.ncols = max(20, cols - 1)  # tqdm stays clear of the last column
        self.incidentals = Incidentals(facts, 0)
        self.failures = 0
        self.clock = Clock()
        self.output = "./out"
        self.resume_step = 0
        self.train_start = 0.0
        self.losses: list[float] = []

    def _at(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def launch_words(self) -> list[str]:
        f = self.facts
        args = [
            "--model_name_or_path",
            f.model_name,
            "--dataset_name",
            f.dataset,
            "--bf16",
            *(["--packing"] if f.kind == "sft" else []),
            f"--per_device_train_batch_size={f.micro_batch}",
            f"--gradient_accumulation_steps={f.grad_accum}",
            # Tensor parallel inside a node: the Trainer's total batch counts data-parallel
            # ranks only (world size ÷ TP).
            *([f"--tp_size={f.tp}"] if f.tp > 1 else []),
            f"--num_train_epochs={f.epochs}",
            f"--learning_rate={py_float(f.peak_lr)}",
            "--lr_scheduler_type=cosine_with_min_lr",
            '--lr_scheduler_kwargs={"min_lr_rate": 0.1}',
            f"--warmup_steps={f.warmup}",
            f"--logging_steps={self.interval}",
            "--eval_strategy=epoch",
            f"--save_steps={SAVE_STEPS}",
            f"--output_dir={self.output}",
        ]
        return command(
            nodes=f.nodes,
            master=f.master,
            port=f.port,
            script="train.py",
            args=args,
            config="fsdp.yaml",
            max_restarts=3,
        )

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            self.incidentals = (
                self.incidentals.relaunched(self.facts, event.attempt, same_agent=True)
                if event.attempt
                else Incidentals(self.facts, 0)
            )
            if event.attempt:
                return []
            return [Line(text) for text in banner(self.facts, self._at(event.t), self.incidentals)]
        if isinstance(event, CommReady):
            return [Line(text) for text in nccl_startup(self.facts, self.incidentals)]
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady):
            return self._data(event)
        if isinstance(event, Evaluated):
            return self._evaluate(event)
        if isinstance(event, CheckpointSaved):
            return self._checkpoint(event)
        if isinstance(event, Failed):
            return self._failure(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            return []
        if isinstance(event, Exported):
            return self._export(event)
        return []

    def finish_training(self, t: float) -> list[Out]:
        return self._finished(t)

    def stopped(self, t: float) -> list[Out]:
        return interrupted_lines(self.facts, self.incidentals, t)

    def export_words(self, event: Exported) -> list[str] | None:
        """The Trainer saves the final model itself (`trainer.save_model()`)."""
        del event
        return None

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        self.losses.append(stats.loss)
        elapsed = stats.t - self.train_start
        meter = bar(stats.step, f.total_steps, elapsed, 1 / stats.seconds, self.ncols)
        out: list[Out] = [Redraw(meter)]
        if stats.step % self.interval == 0:
            epoch = stats.step / f.steps_per_epoch
            record = log(
                loss=stats.loss, grad_norm=stats.grad_norm, learning_rate=stats.lr, epoch=epoch
            )
            out.append(Line(record))  # written above the bar, as tqdm.write does
        return out

    def _model(self, event: ModelReady) -> list[Out]:
        f = self.facts
        moment = self._at(event.t - event.seconds)
        lines: list[Out] = [
            Line(
                line(
                    moment,
                    "configuration_utils.py:673",
                    f"loading configuration file {f.model_name}/config.json",
                )
            )
        ]
        if event.loaded_from is not None:
            shards = max(1, -(-2 * f.params // 5_000_000_000))
            per_shard = event.seconds / shards
            lines.append(
                Line(
                    bar(
                        shards,
                        shards,
                        event.seconds,
                        1 / per_shard,
                        self.ncols,
                        desc="Loading checkpoint shards: ",
                    )
                )
            )
        return lines

    def _data(self, event: DataReady) -> list[Out]:
        f = self.facts
        moment = self._at(event.t)
        self.train_start = event.t
        # The Trainer counts what its data loader yields: fine-tuning examples packed into
        # full sequences (`--packing`), so steps = examples × epochs ÷ total batch.
        examples = f.steps_per_epoch * f.global_batch
        block = running_training(
            moment,
            examples=examples,
            epochs=f.epochs,
            per_device=f.micro_batch,
            total_batch=f.global_batch,
            grad_accum=f.grad_accum,
            steps=f.total_steps,
            trainable=f.params,
        )
        out: list[Out] = [Line(text) for text in block]
        if self.resume_step:
            epochs_done = self.resume_step // f.steps_per_epoch
            skipped = self.resume_step - epochs_done * f.steps_per_epoch
            resumed = [
                "  Continuing training from checkpoint, will skip to saved global_step",
                f"  Continuing training from epoch {epochs_done}",
                f"  Continuing training from global step {self.resume_step}",
                f"  Will skip the first {epochs_done} epochs then the first "
                f"{skipped * f.grad_accum} batches in the first epoch.",
            ]
            out += [
                Line(trainer(moment, RUNNING_TRAINING + 26 + k, text))
                for k, text in enumerate(resumed)
            ]
        out.append(Redraw(bar(self.resume_step, f.total_steps, 0.0, None, self.ncols)))
        return out

    def _evaluate(self, event: Evaluated) -> list[Out]:
        f = self.facts
        start = self._at(event.t - event.seconds)
        batch = f.micro_batch
        block = running_evaluation(start, examples=event.samples, batch_size=batch)
        steps = -(-event.samples // (batch * f.gpus))
        record = eval_log(
            loss=event.loss,
            runtime=event.seconds,
            samples=event.samples,
            steps=steps,
            epoch=event.step / f.steps_per_epoch,
        )
        self.clock.at(event.t)
        return [Line(text) for text in [*block, record]]

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        moment = self._at(event.t - event.blocking)
        folder = f"{self.output}/checkpoint-{event.step}"
        done = self._at(event.t)
        texts = [
            saving(moment, folder),
            config_saved(moment, folder),
            sharded_save(done, folder, max(1, -(-2 * self.facts.params // 5_000_000_000))),
            *tokenizer_saved(done, folder),
        ]
        return [Line(text) for text in texts]

    def _export(self, event: Exported) -> list[Out]:
        moment = self._at(event.t - event.seconds)
        done = self._at(event.t)
        texts = [
            saving(moment, self.output),
            config_saved(moment, self.output),
            sharded_save(done, self.output, len(event.shards)),
            *tokenizer_saved(done, self.output),
        ]
        return [Line(text) for text in texts]

    def _finished(self, t: float) -> list[Out]:
        f = self.facts
        moment = self._at(t)
        runtime = t - self.train_start
        # fsum: Python 3.12 changed how sum() adds floats, and the digits must not move.
        mean_loss = math.fsum(self.losses) / len(self.losses) if self.losses else 0.0
        samples = f.global_batch * (f.total_steps - self.resume_step)
        summary = train_summary(
            runtime=runtime,
            samples=samples,
            steps=f.total_steps - self.resume_step,
            loss=mean_loss,
            epoch=float(f.epochs),
        )
        rate = (f.total_steps - self.resume_step) / max(runtime, 1e-9)
        rows = [
            ("epoch", py_float(float(f.epochs))),
            ("total_flos", f"{round(6 * f.params * samples * f.seq_len / 1e9)}GF"),
            ("train_loss", f"{mean_loss:.4f}"),
            ("train_runtime", runtime_text(runtime)),
            ("train_samples_per_second", f"{samples / runtime:.3f}"),
            ("train_steps_per_second", f"{rate:.3f}"),
        ]
        final = bar(f.total_steps, f.total_steps, runtime, rate, self.ncols)
        out: list[Out] = [Redraw(final)]
        out += [Line(text) for text in training_completed(moment)]
        out += [Line(summary), Close()]
        out += [Line(text) for text in metrics("train", rows)]
        return out

    def _failure(self, event: Failed) -> list[Out]:
        left = MAX_RESTARTS - self.failures
        self.failures += 1
        # No rank filter: each of the node's eight workers reports the hang with the default
        # process-group timeout of 30 minutes.
        return failure_lines(
            self.facts,
            self.incidentals,
            event,
            restarts_left=left,
            timeout_ms=PG_TIMEOUT_MS,
            ranks=8,
        )
