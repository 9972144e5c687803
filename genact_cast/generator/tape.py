"""The virtual terminal: writes are recorded at a virtual clock that only `sleep` moves."""

from __future__ import annotations

from collections.abc import Callable

from genact_cast.asciicast import MARKER, MICROS, OUTPUT, Event

Sink = Callable[[Event], None]


class Tape:
    """Records what a program would print, and when, without printing or waiting.

    Writes at the same instant are merged into one event, as a terminal would
    receive them in one read. Events go to `sink` as soon as they are complete,
    so a live player can show them while the simulation runs.
    """

    def __init__(self, sink: Sink, speed: float = 1.0) -> None:
        self._sink = sink
        self._speed = speed
        self._now_us = 0
        self._exact_now = 0.0  # unrounded, so that rounding never accumulates
        self._pending: list[str] = []
        self._slept = 0.0

    @property
    def slept(self) -> float:
        """Seconds slept so far, before the speed factor: the same at every speed."""
        return self._slept

    def write(self, text: str) -> None:
        if text:
            self._pending.append(text)

    def line(self, text: str = "") -> None:
        self.write(text + "\r\n")

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass (divided by the speed factor) before the next write."""
        if seconds < 0:
            raise ValueError(f"negative sleep: {seconds}")
        self.flush()
        self._slept += seconds
        self._exact_now += seconds / self._speed
        self._now_us = round(self._exact_now * MICROS)

    def marker(self, label: str) -> None:
        self.flush()
        self._sink(Event(self._now_us, MARKER, label))

    def flush(self) -> None:
        if self._pending:
            self._sink(Event(self._now_us, OUTPUT, "".join(self._pending)))
            self._pending.clear()

    # Cursor control, as genact's io module offers it.

    def cursor_up(self, lines: int) -> None:
        if lines > 0:
            self.write(f"\x1b[{lines}A")

    def erase_down(self) -> None:
        self.write("\x1b[J")
