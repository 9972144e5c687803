"""The driver: a run's events, phase by phase, through a presenter onto a tape.

Pacing lives here and in `pacing`/`budget`: which phase gets how much cast time,
and where the markers go. Presenters only decide how each phase looks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from genact_cast.generator.console import Console, RunState, StopRun
from genact_cast.generator.events import (
    CheckpointSaved,
    EpochEnded,
    EpochStarted,
    Evaluated,
    Exported,
    RunEvent,
)
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.presenters import Presenter
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.rng import Rng
from genact_cast.generator.run import Run
from genact_cast.generator.style import Style
from genact_cast.generator.tape import Sink, Tape


def simulate(plan: RunPlan, sink: Sink, should_stop: Callable[[], bool] | None = None) -> RunState:
    """Show every phase of `plan`'s run, sending events to `sink`; return what was shown.

    `should_stop` is asked at every natural break; when it answers yes, the run ends
    there with a short summary, as genact's modules do when asked to exit.
    """
    options, budget = plan.options, plan.budget
    run = Run(plan)
    tape = Tape(sink, options.speed)
    scene = Rng(plan.scene_seed)
    # Typing has a stream of its own: with or without the prompt (`run --no-prompt`,
    # live recording), the run looks the same.
    typing, body = scene.fork(), scene.fork()
    style = Style(color=options.color)
    presenter: Presenter
    if options.layout == "dashboard":
        # Imported here: the log layout never loads the dashboard's modules.
        from genact_cast.generator.dashboard.console import DashboardConsole
        from genact_cast.generator.dashboard.layout import layout_for
        from genact_cast.generator.dashboard.presenter import Dashboard

        log_width = layout_for(options.cols, options.rows).log.inner().width
        screen = DashboardConsole(
            tape, style, options.cols, plan.start, body, should_stop, log_width=log_width
        )
        con: Console = screen
        from genact_cast.generator.presenters.genact.log import GenactLog

        presenter = Dashboard(GenactLog(Show(screen, plan, run), typing), screen, plan, run)
    else:
        con = Console(tape, style, options.cols, plan.start, body, should_stop)
        show = Show(con, plan, run)
        if options.framework == "genact":
            # Imported here as the dialects' are: a framework's log never loads genact's.
            from genact_cast.generator.presenters.genact.log import GenactLog

            presenter = GenactLog(show, typing)
        else:
            # Imported here: genact's own log never loads the dialects.
            from genact_cast.generator.presenters.framework import FrameworkLog

            presenter = FrameworkLog(show, typing)
    phases = _phases(run.events)
    try:
        if options.prompt:
            presenter.launch(budget.launch)
        tape.marker("Initialization")
        presenter.initialization(phases.initialization, budget.initialization)
        for index, (training, evaluation, save) in enumerate(phases.epochs):
            epoch = index + 1
            tape.marker(f"Epoch {epoch}/{plan.epochs}")
            presenter.epoch(epoch, training, budget.epochs[index])
            tape.marker(f"Validation {epoch}")
            presenter.validation(evaluation, budget.validations[index])
            tape.marker(f"Checkpoint {epoch}")
            presenter.checkpoint(save, budget.checkpoints[index])
        tape.marker("Export")
        presenter.export(phases.export, budget.export)
        presenter.summary(complete=True)
        tape.sleep(budget.summary)
    except StopRun:
        presenter.stopped()
        presenter.summary(complete=False)
    presenter.finish()
    tape.flush()
    return con.state


def epochs(plan: RunPlan, events: Sequence[RunEvent]) -> list[tuple[list[RunEvent], float]]:
    """Each epoch's training events with its cast time, as `simulate` gives them to the
    presenter."""
    split = _phases(events)
    return [(training, plan.budget.epochs[i]) for i, (training, _, _) in enumerate(split.epochs)]


class _Phases:
    def __init__(self) -> None:
        self.initialization: list[RunEvent] = []
        self.epochs: list[tuple[list[RunEvent], Evaluated, CheckpointSaved]] = []
        self.export: Exported


def _phases(events: Sequence[RunEvent]) -> _Phases:
    """Events grouped as the seed's phases show them. An epoch trained again after a resume
    from a save of an earlier epoch (run_timeline.Timeline.build) is part of the phase the
    failure struck in: its steps, its end's evaluation and save are that phase's training
    events, shown where they happen."""
    phases = _Phases()
    current = phases.initialization
    training: list[RunEvent] = []
    evaluation: Evaluated | None = None
    started = ended = 0  # the last epoch begun, and the last whose end was shown
    replay = False  # in an epoch trained again, whose end was shown before
    for event in events:
        if isinstance(event, EpochStarted):
            replay = event.epoch <= ended
            if event.epoch > started:
                training = []
                started = event.epoch
            current = training
        elif replay:
            pass  # the replay's end, its evaluation and save: the phase's training events
        elif isinstance(event, EpochEnded):
            current = []
        elif isinstance(event, Evaluated):
            evaluation = event
        elif isinstance(event, CheckpointSaved) and event.at_epoch_end:
            assert evaluation is not None
            phases.epochs.append((training, evaluation, event))
            ended = len(phases.epochs)
        elif isinstance(event, Exported):
            phases.export = event
        current.append(event)
    return phases
