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


def unleft(lines: Lines, y: int, row: Row) -> Row:
    """Row y without what a program left there (`remains`, a character for each
    cell): a cell that still shows the character left there is blank; one written
    over with another is no longer left (one erased may be drawn again: a box
    redrawn where it was is still the program's)."""
    left = lines.remains.get(y)
    if not left:
        return row
    chars = [char for char, _ in row]
    written = _between(chars, left)
    kept = tuple(
        a if x not in written and (x >= len(chars) or chars[x] in (a, " ", "")) else " "
        for x, a in enumerate(left)
    )
    if any(char.strip() for char in kept):
        lines.remains[y] = kept
    else:
        del lines.remains[y]
    masked = tuple(
        (" ", style) if x < len(kept) and char == kept[x] and char.strip() else (char, style)
        for x, (char, style) in enumerate(row)
    )
    while masked and masked[-1][0] == " ":
        masked = masked[:-1]  # (a row keeps no trailing blank)
    return masked


def _between(chars: list[str], left: tuple[str, ...]) -> set[int]:
    """The cells between two written over with another character, in one run of
    characters with no blank between: written too, whatever was left there (a shell
    writes a word whole: `Killed` over vim's `line one` keeps its `e`, review-exports16
    item 8 told `Kill d`; a box left between a prompt and its right prompt stays left)."""
    cells = [*left, *[" "] * (len(chars) - len(left))]
    written: set[int] = set()
    over: list[int] = []
    for x, char in enumerate([*chars, " "]):
        if char.strip() or (char == "" and x < len(chars)):
            if x < len(chars) and char not in (cells[x], " ", ""):
                over.append(x)
            continue
        if over:  # (the end of a run)
            written.update(range(over[0], over[-1] + 1))
        over = []
    return written
