"""The Trainer's `train()` as transformers 4.57.1 logs it: the `***** Running training *****`
block (with a resume's checkpoint load and skip lines), the tqdm bar it opens and its rate
after a resume, and the summary at the end; the rest of the log is hf.Log's."""

from __future__ import annotations

import math

from genact_cast.generator.dialects import hf_model, hf_warnings
from genact_cast.generator.dialects.base import Above, Close, Line, Out, Redraw
from genact_cast.generator.dialects.common import py_float, py_rounded
from genact_cast.generator.dialects.hf_counts import Counts
from genact_cast.generator.dialects.hf_lines import (
    LOADING_MODEL,
    RESUMING,
    bar,
    metrics,
    model_class,
    running_training,
    runtime_text,
    train_summary,
    trainer,
    training_completed,
)
from genact_cast.generator.dialects.hf_saves import Saves
from genact_cast.generator.events import DataReady, StepStats


class Training(Saves, Counts):
    """Trainer.train's lines; hf.Log keeps the state below and presents the events."""

    train_start: float  # run time of this launch's train() (its bar's start)
    low_precision: bool  # the model's parameters are bfloat16 (hf_warnings)
    losses: list[float]  # this launch's step losses, for train_loss
    comm_seconds: float  # the lines' offset from the run's seconds (hf_watchdog)
    checkpoint_read: float  # a resume's read of its checkpoint, in train() (hf.Log._model)
    built_behind: float  # where the script's model was built, after the run's ModelReady

    def _resumed_rate(self, stats: StepStats) -> float:
        """tqdm's smoothed rate after a resume: ProgressCallback.on_step_end updates by
        global_step - current_step (trainer_callback.py:653), so the bar's first update is
        the resume step + 1 iterations over the time since on_train_begin made it, and
        every later one a step over its time; tqdm 4.67.1 shows the ratio of the two
        bias-corrected EMAs of them (std.py EMA, smoothing 0.3), which forgets the jump by
        0.7 a step. Steps are taken as steady at this one's time."""
        alpha = 0.3
        beta = 1 - alpha
        step_seconds = stats.seconds
        after = stats.step - self.resume_step - 1  # one-step updates since the jump
        jump = self.resume_step + 1
        first = max(stats.t - after * step_seconds - self.train_start, step_seconds)
        kept = beta**after
        iterations = alpha * jump * kept + (1 - kept)
        seconds = alpha * first * kept + step_seconds * (1 - kept)
        return iterations / seconds

    def _data(self, event: DataReady) -> list[Out]:
        f = self.facts
        resumed_from: list[Out] = []
        if self.resume_step and self.fsdp:
            # Trainer.train with FSDP loads the checkpoint after wrapping the model, before
            # its banner (trainer.py:2507 -> _load_from_checkpoint, :2934; accelerate's
            # load_fsdp_model, then _load_optimizer_and_scheduler): the checkpoint's bytes at
            # the file system's bandwidth, as the run's timeline times a resume's read. The
            # script reached train() as long after its model as the run's DataReady is after
            # ModelReady; the lines from the banner on move by what the read adds (the lines'
            # offset, as a set-up the timeline leaves out), never back.
            self.comm_seconds += max(0.0, self.built_behind + self.checkpoint_read)
            loading = self._at(event.t - self.checkpoint_read)
            folder = f"{self.output}/checkpoint-{self.resume_step}"
            resumed_from.append(
                Line(trainer(loading, LOADING_MODEL, f"Loading model from {folder}."))
            )
            resumed_from += self._state_dict_warnings()
        moment = self._at(event.t)
        self.train_start = event.t
        self.first_batches += 1
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
            # requires_grad parameters: the adapters alone when PEFT froze the model
            trainable=self.trainable_shown(),
        )
        # Accelerator.prepare wraps (and upcasts) the model before the checkpoint loads
        upcast = hf_warnings.upcast(
            f,
            hf_model.config_of(f),
            model_class(f.arch or f.model_name),
            fsdp2=f.tp > 1,
            low=self.low_precision,
        )
        warned = [Line(text) for text in upcast] if self.fsdp else []
        out: list[Out] = [*warned, *resumed_from, *(Line(text) for text in block)]
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
                Line(trainer(moment, lineno, text))
                for lineno, text in zip(RESUMING, resumed, strict=True)
            ]
        # ProgressCallback.on_train_begin: a new tqdm(total=max_steps) at 0, a resumed run's
        # too (trainer_callback.py:648-649 at 4.57.1); its first update jumps to the resume.
        out.append(Redraw(bar(0, f.total_steps, 0.0, None, self.ncols)))
        return out

    def _finished(self, t: float) -> list[Out]:
        f = self.facts
        moment = self._at(t)
        runtime = t - self.train_start
        # fsum: Python 3.12 changed how sum() adds floats, and the digits must not move.
        mean_loss = math.fsum(self.losses) / len(self.losses) if self.losses else 0.0
        # The Trainer divides the sum of this launch's step losses (since the resume) by the
        # global step, which counts the steps before the resume too, and its rates take the
        # whole run's samples and steps over this launch's runtime (trainer.py:2815-2823).
        trained = f.total_steps - self.resume_step
        mean_loss *= trained / f.total_steps
        samples = f.global_batch * f.total_steps
        summary = train_summary(
            runtime=runtime,
            samples=samples,
            steps=f.total_steps,
            loss=mean_loss,
            epoch=float(f.epochs),
        )
        rate = trained / max(runtime, 1e-9)
        # `floating_point_ops`: 6 × the parameters outside the embedding × the tokens, summed
        # over the whole run (the count is restored from the checkpoint after a resume);
        # metrics_format shows it shifted by 30 bits (trainer_pt_utils.py:951).
        # The model's parameters include a multimodal checkpoint's vision tower and, with
        # PEFT, the adapters (num_parameters counts a 4-bit weight at its full size:
        # modeling_utils.py:1729-1731).
        flos = self.total_flos()
        rows = [
            ("epoch", py_float(float(f.epochs))),
            ("total_flos", f"{flos >> 30}GF"),
            ("train_loss", py_rounded(mean_loss, 4)),
            ("train_runtime", runtime_text(runtime)),
            ("train_samples_per_second", py_rounded(samples / runtime, 3)),
            ("train_steps_per_second", py_rounded(f.total_steps / runtime, 3)),
        ]
        final = bar(f.total_steps, f.total_steps, runtime, rate, self.ncols)
        out: list[Out] = [Redraw(final)]
        out += [Line(text) for text in training_completed(moment)]
        out += [Above(summary), Close()]
        # The script logs the metrics after `trainer.save_model()` (the export).
        self.train_metrics = metrics("train", rows)
        return out
