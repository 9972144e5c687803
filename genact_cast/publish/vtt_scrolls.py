"""Rows that scroll away in the subtitles' lines (publish/vtt_lines.py): off the top of the
screen, or out of a scroll region below its first row. A row's line is done as it leaves,
joined with the rest of a wrapped line, and what was written over it in the same event is
told apart; the screen's bookkeeping moves up with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from genact_cast.publish.eol_marks import missing_newline_mark, unmarked
from genact_cast.publish.screens import Row
from genact_cast.publish.vtt_erasures import another
from genact_cast.publish.vtt_marks import HISTORY
from genact_cast.publish.vtt_prompts import is_typed
from genact_cast.publish.vtt_remains import unleft
from genact_cast.publish.vtt_sessions import without_right_prompt
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import joined, written

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines

T = TypeVar("T")


def scrolled(
    lines: Lines, row: Row, time: float | None, wrapped: bool = False, bottom: int | None = None
) -> None:
    """The top row scrolled off the screen, with the rows up to `bottom` (the region's
    last row: apt keeps its progress line below a region from the first row), the rows
    below it staying."""
    last = len(lines.texts) - 1 if bottom is None else min(bottom, len(lines.texts) - 1)

    def up(y: int) -> int:
        return y - 1 if y <= last else y

    # (a shell's mark for output without a final newline: not told, eol_marks.py)
    marked = wrapped and missing_newline_mark(row, lines.cols)
    row = unmarked(row, lines.cols, marked)
    wrapped = wrapped and not marked
    # (the scrollback keeps what a program left on the row, a page of less on TERM=vt220:
    # a resize brings it back as it stood, review-exports14 item 5)
    kept = lines._text(row, wrapped) if 0 in lines.remains else None
    text = lines._text(unleft(lines, 0, row), wrapped)
    remains = lines.remains.get(0, ())  # (the row's, for its line: `remains` moves up)
    lines.remains = {up(y): left for y, left in lines.remains.items() if y > 0}
    typed = bool(lines.texts) and is_typed(lines, 0, text)
    left = lines.left_prompt(0, text)  # (a prompt left with nothing typed)
    # The row's line was shown, then written over in the event that scrolled it away
    # (not erased: that is told as erased; not a prompt left, nor part of a wrapped line).
    plain = 0 not in lines.erased and 0 not in lines.prompts and lines._open is None
    plain = plain and not (lines.wraps[:1] and lines.wraps[0])
    waited = lines.prompts.get(0)  # (the prompt the last screen showed waiting there)
    lines.prompts = {up(y): line for y, line in lines.prompts.items() if y > 0}
    if 0 in lines.leads:
        text = without_right_prompt(text, lines.leads[0], lines.rights.get(0, ""))
    if not lines.texts:  # before the first screen (a cast's output at 0 s): still told
        if time is not None and text.strip():
            lines._take(time, text, wrapped, 0, lines.epoch, left=remains)
            lines.history.append(text)
            lines.scrolls += 1
        return
    if lines.erased:  # (one scrolled away is still looked for on the next screen)
        lines.erased = {up(y): entry for y, entry in lines.erased.items()}
        lines.edited = {up(y): lead for y, lead in lines.edited.items() if y > 0}
    lines.wiped = {up(y): when for y, when in lines.wiped.items() if y > 0}
    old, since, born = lines.texts.pop(0), lines.since.pop(0), lines.born.pop(0)
    lines.texts.insert(last, "")
    lines.since.insert(last, 0.0)
    lines.born.insert(last, lines.epoch)
    lines.wraps = [*lines.wraps[1:], False]
    lines.wraps.insert(last, lines.wraps.pop())
    lines.first = [*lines.first[1:], ""]
    lines.first.insert(last, lines.first.pop())
    same = bool(old) and text.startswith(old)
    row_text_ = text
    if not same and since >= 0 and plain and time is not None and not lines.muted:
        if another(old, text):  # told as it was shown, then what was written over it
            lines.taken.append((since, old))
            lines.places.append((born, lines.scrolls))
            lines.ends[len(lines.taken) - 1] = time
            text = written(old, text)
    elif not same and since < 0:
        text = written(old, text)  # (written over in the event that scrolled it)
    # (since below 0: taken before, unless written over since: in the event that scrolled)
    if time is not None and text.strip() and (since >= 0 or not same) and not left:
        first = since if same else time
        if same and waited is not None and waited == _bare(old) != _bare(text):
            # A command typed at the prompt shown waiting, scrolled away before a screen
            # showed it (git's pager paints a page 10 ms after the echo): told from when
            # it was seen, not from the prompt (review-exports17 item 12: its cue ended
            # the moment the command appeared).
            first, typed = time, True
        count = len(lines.taken)
        lines._take(first, text, wrapped, 0, born if same else lines.epoch, typed, remains)
        if -1 in lines.erased and same and _bare(lines.erased[-1][1]) == _bare(text):
            # The row's line was erased and drawn again the same before it scrolled away
            # (prompt_toolkit redraws the command line at Enter, `ESC[J` then the line,
            # and the output scrolls it off in the same read): told here, once, not
            # again as erased (review-exports20 #3: IPython's `In [2]: ...` twice).
            del lines.erased[-1]
        if len(lines.taken) > count and lines.leads.get(0):
            lines.scrolled_typed = (count, _bare(text), lines.leads[0])
    else:
        lines._open = None
    lines.history.append(row_text_ if kept is None else kept)
    del lines.history[: len(lines.history) - HISTORY]
    lines.scrolls += 1
    if lines.covering:
        # The screen restored scrolled before it was shown (tmux's `[exited]` printed
        # on the bottom row in the event that left): the covered rows moved up with it.
        lines.covered = [*lines.covered[1:], ""]
        lines.left = [*lines.left[1:], False]
    lines.leads = {up(y): lead for y, lead in lines.leads.items() if y > 0}
    lines.rights = {up(y): right for y, right in lines.rights.items() if y > 0}
    lines.waiting = None


def region_scrolled(
    lines: Lines,
    leaving: list[tuple[Row, bool]],
    time: float | None,
    top: int,
    bottom: int,
    how: str = "scroll",
) -> None:
    """Rows (each with whether the terminal wrapped it) left rows top to bottom that move
    together without going to the scrollback (`Timeline.on_region_scroll`): scrolled out
    of a region below the first row (`scroll`), deleted at `top` (`delete`: DL) or pushed
    off `bottom` (`insert`: IL, RI, SD; the bottom one first). The rows between move
    with them, and what the subtitles know of them, so that the lines are told once, in
    the order the screen shows them (review-exports13 finding 8: with the rows' facts
    left in place, `1`-`7` drawn and scrolled in a region in one event were told
    `2 3 4 1 5 A`, and after an IL or DL lines moved were told again). A row scrolled out
    of a region is told as a whole-screen scroll's is, what was written there since the
    last screen too (a log in a region: review-exports6 item 11); a line deleted or
    pushed off is told if a screen showed it, not if it was drawn and removed unseen."""
    count = len(leaving)
    if not (0 <= top <= bottom < len(lines.texts) and 0 < count <= bottom - top + 1):
        return
    down = how == "insert"
    for i, (row, wrapped) in enumerate(leaving):
        _leave(lines, top + i if not down else bottom - i, row, wrapped, time, bottom, how)
    if down and time is not None:
        # Lines told since the last screen from rows now pushed down (written and
        # scrolled away in this event: their place is their row then) stay after the rows
        # that move down past them, as the lines stood when written.
        first, last = lines.scrolls + top, lines.scrolls + bottom
        for i in range(lines.fresh, len(lines.taken)):
            born, place = lines.places[i]
            if lines.taken[i][0] == time and first <= place <= last:
                lines.places[i] = (born, place + count)
    step = count if down else -count
    _move(lines.texts, top, bottom, step, "")
    _move(lines.first, top, bottom, step, "")
    _move(lines.since, top, bottom, step, time if time is not None else 0.0)
    _move(lines.born, top, bottom, step, lines.epoch)
    _move(lines.wraps, top, bottom, step, False)
    gone = range(bottom + 1 - count, bottom + 1) if down else range(top, top + count)

    def moved(row: int) -> int:
        return row + step if top <= row <= bottom else row

    lines.erased = {moved(r): e for r, e in lines.erased.items() if r not in gone}
    lines.remains = {moved(r): e for r, e in lines.remains.items() if r not in gone}
    lines.prompts = {moved(r): v for r, v in lines.prompts.items() if r not in gone}
    lines.edited = {moved(r): e for r, e in lines.edited.items() if r not in gone}
    lines.leads = {moved(r): v for r, v in lines.leads.items() if r not in gone}
    lines.rights = {moved(r): v for r, v in lines.rights.items() if r not in gone}
    lines.waiting = None


def _move(column: list[T], top: int, bottom: int, step: int, blank: T) -> None:
    """A column of row facts after rows top to bottom moved `step` rows (down when
    positive), `blank` in the rows they left."""
    count = abs(step)
    if step > 0:
        column[top : bottom + 1] = [blank] * count + column[top : bottom + 1 - count]
    else:
        column[top : bottom + 1] = column[top + count : bottom + 1] + [blank] * count


def _leave(
    lines: Lines, y: int, row: Row, wrapped: bool, time: float | None, bottom: int, how: str
) -> None:
    """Row y leaves (see `region_scrolled`): its line told or not."""
    down = how == "insert"
    text = lines._text(unleft(lines, y, row), wrapped)
    old, since, born = lines.texts[y], lines.since[y], lines.born[y]
    outer, lines._open = lines._open, lines._region_open if how == "scroll" else None
    same = bool(old) and text.startswith(_bare(old))
    # The line shown there was written over before it left (one event drew into the
    # region and scrolled it), or is deleted or pushed off: the player showed it, so it
    # is told, whole (the rows it wrapped onto are done with it), ending now.
    over = time is not None and bool(old.strip()) and not lines.muted
    over = over and (not same and another(old, text) if how == "scroll" else not same or down)
    if over and since >= 0 and time is not None:
        rest = y
        while rest < bottom and lines.wraps[rest]:
            rest += 1
            old, lines.texts[rest] = joined(old, lines.texts[rest]), ""
        lines.taken.append((since, old))
        # (pushed off the bottom: after the rows that moved down over its place)
        lines.places.append((born, lines.scrolls + y + (1 if down else 0)))
        lines.ends[len(lines.taken) - 1] = time
    if how == "scroll" and (over or (not same and since < 0)):
        text = written(old, text)  # (what was written over it, never shown)
    if how != "scroll" and not same:
        text = ""  # (drawn and deleted or pushed off before any screen showed it)
    if time is not None and text.strip() and (since >= 0 or not same) and not (down and over):
        lines._take(since if same else time, text, wrapped and not down, y,
                    born if same else lines.epoch)  # fmt: skip
    else:
        lines._open = None
    if how == "scroll":
        lines._region_open, lines._open = lines._open, outer
    else:
        lines._open = outer
