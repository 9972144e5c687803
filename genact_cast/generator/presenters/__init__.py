"""Presenters: what a terminal shows of a run, per layout and framework dialect.

A presenter gets the run's events phase by phase from the driver (`simulation`),
with the share of cast time each phase may take, and writes through a `Console`.
It draws numbers from the run (`Run.step`, the events) and never makes one up;
its own random stream (typing, pauses, which pause is longer) is for looks only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from genact_cast.generator.events import CheckpointSaved, Evaluated, Exported, RunEvent


class Presenter(Protocol):
    def launch(self, budget: float) -> None:
        """The shell prompt and the launch command, typed."""

    def initialization(self, events: Sequence[RunEvent], budget: float) -> None:
        """From the workers' start to the data being ready."""

    def epoch(self, epoch: int, events: Sequence[RunEvent], budget: float) -> None:
        """Training: steps, step-based saves, notices, failures and restarts."""

    def validation(self, event: Evaluated, budget: float) -> None: ...

    def checkpoint(self, event: CheckpointSaved, budget: float) -> None:
        """The save at the end of an epoch."""

    def export(self, event: Exported, budget: float) -> None: ...

    def summary(self, *, complete: bool) -> None:
        """The closing lines; `complete` is false when the viewer stopped the run early."""

    def stopped(self) -> None:
        """The viewer asked to stop: leave what is on screen in a clean state."""

    def finish(self) -> None:
        """After the summary: the fresh prompt, or leaving a full-screen view."""
