"""The command a program painting the primary screen (top, less -X, vim on TERM=ansi:
vtt_painting.py tells that one does) was started by, and when its session began.
"""

from __future__ import annotations

from genact_cast.publish.screens import Screen, row_text
from genact_cast.publish.vtt_lines import Lines
from genact_cast.publish.vtt_sessions import command_row, command_text, resumed, typed_program


def painted_by(
    lines: Lines,
    screen: Screen,
    before: Screen,
    mark: int,
    shell_scrolls: int,
    over: bool,
    first: tuple[float, int, Screen] | None,
) -> tuple[float, str, str]:
    """The session's (start, command, typed) as `screen` shows a program painting over
    `before`, the shell's last screen: `mark`, the lines taken when that was read;
    `shell_scrolls`, the rows scrolled away then; `over`, written over after a wipe;
    `first`, the first of the pages written over from the first row twice (`homes[0]`,
    with the lines taken then and the screen before it), if it was."""
    # The page's lines that scrolled away as it was drawn (a page longer than the
    # screen, the prompt at the top) are the program's, told as its cue.
    lines.unsay(mark, screen.time)
    row = command_row(before)
    command = command_text(before, row) if row >= 0 else ""
    if row >= 0:  # the command typed in the same screen as the page: the row now
        moved = lines.scrolls - shell_scrolls
        now = row - moved
        history = lines.history
        after = row_text(screen.rows[now]) if now >= 0 else ""
        after = history[now] if -len(history) <= now < 0 else after
        if after.rstrip() != command.rstrip() and after.startswith(command.rstrip()):
            command = after
            if now >= 0:  # (one that scrolled away was told as it went)
                lines.ran(now, screen.time, after)
    typed = lines.typed(row)
    if typed:  # (the rows it wrapped onto with it)
        typed += command[len(row_text(before.rows[row])) :]
    # (written over after the wipe: its session began with the page it wrote over)
    begun = before.time if over else screen.time
    if first is not None:
        # Written over from its first row twice: its session began with the first
        # page (the screen after the one the shell showed last, `homes[0]`), and
        # that page and its rows redrawn since are its own; the command is the one
        # on that last shell screen (a curses program covers its row with blanks).
        begun, since, last = first
        lines.unsay(since, begun)
        lines.unshown(begun)
        row = command_row(last)
        said = command_text(last, row) if row >= 0 else ""
        if typed_program(said):
            command, typed = said, ""
    if not typed_program(command, typed):
        # No command on the cursor's row: the program cleared the screen as it
        # started and wrote there (vim on TERM=ansi: its message on the bottom
        # row, review-exports13 item 6). The last command typed started it; what
        # it wrote in the screen before is its page, not the shell's lines.
        command, typed = resumed(command, lines.last_told())
        lines.unshown(before.time)
    return begun, command, typed
