"""The virtual terminal: writes are recorded at a virtual clock that only `sleep` moves."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from genact_cast.asciicast import MARKER, MICROS, OUTPUT, Event

Sink = Callable[[Event], None]

# Event(...) without the Python-level __new__ a NamedTuple defines: every event of a cast is
# made here, a few thousand a record, and that call cost about 1,500 instructions of each.
_event = tuple.__new__


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
        pending = self._pending
        if pending:  # flush(), inline: a framework's log sleeps between most of its lines
            self._sink(_event(Event, (self._now_us, OUTPUT, "".join(pending))))
            pending.clear()
        self._slept += seconds
        exact_now = self._exact_now = self._exact_now + seconds / self._speed
        self._now_us = round(exact_now * MICROS)

    def keystrokes(self, keys: Sequence[str], delays: Sequence[float]) -> None:
        """`write(key)` then `sleep(delay)` for each key and its delay, the same events and
        clock, without two calls a key: a typed launch command is a thousand keys or more."""
        if any(delay < 0 for delay in delays):
            raise ValueError(f"negative sleep: {min(delays)}")
        sink, speed, pending = self._sink, self._speed, self._pending
        slept, exact_now, now_us = self._slept, self._exact_now, self._now_us
        for key, delay in zip(keys, delays, strict=True):
            if key:
                pending.append(key)
            if pending:
                sink(_event(Event, (now_us, OUTPUT, "".join(pending))))
                pending.clear()
            slept += delay
            exact_now += delay / speed
            now_us = round(exact_now * MICROS)
        self._slept, self._exact_now, self._now_us = slept, exact_now, now_us

    def marker(self, label: str) -> None:
        self.flush()
        self._sink(_event(Event, (self._now_us, MARKER, label)))

    def flush(self) -> None:
        pending = self._pending
        if pending:
            self._sink(_event(Event, (self._now_us, OUTPUT, "".join(pending))))
            pending.clear()

    # Cursor control, as genact's io module offers it.

    def cursor_up(self, lines: int) -> None:
        if lines > 0:
            self.write(f"\x1b[{lines}A")

    def erase_down(self) -> None:
        self.write("\x1b[J")
