"""Which command started a full-screen program's session (publish/vtt.py): read from the
shell's screen as the switch to the alternate screen found it, else the last command
typed, else the program a shell left gave the screen back to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.publish.screens import Screen, row_text
from genact_cast.publish.vtt_sessions import (
    SCREENS,
    command_row,
    command_text,
    prompt,
    resumed,
    typed_program,
)

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines

LEAVE = frozenset({"exit", "logout"})  # a shell's commands that end it


def started_by(
    before: Screen | None, lines: Lines, left: tuple[str, str] | None, ran: Screen | None = None
) -> tuple[str, str]:
    """The command line that started the program whose screen follows the shell's screen
    `before`, and what of it was typed (`left`: the command line and typed keys of the
    last session, which a shell left with `exit` gives the screen back to; `ran`: the
    screen as the shell ran a command since the last screen, Timeline.on_run)."""
    row = command_row(before) if before is not None else -1
    command = command_text(before, row) if before is not None and row >= 0 else ""
    typed = lines.typed(row)
    if typed and before is not None:  # (the rows it wrapped onto with it)
        typed += command[len(row_text(before.rows[row])) :]
    # Output on the row, no command (nor a bare prompt: a key bound to a program)
    at = command_row(ran) if ran is not None else -1
    run = command_text(ran, at) if ran is not None and at >= 0 else ""
    if not typed_program(command, typed) and typed_program(run):
        # Output under the command, written with it before the switch (a job's `[1]
        # 20024`, review-exports17 item 9: htop was named `[man]` after the command told
        # before it): the command line the shell ran since the last screen; after `fg`,
        # the job's command line the shell printed on the row (`vim -u NONE` in the same
        # write as vim's screen, review-exports19 #12: `[fg]`).
        return resumed(command, run) if command.strip() else (run, "")
    if row >= 0 and not prompt(command) and not typed_program(command, typed):
        command, typed = resumed(command, lines.last_command(row))
        words = command.split()  # (the prompt, then `exit`: a command passed over)
        if len(words) > 1 and words[-1] in LEAVE and left:
            # A shell left (`exit` typed in vim's `:sh`, review-exports13 item 11) gives
            # the screen back to the program that started it: the one whose session the
            # shell came after.
            command, typed = left
    elif row < 0 and typed_program(lines.last_command(row)) in SCREENS:
        # The cursor's row holds old text (a box a dialog left on the primary screen,
        # review-exports12 item 1): the last command typed started it, if it runs a
        # program that draws a screen.
        command, typed = resumed("", lines.last_command(row))
    return command, typed
