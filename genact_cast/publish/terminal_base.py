"""The terminal model's buffers (publish/terminal.py): pyte's screen with lines that know
whether they wrapped, the work budget, avt's scrolling with the current pen's background,
and the rows as the exports read them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyte
from pyte import modes
from pyte.screens import Char, Margins

from genact_cast.publish.terminal_cells import (
    BLANK,
    DEFAULT,
    SCROLLBACK,
    Cell,
    LimitError,
    Line,
    Row,
    as_cell,
    check_size,
    with_cursor,
)

# A scroll's work, in cells drawn, as its time compares with drawing text (a character
# drawn and read about 0.26 us, charged about 2 cells): a line feed at the bottom of the
# screen takes about 9 us plus 0.16 us a row of its region (80x24: 13 us, 200x200: 37 us,
# 200x1000: 166 us, on a loaded 2-core machine). Its rows are not read again for the next
# screen (`_move_rows`), so a log in a tall terminal costs what its lines' moving costs.
SCROLL_CELLS = 32
ROWS_PER_CELL = 2
# Each blank line a scroll, IL or DL makes costs about a microsecond, four cells of drawn
# text: `CSI 999 L` repeated made 200 a time at 1000x200 for 6 bytes each (review-attack11:
# 5.3 MB took 299 s, never refused).
NEW_LINE_WORK = 4


def scroll_work(rows: int) -> int:
    """The work of scrolling a region of `rows` rows (a new line in a pen with a
    background pays its cells in `_pen_line`)."""
    return SCROLL_CELLS + rows // ROWS_PER_CELL


class BufferScreen(pyte.Screen):
    """pyte's screen with avt's buffers, scrolling and work budget."""

    buffer: defaultdict[int, Line]  # type: ignore[assignment]  # lines that know `wrapped`

    def __init__(self, cols: int, rows: int) -> None:
        check_size(cols, rows)
        self.alternate = False
        # DECCKM (`?1h`): a program that reads the arrow keys itself (less, top, curses)
        self.application_keys = False
        # DECKPAM (`ESC =`): the keypad's application codes, what a full-screen program asks
        # for as it starts (terminfo's smkx: `ESC =` alone on vt52, where nano has no
        # DECCKM to send, review-exports16 item 12; `ESC [?1h ESC =` on xterm); avt ignores
        # it, the subtitles read it.
        self.keypad = False
        # Mouse reporting (`?1000h`, 1002, 1003): a program that reads the mouse (fzf's
        # inline finder, which leaves DECCKM alone); avt ignores it, the subtitles read it.
        self.mouse: set[int] = set()
        # Bracketed paste (`?2004h`): a line editor waits for a command (bash, zsh and
        # fish set it at their prompt and reset it as the command runs); the subtitles
        # read it (avt ignores it).
        self.bracketed_paste = False
        self.paste_releases = 0  # times it was reset while set: commands the shell ran
        # Times it was set, set or not before: a shell draws its prompt after it (bash,
        # zsh and fish send it again at each prompt, also back on a killed program's
        # alternate screen, where the program had set it already: vim).
        self.paste_takes = 0
        # Times a program asked for the alternate screen (47, 1047, 1049 set), counted when
        # it was on already: a program started after one killed there (vtt_killed.py).
        self.alternate_entries = 0
        self.on_release: Callable[[], None] | None = None  # (called as it is reset)
        # Rows the cursor was put on by an absolute row (CUP, HVP, VPA with a row given)
        # since the last screen read: a program that draws a screen does so over most
        # rows (htop, vim under a terminal type without an alternate screen or keypad
        # mode); a shell moves the cursor by relative moves. avt ignores the difference;
        # the subtitles read it.
        self.addressed: set[int] = set()
        # Cells written with a character since the last screen read, as (row, first, end)
        # spans, moved with their rows: a character written over the same one a killed
        # program left there is the writer's (bash's `Killed` over vim's `second line`
        # keeps its `d`), which comparing the characters cannot tell (vtt_killed.py).
        self.wrote: list[tuple[int, int, int]] = []
        self.scrollback: list[Any] = []
        # (with the region's bottom row: rows below a region from the first row stay)
        self.on_scroll: Callable[[Any, int], None] | None = None
        # As `on_scroll`, for the alternate screen's first row (no scrollback there)
        self.on_alternate_scroll: Callable[[Any, int], None] | None = None
        # Called once, before the rows move, with the lines that leave rows moving together
        # without going to the scrollback (in the order they leave), the first and last of
        # those rows, and how: `scroll`, out of the top of a region whose top margin is
        # below the first row; `delete`, deleted at the top (DL); `insert`, pushed off the
        # bottom (IL, RI, SD), the bottom one first.
        self.on_region_scroll: Callable[[list[Any], int, int, str], None] | None = None
        # Called with each line ED 2 sends to the scrollback (`_save_view`), before the
        # erasure of its row is told (`on_erase`).
        self.on_saved: Callable[[Any], None] | None = None
        # Called just before the switch to the alternate screen, while the primary shows.
        self.on_alternate: Callable[[], None] | None = None
        # Called when a program asks for the alternate screen while it shows (no switch:
        # the one a killed program left it on, `less` after `kill -9` of vim).
        self.on_alternate_again: Callable[[], None] | None = None
        # Called with a row of the primary screen that an erasure (ED, EL, ECH, RIS) left
        # blank where it showed text, what it showed just before, and whether the erasure
        # was of the cursor's line (EL, ECH, the cursor's row of ED 0 and 1: a line
        # redrawn in place), not of the screen, and whether the line went on in the row
        # below as it was erased (`Line.goes_on`): a command echoed and cleared in one
        # read wrapped there, though no screen shown before shows it so.
        self.on_erase: Callable[[int, Row, bool, bool], None] | None = None
        # Whether erasures on the alternate screen are told to `on_erase` too (a shell
        # back there after the program that switched to it was killed).
        self.erases_alternate: Callable[[], bool] = lambda: False
        self._other: tuple[Any, list[Any], int, int, tuple[int, int]] | None = None
        self._saved: Any = None
        self._other_saved: Any = None
        self._glyphs: dict[Char, dict[str, Char]] = {}
        self._styles: dict[int, Cell] = {}
        self._kept: list[Char] = []
        self._plain: list[Row] = []
        self._shown_cursor: tuple[int, int] | None = None
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

    def _new_buffer(self) -> defaultdict[int, Line]:
        return defaultdict(lambda: Line(DEFAULT))

    def _pen_line(self, pen: Char | None = None) -> Line:
        """A line as avt makes one when scrolling or switching: blank in the current pen
        (`pen`, when the caller making many has it already)."""
        line = Line(DEFAULT)
        pen = self._pen_blank() if pen is None else pen
        if pen != DEFAULT:  # the pen's background (and underline) fill the line
            self.spend(self.columns)
            line.update(dict.fromkeys(range(self.columns), pen))
        return line

    @property
    def default_char(self) -> Char:
        """A blank in the default pen (a `Pen`, so that faint can be set on it)."""
        return DEFAULT

    def _margins(self) -> Margins:
        return self.margins or Margins(0, self.lines - 1)

    def _pen_blank(self) -> Char:
        return self.cursor.attrs._replace(data=" ")

    def scroll_up(
        self, count: int = 1, *, rows: tuple[int, int] | None = None, tell: bool = True
    ) -> None:
        """The scroll region's lines (or `rows`, first and last: DL's) up by `count`, new
        lines in the pen at its bottom; from the first row they go to the scrollback, and
        `tell` has the callbacks hear of lines leaving (not for a deletion)."""
        top, bottom = rows or self._margins()
        count = min(max(count, 1), bottom - top + 1)
        self.spend(scroll_work(bottom - top + 1) + NEW_LINE_WORK * count)
        buffer = self.buffer
        if (top > 0 or not tell) and not self.alternate and self.on_region_scroll is not None:
            leaving = [buffer.get(y) for y in range(top, top + count)]
            self.on_region_scroll(leaving, top, bottom, "scroll" if tell else "delete")
        if bottom < self.lines - 1 and bottom in buffer:
            buffer[bottom].wrapped = False
        if top > 0 and top - 1 in buffer:
            buffer[top - 1].wrapped = False
        gone = [buffer.pop(y, None) for y in range(top, top + count)]
        if top == 0 and self.alternate and tell and self.on_alternate_scroll is not None:
            for line in gone:
                self.on_alternate_scroll(line, bottom)
        if top == 0 and not self.alternate:
            for line in gone:
                if self.on_scroll is not None and tell:
                    self.on_scroll(line, bottom)
                self.scrollback.append(line)
            if len(self.scrollback) > SCROLLBACK:
                del self.scrollback[: len(self.scrollback) - SCROLLBACK]
        # The lines below move up (in two sweeps rather than a loop: this is the cost of
        # every line feed at the bottom of a tall terminal).
        moving = [buffer.pop(y, None) for y in range(top + count, bottom + 1)]
        targets = range(top, bottom + 1 - count)
        buffer.update(
            [(y, line) for y, line in zip(targets, moving, strict=True) if line is not None]
        )
        pen = self._pen_blank()
        for y in range(bottom + 1 - count, bottom + 1):
            buffer[y] = self._pen_line(pen)
        self._move_rows(top, bottom, -count)

    def scroll_down(self, count: int = 1, *, rows: tuple[int, int] | None = None) -> None:
        """The scroll region's lines (or `rows`: IL's) down by `count`, new lines in the pen
        at its top; those pushed past its bottom are gone."""
        top, bottom = rows or self._margins()
        count = min(max(count, 1), bottom - top + 1)
        self.spend(scroll_work(bottom - top + 1) + NEW_LINE_WORK * count)
        buffer = self.buffer
        if not self.alternate and self.on_region_scroll is not None:
            leaving = [buffer.get(y) for y in range(bottom, bottom - count, -1)]
            self.on_region_scroll(leaving, top, bottom, "insert")
        for y in range(bottom, top + count - 1, -1):
            line = buffer.pop(y - count, None)
            buffer.pop(y, None)
            if line is not None:
                buffer[y] = line
        pen = self._pen_blank()
        for y in range(top, top + count):
            buffer[y] = self._pen_line(pen)
        if top > 0 and top - 1 in buffer:
            buffer[top - 1].wrapped = False
        buffer[bottom].wrapped = False
        self._move_rows(top, bottom, count)

    def _move_rows(self, top: int, bottom: int, by: int) -> None:
        """The rows read for the exports move with their lines (`by` rows down, up when
        negative): only the new lines are read again, not every row of the region, so a
        line feed in a tall terminal costs about what its lines' moving costs."""
        if self.wrote:
            self.wrote = [
                (y + by, a, b) if top <= y <= bottom else (y, a, b)
                for y, a, b in self.wrote
                if not top <= y <= bottom or top <= y + by <= bottom
            ]
        plain, dirty = self._plain, self.dirty
        if bottom >= len(plain) or 2 * len(dirty) > bottom - top:
            dirty.update(range(top, bottom + 1))  # most rows are to be read again anyway
            return
        inside = [y for y in dirty if top <= y <= bottom]  # rows changed since the last read
        dirty.difference_update(inside)
        dirty.update(y + by for y in inside if top <= y + by <= bottom)
        if by < 0:
            plain[top : bottom + 1 + by] = plain[top - by : bottom + 1]
            dirty.update(range(bottom + 1 + by, bottom + 1))
        else:
            plain[top + by : bottom + 1] = plain[top : bottom + 1 - by]
            dirty.update(range(top, top + by))

    def index(self) -> None:
        if self.cursor.y == self._margins().bottom:
            self.scroll_up(1)
        elif self.cursor.y < self.lines - 1:
            self.cursor.y += 1

    def reverse_index(self) -> None:
        """RI as avt's `ri` (terminal.rs): at the region's top a scroll down; else a row up
        by `move_cursor_to_row`, which in origin mode counts the row from the region's top
        (so the cursor stays on its row, kept inside the region: `ESC[?6h ESC[2;3r`, `B` on
        the region's last row, `ESC M X` shows `BX` in the player, review-exports14 item
        16) and puts a pending wrap back in the last column."""
        top, bottom = self._margins()
        if self.cursor.y == top:
            self.scroll_down(1)
        elif self.cursor.y > 0:
            origin = modes.DECOM in self.mode
            row = min(max(top + self.cursor.y - 1, top), bottom) if origin else self.cursor.y - 1
            self.cursor.y = row
            self.cursor.x = min(self.cursor.x, self.columns - 1)

    # --- what the exports read -------------------------------------------------------

    def cursor_cell(self) -> tuple[int, int] | None:
        """Where the player draws the cursor (an inverse cell), or None when it does not."""
        cursor = self.cursor
        if cursor.hidden or cursor.x >= self.columns or cursor.y >= self.lines:
            return None
        return cursor.x, cursor.y

    def hidden_cursor(self) -> tuple[int, int] | None:
        """Where the cursor is while hidden (None when shown or past the edge)."""
        cursor = self.cursor
        if not cursor.hidden or cursor.x >= self.columns or cursor.y >= self.lines:
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
            rows[y] = with_cursor(rows[y], x)
        return rows

    def wrapped_rows(self) -> frozenset[int]:
        """The rows whose line the terminal wrapped onto the next row (avt's flag, or a
        wrap at a scroll region's bottom margin: `Line.goes_on`), for the subtitles."""
        lines = self.lines
        return frozenset(y for y, line in self.buffer.items() if line.goes_on and y < lines - 1)

    def row_of(self, line: Line | None) -> Row:
        """A line (one that scrolled away, say) as cells."""
        return self._row(line)

    def _row(self, line: Line | None) -> Row:
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
                    cell = cells[x] = styles[id(char)] = as_cell(char)
                    self._kept.append(char)
        while cells and cells[-1] == (" ", BLANK):
            cells.pop()
        return tuple(cells)  # type: ignore[arg-type]  # no None left
