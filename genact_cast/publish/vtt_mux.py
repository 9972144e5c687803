"""A terminal multiplexer's session in the subtitles (tmux, GNU screen): not one `[tmux]`
cue, as a full-screen program's is, but what its panes show, since they hold shells: the
commands typed there and their output, each line told once, when it appeared.

The multiplexer draws on the alternate screen and scrolls a pane with a scroll region or
by redrawing it, so lines are not followed through scrolls as the shell's are: each row
is split into its panes (the regions the borders close, vtt_panes.py), and a pane's line
not shown before in the session is told (a line that moved up as the pane scrolled was
shown before, a line rewrapped when a split narrowed its pane is found in what was). A
line typed on (a command after its prompt) is one line, timed from its first character.
The borders are not told, nor a status line: tmux's status bar, GNU screen's `hardstatus
alwayslastline` (review-exports11 item 7: read at each window switch), byobu's, known
the same way for each: the bottom row, drawn with the session's first screen while the
cursor is elsewhere (a pane's lines start at its top; the status line is repainted there
at each switch and clock tick, the cursor never in it). Memory is bounded by `MAX_SEEN`
lines.

What the session keeps is in vtt_mux_state.py; which panes a program paints, and so are
told as its cue (`[htop]`), in vtt_mux_painted.py.
"""

from __future__ import annotations

import re

from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_mux_painted import PAINTED_ROWS, PanePainters
from genact_cast.publish.vtt_mux_state import REWRAP_SECONDS
from genact_cast.publish.vtt_panes import WIDE, Layout, cells, layout, pane_at
from genact_cast.publish.vtt_sessions import prompt
from genact_cast.publish.vtt_windows import redrawn

MULTIPLEXERS = frozenset({"tmux", "screen", "byobu", "zellij"})
MAX_SEEN = 10_000  # lines remembered as shown (the oldest forgotten first)
MIN_SEPARATOR = 3  # rows a column of blanks in standout spans to be a region's separator
MIN_PIECE = 8  # a line this long found within what the panes showed is a rewrapped one
MAX_SHOWN = 1_000_000  # characters of that text kept (the oldest forgotten first)
_DRAWING = re.compile("[\u2500-\u257f\\s]*")  # a horizontal border: box drawing alone
# The position tmux's copy mode (Ctrl-B [) draws at the right of a pane's top row
# (window-copy.c: `[%u/%u]`), over a line told before: no new line.
_POSITION = re.compile(r"(.*\S)\s+\[\d+/\d+\]")


class Multiplexed(PanePainters):
    """The lines a multiplexer's panes showed: (time, (row, pane), text), in order."""

    def update(self, screen: Screen, run: bool = False) -> None:
        """The panes of a screen yielded, or (`run`) of the screen as a shell in one ran
        a command (vtt.py's `run`: its command line, which the program's first screen
        may cover before the next screen is yielded)."""
        if self.status_row is None and any(row_text(row).strip() for row in screen.rows):
            bottom = len(screen.rows) - 1
            here = screen.cursor is not None and screen.cursor[1] == bottom
            self.status_row = bool(row_text(screen.rows[bottom]).strip()) and not here
        rows = screen.rows[:-1] if self.status_row else screen.rows
        # (a bar across the screen is a status line or a region's caption wherever it
        # stands: GNU screen's `caption always` under each region of a split)
        grid = _separated(
            rows,
            tuple(
                " " * screen.cols
                if _bar(row, screen.cols)
                else cells([c for c, _ in row], screen.cols)
                for row in rows
            ),
        )
        panes = layout(grid)
        if run and self.layout and panes != self.layout:
            # Not a shell running a command in a pane: tmux itself, redrawing the screen
            # after a resize, resets the modes it set (bracketed paste too) before it
            # draws the panes; the screen then is the old one rewrapped by the terminal,
            # its borders out of place (review-exports18's tmuxw.cast at 29.6 s: the
            # panes' rows read as one, a border glued into the told lines).
            return
        if not run:
            self.unsaid.update(i for i, then in self.fleeting.items() if then != panes)
            self.fleeting = {}
        if panes != self.layout:  # panes split, joined or resized: their lines rewrap
            self.layout, self.split_at, self.split_clock = panes, screen.time, screen.clock
        told = len(self.told)
        split = screen.clock - self.split_clock < REWRAP_SECONDS
        parts = {
            (y, x): (grid[y][start:end].replace(WIDE, ""), start, end)
            for y, row_panes in enumerate(panes)
            for x, start, end in row_panes
        }
        now = {key: part.strip() for key, (part, _, _) in parts.items()}
        # (another window, or one back: vtt_windows.py; not a command just run, drawing
        # what another once did: `less -FRX` paging a file `less` paged)
        idle = self.waits or self.cursor_pane in self.painting or self._leaving()
        if self.texts and idle and redrawn(self.texts, now, PAINTED_ROWS):
            self.windows.switch(self, now)
        previous = self.texts  # (each pane's rows on the last screen)
        self._painters(screen, parts, panes, split)
        cursor = screen.cursor
        slots: dict[tuple[int, int], int] = {}
        tails: dict[tuple[int, int], tuple[int, str]] = {}
        full: set[tuple[int, int]] = set()  # rows whose line reaches its pane's right edge
        for (y, x), (part, start, end) in parts.items():
            if part.strip() and (part[-1] != " " or _wide_cut(grid, y, start, end)):
                full.add((y, x))
            text = part.strip()
            if x in self.painting:
                # (a program's screen: what it showed is no new line when the pane shows
                # it again, its history brought back as a pane closed beside it)
                if text:
                    self.seen[x, text] = None
                # (a row it left as it was: GNU screen's other region; or its command
                # line with the keys that came with its first screen)
                index = self.slots.get((y, x))
                if index is not None and (
                    self.told[index][2] == text or self._finished(x, index, text)
                ):
                    slots[y, x] = index
                continue
            if self._tail(y, x, text, tails):
                continue
            index = self.slots.get((y, x))
            if index is not None and self.told[index][2] == text:
                slots[y, x] = index  # (the same line, still there: typing may go on)
                continue
            up = slots.get((y - 1, x))
            if up is None and (y - 1, x) in tails:  # (a row that went on with it: a third)
                up = tails[y - 1, x][0]
            if up is None and self._prompt_above(y, x, text, full, now, screen, panes):
                # (a prompt that fills its row, the same as one the pane showed before,
                # and the first keys typed on the row under it: the command's head)
                up = slots[y - 1, x] = len(self.told)
                self.told.append((screen.time, (y - 1, x), now[y - 1, x]))
            if (
                text
                and up is not None
                and self._wraps_onto(y, x, up, full, screen, panes, run)
                and (x, text) not in self.seen
            ):
                # The pane wrapped the line onto this row (tmux moves to the row below
                # itself: no terminal wrap): its rest, as the terminal's wrap is joined.
                time, place, head = self.told[up]
                # (the blanks the line editor typed in the row's last cells are the line's)
                gap = "" if (y - 1, x) in full else " " * _trailing(parts[y - 1, x][0])
                # (and those it wrapped onto this row's first cells: a line wrapped after
                # a word that filled the row goes on with the blank after it)
                gap += " " * (len(part) - len(part.lstrip()))
                self.told[up] = (time, place, head + gap + text)
                tails[y, x] = (up, head + gap)
                if prompt(head) and self.cursor_pane == x:  # (a command typed after it)
                    self.commands[x] = up
                    self.paints.pop(x, None)
                self.grown(x, "", text)
                # (the whole line: found again as one row, rewrapped, where its pane
                # widens; review-exports22 #4 told it again when a pane beside it closed)
                self.shown += "".join((head + text).split())
                continue
            # A key typed on the cursor's row after what it showed: a command typed,
            # new though another pane in this column showed the same (`exit` typed
            # in each of three panes: review-exports9 item 8).
            before = previous.get((y, x), "")
            typed = (
                (cursor is not None and cursor[1] == y and pane_at(panes, y, cursor[0]) == x)
                or prompt(before)  # (typed at once on the prompt: the cursor left the row)
            ) and (bool(before) and text != before and text.startswith(before))
            if not text or _DRAWING.fullmatch(text) or ((x, text) in self.seen and not typed):
                continue
            marked = _POSITION.fullmatch(text)  # (tmux's copy mode marks the top row)
            if marked and (x, marked.group(1)) in self.seen:
                continue
            moved = self.slots.get((y + 1, x))  # (the pane scrolled under a line typed)
            if (index is None or not text.startswith(self.told[index][2])) and moved:
                index = moved if text.startswith(self.told[moved][2]) else index
            piece = "".join(text.split())
            # (the rest of a line the pane wrapped onto this row, however short: `t` of
            # `less f.tx`/`t` as a resize narrowed the pane, review-exports16 item 2)
            joined = "".join((now.get((y - 1, x), "") + text).split())
            if split and (
                (len(piece) >= MIN_PIECE and piece in self.shown)
                or self._seen_anywhere(text)
                or ((y - 1, x) in full and len(joined) >= MIN_PIECE and joined in self.shown)
            ):
                self.seen[x, text] = None  # (a pane narrowed by a split: lines rewrapped)
                continue
            if index is not None and text.startswith(self.told[index][2]):
                time, place, before = self.told[index]  # typed on: the same line, longer
                if prompt(before):
                    time = screen.time  # (a command, from its first key: not its prompt)
                self.told[index] = (time, place, text)
                self.grown(x, before, text)
                self.commands[x] = index
                self.paints.pop(x, None)
                if index in self.unheard:  # (typed on after a clip's start: told whole)
                    self.unheard.discard(index)
                    self.unsaid.discard(index)
            else:
                index = len(self.told)
                self.told.append((screen.time, (y, x), text))
                if typed and prompt(before) and not prompt(text):
                    # A command typed at once on a prompt the pane showed before (pasted,
                    # scripted): its program's screen is named by it (review-exports17
                    # item 3: `htop` in a tmux pane was `[full-screen program]`).
                    self.commands[x] = index
                    self.paints.pop(x, None)
                    if x == self.cursor_pane:  # (no longer at its prompt: the mouse taken
                        self.waits = False  # with the cursor hidden is the program's)
            slots[y, x] = index
            self.seen[x, text] = None
            self.shown += piece
        self.slots, self.tails = slots, tails
        self._going_on(screen, panes, parts, run)
        if run:
            self.fleeting.update(dict.fromkeys(range(told, len(self.told)), panes))
        self.shown = self.shown[-MAX_SHOWN:]
        while len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]

    def _prompt_above(
        self, y: int, x: int, text: str, full: set[tuple[int, int]],
        now: dict[tuple[int, int], str], screen: Screen, panes: Layout,
    ) -> bool:  # fmt: skip
        """Whether row y of pane x is typed on under a prompt filling the row above, its
        last blank wrapped onto this row (GNU screen's 39-column region under a
        40-character prompt, review-exports23 #1): the keys read, the cursor on this row
        in this pane."""
        cursor = screen.cursor
        return (
            bool(text)
            and screen.paste
            and (y - 1, x) in full
            and prompt(now.get((y - 1, x), ""))
            and cursor is not None
            and cursor[1] == y
            and pane_at(panes, y, cursor[0]) == x
        )

    def _wraps_onto(
        self, y: int, x: int, up: int, full: set[tuple[int, int]], screen: Screen,
        panes: Layout, run: bool,
    ) -> bool:  # fmt: skip
        """Whether pane x's line on row y - 1 (`up` in `told`) goes on on row y: the pane
        wraps lines itself (it moves the cursor to the row below: no terminal wrap), so a
        row that fills its pane is taken to go on (output wider than the pane), but for a
        line typed (a command), which goes on only while the line editor reads keys (not
        as it lets go: what comes under it then is output, bash's `logout` under an `exit`
        that filled its row, review-exports22 #2 `exitlogout`): where it was seen going on
        (`going_on`: the row may end in a space), or filled and typed on, the cursor on
        the rows it goes on to, each filled but its own."""
        typed = up == self.commands.get(x)
        if typed and (run or not screen.paste):
            return False
        if _full_width(panes, y - 1, x, screen.cols):
            # A pane as wide as the terminal: tmux lets the terminal wrap a line there and
            # moves the cursor itself after a newline (tty.c: `tty_cmd_linefeed` sends
            # nothing for a wrapped line, `tty_cmd_cell` writes on into the last cell): the
            # terminal's wrap is the pane's (review-exports23 #4: `printf '%080d\n' 7`'s
            # row was glued to the next prompt and its command)
            return y - 1 in screen.wrapped
        if self.going_on.get((y - 1, x)) == up:
            return True
        if (y - 1, x) not in full:
            return False
        cursor = screen.cursor
        if not typed:
            return True  # (output)
        if cursor is None or cursor[1] < y or pane_at(panes, cursor[1], cursor[0]) != x:
            return False
        return all((row, x) in full for row in range(y, cursor[1]))

    def _going_on(
        self, screen: Screen, panes: Layout, parts: dict[tuple[int, int], tuple[str, int, int]],
        run: bool,
    ) -> None:  # fmt: skip
        """The line editor went on to the next row of the cursor's pane (`going_on`): the
        cursor at its first cell, the row blank, the keys still read (bash writes a space
        there and steps back: readline's wrap), under a line being typed whose row ends
        in a space typed in its last cell (review-exports22 #3: the row is not `full`).
        Not under one that fills its row: Enter there looks the same (the cursor moved to
        the next row's first cell before the line editor lets go, in another write), and
        its output would go on the command; typing on there is `full`'s."""
        cursor = screen.cursor
        self.going_on = {
            key: index for key, index in self.going_on.items() if self._line(key) == index
        }
        if run or not screen.paste or cursor is None or cursor[1] == 0:
            return
        column, y = cursor
        x = pane_at(panes, y, column)
        below, above = parts.get((y, x)), parts.get((y - 1, x))
        line = self._line((y - 1, x))
        if below is None or above is None or line is None:
            return
        # (or under a prompt that fills the row to a blank in its last cell: the first key
        # typed goes on the next row, review-exports23 #4's `root@vm:…rec#` / `echo …`)
        if line != self.commands.get(x) and not prompt(self.told[line][2]):
            return
        text, start, _ = above
        if column == below[1] == start and not below[0].strip() and _space_last(text):
            self.going_on[y - 1, x] = line

    def _line(self, key: tuple[int, int]) -> int | None:
        """The line in `told` a pane's row shows (or goes on with), if any."""
        if key in self.slots:
            return self.slots[key]
        return self.tails[key][0] if key in self.tails else None


def _full_width(panes: Layout, y: int, x: int, cols: int) -> bool:
    """Whether pane x spans row y from the terminal's left edge to its right."""
    return any(pane == x and start == 0 and end == cols for pane, start, end in panes[y])


def _wide_cut(grid: tuple[str, ...], y: int, start: int, end: int) -> bool:
    """Whether row y of a pane ends in a blank cell left because the wide character
    after its last one did not fit (the pane's next row starts with one): the line goes
    on there with no gap (review-exports23 #4: `表` x 20 in a 39-column pane, 2 cues)."""
    row = grid[y][start:end]
    below = grid[y + 1][start:end] if y + 1 < len(grid) else ""
    return (
        len(row) > 2 and row[-1] == " " and row[-2] == WIDE and len(below) > 1 and below[1] == WIDE
    )


def _space_last(part: str) -> bool:
    """Whether a pane's row ends in one blank after a character (the last cell's)."""
    return len(part) > 1 and part[-1] == " " and part[-2] != " "


def _trailing(part: str) -> int:
    """The blanks a pane's row ends with."""
    return len(part) - len(part.rstrip())


def _separated(rows: tuple[Row, ...], grid: tuple[str, ...]) -> tuple[str, ...]:
    """The rows with GNU screen's vertical separators drawn as tmux's borders are: a
    region split side by side (Ctrl-A |) is closed by a column of blanks in standout from
    the top row down to the caption under the regions (display.c's `RefreshLine` draws
    it; screen 4.9 writes `ESC[7m` and a blank on each row), which `layout` would not
    see, the regions' rows read as one (review-exports23 #1: the whole session one
    `[full-screen program]` cue, its prompts glued)."""
    if not rows or not grid:
        return grid
    cols = len(grid[0])
    # (down to a bar across the screen: the caption, blanked in `grid`)
    height = next((y for y, row in enumerate(rows) if _bar(row, cols)), len(rows))
    if height < MIN_SEPARATOR:
        return grid
    columns = [
        x
        for x in range(1, cols - 1)
        if _standout_blank(rows[0], x)
        and len({_standout_blank(row, x) for row in rows[:height]}) == 1
    ]
    if not columns:
        return grid
    drawn = list(grid)
    for y in range(height):
        line = list(drawn[y])
        for x in columns:
            line[x] = "\u2502"
        drawn[y] = "".join(line)
    if height < len(drawn):  # (the caption closes the regions above it, as a border)
        drawn[height] = "\u2500" * cols
    return tuple(drawn)


def _standout_blank(row: Row, x: int) -> str:
    """The background of a blank cell drawn on one that is not the terminal's ("" for
    any other cell)."""
    if x >= len(row):
        return ""
    char, style = row[x]
    return style[1] if not char.strip() and style[1] != "default" and char != "" else ""


def _bar(row: Row, cols: int) -> bool:
    """Whether a row is a bar across the screen: text on one background that is not the
    terminal's, from the left edge to the right (the last cell may be left blank), as a
    status line or a caption is drawn (GNU screen draws a region's caption in standout,
    its text then blanks to the region's right edge: display.c's RefreshLine, v.4.9.1;
    tmux its status line on green); a shell's output is on the terminal's background."""
    if len(row) < cols - 1 or not row_text(row).strip():
        return False
    backgrounds = {style[1] for _, style in row}
    return len(backgrounds) == 1 and "default" not in backgrounds


# A command that attaches a session again: tmux's `attach` (`a`, `at`, `attach-session`,
# `new -A`), GNU screen's `-r`, `-R`, `-x`, `-d -r`, byobu's and zellij's `attach`.
_ATTACH = re.compile(r"\s(a|at|att|atta|attach|attach-session|-[A-Za-z]*[rRxA][A-Za-z]*)(?=\s|$)")


def attach(detached: list[Multiplexed], name: str, command: str) -> Multiplexed:
    """The multiplexer's session starting on `command`: the one detached last, if the
    command attaches it again (review-exports16 item 9: after `tmux attach` its panes
    were told again as text, htop's and vim's screens read out, vim's typing key by
    key: the windows, the panes' programs and the lines told are known from before);
    else a new one."""
    if detached and detached[0].name == name and _ATTACH.search(command):
        mux = detached.pop()
        mux.resume()
        return mux
    return Multiplexed(name)
