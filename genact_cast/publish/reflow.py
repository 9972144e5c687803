"""Resizing a terminal's lines as asciinema-player does (avt 0.16, src/buffer.rs and line.rs).

When the width changes, lines that were wrapped by the terminal are joined and split again
at the new width, the scrollback included, and the cursor keeps its place in the text (on
the primary screen: the alternate screen's lines are cut or padded, `_cut`).
When rows are removed, blank rows below the cursor go first and only then rows from the
top (into the scrollback); when rows are added, rows come back from the scrollback first.

A line here is a list of pyte `Char`s as long as the terminal is wide, with its `wrapped`
flag; `""` is the right half of a wide character (avt's width-0 cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Char = Any  # pyte.screens.Char: a NamedTuple with `data` first


@dataclass
class Line:
    cells: list[Char]
    wrapped: bool = False
    # Blanks added at the end by this reflow where a wide character moved to the next
    # row: no part of the text, so the cursor's place in the text skips them
    # (`relative_position`).
    padding: int = 0


def _trailers(cells: list[Char], blank: Char) -> int:
    count = 0
    for cell in reversed(cells):
        if cell != blank:
            break
        count += 1
    return count


def _trim(line: Line, blank: Char) -> None:
    trailers = _trailers(line.cells, blank)
    if trailers:
        del line.cells[len(line.cells) - trailers :]


def _expand(line: Line, length: int, blank: Char) -> None:
    line.cells.extend([blank] * (length - len(line.cells)))


def _contract(line: Line, length: int, blank: Char) -> Line | None:
    if not line.wrapped:
        trimmed = len(line.cells) - _trailers(line.cells, blank)
        del line.cells[max(length, trimmed) :]
    if len(line.cells) <= length:
        return None
    boundary = line.cells[length].data == ""
    if boundary and length == 1:  # a wide character wider than the terminal: a blank
        line.cells[0:2] = [line.cells[0]._replace(data=" ")]
        return _contract(line, length, blank)
    if boundary:
        length -= 1
    rest = Line(line.cells[length:], line.wrapped)
    del line.cells[length:]
    if boundary:
        line.cells.append(line.cells[-1]._replace(data=" "))
        line.padding = 1
    if not line.wrapped:
        _trim(rest, blank)
    if not rest.cells:
        return None
    line.wrapped = True
    return rest


def _extend(line: Line, other: Line, length: int, blank: Char) -> tuple[bool, Line | None]:
    needed = length - len(line.cells)
    if needed == 0:
        return True, other
    if not line.wrapped:
        _expand(line, length, blank)
        return True, other
    if not other.wrapped:
        _trim(other, blank)
    if needed < len(other.cells):
        if other.cells[needed].data == "":
            needed -= 1
            line.cells.append(line.cells[-1]._replace(data=" "))
            line.padding += 1
        line.cells.extend(other.cells[:needed])
        return True, Line(other.cells[needed:], other.wrapped)
    line.cells.extend(other.cells)
    if not other.wrapped:
        line.wrapped = False
        if len(line.cells) < length:
            _expand(line, length, blank)
        return True, None
    return False, None


def reflow(lines: list[Line], cols: int, blank: Char) -> list[Line]:
    """avt's `reflow`: the lines at a new width, wrapped lines joined and split again."""
    out: list[Line] = []
    source = iter(lines)
    rest: Line | None = None
    while True:
        line = rest if rest is not None else next(source, None)
        rest = None
        if line is None:
            return out
        if cols < len(line.cells):
            rest = _contract(line, cols, blank)
            out.append(line)
        elif cols == len(line.cells):
            out.append(line)
        else:
            following = next(source, None)
            if following is None:
                _expand(line, cols, blank)
                line.wrapped = False
                out.append(line)
                continue
            done, rest = _extend(line, following, cols, blank)
            if done:
                out.append(line)
            else:
                rest = line


def logical_position(
    position: tuple[int, int], lines: list[Line], cols: int, rows: int
) -> tuple[int, int]:
    """The cursor as (column in its logical line, logical line number)."""
    x, y = position
    absolute = y + len(lines) - rows
    row = absolute - min(absolute, len(lines))
    offset = 0
    for line in lines[:absolute]:
        if line.wrapped:
            offset += cols
        else:
            offset = 0
            row += 1
    return x + offset, row


def relative_position(
    position: tuple[int, int],
    lines: list[Line],
    cols: int,
    rows: int,
    blank: Char,
) -> tuple[int, int]:
    """A logical position as (column, row in the view); the row may be negative.

    A cursor that lands just past a row's last cell, which holds a character, keeps the
    pending wrap there (column `cols`): the next character goes on the next row (the
    primary screen's: the alternate one is not rewrapped, `_cut`). This is
    asciinema-player 3.18's (its avt 0.20, measured in Chromium,
    tests/data/screens/resize_pending_wrap.cast: `abc` then a resize to 3 columns then
    `Z` shows `abc`/`Z`, and `abcZ` widened again; after `ab ` the `Z` takes the blank's
    cell, as it does past a row's end; on the alternate screen it takes the `c`'s). avt
    0.18 clamped every such cursor into the last column.

    A row that ends in a blank added because a wide character moved on to the next row
    (`Line.padding`) holds one column of the text fewer: the cursor keeps its character.
    The player does (review-exports14 f35 cut down, tests/data/screens/reflow_padding.cast:
    on 16 columns `abcdefghijklmno字X`, a resize to 17, then `e` shows `字 Xe` where
    avt 0.18's arithmetic, a row's width per wrapped row, put the `e` over the `X`).
    """
    column, logical = position
    row = count = 0
    last = len(lines) - 1
    while count < logical and row < last:
        if not lines[row].wrapped:
            count += 1
        row += 1
    while lines[row].wrapped and column >= cols - lines[row].padding:
        column -= cols - lines[row].padding
        row += 1
    cells = lines[row].cells
    pending = column == cols and len(cells) >= cols and cells[cols - 1] != blank
    return column if pending else min(column, cols - 1), row - (len(lines) - rows)


def resize(
    lines: list[Line],
    old: tuple[int, int],
    new: tuple[int, int],
    cursor: tuple[int, int],
    blank: Char,
    materialize: Any,
    primary: bool = True,
    saved: tuple[int, int] | None = None,
) -> tuple[list[Any], tuple[int, int], tuple[int, int] | None]:
    """avt's `Buffer::resize`: the lines (scrollback and view) and cursor at the new size.

    `lines` may hold anything while the width stays; `materialize` turns one into a `Line`
    when the width changes (only then is every cell touched). The alternate screen's
    (`primary` False) are cut or padded, not rewrapped (`_cut`). A `saved` cursor (ESC 7)
    moves with the text as the cursor does, and goes home when its row left the screen:
    asciinema-player 3.18 restores it there (review-exports14 item 14, measured in
    Chromium: tests/data/screens/saved_cursor_resize.cast).
    """
    old_cols, old_rows = old
    cols, rows = new
    x, y = cursor
    sx, sy = saved if saved is not None else (0, 0)
    result: list[Any] = lines
    if cols != old_cols and not primary:
        result = [_cut(materialize(line), cols, blank) for line in lines]
        x, sx = min(x, cols - 1), min(sx, cols - 1)
    elif cols != old_cols:
        full = [materialize(line) for line in lines]
        logical = logical_position((x, y), full, old_cols, old_rows)
        kept = logical_position((sx, sy), full, old_cols, old_rows)
        full = reflow(full, cols, blank)
        if len(full) < old_rows:
            full += [Line([blank] * cols) for _ in range(old_rows - len(full))]
        x, row = relative_position(logical, full, cols, old_rows, blank)
        sx, sy = relative_position(kept, full, cols, old_rows, blank)
        if row >= 0:
            y = row
        else:
            y = 0
            sy -= row
            old_rows += -row
        result = full
    count = len(result)
    if rows < old_rows:
        delta = old_rows - rows
        excess = min(delta, old_rows - 1 - y)
        if excess > 0:
            del result[count - excess :]
            _unwrap(result[-1])
        y -= delta - excess
        sy -= delta - excess
    elif rows > old_rows:
        delta = rows - old_rows
        shift = min(count - min(old_rows, count), delta)
        delta -= shift
        if y < old_rows:
            y += shift
        if sy < old_rows:
            sy += shift
        result += [None] * delta  # blank lines, made by the caller
    if saved is None:
        return result, (x, y), None
    home = sy < 0  # (its row went to the scrollback)
    return result, (x, y), (0, 0) if home else (min(sx, cols - 1), min(sy, rows - 1))


def _cut(line: Line, cols: int, blank: Char) -> Line:
    """A line of the alternate screen at a new width, as asciinema-player 3.18 (its avt
    0.20) resizes it: cut at the right edge (the cells cut off are gone for good, a wide
    character split there leaves a blank) or padded with blanks, never rewrapped.
    Measured in Chromium (tests/data/screens/alternate_resize.cast): `abcdef` on 6
    columns narrowed to 3 shows `abc` where avt 0.18 rewrapped it to `abc`/`def`, and
    widened back still `abc`; `a中c` narrowed to 2 shows `a` and a blank."""
    cells = line.cells
    if len(cells) > cols:
        if cells[cols].data == "":  # the right half of a wide character cut off
            cells[cols - 1] = cells[cols - 1]._replace(data=" ")
        del cells[cols:]
    else:
        cells.extend([blank] * (cols - len(cells)))
    line.wrapped = False
    return line


def _unwrap(line: Any) -> None:
    if line is not None:
        line.wrapped = False
