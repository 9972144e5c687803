"""Timed screens of a cast, for the raster exporters (video, PNG, text, subtitles).

pyte is the terminal, as for the SVG. A screen is yielded only when it differs from the
last one, at most `fps` a second, with the rows that changed named, so a renderer redraws
only those. Time runs on the clip's clock: pauses capped at the idle limit, the part
before `start_at` fed to the terminal but not shown, and everything divided by `speed`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyte

from genact_cast.asciicast import MARKER, MICROS, OUTPUT, RESIZE, Event, Header
from genact_cast.errors import BadOption, GenactCastError
from genact_cast.player.timeline import limit_idle
from genact_cast.publish.frames import check_size

Style = tuple[str, str, bool, bool, bool]  # fg, bg, bold, italic, underline
Cell = tuple[str, Style]  # "" is the right half of a wide character
Row = tuple[Cell, ...]  # trailing blanks left out
BLANK: Style = ("default", "default", False, False, False)


@dataclass(frozen=True)
class Screen:
    time: float  # seconds on the clip's clock
    rows: tuple[Row, ...]
    cols: int
    changed: frozenset[int]  # rows that differ from the screen yielded before


@dataclass(frozen=True)
class Clip:
    """Which part of a cast is shown, and how fast."""

    speed: float = 1.0
    fps: float = 30.0
    idle_time_limit: float | None = None
    start_at: str | None = None  # seconds, or a marker's label
    end_at: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed) and self.speed > 0):
            raise BadOption(f"--speed must be above 0 (got {self.speed})")
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise BadOption(f"--fps must be above 0 (got {self.fps})")
        limit = self.idle_time_limit
        if limit is not None and not (math.isfinite(limit) and limit > 0):
            raise BadOption(f"--idle-time-limit must be above 0 (got {limit})")
        start = seconds_or_label(self.start_at, "--start-at")
        end = seconds_or_label(self.end_at, "--end-at")
        if isinstance(start, float) and isinstance(end, float) and end <= start:
            raise BadOption(f"--end-at ({end:g}) must come after --start-at ({start:g})")


def seconds_or_label(text: str | None, option: str) -> float | str | None:
    """A time in seconds, or the label of a marker (anything that is not a number)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value) or value < 0:
        raise BadOption(f"{option} must be zero or more seconds, or a marker label (got {text!r})")
    return value


@dataclass
class Timeline:
    """The screens of one clip; `markers` and `end` are complete once iteration ends."""

    header: Header
    events: Iterable[Event]
    clip: Clip = field(default_factory=Clip)
    # Called with each row that scrolls off the top, and the clip time (None before it).
    on_scroll: Callable[[Row, float | None], None] | None = None
    markers: list[tuple[float, str]] = field(default_factory=list)
    end: float = 0.0

    def __iter__(self) -> Iterator[Screen]:
        cols, lines = self.header.cols, self.header.rows
        check_size(cols, lines)  # the SVG's limits: a bigger terminal is refused, not allocated
        term = _Terminal(cols, lines)
        stream = pyte.Stream(term)
        clip = self.clip
        limit = clip.idle_time_limit
        limit = limit if limit is not None else self.header.idle_time_limit
        start = seconds_or_label(clip.start_at, "--start-at")
        end = seconds_or_label(clip.end_at, "--end-at")
        start_us = round(start * MICROS) if isinstance(start, float) else None
        end_us = round(end * MICROS) if isinstance(end, float) else None
        gap = 1.0 / clip.fps
        shown: list[Row] | None = None  # nothing yielded yet: the first screen always is
        current: list[Row] = [() for _ in range(lines)]
        origin: int | None = 0 if start is None else None
        pending: float | None = 0.0 if origin is not None else None
        last_us = 0

        def clock(time_us: int) -> float:
            assert origin is not None
            return (time_us - origin) / MICROS / clip.speed

        def snapshot(time: float) -> Screen | None:
            nonlocal shown
            for y in term.dirty:
                if y < len(current):
                    current[y] = row_of(term.buffer[y], term.columns)
            term.dirty.clear()
            if shown is None or len(shown) != len(current):
                changed = frozenset(range(len(current)))
            else:
                changed = frozenset(y for y, row in enumerate(current) if row != shown[y])
                if not changed:
                    return None
            shown = list(current)
            return Screen(time, tuple(current), term.columns, changed)

        def scrolled(row: Row) -> None:
            if self.on_scroll is not None:
                self.on_scroll(row, clock(now) if origin is not None else None)

        term.scrolled = scrolled
        now = 0
        for event in limit_idle(self.events, limit):
            now = event.time_us
            if origin is None and start_us is not None and event.time_us >= start_us:
                origin, pending = start_us, 0.0
            if origin is not None:
                if end_us is not None and event.time_us > end_us:
                    last_us = end_us
                    break
                time = clock(event.time_us)
                if pending is not None and time - pending >= gap:
                    screen = snapshot(pending)
                    if screen is not None:
                        yield screen
                    pending = None
                last_us = event.time_us
            if event.code == OUTPUT:
                stream.feed(event.data)
                if origin is not None and pending is None:
                    pending = max(clock(event.time_us), 0.0)
            elif event.code == RESIZE:
                cols_text, _, lines_text = event.data.partition("x")
                if (
                    (cols_text + lines_text).isascii()
                    and cols_text.isdigit()
                    and lines_text.isdigit()
                ):
                    new_cols, new_lines = int(cols_text), int(lines_text)
                    check_size(new_cols, new_lines, where=f"resize at {event.time:.3f} s to")
                    if new_cols and new_lines:
                        term.resize(new_lines, new_cols)
                        current = [() for _ in range(term.lines)]
                        term.dirty.update(range(term.lines))
                        if origin is not None and pending is None:
                            pending = clock(event.time_us)
            elif event.code == MARKER:
                if origin is None and event.data == start:
                    origin, pending = event.time_us, 0.0
                elif origin is not None and event.data == end and event.time_us > origin:
                    break
                if origin is not None:
                    self.markers.append((clock(event.time_us), event.data))
        else:
            if isinstance(end, str):
                raise GenactCastError(f"--end-at: the cast has no marker labelled {end!r}")
        if origin is None:
            if isinstance(start, str):
                raise GenactCastError(f"--start-at: the cast has no marker labelled {start!r}")
            raise GenactCastError(f"--start-at {start:g} is past the end of the cast")
        final = snapshot(pending if pending is not None else 0.0)
        if final is not None:
            yield final
        self.end = clock(max(last_us, origin))


class _Terminal(pyte.Screen):
    """pyte's screen, telling which row leaves the top when it scrolls."""

    scrolled: Callable[[Row], None] | None = None

    def index(self) -> None:
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y == bottom and self.scrolled is not None:
            self.scrolled(row_of(self.buffer[top], self.columns))
        super().index()


def row_of(line: Any, columns: int) -> Row:
    """One row of pyte's buffer as cells, reverse video resolved, trailing blanks dropped."""
    cells: list[Cell] = []
    for x in sorted(line):  # only the cells written; the rest are blanks
        if x >= columns:
            break
        while len(cells) < x:
            cells.append((" ", BLANK))
        char = line[x]
        fg, bg = char.fg, char.bg
        if char.reverse:
            fg, bg = (
                (bg if bg != "default" else "bgdefault"),
                (fg if fg != "default" else "fgdefault"),
            )
        cells.append((char.data, (fg, bg, char.bold, char.italics, char.underscore)))
    while cells and cells[-1][1][1] == "default" and not cells[-1][1][4] and cells[-1][0] == " ":
        cells.pop()
    return tuple(cells)


def row_text(row: Row) -> str:
    """The characters of a row, as plain text (wide characters once)."""
    return "".join(char for char, _ in row).rstrip()


def last_screen(timeline: Timeline) -> Screen:
    """The timeline's final screen (there is always one: the first is always yielded)."""
    last: Screen | None = None
    for last in timeline:  # noqa: B007 - only the last is kept, so memory stays flat
        pass
    assert last is not None
    return last
