"""The whole run, phase after phase, written to a tape in virtual time."""

from __future__ import annotations

from collections.abc import Callable

from genact_cast.generator.console import Console, RunState, StopRun
from genact_cast.generator.phases.checkpoint import checkpoint
from genact_cast.generator.phases.export import export
from genact_cast.generator.phases.initialization import initialization
from genact_cast.generator.phases.launch import launch, prompt
from genact_cast.generator.phases.summary import summary
from genact_cast.generator.phases.training import training_epoch
from genact_cast.generator.phases.validation import validation
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.rng import Rng
from genact_cast.generator.style import Style
from genact_cast.generator.tape import Sink, Tape


def simulate(plan: RunPlan, sink: Sink, should_stop: Callable[[], bool] | None = None) -> RunState:
    """Run every phase of `plan`, sending events to `sink`; return what the run did.

    `should_stop` is asked at every natural break; when it answers yes, the run ends
    there with a short summary, as genact's modules do when asked to exit.
    """
    options, budget = plan.options, plan.budget
    tape = Tape(sink, options.speed)
    scene = Rng(plan.scene_seed)
    # Typing has a stream of its own: with or without the prompt (`run --no-prompt`,
    # live recording), the run prints the same numbers.
    typing, body = scene.fork(), scene.fork()
    con = Console(tape, Style(color=options.color), options.cols, plan.start, body, should_stop)
    try:
        if options.prompt:
            launch(con, plan, budget.launch, typing)
        tape.marker("Initialization")
        initialization(con, plan, budget.initialization)
        for epoch in range(1, plan.epochs + 1):
            tape.marker(f"Epoch {epoch}/{plan.epochs}")
            training_epoch(con, plan, epoch, budget.epochs[epoch - 1])
            tape.marker(f"Validation {epoch}")
            validation(con, plan, epoch, budget.validations[epoch - 1])
            if epoch < plan.epochs:
                tape.marker(f"Checkpoint {epoch}")
                checkpoint(con, plan, epoch, budget.checkpoints[epoch - 1])
        tape.marker("Export")
        export(con, plan, budget.export)
        summary(con, plan)
        tape.sleep(budget.summary)
    except StopRun:
        con.end_live()
        summary(con, plan, complete=False)
    if options.prompt:
        tape.write(prompt(plan, color=options.color).ansi)
    tape.flush()
    return con.state
