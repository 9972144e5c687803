"""How one screen read changes the subtitles' lines (publish/vtt_lines.py, `Lines.update`):
each row's new text against what it showed, a command's first key after a prompt, a question
a program asks, a row written over or redrawn in place; then the cursor's row, the line
editor's menu and the prompt waiting. Apart from the rows' state, which vtt_lines.py keeps,
because this is the one pass over a screen that calls on every other vtt_* module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.publish.eol_marks import missing_newline_mark, unmarked
from genact_cast.publish.screens import Row
from genact_cast.publish.vtt_drafts import (
    cut_before_cursor,
    echoed_before_prompt,
    edited_after,
    redrawn,
    typed_ahead,
)
from genact_cast.publish.vtt_erasures import command_redrawn, overwritten, settle
from genact_cast.publish.vtt_marks import MAX_PROMPTS, TAKEN
from genact_cast.publish.vtt_prompts import (
    abandoned,
    drawn_under,
    menu,
    output_before,
    prompt_head,
    right_kept,
    right_redrawn,
)
from genact_cast.publish.vtt_redraws import mark, redrawn_in_place, unmark
from genact_cast.publish.vtt_remains import passed, unleft, written_in
from genact_cast.publish.vtt_sessions import prompt, waiting_prompt, without_right_prompt
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import same_words

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines

QUESTION_ENDS = "?:]"  # how a question (a field, `[y/N]`) ends; not `(Pdb) `, a prompt


def read_screen(
    lines: Lines,
    rows: tuple[Row, ...],
    time: float,
    cols: int,
    wrapped: frozenset[int],
    cursor: tuple[int, int] | None = None,
    paste: bool = False,
    wrote: tuple[tuple[int, int, int], ...] = (),
) -> None:
    """The screen now shows `rows` (`cols` wide, `wrapped` rows going on in the next),
    the cursor at `cursor`, at `time`; `paste`: keys pasted; `wrote`: the cells written
    with a character since the screen before, (row, first, end) (`Screen.wrote`)."""
    lines.cols = cols
    lines.cursor = cursor
    lines.updates += 1
    lines.pasting = lines.pasting or paste
    lines._region_open = None
    # (a shell's mark for output without a final newline ends that line, not told:
    # eol_marks.py, review-exports15 items 9 and 12)
    marked = frozenset(y for y in wrapped if missing_newline_mark(rows[y], cols))
    rows = tuple(unmarked(row, cols, y in marked) for y, row in enumerate(rows))
    wrapped = wrapped - marked
    if cursor is not None and cursor[1] < len(rows):
        passed(lines, rows[cursor[1]], cursor)
    rows = tuple(unleft(lines, y, row, written_in(wrote, y)) for y, row in enumerate(rows))
    news = [lines._text(row, y in wrapped) for y, row in enumerate(rows)]
    blanked = set(lines.erased)  # (rows an erasure reached: its lines are told there)
    if lines.erased:
        settle(lines, dict(enumerate(news)), time)
    while len(lines.texts) < len(rows):
        lines.texts.append("")
        lines.since.append(time)
        lines.born.append(lines.epoch)
    del lines.texts[len(rows) :], lines.since[len(rows) :], lines.born[len(rows) :]
    lines.first = (lines.first + [""] * len(rows))[: len(rows)]
    shown, lines.wraps = lines.wraps, [y in wrapped for y in range(len(rows))]
    carried: dict[int, tuple[float, int]] = {}  # rows a line redrawn in place moved to
    before = list(lines.texts)  # (the rows as the last screen showed them)
    for y, text in enumerate(news):
        old = lines.texts[y]
        here = lines.waiting is not None and lines.waiting[0] == y
        waited, right = lines.waiting[1:] if lines.waiting is not None and here else ("", "")
        if y not in lines.leads and text != old and cursor is not None and cursor[1] == y:
            edited_after(lines, y, old, text, time)  # (keys typed in front of text)
        lead = lines.leads.get(y, waited)
        right = lines.rights.get(y, right)
        if right and y in lines.leads and (again := right_redrawn(old, text, right)):
            right = lines.rights[y] = again  # (a clock rewritten there: not the command)
        if right and (y in lines.leads or (here and text != old)):
            text = news[y] = without_right_prompt(text, lead, right)
        if _bare(text) == _bare(old):
            pass  # (the same, wrapped now or no longer: a resize's rows met again)
        elif text != old and lead and y not in lines.leads and unmoved(rows[y], cursor, y, lead):
            # The prompt waiting drawn again with a right prompt, nothing typed (fish
            # draws the left one, then the right one, after a resize): the prompt still
            # waits, now with that right prompt, which no command typed there is
            # (review-exports22 #6: `λ echo narrow   ⎇ main 12:00`).
            lines.texts[y] = lines.first[y] = text
            continue
        elif text != old and lead and (indented(lead) or led(old, text, lead)):
            # The first key typed; after a prompt taken before (one a full-screen
            # program covered, restored as it exits) what is written is a new line.
            if cut_before_cursor(lines, y, old, text, lead, cursor, time):
                lines.texts[y] = lines.first[y] = text
                continue
            if y in lines.leads and _bare(text) == _bare(lead) != _bare(old):
                typed = lines.left_of_cursor.get(y, old)  # (not a grey suggestion)
                draft = lines.drafts.get(y)
                if draft and draft[0] == lines.since[y] and draft[1].startswith(typed.rstrip()):
                    typed = draft[1]  # (taken away a key at a time: as it was typed)
                abandoned(lines, y, typed, time)  # (Ctrl-U: the next key starts anew)
                lines.texts[y] = lines.first[y] = text
                continue
            # A question a program asks (`read -p "Your name? "`, `[Y/n] `: it ends
            # as a question or a field does, and the shell's line editor, which
            # brackets pastes, is not waiting) is told from when it was asked, with
            # the answer typed. (Python's `... ` is no question.)
            asked = lines.pasting and not paste and _bare(lead)[-1:] in QUESTION_ENDS
            asked = asked and _bare(lead) not in lines.known_prompts
            if y not in lines.leads and asked and lines.since[y] >= 0:
                # (its answer is told when typed: from this first key on)
                lines.answers[lines.since[y]] = (lead, time)
                while len(lines.answers) > MAX_PROMPTS:
                    del lines.answers[next(iter(lines.answers))]
            if y not in lines.leads and not asked:
                output_before(lines, y, lead, time)
                prompt_head(lines, y)
                lines.since[y] = time
                lines.born[y] = lines.epoch
            lines.leads[y] = lines.first[y] = lead
            lines.rights[y] = right
        elif lines.since[y] >= 0 and (tail := right_kept(old, text, lines.cols)):
            # Typed on a row whose prompt never waited (typed ahead), left of a right
            # prompt kept at the row's end: the same line growing, without the prompt.
            lines.leads.setdefault(y, "")
            lines.rights[y] = tail
            text = news[y] = without_right_prompt(text, "", tail)
        elif text != old and not (old and text.startswith(old) and lines.since[y] >= 0):
            redrawn_as_typed = False  # (a command line its line editor redrew: told as typed)
            if moved_down(lines, y, old, text, news):
                # (a line redrawn in place moved to the blank row under it, another
                # written where it was: tqdm.write's message over the bar, the bar drawn
                # again under it, review-exports15 item 11: each state it had there was
                # a cue of 0.1 s. It goes on there, its state not told here.)
                carried[y + 1] = (lines.since[y], lines.born[y])
                lines.since[y] = TAKEN
            elif y not in blanked and y in lines.leads and shown[y : y + 1] != [True]:
                redrawn_as_typed = command_redrawn(lines, y, old, text, time)
            elif y not in blanked:
                overwritten(lines, y, old, text, time, shown)
            lines.leads.pop(y, None)
            lines.rights.pop(y, None)
            # A new line here, not more of the same one; but a line redrawn in place
            # with the same words (a spinner's frame, a count, a dashboard's line a
            # clear redrew, a progress bar's `\r\e[K`) is told as the player shows
            # it over time (`_redrawn`).
            kept = {0, y} <= lines.screen_erased and same_words(old, text)
            if lines.since[y] >= 0 and same_words(old, text):
                # (a line wrapped over rows is told once, as last drawn)
                whole = not (shown[y : y + 1] == [True] or shown[y - 1 : y] == [True])
                redrawn_in_place(lines, y, old, time, y in blanked and not kept, whole)
            else:
                if unmark(lines, lines.since[y]):
                    mark(lines, time)  # (the row still redrawn in place)
                lines.since[y] = TAKEN if redrawn_as_typed else time  # (`command_redrawn`)
                lines.born[y] = lines.epoch
            redrawn(lines, y, text, time)  # (a command redrawn under a completion list)
            if y == 0 and not lines._rest:
                lines._open = None  # not the rest of a line that scrolled away
            if not (lines.first[y] and text.startswith(lines.first[y])):
                lines.first[y] = text  # (a prompt line edited keeps its prompt)
        elif text != old and old == lines.first[y] and prompt(old) and lines.since[y] >= 0:
            lines.since[y] = time  # the first character typed after a prompt
            lines.born[y] = lines.epoch
        if text != old and y not in lines.leads and lines.since[y] >= 0:
            typed_ahead(lines, y, text, time)  # (the terminal's echo of it above)
        if text != old and lines.since[y] >= 0:
            echoed_before_prompt(lines, y, text)  # (its first keys' echo on its row)
        lines.texts[y] = text
    for y, (since, born) in carried.items():
        lines.since[y], lines.born[y] = since, born
    for y, (since, born, lead) in lines.raised.items():
        if y < len(rows):  # (see `vtt_erasures._raised`)
            lines.since[y], lines.born[y] = since, born
            lines.first[y] = lines.leads[y] = lead
    lines.raised, lines.cleared, lines.screen_erased = {}, set(), set()
    lines._rest = False
    lines.scrolled_typed = None
    lines.left_of_cursor = {}
    if cursor is not None and cursor[1] in lines.leads and cursor[1] < len(rows):
        left = "".join(char for char, _ in rows[cursor[1]][: cursor[0]])
        lines.left_of_cursor[cursor[1]] = left
        draft = lines.drafts.get(cursor[1])
        since = lines.since[cursor[1]]
        if draft is None or draft[0] != since or not draft[1].startswith(left.rstrip()):
            lines.drafts[cursor[1]] = (since, left)
    menu(lines, cursor, time)
    # (a row typed on since it appeared is no prompt: a space typed in a command)
    # (nor is a line redrawn in place: a progress bar's `100% ` leaves the cursor after a
    # space, and its value was then taken for a prompt left empty, review-exports17 item 5)
    fresh = {
        y
        for y, text in enumerate(news)
        if _bare(text) == _bare(lines.first[y]) and lines.since[y] not in lines.redraws
    }
    # (and a prompt seen before drawn after the output on its row in a screen of its own:
    # python's `>>> ` after a bar's `\r...100%`, no newline, review-exports17 item 1)
    fresh |= {
        y
        for y, text in enumerate(news)
        if y < len(before)
        and text.startswith(before[y])
        and _bare(before[y])
        and _bare(text[len(before[y]) :]) in lines.known_prompts
    }
    lines.waiting = waiting_prompt(rows, cursor, fresh - set(lines.leads))
    if lines.waiting is None and paste:
        lines.waiting = continued(lines, rows, cursor, fresh, wrapped)
    if lines.waiting is not None:
        drawn_under(lines, lines.waiting[0], time, apart=True)  # (a REPL's status bar)
    lines.prompts = {
        y: line for y, line in lines.prompts.items() if y < len(news) and _bare(news[y]) == line
    }
    if lines.waiting is not None and prompt(lines.waiting[1] + " "):
        lines.prompts[lines.waiting[0]] = _bare(news[lines.waiting[0]])


def unmoved(row: Row, cursor: tuple[int, int] | None, y: int, lead: str) -> bool:
    """Whether the cursor still waits on row y right after the prompt `lead` and its
    space, the row showing more after a gap (a right prompt drawn there): no key typed."""
    if cursor is None or cursor[1] != y:
        return False
    x = cursor[0]
    left = "".join(char for char, _ in row[:x])
    right = "".join(char for char, _ in row[x:])
    return (
        left.rstrip() == lead.rstrip()
        and left.endswith(" ")
        and right[:2] == "  "
        and bool(right.strip())
    )


def led(old: str, text: str, lead: str) -> bool:
    """Whether a row that showed `old` and shows `text` is typed on after `lead`."""
    return old.startswith(lead) and text.startswith(lead)


def indented(lead: str) -> bool:
    """Whether a command row's lead is a command's next line's indentation (`continued`):
    what is typed there is the command, however the line editor indents it again (fish
    moves `end` back to its `for`'s column)."""
    return bool(lead) and not lead.strip()


def continued(
    lines: Lines,
    rows: tuple[Row, ...],
    cursor: tuple[int, int] | None,
    fresh: set[int],
    wrapped: frozenset[int] = frozenset(),
) -> tuple[int, str, str] | None:
    """The cursor waits on a blank row under a command being typed, the line editor still
    taking keys (bracketed paste on: no command ran): Enter in an open `for`, `begin` or
    quote gave the command another line (fish draws it under the first, indented, no
    prompt; review-exports15 item 12: each state of it was told, `echo item $I` with fish's
    transient highlighting, `en`, then `end`). The row, its indentation (the lead its
    keys are typed after) and no right prompt. Not a row the line above wrapped onto:
    that is the same line going on, and a space typed at its first column (after
    readline's `' \r` wrap trick) is part of the command, no indentation
    (review-exports18 item 1: `'&gt; /tmp` for `' > /tmp`)."""
    if cursor is None:
        return None
    x, y = cursor
    if not 0 < y < len(rows) or y not in fresh or y - 1 not in lines.leads or y - 1 in wrapped:
        return None
    if "".join(char for char, _ in rows[y]).strip() or x == 0:
        return None
    return y, " " * x, ""


def moved_down(lines: Lines, y: int, old: str, text: str, news: list[str]) -> bool:
    """Whether row y's line, redrawn in place (its first value told: `mark`), now shows
    another line while the blank row under it shows the line again (same words)."""
    if lines.since[y] not in lines.redraws or same_words(old, text) or y + 1 >= len(news):
        return False
    return not lines.texts[y + 1].strip() and same_words(old, news[y + 1])
