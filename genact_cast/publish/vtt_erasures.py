"""Transient text in the subtitles' lines (publish/vtt_lines.py): rows erased or written over
in place, and whether what was there is told. A line erased and drawn again (a progress
bar, a dashboard, a command line edited) goes on; one erased for good, or written over with
another line, is done at that moment. Apart from the row bookkeeping because the decision
waits for the next screen (`settle`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from genact_cast.publish.eol_marks import unmarked
from genact_cast.publish.screens import Row, row_text
from genact_cast.publish.vtt_cues import MERGE_SECONDS, same_line
from genact_cast.publish.vtt_marks import MAX_PROMPTS, READ_SECONDS, REDRAW_SECONDS, TAKEN
from genact_cast.publish.vtt_prompts import _RIGHT, is_typed, ticking, without_head
from genact_cast.publish.vtt_remains import unindented, unleft
from genact_cast.publish.vtt_sessions import without_right_prompt
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import joined, rewritten, words

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines

# Readline's incremental search (bash, Python's REPL, psql: Ctrl-R, Ctrl-S) shows its state
# where the prompt was, `(reverse-i-search)`al': ` then the line it found, redrawn at each
# key typed into the search (isearch.c, rl_display_search: `(`, `failed `, `reverse-`,
# `i-search)``, the search string, `': `).
SEARCHING = re.compile(r"\((failed )?(reverse-)?i-search\)`.*': ")


def erase(
    lines: Lines,
    y: int,
    row: Row,
    time: float,
    line_erased: bool = False,
    wrapped: bool | None = None,
) -> None:
    """Row y, showing `row`, was blanked: decided when the row is next seen (`_settle`).
    Its text is the row's as erased when that is more of the line shown (typing that
    went on after the last screen), else the line shown; a line written since the last
    screen and erased before the next is told as a line that scrolled away unseen is
    (`seq 20; clear` in one read of a 10-row terminal: all twenty), unless the
    erasure was of the cursor's line (`line_erased`: EL, ECH): a line drawn and drawn
    over in place before any screen showed it (fish's `⏎` mark for output without a
    newline, a spinner's frame). A command line typed after a prompt and erased at the
    cursor, then drawn again after the same prompt, is that command line edited (a
    shell's grey suggestion taken away, a completion): it goes on, not told apart."""
    program: tuple[str, ...] = ()  # (what a program left there is no line: gone now)
    if y in lines.remains:
        row = unleft(lines, y, row)
        program = lines.remains.pop(y, ())
    # (a shell's mark for output with no newline, as reading leaves it out: zsh's `#`
    # after output a killed program's raw tty left without a carriage return, erased by
    # `reset`, is no line, review-exports19 item 13)
    row = unmarked(row, lines.cols, bool(wrapped))  # (None: fish's alone)
    lines.cleared.add(y)
    if not line_erased:
        lines.screen_erased.add(y)
        lines.whole_erased.add(y)
    left = lines.prompts.pop(y, None)
    if y < len(lines.texts) and left == _bare(row_text(row)) == _bare(lines.texts[y]):
        lines.since[y] = TAKEN  # (a prompt left with nothing typed: no line)
    if lines.muted:
        lines.wiped[y] = lines.updates
    if y >= len(lines.texts) or y in lines.erased:
        lines.leads.pop(y, None)  # (a prompt drawn here next is a new one)
        lines.rights.pop(y, None)
        return
    shown = lines.texts[y]
    # Whether the line went on in the row below: as the terminal had the row when it was
    # erased (`wrapped`), not as the last screen showed it. A command pasted or scripted
    # in one write is echoed and cleared (`clear` run at once) before any screen shows it:
    # its wrap was known only then (review-exports17 item 17: the command told as two
    # lines, `...; s` and `leep 0.6; done`).
    wrapped = wrapped if wrapped is not None else y < len(lines.wraps) and lines.wraps[y]
    head = y - 1  # (a command line being edited wraps onto this row from the one above)
    while 0 < head < len(lines.wraps) and lines.wraps[head - 1] and head not in lines.leads:
        head -= 1  # (from its first row: a line on three rows and more)
    if (
        0 <= head < len(lines.wraps)
        and lines.wraps[head]
        and (head in lines.leads or SEARCHING.match(lines.texts[head]))
        and head not in lines.erased
    ):
        # The rest of a command line the line editor erases with it (Ctrl-U on a long
        # line recalled with ↑): its head decides, not told apart as its own line
        # (review-exports14 item 18: its second row alone was told); so is a reverse
        # search's, drawn over the prompt (review-exports19 #15: the entry it found
        # wrapped onto a third row, `d`, told alone as Enter erased it). A head erased
        # whole before it (`clear` run by the command) is taken with its rest joined
        # (`settle`): review-exports17 item 17, `...; s` told without `leep 0.5; done`.
        return
    typed = is_typed(lines, y, shown)
    lead, right = lines.leads.get(y, ""), lines.rights.get(y, "")
    if not (line_erased and lead and typed):
        lines.leads.pop(y, None)
        lines.rights.pop(y, None)
    text = without_right_prompt(lines._text(row, wrapped), lead, right)
    # (a line erased at the cursor under `MERGE_SECONDS` after a screen showed it is a
    # state nobody gets to read, as one never shown: fish's `⏎` mark, its row erased as
    # the prompt is drawn, its write split from the erasure, review-exports12 item 6)
    # (so is one a clear below the cursor took: an inline picker's list redrawn with
    # `ESC[nA ESC[J` at each key, its state for the query `a` shown 92 ms, its `date`
    # told among the lines for `an`, review-exports15 item 1)
    # (not the rest of a line whose start was just erased: it is told with it)
    rest = head in lines.erased and lines.erased[head][2]
    glimpsed = not (typed or rest) and 0 <= time - lines.since[y] < MERGE_SECONDS
    if glimpsed and not wrapped:
        return
    if shown.strip() and lines.since[y] >= 0:  # (since below 0: taken before)
        # (the line shown without its right prompt: fish's clock, drawn at the end of
        # the row a command pasted in one write then fills, review-exports19 item 5)
        kept = _bare(without_right_prompt(shown, lead, right))
        clock = _RIGHT.fullmatch(kept)  # (one not known as the prompt's: a clock)
        if clock and ticking(clock.group(2)) and not text.startswith(kept):
            kept = clock.group(1)
        text = text if text.startswith(kept) else shown
        since = lines.since[y]
        if left is not None and left == _bare(shown) and _bare(text) != left:
            # A command typed at the prompt shown waiting, erased before a screen showed
            # it (vim on TERM=vt100 clears the screen 6 ms after the echo): a command,
            # told from when it was seen, not from the prompt (review-exports17 items
            # 12 and 16: the cue ended as the command appeared, the program unnamed).
            since, typed = time, True
        if unindented(text, program) != text:  # (the program's cells before it: not told)
            lines.unindent[(since, text)] = None
            while len(lines.unindent) > MAX_PROMPTS:
                del lines.unindent[next(iter(lines.unindent))]
        lines.erased[y] = (since, text, wrapped, time, lines.born[y], typed)
        if y in lines.leads:
            lines.edited[y] = lead
    elif not shown.strip() and row_text(row).strip():
        if line_erased:
            return  # (never shown)
        unseen = (time, row_text(row), False, time, -1 - lines.epoch, False)
        lines.erased[y] = unseen
    else:
        return
    lines.epoch += 1  # what is written next comes after the erased line


def settle(lines: Lines, news: dict[int, str], now: float | None = None) -> None:
    """Erased rows as they are drawn now: one redrawn with the same line goes on as
    that line; any other erased line is done, ending at its erasure. At `now` (a
    screen, not the end), a line whose row is still blank waits up to `REDRAW_SECONDS`
    for the redraw: a dashboard's redraw may reach two screens."""
    gone: list[tuple[int, float, str, bool, float, int, bool]] = []
    waiting = {}
    used: set[int] = set()
    fresh = _another_frame(lines, news)
    for y in sorted(lines.erased):
        since, old, wrapped, time, born, typed = lines.erased[y]
        lead = lines.edited.get(y)
        if lead is not None and news.get(y, "").startswith(lead):
            continue  # the command line edited (see `erase`): it goes on
        first = lines.first[y] if 0 <= y < len(lines.first) else ""  # (its prompt; a row
        # erased, then scrolled away in the same read, is above the screen: below 0)
        if typed and (raised := _raised(lines, y, old, lead or first, news)) is not None:
            # The line editor drew the command again higher up, over the rows it erased
            # with it (zsh's transient prompt: `zle-line-finish` collapses a two-line
            # prompt to `❯ cmd`, or to another prompt): the same command line, moved,
            # told once from its first key.
            lines.raised[raised[0]] = (since, born, raised[1])
            continue
        above = lines.erased.get(y - 1)
        if above is not None and above[2]:  # the rest of a wrapped line: as its start
            if y - 1 in waiting:
                waiting[y] = lines.erased[y]
            elif gone and gone[-1][0] == y - 1:
                gone.append((y, since, old, wrapped, time, max(born, -1 - born), False))
            continue
        if born < 0:  # never shown: one of a bar's redraws between two screens, say
            born = -1 - born
            if any(same_line(old, new) for new in news.values()):
                continue
        else:
            # The same line may be drawn lower: a live block or a progress bar moves
            # down under lines printed above it. Each row of the new screen is one line.
            again = next(
                (b for b in sorted(news) if b >= y and b not in used and same_line(old, news[b])),
                None,
            )
            # (a line a person read, a second or more, written over with other words:
            # `pending` to `done (1.2s)`, docker compose's and buildkit's task lines, is
            # told as it was, then as it is: review-exports8 item 14)
            read = now is not None and now - since >= READ_SECONDS
            if again is not None and not fresh and not (read and rewritten(old, news[again])):
                used.add(again)
                continue
        # (another frame: its lines are not waited for, `tick 2` is not `tick 3`'s first value)
        if (
            not fresh
            and now is not None
            and now - time < REDRAW_SECONDS
            and not news.get(y, "").strip()
        ):
            waiting[y] = lines.erased[y]
            continue
        gone.append((y, since, old, wrapped, time, born, typed))
    for y, _, old, *_ in gone:
        if 0 <= y < len(lines.texts) and old.startswith(_bare(lines.texts[y])):
            lines.texts[y] = ""  # (unless a line was written there since)
    lines.erased = waiting
    lines.whole_erased &= set(waiting)  # (a clear's rows still waiting for their redraw)
    for y in [y for y in lines.edited if y not in waiting]:
        if not news.get(y, "").startswith(lines.edited.pop(y)):
            lines.leads.pop(y, None)  # (not that command line: a prompt here is new)
            lines.rights.pop(y, None)
    if lines.muted:
        gone = []
    going = -1  # the taken line a wrapped erased row goes on in
    # A line shown under a second and erased, the same as a command line typed and still
    # shown (a block the line editor recalled from the history and browsed past: IPython's
    # `...:` lines of a `def` run before), says nothing new (review-exports8 item 10).
    still = {
        _bare(text)
        for row, text in enumerate(lines.texts)
        if text.strip() and row < len(lines.first) and is_typed(lines, row, text)
    }
    for index, (y, since, old, wrapped, time, born, typed) in enumerate(gone):
        if not (typed or wrapped) and going < 0 and _bare(old) in lines.known_prompts:
            # (a prompt commands were typed after, left with nothing typed: zsh's `% `
            # drawn, then a job's notice under it and the prompt again, in one write, the
            # cursor never waiting there; no line, review-exports17 low #4)
            continue
        again = _bare(old) in still and time - since < READ_SECONDS
        if again and not (typed or wrapped) and going < 0:
            continue
        if going >= 0 and gone[index - 1][0] == y - 1:
            start, before = lines.taken[going]
            lines.taken[going] = (start, joined(before, old))
        else:
            if lines.unindent.pop((since, old), 0) is None:
                old = old.lstrip(" ")  # (see `erase`: not indentation)
            lines.taken.append((since, without_head(lines, since, old) if typed else old))
            lines.places.append((born, lines.scrolls + y))
            going = len(lines.taken) - 1
            lines.ends[going] = time
            if typed:
                lines.commands.add(going)
        if not wrapped:
            going = -1


def _another_frame(lines: Lines, news: dict[int, str]) -> bool:
    """Whether the screen a clear erased is drawn again as another: a row that showed a
    line is drawn with another line, that line shown on no row at or under it (a loop
    of `clear; date +%N; echo tick $i`: `83` then `46`, each frame the player shows for
    0.6 s, review-exports17 item 18). Then none of its lines is redrawn in place (`tick
    2` after `tick 1` is that frame's line, told in its order, not a redraw of `tick
    1`); a dashboard redrawn after a clear, every line the same but its numbers, is."""
    for y, (_, old, _, _, born, typed) in lines.erased.items():
        new = news.get(y, "")
        if born < 0 or typed or y not in lines.whole_erased or not new.strip():
            continue
        if not any(b >= y and same_line(old, news[b]) for b in news):
            return True
    return False


def _raised(
    lines: Lines, y: int, old: str, lead: str, news: dict[int, str]
) -> tuple[int, str] | None:
    """The row above y, blanked by the same erasure (the cursor went up to it first),
    that now shows the erased command line `old` again, after its prompt `lead` or
    another one, if any: (the row, the prompt there)."""
    command = _bare(old[len(lead) :]) if lead and old.startswith(lead) else ""
    b = y - 1  # (up over the rows erased with it, and blank ones: a prompt's first line)
    while b >= 0 and (b in lines.cleared or not lines.texts[b].strip()):
        new = _bare(news.get(b, ""))
        if new == _bare(old):
            return b, lead
        if command.strip() and new.endswith(command) and len(new) > len(command):
            return b, new[: len(new) - len(command)]
        b -= 1
    return None


def overwritten(lines: Lines, y: int, old: str, text: str, time: float, wraps: list[bool]) -> None:
    """Row y, shown with `old`, is written over in place with another line (`\\e[6H`
    then text, a make-style status rewritten after `\\e[2A`): the line shown is told,
    whole (with the rows it wrapped onto, as `wraps` had them), ending now. A redraw of
    the same line (a progress bar, a dashboard's numbers) is not: one whose words are
    the same (`rewritten`), nor one shown for less than `MERGE_SECONDS` (bash's
    reverse search redrawn at each key: a state a person does not get to read). A line
    with no words (`c`, `42`) read (shown `READ_SECONDS`) and written over with words is
    another line too (review-exports15 item 14: `c`, left under a program's rewrite, then
    written over by the next command's output, was never told)."""
    start = not (0 < y <= len(wraps) and wraps[y - 1])  # (not the rest of a line)
    if not (start and old.strip() and lines.since[y] >= 0 and not lines.muted):
        return
    if time - lines.since[y] < MERGE_SECONDS:
        return
    read = time - lines.since[y] >= READ_SECONDS and not words(old) and bool(words(text))
    if y in lines.leads or not (rewritten(old, text) or read):
        return  # (a prompt and its command: told as typed)
    if lines.left_prompt(y, old):
        return  # (a prompt left with nothing typed, written over by its line editor:
        # Ctrl-R's `(reverse-i-search)`, review-exports9 item 8)
    if SEARCHING.match(old):
        return  # (a state of a search typed at a person's pace, each key's match shown
        # over a second: the command it finds is told as it runs, review-exports18 item 6)
    rest = y
    while rest < min(len(wraps), len(lines.texts) - 1) and wraps[rest]:
        rest += 1
        old = joined(old, lines.texts[rest])
        lines.since[rest] = -1.0  # (told with it)
    lines.taken.append((lines.since[y], old))
    lines.places.append((lines.born[y], lines.scrolls + y))
    lines.ends[len(lines.taken) - 1] = time


def command_redrawn(lines: Lines, y: int, old: str, text: str, time: float) -> bool:
    """Whether row y's command line, typed after its prompt, is drawn over in place by its
    line editor with the same command after another start: prompt_toolkit redraws the
    line as Enter is pressed, going back by its own count of the cells, so after emoji it
    counts otherwise its prompt lands inside the old one (`In In [5]: '中文 ❤️ 👨‍👩‍👧'`,
    review-exports18 item 2: the command, on the player's screen for 1.8 s as typed, was
    told only from the redraw). The command is told as typed, from its first key, ending
    now; the redraw is no new line."""
    lead = lines.leads.get(y, "")
    command = old[len(lead) :].rstrip() if lead and old.startswith(lead) else ""
    if not command or lines.since[y] < 0 or text.rstrip() == old.rstrip():
        return False
    if not text.rstrip().endswith(command) or text.startswith(old.rstrip()):
        return False
    lines._take(lines.since[y], old, False, y, lines.born[y], True)
    lines.ends[len(lines.taken) - 1] = time
    return True


def another(old: str, text: str) -> bool:
    """Whether `text`, written over a row that showed `old`, is another line (not a
    redraw of it: a progress bar, a dashboard's numbers)."""
    return bool(old.strip()) and (rewritten(old, text) or not same_line(old, text))
