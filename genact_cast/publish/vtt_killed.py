"""A full-screen program killed inside the alternate screen (kill -9, a crash, an ssh
session dropped in vim): the shell comes back on that screen, which nothing leaves until
`reset` (`ESC c`), and what is typed there is the shell's, not the program's session
(review-exports14 item 17: `Killed`, `ls`, its output and `reset` were in `[vim]`).

The shell is known back when its prompt, as it stood in front of the command that
started the program (`me@box:~$ `), waits at the cursor, or, once it took the keys again
(bracketed paste asked for since the program started), a prompt ending as that one did
(fish's `root@vm ~ [SIGKILL]# `, a status in bash's PS1: `[137] $ `), alone on its row, with nothing
below it (Midnight Commander draws the shell's prompt over its key bar: not the shell
back), or with the program's rows left below it and a message written above it
(`Killed`, written where vim's cursor was).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from genact_cast.publish.eol_marks import unmarked
from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_marks import TAKEN
from genact_cast.publish.vtt_prompts import _RIGHT, ticking
from genact_cast.publish.vtt_remains import leave, unleft
from genact_cast.publish.vtt_sessions import PROMPTS

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


def prompts_of(command_line: str) -> list[str]:
    """What may be the prompt in front of a command line, stripped: the line up to each
    prompt's end in it (`me@box:~$` of `me@box:~$ vim x`; the command may hold one too:
    `$ f(){ kill -9 $(pgrep -P $$ htop); }` is after `$`, not `... -P $$`)."""
    ends = sorted({at for p in PROMPTS for at in _found(command_line, p)})
    return [command_line[: end + 2].strip() for end in ends]


def _found(text: str, part: str) -> list[int]:
    at, found = text.find(part), []
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


def shell_back(
    screen: Screen, command_line: str, last: Screen | None, retaken: bool = False
) -> bool:
    """Whether the shell whose prompt started the session waits on the alternate screen
    (a prompt that ends as its did, when it took the keys again since: `retaken`),
    alone on its row, with nothing below it, or below it the rows the program's last
    screen (`last`) showed there and above it a row written since (bash's `Killed`,
    written where vim's cursor was, the prompt under it, vim's `~` rows below)."""
    shells = prompts_of(command_line)
    cursor = screen.cursor or screen.hidden_at or _lowest(screen)
    if not shells or cursor is None:
        return False
    x, y = cursor
    if y >= len(screen.rows):
        return False
    text = row_text(screen.rows[y]).rstrip()
    right = _RIGHT.fullmatch(text)  # (zsh's right prompt, its clock: no part of it)
    if right and ticking(right.group(2)):
        text = right.group(1)
    below = any(row_text(row).strip() for row in screen.rows[y + 1 :])
    # (right of the cursor, what the program left on the row the prompt was written
    # over: bash's prompt over vim's second row, `root@vm:~#  שלום doneafé`)
    over = last is not None and len(last.rows) == len(screen.rows)
    kept = over and last is not None and _cells(screen.rows[y][x:]) == _cells(last.rows[y][x:])
    head = row_text(screen.rows[y][:x]).rstrip()
    if head not in shells and not (retaken and any(_alike(head, shell) for shell in shells)):
        return False
    if text.rstrip() != head and not kept:
        return False
    if not below and text.rstrip() == head:
        return True
    if last is None or len(last.rows) != len(screen.rows) or y == 0:
        return False
    # (the program's rows below as it left them, the row above written: `Killed`)
    pairs = zip(screen.rows[y + 1 :], last.rows[y + 1 :], strict=True)
    kept = all(row_text(a) == row_text(b) for a, b in pairs)
    return kept and row_text(screen.rows[y - 1]) != row_text(last.rows[y - 1])


Covered = tuple[list[str], list[bool]]  # a screen's rows covered, and which were left


def died_writing(before: Screen, last: Screen) -> bool:
    """Whether the program's last screen is its screen `before` with text written from
    where its cursor stood, down in one block: what it printed as it died (Python's
    traceback), a screen of its own before the shell's prompt. That text is output,
    told, not what the program left (a screen it redrew changes rows above too)."""
    cursor = before.cursor or before.hidden_at
    if cursor is None or len(before.rows) != len(last.rows):
        return False
    x, y = cursor
    changed = [n for n, (a, b) in enumerate(zip(before.rows, last.rows, strict=True)) if a != b]
    if not changed or changed[0] != y or changed != list(range(y, changed[-1] + 1)):
        return False
    return row_text(before.rows[y][:x]) == row_text(last.rows[y][:x])


def writing_at(screen: Screen) -> Screen:
    """The screen with its cursor where the shell writes, hidden or not: a shell back
    after htop (which hid it) never shows it again, and its prompt waits there."""
    if screen.cursor is None and screen.hidden_at is not None:
        return replace(screen, cursor=screen.hidden_at)
    return screen


def leave_covered(lines: Lines, screen: Screen, last: Screen | None) -> Covered:
    """The session ends with the shell back on the alternate screen: the rows are the
    shell's from here, but for what the program left in them (its last screen, `last`:
    vim's `~` rows, scrolled up by `Killed`, or the rest of a row `Killed` was written
    over), which is not told. What the program covered on
    the primary screen, for when `reset` shows it again (`restore`)."""
    covered = (list(lines.covered), list(lines.left))
    lines.uncover(screen)
    moved = _scrolled(last, screen) if last is not None else 0
    for y, row in enumerate(last.rows[moved:] if last is not None else ()):
        if y < len(lines.texts):  # (its characters still in their cells are its own)
            leave(lines, y, row)
            unwritten(lines, y, screen.wrote)
            # (a shell's mark for a line with no newline ends the row: fish's `⏎` after
            # its `terminated by signal` message, zsh's `#`: not a line, eol_marks.py)
            kept = unmarked(screen.rows[y], screen.cols, y in screen.wrapped)
            lines.texts[y] = row_text(unleft(lines, y, kept))
            if y < len(lines.first):  # (the prompt waiting there is as first seen)
                lines.first[y] = lines.texts[y]
            if not lines.texts[y].strip():
                lines.since[y] = TAKEN
    return covered


def unwritten(lines: Lines, y: int, wrote: tuple[tuple[int, int, int], ...]) -> None:
    """What the program left in row y, but for the cells the shell wrote in since (its
    `Killed` over vim's `second line`: the `d` written over the `d` is the shell's, told
    `Kille` when only the characters were compared, exports-w)."""
    left = lines.remains.get(y)
    if not left:
        return
    cells = list(left)
    for row, first, end in wrote:
        if row == y:
            cells[first:end] = [" "] * len(cells[first:end])
    if any(char.strip() for char in cells):
        lines.remains[y] = tuple(cells)
    else:
        del lines.remains[y]


def _scrolled(last: Screen, screen: Screen) -> int:
    """By how many rows the screen scrolled since the program's last screen (the shell's
    `\r\n` after `Killed` on its bottom row): the first shift that puts most of its rows
    of text where they are now."""
    old = [row_text(row) for row in last.rows]
    new = [row_text(row) for row in screen.rows]
    if len(old) != len(new):
        return 0  # (resized since: the rows rewrapped, not scrolled)
    for shift in range(len(old)):
        rows = [
            (a, b) for a, b in zip(old[shift:], new[: len(old) - shift], strict=True) if a.strip()
        ]
        if rows and sum(a == b for a, b in rows) * 2 > len(rows):
            return shift
    return 0


def restore(lines: Lines, screen: Screen, covered: Covered) -> None:
    """The terminal leaves the alternate screen at last (`reset`): the shell's lines there
    are done, and the primary screen it shows again is what the program covered, told
    before."""
    lines.cover(screen.time)
    lines.covered, lines.left = covered
    lines.unread = set()  # (the rows the alternate screen showed, not those restored)
    lines.remains = {}  # (what the killed one left was on the alternate screen, gone)
    lines.uncover(screen)


def drawn_over(lines: Lines, shell: Screen | None) -> Screen | None:
    """A program asks for the alternate screen the shell was left on (`less` after a
    killed vim: no switch, it draws over what was there, review-review-exports21 #1):
    the shell's last screen without what the killed program left on it, to read the
    command typed from (`$ less /etc/services/usr/sbin:/usr/sbin/nologin`, the cursor
    under it on vim's rows: no command typed, `command_row`)."""
    if shell is None:
        return None
    return replace(shell, rows=tuple(unleft(lines, y, row) for y, row in enumerate(shell.rows)))


def _alike(head: str, shell: str) -> bool:
    """Whether a row's text up to the cursor is a prompt ending as `shell` does (its
    symbol after a space or a bracket, the status a shell adds after a killed program
    in between: `root@vm ~ [SIGKILL]#` for `root@vm ~#`)."""
    return len(head) > 1 and head[-1] == shell[-1] and not head[-2].isalnum()


def _lowest(screen: Screen) -> tuple[int, int] | None:
    """Where a hidden cursor is taken to be (htop hides it, and the shell back after it
    was killed does not show it again: the player draws none): at the end of the lowest
    row with text, the one the shell wrote last."""
    rows = [y for y, row in enumerate(screen.rows) if row_text(row).strip()]
    return (len(row_text(screen.rows[rows[-1]])), rows[-1]) if rows else None


def _cells(row: Row) -> str:
    return "".join(char for char, _ in row).rstrip()
