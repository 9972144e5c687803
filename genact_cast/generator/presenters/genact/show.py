"""What every phase of the genact log draws with: the console, the plan and the run."""

from typing import NamedTuple

from genact_cast.generator.console import Console, RunState
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.run import Run
from genact_cast.generator.style import Style


class Show(NamedTuple):
    con: Console
    plan: RunPlan
    run: Run

    @property
    def style(self) -> Style:
        return self.con.style

    @property
    def state(self) -> RunState:
        return self.con.state
