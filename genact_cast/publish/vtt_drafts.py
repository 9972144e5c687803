"""A command line redrawn under a completion list (publish/vtt_lines.py): bash with
`show-all-if-ambiguous` (or Tab Tab) prints the candidates under the line being typed and
draws the prompt and that line again under them; what was typed above is a draft of the
line that goes on below, which alone is told, from the draft's first key (a command is
told from its first key); the same list drawn again for it (Tab Tab Tab) is not told
again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.publish.vtt_marks import MAX_PROMPTS, TAKEN
from genact_cast.publish.vtt_prompts import _RIGHT, abandoned, prompt_head, ticking
from genact_cast.publish.vtt_sessions import PROMPTS
from genact_cast.publish.vtt_text import bare

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


def redrawn(lines: Lines, y: int, text: str, time: float) -> None:
    """Row y shows a new line, `text`, drawn at `time`: if it is a command being typed
    above (on a row still shown, or one that scrolled away since the last screen) drawn
    again after rows drawn with it (the list), that draft is not told and row y is the
    command, typed after the same prompt."""
    line = bare(text)
    for at in sorted(lines.leads, reverse=True):
        if at >= y:
            continue
        draft = bare(lines.texts[at])
        between = range(at + 1, y)
        shown = tuple(lines.texts[b] for b in between if lines.texts[b].strip())
        if (
            len(draft) > len(bare(lines.leads[at]))  # (something typed after the prompt)
            and line.startswith(draft)
            and shown
            # (drawn with it, the list, and blank rows: node's REPL leaves one)
            and all(lines.since[b] == time or not lines.texts[b].strip() for b in between)
        ):
            if lines.since[at] >= 0:
                lines.since[y], lines.born[y] = lines.since[at], lines.born[at]
            lines.since[at] = TAKEN
            lines.leads[y] = lines.leads.pop(at)
            lines.rights[y] = lines.rights.pop(at, "")
            if lines.listed == (draft, shown):  # the same list again (Tab Tab Tab)
                for b in between:
                    lines.since[b] = TAKEN
            lines.listed = (draft, shown)
        return  # (only the nearest command row above is a draft)
    scrolled = lines.scrolled_typed
    if scrolled is None:
        return
    index, draft, lead = scrolled
    drawn = any(lines.texts[b].strip() and lines.since[b] == time for b in range(y))
    listed = drawn or index + 1 < len(lines.taken)  # (the list: on the screen, or gone)
    if len(draft) > len(bare(lead)) and line.startswith(draft) and listed:
        since, _ = lines.taken[index]
        lines.taken[index] = (since, "")  # (a blank line is in no cue)
        lines.since[y] = since
        lines.commands.discard(index)
        lines.leads[y] = lead
        lines.scrolled_typed = None


def typed_ahead(lines: Lines, y: int, text: str, time: float) -> None:
    """Row y shows a new line, `text`, whole, at `time`: if it is a prompt seen before and a command
    after it, and that command is a line of output above it, since the last command row
    (keys typed while a command ran, echoed by the terminal, then drawn again by the
    shell after its prompt: `sleep 2`, then `echo ahead` typed), the echo was the command
    typed ahead: it is told once, as row y reads, from the echo's first key."""
    for known in [*lines.known_prompts, *_first_prompt(text)]:
        start = text.find(known + " ")
        if start < 0:
            continue
        # (before the prompt: the echo of the next command's first keys, typed as the
        # shell drew it: `ec$ echo one`, told without it)
        head, command = text[:start], bare(text[start + len(known) + 1 :])
        right = _right_prompt(command)
        command = command[: len(command) - len(right)].rstrip() if right else command
        if not command.strip() or " " in head:
            return
        for at in range(y - 1, -1, -1):
            if at in lines.leads and lines.since[at] not in lines.ahead:
                return  # (the command that ran; not one typed ahead with this one)
            if bare(lines.texts[at]) == command and 0 <= lines.since[at] < time:
                prompt_head(lines, y)  # (a two-line prompt's first line drawn with it)
                lines.since[y], lines.born[y] = lines.since[at], lines.born[at]
                lines.since[at] = TAKEN
                lines.leads[y] = head + known + " "
                if right:  # (its clock, no part of the command)
                    lines.rights[y] = right
                lines.ahead[lines.since[y]] = None
                if head:
                    lines.heads[lines.since[y]] = head
                while len(lines.ahead) > MAX_PROMPTS:
                    del lines.ahead[next(iter(lines.ahead))]
                return
        return


def _first_prompt(text: str) -> list[str]:
    """The prompt a row starts with, up to its first prompt mark (`╰─❯`), for a command
    typed ahead before the shell drew its first prompt: zsh drawing it, the command, its
    output and the next prompt in one write (review-exports14 item 11), no prompt known
    yet. None if the row has no mark."""
    ends = [text.find(mark) for mark in PROMPTS if text.find(mark) > 0]
    return [text[: min(ends) + 1]] if ends else []


def _right_prompt(command: str) -> str:
    """The right prompt a command row ends with, if its words are clocks and statuses
    after a gap (`16:52:44`, `✘ 1 16:52:45`), else ""."""
    found = _RIGHT.fullmatch(command.rstrip())
    return found.group(2) if found and ticking(found.group(2)) else ""


def echoed_before_prompt(lines: Lines, y: int, text: str) -> None:
    """Row y, now `text`, holds a prompt seen before drawn after the echo of keys typed
    before the shell drew it (review-exports13 item 5: `TERM` typed while ipython was
    exiting, then the prompt and the line drawn again with them: `TERMme@box:~$
    TERM=xterm-mono htop`; or after the last prompt, which the shell drew again with
    them: `me@box:~$ lsme@box:~$ ls -la`): the echo, a start of the command drawn after
    the prompt, is the same keys; the line is told from the prompt on, from the first
    key, and the command is what follows that prompt (the program it runs is named by it,
    not by the echo and the prompt glued to it). Whatever the prompt's state when the
    keys came: before it, after it, or after a prompt left with nothing typed."""
    for known in lines.known_prompts:
        start = text.rfind(known + " ")
        if start <= 0:
            continue
        head = text[:start]
        echo = head
        for earlier in lines.known_prompts:
            if echo.startswith(earlier + " "):
                echo = echo[len(earlier) + 1 :]
                break
        command = text[start + len(known) + 1 :]
        if not echo.strip() or not command.startswith(echo):
            continue
        lead = head + known + " "
        if lines.leads.get(y) == lead:
            return
        lines.heads[lines.since[y]] = head
        lines.leads[y] = lines.first[y] = lead
        while len(lines.heads) > MAX_PROMPTS:
            del lines.heads[next(iter(lines.heads))]
        return


def edited_after(lines: Lines, y: int, old: str, text: str, time: float) -> None:
    """Row y, the cursor on it, showed `old`, a prompt seen before and text after it that
    no key was typed on (a line recalled and cut before the cursor with Ctrl-U: the rest
    stays after the cursor), and now `text`, the same prompt with keys typed in front of
    that text (review-exports13 item 10: bash redraws from the cursor at each key, so the
    row was written over, a new line at each burst of keys). It is a command typed after
    that prompt, from its first key; cut again to the text left, it was given up."""
    for known in lines.known_prompts:
        lead = known + " "
        rest = old[len(lead) :]
        if old.startswith(lead) and text.startswith(lead) and rest and text.endswith(rest):
            lines.leads[y] = lines.first[y] = lead
            lines.tails[y] = rest
            lines.since[y] = time
            lines.born[y] = lines.epoch
            return


def cut_before_cursor(
    lines: Lines,
    y: int,
    old: str,
    text: str,
    lead: str,
    cursor: tuple[int, int] | None,
    time: float,
) -> bool:
    """Row y, a command line after `lead`, went from `old` to `text`: True if the line
    before the cursor was cut with text left after it (Ctrl-U in a line, again after keys
    typed in front of that text): what was typed is given up, told as typed (`abandoned`),
    and the next key starts another command. The first key typed in front of the text left
    starts the command's time."""
    tail = lines.tails.get(y)
    if tail is not None and not text.endswith(tail):
        del lines.tails[y]  # (the text left after the cursor is gone)
        tail = None
    at = cursor[0] if cursor is not None and cursor[1] == y else -1
    rest = text[at:] if at > 0 else ""
    if tail is None:
        before = bare(text[: max(at, 0)]) == bare(lead)
        if y in lines.leads and before and rest and len(old) > len(text) and old.endswith(rest):
            abandoned(lines, y, old, time)
            lines.tails[y] = rest
            return True
        return False
    if bare(text[: len(text) - len(tail)]) == bare(lead) and old not in (text, lines.first[y]):
        abandoned(lines, y, old, time)  # (cut again: the text left stays)
        return True
    if old == lines.first[y]:
        lines.since[y] = time  # (the first key typed in front of it)
    return False
