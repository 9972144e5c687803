"""Prompt and command detection for the subtitles' lines (publish/vtt_lines.py): which rows
are a command being typed after a prompt, the output a prompt was drawn after without a
newline, the line editor's menu under a command, and a right prompt (zsh's RPROMPT) kept at
a row's end. Apart from the row bookkeeping because a prompt is known by the cursor and by
prompts seen before, not by its characters.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from genact_cast.publish.vtt_cues import MERGE_SECONDS
from genact_cast.publish.vtt_marks import MAX_PROMPTS, TAKEN
from genact_cast.publish.vtt_remains import unindented
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import joined

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines

HEAD_START = 3  # characters a changed prompt head shares with a known one, at least


def output_before(lines: Lines, y: int, lead: str, time: float) -> None:
    """A command is typed on row y after `lead`, its first key at `time`: if that is a
    prompt seen before with output not ended by a newline in front of it (`printf "no
    newline"` in bash: the prompt drawn after it, `no newline$ `), that output is told as
    its own line, from when it appeared, and the command, from its first key, without it
    (`$ ls`: the output is not read twice). Not output that ends on a blank: the prompt
    may have grown there (`(venv) $ `)."""
    lead = _bare(lead)
    for known in lines.known_prompts:
        head = lead[: len(lead) - len(known)]
        if lead.endswith(known) and head.strip() and not head[-1].isspace():
            if lines.since[y] >= 0 and not lines.muted:
                # (the rest of output wrapped onto this row: told with its first rows, as
                # one line, the command after it on its own: review-exports10 item 3)
                top, line = y, head
                while top > 0 and top - 1 < len(lines.wraps) and lines.wraps[top - 1]:
                    if lines.since[top - 1] < 0:
                        break
                    top -= 1
                if top < y:
                    line = lines.texts[top]
                    for row in range(top + 1, y):
                        line = joined(line, lines.texts[row])
                    line = joined(line, head)
                lines.taken.append((lines.since[top], line))
                lines.places.append((lines.born[top], lines.scrolls + top))
                for row in range(top, y):
                    lines.since[row] = TAKEN
                lines.heads[time] = head
                while len(lines.heads) > MAX_PROMPTS:
                    del lines.heads[next(iter(lines.heads))]
            return
    if not lead:  # (a command's next line, its indentation: no prompt, vtt_reading.continued)
        return
    lines.known_prompts[lead] = None
    while len(lines.known_prompts) > MAX_PROMPTS:
        del lines.known_prompts[next(iter(lines.known_prompts))]


def prompt_ahead(lines: Lines, text: str) -> str:
    """The output in front of a prompt seen before that ends the row `text` (drawn after
    output with no newline at its end), else "": as `output_before` reads it."""
    line = _bare(text)
    for known in lines.known_prompts:
        head = line[: len(line) - len(known)]
        if line.endswith(known) and head.strip() and not head[-1].isspace():
            return head
    return ""


def menu(lines: Lines, cursor: tuple[int, int] | None, time: float) -> None:
    """Rows drawn under a command being typed, the cursor back on its row (zsh's
    completion list and menu, prompt_toolkit's), are the line editor's, not output:
    not told (the command is, then what it prints, below it after Enter). Not the rows
    the command itself wrapped onto."""
    # A row taken so that still shows its text once the cursor has gone below it was the
    # command's result drawn where its preview was (node's REPL turns the grey preview `3`
    # into the yellow result `3`): output, told from now.
    for row, (text, scrolls) in list(lines.menus.items()):
        at = row - (lines.scrolls - scrolls)
        if at < 0 or at >= len(lines.texts) or lines.texts[at] != text:
            del lines.menus[row]
        elif cursor is not None and cursor[1] > at and lines.since[at] == TAKEN:
            lines.since[at] = time
            del lines.menus[row]
    if cursor is not None and cursor[1] not in lines.leads and field(lines, cursor[1], time):
        # A field the line editor drew under the command, the cursor in it, the keys kept
        # all along (fish's `search:` at Ctrl-R, the `► echo …` pager row under it): the
        # rows drawn with it under it are its menu, not output.
        drawn_under(lines, cursor[1], time)
        return
    if cursor is not None and lines.kept_keys and _waits_on(lines, cursor[1]):
        # A field drawn under a prompt still waiting, the cursor put back on it, the keys
        # kept (zsh's `bck-i-search: _` at Ctrl-R before a key: told as a 0.55 s cue,
        # exports-y): the line editor's, as under a command being typed.
        drawn_under(lines, cursor[1], time)
        return
    if cursor is None or cursor[1] not in lines.leads:
        return
    drawn_under(lines, cursor[1], time)


def _waits_on(lines: Lines, y: int) -> bool:
    """Whether a prompt waited on row y, nothing typed after it, at the screen before."""
    return lines.waiting is not None and lines.waiting[0] == y and y not in lines.leads


def field(lines: Lines, y: int, time: float) -> bool:
    """Whether row y, the cursor's, was drawn at `time` right under a command being
    typed (its last row), the line editor keeping the keys since the screen before (no
    command ran: bash's Enter lets go of them, `?2004l`, before the output and the next
    prompt)."""
    if not lines.kept_keys or not 0 < y < len(lines.texts) or lines.since[y] != time:
        return False
    above = y - 1
    while above > 0 and above not in lines.leads and lines.wraps[above - 1]:
        above -= 1  # (the first row of a command wrapped onto the rows above)
    return above in lines.leads


def drawn_under(lines: Lines, y: int, time: float, apart: bool = False) -> None:
    """The rows drawn at `time` under the line editor's row y (a command being typed, or
    a prompt waiting: ptpython's status bar at the bottom row) are its own (`menu`);
    `apart`: only those below a blank row (the shell's lines restored under a prompt, a
    screen drawn whole, are not)."""
    while y < len(lines.wraps) - 1 and lines.wraps[y]:
        y += 1  # (the command's own rows)
    if apart:
        y += 1
        while y < len(lines.texts) and not lines.texts[y].strip():
            y += 1
        if y == len(lines.texts) or not lines.texts[y - 1].strip():
            y -= 1  # (the rows from the first below a blank one)
        else:
            return
    for below in range(y + 1, len(lines.texts)):
        if lines.since[below] == time and lines.texts[below].strip():
            lines.since[below] = TAKEN
            lines.menus[below] = (lines.texts[below], lines.scrolls)


def prompt_head(lines: Lines, y: int) -> None:
    """A command's first key on row y, after its prompt: the row above is the first line
    of a two-line prompt (`PS1='\\n\\w on  main\\n❯ '`: a blank row, the information
    line, the prompt, drawn together) if it was drawn with the prompt, under a blank row
    or on the top row (`┌─[root]─[~]` as the shell starts, review-exports9 item 8), or
    found there above the prompt before, under other lines, not under the command
    (fish's `~` under its greeting and under each command's output; not pdb's `-> code`
    line, another at each `(Pdb)`), or if it is such a line with its end changed (`+-
    me@box ~` after `cd notes`: `+- me@box ~/notes`, review-exports12 item 3, drawn
    with ESC 7 / ESC 8 or after a `\\n`).
    It says who and where the session is (user, host, working directory), which a
    listener needs when the session starts and when it changes (review-exports13 item
    14): told the first time it is drawn (on the top row as the shell starts too), then
    again only when a word of it other than a clock or status changes (`~` to
    `~/notes` after `cd notes`); not after every command's output, nor when only its
    clock moved (`⏱ 09:24:05`, review12_dlg2)."""
    if y < 1 or not lines.texts[y - 1].strip() or lines.since[y - 1] != lines.since[y]:
        return
    head = _bare(lines.texts[y - 1])
    if ticking(head):
        # (clocks and statuses alone, a right-aligned clock drawn twice after a resize
        # rewrapped the row: nothing a listener needs, review-exports14 item 10)
        lines.since[y - 1] = TAKEN
        return
    if head in lines.prompt_heads:
        lines.since[y - 1] = TAKEN
        return
    like = _like_a_head(lines, head)
    if like is not None:
        if _ticked(like, head):
            lines.since[y - 1] = TAKEN
        else:
            _tell(lines, y - 1, head)  # (news: told, from when it was drawn)
        return
    above = _bare(lines.texts[y - 2]) if y > 1 else ""
    if above.strip():
        last, lines.head_candidate = lines.head_candidate, (head, above)
        if y - 2 in lines.leads or last[0] != head or last[1] == above:
            return  # (a prompt's, if it comes again above the next, under other output)
        lines.since[y - 1] = TAKEN  # (told the first time, as output: now known)
        _remember(lines, head)
        return
    _tell(lines, y - 1, head)


def _tell(lines: Lines, y: int, head: str) -> None:
    """The prompt's first line on row y is told now, as drawn (a `clear` may draw the next
    head, longer, on its row: not more of this line), and known from now on."""
    if lines.since[y] >= 0 and not lines.muted:
        told = unindented(lines.texts[y], lines.remains.get(y, ()))
        lines.taken.append((lines.since[y], told))
        lines.places.append((lines.born[y], lines.scrolls + y))
    lines.since[y] = TAKEN
    _remember(lines, head)


def _remember(lines: Lines, head: str) -> None:
    lines.prompt_heads[head] = None
    while len(lines.prompt_heads) > MAX_PROMPTS:
        del lines.prompt_heads[next(iter(lines.prompt_heads))]


def _like_a_head(lines: Lines, head: str) -> str | None:
    """The known prompt head `head` is with its end changed (the directory, a branch, a
    clock): the same start, `HEAD_START` characters or more and at least half of the
    shorter, and the rest one word (no blank in it: not output that repeats a prompt's
    start and goes on in words); else None. The newest such head first."""
    for known in reversed(lines.prompt_heads):
        pairs = enumerate(zip(known, head, strict=False))
        size = next((i for i, (a, b) in pairs if a != b), min(len(known), len(head)))
        long = size >= max(HEAD_START, min(len(known), len(head)) / 2)
        if long and " " not in head[size:].strip() and " " not in known[size:].strip():
            return known
    return None


def _ticked(known: str, head: str) -> bool:
    """Whether `head` differs from `known` only in clock and status words (`09:24:05`,
    a took-time `2s` or `1m3s`, an exit status `1`, `✔` to `✘`): what moves at every
    prompt and says nothing new; a directory or a branch is news."""
    old, new = known.split(), head.split()
    if len(old) != len(new):
        return False
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    return all(_STATUS.fullmatch(a) and _STATUS.fullmatch(b) for a, b in changed)


def ticking(head: str) -> bool:
    """Whether a prompt's first line is clock and status words alone, a time among them
    (`16:49:00`, `16:49:00 ✘ 1`): it moves at every prompt and says nothing else."""
    words = head.split()
    return any(":" in word for word in words) and all(_STATUS.fullmatch(w) for w in words)


# A word of numbers, times and durations between marks, or of marks alone: no name, no path
_STATUS = re.compile(r"[^\w/~]*(?:(?:\d+(?:[.:,]\d+)*(?:ms|us|µs|[smhd%])?)+[^\w/~]*)?")


def abandoned(lines: Lines, y: int, old: str, time: float) -> None:
    """Everything typed after the prompt on row y, `old`, was taken away (Ctrl-U, Ctrl-W,
    backspaces; a REPL's line cleared): that line is done, told as typed (from its first
    key, ending now) if a person could read it, and the next key typed there starts
    another command, its own cue from that key. Not a command run before, recalled from
    the history (Up, Down: IPython's `In [3]: g(1, 2)` browsed past), which says nothing
    new."""
    since = lines.since[y]
    if (
        since >= 0
        and time - since >= MERGE_SECONDS
        and not lines.muted
        and not _recalled(lines, y, old)
    ):
        lines.taken.append((since, without_head(lines, since, old)))
        lines.places.append((lines.born[y], lines.scrolls + y))
        lines.ends[len(lines.taken) - 1] = time
        lines.commands.add(len(lines.taken) - 1)
    lines.leads.pop(y, None)
    lines.rights.pop(y, None)
    lines.since[y] = time
    lines.born[y] = lines.epoch


def _recalled(lines: Lines, y: int, old: str) -> bool:
    """Whether the command on row y, `old`, is one typed before (on a command row still
    shown, or told), after whatever prompt."""
    lead = lines.leads.get(y, "")
    typed = old[len(lead) :].strip() if old.startswith(lead) else ""
    if not typed:
        return False
    shown = (
        lines.texts[row][len(before) :].strip()
        for row, before in lines.leads.items()
        if row != y and row < len(lines.texts) and lines.texts[row].startswith(before)
    )
    told = (lines.taken[i][1] for i in lines.commands)
    return typed in shown or any(line.endswith(" " + typed) for line in told)


def without_head(lines: Lines, since: float, text: str) -> str:
    """A command line typed from `since` without the output told before it on its row
    (`output_before`)."""
    head = lines.heads.pop(since, None)
    return text[len(head) :] if head is not None and text.startswith(head) else text


def is_typed(lines: Lines, y: int, text: str) -> bool:
    """Whether row y, now `text`, is a command typed: one typed after a prompt the
    cursor waited at (`leads`), or a row that grew after it appeared (the keys echoed
    one by one; typed ahead, the first arrives with the prompt, which never waits)."""
    if y in lines.leads:
        return True
    first = lines.first[y] if 0 <= y < len(lines.first) else ""
    return bool(first.strip()) and _bare(text) != _bare(first) and text.startswith(first)


_RIGHT = re.compile(r"(.*\S) {2,}(\S.*)")  # a row's text, a gap, and what ends the row


def right_redrawn(old: str, new: str, right: str) -> str:
    """The right prompt a command row (`old`, kept without it) now ends with, if another
    of the same width was written where `right` was (a clock a prompt command rewrites
    at each prompt: `[23:43:32]`, then `[23:43:44]`), else ""."""
    match = _RIGHT.fullmatch(new.rstrip())
    if match is None or match[2] == right or len(match[2]) != len(right):
        return ""
    return match[2] if match[1] == old.rstrip() else ""


def right_kept(old: str, new: str, cols: int) -> str:
    """The right prompt (zsh's RPROMPT) both texts of a row end with at its right edge, if
    the text left of it grew (a command typed there), else ""."""
    a, b = _RIGHT.fullmatch(old.rstrip()), _RIGHT.fullmatch(new.rstrip())
    if a is None or b is None or len(old.rstrip()) != len(new.rstrip()):
        return ""
    if len(new.rstrip()) < cols - 2 or a[2] != b[2] or a[1] == b[1]:
        return ""
    return b[2] if b[1].startswith(a[1]) else ""
