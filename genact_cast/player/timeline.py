"""The schedule of playback, pure: idle-time limiting, and a clock that maps cast time
to wall time under speed changes and pauses. No real clock is read here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from genact_cast.asciicast import MICROS, Event


def limit_idle(events: Iterable[Event], limit: float | None) -> Iterator[Event]:
    """The same events, with every pause longer than `limit` seconds cut to `limit`."""
    for batch in limit_idle_batches(([event] for event in events), limit):
        yield from batch


def limit_idle_batches(
    batches: Iterable[list[Event]], limit: float | None
) -> Iterator[list[Event]]:
    """`limit_idle` over lists of events; with no limit the lists pass as they are."""
    if limit is None:
        yield from batches
        return
    cap = round(limit * MICROS)
    shift = 0
    previous = 0
    for batch in batches:
        out: list[Event] = []
        for event in batch:
            gap = event.time_us - previous
            if gap > cap:
                shift += gap - cap
            previous = event.time_us
            out.append(Event(event.time_us - shift, event.code, event.data) if shift else event)
        yield out


class PlaybackClock:
    """Where in the cast playback is at a wall-clock instant, and when an event is due.

    Times are absolute: every due time is computed from one anchor, never by adding
    sleeps, so no error accumulates however long the cast.
    """

    def __init__(self, speed: float, now: float, position_us: int = 0) -> None:
        self.speed = speed
        self._anchor_wall = now
        self._anchor_cast = position_us
        self._paused_at: int | None = None

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def position(self, now: float) -> int:
        """Cast time (microseconds) that playback has reached at `now`."""
        if self._paused_at is not None:
            return self._paused_at
        return self._anchor_cast + round((now - self._anchor_wall) * self.speed * MICROS)

    def due(self, time_us: int) -> float:
        """Wall time at which cast time `time_us` is reached (infinite while paused)."""
        if self._paused_at is not None:
            return float("inf")
        return self._anchor_wall + (time_us - self._anchor_cast) / MICROS / self.speed

    def set_speed(self, speed: float, now: float) -> None:
        self._reanchor(self.position(now), now)
        self.speed = speed

    def pause(self, now: float) -> None:
        if self._paused_at is None:
            self._paused_at = self.position(now)

    def resume(self, now: float) -> None:
        if self._paused_at is not None:
            position, self._paused_at = self._paused_at, None
            self._reanchor(position, now)

    def jump(self, time_us: int, now: float) -> None:
        """Continue from cast time `time_us` at `now` (after a seek or a step)."""
        if self._paused_at is not None:
            self._paused_at = time_us
        else:
            self._reanchor(time_us, now)

    def _reanchor(self, position: int, now: float) -> None:
        self._anchor_cast, self._anchor_wall = position, now
