"""Whether a program paints the primary screen (publish/vtt.py): one that takes the
arrow keys (DECCKM), puts the cursor on most rows by their number, or clears the screen
after a command and puts the cursor back above the rows it drew, and redraws many rows at
once while no prompt waits, or is a pager waiting at its prompt on the last row; and
whether the shell is back after one that took no keys.
"""

from __future__ import annotations

from collections.abc import Callable

from genact_cast.publish.screens import Screen, row_text
from genact_cast.publish.vtt_sessions import (
    command_row,
    command_text,
    prompt,
    typed_program,
    waiting_prompt,
)
from genact_cast.publish.vtt_text import piece

PAINTED_ROWS = 3  # rows a program that took the keys changes at once: it paints the screen
PAGERS = frozenset({"less", "more", "most", "pg", "man"})  # (they wait at their own prompt)


def painted(
    screen: Screen, before: Screen, moved: int, leads: dict[int, str], home: bool = False
) -> bool:
    """Whether a program that took the arrow keys (DECCKM) drew over the screen: many rows
    at once (a page, a refresh), not the one row a command is typed on (a zsh framework
    takes the keys at its prompt) nor a completion's line or two; and it is not waiting
    at a prompt (zsh gives the keys back for a command and takes them again with its next
    prompt, in one event when the command is quick). Rows that only moved up with a
    scroll (`moved` rows since `before`: the Enter after a command typed on the bottom
    row, as git's pager starts) were not drawn. Nor is it the line editor drawing under
    the command being typed (`leads`: the rows typed on after their prompt): the cursor
    back on that row, with its prompt, and nothing above it changed (zsh's `menu select`
    redraws its menu at each Tab, many rows, with the keys taken all along). A screen
    written over from its first row (`home`, see `homed`) is painted though its last row
    looks like a prompt waiting (top's last process row ends with a blank, the cursor
    after it)."""
    rows = set(screen.changed)
    if screen.mouse and rows:
        return True  # (no shell reads the mouse: fzf's finder, its `> ` query no prompt)
    same = (screen.cols, len(screen.rows)) == (before.cols, len(before.rows))
    # Rows whose text changed: the cursor leaving a row changes its cells, not its text
    # (git's pager quitting at once on short output, `ESC[?1h` then two lines: the
    # command's row counted as the third row painted, review-exports14 item 6).
    texts = [row_text(row) for row in screen.rows]
    if same and 0 < moved < len(screen.rows):
        kept = [row_text(row) for row in before.rows[moved:]]
        rows = {y for y, text in enumerate(texts) if y >= len(kept) or text != kept[y]}
    elif same:
        rows = {y for y in rows if y < len(texts) and texts[y] != row_text(before.rows[y])}
    # (rows only blanked are no page: zsh's transient prompt erasing its prompt's rows
    # as it redraws the command on one, the last time before `exit`)
    rows = {y for y in rows if y < len(screen.rows) and row_text(screen.rows[y]).strip()}
    if not same:
        # A resize: the player rewraps the lines and the line editor redraws its prompt
        # and command for the new width. Rows that show the old screen's lines again,
        # whole or rewrapped, were moved, not painted (review-exports10 item 1: zsh's
        # two-line prompt redrawn after a narrowing made the rest of the cast a program).
        shown = "".join(piece(row_text(row)) for row in before.rows)
        rows = {y for y in rows if piece(row_text(screen.rows[y])) not in shown}
    if len(rows) < PAINTED_ROWS:
        return False
    if screen.cursor is not None and _editing(screen, screen.cursor[1], leads, rows):
        return False
    if home or (before.paste and not screen.paste):
        # (the line editor let go of the keys for a command and has not taken them back:
        # what looks like a prompt is the program's, vim on TERM=vt52 leaving the cursor
        # after the blanks its unknown `ESC Y` addressing printed, review-exports19 #10)
        return True
    return waiting_prompt(screen.rows, screen.cursor, set(range(len(screen.rows)))) is None


def addressing(screen: Screen) -> bool:
    """Whether a program draws a screen on the primary one without taking the keys (a
    terminal type without keypad mode or the alternate screen: `TERM=vt220 htop`,
    review-exports12 item 2): it put the cursor on most rows by their number since the
    screen before, as curses paints (a shell moves the cursor by relative moves;
    `clear` homes it alone)."""
    return screen.addressed >= max(PAINTED_ROWS, len(screen.rows) // 2)


def paging(screen: Screen, before: Screen, last: Callable[[], str]) -> bool:
    """Whether a pager started by the command on the shell's last screen (`before`)
    waits at its prompt on the primary screen: a terminal type without an alternate
    screen or keypad mode (`TERM=vt220 less`: it prints its page and waits on the last
    row, after its prompt, `:`, the file's name in standout, `--More--`; the next key
    erases that row and prints on, review-exports14 item 5). The cursor is on the
    screen's last row after text, nothing after it, and the command runs a pager: the
    one on the shell's last screen, else the last one typed (`last`)."""
    cursor = screen.cursor
    if cursor is None or cursor[1] != len(screen.rows) - 1:
        return False
    row = screen.rows[cursor[1]]
    left = "".join(char for char, _ in row[: cursor[0]])
    if not left.strip() or prompt(left) or "".join(char for char, _ in row[cursor[0] :]).strip():
        return False
    y = command_row(before)
    # (no command on the cursor's row as the shell showed it: the cursor before a right
    # prompt, zsh's clock: the last command typed, `last`, review-exports15 item 6)
    # (or the row above the page is the pager's own: less's `Press RETURN to continue`
    # on TERM=dumb, review-exports15 item 6)
    command = command_text(before, y) if y >= 0 else ""
    return typed_program(command) in PAGERS or typed_program(last()) in PAGERS


def homed(screen: Screen, before: Screen, moved: int, erased: set[int]) -> bool:
    """Whether a program wrote the screen over in place from its first row: top on
    `TERM=ansi` (no keypad mode, no alternate screen, no row addressed) refreshes with
    `ESC[H` and each row written over and its end erased (`ESC[K`), nothing scrolled. A
    log only adds rows at its foot, and they scroll; a `clear` loop (`watch`-like, its
    lines told as redrawn) blanks the first row before it writes there (`erased`: rows an
    erasure blanked since `before`; top's `ESC[K` erases after its text, blanking none);
    a progress block redraws rows under the log, not its first row."""
    if moved or (screen.cols, len(screen.rows)) != (before.cols, len(before.rows)):
        return False
    first, old = row_text(screen.rows[0]).strip(), row_text(before.rows[0]).strip()
    if not (0 in screen.changed and 0 not in erased and first and old):
        return False
    if first.startswith(old) or old.startswith(first):
        return False  # (the same line, grown or cut: a command typed on the top row)
    # Rows written over with new text, not rows moved (an IL at the top, a redraw after
    # a resize): none of them shows a row of the screen before.
    shown = {row_text(row).strip() for row in before.rows}
    new = [y for y in screen.changed if row_text(screen.rows[y]).strip() not in shown]
    return len(new) >= PAINTED_ROWS


def rewritten(screen: Screen, before: Screen, moved: int, erased: set[int]) -> bool:
    """Whether rows were written over in place with new text, `PAINTED_ROWS` or more,
    nothing scrolled, no row blanked first: read after the screen was erased whole
    behind a command (vtt.py's `wiped`), a program repainting the primary screen from
    its top, whatever rows changed (top on `TERM=linux`: no `smcup`, `ESC[H` then only
    the rows that changed, its first row not at each refresh, review-exports17 item 4).
    `clear; ls` writes on blank rows, a clear loop blanks its rows before it writes."""
    if moved or (screen.cols, len(screen.rows)) != (before.cols, len(before.rows)):
        return False
    shown = {row_text(row).strip() for row in before.rows}
    over = [
        y
        for y in screen.changed
        if y not in erased
        and row_text(before.rows[y]).strip()
        and row_text(screen.rows[y]).strip() not in shown
    ]
    return len(over) >= PAINTED_ROWS


def back_up(screen: Screen) -> bool:
    """Whether the cursor was put back above the rows drawn: a program that paints
    leaves it where it edits (vim at its first line); a command's output leaves it under
    its last line."""
    if screen.cursor is None:
        return False
    drawn = [y for y, row in enumerate(screen.rows) if row_text(row).strip()]
    return bool(drawn) and screen.cursor[1] < drawn[-1] - 1


def shell_back(screen: Screen) -> bool:
    """Whether the shell waits again after a program that drew without taking the keys:
    the cursor shown after a shell prompt (`$ `, `# `, `❯ `) with nothing after it."""
    cursor = screen.cursor
    if cursor is None or not 0 <= cursor[1] < len(screen.rows):
        return False
    row = screen.rows[cursor[1]]
    left = "".join(char for char, _ in row[: cursor[0]])
    right = "".join(char for char, _ in row[cursor[0] :])
    return prompt(left) and left.endswith(" ") and not right.strip()


def _editing(screen: Screen, y: int, leads: dict[int, str], rows: set[int]) -> bool:
    """Whether row y is a command line being typed, still after its prompt, and the rows
    drawn are it and those under it: the line editor's (a completion menu)."""
    lead = leads.get(y)
    if not lead or not 0 <= y < len(screen.rows) or min(rows) < y:
        return False
    return row_text(screen.rows[y]).startswith(lead)
