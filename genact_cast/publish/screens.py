"""Timed screens of a cast: what every export (SVG, PNG, video, text, subtitles) draws.

The terminal is publish/terminal.py, the one model of asciinema-player's terminal. A
screen is yielded only when it differs from the last one, at most `fps` a second, with
the rows that changed named, so a renderer redraws only those; its size is the
terminal's at that moment (a cast that resizes gives screens of each size). Time runs
on the clip's clock: pauses capped at the idle limit, the part before `start_at` fed to
the terminal but not shown, and everything divided by `speed`.

Work is bounded: the terminal's size, the number of screens and the cells the terminal
touches (fills such as DECALN, and the rows read for each screen) have limits, and
hitting one is a one-line error that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from genact_cast.asciicast import MARKER, MICROS, OUTPUT, RESIZE, Event, Header
from genact_cast.errors import BadOption
from genact_cast.player.timeline import limit_idle
from genact_cast.publish.clip import Clip, seconds_or_label
from genact_cast.publish.sizes import largest_size, parse_size
from genact_cast.publish.terminal import (
    BLANK,
    MAX_CELLS,
    Cell,
    LimitError,
    Row,
    Style,
    Terminal,
    check_size,
)
from genact_cast.publish.vtparse import Parser

__all__ = [
    "BLANK",
    "Cell",
    "Clip",
    "LimitError",
    "Row",
    "Screen",
    "Style",
    "Timeline",
    "largest_size",
    "parse_size",
]

MAX_FRAMES = 100_000  # 55 minutes of a screen changing 30 times a second
MAX_OUTPUT_CHARS = 256 * 1024 * 1024
# Events read from the cast: each costs a parse and a check however little it writes, so an
# endless stream of one-character events (`yes '[0.1,"o","a"]' | genact-cast embed -`) ends
# here within a minute or two instead of growing towards the character limit for hours.
MAX_EVENTS = 1_000_000
# Cells the terminal may touch (text drawn, fills, repeats, scrolled rows, rows read for
# each screen): a base, plus a share for each character of output, checked at every
# operation. A real program's output costs 1-4 cells per character (the golden casts at
# most 3.1); a fill, repeat (REP) or scroll repeated for a few bytes costs thousands, so
# the time any cast takes stays within a small multiple of drawing plain text that long.
WORK_BASE = 20 * MAX_CELLS
WORK_PER_CHAR = 32
RESIZE_CHARS = 32  # a resize event counts as this much output (its line in the cast)


@dataclass(frozen=True)
class Screen:
    """One moment of the terminal as the player draws it (cursor included, as a cell)."""

    time: float  # seconds on the clip's clock
    rows: tuple[Row, ...]  # as many as the terminal has at that moment
    cols: int
    changed: frozenset[int]  # rows that differ from the screen yielded before
    cursor: tuple[int, int] | None = None  # (column, row) of the cursor cell, if shown
    alternate: bool = False  # a full-screen program's screen (vim, less, htop)
    wrapped: frozenset[int] = frozenset()  # rows the terminal wrapped onto the next one
    # A program asked for the arrow keys' application codes (DECCKM, `?1h`): less, top,
    # man and curses programs do, on either screen; a shell waiting for a command does not
    # (bash; zsh frameworks that do are told apart by the prompt, see vtt.py). Or for the
    # mouse's reports (`mouse`: `?1000h`, 1002, 1003: fzf's inline finder; no shell does).
    keys: bool = False
    mouse: bool = False
    # Before the clip's start (`Timeline.on_start`): a screen that leads to it, for a
    # reader that follows what the terminal went through (the subtitles); its time is 0.
    lead: bool = False
    # A line editor asked for pasted text bracketed (`?2004h`): a shell waits for a command
    # (bash, zsh and fish set it at their prompt, not while a command runs).
    paste: bool = False
    # Rows the cursor was put on by an absolute row since the screen before (`Terminal.
    # addressed`): a program drawing a screen without the alternate one (htop, vim under
    # TERM=vt220 / vt100).
    addressed: int = 0
    # Times bracketed paste was asked for so far (`Terminal.paste_takes`): one more than
    # on the screen before is a line editor that took the keys since, whatever was set.
    takes: int = 0
    # Where the cursor is when it is hidden (None when shown, or past the edge): a shell
    # back after a killed htop writes there, the cursor still hidden (vtt_killed.py).
    hidden_at: tuple[int, int] | None = None
    # Seconds on the cast's own clock (a lead screen's too, whose `time` is 0): how far
    # apart two moments of the recording are, before the clip's start as after it.
    clock: float = 0.0
    # Times a program asked for the alternate screen so far (`Terminal.alternate_entries`),
    # on it already or not: one more than before on it is a program started there.
    entries: int = 0
    # Cells written with a character since the screen before (`Terminal.wrote`): row,
    # first column, end; a character written over the same one is written all the same.
    wrote: tuple[tuple[int, int, int], ...] = ()


@dataclass
class Timeline:
    """The screens of one clip; `markers` and `end` are complete once iteration ends."""

    header: Header
    events: Iterable[Event]
    clip: Clip = field(default_factory=Clip)
    # Called with each row that scrolls off the top, the clip time (None before it), and
    # whether the terminal wrapped it (its line goes on in the row now at the top).
    # With the bottom row of the region scrolled (the last row but for a region from the
    # first row that ends above it: apt's progress line stays below it).
    on_scroll: Callable[[Row, float | None, bool, int], None] | None = None
    # The same for the alternate screen's top row (the player keeps no scrollback there):
    # a shell back on it after its program was killed scrolls its lines as on the primary.
    on_alternate_scroll: Callable[[Row, float | None, bool, int], None] | None = None
    # Called once, before the rows move, with the rows that leave rows moving together
    # without going to the scrollback, each with whether the terminal wrapped it, the clip
    # time, the first and last of those rows, and how (`Terminal.on_region_scroll`:
    # `scroll` out of a region below the first row, `delete` by DL, `insert` pushed off
    # the bottom by IL, RI or SD, the bottom one first).
    on_region_scroll: (
        Callable[[list[tuple[Row, bool]], float | None, int, int, str], None] | None
    ) = None
    # Called with each row a clear (ED 2) sends to the scrollback, and whether the
    # terminal wrapped it, before its erasure is told: a growth in rows brings it back.
    on_saved: Callable[[Row, bool], None] | None = None
    # Called with the primary screen as it stands when a full-screen program switches to
    # the alternate one, even when that screen is never yielded (the command's echo and
    # the switch arrived in one event): what the shell showed just before the program.
    on_alternate: Callable[[Screen], None] | None = None
    # The same, with the alternate screen as it stands, when a program asks for it while
    # it shows already (no switch: left on by a program killed there, vtt_killed.py).
    on_alternate_again: Callable[[Screen], None] | None = None
    # Called with a row of the primary screen that an erasure left blank where it showed
    # text (a clear, `\e[K` on a whole line, a reset), what it showed just before, the
    # clip time the erasure shows on, whether it erased the cursor's line (EL, ECH), and
    # whether the terminal had wrapped the row onto the next as it was erased.
    on_erase: Callable[[int, Row, float, bool, bool], None] | None = None
    alternate_erasures: bool = False  # (set while iterating: on the alternate screen too)
    # Called with the screen as a line editor lets go of the keys (bracketed paste reset:
    # bash, zsh and fish run the command typed), and as the event that did so left it:
    # the command line on one of them, though the program's first screen may follow
    # before the next screen is yielded (tmux draws `htop`'s echo and htop's cleared
    # pane in one write; GNU screen draws the echo after passing the reset on).
    on_run: Callable[[Screen, bool], None] | None = None  # (True: as it lets go)
    # Called with each window title a program sets (OSC 0/2), as it is parsed.
    on_title: Callable[[str], None] | None = None
    # Called when the terminal is resized (the rows an erasure names after it are the
    # new size's).
    on_resize: Callable[[], None] | None = None
    # Called before a resize with the screen as it stands then (output since the last
    # screen yielded on it): what the rows showed before the player rewraps them.
    on_resizing: Callable[[Screen], None] | None = None
    # Called when a clip with --start-at starts (before the event at the start is read).
    # With it, the screens before the start are yielded too, marked `lead`, at time 0,
    # and `on_alternate` and `on_erase` are called there (at time 0), so a reader can
    # tell what the screen at the start is (a pager's page, a full-screen program).
    on_start: Callable[[], None] | None = None
    # While iterating, the terminal's rows as they stand now and those it wrapped: for a
    # reader called in the middle of an event (what a region scroll finds on the screen).
    rows_now: Callable[[], tuple[tuple[Row, ...], frozenset[int]]] | None = field(
        default=None, init=False, repr=False
    )
    markers: list[tuple[float, str]] = field(default_factory=list)
    end: float = 0.0
    # The size a fixed-size picture (a video) is drawn at: the largest the cast takes, when
    # the caller read it first (`largest_size`); else the header's.
    largest: tuple[int, int] | None = None
    # The screens (after the fps cap and the cut) an export may draw; None for a reader
    # that keeps only the last one (`last_screen`), whose time the event and work limits
    # bound.
    max_frames: int | None = MAX_FRAMES
    # Characters of output read so far (a resize counting as RESIZE_CHARS): what the
    # pictures' work budget grows with (publish/raster_work.py).
    chars: int = 0

    @property
    def picture(self) -> tuple[int, int]:
        return self.largest or (self.header.cols, self.header.rows)

    def __iter__(self) -> Iterator[Screen]:
        cols, lines = self.header.cols, self.header.rows
        check_size(cols, lines)  # a bigger terminal is refused, not allocated
        term = Terminal(cols, lines)
        term.work_per_char = WORK_PER_CHAR
        term.work_error = (
            "the cast makes the terminal do more work than its output allows (cells filled, "
            f"erased, repeated, scrolled, switched or read: {WORK_BASE // 10**6} M plus "
            f"{WORK_PER_CHAR} per character; a fill, erasure, repeat or scroll repeated); cut "
            "the cast"
        )
        parser = Parser(term)
        parser.on_title = self.on_title
        clip = self.clip
        limit = clip.idle_time_limit
        limit = limit if limit is not None else self.header.idle_time_limit
        start = seconds_or_label(clip.start_at, "--start-at")
        end = seconds_or_label(clip.end_at, "--end-at")
        start_us = round(start * MICROS) if isinstance(start, float) else None
        end_us = round(end * MICROS) if isinstance(end, float) else None
        gap = 1.0 / clip.fps
        gap_us = gap * MICROS * clip.speed  # (before the start: the cast's own clock)
        shown: list[Row] | None = None  # nothing yielded yet: the first screen always is
        shown_cols = 0  # its width: a resize of the columns alone is a new screen too
        lead = self.on_start is not None and start is not None
        leading: int | None = None  # a change before the start not yet yielded (its time)
        started = False  # the first screen of the clip is yielded, changed or not
        origin: int | None = 0 if start is None else None
        pending: float | None = 0.0 if origin is not None else None
        last_us = 0
        count = 0
        fed = 0

        def clock(time_us: int) -> float:
            assert origin is not None
            return (time_us - origin) / MICROS / clip.speed

        def snapshot(time: float, before: bool = False) -> Screen | None:
            nonlocal shown, shown_cols, count, started
            current = term.snapshot()
            if shown is None or len(shown) != len(current) or shown_cols != term.columns:
                changed = frozenset(range(len(current)))
            else:
                changed = frozenset(y for y, row in enumerate(current) if row != shown[y])
                if not changed and (before or started or not lead):
                    term.wrote.clear()  # (the same characters again: nothing to tell)
                    return None
            started = started or not before
            count += 1
            if self.max_frames is not None and count > self.max_frames:
                raise LimitError(f"more than {self.max_frames:,} screens to draw; cut the cast")
            shown, shown_cols = current, term.columns
            addressed = len(term.addressed)
            term.addressed.clear()
            wrote = tuple(term.wrote)
            term.wrote.clear()
            return Screen(
                time,
                tuple(current),
                term.columns,
                changed,
                term.cursor_cell(),
                term.alternate,
                term.wrapped_rows(),
                term.application_keys or term.keypad or bool(term.mouse),
                bool(term.mouse),
                before,
                term.bracketed_paste,
                addressed,
                term.paste_takes,
                term.hidden_cursor(),
                cast_clock(time, before),
                term.alternate_entries,
                wrote,
            )

        def cast_clock(time: float, before: bool) -> float:
            """The cast's own clock (`Screen.clock`) at clip time `time`: for a lead
            screen (`before`, at time 0), when the terminal first changed unshown."""
            if before or origin is None:
                return (leading if leading is not None else now) / MICROS
            return time * clip.speed + origin / MICROS

        def begin() -> Iterator[Screen]:
            """The clip starts: the screen before it, if it changed, then `on_start`."""
            nonlocal leading
            if lead and leading is not None:
                screen = snapshot(0.0, before=True)
                if screen is not None:
                    yield screen
            leading = None
            if self.on_start is not None and lead:
                self.on_start()

        def now_or_lead() -> float | None:
            """The clip time of what the terminal does now; 0 before a start led to."""
            if origin is None:
                return 0.0 if lead else None
            return pending if pending is not None else clock(now)

        def scrolled(line: Any, bottom: int) -> None:
            if self.on_scroll is not None:
                row = term.row_of(line)
                wrapped = line is not None and line.goes_on  # (None: a row never written)
                # Before --start-at the clip has no clock yet: the row scrolled off unshown.
                when = None if origin is None else pending if pending is not None else clock(now)
                self.on_scroll(row, when, wrapped, bottom)

        def alternate_scrolled(line: Any, bottom: int) -> None:
            if self.on_alternate_scroll is not None:
                wrapped = line is not None and line.goes_on
                when = None if origin is None else pending if pending is not None else clock(now)
                self.on_alternate_scroll(term.row_of(line), when, wrapped, bottom)

        def region_scrolled(leaving: list[Any], top: int, bottom: int, how: str) -> None:
            if self.on_region_scroll is not None:
                rows = [(term.row_of(line), line is not None and line.goes_on) for line in leaving]
                when = None if origin is None else pending if pending is not None else clock(now)
                self.on_region_scroll(rows, when, top, bottom, how)

        def saved(line: Any) -> None:
            if self.on_saved is not None:
                self.on_saved(term.row_of(line), line.goes_on)

        def standing(time: float, modes: bool) -> Screen:
            """The screen as it stands in the middle of an event (never yielded); with
            the terminal's `modes` (alternate screen, keys, bracketed paste) or without."""
            rows = tuple(term.snapshot())
            return Screen(
                time, rows, term.columns, frozenset(range(len(rows))), term.cursor_cell(),
                modes and term.alternate, term.wrapped_rows(),
                modes and (term.application_keys or bool(term.mouse)),
                modes and bool(term.mouse), paste=modes and term.bracketed_paste,
                clock=cast_clock(time, False),
            )  # fmt: skip

        def alternate() -> None:
            time = now_or_lead()
            if self.on_alternate is not None and time is not None:
                self.on_alternate(standing(time, False))

        def alternate_again() -> None:
            time = now_or_lead()
            if self.on_alternate_again is not None and time is not None:
                self.on_alternate_again(standing(time, True))

        def erased(y: int, row: Row, line_erased: bool, wrapped: bool) -> None:
            time = now_or_lead()
            if self.on_erase is not None and time is not None:
                self.on_erase(y, row, time, line_erased, wrapped)

        term.on_scroll = scrolled
        term.on_alternate_scroll = alternate_scrolled if self.on_alternate_scroll else None
        term.on_region_scroll = region_scrolled if self.on_region_scroll is not None else None
        term.on_saved = saved if self.on_saved is not None else None
        self.rows_now = lambda: (tuple(term.snapshot()), term.wrapped_rows())
        term.on_alternate = alternate
        term.on_alternate_again = alternate_again if self.on_alternate_again else None

        def released() -> None:
            time = now_or_lead()
            if self.on_run is not None and time is not None:
                self.on_run(standing(time, True), True)

        term.on_release = released if self.on_run is not None else None
        term.on_erase = erased if self.on_erase is not None else None
        term.erases_alternate = lambda: self.alternate_erasures
        now = 0
        # (`read`, not `count`: the closure above counts the screens yielded in `count`,
        # which a loop variable of that name once overwrote with the number of events.)
        for read, event in enumerate(limit_idle(self.events, limit), 1):
            if read > MAX_EVENTS:
                raise LimitError(f"more than {MAX_EVENTS:,} events to draw; cut the cast")
            now = event.time_us
            if origin is None and start_us is not None and event.time_us >= start_us:
                yield from begin()
                origin, pending = start_us, 0.0
            if lead and origin is None and leading is not None and now - leading >= gap_us:
                screen = snapshot(0.0, before=True)
                if screen is not None:
                    yield screen
                leading = None
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
                if fed + len(event.data) > MAX_OUTPUT_CHARS:
                    raise LimitError(f"more than {MAX_OUTPUT_CHARS:,} characters of output to draw")
                term.work_limit = WORK_BASE + WORK_PER_CHAR * fed  # raised as text is read
                fed += len(event.data)
                releases = term.paste_releases
                parser.feed(event.data)
                if self.on_run is not None and term.paste_releases != releases:
                    time_now = now_or_lead()
                    if time_now is not None:
                        self.on_run(standing(time_now, True), False)
                if origin is not None and pending is None:
                    pending = max(clock(event.time_us), 0.0)
                elif origin is None and leading is None:
                    leading = event.time_us
            elif event.code == RESIZE:
                fed += RESIZE_CHARS
                term.work_limit = WORK_BASE + WORK_PER_CHAR * fed
                size = parse_size(event.data)
                if size is not None:
                    check_size(*size, where=f"resize at {event.time:.3f} s to")
                    time_now = now_or_lead()
                    if self.on_resizing is not None and time_now is not None:
                        self.on_resizing(standing(time_now, True))
                    term.resize_like_player(*size)
                    if self.on_resize is not None:
                        self.on_resize()
                    if origin is not None and pending is None:
                        pending = clock(event.time_us)
                    elif origin is None and leading is None:
                        leading = event.time_us
            elif event.code == MARKER:
                if origin is None and event.data == start:
                    if end_us is not None and end_us <= event.time_us:
                        raise BadOption(
                            f"--end-at ({end:g} s) must come after --start-at, the marker "
                            f"{start!r} at {event.time:.3f} s"
                        )
                    yield from begin()
                    origin, pending = event.time_us, 0.0
                elif origin is not None and event.data == end and event.time_us > origin:
                    break
                if origin is not None:
                    self.markers.append((clock(event.time_us), event.data))
            term.work_limit = WORK_BASE + WORK_PER_CHAR * fed
            term.spend(0)  # the screens just read count too
            self.chars = fed
        else:
            if isinstance(end, str):
                raise BadOption(f"--end-at: the cast has no marker labelled {end!r}")
        if origin is None:
            if isinstance(start, str):
                raise BadOption(f"--start-at: the cast has no marker labelled {start!r}")
            raise BadOption(f"--start-at {start:g} is past the end of the cast")
        final = snapshot(pending if pending is not None else 0.0)
        if final is not None:
            yield final
        self.end = clock(max(last_us, origin))


def row_text(row: Row) -> str:
    """The characters of a row, as plain text (wide characters once)."""
    return "".join(char for char, _ in row).rstrip()


def last_screen(timeline: Timeline) -> Screen:
    """The timeline's final screen (there is always one: the first is always yielded).

    Only one screen is drawn from it (`--text`, `--png`), so the frame limit is lifted."""
    timeline.max_frames = None
    last: Screen | None = None
    for last in timeline:  # noqa: B007 - only the last is kept, so memory stays flat
        pass
    assert last is not None
    return last
