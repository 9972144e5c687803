"""The Hugging Face Trainer's log, pinned to transformers 4.57.1 under accelerate 1.11.0 (and
trl 0.24.0's SFT for fine-tuning), as example scripts configure logging at INFO:
`[LEVEL|file.py:line] stamp >> message` lines with that release's source lines, Python-dict
metric lines, and the tqdm bar the Trainer redraws in place, with metric lines written above.
"""

from __future__ import annotations

from datetime import datetime

from genact_cast.generator import physics
from genact_cast.generator.dialects import hf_interrupt, hf_mesh, trl_metrics, worker_waits
from genact_cast.generator.dialects.base import (
    HANG_NOTICED,
    UNSTAMPED,
    Above,
    Clock,
    Incidentals,
    Line,
    Out,
    Redraw,
    SubBar,
    answered_at,
    interrupted_hang,
    interrupted_lines,
)
from genact_cast.generator.dialects.common import clock_second
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_data import prepare_bars
from genact_cast.generator.dialects.hf_job import LOGGING_STEPS as LOGGING_STEPS
from genact_cast.generator.dialects.hf_lines import (
    bar,
    eval_log,
    half_precision,
    log,
    running_evaluation,
    scheduled_lr,
    state_epoch,
)
from genact_cast.generator.dialects.hf_loading import SHARDS_BAR as SHARDS_BAR
from genact_cast.generator.dialects.hf_training import Training
from genact_cast.generator.dialects.hf_watchdog import ACCELERATE, Watchdog, eval_batch_works
from genact_cast.generator.dialects.nccl_timings import init_totals
from genact_cast.generator.evaluation_batches import trainer_eval_steps
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
from genact_cast.generator.rng import Rng

# --- the run, as a Trainer script prints it -----------------------------------------------


class Log(Training, Watchdog):
    """`accelerate launch train.py`: the Trainer's logging lines, the tqdm bar it redraws in
    place every step with the `{'loss': ...}` dicts written above it every `logging_steps`,
    evaluation, `checkpoint-N` saves, and the summary at the end."""

    logs_first_step = False
    last_shown = ""  # set by the presenter when Ctrl-C stops the run
    has_bar = True
    relaunched = False
    fsdp = True  # under DeepSpeed the engine loads a resumed checkpoint (trainer.py:2502-2505)

    def __init__(
        self, facts: Facts, *, color: bool, cols: int, interval: int = LOGGING_STEPS
    ) -> None:
        del color  # the Trainer prints no colour
        super().__init__(facts, cols=cols, interval=interval)
        # the steps whose evaluation the cast shows (the presenter's choice: FrameworkLog)
        self.shown_evaluations: set[int] = set()
        self.incidentals = Incidentals(facts, 0)
        self.failures = 0
        self.fresh: tuple[int, ...] = ()  # the launches that are the command run again
        self.clock = Clock()
        self.held_evaluation: Evaluated | None = None
        # Whether the script loads pretrained weights (a fine-tune, continued pre-training)
        # or builds the model from its config (from scratch): the same on every launch, as
        # the same command runs again; a resume loads the checkpoint in Trainer.train.
        self.pretrained: bool | None = None
        self.launched_at = 0.0
        # Whether this launch's processes have entered FSDP.state_dict_type (hf_warnings).
        self.state_dict_warned = False
        self.load_offset = self.load_seconds = 0.0
        # The first launch's model loading (from_pretrained's read of the base weights, or
        # from_config's build), which a resume's script does again, and what a resume
        # leaves to Trainer.train: the checkpoint's read, and where the script's own loading
        # ended against the run's ModelReady (hf_training._data).
        self.base_seconds: float | None = None
        self.checkpoint_read = 0.0
        self.built_behind = 0.0
        self.resume_step = 0
        self.eval_works = 0  # the default group's eval gathers in this launch (hf_watchdog)
        self.eval_batches = 0  # the evaluation batches of this launch (deepspeed_works counts)
        self.train_start = 0.0
        self.losses: list[float] = []
        self.train_metrics: list[str] = []
        # The NCCL start-up lines, held until the model is loaded (see present), and how long
        # the communicator took to come up: the lines after it are stamped that much later.
        self.comm_lines: list[str] = []
        self.groups_up = False  # the mesh groups' communicators are up (first step)
        self.comm_wait = 0.0
        self.comm_seconds = 0.0
        # trl's dataset preparation on the first launch; a relaunch finds datasets' cache
        # (the same maps, the same fingerprints) and draws no bar.
        self.prepared = False
        self.low_precision = False  # the model's parameters are bfloat16 (hf_warnings)
        # Launches whose first micro batch the run's state carries (this one's and, through
        # the checkpoints it resumed from, earlier ones'), by the step each save holds: ZeRO-3
        # counts no flos for that micro batch (DeepSpeed's total_flos).
        self.first_batches = 0
        self.saved_first_batches: dict[int, int] = {}
        self.on_disk: list[int] = []  # checkpoint-N folders in --output_dir (hf_saves)
        self.where = worker_waits.Tracker()  # where the workers wait, for a Ctrl-C's

    def _at(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t + self.comm_seconds))

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            self.launched_at = event.t
            self.where.launched()
            self.fold_comm_seconds()
            self.state_dict_warned = False
            self.groups_up = False
            self.incidentals = (
                self.incidentals.relaunched(
                    self.facts, event.attempt, same_agent=event.attempt not in self.fresh
                )
                if event.attempt
                else Incidentals(self.facts, 0)
            )
            # accelerate launch sets OMP_NUM_THREADS itself (accelerate/commands/launch.py),
            # so torchrun's banner about it never shows.
            return []
        if isinstance(event, CommReady):
            # accelerate 1.11.0 calls init_process_group without device_id (state.py:236), so
            # torch 2.9 brings the NCCL communicator up lazily, at the first collective: the
            # script's `main_process_first` around the dataset's preparation (trl 0.24.0
            # sft_trainer.py:894 in SFTTrainer.__init__; training_args.py:2538 in a run_clm
            # script), after the model is loaded and before Trainer.__init__'s lines.
            # Its processes' `Init timings` are drawn whether or not NCCL prints them (the
            # first step waits for the slowest); the lines only where the job sets
            # NCCL_DEBUG=INFO, whose modules load only then.
            f = self.facts
            totals = init_totals(f.seed, self.incidentals.launch_key, f.nccl)
            self.comm_wait = max(totals, default=0.0)
            if f.nccl_debug:
                from genact_cast.generator.dialects.nccl_startup import nccl_startup

                self.comm_lines = nccl_startup(f, self.incidentals)
            return []
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady):
            out = self._data(event)
            self.where.loop(self.train_start, self.resume_step + 1)
            return out
        if isinstance(event, Evaluated):
            self.where.window(event.t - event.seconds, event.t, worker_waits.EVALUATE)
            f = self.facts
            if not f.evaluates_at(event.step):
                # eval_strategy "steps" evaluates every eval_steps only, not at a last step
                # between two (DefaultFlowCallback.on_step_end, trainer_callback.py:586-592)
                return []
            if event.step not in self.shown_evaluations:
                self._evaluate(event)  # its gathers and the log's clock count all the same
                return []
            if f.evaluates_by_epoch and not f.saves_by_epoch and self._saves_at(event.step):
                # The step's end saves (save_strategy "steps": DefaultFlowCallback.on_step_end),
                # then the epoch's end evaluates: printed after the save's lines, which the run
                # makes after it. Under save_strategy "epoch" on_epoch_end asks for both, and
                # _maybe_log_save_evaluate evaluates first (trainer.py:3220-3228 at 4.57.1).
                self.held_evaluation = event
                return []
            return self._evaluate(event)
        if isinstance(event, CheckpointSaved):
            self.where.window(event.t - event.blocking, event.t, worker_waits.SAVE)
            return self._checkpoint(event)
        if isinstance(event, Failed):
            self.where.ended()
            return self._failure(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            # The relaunched process sums its own losses only: train() sets
            # _total_loss_scalar = 0.0 after the resume block (trainer.py:2568 at 4.57.1).
            self.losses = []
            self.eval_works = 0
            self.eval_batches = 0
            self.first_batches = self.saved_first_batches.get(event.step, 0)
            if event.requeued:  # accelerate launch run again: a new torchrun agent
                self.fresh += (event.attempt,)
            return self._interrupt_hang(event)
        if isinstance(event, Exported):
            return self._export(event)
        return []

    def finish_training(self, t: float) -> list[Out]:
        self.where.ended()
        return self._finished(t)

    def stopped(self, t: float) -> list[Out]:
        # The agent answers after the lines the terminal showed, stamped on the log's clock.
        # accelerate launch runs torch's `run` itself: its frames head the traceback.
        when = answered_at(t, self.incidentals, printed=self.clock.last)
        # the workers end on the agent's SIGINT where they wait (hf_interrupt)
        found = hf_interrupt.frames(self.facts, self.where, t)
        workers = (
            []
            if found is None
            else hf_interrupt.workers_interrupted(self.facts, found, self.facts.seed * 683)
        )
        return interrupted_lines(self.facts, self.incidentals, when, ACCELERATE, workers)

    def _interrupt_hang(self, event: Restarted) -> list[Out]:
        """Before the command is typed again: the Ctrl-C that ends a torchrun left waiting."""
        if not self.hung:
            return []
        self.hung = False
        return interrupted_hang(self.facts, self.incidentals, event.t - HANG_NOTICED, ACCELERATE)

    def export_words(self, event: Exported) -> list[str] | None:
        """The Trainer saves the final model itself (`trainer.save_model()`)."""
        del event
        return None

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        self.where.step(stats.step, stats.t, stats.seconds)
        self.losses.append(stats.loss)
        elapsed = stats.t - self.train_start
        rate = 1 / stats.seconds if not self.resume_step else self._resumed_rate(stats)
        meter = bar(stats.step, f.total_steps, elapsed, rate, self.ncols)
        out: list[Out] = []
        if self.fsdp and not self.groups_up and f.nccl_debug:  # the first step: the mesh's
            self.groups_up = True
            comms = hf_mesh.first_step_comms(f, self.incidentals, self.failures)
            out += [Line("\r\n".join(comms))] if comms else []
        out.append(Redraw(meter))
        if stats.step % self.interval == 0:
            epoch = state_epoch(stats.step, f.steps_per_epoch)
            sft = None
            if f.kind == "sft":
                # The run's numbers as SFTTrainer reports them: every packed token seen so
                # far (gathered over the ranks), the predictive entropy of a calibrated model
                # near its cross-entropy, and the share of tokens predicted right, which
                # falls as the loss rises (the run's curve, physics.token_accuracy).
                jitter = Rng(f.seed * 37 + stats.step).uniform(-0.03, 0.03)
                tokens = self.tokens_seen(stats.step)
                # one compute_loss a micro batch since the last log (or the resume)
                calls = min(self.interval, stats.step - self.resume_step) * f.grad_accum
                entropy, accuracy = trl_metrics.sft_means(
                    stats.loss * (1 + jitter),
                    physics.token_accuracy(stats.loss),
                    calls,
                    f.seed * 43 + stats.step,
                )
                sft = (entropy, tokens, accuracy)
            record = log(
                loss=stats.loss,
                grad_norm=stats.grad_norm,
                learning_rate=scheduled_lr(
                    stats.step, peak=f.peak_lr, warmup=f.warmup, total=f.total_steps
                ),
                epoch=epoch,
                sft=sft,
                bar=self.has_bar,
            )
            # ProgressCallback.on_log: training_bar.write, of a dict without a stamp
            out.append(Above(record, UNSTAMPED))
        return out

    def _model(self, event: ModelReady) -> list[Out]:
        start = event.t - event.seconds
        moment = self._at(start)
        if self.pretrained is None:
            self.pretrained = event.loaded_from is not None
        if self.base_seconds is None:
            self.base_seconds = event.seconds
        # A resume's ModelReady counts the checkpoint's read (run_timeline._launch), but the
        # script loads what the first launch loaded, as long (the same command), and the
        # Trainer reads the checkpoint later, in train() (review-tt16 T8): see _data.
        resuming = bool(self.resume_step) and self.fsdp
        seconds = self.base_seconds if resuming else event.seconds
        built = start + seconds
        self.checkpoint_read = event.reading if resuming else 0.0
        self.built_behind = built - event.t
        # where a restart round's script loads its model (Watchdog._round_lines)
        self.load_offset = event.t - event.seconds - self.launched_at
        self.load_seconds = event.seconds
        dtype_given = self.facts.method == "qlora"  # the command's --dtype (hf_peft)
        lines = self._loading(
            moment,
            seconds,
            pretrained=self.pretrained,
            done=self._at(built),
            dtype_given=dtype_given,
        )
        # built in bfloat16 (from its config, or with a dtype asked for), not float32
        self.low_precision = not self.pretrained or dtype_given
        f = self.facts
        train: list[str] = []
        held_out: list[str] = []
        preparing = 0.0
        if f.kind == "sft" and not self.prepared:
            self.prepared = True
            # the raw examples of the eval split, before they are packed (held_out_set)
            train, seconds = prepare_bars(f, "train", f.dataset_examples, 0, self.ncols)
            held_out, more = prepare_bars(f, "eval", f.held_out_examples, 1, self.ncols)
            preparing = seconds + more
        # Rank 0 prepares the train split before the barrier that ends main_process_first,
        # the first collective, which brings NCCL up (see present): every process waits for
        # the slowest rank's Init, then rank 0 prepares the eval split the same way; what the
        # script logs next comes that much later.
        lines += [Line(text) for text in [*train, *self.comm_lines, *held_out]]
        self.comm_lines = []
        self.comm_seconds, self.comm_wait = self.comm_wait + preparing, 0.0
        # Trainer.__init__ with --bf16 (trainer.py:749), once the dataset is prepared.
        lines.append(Line(half_precision(self._at(built))))
        return lines

    def _evaluate(self, event: Evaluated, end: float | None = None) -> list[Out]:
        """The evaluation's lines, ending at `end` (by default where the run ends it)."""
        f = self.facts
        end = event.t if end is None else end
        start = self._at(end - event.seconds)
        batch = f.micro_batch
        block = running_evaluation(start, examples=event.samples, batch_size=batch)
        steps = trainer_eval_steps(event.samples, batch, f.dp)
        self.eval_works += steps * eval_batch_works(f)
        self.eval_batches += steps
        # The run logs its held-out loss to 4 places; the Trainer's is a float32 mean over
        # the batches, with digits below those (keyed on the step, so they repeat).
        below = (Rng(f.seed * 31 + event.step).random() - 0.5) * 1e-4
        sft = None
        if f.kind == "sft":
            # as the training records' (see step): entropy near the loss; the accuracy the
            # run measured (its Token Acc), the same the genact log shows for this evaluation
            jitter = Rng(f.seed * 41 + event.step).uniform(-0.03, 0.03)
            tokens = self.tokens_seen(event.step)
            measured = dict(event.metrics).get("Token Acc")
            accuracy = physics.token_accuracy(event.loss) if measured is None else measured
            # one compute_loss an eval batch (prediction_step)
            entropy, accuracy = trl_metrics.sft_means(
                event.loss * (1 + jitter), accuracy, steps, f.seed * 47 + event.step
            )
            sft = (entropy, tokens, accuracy)
        record = eval_log(
            loss=event.loss + below,
            runtime=event.seconds,
            samples=event.samples,
            steps=steps,
            epoch=state_epoch(event.step, f.steps_per_epoch),
            sft=sft,
            bar=self.has_bar,
        )
        self.clock.at(end + self.comm_seconds)
        at = clock_second(start)  # every line of the block stamped `start`, or none
        out: list[Out] = [Line(text, at) for text in block]
        if self.has_bar:
            # ProgressCallback.on_prediction_step (trainer_callback.py:656-662 at 4.57.1):
            # world rank 0 opens a second bar over the eval loader's batches, below the
            # training bar (leave=False); the eval dict is logged while it is up
            # (Trainer.evaluate logs, then on_evaluate closes and clears it, :664-668).
            done = bar(steps, steps, event.seconds, steps / max(event.seconds, 1e-9), self.ncols)
            out.append(SubBar(done))
        out.append(Above(record, UNSTAMPED) if self.has_bar else Line(record, UNSTAMPED))
        if self.has_bar:
            out.append(SubBar(""))
        return out
