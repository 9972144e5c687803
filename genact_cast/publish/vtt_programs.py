"""Programs over the shell's screen in the subtitles' lines (publish/vtt_lines.py): a
full-screen program that covers it and restores it, one that paints the primary screen
(top, less -X), a command run into such a program, and a clip that starts mid-session
(--start-at). What such a program shows is not the shell's lines, so these decide which
rows are told before, under and after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.publish.eol_marks import missing_newline_mark, unmarked
from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_cues import MERGE_SECONDS
from genact_cast.publish.vtt_erasures import settle
from genact_cast.publish.vtt_marks import HISTORY, LEFT, TAKEN
from genact_cast.publish.vtt_prompts import is_typed
from genact_cast.publish.vtt_remains import leave, unleft, with_left
from genact_cast.publish.vtt_sessions import without_right_prompt
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import piece as _piece

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


def cover(lines: Lines, time: float | None) -> None:
    """A full-screen program covers the screen (at `time`; None: one that paints the
    primary screen): every line on it is done. But output that appeared under
    `MERGE_SECONDS` before the program's screen covered it (bash's job notice `[1] 4242`
    for `sleep 30 & vim f`) was never there to read: it is told when the program leaves
    and the shell's screen shows it again (`uncover`), not if the screen never comes
    back (the program killed, the cast ending in it: CI on fe3bd0b told it for as long
    as vim ran)."""
    settle(lines, {})
    lines.unread = set()
    if time is not None:
        for y, since in enumerate(lines.since):
            text = lines.texts[y]
            fleeting = since >= 0 and time - since < MERGE_SECONDS and bool(text.strip())
            if (
                fleeting
                and not is_typed(lines, y, text)
                and not lines.left_prompt(y, text)
                and not _typed_rest(lines, y)
            ):
                lines.unread.add(y)
                lines.since[y] = TAKEN
    lines._take_rows()
    lines.covered = list(lines.texts)
    lines.left = [since == LEFT for since in lines.since]
    lines.covering = True
    lines.since = [-1.0] * len(lines.texts)  # taken: not again if the cast ends covered


def _typed_rest(lines: Lines, y: int) -> bool:
    """Whether row y is the rest of a command the terminal wrapped onto it (the last
    key of one that filled its row, typed just before Enter: review-exports23 #3's
    `colors.tx` / `t`, the `t` lost as output the program covered, never uncovered when
    it was killed)."""
    while y > 0 and y - 1 < len(lines.wraps) and lines.wraps[y - 1]:
        y -= 1
        if is_typed(lines, y, lines.texts[y]):
            return True
    return False


def mute(lines: Lines) -> None:
    """A program paints the primary screen (top, less -X: no alternate screen): the
    lines it found are done, as under a full-screen program; nothing it draws is told."""
    cover(lines, None)
    lines.muted, lines.wiped = True, {}


def unsay(lines: Lines, mark: int, time: float) -> None:
    """The lines taken after the first `mark` that appeared at `time` are not told
    (a program's page, scrolled away as it was drawn, before it was known to be one)."""
    # (but a command typed: told as it scrolled away, from when it was seen, `scrolled`)
    kept = [
        i for i in range(mark, len(lines.taken)) if lines.taken[i][0] < time or i in lines.commands
    ]
    if len(kept) == len(lines.taken) - mark:
        return
    ends = {i: end for i, end in lines.ends.items() if i < mark}
    ends.update((mark + n, lines.ends[i]) for n, i in enumerate(kept) if i in lines.ends)
    commands = {i for i in lines.commands if i < mark}
    lines.commands = commands | {mark + n for n, i in enumerate(kept) if i in lines.commands}
    lines.taken[mark:] = [lines.taken[i] for i in kept]
    lines.places[mark:] = [lines.places[i] for i in kept]
    lines.ends, lines._open, lines._region_open = ends, None, None


def ran(lines: Lines, y: int, time: float, text: str) -> None:
    """A command typed at the prompt on row y (above the screen when below 0) and run
    in the screen a program then painted over: told as typed, not as the bare prompt
    the last screen showed."""
    if 0 <= y < len(lines.since):
        lines.since[y] = -1.0
    told = lines.taken[max(lines.commands)] if lines.commands else (0.0, "")
    if told[0] == time and told[1].rstrip() == text.rstrip():
        return  # (told as it scrolled away, `vtt_scrolls.scrolled`)
    lines.commands.add(len(lines.taken))
    lines.taken.append((time, text))
    lines.places.append((lines.epoch, lines.scrolls + y))


def unmute(
    lines: Lines,
    cursor: tuple[int, int] | None,
    changed: frozenset[int] = frozenset(),
    blank: frozenset[int] = frozenset(),
    rows: tuple[Row, ...] = (),
) -> None:
    """The program is gone: the rows it left, but the cursor's, are its last screen
    (not told, then or later), but for those written (`changed`) in the screen it left
    in that its last screen showed `blank` or that it erased for it (what it printed
    on leaving, on the rows it cleared: fzf's choice); the cursor's row is the shell's
    again, and so is any row the shell writes next (its text then new)."""
    settle(lines, {})  # (erasures while it ran: its own)
    lines.muted = lines.covering = False
    below = min(cursor[1] if cursor is not None else len(lines.texts), len(lines.since))
    # (rows under the cursor too: a program that put the cursor back where the shell
    # left it, dialog restoring it with `?1049l`, leaves its box below it)
    for y in [*range(below), *range(below + 1, len(lines.since))]:
        now = y in changed and (y in blank or lines.wiped.get(y) == lines.updates - 1)
        if not (now and lines.since[y] >= 0 and lines.texts[y].strip()):
            lines.since[y] = LEFT
            if y < len(rows):
                leave(lines, y, rows[y])
    lines.wiped = {}


def restart(lines: Lines, shell: bool) -> tuple[bool, int]:
    """The clip starts (--start-at): the lines done before are not told; of the shell's
    lines on the screen, the last command typed and what followed it are (from the
    start), the lines above it are not (their count is returned: a cue says how many),
    and a page a program left there is not (True if one is: its cue stands for it).
    `shell`: the shell's screen is shown (no program covers or paints it), else its
    rows are left as they stand."""
    lines.taken, lines.places, lines.ends = [], [], {}
    lines.commands = set()
    lines.erased.clear()
    lines.edited.clear()
    lines._open = lines._region_open = None
    # (output a program covered as it appeared, kept to tell when its screen comes back,
    # is from before the start: the lead screens all stand at the clip's time 0, so every
    # line then looked just written: a clip starting in htop told the shell's older lines
    # after `[htop]`, review-exports23 WARN 8)
    lines.unread = set()
    if not shell:
        return False, 0
    lines.since = [since if since >= 0 or since == LEFT else 0.0 for since in lines.since]
    left = any(  # (what it left is blank in `texts`, kept in `remains`)
        since == LEFT and (text.strip() or y in lines.remains)
        for y, (since, text) in enumerate(zip(lines.since, lines.texts, strict=True))
    )
    rows = [*lines.leads, *([lines.waiting[0]] if lines.waiting is not None else [])]
    command = max((y for y in rows if 0 <= y < len(lines.texts)), default=0)
    earlier = 0
    for y in range(command):
        if lines.since[y] >= 0 and lines.texts[y].strip():
            if not (y > 0 and y - 1 < len(lines.wraps) and lines.wraps[y - 1]):
                earlier += 1  # (a wrapped line's rest is the same line)
            lines.since[y] = TAKEN
    return left, earlier


def uncover(lines: Lines, screen: Screen) -> None:
    """Back from the program: the rows it restored were taken (not repeated later).
    After a resize inside the program the restored rows are the old lines rewrapped,
    some back from the scrollback: a row above the cursor that is a piece of the lines
    shown or scrolled away before, in their order, was taken too."""
    lines.erased.clear()  # (erasures are told only on the shell's screen)
    lines.edited.clear()
    lines.covering = False
    leads, rights = lines.leads, lines.rights  # (covered rows were kept without these)
    lines.leads, lines.rights, lines.waiting, lines.prompts = {}, {}, None, {}
    rows, time, cols, cursor = screen.rows, screen.time, screen.cols, screen.cursor
    # (what a program had left on the rows it covered is still there where restored;
    # after a resize, moved: their text is held against what was covered, below)
    resized = cursor is not None and (cols, len(rows)) != (lines.cols, len(lines.covered))
    if not resized:
        rows = tuple(unleft(lines, y, row) for y, row in enumerate(rows))
    # (as they were read: a shell's mark for output without a newline left out)
    marked = frozenset(y for y in screen.wrapped if missing_newline_mark(rows[y], cols))
    rows = tuple(unmarked(row, cols, y in marked) for y, row in enumerate(rows))
    lines.texts = [row_text(row) for row in rows]
    lines.first = list(lines.texts)  # a prompt written on its way back: typed after
    lines.wraps = [False] * len(rows)
    lines.born = [lines.epoch] * len(rows)
    lines._open = None
    unread, lines.unread = lines.unread, set()
    lines.since = [
        (LEFT if lines.left[y] else TAKEN)
        if y < len(lines.covered)
        and (y not in unread or resized)  # (after a resize it moved: not told)
        and without_right_prompt(text, leads.get(y, ""), rights.get(y, "")).rstrip()
        == _bare(lines.covered[y])  # (a wrapped row was kept with its blanks)
        else time
        for y, text in enumerate(lines.texts)
    ]
    if cursor is None or not resized:
        return  # (no resize: the rows are where they were)
    lines.cols, lines.wraps = cols, [y in screen.wrapped - marked for y in range(len(rows))]
    lines.texts = [lines._text(row, w) for row, w in zip(rows, lines.wraps, strict=True)]
    # (the rows a program left, a pager's page, are on the screen restored too: with
    # their text, review-exports19 item 8: git's page told again after mc and a resize)
    covered = [with_left(text, lines.remains.get(y, ())) for y, text in enumerate(lines.covered)]
    lines.remains = {}  # (a resize moved them)
    pieces = [_piece(text) for text in [*lines.history, *covered]]
    seen = "".join(pieces)
    at = 0
    top: int | None = None  # where the first row restored starts in what was seen
    for y, text in enumerate(lines.texts[: cursor[1]]):
        piece = _piece(text)
        found = seen.find(piece, at) if piece else -1
        if found >= 0:
            lines.since[y] = -1.0
            at = found + len(piece)
            top = found if top is None else top
    # The covered lines above the first row restored went to the scrollback as the
    # program's screen shrank, the one it starts in too (its head: a wrapped command
    # whose rest is that row): a later resize that brings them back brings no new line.
    start = sum(map(len, pieces[: len(lines.history)]))
    for text, piece in zip(covered, pieces[len(lines.history) :], strict=True):
        if top is None or start >= top:
            break
        if piece:
            lines.history.append(text)
        start += len(piece)
    del lines.history[: len(lines.history) - HISTORY]
