"""What a program leaves on the primary screen, for the subtitles' lines (publish/
vtt_lines.py): a dialog's box, a pager's page, top's last screen. The player keeps showing
it until something is written over it, but a line written later on those rows is only
what the cursor wrote there: the characters still in the cells the program left them in
are its (review-exports12 item 5: `$ echo after   [ ] b  Bananas   │ │`). Kept by row,
a character a cell (`Lines.remains`), moved with the rows as they scroll, forgotten when
a row is erased or the terminal resized.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.publish.screens import Row, row_text
from genact_cast.publish.terminal_cells import char_width

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


def leave(lines: Lines, y: int, row: Row) -> None:
    """What row y shows (`row`) was left there by a program: its characters, where they
    stand, are not a line written later (`unleft`; with what was left before)."""
    if not row_text(row).strip():
        return
    before = lines.remains.get(y, ())
    chars = [char or " " for char, _ in row]  # (a wide character's right half: none)
    size = max(len(chars), len(before))
    chars, old = chars + [" "] * (size - len(chars)), [*before, *[" "] * (size - len(before))]
    lines.remains[y] = tuple(a if a.strip() else b for a, b in zip(chars, old, strict=True))
    lines.texts[y] = row_text(unleft(lines, y, row))


def unleft(lines: Lines, y: int, row: Row, wrote: frozenset[int] = frozenset()) -> Row:
    """Row y without what a program left there (`remains`, a character for each
    cell): a cell that still shows the character left there is blank; one written
    over with another is no longer left (one erased may be drawn again: a box
    redrawn where it was is still the program's). `wrote`: the row's cells written
    since the screen before; one the same as the character left there, in a run of
    cells written over with others, is the run's (`exit` typed over vim's `some text`
    keeps its `t`: `$ exi` was told, review-exports23 #3)."""
    left = lines.remains.get(y)
    if not left:
        return row
    chars = [char for char, _ in row]
    written = _joined(_between(chars, left), wrote, chars)
    kept = tuple(
        a if x not in written and (x >= len(chars) or chars[x] in (a, " ", "")) else " "
        for x, a in enumerate(left)
    )
    if any(char.strip() for char in kept):
        lines.remains[y] = kept
    else:
        del lines.remains[y]
    hidden = [
        x < len(kept) and char == kept[x] and bool(char.strip()) for x, (char, _) in enumerate(row)
    ]
    masked = tuple(
        (" ", style) if hide else (char, style)
        for hide, (char, style) in zip(hidden, row, strict=True)
    )
    end = len(masked)
    while end and hidden[end - 1]:
        end -= 1  # (a row keeps no trailing blank it did not show: the space a prompt
    while end and not masked[end - 1][0].strip() and any(hidden[end:]):
        end -= 1  # ends with is the row's, fish's `root@vm ~# ` over vim's rows)
    return masked[:end]


def written_in(wrote: tuple[tuple[int, int, int], ...], y: int) -> frozenset[int]:
    """The cells of row y among those written (`Screen.wrote`: (row, first, end))."""
    return frozenset(x for row, first, end in wrote if row == y for x in range(first, end))


def _joined(written: set[int], wrote: frozenset[int], chars: list[str]) -> set[int]:
    """`written` with the cells just written next to them, character after character
    (no blank between): the same run of writing."""
    grown = set(written)
    for step in (1, -1):
        for x in sorted(written, reverse=step < 0):
            at = x + step
            while at in wrote and at not in grown and 0 <= at < len(chars) and chars[at].strip():
                grown.add(at)
                at += step
    return grown


def unindented(text: str, left: tuple[str, ...]) -> str:
    """A line told from a row whose first cells are blank where a program left its
    characters (`left`, what `unleft` blanked): without those blanks. They are the
    program's cells, not the line's indentation: bash writes `Killed` where the killed
    program's cursor stood, after less's `f.txt` or at the end of htop's key bar, and
    the line is `Killed`, not 79 blanks and `Killed` (exports-q). The row keeps its
    columns (`texts`); only the line told loses them."""
    blanks = len(text) - len(text.lstrip(" "))
    return text.lstrip(" ") if any(char.strip() for char in left[:blanks]) else text


def passed(lines: Lines, row: Row, cursor: tuple[int, int] | None) -> None:
    """The cursor stands on `row` right after a run of characters: the terminal moved it
    past them as they were written, so none of them is what a program left there, even
    one the same as the character left in its cell (`% echo on` typed over vim's `third
    line` keeps its `n`: review-exports19 item 13 told `% echo o  alt screen`)."""
    if cursor is None or cursor[1] not in lines.remains:
        return
    x, y = cursor
    left = list(lines.remains[y])
    start = x
    while start > 0 and start - 1 < len(row) and row[start - 1][0].strip():
        start -= 1
    for at in range(start, min(x, len(left))):
        left[at] = " "
    if any(char.strip() for char in left):
        lines.remains[y] = tuple(left)
    else:
        del lines.remains[y]


def _between(chars: list[str], left: tuple[str, ...]) -> set[int]:
    """The cells between two written over with another character, in one run of
    characters with no blank between: written too, whatever was left there (a shell
    writes a word whole: `Killed` over vim's `line one` keeps its `e`, review-exports16
    item 8 told `Kill d`; a box left between a prompt and its right prompt stays left).
    A run whose first cell written over held a character of the program's is written
    from its start: the word it broke is the shell's whole (fish's `root@vm ~ [1]# `
    over a program's `row 1 of` kept its `ro`, review-exports19 item 13 told `  ot@vm`);
    one written after the program's text ends is not (`Killed` after less's `f.txt`)."""
    cells = [*left, *[" "] * (len(chars) - len(left))]
    written: set[int] = set()
    over: list[int] = []
    start = 0  # (where the run began)
    for x, char in enumerate([*chars, " "]):
        if char.strip() or (char == "" and x < len(chars)):
            if x < len(chars) and char not in (cells[x], " ", ""):
                over.append(x)
            continue
        if over:  # (the end of a run)
            broke = over[0] < len(left) and left[over[0]].strip()
            written.update(range(start if broke else over[0], over[-1] + 1))
        over = []
        start = x + 1
    return written


def with_left(text: str, left: tuple[str, ...]) -> str:
    """A row's text with what a program left in its blank cells (`remains` keeps a
    character a cell: a wide one's second cell is no character of the text)."""
    if not left:
        return text
    cells: list[str] = []
    for char in text:
        cells += [char] + [""] * (char_width(char) - 1)
    cells += [" "] * (len(left) - len(cells))
    out, skip = [], 0
    for cell, kept in zip(cells, [*left, *[" "] * (len(cells) - len(left))], strict=True):
        char = kept if kept.strip() and cell == " " else cell
        if skip:
            skip -= 1
            continue
        out.append(char)
        skip = max(char_width(char) - 1, 0) if char else 0
    return "".join(out).rstrip()
