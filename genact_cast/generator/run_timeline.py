"""The run's timeline: launch, epochs of training with saves, notices and failures, as the
events the presenters show (built once per run by `Run`)."""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, NamedTuple

from genact_cast.generator import (
    catalog,
    evaluation_batches,
    generation_time,
    held_out,
    physics,
    save_writes,
)
from genact_cast.generator.curves import CLIP_NORM
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    EpochEnded,
    EpochStarted,
    Evaluated,
    Exported,
    Finished,
    Launched,
    ModelReady,
    Notice,
    Rendezvous,
    RunEvent,
    Trained,
)
from genact_cast.generator.plan_curves import LORA_MEMORISES
from genact_cast.generator.streams import EVAL, NOTICES, REPLAY, SAVES, STARTUP
from genact_cast.generator.timeline_failure import Failing

# EVAL draws of the evaluations inside an epoch (step * 2 + k), past the epoch ends' keys
EVAL_IN_LOOP = held_out.EVALUATION_KEYS
# REPLAY draws of an evaluation run again after a resume, past the steps' (run.py: step * 8
# + attempt)
REPLAY_EVALUATIONS = 1 << 40

if TYPE_CHECKING:
    from genact_cast.generator.plan import RunPlan
    from genact_cast.generator.run import Run


def failure_steps(plan: RunPlan) -> list[int]:
    """The step each of the plan's failures strikes in: the one its share of the run falls
    in, wherever the saves are (plan_failures: a Poisson process in the run's time); before
    the first save the job starts over. The first launch trains a step first, and each later
    failure strikes after the last one's restart has trained a step or two again."""
    steps: list[int] = []
    for f in plan.failures:
        earliest = steps[-1] + 2 if steps else 2
        steps.append(max(earliest, math.ceil(f.at * plan.total_steps)))
    return steps


class Segment(NamedTuple):
    """Steps trained back to back by one launch of the workers."""

    epoch: int
    attempt: int
    first: int
    last: int
    t0: float  # when step `first` began
    slow_first: float  # extra seconds of the first step after a launch (compile, warm-up)
    pause_steps: tuple[int, ...]  # steps followed by a pause (a blocking save, a GC pause)
    pause_totals: tuple[float, ...]  # seconds of pause up to and including each of them
    # Of those, the ones between two steps, (step, seconds): an evaluation and a save's
    # blocking part, outside either step's own time as the loops time them (Megatron
    # core_v0.14.0 training.py stops its 'interval-time' timer around
    # evaluate_and_print_results and in save_checkpoint_and_time), so the step after one is
    # no slower for it. A GC pause or a straggler is inside its step, which dips.
    between: tuple[tuple[int, float], ...] = ()


class Timeline(Failing):
    """Builds the events: launch, epochs of training with saves, notices and failures."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.plan = run.plan
        self.noise = run.noise
        self.t = 0.0
        self.attempt = 0
        self.events: list[RunEvent] = []
        # (step, path, when its write ended) of the saves the framework makes
        self.saved: list[tuple[int, str, float]] = []
        # each node's torchrun agent: the restarts it made since it started
        self.used = [0] * self.plan.nodes
        self.resumed_at = 0  # the step this launch's processes resumed after (0: the first)
        self.roster = [self.plan.host(node) for node in range(self.plan.nodes)]
        self.spares = 0  # spare nodes the scheduler gave the job so far
        self.failures: list[tuple[int, object]] = list(
            zip(failure_steps(self.plan), self.plan.failures, strict=True)
        )
        self.checkpoint_bytes = self.plan.checkpoint_bytes
        self.checkpoint_seconds = self.plan.checkpoint_seconds
        self._times: dict[int, tuple[float, float, float]] = {}
        self.checkpoints = f"checkpoints/{self.plan.run_name}/step-"
        self.per_gpu = self.checkpoint_bytes / self.plan.gpus
        # When the latest background write ends: the next save waits for it (torchtitan
        # v0.2.0 checkpoint.py:489-493 `_async_wait()` before staging), a new process has none.
        self.write_end = 0.0
        self._waits: dict[int, float] = {}
        self.last_restart = 0.0  # when the last restart's workers were started
        self._evaluated: set[int] = set()  # the steps evaluated so far

    def build(self) -> list[RunEvent]:
        plan = self.plan
        self._launch(None)
        step = epoch = 1
        while epoch <= plan.epochs:
            last = epoch * plan.steps_per_epoch
            self.events.append(EpochStarted(self.t, epoch, step))
            step = self._train_epoch(epoch, step, last)
            if step <= last:
                # Resumed from a save of an earlier epoch: the loop is in that epoch again
                # (transformers' Trainer._inner_training_loop: `epochs_trained =
                # int(self.state.global_step // num_update_steps_per_epoch)` of the state
                # loaded), and crosses its end again: its evaluation and save come again.
                epoch = (step - 1) // plan.steps_per_epoch + 1
                continue
            self.events.append(EpochEnded(self.t, epoch, last))
            self._evaluate(epoch, last)
            if self._framework_saves(last):
                self._save(last, at_epoch_end=True)
            else:  # an epoch's end the framework's loop knows nothing of: no save, no pause
                self.events.append(CheckpointSaved(self.t, last, "", 0.0, 0.0, 0.0, True))
            step = last + 1
            epoch += 1
        shards = tuple(plan.export_shards)
        seconds = sum(shards) / save_writes.export_bandwidth(plan) + self._draw(STARTUP, 90, 20, 60)
        self.t += seconds
        self.events.append(Exported(self.t, f"./models/{plan.output_name}/", shards, seconds))
        self.events.append(Finished(self.t, plan.total_steps))
        return self.events

    def _draw(self, stream: int, index: int, low: float, high: float) -> float:
        return self.noise.uniform(stream, index * 16 + self.attempt, low, high)

    def _launch(self, checkpoint: str | None) -> None:
        plan = self.plan
        self.write_end = 0.0  # a write in flight died with the old processes
        self.events.append(Launched(self.t, self.attempt))
        self.run._rosters.append((self.t, tuple(self.roster)))
        self.t += self._draw(STARTUP, 1, 2, 9)
        self.events.append(Rendezvous(self.t))
        self.t += self._draw(STARTUP, 2, 1, 4)
        self.events.append(CommReady(self.t))
        if checkpoint is not None:  # a resume: weights and optimizer state, and the plans
            seconds = plan.checkpoint_seconds
            source: str | None = checkpoint
        elif plan.from_scratch:
            # Built on the meta device, then each rank initializes its own shard: seconds.
            seconds = self._draw(STARTUP, 3, 1.0, 6.0)
            source = None
        else:  # the released checkpoint: bf16 weights at storage read speed
            seconds = plan.weights_bytes / (plan.storage_gbps * physics.GB)
            source = f"/checkpoints/base/{plan.arch.name}"
        reading = seconds if source is not None else 0.0
        seconds += self._draw(STARTUP, 4, 1.5, 6)
        self.t += seconds
        self.events.append(ModelReady(self.t, source, seconds, reading))
        self.t += self._draw(STARTUP, 5, 5, 40)
        self.events.append(DataReady(self.t))

    def _train_epoch(self, epoch: int, step: int, last: int) -> int:
        """Train `step`..`last`, through failures and resumes; return the next step: `last`
        + 1, or the step after a save of an earlier epoch a failure resumed from."""
        while True:
            failure = next(((s, f) for s, f in self.failures if step <= s <= last), None)
            stop = failure[0] - 1 if failure else last
            self._segment(epoch, step, stop)
            if failure is None:
                return last + 1
            self.failures.remove(failure)
            step = self._fail(epoch, *failure)
            if step <= (epoch - 1) * self.plan.steps_per_epoch:
                return step  # the save resumed from is an earlier epoch's (build)

    def _segment(self, epoch: int, first: int, last: int) -> None:
        """Steps first..last in one go, with their step-based saves and notices."""
        plan = self.plan
        launched = not any(
            isinstance(e, Trained) and e.attempt == self.attempt for e in self.events
        )
        slow = plan.first_step_seconds - plan.step_seconds if launched else 0.0
        every = plan.checkpoint_every
        saves = [
            s
            for s in range(-(-first // every) * every, last + 1, every)
            if s < epoch * plan.steps_per_epoch
        ]
        notices = self._notices(epoch, first, last)
        evals = self._evaluations(epoch, first, last)
        pauses: dict[int, float] = dict(evals)
        between = dict(evals)
        for s, _kind, extra, _fields in notices:
            pauses[s] = pauses.get(s, 0.0) + extra
        # Each save waits for the write before it, if that is still going: where a save
        # starts depends on the pauses before it, so they are found in order.
        write_end = self.write_end
        # The steps with a pause, in order, and the running totals of those before the save
        # at hand: every one of them is final by then (a save adds only its own), so each
        # save extends the last one's totals (summing each save's prefix anew was cubic:
        # ten million additions for a run's 500 saves).
        order = sorted(pauses)
        prior: list[int] = []
        sums: list[float] = []
        for s in saves:
            for p in order[len(prior) : bisect.bisect_left(order, s)]:
                prior.append(p)
                sums.append((sums[-1] if sums else 0.0) + pauses[p])
            before = Segment(
                epoch, self.attempt, first, last, self.t, slow, tuple(prior), tuple(sums)
            )
            # The loop evaluates at the step before it saves there (Megatron core_v0.14.0
            # training.py:2210 then :2262; transformers 4.57.1 trainer.py:3220-3228).
            start = self.run._end(before, s) + evals.get(s, 0.0)
            write, staging, _ = self._save_times(s)
            wait = self._waits[s] = max(0.0, write_end - start)
            write_end = start + wait + write
            if s not in pauses:
                bisect.insort(order, s)
            pauses[s] = pauses.get(s, 0.0) + wait + staging
            between[s] = between.get(s, 0.0) + wait + staging
        steps = sorted(pauses)
        totals: list[float] = []
        for s in steps:
            totals.append((totals[-1] if totals else 0.0) + pauses[s])
        segment = Segment(
            epoch,
            self.attempt,
            first,
            last,
            self.t,
            slow,
            tuple(steps),
            tuple(totals),
            tuple(sorted(between.items())),
        )
        if last < first:
            return
        self.run._segments.setdefault(self.attempt, []).append(segment)

        saved = set(saves)
        cuts = sorted(saved | set(evals) | {s for s, *_ in notices})
        start = first
        end_of = self.run._end
        for cut in [*cuts, last]:
            if cut < start:
                continue
            end_t = end_of(segment, cut)
            self.events.append(Trained(end_t, self.t, epoch, start, cut, self.attempt))
            self.t = end_t
            start = cut + 1
            if cut in evals:
                self._evaluate_in_loop(epoch, cut, evals[cut])
            if cut in saved:  # the save starts as the step ends (its line counts from it)
                self._save(cut, at_epoch_end=False)
            for s, kind, extra, fields in notices:
                if s == cut:
                    self.t += extra
                    message = dict(catalog.notices())[kind].format(**dict(fields))
                    self.events.append(Notice(self.t, s, kind, message, fields))
            if cut == last:
                break
        self.t = end_of(segment, last)

    def _save_times(self, step: int) -> tuple[float, float, float]:
        """(write, blocking, weights) of the save of `step`. The write: the fixed costs of
        torch.distributed.checkpoint (planning, metadata, files), then each part's bytes at
        up to its writers' bandwidth (save_writes: every rank at the file system's stated
        aggregate, or rank 0 alone at a node's), 0-35 % slower from save to save (never
        faster than the storage). An async save blocks training while each rank plans and
        stages its shard to host memory (10-25 GB/s a GPU); a synchronous one for the whole
        write. `weights`: when the first part (the Trainer's consolidated weights) is written,
        from the save's start."""
        times = self._times.get(step)
        if times is None:
            noise, plan = self.noise, self.plan
            overhead = plan.save_overhead_seconds * noise.uniform(SAVES, step * 4 + 2, 1.0, 1.3)
            slower = noise.uniform(SAVES, step * 4 + 1, 1.0, 1.35)
            parts = [part.seconds * slower for part in save_writes.writes(plan)]
            write = overhead + sum(parts)
            if plan.lora is not None:  # an adapter's save is files (optimizer.pt, trainer
                write += noise.uniform(SAVES, step * 4 + 3, 0.0, 1.5)  # state), not bandwidth
            staging_gbps = noise.uniform(SAVES, step * 4, *physics.STAGING_GBPS)
            staging = overhead + self.per_gpu / (staging_gbps * physics.GB)
            blocking = min(staging, write) if self.plan.async_saves else write
            weights = min(overhead + parts[0], write)
            times = self._times[step] = (write, blocking, weights)
        return times

    def _notices(
        self, epoch: int, first: int, last: int
    ) -> list[tuple[int, str, float, tuple[tuple[str, str], ...]]]:
        """0-2 notices an epoch, keyed by epoch: a GC pause, a straggler, a slow loader."""
        plan, noise = self.plan, self.noise
        span = plan.steps_per_epoch
        count = int(noise.unit(NOTICES, epoch * 32) * 3)
        found = []
        kinds = [k for k, _ in catalog.notices() if k != "clip"]
        for i in range(count):
            key = epoch * 32 + 1 + i * 4
            step = (epoch - 1) * span + 2 + int(noise.unit(NOTICES, key) * (span - 2))
            if not first <= step <= last or step < 2:
                continue
            rank = int(noise.unit(NOTICES, key + 2) * plan.gpus)
            kind = kinds[int(noise.unit(NOTICES, key + 1) * len(kinds))]
            if kind == "straggler":  # the GPU whose readings show why (Run.capped_gpu)
                rank = self.run.capped_gpu
            # Seconds, as such pauses last; one step's throughput dips by half at most.
            low, high = (0.1, 0.9) if kind == "gc" else (0.5, 3.0)
            pause = min(noise.uniform(NOTICES, key + 3, low, high), 0.9 * plan.step_seconds)
            _, temp, watts = self.run.gpu_reading(rank, self.t)
            median = plan.step_seconds
            slow = median * noise.uniform(NOTICES, key + 3, 1.04, 1.1)
            fields: tuple[tuple[str, str], ...] = (
                ("step", str(step)),
                ("rank", str(rank)),
                ("host", self.roster[rank // physics.GPUS_PER_NODE]),
                ("local", str(rank % physics.GPUS_PER_NODE)),
                ("pause", f"{pause:.2f}"),
                ("slow", f"{slow:.2f}"),
                ("median", f"{median:.2f}"),
                ("watts", str(watts)),
                ("temp", str(temp)),
                ("worker", str(int(noise.unit(NOTICES, key + 2) * 8))),
            )
            extra = slow - median if kind == "straggler" else pause
            found.append((step, kind, extra, fields))
        spike = plan.loss.spike
        if spike is not None and first <= spike.grad_step <= last:
            norm = self.run.grad_norm(spike.grad_step)
            fields = (
                ("step", str(spike.grad_step)),
                ("grad_norm", f"{norm:.2f}"),
                ("clip", f"{CLIP_NORM:.1f}"),
            )
            found.append((spike.grad_step, "clip", 0.0, fields))
        return sorted(found, key=lambda n: n[0])

    def _framework_saves(self, step: int) -> bool:
        """Whether the framework's loop saves after `step`: at every interval multiple and
        the last step, and at an epoch's end where it saves by epoch (the genact log)."""
        plan = self.plan
        return plan.epoch_saves or step % plan.checkpoint_every == 0 or step == plan.total_steps

    def _save(self, step: int, *, at_epoch_end: bool) -> None:
        """An async save blocks while it waits for the write before it (if that is still
        going) and stages its shards, wherever it falls (an epoch's end too); the write goes
        on in the background. The last step's save is written before the job goes on
        (torchtitan v0.2.0 checkpoint.py:497-498 `_save_last_step`, a synchronous dcp.save),
        and a synchronous framework blocks for the whole write."""
        seconds, staging, weights = self._save_times(step)
        wait = self._waits.pop(step, max(0.0, self.write_end - self.t))
        start = self.t
        if step == self.plan.total_steps:
            staging = seconds
        blocking = wait + staging
        self.t += blocking
        self.write_end = start + wait + seconds
        path = f"{self.checkpoints}{step}"
        self.events.append(
            CheckpointSaved(
                self.t,
                step,
                path,
                self.checkpoint_bytes,
                blocking,
                seconds,
                at_epoch_end,
                wait,
                weights,
            )
        )
        if self._framework_saves(step):
            # Only a save the framework makes can be resumed from.
            self.saved.append((step, path, self.write_end))

    def _evaluations(self, epoch: int, first: int, last: int) -> dict[int, float]:
        """The steps of first..last after which the loop evaluates (every `eval_every`,
        before the epoch's end, which evaluates on its own), with each one's seconds."""
        every, end = self.plan.eval_every, epoch * self.plan.steps_per_epoch
        start = -(-first // every) * every
        keys = range(start, last + 1, every)
        return {s: self._eval_seconds(EVAL_IN_LOOP + 2 * s, s) for s in keys if s < end}

    def _eval_seconds(self, key: int, step: int) -> float:
        """The forward of the batches the framework evaluates (evaluation_batches); each
        evaluation a little faster or slower (data loading, the other jobs on the file
        system), a step's evaluated again after a resume too: the same loss, not the same
        seconds."""
        seconds = evaluation_batches.forward_seconds(self.plan)
        stream, key = self._replayed(step, key)
        return seconds * (1 + self.noise.uniform(stream, key, -0.04, 0.04))

    def _replayed(self, step: int, key: int) -> tuple[int, int]:
        """The stream and key of a draw of the evaluation at `step`: its own the first time,
        the launch's where a resume evaluates it again."""
        if step not in self._evaluated:
            return EVAL, key
        return REPLAY, REPLAY_EVALUATIONS + (step * 64 + self.attempt) * 2 + key % 2

    def _evaluate_in_loop(self, epoch: int, step: int, seconds: float) -> None:
        """An evaluation inside the epoch, every `eval_every` steps: the held-out loss only
        (benchmarks are the epoch's end's), following the loss curve as the epoch's end's
        does."""
        plan = self.plan
        self.t += seconds
        loss = float(f"{held_out.loss(plan, self.noise, step):.4f}")
        self.events.append(Evaluated(self.t, epoch, step, plan.eval_samples, seconds, loss, ()))
        self._evaluated.add(step)

    def _evaluate(self, epoch: int, step: int) -> None:
        plan = self.plan
        seconds = self._eval_seconds(epoch * 64 + 48, step)
        self.t += seconds
        if plan.kind == "sft":
            loss = self._sft_validation(epoch)
        else:
            loss = held_out.loss(plan, self.noise, step)
        loss = float(f"{loss:.4f}")
        metrics = self.run.evaluation_metrics(epoch, step, loss)
        # the outputs ROUGE or BLEU score, generated after the loss pass, a little faster
        # or slower each time as the loss pass is
        stream, key = self._replayed(step, epoch * 64 + 49)
        generating = generation_time.seconds(plan) * (
            1 + self.noise.uniform(stream, key, -0.04, 0.04)
        )
        self._evaluated.add(step)
        self.t += generating
        self.events.append(
            Evaluated(self.t, epoch, step, plan.eval_samples, seconds, loss, metrics, generating)
        )

    def _sft_validation(self, epoch: int) -> float:
        """Held-out loss of a fine-tune: down after the first pass, flat by the second,
        rising from the third as the model memorizes its training set."""
        plan, noise = self.plan, self.noise
        # Held-out sits above the last training batches by what the pass has not
        # generalised: 0.0275 for zephyr-7b-sft-full (0.9353 against 0.9078, its card;
        # sft_losses.tsv), moved only by which examples were held out.
        loss = plan.loss.smooth(plan.steps_per_epoch) + noise.uniform(EVAL, 50, 0.02, 0.035)
        for e in range(2, epoch + 1):
            # A second pass still generalises a little, a third memorises: validation
            # 1.0696, 1.0405, 1.0691 over three epochs of Llama-3-8B on UltraChat-200k
            # (kykim0/llama3-8b-ultrachat-sft's card; sft_losses.tsv).
            low, high = (-0.04, -0.015) if e == 2 else (0.02, 0.06)
            rise = noise.uniform(EVAL, 50 + e, low, high)
            if plan.lora is not None and rise > 0:  # an adapter overfits less (plan_curves)
                rise *= LORA_MEMORISES
            loss += rise
        return loss
