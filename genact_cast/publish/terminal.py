"""The one terminal model every export reads: pyte's screen, showing what asciinema-player shows.

asciinema-player 3.18 draws a cast with avt 0.16 (github.com/asciinema/avt, its Rust
terminal); pyte differs from it in ways a person sees, so what pyte lacks or does
otherwise is added here, in one place:

- the alternate screen (modes 47, 1047, 1048, 1049, each buffer with its own saved
  cursor): when vim or htop exits, the shell's screen is back;
- resizes both ways with avt's reflow and scrollback (publish/reflow.py);
- every character takes a cell, two for wide ones (avt's `char_display_width`): a
  combining mark or a zero-width character (ZWSP, ZWJ, U+FE0F, bidi marks) takes a cell
  of its own instead of stopping a run of text or growing one cell without end;
- `38;5;0-15` are the theme's 16 colours, as `30-37`/`90-97` are;
- erasing and scrolling fill with the current background, DECALN, REP, SU/SD, ED 3 (the
  scrollback only), DECSTBM as avt has them; modes avt ignores (132 columns, reverse
  screen) are ignored;
- the cursor is drawn where the player draws it: an inverse cell while it is visible.

The escape-sequence parser is publish/vtparse.py (avt's state machine: DCS, SOS, PM and
APC payloads are dropped, malformed sequences are ignored, never raised).

A screen is a tuple of rows; a row a tuple of cells `(char, style)`, trailing blanks left
out; `""` is the right half of a wide character. Styles name colours as pyte does
("default", "red", "brightred", "ff8700") with reverse video resolved ("fgdefault" and
"bgdefault" are the swapped defaults), so publish/theme.py gives them their theme colour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, NamedTuple, cast

import pyte
from pyte import modes
from pyte.screens import Char, Margins, StaticDefaultDict, wcwidth

from genact_cast import limits
from genact_cast.errors import GenactCastError
from genact_cast.publish import reflow

MAX_COLUMNS = limits.MAX_TERMINAL_COLS
MAX_ROWS = limits.MAX_TERMINAL_ROWS
MAX_CELLS = limits.MAX_DRAWN_CELLS  # also `record`'s bound, so it writes only drawable casts
# A character drawn on its own (a wide one, or in insert mode) costs about as much time as
# this many cells of a run of narrow ones, so it counts as that many in the work budget.
SLOW_CHAR_CELLS = 16
SCROLLBACK = 100  # the player creates its terminal with 100 lines of scrollback

Style = tuple[str, str, bool, bool, bool, bool, bool]
"""fg, bg, bold, italic, underline, faint, strikethrough (bold and faint never both: avt's
one intensity, set by SGR 1 or 2, whichever came last, reset by 21 and 22)."""
Cell = tuple[str, Style]  # "" is the right half of a wide character
Row = tuple[Cell, ...]  # trailing blanks left out
BLANK: Style = ("default", "default", False, False, False, False, False)


class Pen(NamedTuple):
    """pyte's `Char` with avt's faint intensity, which pyte lacks: the same fields, duck-typed
    by pyte's code (attribute access and `_replace`), plus `faint`."""

    data: str
    fg: str = "default"
    bg: str = "default"
    bold: bool = False
    italics: bool = False
    underscore: bool = False
    strikethrough: bool = False
    reverse: bool = False
    blink: bool = False
    faint: bool = False


DEFAULT: Char = cast(Char, Pen(" "))


class LimitError(GenactCastError):
    """A cast that would take more work to draw than the exporters allow."""


def check_size(cols: int, rows: int, where: str = "terminal size") -> None:
    """A one-line error when a terminal is too big to draw."""
    if cols > MAX_COLUMNS or rows > MAX_ROWS or cols * rows > MAX_CELLS:
        raise LimitError(
            f"{where} {cols}x{rows} is over the limit for drawing a cast "
            f"({MAX_COLUMNS} columns, {MAX_ROWS} rows, {MAX_CELLS:,} cells)"
        )


class _Line(StaticDefaultDict):  # type: ignore[type-arg]
    """A row of pyte's buffer that knows whether the terminal wrapped it (avt's flag)."""

    wrapped = False


_WIDTHS: dict[str, int] = {}


def regional_indicator(char: str) -> bool:
    """Whether `char` is a regional indicator letter (two make a flag: 🇫🇷)."""
    return len(char) == 1 and 0x1F1E6 <= ord(char) <= 0x1F1FF


def char_width(char: str) -> int:
    """Cells a character takes in the player: 2 for wide ones, else 1 (zero-width too)."""
    width = _WIDTHS.get(char)
    if width is None:
        # A regional indicator is one cell in the player (its grid, read in Chromium):
        # the browser draws a pair of them as one flag over their two cells.
        width = 2 if wcwidth(char) == 2 and not regional_indicator(char) else 1
        if len(_WIDTHS) < 65_536:
            _WIDTHS[char] = width
    return width


class Terminal(pyte.Screen):
    """pyte's screen with asciinema-player's semantics where they differ (see the module)."""

    buffer: defaultdict[int, _Line]  # type: ignore[assignment]  # lines that know `wrapped`

    def __init__(self, cols: int, rows: int) -> None:
        check_size(cols, rows)
        self.alternate = False
        self.scrollback: list[Any] = []
        self.on_scroll: Callable[[Any], None] | None = None
        # Called just before the switch to the alternate screen, while the primary shows.
        self.on_alternate: Callable[[], None] | None = None
        # Called with a row of the primary screen that an erasure (ED, EL, ECH, RIS) left
        # blank where it showed text, and what it showed just before.
        self.on_erase: Callable[[int, Row], None] | None = None
        self._other: tuple[Any, list[Any], int, int, tuple[int, int]] | None = None
        self._saved: Any = None
        self._other_saved: Any = None
        self._glyphs: dict[Char, dict[str, Char]] = {}
        self._styles: dict[int, Cell] = {}
        self._kept: list[Char] = []
        self._plain: list[Row] = []
        self._shown_cursor: tuple[int, int] | None = None
        self.last_char = ""
        self._narrow_chars: set[str] = set()
        # Work done so far, in cells touched (text, fills, repeats, scrolled rows, screens
        # read), and the caller's limit for it: checked at each operation, not once per
        # event, and raised by `work_per_char` as each character is drawn or executed, so
        # one long event cannot run for minutes on the credit of characters not yet read.
        self.work = 0
        self.work_limit: int | None = None
        self.work_per_char = 0
        self.work_error = "the cast makes the terminal do too much work"
        super().__init__(cols, rows)
        self.cursor.attrs = DEFAULT
        self.buffer = self._new_buffer()
        self._plain = [() for _ in range(rows)]
        self.set_mode(modes.DECAWM)

    # --- buffers -------------------------------------------------------------------

    def earn(self, chars: int) -> None:
        """Characters of output read: each raises the limit by `work_per_char`."""
        if self.work_limit is not None:
            self.work_limit += self.work_per_char * chars

    def spend(self, cells: int) -> None:
        """Counts `cells` of work before doing it; past the limit a one-line error."""
        self.work += cells
        if self.work_limit is not None and self.work > self.work_limit:
            raise LimitError(self.work_error)

    def _new_buffer(self) -> defaultdict[int, _Line]:
        return defaultdict(lambda: _Line(DEFAULT))

    def _pen_line(self) -> _Line:
        """A line as avt makes one when scrolling or switching: blank in the current pen."""
        line = _Line(DEFAULT)
        pen = self._pen_blank()
        if pen != DEFAULT:  # the pen's background (and underline) fill the line
            self.spend(self.columns)
            line.update(dict.fromkeys(range(self.columns), pen))
        return line

    @property
    def default_char(self) -> Char:
        """A blank in the default pen (a `Pen`, so that faint can be set on it)."""
        return DEFAULT

    def reset(self) -> None:
        if self.on_erase is not None and not self.alternate:
            for y in range(self.lines):
                if _has_text(self.buffer.get(y)):
                    self.on_erase(y, self._row(self.buffer.get(y)))
        super().reset()
        self.cursor.attrs = DEFAULT
        self.buffer = self._new_buffer()
        self.alternate = False
        self.scrollback = []
        self._other = None
        self._saved = self._other_saved = None
        self.mode.add(modes.DECAWM)

    def _switch(self, alternate: bool) -> None:
        """To the alternate buffer (a fresh one) or back to the primary, as avt switches."""
        if self.alternate == alternate:
            return
        if alternate and self.on_alternate is not None:
            self.on_alternate()
        self._saved, self._other_saved = self._other_saved, self._saved
        if alternate:
            # The primary keeps the cursor it had: a resize meanwhile reflows it around
            # that place (the player's avt 0.20 does; the switch back keeps the cursor).
            at = (self.cursor.x, self.cursor.y)
            self._other = (self.buffer, self.scrollback, self.columns, self.lines, at)
            self.buffer, self.scrollback = self._new_buffer(), []
            for y in range(self.lines):
                self.buffer[y] = self._pen_line()
        else:
            assert self._other is not None
            self.buffer, self.scrollback = self._other[0], self._other[1]
            self._other = None
        self.alternate = alternate
        self.dirty.update(range(self.lines))

    # --- modes ---------------------------------------------------------------------

    def set_dec_modes(self, numbers: list[int], on: bool) -> None:
        """The DEC private modes avt knows; any other is ignored, as the player ignores it."""
        for number in numbers:
            if number == 6:
                (self.mode.add if on else self.mode.discard)(modes.DECOM)
                self.cursor_position()
            elif number == 7:
                (self.mode.add if on else self.mode.discard)(modes.DECAWM)
            elif number == 25:
                self.cursor.hidden = not on
            elif number in (47, 1047):
                self._switch(on)
            elif number == 1048:
                self.save_cursor() if on else self.restore_cursor()
            elif number == 1049:
                if on:
                    self.save_cursor()
                    self._switch(True)
                else:
                    self._switch(False)
                    self.restore_cursor()

    def set_ansi_modes(self, numbers: list[int], on: bool) -> None:
        for number in numbers:
            if number in (4, 20):  # insert mode, automatic newline
                (self.mode.add if on else self.mode.discard)(number)

    def save_cursor(self) -> None:
        """One saved cursor per buffer (avt's), restored as often as asked."""
        super().save_cursor()
        self._saved = self.savepoints.pop()

    def restore_cursor(self) -> None:
        if self._saved is None:
            self.cursor.x = self.cursor.y = 0
            self.cursor.attrs = DEFAULT
            self.mode.discard(modes.DECOM)
            self.mode.add(modes.DECAWM)
            return
        saved = self._saved
        self.savepoints.append(saved._replace(cursor=_copy_cursor(saved.cursor)))
        super().restore_cursor()

    def soft_reset(self) -> None:
        self.cursor.hidden = False

    # --- drawing -------------------------------------------------------------------

    def draw(self, data: str) -> None:
        self.earn(len(data))
        self._draw(data)

    def _draw(self, data: str) -> None:
        """Text on the screen, its cost counted (a repeat's text earns nothing)."""
        charset = self.g1_charset if self.charset else self.g0_charset
        if charset is not pyte.charsets.LAT1_MAP:  # DEC line drawing
            data = data.translate(charset)
        if not data:
            return
        self.last_char = data[-1]
        attrs = self.cursor.attrs
        glyphs = self._glyphs.get(attrs)
        if glyphs is None:
            if len(self._glyphs) > 256:
                self._glyphs.clear()
            glyphs = self._glyphs[attrs] = {}
        if modes.IRM not in self.mode and (data.isascii() or self._narrow(data)):
            self.spend(len(data))
            self._draw_narrow(data, glyphs)
            return
        # One character at a time (wide ones, insert mode): each costs as much as a run of
        # narrow ones a line long would, so it counts as that many cells.
        self.spend(len(data) * SLOW_CHAR_CELLS)
        for char in data:
            glyph = glyphs.get(char)
            if glyph is None:
                if len(glyphs) > 4096:
                    glyphs.clear()
                glyph = glyphs[char] = attrs._replace(data=char)
            if modes.IRM in self.mode and self.cursor.x < self.columns:
                self.insert_characters(1)
            self._print(glyph, char_width(char))

    def _narrow(self, text: str) -> bool:
        """Whether every character of `text` takes one cell (no wide one)."""
        narrow = self._narrow_chars
        for char in set(text) - narrow:
            if char_width(char) != 1:
                return False
            if len(narrow) < 65_536:
                narrow.add(char)
        return True

    def _draw_narrow(self, text: str, glyphs: dict[str, Char]) -> None:
        """A run of one-cell characters: written a line's worth at a time."""
        cursor, columns = self.cursor, self.columns
        attrs = self.cursor.attrs
        offset, length = 0, len(text)
        while offset < length:
            if cursor.x >= columns:
                glyph = glyphs.get(text[offset], attrs._replace(data=text[offset]))
                self._print(glyph, 1)  # the wrap (or the last column without it)
                offset += 1
                continue
            line = self.buffer[cursor.y]
            x = cursor.x
            chunk = text[offset : offset + columns - x]
            if line.get(x, DEFAULT).data == "" and x > 0:
                line[x - 1] = attrs._replace(data=" ")  # the left half of a wide character
            if len(glyphs) > 4096:
                glyphs.clear()
            for char in set(chunk).difference(glyphs):
                glyphs[char] = attrs._replace(data=char)
            line.update(zip(range(x, x + len(chunk)), map(glyphs.__getitem__, chunk), strict=True))
            x += len(chunk)
            if x < columns and line.get(x, DEFAULT).data == "":
                line[x] = attrs._replace(data=" ")  # the right half of one overwritten
            offset += len(chunk)
            self.dirty.add(cursor.y)
            if x == columns and modes.DECAWM not in self.mode:
                cursor.x = columns - 1
                if offset < length:  # the rest lands on the last column, the last char wins
                    line[columns - 1] = attrs._replace(data=text[length - 1])
                    offset = length
            else:
                cursor.x = x

    def _width_at(self, line: _Line, x: int) -> int:
        if line.get(x, DEFAULT).data == "":
            return 0
        if x + 1 < self.columns and line.get(x + 1, DEFAULT).data == "":
            return 2
        return 1

    def _put(self, line: _Line, x: int, glyph: Char, width: int) -> int:
        """avt's `Line::print`: the cells written, 0 when a wide character does not fit."""
        blank = glyph._replace(data=" ")
        cell = self._width_at(line, x)
        remaining = self.columns - 1 - x
        if width == 1:
            if cell == 2:
                line[x + 1] = blank
            elif cell == 0:
                line[x - 1] = blank
            line[x] = glyph
            return 1
        if remaining == 0:
            if cell != 0:
                line[x] = blank
            return 0
        if cell == 0:
            if remaining == 1:
                line[x + 1] = blank
                return 0
            line[x - 1] = blank
        if cell != 2 and remaining > 1 and self._width_at(line, x + 1) == 2:
            line[x + 2] = blank
        line[x] = glyph
        line[x + 1] = glyph._replace(data="")
        return 2

    def _print(self, glyph: Char, width: int) -> None:
        cursor = self.cursor
        cols = self.columns
        written = self._put(self.buffer[cursor.y], cursor.x, glyph, width) if cursor.x < cols else 0
        if written:
            cursor.x += written
            if cursor.x == cols and modes.DECAWM not in self.mode:
                cursor.x = cols - 1
        elif modes.DECAWM in self.mode:
            self.buffer[cursor.y].wrapped = True
            bottom = self._margins().bottom
            if cursor.y == bottom:
                self.scroll_up(1)
            elif cursor.y < self.lines - 1:
                cursor.y += 1
            cursor.x = self._put(self.buffer[cursor.y], 0, glyph, width)
        else:
            line = self.buffer[cursor.y]
            if not self._put(line, cols - 1, glyph, width) and cols > 1:
                self._put(line, cols - 2, glyph, width)
            cursor.x = cols - 1
        self.dirty.add(cursor.y)

    def repeat(self, count: int = 1) -> None:
        """REP: the last character drawn, again (bounded by the screen's size)."""
        if self.last_char:
            self._draw(self.last_char * min(max(count, 1), self.columns * self.lines))

    # --- scrolling and erasing (avt's, with the current pen's background) -----------

    def cursor_position(self, line: int | None = None, column: int | None = None) -> None:
        """CUP as avt's `cup`: in origin mode the row counts from the scroll region's top
        and is kept inside the region (pyte ignores a move out of it)."""
        self.cursor.x = min(max((column or 1) - 1, 0), self.columns - 1)
        self._to_row((line or 1) - 1)

    def cursor_to_line(self, line: int | None = None) -> None:
        """VPA as avt's `vpa` (`move_cursor_to_row`)."""
        self._to_row((line or 1) - 1)

    def _to_row(self, row: int) -> None:
        top, bottom = self._margins() if modes.DECOM in self.mode else (0, self.lines - 1)
        self.cursor.y = min(max(top + max(row, 0), top), bottom)
        self.cursor.x = min(self.cursor.x, self.columns - 1)

    def _margins(self) -> Margins:
        return self.margins or Margins(0, self.lines - 1)

    def _pen_blank(self) -> Char:
        return self.cursor.attrs._replace(data=" ")

    def scroll_up(self, count: int = 1) -> None:
        top, bottom = self._margins()
        count = min(max(count, 1), bottom - top + 1)
        self.spend(bottom - top + 1 + self.columns)  # the region's rows move, a line is made
        buffer = self.buffer
        if bottom < self.lines - 1 and bottom in buffer:
            buffer[bottom].wrapped = False
        if top > 0 and top - 1 in buffer:
            buffer[top - 1].wrapped = False
        gone = [buffer.pop(y, None) for y in range(top, top + count)]
        if top == 0 and not self.alternate:
            for line in gone:
                if self.on_scroll is not None:
                    self.on_scroll(line)
                self.scrollback.append(line)
            if len(self.scrollback) > SCROLLBACK:
                del self.scrollback[: len(self.scrollback) - SCROLLBACK]
        for y in range(top, bottom + 1 - count):
            line = buffer.pop(y + count, None)
            if line is not None:
                buffer[y] = line
        for y in range(bottom + 1 - count, bottom + 1):
            buffer[y] = self._pen_line()
        self.dirty.update(range(top, bottom + 1))

    def scroll_down(self, count: int = 1) -> None:
        top, bottom = self._margins()
        count = min(max(count, 1), bottom - top + 1)
        self.spend(bottom - top + 1 + self.columns)
        buffer = self.buffer
        for y in range(bottom, top + count - 1, -1):
            line = buffer.pop(y - count, None)
            buffer.pop(y, None)
            if line is not None:
                buffer[y] = line
        for y in range(top, top + count):
            buffer[y] = self._pen_line()
        if top > 0 and top - 1 in buffer:
            buffer[top - 1].wrapped = False
        buffer[bottom].wrapped = False
        self.dirty.update(range(top, bottom + 1))

    def index(self) -> None:
        if self.cursor.y == self._margins().bottom:
            self.scroll_up(1)
        elif self.cursor.y < self.lines - 1:
            self.cursor.y += 1

    def reverse_index(self) -> None:
        if self.cursor.y == self._margins().top:
            self.scroll_down(1)
        elif self.cursor.y > 0:
            self.cursor.y -= 1

    def set_margins(self, top: int | None = None, bottom: int | None = None) -> None:
        """DECSTBM as avt: kept only when top < bottom on the screen; the cursor goes home."""
        first = (top or 1) - 1
        last = (bottom or self.lines) - 1
        if first < last < self.lines:
            self.margins = None if (first, last) == (0, self.lines - 1) else Margins(first, last)
        self.cursor_position()

    def _clear(self, y: int, start: int, end: int) -> None:
        """Cells start..end-1 of row y blank with the current pen (avt's `Line::clear`)."""
        line = self.buffer[y]
        pen = self._pen_blank()
        end = min(end, self.columns)
        if start >= end:
            return
        told = self.on_erase is not None and not self.alternate and _has_text(line)
        before = self._row(line) if told else ()
        if start > 0 and line.get(start, DEFAULT).data == "":
            line[start - 1] = pen
        if end < self.columns and line.get(end, DEFAULT).data == "":
            line[end] = pen
        if pen == DEFAULT and (start, end) == (0, self.columns):
            line.clear()
        elif pen == DEFAULT and end - start > len(line):
            for x in [x for x in line if start <= x < end]:
                del line[x]
        else:
            self.spend(end - start)
            line.update(dict.fromkeys(range(start, end), pen))
        self.dirty.add(y)
        if told and self.on_erase is not None and not _has_text(line):
            self.on_erase(y, before)

    def _clear_rows(self, rows: range) -> None:
        """Whole rows blank and unwrapped: avt's `Buffer::clear` puts `Line::blank` there."""
        for row in rows:
            self._clear(row, 0, self.columns)
            self.buffer[row].wrapped = False

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        x, y = min(self.cursor.x, self.columns), self.cursor.y
        if how == 0:
            self._clear(y, x, self.columns)
            self.buffer[y].wrapped = False
        elif how == 1:
            self._clear(y, 0, x + 1)
        elif how == 2:
            self._clear(y, 0, self.columns)
            self.buffer[y].wrapped = False

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        x, y = min(self.cursor.x, self.columns), self.cursor.y
        if how == 0:
            self.erase_in_line(0)
            self._clear_rows(range(y + 1, self.lines))
        elif how == 1:
            self._clear(y, 0, x + 1)
            self._clear_rows(range(y))
        elif how == 2:
            self._clear_rows(range(self.lines))
        elif how == 3:
            self.scrollback = []  # avt: the saved lines only, the screen stays

    def erase_characters(self, count: int | None = None) -> None:
        x = min(self.cursor.x, self.columns - 1)
        end = x + min(max(count or 1, 1), self.columns - x)
        self._clear(self.cursor.y, x, end)
        if end == self.columns:
            self.buffer[self.cursor.y].wrapped = False

    def insert_lines(self, count: int | None = None) -> None:
        self.spend(self.lines)  # the rows below move
        super().insert_lines(count)

    def delete_lines(self, count: int | None = None) -> None:
        self.spend(self.lines)
        super().delete_lines(count)

    def delete_characters(self, count: int | None = None) -> None:
        """DCH as avt's `Line::delete`: a wide character cut by the deletion (at either
        edge) is blanked, not left as half a character."""
        self.spend(self.columns)  # pyte rewrites the row from the cursor on
        self.cursor.x = min(self.cursor.x, self.columns - 1)
        x, line = self.cursor.x, self.buffer[self.cursor.y]
        if x > 0 and line.get(x, DEFAULT).data == "":
            line[x - 1] = self._pen_blank()
        super().delete_characters(count)
        if line.get(x, DEFAULT).data == "":
            line[x] = self._pen_blank()
        line.wrapped = False

    def insert_characters(self, count: int | None = None) -> None:
        """ICH as avt's `Line::shift_right`: a wide character the cursor splits is blanked
        (both halves) before the line moves right."""
        self.spend(self.columns)
        self.cursor.x = min(self.cursor.x, self.columns - 1)
        x, line = self.cursor.x, self.buffer[self.cursor.y]
        if x > 0 and line.get(x, DEFAULT).data == "":
            line[x] = line[x - 1] = self._pen_blank()
        super().insert_characters(count)

    def alignment_display(self) -> None:
        """DECALN: every cell an `E` (avt's); one template line copied, not cell by cell."""
        self.spend(self.columns * self.lines)
        template = dict.fromkeys(range(self.columns), DEFAULT._replace(data="E"))
        for y in range(self.lines):
            line = _Line(DEFAULT)
            line.update(template)
            self.buffer[y] = line
        self.dirty.update(range(self.lines))

    def select_graphic_rendition(self, *attrs: int) -> None:
        """pyte's SGR, with `38;5;N` and `48;5;N` below 16 as the theme's colours, and avt's
        one intensity: 1 bold, 2 faint (the last of them wins), 21 and 22 normal."""
        if not attrs:
            attrs = (0,)
        plain: list[int] = []
        bold, faint = self.cursor.attrs.bold, getattr(self.cursor.attrs, "faint", False)
        index = 0
        while index < len(attrs):
            attr = attrs[index]
            if attr in (0, 1, 2, 21, 22):
                bold, faint = attr == 1, attr == 2
                if attr == 0:
                    plain.append(0)
                index += 1
                continue
            if attr in (38, 48) and index + 2 < len(attrs) and attrs[index + 1] == 5:
                color = attrs[index + 2]
                if color < 16:
                    base = 30 if attr == 38 else 40
                    plain.append(base + color if color < 8 else base + 60 + color - 8)
                    index += 3
                    continue
                plain += [attr, 5, min(color, 255)]
                index += 3
                continue
            if attr in (38, 48) and index + 4 < len(attrs) and attrs[index + 1] == 2:
                plain += [attr, 2, *(min(c, 255) for c in attrs[index + 2 : index + 5])]
                index += 5
                continue
            plain.append(attr)
            index += 1
        if plain:
            super().select_graphic_rendition(*plain)
        pen = self.cursor.attrs
        if (pen.bold, getattr(pen, "faint", False)) != (bold, faint):
            full = pen if isinstance(pen, Pen) else Pen(*pen)
            self.cursor.attrs = cast(Char, full._replace(bold=bold, faint=faint))

    def tab_forward(self, count: int = 1) -> None:
        for _ in range(min(max(count, 1), self.columns)):
            self.tab()

    def tab_back(self, count: int = 1) -> None:
        self.spend(min(max(count, 1), self.columns))
        for _ in range(min(max(count, 1), self.columns)):
            stops = [stop for stop in self.tabstops if stop < self.cursor.x]
            self.cursor.x = max(stops, default=0)

    # --- resizing (avt's, publish/reflow.py) ----------------------------------------

    def resize_like_player(self, cols: int, rows: int) -> None:
        old_cols, old_rows = self.columns, self.lines
        if (cols, rows) == (old_cols, old_rows):
            return
        if self._other is not None:
            self._resize_primary_behind(cols, rows)
        self.buffer, self.scrollback, (x, y) = self._resize_buffer(
            self.buffer,
            self.scrollback,
            (old_cols, old_rows),
            (cols, rows),
            (self.cursor.x, self.cursor.y),
            keep_scrollback=not self.alternate,  # avt's alternate buffer keeps none
        )
        self.columns, self.lines = cols, rows
        self.cursor.x, self.cursor.y = x, y
        self._plain = [() for _ in range(rows)]
        self.dirty.update(range(rows))
        self.tabstops = {s for s in self.tabstops if s < cols} | set(
            range(8 * ((old_cols + 7) // 8), cols, 8)
        )
        self._saved = _clamp_saved(self._saved, cols, rows)
        if rows != old_rows:
            self.margins = None

    def _resize_primary_behind(self, cols: int, rows: int) -> None:
        """The primary buffer, hidden by the alternate one, reflowed to the new size too.

        asciinema-player 3.18 (avt 0.20) shows the primary after the switch back as
        resized around the cursor it had when it was left: shrunk, its blank rows below
        that cursor go first; grown, rows come back from its scrollback.
        """
        assert self._other is not None
        buffer, scrollback, old_cols, old_rows, at = self._other
        buffer, scrollback, moved = self._resize_buffer(
            buffer, scrollback, (old_cols, old_rows), (cols, rows), at, keep_scrollback=True
        )
        self._other = (buffer, scrollback, cols, rows, moved)
        saved = self._other_saved
        if saved is not None and (saved.cursor.x, saved.cursor.y) == at:
            cursor = _copy_cursor(saved.cursor)
            cursor.x, cursor.y = moved
            saved = saved._replace(cursor=cursor)
        self._other_saved = _clamp_saved(saved, cols, rows)

    def _resize_buffer(
        self,
        buffer: defaultdict[int, _Line],
        scrollback: list[Any],
        old: tuple[int, int],
        new: tuple[int, int],
        cursor: tuple[int, int],
        keep_scrollback: bool,
    ) -> tuple[defaultdict[int, _Line], list[Any], tuple[int, int]]:
        """One buffer's lines (scrollback and view) and cursor at the new size."""
        cols, rows = new
        lines = [*scrollback, *(buffer.get(y) for y in range(old[1]))]
        self.spend(len(lines) * (cols if cols != old[0] else 1))

        def materialize(line: _Line | None) -> reflow.Line:
            if line is None:
                return reflow.Line([DEFAULT] * old[0])
            return reflow.Line(list(map(line.__getitem__, range(old[0]))), line.wrapped)

        result, (x, y) = reflow.resize(lines, old, new, cursor, DEFAULT, materialize)
        converted: list[_Line | None] = []
        for line in result:
            if isinstance(line, reflow.Line):
                made = _Line(DEFAULT)
                made.update(enumerate(line.cells))
                made.wrapped = line.wrapped
                converted.append(made)
            else:
                converted.append(line)
        view = converted[len(converted) - rows :]
        back = converted[: len(converted) - rows] if keep_scrollback else []
        del back[: max(0, len(back) - SCROLLBACK)]
        fresh = self._new_buffer()
        for row, line in enumerate(view):
            if line is not None:
                fresh[row] = line
        return fresh, back, (x, max(0, min(y, rows - 1)))

    # --- what the exports read -------------------------------------------------------

    def cursor_cell(self) -> tuple[int, int] | None:
        """Where the player draws the cursor (an inverse cell), or None when it does not."""
        cursor = self.cursor
        if cursor.hidden or cursor.x >= self.columns or cursor.y >= self.lines:
            return None
        return cursor.x, cursor.y

    def snapshot(self) -> list[Row]:
        """The rows as the player shows them, cursor included; only dirty rows read again."""
        plain = self._plain
        for y in self.dirty:
            if y < self.lines:
                plain[y] = self._row(self.buffer.get(y))
        self.dirty.clear()
        rows = list(plain)
        cursor = self.cursor_cell()
        if cursor is not None:
            x, y = cursor
            rows[y] = _with_cursor(rows[y], x)
        return rows

    def wrapped_rows(self) -> frozenset[int]:
        """The rows whose line the terminal wrapped onto the next row (avt's flag)."""
        lines = self.lines
        return frozenset(y for y, line in self.buffer.items() if line.wrapped and y < lines - 1)

    def row_of(self, line: _Line | None) -> Row:
        """A line (one that scrolled away, say) as cells."""
        return self._row(line)

    def _row(self, line: _Line | None) -> Row:
        if not line:
            return ()
        columns = self.columns
        width = 1 + max(line)
        if width > columns:  # cells kept past the right edge after a narrowing resize
            width = 1 + max((x for x in line if x < columns), default=-1)
        self.spend(width)
        # Styles are looked up by the identity of pyte's Char (one object is shared by every
        # cell drawn in it), not its value: hashing a 9-field tuple per cell per frame is
        # most of the cost of a frame. `_kept` holds each Char so its id stays its own.
        styles = self._styles
        if len(styles) > 65_536:
            styles.clear()
            self._kept.clear()
        chars = list(map(line.__getitem__, range(width)))
        cells: list[Cell | None] = list(map(styles.get, map(id, chars)))
        if None in cells:
            for x, cell in enumerate(cells):
                if cell is None:
                    char = chars[x]
                    cell = cells[x] = styles[id(char)] = _cell(char)
                    self._kept.append(char)
        while cells and cells[-1] == (" ", BLANK):
            cells.pop()
        return tuple(cells)  # type: ignore[arg-type]  # no None left


def _has_text(line: _Line | None) -> bool:
    """Whether a line shows any character other than a blank."""
    return line is not None and any(char.data.strip() for char in line.values())


def _cell(char: Char) -> Cell:
    fg, bg = char.fg, char.bg
    if char.reverse:
        fg, bg = (bg if bg != "default" else "bgdefault"), (fg if fg != "default" else "fgdefault")
    faint: bool = getattr(char, "faint", False)
    return char.data, (fg, bg, char.bold, char.italics, char.underscore, faint, char.strikethrough)


def _with_cursor(row: Row, x: int) -> Row:
    """The row with the cell at x inverted, as the player draws its cursor."""
    cells = list(row)
    while len(cells) <= x:
        cells.append((" ", BLANK))
    char, (fg, bg, *attrs) = cells[x]
    if char == "":
        return row  # the right half of a wide character: the player draws nothing there
    cells[x] = (char, (_swap(bg, "bg"), _swap(fg, "fg"), *attrs))  # type: ignore[assignment]
    return tuple(cells)


def _swap(color: str, side: str) -> str:
    if color == "default":
        return f"{side}default"
    if color == "fgdefault":
        return "default"
    if color == "bgdefault":
        return "default"
    return color


def _clamp_saved(saved: Any, cols: int, rows: int) -> Any:
    """A saved cursor kept inside a resized screen, as avt's `reflow` clamps it."""
    if saved is None:
        return None
    cursor = _copy_cursor(saved.cursor)
    cursor.x, cursor.y = min(cursor.x, cols - 1), min(cursor.y, rows - 1)
    return saved._replace(cursor=cursor)


def _copy_cursor(cursor: Any) -> Any:
    copy = pyte.screens.Cursor(cursor.x, cursor.y, cursor.attrs)
    copy.hidden = cursor.hidden
    return copy
