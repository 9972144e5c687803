"""`genact-cast play`: replay any asciicast in this terminal, at any speed, safely."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator

from genact_cast import limits
from genact_cast.asciicast import MARKER, MICROS, Event
from genact_cast.asciicast.reader import CastReader
from genact_cast.errors import BadOption
from genact_cast.escape import terminal_text
from genact_cast.numbers import plain_float
from genact_cast.numbers import shown as shown_number
from genact_cast.player.playback import Playback, Quit
from genact_cast.player.terminal import open_terminal
from genact_cast.player.timeline import limit_idle, limit_idle_batches
from genact_cast.sources import open_cast, replayable

# A pass of --loop lasts at least this long (wall time): a cast of no duration
# would otherwise be rewritten as fast as the CPU allows, forever.
MIN_LOOP_SECONDS = 1.0
LABEL_PREFIX = "label:"  # --start-at label:5 is the marker labelled 5, not 5 seconds


def play_cast(
    source: str,
    *,
    speed: float,
    idle_time_limit: float | None,
    loop: bool,
    pause_on_markers: bool,
    start_at: str | None,
    unsafe: bool,
) -> None:
    if not (math.isfinite(speed) and limits.MIN_SPEED <= speed <= limits.MAX_SPEED):
        raise BadOption(
            f"--speed must be a number from {limits.MIN_SPEED:g} to {limits.MAX_SPEED:g}"
            f" (got {shown_number(speed)})"
        )
    if idle_time_limit is not None and not (
        math.isfinite(idle_time_limit) and 0 < idle_time_limit <= limits.MAX_CAST_SECONDS
    ):
        raise BadOption(
            f"--idle-time-limit must be a number above 0, at most {limits.MAX_CAST_SECONDS:g}"
            f" (got {shown_number(idle_time_limit)})"
        )
    if start_at is not None:
        _seconds(start_at)  # a bad number fails before anything is read
    label = start_at is not None and _seconds(start_at) is None
    with replayable(source, again=loop or label) as path, contextlib.ExitStack() as opened:
        shown = None if path == source else "<stdin>" if source == "-" else source

        def reopen() -> CastReader:
            opened.close()
            return opened.enter_context(open_cast(path, shown=shown))

        # Open (and read the header) before touching the terminal: a bad source fails
        # with the terminal as it was.
        reader = reopen()
        if label:
            assert start_at is not None
            _find_marker(reader.events(), _label(start_at))  # fails before anything is written
            reader = reopen()  # the same copy: what was checked is what is played
        with open_terminal() as terminal:
            playback = Playback(
                terminal, speed=speed, pause_on_markers=pause_on_markers, unsafe=unsafe
            )
            try:
                while True:
                    limit = idle_time_limit or reader.header.idle_time_limit
                    started = time.monotonic()
                    playback.restart(0)
                    if start_at is None:
                        playback.play_batches(limit_idle_batches(reader.batches(), limit))
                    else:
                        _play_from(playback, limit_idle(reader.events(), limit), start_at)
                    if not loop:
                        break
                    short = MIN_LOOP_SECONDS - (time.monotonic() - started)
                    if short > 0:
                        playback.hold(short)
                    playback.filter.drop_held()
                    reader = reopen()
            except Quit:
                pass
            finally:
                playback.restore()


def _play_from(playback: Playback, events: Iterator[Event], start_at: str) -> None:
    """Play `events`, writing at once whatever comes before `start_at`."""
    seconds = _seconds(start_at)
    for event in events:
        if seconds is not None and event.time_us >= round(seconds * MICROS):
            playback.restart(round(seconds * MICROS))
            playback.show(event)
            break
        playback.show(event, instant=True)
        if seconds is None and event.code == MARKER and event.data == _label(start_at):
            playback.restart(event.time_us)
            break
    else:
        return
    playback.play(events)


def _find_marker(events: Iterator[Event], label: str) -> None:
    for event in events:
        if event.code == MARKER and event.data == label:
            return
    raise BadOption(f"--start-at: the cast has no marker labelled {terminal_text(repr(label))}")


def _label(text: str) -> str:
    return text.removeprefix(LABEL_PREFIX)


def _seconds(text: str) -> float | None:
    """Seconds, or None for a marker's label (anything not a number, or after `label:`)."""
    if text.startswith(LABEL_PREFIX):
        return None
    value = plain_float(text)  # a plain ASCII number (numbers.py)
    if value is None:
        return None  # a marker label
    if not (math.isfinite(value) and 0 <= value <= limits.MAX_CAST_SECONDS):
        raise BadOption(
            f"--start-at must be 0 to {limits.MAX_CAST_SECONDS:g} seconds, or a marker label"
            f" (got {terminal_text(repr(text))})"
        )
    return value
