"""Megatron-LM core_v0.14.0's log: `print_rank_0` / `print_rank_last` lines without a logger
prefix, the argument dump, `(min, max) time across ranks` timers, and the iteration line every
`--log-interval` iterations. `print_rank_0` prints on global rank 0, `print_rank_last` (the
iteration line, validation) and `Timers.log` (timers) on the last rank, `report_memory` and
the parameter count on every rank of data-parallel rank 0.

This module is the presenter: it reads like `pretrain()`, event by event, and places lines
built in megatron_lines (each a format string of the tag, with its file:line in
presenters/frameworks/megatron/catalogue.tsv), megatron_startup (the launch, validate_args),
megatron_setup (initialize_megatron, the model and data set-up), megatron_checkpoint (saves,
loads), megatron_shards (what each rank holds), megatron_comms
(NCCL's start-up), megatron_evaluation (validation, test), megatron_failure (a hang).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects import megatron_checkpoint as checkpoint
from genact_cast.generator.dialects import megatron_comms as comms
from genact_cast.generator.dialects import megatron_evaluation as evaluation
from genact_cast.generator.dialects import megatron_formulas as formulas
from genact_cast.generator.dialects import megatron_groups as groups
from genact_cast.generator.dialects import megatron_parsed_args as parsed_args
from genact_cast.generator.dialects import megatron_setup as setup
from genact_cast.generator.dialects import megatron_shards as shards
from genact_cast.generator.dialects import megatron_startup as startup
from genact_cast.generator.dialects import megatron_tee
from genact_cast.generator.dialects import megatron_worker_interrupt as interrupt
from genact_cast.generator.dialects.base import (
    UNSTAMPED,
    Clock,
    Incidentals,
    Line,
    Out,
    answered_at,
)
from genact_cast.generator.dialects.common import LoggingStamps
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_lines import (
    RERUN_INITIALIZED,
    TIMERS_HEADER,
    building_tokenizer,
    datetime_marker,
    iteration,
    microbatches,
    moe_losses,
    padded_vocab,
    timer,
)
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


class Log:
    """Megatron-LM core_v0.14.0's output, from `pretrain()` in megatron/training/training.py:
    the argument dump, the initialisation markers, the iteration line every `--log-interval`
    iterations, validation every `--eval-interval`, saves at multiples of `--save-interval`,
    and the end: `[after training is done]`, the last save, validation and test."""

    logs_first_step = False
    last_shown = ""  # set by the presenter when Ctrl-C stops the run
    has_bar = False
    relaunched = False

    def __init__(self, facts: Facts, *, color: bool, cols: int = 100, interval: int = 10) -> None:
        del color, cols  # Megatron prints no colour, and knows nothing of the terminal
        self.facts = facts
        self.interval = interval
        # the steps whose evaluation the cast shows (the presenter's choice: FrameworkLog)
        self.shown_evaluations: set[int] = set()
        self.incidentals = Incidentals(facts, 0)
        self.failures = 0
        self.clock = Clock()
        self._stamps = LoggingStamps()  # the iteration lines' (a thousand or more a run)
        self.resume_step = 0
        self.attempt = 0
        # The launches that are a new srun/torchrun (the job run again after torchrun used
        # its --max_restarts): new agents, each node's banner again.
        self.fresh: tuple[int, ...] = ()
        # Nodes whose GPU needs a reset: the job is run again without them (srun --exclude),
        # as Slurm itself does not take a node with a broken GPU out.
        self.excluded: tuple[str, ...] = ()
        self._dumped = timedelta(0)  # the dump's minute the log runs behind until the restart
        self.lost = ""  # the node the last failure took down (Failed.same_node False)
        self._launched_at = self._initialized_at = self._built_at = 0.0
        self.memory_reported = False
        self.looping = False  # the workers are in train()'s loop (a Ctrl-C's tracebacks)
        self._loop_from = 0.0  # when this launch's train() began
        # (start, end, what) of the saves and evaluations after each step, as presented
        self._busy: dict[int, list[interrupt.Busy]] = {}
        self._groups_up = False  # the process groups' communicators, up in iteration 1
        self.save = f"/checkpoints/{facts.model_name.lower()}"
        self.base = None if facts.kind == "pretrain" else f"/checkpoints/base/{facts.loaded}"
        self._final_save: CheckpointSaved | None = None
        self._last_eval: Evaluated | None = None
        # The last iteration line (step, time) and the saves' and evaluations' seconds
        # since: the interval timer stops for them (training.py:1655, 2213 at the tag).
        self._logged: tuple[int, float] = (-1, 0.0)
        self._paused = 0.0
        # Padded from the tokenizer's length, not config.json's vocab_size (tokenizers.tsv).
        self.vocab = margs.tokenizer_length(facts)
        self.padded_vocab = shards.padded_vocab_size(
            self.vocab, facts.tp, margs.vocab_multiple(facts)
        )
        self.shape = shards.model_shape(facts, self.padded_vocab)
        # Megatron-FSDP where the plan shards the weights (megatron_shards.megatron_fsdp).
        self.fsdp = shards.megatron_fsdp(facts)
        # Past 8 nodes each process writes to files, two a node teed (megatron_tee).
        self.tee = megatron_tee.tee(facts)

    def _t(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def flags(self) -> list[tuple[str, str | None]]:
        pairs = margs.flags(
            self.facts, interval=self.interval, save=self.save, pretrained=self.base, fsdp=self.fsdp
        )
        return pairs + shards.uneven_stage_flags(self.facts)

    def arguments(self) -> dict[str, str]:
        """The parsed arguments after validate_args, as the dump prints them."""
        blackwell = startup.COMPUTE_MAJOR[self.facts.gpu] >= 10
        return parsed_args.parsed(self.flags(), self.facts.gpus, blackwell=blackwell)

    def script_words(self) -> list[str]:
        """`pretrain_gpt.py`'s own arguments."""
        return margs.words(self.flags())

    def launch_words(self) -> list[str]:
        return startup.launch_words(
            self.facts, self.script_words(), exclude=self.excluded, fsdp=self.fsdp, teed=self.tee.on
        )

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            return self._comm(event)
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady):
            self.looping = True  # train() from here on, until the workers end
            self._loop_from = event.t
            return self._data(event)
        if isinstance(event, CheckpointSaved):
            self._busy.setdefault(event.step, []).append(
                (event.t - event.blocking, event.t, interrupt.SAVE)
            )
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            self._busy.setdefault(event.step, []).append(
                (event.t - event.seconds, event.t, interrupt.EVALUATE)
            )
            return self._validate(event)
        if isinstance(event, Failed):
            self.memory_reported = False
            self.looping = False
            if event.retried:
                self.excluded += (event.host,)
            self.lost = "" if event.same_node else event.host
            return self._failure(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            # The run's restart comes after the dump's minute (timeline_failure): the
            # restarted workers' lines are on the run's clock again.
            self.facts = self.facts._replace(start=self.facts.start - self._dumped)
            self._dumped = timedelta(0)
            if event.requeued:
                self.fresh += (event.attempt,)
            if event.drained and event.drained in (self.lost, *self.excluded):
                # A node lost under srun is set DOWN by Slurm (NODE_FAIL) and never allocated
                # again until resumed, and one left out with --exclude is never given to the
                # step: the job runs again on the spare the scheduler gave it in its place
                # (the timeline's roster; review-mg9 fault 3, tthf3's note).
                hosts = tuple(
                    event.spare if host == event.drained else host for host in self.facts.hosts
                )
                # (Facts.master, the rendezvous host, is node 0's: the spare's in its place)
                self.facts = self.facts._replace(hosts=hosts)
            return []
        return []

    def finish_training(self, t: float) -> list[Out]:
        """`pretrain()` after `train()`: the marker, the last save unless the loop just made
        it (a multiple of --save-interval), then validation and test with verbose=True."""
        f = self.facts
        self.looping = False  # pretrain() from here: its own save and evaluations, not drawn
        out = self.tee.rank0([datetime_marker("after training is done", self._t(t))])
        final = self._final_save
        if final is not None and final.step % f.checkpoint_every != 0:
            out += self.tee.rank0(
                checkpoint.save_lines(
                    final.step, self.save, fsdp=self.fsdp, tensor=f.tp, pipeline=f.pp
                )
            )
        if self._last_eval is not None:
            out += evaluation.final_evaluations(f, self._last_eval, self.tee)
        return [Line(text) for text in out]

    def stopped(self, t: float) -> list[Out]:
        """Ctrl-C: torchrun's, or srun's on several nodes (megatron_interrupt)."""
        from genact_cast.generator.dialects import megatron_interrupt

        # A Ctrl-C while the launch's lines come: after each torchrun's warning, which it
        # prints a moment after its start (Incidentals.banner_delay), as the terminal shows.
        # Its other lines before the loop carry no stamp (the clock runs ahead of them).
        t = answered_at(t, self.incidentals, launched_at=self._launched_at)
        return megatron_interrupt.interrupted_lines(
            self.facts,
            self.incidentals,
            self.attempt,
            self.fresh,
            t,
            where=self._where(t),
            megatron_fsdp=self.fsdp,
        )

    def _where(self, t: float) -> str | None:
        """Where a Ctrl-C at `t` finds the workers, of the waits whose frames their
        tracebacks draw (megatron_worker_interrupt): _compile_dependencies' barrier, from
        the launch's lines until initialize_megatron's end (CommReady); a training step,
        once train() has begun (the events of a phase are presented before its lines are
        shown, so `looping` alone can be ahead of the terminal: review-mg16 R4); an
        evaluation, in its window or due after the last logged iteration and not presented
        yet (train() evaluates before it saves, training.py:2210 and 2261). None in a save
        (save_checkpoint's frames are not drawn), and between initialize_megatron and
        train() (the model's and the data's building)."""
        if not self.looping or t < self._loop_from:
            initializing = self._launched_at <= t < self._initialized_at
            return interrupt.INITIALIZE if initializing else None
        windows = self._busy.get(self._logged[0], [])
        return interrupt.in_loop(self.facts, self._logged[0], self.resume_step, windows, t)

    def export_words(self, event: Exported) -> None:
        """The tag's tools/checkpoint/convert.py has no saver to Hugging Face safetensors for
        a Llama-shaped model; the run ends with the training job's own output."""
        del event

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        # seconds_stamp(self._t(stats.t)) without a datetime a line (LoggingStamps)
        stamp = self._stamps.at(f.start, self.clock.at(stats.t))[:19]
        # elapsed time per iteration: the interval's time less its pauses, over the
        # iterations since the last line (training_log, training.py:1405, 1509-1510): after
        # a resume off the interval, the fewer ones since training started.
        last_step, last_t = self._logged
        seconds = stats.seconds
        if last_step >= 0 and 0 < stats.step - last_step <= self.interval:
            seconds = (stats.t - last_t - self._paused) / (stats.step - last_step)
        self._logged, self._paused = (stats.step, stats.t), 0.0
        tflops = formulas.tflops_per_gpu(self.shape, f.global_batch, seconds, f.gpus)
        out: list[Out] = []
        if not self._groups_up:
            self._groups_up = True
            first = groups.expert_first(f, self.flags(), self.padded_vocab, self.shape)
            text = comms.group_comms(f, self.incidentals, self.attempt, first, self.fresh)
            if text:
                out.append(Line("\r\n".join(text)))
        line = self.tee.last(
            [
                iteration(
                    moment=None,
                    stamp=stamp,
                    iteration=stats.step,
                    train_iters=f.total_steps,
                    consumed_samples=stats.step * f.global_batch,
                    elapsed_ms=seconds * 1000,
                    learning_rate=stats.lr,
                    global_batch=f.global_batch,
                    lm_loss=stats.loss,
                    loss_scale=1.0,
                    grad_norm=stats.grad_norm,
                    skipped=0,
                    nans=0,
                    tflops=tflops,
                    extra_losses=moe_losses(f, stats.aux_loss),
                )
            ]
        )
        out += [Line(line[0], self._stamps.second)]
        if not self.memory_reported:
            self.memory_reported = True
            report = shards.memory_report(f, self.shape, fsdp=self.fsdp, stats=stats, tee=self.tee)
            out += [Line(text) for text in report]
        return out

    def _stage_parameters(self, stage: int) -> int:
        """The parameters one rank of this pipeline stage counts (megatron_shards)."""
        return shards.stage_parameters(
            self.facts, self.padded_vocab, untied=self.shape.untied, stage=stage
        )

    def validate_lines(self) -> list[str]:
        """What validate_args prints before the dump, for this command."""
        return startup.validate_lines(self.facts, fsdp=self.fsdp, flags=self.flags(), tee=self.tee)

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self._launched_at = event.t  # each process times its own start-up
        self._initialized_at = math.inf  # until its CommReady: in initialize_megatron
        self.attempt = event.attempt
        self._groups_up = False
        new = event.attempt in self.fresh
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=not new)
            if event.attempt
            else Incidentals(f, 0)
        )
        lines: list[str] = []
        if event.attempt == 0 or new:
            # Every node's torchrun warns once; srun passes each node's lines on as they come.
            moment = self._t(event.t)
            lines += startup.banners(f, moment, self.incidentals, self.attempt, self.fresh)
        # then initialize_megatron up to its first barrier, where the processes wait
        text = [*self.start_text(), *self.tee.rank0(setup.barrier_lines(f, event.attempt))]
        self.clock.at(event.t + 3.0)
        # One write for what arrives at once: the terminal sees the same lines (hundreds of
        # banners and arguments on a large cluster), the tape one item; the banners' glog
        # stamps are read from them, rank 0's lines print none.
        banners = [Line("\r\n".join(lines))] if lines else []
        return [*banners, Line("\r\n".join(text), UNSTAMPED)]

    def start_text(self) -> list[str]:
        """Rank 0's lines each time its workers start, up to torch.distributed's init (and
        validate_args' warning of every process), as the console shows them."""
        f = self.facts
        args = self.arguments()
        return [
            *self.validate_lines(),
            *self.tee.rank0(
                [
                    *parsed_args.dump(args),
                    microbatches(f.grad_accum),
                    building_tokenizer("HuggingFaceTokenizer"),
                    padded_vocab(self.vocab, self.padded_vocab),
                    RERUN_INITIALIZED,
                    "> initializing torch distributed ...",
                ]
            ),
        ]

    def _comm(self, event: CommReady) -> list[Out]:
        self._initialized_at = event.t
        text = setup.initialized_lines(
            self.facts,
            self.incidentals,
            self.attempt,
            self.fresh,
            moment=self._t(event.t),
            seconds=event.t - self._launched_at,
            tee=self.tee,
        )
        return [Line(line) for line in text]

    def _model(self, event: ModelReady) -> list[Out]:
        self._built_at = event.t
        text = setup.model_lines(
            self.facts,
            self.arguments(),
            padded_vocab=self.padded_vocab,
            shape=self.shape,
            fsdp=self.fsdp,
            save=self.save,
            base=self.base,
            resume_step=self.resume_step,
            loaded_from=event.loaded_from,
            reading=event.reading,
            moment=self._t(event.t),
            tee=self.tee,
        )
        return [Line(line) for line in text]

    def _data(self, event: DataReady) -> list[Out]:
        # train() starts the interval timer after the data iterators are built
        # (training.py:1953 at the tag, `timers("interval-time").start(barrier=True)`), in every
        # process: the first line after a launch or relaunch times its iterations from here,
        # never from a line the previous process printed.
        self._logged, self._paused = (self.resume_step, event.t), 0.0
        text = setup.data_lines(
            self.facts,
            self.arguments(),
            cached=self.attempt > 0,
            model_seconds=self._built_at - self._initialized_at,
            data_seconds=event.t - self._built_at,
            moment=self._t(event.t),
            tee=self.tee,
        )
        return [Line(line) for line in text]

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        """The loop saves at multiples of --save-interval (save_checkpoint_and_time, with its
        timer); the save after the last step is pretrain()'s, printed by finish_training."""
        f = self.facts
        if event.step == f.total_steps:
            self._final_save = event
            if event.step % f.checkpoint_every != 0:
                return []
        elif event.step % f.checkpoint_every != 0:
            return []
        self.clock.at(event.t - event.blocking)
        self._paused += event.blocking
        blocking_ms = event.blocking * 1000
        low_ms = blocking_ms * 0.98
        saved = checkpoint.save_lines(
            event.step, self.save, fsdp=self.fsdp, tensor=f.tp, pipeline=f.pp
        )
        text = [
            *self.tee.rank0(saved),
            *self.tee.last([TIMERS_HEADER, timer("save-checkpoint", low_ms, blocking_ms)]),
        ]
        self.clock.at(event.t)
        return [Line("\r\n".join(text), UNSTAMPED)]  # no stamp: the log's clock stands

    def _validate(self, event: Evaluated) -> list[Out]:
        """Validation inside the loop, every --eval-interval iterations (verbose=False;
        training.py:2210-2233 at core_v0.14.0): the interval timer stops for it, whether
        or not the cast shows it. An epoch's end between two is evaluated after training
        (finish_training)."""
        self._last_eval = event
        if not self.facts.evaluates_at(event.step):
            return []
        self.clock.at(event.t)
        self._paused += event.seconds
        if event.step not in self.shown_evaluations:
            return []  # one of the hundreds a long run makes: the cast shows a subset
        text = evaluation.loop_validation(self.facts, event, self.tee)
        return [Line("\r\n".join(text), UNSTAMPED)]

    def _failure(self, event: Failed) -> list[Out]:
        """A hung collective: every rank's watchdog, then every node's torchrun
        (megatron_failure); the log runs behind the run by torch's dump wait from here."""
        # Imported by a failure alone: with srun's and the node failures' modules, 3.4M of the
        # 37M instructions the dialect's import cost a run that has none (callgrind).
        from genact_cast.generator.dialects import megatron_failure as failure

        self.failures += 1
        before = self.facts.start
        self.facts, out = failure.failure_lines(
            self.facts,
            event,
            flags=self.flags(),
            padded_vocab=self.padded_vocab,
            fsdp=self.fsdp,
            # the distributed optimizer's buckets; Megatron-FSDP gathers per layer
            distributed=self.shape.distributed_optimizer and not self.fsdp,
            interval=self.interval,
            resume_step=self.resume_step,
            base=self.base,
            incidentals=self.incidentals,
            attempt=self.attempt,
            fresh=self.fresh,
            startup=self.start_text() if event.retried else (),
            tee=self.tee,
        )
        self._dumped = self.facts.start - before  # torch's dump minute, until the restart
        return out
