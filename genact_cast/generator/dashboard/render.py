"""Frames to terminal output: only the cells that changed since the last frame.

The renderer remembers what the terminal shows and where its cursor is, and for a
new grid writes the changed cells only, with the shortest cursor move to each run of
them and an SGR sequence only where the style changes. The output depends on the two
frames alone, so it is the same bytes on every machine.

It never writes the last column of the screen: the dashboard keeps it blank (as the
log layout does), so no terminal, whatever its auto-wrap rules, wraps or scrolls.
"""

from __future__ import annotations

import operator
import re

from genact_cast.generator.dashboard.grid import PLAIN, SGR_PARAMS, Grid

# Unchanged cells between two changed runs shorter than this are rewritten rather than
# skipped: a cursor move costs about as much as a few characters.
_MERGE_GAP = 5
_RUN = re.compile(b"\x01(?:\x00{0,%d}\x01)*" % _MERGE_GAP)
_SAME_STYLE = re.compile(r"(.)\1*", re.DOTALL)  # a run of cells of one style


def _sgr(previous: str, style: str) -> str:
    """The SGR sequence that turns `previous` into `style`: reset only when needed."""
    params = SGR_PARAMS[style]
    if not params:
        return "\x1b[0m"
    if previous == PLAIN:
        return f"\x1b[{params}m"
    return f"\x1b[0;{params}m"


def _move(cursor: tuple[int, int] | None, row: int, col: int) -> str:
    """The shortest sequence taking the cursor from `cursor` to (`row`, `col`)."""
    absolute = (
        "\x1b[H" if row == 0 and col == 0 else f"\x1b[{row + 1}H" if col == 0 else ""
    ) or f"\x1b[{row + 1};{col + 1}H"
    if cursor is None:
        return absolute
    crow, ccol = cursor
    if (crow, ccol) == (row, col):
        return ""
    options = [absolute]
    if crow == row:
        if col > ccol:
            options.append("\x1b[C" if col - ccol == 1 else f"\x1b[{col - ccol}C")
        elif col == 0:
            options.append("\r")
        else:
            options.append("\x1b[D" if ccol - col == 1 else f"\x1b[{ccol - col}D")
    elif row == crow + 1 and col == 0:
        options.append("\r\n")
    return min(options, key=len)


class Renderer:
    """Turns successive grids of one size into the least output that shows each."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self._chars: list[str] = []
        self._styles: list[str] = []
        self._cursor: tuple[int, int] | None = None
        self._style = PLAIN

    def full(self, grid: Grid) -> str:
        """Clear the screen and draw `grid`: for the first frame, or to repair the screen."""
        self._chars = [" " * self.cols] * self.rows
        self._styles = [PLAIN * self.cols] * self.rows
        self._cursor, self._style = (0, 0), PLAIN
        return "\x1b[0m\x1b[H\x1b[2J" + self.update(grid)

    def update(self, grid: Grid) -> str:
        """What to write so that the screen shows `grid`, given it shows the last frame."""
        if (grid.cols, grid.rows) != (self.cols, self.rows):
            raise ValueError(f"grid is {grid.cols}x{grid.rows}, screen {self.cols}x{self.rows}")
        if not self._chars:
            return self.full(grid)
        out: list[str] = []
        limit = self.cols - 1  # the last column stays blank
        for row in range(self.rows):
            new_chars, new_styles = grid.chars[row], grid.styles[row]
            old_chars, old_styles = self._chars[row], self._styles[row]
            if new_chars == old_chars and new_styles == old_styles:
                continue
            for start, stop in _changed_runs(old_chars, old_styles, new_chars, new_styles, limit):
                out.append(_move(self._cursor, row, start))
                self._write(out, new_chars, new_styles, start, stop)
                self._cursor = (row, stop)
            self._chars[row], self._styles[row] = new_chars, new_styles
        return "".join(out)

    def _write(self, out: list[str], chars: str, styles: str, start: int, stop: int) -> None:
        for run in _SAME_STYLE.finditer(styles, start, stop):
            style = run.group(1)
            if style != self._style:
                out.append(_sgr(self._style, style))
                self._style = style
            out.append(chars[run.start() : run.end()])

    def leave(self) -> str:
        """Plain style again, for whatever is written after the dashboard."""
        style, self._style = self._style, PLAIN
        return "" if style == PLAIN else "\x1b[0m"


def _changed_runs(
    old_chars: str, old_styles: str, new_chars: str, new_styles: str, limit: int
) -> list[tuple[int, int]]:
    """[start, stop) column ranges that differ, before `limit`; runs apart by at most
    _MERGE_GAP unchanged cells are one run.

    Cells are compared by `map` into a byte per cell and the runs found by a regular
    expression over those bytes: both at C speed, where a frame has a thousand rows to
    compare in a 3-minute cast.
    """
    if old_styles == new_styles:
        changed = map(operator.ne, old_chars[:limit], new_chars[:limit])
    else:
        old = zip(old_chars[:limit], old_styles[:limit], strict=True)
        changed = map(operator.ne, old, zip(new_chars[:limit], new_styles[:limit], strict=True))
    return [run.span() for run in _RUN.finditer(bytes(changed))]
