"""The `log` layout in genact's own dialect (GenactLog): each phase through its module.

Apart from the package's __init__, so that a framework dialect, which borrows the launch and
Show, loads none of the phases' modules (issue 18: ten modules it never prints with)."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.events import CheckpointSaved, Evaluated, Exported, RunEvent
from genact_cast.generator.presenters.genact.checkpoint import checkpoint
from genact_cast.generator.presenters.genact.export import export
from genact_cast.generator.presenters.genact.initialization import initialization
from genact_cast.generator.presenters.genact.launch import launch, prompt
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.presenters.genact.summary import summary
from genact_cast.generator.presenters.genact.training import training_epoch
from genact_cast.generator.presenters.genact.validation import validation
from genact_cast.generator.rng import Rng


class GenactLog:
    def __init__(self, show: Show, typing: Rng) -> None:
        self.show = show
        self._typing = typing

    def launch(self, budget: float) -> None:
        launch(self.show.con, self.show.plan, budget, self._typing)

    def initialization(self, events: Sequence[RunEvent], budget: float) -> None:
        initialization(self.show, events, budget)

    def epoch(self, epoch: int, events: Sequence[RunEvent], budget: float) -> None:
        training_epoch(self.show, epoch, events, budget)

    def validation(self, event: Evaluated, budget: float) -> None:
        validation(self.show, event, budget)

    def checkpoint(self, event: CheckpointSaved, budget: float) -> None:
        checkpoint(self.show, event, budget)

    def export(self, event: Exported, budget: float) -> None:
        export(self.show, event, budget)

    def summary(self, *, complete: bool) -> None:
        summary(self.show, complete=complete)

    def stopped(self) -> None:
        self.show.con.end_live()

    def finish(self) -> None:
        options = self.show.plan.options
        if options.prompt:
            self.show.con.tape.write(prompt(self.show.plan, color=options.color).ansi)
