"""Playing events in real time: waiting without busy loops, keys, markers, filtering."""

from __future__ import annotations

import time
from collections.abc import Iterable
from itertools import islice

from genact_cast.asciicast import MARKER, MICROS, OUTPUT, Event
from genact_cast.player.sanitize import SafeFilter
from genact_cast.player.terminal import MAX_WAIT, Terminal, hold_signals
from genact_cast.player.timeline import PlaybackClock

CTRL_C = 0x03
CTRL_Z = 0x1A
MIN_SPEED, MAX_SPEED = 1 / 64, 1024.0
BATCH = 1024  # events taken from the source at a time


class Quit(Exception):
    """The viewer asked to stop at once (q, or a second Ctrl-C)."""


SPIN = 0.0003  # seconds before an event's time when sleeping gives way to watching the clock


class Playback:
    """Shows events on `terminal` as their time comes, answering keys meanwhile.

    `show(event)` returns once the event is written, so the same object serves a
    cast read from a file and a simulation running live.
    """

    def __init__(
        self,
        terminal: Terminal,
        *,
        speed: float = 1.0,
        pause_on_markers: bool = False,
        unsafe: bool = False,
        graceful_quit: bool = False,
    ) -> None:
        self.terminal = terminal
        self.filter = SafeFilter(unsafe=unsafe)
        self.clock = PlaybackClock(speed, time.monotonic())
        self.pause_on_markers = pause_on_markers
        self.graceful_quit = graceful_quit  # `run`: the first q/Ctrl-C asks for a summary
        self.stop_requested = False
        self.deadline: float | None = None  # monotonic time at which a live run ends
        self._step = 0  # `.` presses not yet stepped (several can come in one read)
        self._seeking = False  # jumping to the next marker: write without waiting
        self._stopped_at = 0  # cast time when Ctrl-Z stopped the process
        terminal.restore_text = self.filter.restore_sequence
        terminal.resume_text = self.filter.resume_sequence
        terminal.on_stop = self._on_stop
        terminal.on_continue = self._on_continue
        # With mouse mode 1005 on, a report's coordinates come as UTF-8 characters.
        terminal.keys.utf8_mouse = lambda: bool(self.filter.private_modes.get(1005))

    def _on_stop(self) -> None:
        self._stopped_at = self.clock.position(time.monotonic())

    def _on_continue(self) -> None:
        self.clock.jump(self._stopped_at, time.monotonic())  # the stop is not played late

    def restart(self, position_us: int = 0) -> None:
        """Continue from cast time `position_us` now (a new loop, run, or after a seek)."""
        self.clock.jump(position_us, time.monotonic())

    def play(self, events: Iterable[Event]) -> None:
        """Show `events` in time. The output events already due when one is written
        (a huge speed, or catching up) go with it: one filter pass, one write."""
        source = iter(events)
        while True:
            batch: list[Event] = []
            try:
                batch.extend(islice(source, BATCH))
            except BaseException:
                self._play_batch(batch)  # what came before a bad line is shown first
                raise
            if not batch:
                return
            self._play_batch(batch)

    def play_batches(self, batches: Iterable[list[Event]]) -> None:
        """`play`, for events that come in lists already (a reader's blocks)."""
        for batch in batches:
            self._play_batch(batch)

    def _play_batch(self, batch: list[Event]) -> None:
        i, end = 0, len(batch)
        while i < end:
            event = batch[i]
            i += 1
            if event.code != OUTPUT or self._interrupted() or self.deadline is not None:
                self.show(event)
                continue
            self._wait_for(event)
            if self._interrupted():
                self.show(event, instant=True)
                continue
            reached = self.clock.position(time.monotonic())
            first = i - 1
            if batch[-1].time_us <= reached and not self.pause_on_markers:
                # All of the rest is due, and markers have nothing to do: one pass.
                i = end
                text = "".join([e.data for e in batch[first:] if e.code == OUTPUT])
            else:
                while i < end and batch[i].time_us <= reached and batch[i].code == OUTPUT:
                    i += 1
                text = "".join([e.data for e in batch[first:i]])
            if self.terminal.charset.utf8:  # the fast path: UTF-8 checked as a whole
                data = self.filter.feed_encoded(text)
            else:
                data = self.terminal.charset.encode(self.filter.feed(text))
            if data:
                self.terminal.write_bytes(data)
                # Written now, even when running late: output held back until playback
                # catches up would be later still. Due events are already one write.
                self.terminal.flush()

    def hold(self, seconds: float) -> None:
        """Wait `seconds` of wall time (at the current speed), keys still read: each pass
        of `--loop` lasts at least this long, so a cast of no duration does not spin."""
        position = self.clock.position(time.monotonic())
        self._wait_for(Event(position + round(seconds * self.clock.speed * MICROS), OUTPUT, ""))

    def _interrupted(self) -> bool:
        """Paused, stepping, seeking or stopping: events go one by one through `show`."""
        return self.clock.paused or self._step > 0 or self._seeking or self.stop_requested

    def show(self, event: Event, *, instant: bool = False) -> None:
        """Write `event` when its time comes (`instant`: now, as when seeking)."""
        if not (instant or self._seeking or self.stop_requested):
            self._wait_for(event)
        if event.code == OUTPUT:
            data = self.filter.feed(event.data)
            if data:
                self.terminal.write(data)
        elif event.code == MARKER:
            if self._seeking:
                self._seeking = False
                self.clock.jump(event.time_us, time.monotonic())
            # Without keys nobody could resume a pause: none is made.
            pause = self.pause_on_markers and self.terminal.interactive
            if pause and not (instant or self.stop_requested):
                self.clock.pause(time.monotonic())
        if self._step:
            self._step -= 1
            self.clock.jump(event.time_us, time.monotonic())

    def _wait_for(self, event: Event) -> None:
        polled = False  # keys were read since the last write: no need to ask again
        while True:
            if self.clock.paused:
                if not self.terminal.interactive:
                    # No keys (not a terminal, or it hung up): nobody can resume a pause,
                    # and a wait for a key would return at once, again and again.
                    self.clock.resume(time.monotonic())
                    continue
                if not self._step:  # steps asked for in one read are taken first
                    self._handle(self.terminal.read_key(None))
                if self._step or self._seeking or self.stop_requested:
                    return
                continue
            now = time.monotonic()
            if self.deadline is not None and now >= self.deadline:
                self.stop_requested = True
                return
            remaining = self.clock.due(event.time_us) - now
            if self.deadline is not None:
                remaining = min(remaining, self.deadline - now)
            if remaining <= 0:
                if self.terminal.interactive and not polled:
                    self._handle(self.terminal.read_key(0))  # keys even when running late
                return
            if remaining <= SPIN:
                # A sleep this short wakes late: the last fraction of a millisecond is
                # waited out on the clock, with the output already flushed.
                self.terminal.flush()
                continue
            if self.terminal.interactive:
                self._handle(self.terminal.read_key(remaining - SPIN))
                polled = True
            else:
                self.terminal.flush()
                time.sleep(min(remaining - SPIN, MAX_WAIT))
            if self._seeking or self.stop_requested:
                return

    def _handle(self, keys: bytes | None) -> None:
        if not keys:
            return
        now = time.monotonic()
        for key in keys:
            if key in (ord("q"), CTRL_C):
                if not self.graceful_quit:
                    raise Quit
                self.request_stop()  # a second press quits at once
                self.clock.resume(now)  # a paused run must reach its break
                continue
            if key == CTRL_Z:  # raw mode: the terminal sends no SIGTSTP itself
                self.terminal.suspend()
            elif key == ord(" "):
                (self.clock.resume if self.clock.paused else self.clock.pause)(now)
            elif key == ord(".") and self.clock.paused:
                self._step += 1
            elif key == ord("]"):
                self._seeking = True
            elif key in (ord("+"), ord("=")):
                self.clock.set_speed(min(MAX_SPEED, self.clock.speed * 2), now)
            elif key in (ord("-"), ord("_")):
                self.clock.set_speed(max(MIN_SPEED, self.clock.speed / 2), now)

    def request_stop(self) -> None:
        """Ask a live run to end at its next natural break; a second ask quits at once."""
        if self.stop_requested:
            raise Quit
        self.stop_requested = True

    def restore(self) -> None:
        """Switch off every mode the cast switched on, reset attributes, show the cursor.

        Written to a pipe or a file too: `play x.cast | tee log` reaches a terminal as well.
        """
        with hold_signals():
            self.terminal.write(self.filter.restore_sequence())
            self.terminal.flush()
