"""The console a log presenter writes through when the dashboard is shown.

The dashboard shows the very lines the log layout prints, in its log pane: so it
lets the log presenter run as usual, on a console that keeps those lines instead of
writing them, and that draws a frame of the dashboard before every pause. The log
presenter's pacing (its pauses, its random stream) is untouched, so both layouts
share one simulation, the same markers and the same timing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime

from genact_cast.generator.console import Console, Pacer
from genact_cast.generator.rng import Rng
from genact_cast.generator.style import Style, Text
from genact_cast.generator.tape import Tape

KEPT_LINES = 200  # more than the tallest log pane shows


class FramePacer(Pacer):
    """A pacer that lets the screen catch up before each pause."""

    def __init__(
        self,
        tape: Tape,
        rng: Rng,
        budget: float,
        pauses: int,
        at_break: Callable[[], None],
        before_pause: Callable[[], None],
    ) -> None:
        super().__init__(tape, rng, budget, pauses, at_break)
        self._before_pause = before_pause

    def __call__(self) -> None:
        self._before_pause()
        super().__call__()

    def finish(self) -> None:
        self._before_pause()
        super().finish()


class DashboardConsole(Console):
    """A console that, while the dashboard is up, keeps lines rather than writing them."""

    def __init__(
        self,
        tape: Tape,
        style: Style,
        cols: int,
        start: datetime,
        rng: Rng,
        should_stop: Callable[[], bool] | None = None,
        *,
        log_width: int,
    ) -> None:
        super().__init__(tape, style, cols, start, rng, should_stop)
        self.full_screen = False
        self.lines: deque[str] = deque(maxlen=KEPT_LINES)
        self.live_lines: list[str] = []  # the log layout's live block, as it reads now
        self.before_pause: Callable[[], None] = lambda: None
        self._log_width, self._normal_width = log_width, self.width

    def enter(self) -> None:
        """Keep lines from now on, wrapped to the log pane rather than the terminal."""
        self.full_screen, self.width = True, self._log_width

    def leave(self) -> None:
        self.full_screen, self.width = False, self._normal_width
        self.live_lines = []

    def pacer(self, budget: float, pauses: int) -> Pacer:
        return FramePacer(
            self.tape, self.rng, budget, pauses, self.natural_break, self._frame_if_shown
        )

    def _frame_if_shown(self) -> None:
        if self.full_screen:
            self.before_pause()

    def print(self, text: Text) -> None:
        if self.full_screen:
            self.lines.append(text.ansi)
        else:
            super().print(text)

    def blank(self) -> None:
        if self.full_screen:
            self.lines.append("")
        else:
            super().blank()

    def live_text(self, block: str, height: int, above: Sequence[Text] = ()) -> None:
        if not self.full_screen:
            super().live_text(block, height, above)
            return
        for line in above:
            self.print(line)
        self.live_lines = block.split("\r\n")[:height]

    def end_live(self) -> None:
        if self.full_screen:
            self.live_lines = []
        else:
            super().end_live()
