"""A subtitle line's text (publish/vtt_lines.py): a wrapped line's rows joined within a
bound, a line told apart from a redraw of it, and a row's text as compared."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from genact_cast.publish.terminal_cells import char_width

if TYPE_CHECKING:
    from genact_cast.publish.screens import Row

# A wrapped row's last cell left blank: a space, unless the row it wrapped onto starts
# with a wide character (one that did not fit there): decided when the rows are joined.
GAP = "\x00"
# A line the terminal wrapped over rows is joined into one cue line, cut here with an
# ellipsis: a few 80x24 screens, more than a reader follows as one line. Joining without a
# bound copied the line at each row (quadratic: 4 MB of `a` with no newline took minutes)
# and made a cue as long as the cast (review-attack5 item 2).
MAX_LINE_CHARS = 8_000
CUT = "\u2026"


def joined(before: str, rest: str) -> str:
    """A wrapped line's next row added to it, within `MAX_LINE_CHARS` and the ellipsis
    (a line already longer was cut and stays as it is)."""
    if len(before) > MAX_LINE_CHARS:
        return before
    if before.endswith(GAP):  # a space, unless a wide character that did not fit follows
        wide = rest[:1] and char_width(rest[0]) == 2  # the player's width
        before = before[:-1] + ("" if wide else " ")
    line = before + rest
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + CUT


def row_cells(row: Row, cols: int) -> str:
    """A wrapped row's text with its cells up to the right edge (a space it ended on
    kept: the row keeps no trailing blank cell, so each missing cell is one). A wide
    character's right half is no character, so a row of them is half as many characters
    as cells; one that did not fit in the last cell went to the next row, leaving that
    cell empty: no space there (avt, like xterm, wraps it whole), decided by `joined`."""
    gap = cols - len(row)
    text = "".join(char for char, _ in row)
    if gap == 0 and text.endswith(" "):
        # A space in another pen in the last cell: zsh's line editor writes one in
        # standout (`\e[7m \e[27m`) where a wide character it types does not fit, then
        # the character on the next row (review-exports21 #3: `七八九 十一二`).
        return text[:-1] + GAP
    if gap == 1:  # a space written there, or the cell a wide character did not fit in
        return text + ("" if row and row[-1][0] == "" else GAP)  # (wide: the latter)
    # (the last missing cell is the one a wide character may not have fitted in)
    return text + " " * (gap - 1) + GAP if gap > 1 else text


def rewritten(old: str, new: str) -> bool:
    """Whether `new`, written over `old` in place, is another line: some of its words
    (runs of two letters or more) are not the old line's and some of the old line's are
    gone; a redraw changes numbers, bars and spinners, not words."""
    before, after = set(_WORD.findall(old)), set(_WORD.findall(new))
    return bool(before - after) and bool(after - before) and bool(new.strip())


def words(text: str) -> list[str]:
    """A text's words: runs of two letters or more."""
    return _WORD.findall(text)


def same_words(old: str, new: str) -> bool:
    """Whether two texts have words (runs of two letters or more), the same ones, in the
    same order: a spinner's frames, a count or a bar redrawn, not another line."""
    words = _WORD.findall(old)
    if words:
        return words == _WORD.findall(new)
    # A bar with no words (`[####    ] 45%`, `50%|███▌ | 5/10`): the same marks around
    # its numbers and fill (review-exports17 item 1: each value was another line).
    # (a bar's marks: a per cent sign or its frame; a bare count, `4/4` then `1/4` in a
    # picker redrawn whole, is left as its own line)
    shape = _FILL.sub("", old)
    bar = any(mark in shape for mark in "%[|")
    return bar and not _WORD.search(new) and shape == _FILL.sub("", new)


_WORD = re.compile(r"[^\W\d_]{2,}")
# What a bar redrawn in place changes: its numbers, its fill (`#`, `=`, `.`, `*`, block
# and box-drawing characters, Braille spinners) and the blanks around them.
_FILL = re.compile(r"[\s\d#=.*\u2500-\u259f\u2800-\u28ff\x00]+")


def piece(text: str) -> str:
    """A row's text without blanks, to find it again in lines rewrapped at another width."""
    return text.replace(" ", "").replace(GAP, "")


def bare(text: str) -> str:
    """A row's text without the blanks it ends on (a wrapped row's `GAP` too)."""
    return text.rstrip(" " + GAP)


def written(old: str, new: str) -> str:
    """What was written over a row that showed `old`, now `new`, in the event that also
    scrolled it away (never shown): `new` without the tail it keeps of `old`, the cells
    the writing did not reach (`scroll0` over `C0 C1 C2 C3` leaves `scroll02 C3`). A
    written character equal to the old one under it, at the end, goes with the tail."""
    old, new = bare(old), bare(new)
    if len(old) != len(new) or not old:
        return new  # (a longer line covered the old one; a shorter would end where it did)
    k = len(new)
    while k > 0 and new[k - 1] == old[k - 1]:
        k -= 1
    return new[:k] if k else new
