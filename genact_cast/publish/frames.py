"""The screens a cast shows, in time: pyte as the terminal, sampled at a frame-rate cap.

Shared by the exporters that draw a cast themselves (SVG; PNG and video later). Two
things differ from plain pyte, both to show what asciinema-player shows:

- a resize that removes rows drops blank rows below the cursor first and only then
  rows from the top (pyte always drops from the top, losing the screen's content);
- plain text and the common control sequences take a fast path (one parse per
  sequence instead of one generator step per character); anything unusual goes
  through pyte's own parser, so the screen is the same, only sooner.

Work is bounded: the terminal size, the number of frames and the amount of output
have limits, and hitting one is a one-line error that names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import pyte
from pyte import modes
from pyte.screens import wcwidth

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header
from genact_cast.errors import GenactCastError
from genact_cast.player.timeline import limit_idle

MAX_COLUMNS = 1000
MAX_ROWS = 1000
MAX_CELLS = 200_000  # a 500x400 terminal; asciinema's largest real casts are far smaller
MAX_FRAMES = 100_000  # 55 minutes of a screen changing 30 times a second
MAX_OUTPUT_CHARS = 256 * 1024 * 1024

Style = tuple[str, str, bool, bool, bool]  # fg, bg, bold, italic, underline
Run = tuple[str, Style]  # text, style
Line = tuple[Run, ...]


class LimitError(GenactCastError):
    """A cast that would take more work to draw than the exporters allow."""


@dataclass(frozen=True)
class Frame:
    time: float
    lines: tuple[Line, ...]


def check_size(cols: int, rows: int, where: str = "terminal size") -> None:
    """A one-line error when a terminal is too big to draw."""
    if cols > MAX_COLUMNS or rows > MAX_ROWS or cols * rows > MAX_CELLS:
        raise LimitError(
            f"{where} {cols}x{rows} is over the limit for drawing a cast "
            f"({MAX_COLUMNS} columns, {MAX_ROWS} rows, {MAX_CELLS:,} cells)"
        )


def frames(
    header: Header,
    events: Iterable[Event],
    *,
    fps_cap: float = 30.0,
    idle_time_limit: float | None = None,
    until: float | None = None,
) -> Iterator[Frame]:
    """Screens as the cast shows them: one whenever output settles, at most `fps_cap` a second.

    A frame is taken once no output has come for 1/fps_cap seconds after the first
    output since the previous frame; it is shown from that first output on.
    """
    check_size(header.cols, header.rows)
    screen = _Screen(header.cols, header.rows)
    stream = _Stream(screen)
    limit = idle_time_limit if idle_time_limit is not None else header.idle_time_limit
    gap = 1.0 / fps_cap
    rows: list[Line] = [() for _ in range(header.rows)]
    pending: float | None = None
    last: tuple[Line, ...] | None = None
    count = 0
    fed = 0
    for event in limit_idle(events, limit):
        time = event.time
        if until is not None and time > until:
            break
        if pending is not None and time - pending >= gap:
            snapshot = _snapshot(screen, rows)
            if snapshot != last:
                count += 1
                if count > MAX_FRAMES:
                    raise LimitError(f"more than {MAX_FRAMES:,} frames to draw; cut the cast")
                yield Frame(pending, snapshot)
                last = snapshot
            pending = None
        if event.code == OUTPUT:
            fed += len(event.data)
            if fed > MAX_OUTPUT_CHARS:
                raise LimitError(f"more than {MAX_OUTPUT_CHARS:,} characters of output to draw")
            stream.feed(event.data)
            pending = time if pending is None else pending
        elif event.code == RESIZE:
            size = _size(event.data)
            if size is not None:
                check_size(*size, where=f"resize at {time:.3f} s to")
                screen.resize_like_player(size[1], size[0])
                rows = [() for _ in range(screen.lines)]
    if pending is not None or last is None:
        snapshot = _snapshot(screen, rows)
        if snapshot != last:
            yield Frame(pending or 0.0, snapshot)


_SIZE = re.compile(r"([0-9]{1,9})x([0-9]{1,9})", re.ASCII)


def _size(data: str) -> tuple[int, int] | None:
    """COLSxROWS of a resize event (ASCII digits only), or None if it is not one."""
    match = _SIZE.fullmatch(data)
    if match is None or "0" in (match[1].lstrip("0") or "0", match[2].lstrip("0") or "0"):
        return None
    return int(match[1]), int(match[2])


_BLANK: Style = ("default", "default", False, False, False)


def _snapshot(screen: pyte.Screen, rows: list[Line]) -> tuple[Line, ...]:
    """The screen's lines; only the rows pyte marked dirty are read again."""
    buffer = screen.buffer
    for y in screen.dirty:
        if y < len(rows):
            rows[y] = _line_of(buffer[y], screen.columns) if y in buffer else ()
    screen.dirty.clear()
    return tuple(rows)


def _line_of(row: dict[int, Any], columns: int) -> Line:
    """A row of pyte cells as runs of one style; cells never written are default blanks."""
    width = 1 + max(row, default=-1)
    if width > columns:  # cells pyte keeps past the right edge after a narrowing resize
        width = 1 + max((x for x in row if x < columns), default=-1)
    cells = list(map(row.__getitem__, range(width)))  # pyte's row gives its default for gaps
    runs: list[Run] = []
    for key, group in groupby(cells, _STYLE_FIELDS):
        fg, bg, bold, italics, underscore, reverse = key
        if reverse:
            fg, bg = (
                (bg if bg != "default" else "bgdefault"),
                (fg if fg != "default" else "fgdefault"),
            )
        texts = list(map(_DATA, group))
        if "" in texts:
            texts = [text or " " for text in texts]  # the stub cell after a wide character
        runs.append(("".join(texts), (fg, bg, bold, italics, underscore)))
    while runs and not runs[-1][0].strip() and runs[-1][1][1] == "default":
        runs.pop()  # trailing blanks draw nothing
    return tuple(runs)


_STYLE_FIELDS = itemgetter(1, 2, 3, 4, 5, 7)  # fg, bg, bold, italics, underscore, reverse
_DATA = itemgetter(0)


_GLYPH_CACHE_LIMIT = 65_536


class _Screen(pyte.Screen):
    """pyte's screen with a faster `draw` for the common case and the player's resize."""

    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self._glyphs: dict[Any, dict[str, Any]] = {}
        self._glyph_count = 0
        self._narrow: set[str] = set()

    def draw(self, data: str) -> None:
        text = data.translate(self.g1_charset if self.charset else self.g0_charset)
        if not self._all_narrow(text) or modes.IRM in self.mode or self.cursor.x > self.columns:
            # wide, combining or unprintable characters, insert mode, or a cursor left
            # past the right edge by a narrowing resize: pyte's own way
            super().draw(data)
            return
        cursor = self.cursor
        columns = self.columns
        attrs = cursor.attrs
        glyphs = self._glyphs.get(attrs)
        if glyphs is None:
            if self._glyph_count > _GLYPH_CACHE_LIMIT:
                self._glyphs.clear()
                self._glyph_count = 0
            glyphs = self._glyphs[attrs] = {}
        offset, length = 0, len(text)
        while offset < length:
            if cursor.x == columns:  # the same wrap pyte does, once per line, not per char
                if modes.DECAWM in self.mode:
                    self.dirty.add(cursor.y)
                    self.carriage_return()
                    self.linefeed()
                else:
                    cursor.x -= 1
            line = self.buffer[cursor.y]
            x = cursor.x
            chunk = text[offset : offset + columns - x]
            for char in chunk:
                glyph = glyphs.get(char)
                if glyph is None:
                    glyph = glyphs[char] = attrs._replace(data=char)
                    self._glyph_count += 1
                line[x] = glyph
                x += 1
            cursor.x = x
            offset += len(chunk)
        self.dirty.add(cursor.y)

    def _all_narrow(self, text: str) -> bool:
        """Whether every character takes exactly one cell (pyte's wcwidth says 1)."""
        if text.isascii():
            return text.isprintable()
        chars = set(text)
        if chars <= self._narrow:
            return True
        for char in chars - self._narrow:
            if wcwidth(char) != 1:
                return False
            if len(self._narrow) < _GLYPH_CACHE_LIMIT:
                self._narrow.add(char)
        return True

    def resize_like_player(self, lines: int, columns: int) -> None:
        """Resize as asciinema-player does: fewer rows drop blank rows below the cursor first."""
        if lines < self.lines:
            removed = self.lines - lines
            below = self.lines - 1 - self.cursor.y
            from_top = removed - min(removed, below)
            kept = {
                y - from_top: self.buffer[y]
                for y in range(from_top, from_top + lines)
                if y in self.buffer
            }
            self.buffer.clear()
            self.buffer.update(kept)
            self.cursor.y -= from_top
            self.lines = lines
        self.resize(lines, columns)
        self.set_margins()
        self.dirty.update(range(self.lines))


_CSI = re.compile(r"\x1b\[(\??)([0-9;]{0,64})([@A-Za-z`])")


class _Stream(pyte.Stream):
    """pyte's stream with one regex match per common sequence instead of a char-by-char FSM.

    Only in pyte's ground state: single control characters and CSI sequences of digits
    and semicolons (optionally private) are dispatched directly, exactly as pyte's
    parser would dispatch them; everything else goes through that parser. A sequence
    that pyte fails on (`ESC [ ; @`, a 5,000-digit parameter) is dropped, as a terminal
    drops what it cannot parse, instead of ending the export with a traceback.
    """

    def __init__(self, screen: pyte.Screen) -> None:
        super().__init__(screen)
        listener = self._screen = screen
        self._basic: dict[str, Callable[[], None]] = {
            char: getattr(listener, name) for char, name in self.basic.items()
        }
        for shift in ("\x0e", "\x0f"):  # SO and SI are ignored in UTF-8 mode
            self._basic.pop(shift, None)
        self._csi: dict[str, Callable[..., None]] = {
            char: getattr(listener, name) for char, name in self.csi.items()
        }

    def feed(self, data: str) -> None:
        send = self._send_to_parser
        draw = self._screen.draw
        match_text = self._text_pattern.match
        match_csi = _CSI.match
        basic, csi, debug = self._basic, self._csi, self._screen.debug
        plain = self._taking_plain_text
        offset, length = 0, len(data)
        while offset < length:
            if plain:
                match = match_text(data, offset)
                if match:
                    offset = match.end()
                    draw(match.group())
                    continue
                char = data[offset]
                action = basic.get(char)
                if action is not None:
                    action()
                    offset += 1
                    continue
                if char == "\x1b":
                    match = match_csi(data, offset)
                    if match:
                        offset = match.end()
                        private, body, final = match.groups()
                        params = [min(int(p or 0), 9999) for p in body.split(";")]
                        handler = csi.get(final, debug)
                        try:
                            if private:
                                handler(*params, private=True)
                            else:
                                handler(*params)
                        except Exception:  # a sequence pyte cannot take is dropped
                            pass
                        continue
                plain = False
            else:
                try:
                    plain = send(data[offset : offset + 1])
                except Exception:  # pyte reset its parser; the sequence is dropped
                    plain = True
                offset += 1
        self._taking_plain_text = plain
