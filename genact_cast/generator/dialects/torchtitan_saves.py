"""torchtitan v0.2.0's saves and validations: the checkpointer's lines every
`checkpoint.interval` steps and at the last (components/checkpoint.py), the purge thread's
deletions beside the loop, and the validator's lines after the save they follow
(train.py:610-625); the log's stamps for them. The rest of the log is torchtitan.Log's."""

from __future__ import annotations

from genact_cast.generator.dialects import torchtitan_pipeline as pipeline
from genact_cast.generator.dialects import torchtitan_release as release
from genact_cast.generator.dialects.base import Clock, Line, Out
from genact_cast.generator.dialects.common import LoggingStamps
from genact_cast.generator.dialects.torchtitan_lines import (
    FOLDER,
    GC_CHECKPOINTER,
    KEEP_LATEST_K,
    SAVING,
    Colors,
    gc,
    purge_deleted,
    purge_deleting,
    saved,
    saving_model_only,
    stamped,
    validate,
)
from genact_cast.generator.dialects.torchtitan_watchdog import Watchdog
from genact_cast.generator.events import CheckpointSaved, Evaluated


class Saves(Watchdog):
    """The checkpointer's, purge thread's and validator's lines; torchtitan.Log keeps the
    state below and presents the events."""

    shown_evaluations: set[int]  # the steps whose validation the cast shows
    colors: Colors
    memory_gib: float
    clock: Clock
    stamps: LoggingStamps
    held_validation: Evaluated | None  # a validation printed after its step's save
    validated: Evaluated | None  # the last validation, shown or not
    last_log: tuple[int, float] | None  # (step, stamp) of the last step or validation line
    kept: set[int]  # step-N folders the purge thread has not deleted
    purged: set[int]  # and those it has
    purging: list[tuple[float, str]]  # the purge thread's lines not yet due, (time, message)

    def _log(self, t: float, message: str, level: str = "INFO") -> Line:
        stamp = self.stamps.at(self.facts.start, self.clock.at(t))
        return Line(stamped(stamp, message, level=level), self.stamps.second)

    def _moment(self, t: float) -> float:
        """The time a line logged at `t` is stamped with, in seconds of the epoch: the
        windows' clocks below are the stamps' own, across a move of the log's origin (the
        step-1 validation, a relaunch)."""
        return self.facts.start.timestamp() + self.clock.at(t)

    def _saves_at(self, step: int) -> bool:
        """components/checkpoint.py:789: every `interval` steps and at the last."""
        return step == self.facts.total_steps or step % self.facts.checkpoint_every == 0

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        held = self.held_validation
        if held is not None and held.step != event.step:
            held = None
        if not self._saves_at(event.step):
            return self._flush_validation(event.t)  # an epoch's end torchtitan knows nothing of
        # The loop saves, then validates (train.py:611-622): where the run validated first,
        # the save moves to where the validation began and the validation follows it.
        first = held or self.validated
        end = event.t - (first.seconds if first is not None and first.step == event.step else 0.0)
        t = end - event.blocking
        gc_seconds = 0.01 + int(event.blocking * 100) % 5 / 100
        if event.step == self.facts.total_steps:
            return [
                *self._purge_due(t),
                self._log(t, SAVING),
                self._log(t + 0.001, saving_model_only(event.step)),
                self._log(end, gc(GC_CHECKPOINTER, gc_seconds)),
                *self._purge_due(event.t),
                *self._flush_validation(event.t),
            ]
        # An async save collects twice (checkpoint.py:514-519 at v0.2.0): after _async_wait
        # for the previous write, before dcp.async_save stages the state, and after it
        # returns; each line logged as its collection ends.
        before_staging = 0.01 + int(event.blocking * 1000) % 5 / 100
        collected = min(t + event.waited + before_staging, end - 0.02)
        lines: list[Out] = [
            *self._purge_due(t),
            self._log(t, SAVING),
            self._log(collected, gc(GC_CHECKPOINTER, before_staging)),
            self._log(end - 0.01, gc(GC_CHECKPOINTER, gc_seconds)),
        ]
        # _purge_stale_checkpoints (checkpoint.py:818-837) queues all but the latest
        # keep_latest_k before the save's summary; rank 0's purge thread deletes them one
        # by one (rmtree: a file per rank, a couple of milliseconds each), beside the loop:
        # each line is stamped when the thread logs it (:106-113), among the loop's lines.
        if event.step not in self.purged:
            self.kept.add(event.step)
        stale = sorted(self.kept)[:-KEEP_LATEST_K]
        at = max([end - 0.002, *(when for when, _ in self.purging)])
        for index, old in enumerate(stale):
            path = f"{FOLDER}/step-{old}"
            seconds = 0.05 + 0.002 * self.facts.gpus + (old * 7 + index) % 13 / 100
            self.purging.append((at, purge_deleting(path)))
            at += seconds
            self.purging.append((at, purge_deleted(path, seconds)))
            self.purged.add(old)
            self.kept.discard(old)
        lines += [*self._purge_due(end), self._log(end, saved(event.blocking))]
        if self.held_validation is not None:
            lines += self._purge_due(event.t)
        return [*lines, *self._flush_validation(event.t)]

    def _purge_due(self, t: float) -> list[Out]:
        """The purge thread's lines logged by `t`, each stamped at its own time."""
        due = [line for line in self.purging if line[0] <= t]
        if not due:
            return []
        self.purging = self.purging[len(due) :]
        return [self._log(when, text) for when, text in due]

    def _flush_validation(self, t: float) -> list[Out]:
        """The held validation's line, stamped `t`: when it ends after the save."""
        held, self.held_validation = self.held_validation, None
        return [] if held is None else [self._validation_line(held, t)]

    def _validation_line(self, event: Evaluated, t: float) -> Line:
        """metrics.py:456-486 (log_validation): tokens since the last log over the time
        since it, per device of a data-parallel replica; the training steps run since the
        last logged one count too (the loop adds their tokens to the same counter), and the
        counter and clock restart here."""
        f = self.facts
        # This rank's validation tokens: `validation_steps` batches of the validator's
        # shape (validate.py's loop adds each batch's tokens to ntokens_since_last_log), as
        # at step 1; not the held-out set over the ranks, which on a large run is less than
        # the one batch each rank validates (review-tt12 N3: 8408 vs, 2048 ranks).
        batch, seq_len = self.validation_shape()
        tokens = float(self.validation_steps() * batch * seq_len)
        elapsed = event.seconds
        if self.last_log is not None:
            step, since = self.last_log
            tokens += (event.step - step) * f.micro_batch * f.grad_accum * f.seq_len
            elapsed = self._moment(t) - since
        tps = tokens / (max(elapsed, 1e-9) * f.tp * f.pp)
        self.last_log = (event.step, self._moment(t))
        text = validate(
            step=event.step,
            loss=pipeline.HIDDEN_VALIDATION_LOSS if pipeline.hides_loss(f) else event.loss,
            memory_gib=self.memory_gib,
            memory_pct=100 * self.memory_gib / release.capacity_gib(f),
            tps=tps,
            colors=self.colors,
        )
        return self._log(t, text)

    def _validate(self, event: Evaluated) -> list[Out]:
        """Validator.should_validate: step 1 (its own, _first_validation) and every
        validation.freq steps (components/validate.py:31 at v0.2.0), after the step's save
        (train.py:615-625); none at a last step between two."""
        f = self.facts
        if not f.evaluates_at(event.step):
            return []
        self.validated = event
        if event.step not in self.shown_evaluations:
            # One the cast does not show: its metrics counters restart all the same
            # (log_validation), and the log's clock waits for the save it follows.
            self.last_log = (event.step, self.facts.start.timestamp() + event.t)
            return []
        if self._saves_at(event.step):
            # Printed after the save's lines, which the run makes after it.
            self.held_validation = event
            return []
        return [*self._purge_due(event.t), self._validation_line(event, event.t)]
