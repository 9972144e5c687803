"""Text on the terminal model (publish/terminal.py): runs of narrow characters a line at a
time, wide ones as avt's `Line::print` places them, wrapping and REP."""

from __future__ import annotations

import pyte
from pyte import modes
from pyte.screens import Char

from genact_cast.publish.terminal_base import BufferScreen
from genact_cast.publish.terminal_cells import (
    DEFAULT,
    SLOW_CHAR_CELLS,
    Line,
    char_width,
)


class TextScreen(BufferScreen):
    """Drawing text as avt does."""

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
            width = char_width(char)
            if modes.IRM in self.mode and self.cursor.x + width <= self.columns:
                # A wide character makes room for both cells; one that does not fit before
                # the edge moves nothing there and is inserted on the next row (`_print`):
                # `abcdefghij`, `ESC[1;10H ESC[4h 字` keeps the `j` in asciinema-player 3.18.
                self.insert_characters(width)
            self._print(glyph, width)

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
            self.wrote.append((cursor.y, x, x + len(chunk)))
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

    def _width_at(self, line: Line, x: int) -> int:
        if line.get(x, DEFAULT).data == "":
            return 0
        if x + 1 < self.columns and line.get(x + 1, DEFAULT).data == "":
            return 2
        return 1

    def _put(self, line: Line, x: int, glyph: Char, width: int) -> int:
        """avt's `Line::print` (v0.18, as asciinema-player 3.18 draws it): the cells
        written, 0 when a wide character does not fit (the line then unchanged)."""
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
            return 0
        if cell == 0:
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
            self.wrote.append((cursor.y, cursor.x, cursor.x + written))
            cursor.x += written
            if cursor.x == cols and modes.DECAWM not in self.mode:
                cursor.x = cols - 1
        elif modes.DECAWM in self.mode:
            self.buffer[cursor.y].wrapped = True
            bottom = self._margins().bottom
            if cursor.y == bottom:
                self.scroll_up(1)
                if 0 < bottom < self.lines - 1 and self._margins().top < bottom:
                    self.buffer[bottom - 1].at_margin = True  # (avt dropped its flag)
            elif cursor.y < self.lines - 1:
                cursor.y += 1
            cursor.x = 0
            if modes.IRM in self.mode:
                # In insert mode the wrapped character is inserted on the next row too, as
                # asciinema-player 3.18 does (its avt 0.20; avt 0.18 overwrote there): on 10
                # columns `abcdefghij`, `klmnop` below, then `ESC[1;10H ESC[4h XYZ` shows
                # `YZklmnop` (tests/data/screens/insert_wrap.cast, review-exports14 q21,
                # q22, f5 cut down).
                self.insert_characters(width)
            cursor.x = self._put(self.buffer[cursor.y], 0, glyph, width)
            self.wrote.append((cursor.y, 0, cursor.x))
        else:  # avt's `print_at_line_end`: over the cell before the cursor, or the one before
            line = self.buffer[cursor.y]
            if cursor.x > 0 and not self._put(line, cursor.x - 1, glyph, width) and cursor.x > 1:
                self._put(line, cursor.x - 2, glyph, width)
            cursor.x = cols - 1
        self.dirty.add(cursor.y)

    def repeat(self, count: int = 1) -> None:
        """REP as avt's `rep` (terminal.rs): the character in the cell left of the cursor
        (a wide one's head for its tail; a blank cell's space), again in the current pen,
        bounded by the screen's size; nothing in the first column. Not the last character
        printed: after a move the player repeats what is left of the cursor
        (tests/data/screens/repeat.cast: `x字Q ESC[10G ESC[3b |` shows three blanks,
        review-exports14 item 13)."""
        x = min(self.cursor.x, self.columns)
        if x == 0:
            return
        line = self.buffer.get(self.cursor.y)
        column = x - 1
        while column > 0 and line is not None and line.get(column, DEFAULT).data == "":
            column -= 1
        char = (line.get(column, DEFAULT).data if line is not None else "")[:1] or " "
        self._draw(char * min(max(count, 1), self.columns * self.lines))
