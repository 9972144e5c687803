"""torchtitan's log, pinned to its release v0.2.0 (2025-10-17): Python logging with the
`[titan]` format (torchtitan/tools/logging.py:21), tagged `[rank0]:` by torchrun's
`--local-ranks-filter 0 --role rank --tee 3`, and metrics in colour.

Every line shape is a format string of that tag; presenters/frameworks/torchtitan/
catalogue.tsv lists them with their file:line, and the tests hold every line of a cast
against it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from genact_cast.generator.dialects import torchtitan_interrupt as interrupt
from genact_cast.generator.dialects import torchtitan_mesh as titan_mesh
from genact_cast.generator.dialects import torchtitan_pipeline as pipeline
from genact_cast.generator.dialects import torchtitan_release as release
from genact_cast.generator.dialects import worker_waits
from genact_cast.generator.dialects.base import (
    HANG_NOTICED,
    Clock,
    Incidentals,
    Line,
    Out,
    answered_at,
    banner,
    interrupted_hang,
    interrupted_lines,
)
from genact_cast.generator.dialects.common import LoggingStamps
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_build import building_lines
from genact_cast.generator.dialects.torchtitan_job import meta_name
from genact_cast.generator.dialects.torchtitan_lines import (
    ENV_OVERRIDE,
    FOLDER,
    GC_INITIAL,
    GC_LOADING,
    GC_PERIODIC,
    LOADING_TOKENIZER,
    LOG_FREQ,
    PROCESS_GROUP_DESTROYED,
    PURGE_DESTROYED,
    SLEEPING,
    TRAINING_COMPLETED,
    Colors,
    dcp_single_process_warnings,
    device_mesh,
    gc,
    initial_path_ignored,
    loaded_checkpoint,
    loading_checkpoint,
    preparing_dataset,
    stamped_step_format,
    starting_job,
    sync_timeout,
    training_starts,
    validate,
)
from genact_cast.generator.dialects.torchtitan_saves import Saves
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    Evaluated,
    Exported,
    Failed,
    Launched,
    ModelReady,
    Notice,
    Restarted,
    RunEvent,
    StepStats,
)
from genact_cast.generator.rng import Rng

_INIT_TOTAL = re.compile(r"Init timings - \S+ rank \d+ nranks \d+ total ([0-9.]+)")


class Log(Saves):
    """torchtitan v0.2.0's output for one run: start-up as `Trainer.__init__` logs it, metrics
    at step 1 and every `log_freq` steps, saves every `checkpoint.interval` steps and at the
    last, validation at step 1 and every `validation.freq` steps, the NCCL watchdog and
    torchrun when a GPU fails, and the end."""

    logs_first_step = True
    last_shown = ""  # set by the presenter when Ctrl-C stops the run
    has_bar = False
    relaunched = False

    def __init__(
        self, facts: Facts, *, color: bool, cols: int = 100, interval: int = LOG_FREQ
    ) -> None:
        del cols  # torchtitan's logger knows nothing of the terminal
        super().__init__(facts, interval=interval)
        # the steps whose validation the cast shows (the presenter's choice: FrameworkLog)
        self.shown_evaluations: set[int] = set()
        self.colors = Colors(enabled=color)
        self._step_format = stamped_step_format(self.colors)
        self.incidentals = Incidentals(facts, 0)
        self.failures = 0
        self.fresh: tuple[int, ...] = ()  # the launches that are the command run again
        self.resume_step = 0
        self.memory_gib = 0.0
        self.clock = Clock()
        self.launched_at = 0.0  # the latest launch: torchrun warns a moment after it
        self.stamps = LoggingStamps()
        self._flops_for: Facts | None = None
        self._flops = 0
        self.held_validation: Evaluated | None = None
        self.validated: Evaluated | None = None  # the last validation, shown or not
        # (step, stamp in seconds of the epoch) of the last step or validation line:
        # metrics.py's ntokens_since_last_log and time_last_log restart there; unknown after a
        # relaunch until a step is logged.
        self.last_log: tuple[int, float] | None = None
        # When this launch's MetricsProcessor was built (its time_last_log), in stamp seconds.
        self.metrics_built: float | None = None
        # The step-N folders under the checkpoint folder (every launch's) the purge thread
        # has not deleted, and those it has (kept as they change: a run saving often has
        # hundreds of folders).
        self.kept: set[int] = set()
        self.purged: set[int] = set()
        # The purge thread's lines not yet due, (time, message): it runs beside the loop
        # (checkpoint.py:100-113), so they fall among the loop's lines where their time does.
        self.purging: list[tuple[float, str]] = []
        # Whether this launch's mesh groups have their communicators (its first step).
        self.groups_up = False
        self.where = worker_waits.Tracker()  # where rank 0 waits, for a Ctrl-C's traceback

    # Output

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            # --local-ranks-filter 0 shows rank 0's output alone.
            # Its first collective is the seed's broadcast (distributed/utils.py:130), on the
            # rings alone: the trees connect at the first all-reduce (step).
            texts: list[str] = []
            if self.facts.nccl_debug:  # unset, NCCL prints nothing and nothing is drawn
                from genact_cast.generator.dialects.nccl_startup import nccl_startup

                texts = nccl_startup(
                    self.facts, self.incidentals, tag="[rank0]:", local_ranks=(0,), trees=False
                )
            # The communicator's set-up takes the seconds its Init timings line states,
            # after the last line logged before it.
            for text in texts:
                found = _INIT_TOTAL.search(text)
                if found:
                    self.clock.at(self.clock.last + float(found.group(1)) + 0.05)
            return [Line(text) for text in texts]
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady):
            # train.py's train(): the checkpointer's load, then this line at once
            after = self.clock.last + 0.01 if self.clock.last > float("-inf") else event.t
            self.where.loop(min(event.t, after), self.resume_step + 1)
            return [self._log(min(event.t, after), training_starts(self.resume_step + 1))]
        if isinstance(event, Notice):
            return []  # torchtitan collects garbage on its own schedule (gc_freq)
        if isinstance(event, CheckpointSaved):
            self.where.window(event.t - event.blocking, event.t, worker_waits.SAVE)
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            self.where.window(event.t - event.seconds, event.t, worker_waits.EVALUATE)
            return self._validate(event)
        if isinstance(event, Failed):
            self.where.ended()
            # the purge thread's lines until the hang; the rest die with the process
            due, self.purging = self._purge_due(event.t), []
            return due + self._failure(event)
        if isinstance(event, Exported):
            return [Line(text) for text in dcp_single_process_warnings()]
        if isinstance(event, Restarted):
            self.resume_step = event.step
            if event.requeued:
                self.fresh += (event.attempt,)
            self.last_log = self.metrics_built = None
            self.groups_up = False
            self.purging = []
            return self._interrupt_hang(event)
        return []

    def finish_training(self, t: float) -> list[Out]:
        self.where.ended()
        return [
            *self._purge_due(t),
            *self._flush_validation(t),
            self._log(t, SLEEPING),
            self._log(t + 2.0, TRAINING_COMPLETED),
            # trainer.close() queues Terminate after the deletions left and joins the thread
            *self._purge_due(float("inf")),
            self._log(t + 2.01, PURGE_DESTROYED),
            self._log(t + 2.2, PROCESS_GROUP_DESTROYED),
        ]

    def stopped(self, t: float) -> list[Out]:
        # The agent answers after its own warning and rank 0's lines the terminal showed.
        when = answered_at(
            t, self.incidentals, launched_at=self.launched_at, printed=self.clock.last
        )
        # rank 0 ends on the agent's SIGINT where it waits (torchtitan_interrupt) when the
        # key is pressed: the log's clock may run ahead of the lines the terminal shows
        frames = interrupt.frames(self.facts, self.where, t, self.interval, self.last_shown)
        workers = interrupt.worker_lines(frames, self.facts.user) if frames is not None else []
        return interrupted_lines(self.facts, self.incidentals, when, workers=workers)

    def _interrupt_hang(self, event: Restarted) -> list[Out]:
        """Before the command is typed again: the Ctrl-C that ends a torchrun left waiting."""
        if not self.hung:
            return []
        self.hung = False
        return interrupted_hang(self.facts, self.incidentals, event.t - HANG_NOTICED)

    def _window_rates(self, steps: int, elapsed: float) -> tuple[float, float, float]:
        """(tps, tflops, mfu %) as components/metrics.py:398-402 computes them: this rank's
        tokens since the last log (`steps` of local_batch_size x seq_len) over the seconds
        since it (time_last_log is reset only where a line is logged, :453 and :486, so a
        save made after a log falls in the next window: train.py:611-613), per device of a
        data-parallel replica (non_data_parallel_size), times the tag's FLOPs per token,
        over its peak for the device."""
        f = self.facts
        tokens = steps * f.micro_batch * f.grad_accum * f.seq_len
        tps = tokens / (max(elapsed, 1e-3) * f.tp * f.pp)
        flops = self._flops_per_token(f) * tps
        return tps, flops / 1e12, 100 * flops / release.peak_flops(f)

    def _flops_per_token(self, facts: Facts) -> int:
        """release.flops_per_token, counted once per facts (the run's model does not change;
        a relaunch replaces the facts for their start alone): it is asked at every step."""
        if self._flops_for is not facts:
            self._flops_for, self._flops = facts, release.flops_per_token(facts)
        return self._flops

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        self.memory_gib = stats.memory_gib
        self.where.step(stats.step, stats.t, stats.seconds)
        out: list[Out] = self._purge_due(stats.t - stats.seconds)
        if not self.groups_up and f.nccl_debug:
            self.groups_up = True
            from genact_cast.generator.dialects.nccl_later import tree_connects, world_all_to_all

            # rank 0's mesh groups bring up their communicators (NCCL_DEBUG=INFO)
            comms = titan_mesh.first_step_comms(self.facts, self.incidentals, self.failures)
            # The step's end all-reduces the loss on dp_cp (train.py:531-545) and the grad
            # norm on the FSDP group: where one is the world's, its trees connect now.
            own = titan_mesh.groups(self.facts, 0)
            if "ep" in own and own["ep"] is None and f.ep > 1:
                # the experts' all-to-all on the world's communicator: its send/recv channels
                comms += world_all_to_all(self.facts, self.incidentals)
            if any(name in own and own[name] is None for name in ("dp_cp", "dp_shard_cp")):
                comms += tree_connects(self.facts, self.incidentals)
            out += [Line(f"[rank0]:{text}") for text in comms]
        if stats.step > 1 and stats.step % self.gc_freq == 0:
            # The collection runs as the step starts; its few hundredths of a second vary
            # from one collection to the next (here with the step's loss digits).
            seconds = 0.02 + int(stats.loss * 1e4) % 6 / 100
            out.append(self._log(stats.t - stats.seconds, gc(GC_PERIODIC, seconds)))
        out += self._purge_due(stats.t)
        now = self._moment(stats.t)
        if self.last_log is not None:
            since_step, since = self.last_log
        else:
            # A launch's first logged step counts from the processor's build (metrics.py:376),
            # the build, load and first steps' warm-up included.
            assert self.metrics_built is not None
            since_step, since = self.resume_step, self.metrics_built
        if self.last_log is not None and stats.step - since_step > self.interval:
            # A line of the subset a cast shows (pacing.cadence): the job logged the step
            # `log_freq` before it, and its window is those steps alone.
            tps, tflops, mfu = self._window_rates(self.interval, stats.seconds * self.interval)
        else:
            tps, tflops, mfu = self._window_rates(stats.step - since_step, now - since)
        self.last_log = (stats.step, now)
        # torchtitan_lines.step's line as _log stamps it, by one format (stamped_step_format)
        stamp = self.stamps.at(f.start, self.clock.at(stats.t))
        text = self._step_format % (
            stamp,
            stats.step,
            # Rank 0 holds the first pipeline stage, never the loss (train.py:473-475).
            pipeline.hidden_loss(f) if pipeline.hides_loss(f) else stats.loss,
            stats.grad_norm,
            stats.memory_gib,
            100 * stats.memory_gib / release.capacity_gib(f),
            format(round(tps), ","),
            format(tflops, ",.2f"),
            mfu,
        )
        out.append(Line(text, self.stamps.second))
        if stats.step == 1:
            out += self._first_validation(stats, tps)
        return out

    def _first_validation(self, stats: StepStats, tps: float) -> list[Out]:
        """Step 1 validates (components/validate.py:31), then the process groups' timeout
        drops to train_timeout_seconds (train.py:633). `validation.steps` batches of the
        validation defaults' shape, forward only, as fast against a steady training step as
        the run's own evaluations (run.py's _evaluate: three times, within 4 %): step 1's own
        rate carries its warm-up. The held-out loss of the step-1 model is near, not at, its
        training batch's. Its tps is metrics.py's: the batches' tokens over the time they
        took, per device of a replica. The run's timeline has no step-1 validation, so every
        later line of this log comes that much later (steps 2-10 run after it)."""
        f = self.facts
        draw = Rng(f.seed * 53 + 1)
        speed = 3 * (1 + draw.uniform(-0.04, 0.04))
        held_out = stats.loss * (1 + draw.uniform(-0.01, 0.01))
        steady = f.global_batch * f.seq_len / f.step_seconds / f.gpus if f.step_seconds else tps
        batch, seq_len = self.validation_shape()
        tokens = self.validation_steps() * batch * seq_len
        seconds = tokens / (steady * speed * f.tp * f.pp)
        self.facts = f._replace(start=f.start + timedelta(seconds=seconds))
        self.last_log = (1, self._moment(stats.t))
        line = validate(
            step=1,
            loss=pipeline.HIDDEN_VALIDATION_LOSS if pipeline.hides_loss(f) else held_out,
            memory_gib=stats.memory_gib,
            memory_pct=100 * stats.memory_gib / release.capacity_gib(f),
            tps=tokens / (seconds * f.tp * f.pp),
            colors=self.colors,
        )
        return [self._log(stats.t, line), self._log(stats.t + 0.01, sync_timeout("0:01:40"))]

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self.launched_at = event.t
        new = event.attempt in self.fresh  # a new torchrun, which warns again
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=not new)
            if event.attempt
            else Incidentals(f, 0)
        )
        out: list[Out] = []
        if event.attempt == 0 or new:
            out += [Line(text) for text in banner(f, f.moment(event.t), self.incidentals)]
        self.where.launched()
        return out + self._start_lines(event.t)

    def _start_lines(self, at: float) -> list[Out]:
        """Rank 0's lines from its start to the device mesh, each time its workers start."""
        f = self.facts
        out: list[Out] = []
        t = at + 4.0
        description = self.toml.description if self.toml else f"{meta_name(f.model_name)} training"
        out += [
            self._log(t, starting_job(description)),
            self._log(t + 1.2, ENV_OVERRIDE, "WARNING"),
        ]
        names, sizes, _ = titan_mesh.mesh(f)
        out += [
            self._log(t + 1.21, device_mesh(names, sizes)),
            self._log(t + 1.22, gc(GC_INITIAL, 0.0)),
        ]
        return out

    def _model(self, event: ModelReady) -> list[Out]:
        f = self.facts
        # Building starts after the lines before it (the launch's, NCCL's set-up), however
        # early the run's timeline puts it.
        t = event.t - event.seconds
        start = max(t - 1.2, self.clock.last + 0.05)
        out: list[Out] = [
            self._log(start, LOADING_TOKENIZER),
            self._log(start + 0.01, preparing_dataset(self.dataset_name(), self.dataset_path())),
        ]
        fast = self.toml is not None and self.toml.float8_compiled
        build = building_lines(
            f,
            family=self.family,
            flavor=self.flavor,
            max_seq_len=self.max_seq_len,
            float8_compiled=fast,
            ac_mode=self.ac_mode(),
            compile_loss=self.toml is not None and self.toml.compile_loss,
            validation=self.validation_dataset(),
            colors=self.colors,
        )
        for dt, text, level in build:
            out.append(self._log(start + dt, text, level))
            if "CUDA capacity: " in text:
                # build_metrics_processor logs it, then starts its clock (metrics.py:376):
                # the first logged step's tps counts from here.
                self.metrics_built = self._moment(self.clock.last)
        if event.loaded_from is not None:
            # A resume loads torchtitan's own `step-N` folder; a first launch the base weights.
            base = self.initial_load_path() or event.loaded_from
            source = f"{FOLDER}/step-{self.resume_step}" if self.resume_step else base
            # The seconds it states are the clock's between its two lines (the launch's
            # lines may have pushed the first past the moment the load began).
            began = max(t, start + 0.84)
            # at least the storage's reading time, where the build pushed the load later
            end = max(event.t, began + event.reading)
            if self.resume_step and self.initial_load_path() is not None:
                out.append(self._log(began, initial_path_ignored(), "WARNING"))
            # checkpoint.py:630: a collection between the load and its summary
            collected = 0.01 + int((end - began) * 100) % 5 / 100
            out += [
                self._log(began, loading_checkpoint(source)),
                self._log(end - 0.001, gc(GC_LOADING, collected)),
                self._log(end, loaded_checkpoint(round(end - began, 3))),
            ]
        return out
