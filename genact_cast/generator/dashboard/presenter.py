"""The `dashboard` layout: the run as panes in the alternate screen, redrawn in place.

It wraps a log presenter (the same lines, pauses and markers as the `log` layout)
whose console keeps its lines for the log pane; before each pause, it draws a frame
from the run's numbers at the step the log presenter has reached, and writes only
the cells that changed. The typed launch command and the closing summary are in the
normal screen, as a real monitor started from a shell would leave them.
"""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator import physics
from genact_cast.generator.dashboard import activity
from genact_cast.generator.dashboard.console import DashboardConsole
from genact_cast.generator.dashboard.layout import layout_for
from genact_cast.generator.dashboard.readings import gpu_rows, job_of, nccl_stats, worker_command
from genact_cast.generator.dashboard.render import Renderer
from genact_cast.generator.dashboard.screen import Screen
from genact_cast.generator.dashboard.view import GpuRow, Point, Process, View
from genact_cast.generator.events import (
    CheckpointSaved,
    Evaluated,
    Exported,
    Failed,
    Notice,
    Restarted,
    RunEvent,
    StepStats,
    Trained,
)
from genact_cast.generator.noise import Noise
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.presenters import Presenter
from genact_cast.generator.run import Run

ENTER = "\x1b[?1049h\x1b[?25l"  # the alternate screen, cursor hidden
# Cleared before leaving, so that a terminal without an alternate screen (and pyte)
# shows the summary on a clean screen too.
LEAVE = "\x1b[H\x1b[2J\x1b[?25h\x1b[?1049l"
# A monitor refreshes every 1-2 s (nvtop 1 s, nvitop and btop 2 s); here the simulated
# clock moves minutes to hours between frames, so 2.5 s of cast looks as live while a
# frame, all panes drawn in Python, stays the main cost of recording (a 3-minute cast
# within twice the log layout's). The log layout pauses about twice a second; steps
# reached in between still go into the chart.
# Measured before the speed factor, so that --speed changes when frames show, not which.
FRAME_GAP = 2.5
HISTORY = 240  # utilization samples kept per GPU line: wider than the widest pane


class Dashboard:
    """A presenter: `log` draws the lines and paces the cast; this draws the panes."""

    def __init__(self, log: Presenter, con: DashboardConsole, plan: RunPlan, run: Run) -> None:
        options = plan.options
        self.log, self.con, self.plan, self.run = log, con, plan, run
        self.layout = layout_for(options.cols, options.rows)
        self.screen = Screen(self.layout, color=options.color)
        self.renderer = Renderer(options.cols, options.rows)
        self.job = job_of(plan)
        self.phase = "starting"
        self.shown = False
        self.progress = Progress(plan, run)
        self._last_frame = 0.0
        self._last_phase = ""
        self.noise = Noise(plan.noise_seed)
        self.history: dict[str, list[int]] = {}
        self.power_history: dict[str, list[int]] = {}
        self._history_start: float | None = None
        self.command = worker_command(plan)
        self.pid = 20_000 + int(self.noise.unit(activity.DASHBOARD, 0) * 70_000)
        self._launched = 0.0  # when the current processes started
        self._restarts = 0
        self._frame_pending = True  # a frame is being drawn: its readings go into history
        con.before_pause = self.tick

    # The presenter's phases

    def launch(self, budget: float) -> None:
        self.log.launch(budget)

    def initialization(self, events: Sequence[RunEvent], budget: float) -> None:
        self.phase = "initializing"
        self._enter()
        self.log.initialization(events, budget)

    def epoch(self, epoch: int, events: Sequence[RunEvent], budget: float) -> None:
        self.phase = "training"
        self.log.epoch(epoch, events, budget)

    def validation(self, event: Evaluated, budget: float) -> None:
        self.phase = "evaluating"
        self.log.validation(event, budget)

    def checkpoint(self, event: CheckpointSaved, budget: float) -> None:
        self.phase = "checkpointing"
        self.log.checkpoint(event, budget)

    def export(self, event: Exported, budget: float) -> None:
        self.phase = "exporting"
        self.log.export(event, budget)
        self.phase = "done"
        self.frame()

    def summary(self, *, complete: bool) -> None:
        self._leave()
        self.log.summary(complete=complete)

    def stopped(self) -> None:
        self.log.stopped()

    def finish(self) -> None:
        self._leave()
        self.log.finish()

    # Frames

    def _enter(self) -> None:
        if not self.shown:
            self.shown = True
            self.con.enter()
            self.con.tape.write(ENTER + self.renderer.full(self.screen.draw(self.view())))

    def _leave(self) -> None:
        if self.shown:
            self.shown = False
            self.con.leave()
            self.con.tape.write(self.renderer.leave() + LEAVE)

    def tick(self) -> None:
        """Before a pause: note the step reached; draw if a refresh is due."""
        state, now = self.con.state, self.con.tape.slept
        self.progress.catch_up(state.step, state.elapsed)
        due = now - self._last_frame >= FRAME_GAP or self.phase != self._last_phase
        if due or self.progress.alarm:
            self.frame()

    def frame(self) -> None:
        """Bring the screen up to date with the run, writing only what changed."""
        if self.shown:
            self._frame_pending = True
            self._last_frame, self._last_phase = self.con.tape.slept, self.phase
            self.con.tape.write(self.renderer.update(self.screen.draw(self.view())))

    def view(self) -> View:
        con, plan, progress = self.con, self.plan, self.progress
        state = con.state
        progress.catch_up(state.step, state.elapsed)
        stats = progress.last
        phase = progress.alarm or self.phase
        step = stats.step if stats else 0
        log = list(con.lines)
        if self.phase != "training":
            log += con.live_lines
        rows = self.layout.gpus.inner().height
        gpus, hidden = gpu_rows(plan, self.run, state.elapsed, rows, progress.straggler)
        # What the GPUs do now: the run's readings are those of training.
        shown_phase = phase if phase in ("failed", "restarting") else self.phase
        if shown_phase == "training" and progress.evaluating:
            # Forward passes over the held-out set between two steps (activity: the SMs
            # busy, the power down); the step counter stands still meanwhile.
            phase = shown_phase = "evaluating"
        if stats is None and shown_phase == "training":
            shown_phase = "initializing"
        peak = stats.memory_gib if stats else 0.0
        key = step * 4099 + (stats.attempt if stats else 0) * 7 + int(state.elapsed // 60) * 65_537
        in_line = 1 if len(gpus) >= plan.gpus else physics.GPUS_PER_NODE
        shown = []
        for i, g in enumerate(gpus):
            index = key * 1031 + i + 1
            now = activity.reading(
                shown_phase, (g.util, g.temp_c, g.power_w), plan.gpu, self.noise, index, in_line
            )
            memory = activity.memory(shown_phase, peak, plan.gpu.memory_gib, self.noise, index)
            shown.append(
                g._replace(util=now.util, temp_c=now.temp_c, power_w=now.power_w, memory_gib=memory)
            )
        gpus = shown
        if hidden is not None and gpus:  # the nodes not shown read as the ones shown do
            utils, temps = [g.util for g in gpus], [g.temp_c for g in gpus]
            hidden = (
                f"+{plan.nodes - len(gpus)} nodes: {min(utils)}-{max(utils)}% util, "
                f"{min(temps)}-{max(temps)}°C"
            )
        gpus, history_seconds = self._with_history(gpus, state.elapsed)
        processes = self._processes(gpus, shown_phase, state.elapsed)
        return View(
            job=self.job,
            clock=con.now,
            elapsed=state.elapsed,
            phase=phase,
            epoch=stats.epoch if stats else 0,
            step=step,
            eta_seconds=(plan.total_steps - step) * plan.step_seconds if stats else None,
            train=progress.train,
            lr=progress.lr,
            val=progress.val,
            failures=progress.failures,
            resumes=progress.resumes,
            gpus=gpus,
            gpus_hidden=hidden,
            tokens_per_second=progress.throughput,
            mfu=stats.mfu if stats else 0.0,
            tflops_per_gpu=stats.tflops_per_gpu if stats else 0.0,
            nccl=nccl_stats(plan, self.run, step) if stats else (),
            log=log,
            processes=processes,
            history_seconds=history_seconds,
            aux_loss=stats.aux_loss if stats else None,
        )

    def _with_history(self, gpus: list[GpuRow], now: float) -> tuple[list[GpuRow], float]:
        """Each line with its utilization at the frames before (one sample per frame)."""
        if self._history_start is None:
            self._history_start = now
        rows = []
        for row in gpus:
            kept = self.history.setdefault(row.label, [])
            power = self.power_history.setdefault(row.label, [])
            if self._frame_pending:
                kept.append(row.util)
                power.append(row.power_w)
                del kept[:-HISTORY], power[:-HISTORY]
            rows.append(row._replace(history=tuple(kept), power_history=tuple(power)))
        self._frame_pending = False
        return rows, now - self._history_start

    def _processes(self, gpus: list[GpuRow], phase: str, now: float) -> list[Process]:
        """The first node's training processes (one per GPU), none while the job is down."""
        if phase in activity.NO_PROCESS or (phase == "initializing" and not self.shown):
            return []
        if self.progress.resumes and self._restarts != len(self.progress.resumes):
            self._restarts = len(self.progress.resumes)
            self._launched = now
            self.pid += 97 + int(self.noise.unit(activity.DASHBOARD, self._restarts) * 900)
        local = min(physics.GPUS_PER_NODE, self.plan.gpus)
        per_gpu = len(gpus) >= self.plan.gpus
        return [
            Process(
                gpu=i,
                pid=self.pid + 1 + i,
                user=self.plan.user,
                memory_gib=gpus[i if per_gpu else 0].memory_gib,
                sm=gpus[i if per_gpu else 0].util,
                seconds=now - self._launched,
                command=self.command,
            )
            for i in range(local)
        ]


class Progress:
    """What the run has shown so far, from its events up to the simulated clock."""

    def __init__(self, plan: RunPlan, run: Run) -> None:
        self.run = run
        self.events = run.events
        self.index = 0  # events before this one have happened
        self.spans: list[Trained] = []
        self.train: list[Point] = []
        self.lr: list[Point] = []
        self.throughput: list[Point] = []
        self.val: list[Point] = []
        self.failures: list[int] = []
        self.resumes: list[int] = []
        self.straggler: int | None = None  # the rank last reported slow
        self.alarm: str | None = None  # "failed" or "restarting" until training resumes
        self.evaluating = False  # an evaluation inside the epoch is running now
        self.last: StepStats | None = None

    def catch_up(self, step: int, t: float) -> None:
        while self.index < len(self.events) and self.events[self.index].t <= t:
            event = self.events[self.index]
            self.index += 1
            if isinstance(event, Trained):
                self.spans.append(event)
            elif isinstance(event, Evaluated):
                self.val.append(Point(event.step, event.loss))
            elif isinstance(event, Failed):
                self.failures.append(event.step)
                self.alarm = "failed"
            elif isinstance(event, Restarted):
                self.resumes.append(event.step)
                self.alarm = "restarting"
            elif isinstance(event, Notice) and event.kind == "straggler":
                self.straggler = int(dict(event.fields)["rank"])
        # The next event an evaluation already begun: the loop is on its held-out set.
        ahead = self.events[self.index] if self.index < len(self.events) else None
        self.evaluating = isinstance(ahead, Evaluated) and ahead.began < t
        if step:
            attempt = self._attempt(step, t)
            if self.last is None or (self.last.step, self.last.attempt) != (step, attempt):
                self._shown(self.run.step(step, attempt))

    def _attempt(self, step: int, t: float) -> int:
        """The launch that trained `step` by time `t`: the latest one that had begun it
        (launches only follow each other, so the latest span holding `step` tells)."""
        # A span still running at `t` has not been reported as an event yet.
        events = self.events
        attempt = None
        for i in range(self.index, len(events)):
            event = events[i]
            if isinstance(event, Trained) and event.t_start <= t:
                if event.first <= step <= event.last:
                    attempt = event.attempt
            elif event.t > t:
                break
        if attempt is not None:
            return attempt
        for span in reversed(self.spans):
            if span.first <= step <= span.last and span.t_start <= t:
                return span.attempt
        return 0

    def _shown(self, stats: StepStats) -> None:
        self.last = stats
        self.alarm = None
        self.train.append(Point(stats.step, stats.loss))
        self.lr.append(Point(stats.step, stats.lr))
        self.throughput.append(Point(stats.step, stats.tokens_per_second))
