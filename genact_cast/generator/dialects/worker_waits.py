"""Where a training job's workers are when Ctrl-C reaches them, from the run's events as a
dialect's presenter was given them: before the training loop, in a step (which one, and how
far into it), or in an evaluation or a save between two steps. Each dialect turns that into
the frames of its own loop (torchtitan_interrupt, hf_interrupt)."""

from __future__ import annotations

from typing import NamedTuple

STEP, EVALUATE, SAVE = "step", "evaluate", "save"


class Wait(NamedTuple):
    """`kind` STEP, EVALUATE or SAVE; in a step, `step` and the `share` of it gone (0-1)."""

    kind: str
    step: int = 0
    share: float = 0.0


class Tracker:
    """The loop's steps and the evaluations and saves between them, as presented."""

    def __init__(self) -> None:
        self.loop_from = float("inf")
        self.looping = False
        self.starting = False  # launched, its loop not begun (nor the launch failed)
        # (step, end, seconds) of the last step presented
        self.last: tuple[int, float, float] | None = None
        self.busy: list[tuple[float, float, str]] = []  # (start, end, kind) since then

    def launched(self) -> None:
        self.looping, self.starting = False, True

    def loop(self, t: float, first: int) -> None:
        """The training loop from `t`, its first step `first`."""
        self.looping, self.loop_from, self.busy = True, t, []
        self.starting = False
        self.last = (first - 1, t, 0.0)

    def ended(self) -> None:
        """The loop's end, or the launch's failure: its workers are past their start-up."""
        self.looping = self.starting = False

    def step(self, step: int, end: float, seconds: float) -> None:
        self.last, self.busy = (step, end, seconds), []

    def window(self, start: float, end: float, kind: str) -> None:
        self.busy.append((start, end, kind))

    def where(self, t: float) -> Wait | None:
        """The wait at `t` in the loop, None outside it (before, or after its end)."""
        if not self.looping or t < self.loop_from or self.last is None:
            return None
        for start, end, kind in self.busy:
            if start <= t < end:
                return Wait(kind)
        step, end, seconds = self.last
        if not seconds:  # the launch's first step: its compile and warm-up
            return Wait(STEP, step + 1, 0.0)
        # the next step begins once the evaluations and saves after this one are done
        end = max([end, *(stop for _, stop, _ in self.busy if stop <= t)])
        ahead = (t - end) / max(seconds, 1e-6)
        done = int(ahead // 1)
        return Wait(STEP, step + done + 1, ahead - done)
