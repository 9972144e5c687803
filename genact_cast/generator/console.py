"""What phases write through: log lines, a live block redrawn in place, and pacing."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from genact_cast.generator.rng import Rng
from genact_cast.generator.style import Style, Text, wrap
from genact_cast.generator.tape import Tape


def usable_width(cols: int) -> int:
    """Columns a line may take: never the last one, so that no terminal ever wraps it."""
    return cols - 1


class StopRun(Exception):
    """Raised at a natural break when the viewer has asked the run to end."""


class RunState:
    """What the run has shown so far: for the closing summary, even an early one."""

    def __init__(self) -> None:
        self.step = 0
        self.losses: list[float] = []
        self.last_loss: float | None = None
        self.checkpoints: list[str] = []
        self.elapsed = 0.0  # simulated seconds since launch
        self.failures = 0
        self.from_start = 0  # restarts with no complete checkpoint yet: from the start
        self.lost_seconds = 0.0
        # Steps between the groups of step lines a cast shows, fixed by the first epoch; the
        # job itself logs every `log_freq` steps (1-100, as real jobs do whatever their
        # length), and each group shows a few of those lines back to back.
        self.log_every = 0
        self.log_freq = 0
        # Async saves whose background write is still going: each is logged, with the time
        # it ended, once the run has reached that time; one still going when a rank dies
        # never ends (the job resumes from the save before it).
        self.writing: list[tuple[float, list[Text]]] = []


BORROWED_LEAST = 1e-4


class Pacer:
    """Shares a phase's time budget out over its pauses, never two alike.

    Phases pause only after whole lines, so each pause is a natural break too.
    """

    def __init__(
        self, tape: Tape, rng: Rng, budget: float, pauses: int, at_break: Callable[[], None]
    ) -> None:
        self._tape = tape
        self._shares = [budget * w for w in rng.weights(max(1, pauses))]
        self._next = 0
        self._at_break = at_break
        # What borrowed pauses have left of the shares not yet spent, as a factor over
        # them all (1.0 until a pause is borrowed), and those shares' sum before it.
        self._scale = 1.0
        self._left = math.fsum(self._shares)

    def __call__(self) -> None:
        if self._next < len(self._shares):
            share = self._shares[self._next]
            self._tape.sleep(share * self._scale)
            self._left -= share
            self._next += 1
        self._at_break()

    def borrow(self) -> None:
        """A pause now, between two lines the log stamps apart within one of the phase's
        pauses: half an average pause of those left, taken from them alike (each shrunk in
        proportion), so that the phase still adds up to its budget."""
        # (max() spelled out as comparisons, the same floats: a framework's log borrows a
        # pause for most of its lines, about a thousand a record)
        count = len(self._shares) - self._next
        left, scale = self._left, self._scale
        total = left * scale if left > 0 else 0.0
        pause = total / (count if count > 1 else 1) / 2
        # At least a tenth of a millisecond, a budget spent or not: two events, never one.
        if pause < BORROWED_LEAST:
            pause = BORROWED_LEAST
        if total > 0:
            rest = total - pause
            self._scale = scale * ((rest if rest > 0 else 0.0) / total)
        self._tape.sleep(pause)

    def finish(self) -> None:
        """Spend what is left of the budget, so that phases add up to the duration."""
        rest = math.fsum(self._shares[self._next :]) * self._scale
        self._next = len(self._shares)
        if rest > 0:
            self._tape.sleep(rest)


class Console:
    def __init__(
        self,
        tape: Tape,
        style: Style,
        cols: int,
        start: datetime,
        rng: Rng,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.tape = tape
        self.style = style
        self.width = usable_width(cols)
        self.start = start
        self.rng = rng
        self.state = RunState()
        self._should_stop = should_stop
        self._live_height = 0

    # Time

    @property
    def now(self) -> datetime:
        """The simulated wall clock that log timestamps show."""
        return self.start + timedelta(seconds=int(self.state.elapsed))

    def at(self, t: float) -> None:
        """Move the simulated wall clock to `t` (seconds since launch), never back."""
        self.state.elapsed = max(self.state.elapsed, t)

    def pacer(self, budget: float, pauses: int) -> Pacer:
        return Pacer(self.tape, self.rng, budget, pauses, self.natural_break)

    def natural_break(self) -> None:
        """A point where a run may end cleanly (never mid-line or mid-bar)."""
        self.tape.flush()
        if self._should_stop is not None and self._should_stop():
            raise StopRun

    # Output

    def print(self, text: Text) -> None:
        self.tape.line(text.ansi)

    def blank(self) -> None:
        self.tape.line("")

    def log_lines(self, message: str, paint: Callable[[str], Text] | None = None) -> list[Text]:
        """A timestamped line, wrapped at spaces when the terminal is narrow."""
        paint = paint or self.style.plain
        stamp = self.style.stamp(self.now)
        lines = wrap(message, self.width - stamp.width - 1, indent="")
        pad = self.style.plain(" " * (stamp.width + 1))
        return [stamp + self.style.plain(" ") + paint(lines[0])] + [
            pad + paint(x) for x in lines[1:]
        ]

    def log(self, message: str, paint: Callable[[str], Text] | None = None) -> None:
        for line in self.log_lines(message, paint):
            self.print(line)

    def text_lines(
        self, message: str, indent: str = "  ", paint: Callable[[str], Text] | None = None
    ) -> list[Text]:
        """An untimestamped line, wrapped at spaces."""
        paint = paint or self.style.plain
        return [paint(line) for line in wrap(indent + message, self.width, indent=indent + "  ")]

    def text(
        self, message: str, indent: str = "  ", paint: Callable[[str], Text] | None = None
    ) -> None:
        for line in self.text_lines(message, indent, paint):
            self.print(line)

    def section(self, title: str, message: str) -> None:
        """A phase header in bold cyan, then its message, wrapped at spaces."""
        header = self.style.header(title)
        lines = wrap(f"{title} {message}", self.width, indent="  ")
        self.print(header + self.style.plain(lines[0][len(title) :]))
        for line in lines[1:]:
            self.print(self.style.plain(line))

    def live(self, lines: Sequence[Text], above: Sequence[Text] = ()) -> None:
        """Redraw the live block in place, first printing `above` as lasting lines."""
        self.live_text("".join(line.ansi + "\r\n" for line in lines), len(lines), above)

    def live_text(self, block: str, height: int, above: Sequence[Text] = ()) -> None:
        """`live`, for a block already rendered to text (`height` lines, each ending CRLF)."""
        if self._live_height:
            self._back_to_live_block()
        for line in above:
            self.print(line)
        self.tape.write(block)
        self._live_height = height

    def _back_to_live_block(self) -> None:
        """Cursor to the first line of the live block, and erase from there down."""
        self.tape.cursor_up(self._live_height)
        self.tape.write("\r")
        self.tape.erase_down()

    def end_live(self) -> None:
        """Leave the live block on screen as it is; what follows goes below it."""
        self._live_height = 0
