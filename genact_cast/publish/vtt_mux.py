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

A program that paints a pane (htop, top, watch: the terminal's alternate screen is the
multiplexer's, so the pane's own is not seen) is one cue, `[htop]`, named by the command
typed last in that pane, as a full-screen program's session is: a pane whose rows are
written over in place with new text, `PAINTED_ROWS` or more at once, twice since its
last command (a shell's output scrolls; `clear; ls` rewrites once), or once with its
command line drawn over and the cursor hidden or left above the pane's last line (vim
takes no mouse and writes its rows once; a command's output leaves the cursor under it),
or the pane the cursor was in when the mouse was taken (no shell reads it), or, for a
command that runs a program known to draw a screen or page (less, man, watch, git:
`SCREENS`, `PAGING`), its first page: the command gone from the cursor's pane while no
prompt waits there. Panes are
found by vtt_panes.py: those one above the other are apart, as those side by side. What
it showed since its command is not told, nor what it leaves in the pane (top, under
tmux's TERM, keeps no screen of its own); the pane is the shell's again when the cursor
waits at a prompt in it. A screen drawn over a shell waiting at its prompt with nothing
typed is the multiplexer's own (tmux's key list): `[tmux]`, the output before it kept.
Windows switched keep their panes' state (vtt_windows.py).
"""

from __future__ import annotations

import re

from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_panes import WIDE, Layout, cells, layout, pane_at
from genact_cast.publish.vtt_sessions import (
    PROMPTS,
    SCREENS,
    prompt,
    session_name,
    typed_program,
)
from genact_cast.publish.vtt_windows import Windows, redrawn

MULTIPLEXERS = frozenset({"tmux", "screen", "byobu", "zellij"})
MAX_SEEN = 10_000  # lines remembered as shown (the oldest forgotten first)
# After the borders move, how long a line found within what the panes showed is taken to
# be one rewrapped (not output that repeats a command's words: `echo bottom pane`).
REWRAP_SECONDS = 0.5
MIN_PIECE = 8  # a line this long found within what the panes showed is a rewrapped one
MAX_SHOWN = 1_000_000  # characters of that text kept (the oldest forgotten first)
_DRAWING = re.compile("[\u2500-\u257f\\s]*")  # a horizontal border: box drawing alone
MAX_PANES = 64  # panes looked through for a line shown before the layout changed
# The position tmux's copy mode (Ctrl-B [) draws at the right of a pane's top row
# (window-copy.c: `[%u/%u]`), over a line told before: no new line.
_POSITION = re.compile(r"(.*\S)\s+\[\d+/\d+\]")
PAINTED_ROWS = 3  # a pane's rows written over at once by a program that paints it
# Programs that page what they print when it is longer than the screen (git's log, diff,
# show through `less -FRX`; journalctl and systemctl through less): a pane drawn over
# their command is their pager's.
PAGING = frozenset({"git", "journalctl", "systemctl", "psql", "mysql"})


class Multiplexed:
    """The lines a multiplexer's panes showed: (time, (row, pane), text), in order."""

    def __init__(self, name: str = "tmux") -> None:
        self.name = name  # the multiplexer's: its own screens are told by it
        self.windows = Windows()  # the windows not shown (vtt_windows.py)
        # The bottom row is a status line (None: not known until a screen shows text)
        self.status_row: bool | None = None
        self.told: list[tuple[float, tuple[int, int], str]] = []
        # The lines each pane showed (by its place in the row: a pane's output is its own,
        # `seq 40` in one pane does not make `21` told in another); a dict keeps its order:
        # the oldest goes first.
        self.seen: dict[tuple[int, str], None] = {}
        self.slots: dict[tuple[int, int], int] = {}  # (row, pane) -> its line in `told`
        # (row, pane) -> the line a pane wrapped onto the row, and that line's text before it
        self.tails: dict[tuple[int, int], tuple[int, str]] = {}
        self.shown = ""  # the lines told, without blanks, to find a rewrapped one in
        self.layout: Layout = ()  # where the panes are
        self.split_at = -REWRAP_SECONDS  # when they last moved
        self.texts: dict[tuple[int, int], str] = {}  # (row, pane) -> its text last screen
        self.commands: dict[int, int] = {}  # pane -> its last command line in `told`
        self.paints: dict[int, int] = {}  # pane -> times it was painted since its command
        # pane -> the program painting it: the cue's place in `told`, from which index on
        # its lines are not told
        self.painting: dict[int, int] = {}
        self.unsaid: set[int] = set()  # lines in `told` a program painted
        # Lines told from the screen as a shell ran a command (`update(run=True)`), with
        # the layout then: gone if the panes are not so on the next screen (a pane
        # closed by `exit`: its `exit` and `logout` never shown by the player)
        self.fleeting: dict[int, Layout] = {}
        self.cursor_pane = -1  # the pane the cursor was last seen in
        self.waits = False  # at a prompt there, nothing typed after it

    def said(self) -> list[tuple[float, tuple[int, int], str]]:
        """The lines told: not those programs painted, nor those only a command's run
        showed, the session ending with it (`exit` in its last pane: the player shows
        the shell's screen that the same write brought back)."""
        self.unsaid.update(self.fleeting)
        return [line for i, line in enumerate(self.told) if i not in self.unsaid]

    def _paint(self, x: int, time: float, idle: bool = False) -> None:
        """Pane x is painted by a program: its cue, named by the pane's last command, and
        the lines told since that command are its own; or, drawn over a shell waiting at
        its prompt with nothing typed (`idle`: its last command done, no new one), by the
        multiplexer itself (tmux's key list, Ctrl-B ?): `[tmux]`, the command's output
        kept (review-exports14 item 7: `echo before`'s output was taken for the screen)."""
        if idle:
            self.painting[x] = len(self.told)
            self.told.append((time, (0, x), f"[{self.name}]"))
            return
        command = self.commands.get(x)
        line = self.told[command][2] if command is not None else ""
        start = command + 1 if command is not None else len(self.told)
        mine = [i for i in range(start, len(self.told)) if self.told[i][1][1] == x]
        self.unsaid.update(mine)
        when = self.told[mine[0]][0] if mine else time
        # (with nothing after its command, under it: review-exports17 item 3)
        under = (self.told[command][1][0] + 1, x) if command is not None else (0, x)
        place = self.told[mine[0]][1] if mine else under
        self.painting[x] = len(self.told)
        self.unsaid.discard(len(self.told))
        self.told.append((when, place, f"[{session_name(line)}]"))

    def _tail(
        self, y: int, x: int, text: str, tails: dict[tuple[int, int], tuple[int, str]]
    ) -> bool:
        """Whether row y of pane x is the rest of a line the pane wrapped onto it (as the
        last screen had it), still or typed on: its line in `told` goes on with it."""
        tail = self.tails.get((y, x))
        if tail is None or not text:
            return False
        index, head = tail
        time, place, line = self.told[index]
        if not (head + text).startswith(line) and line != head + text:
            return False
        self.told[index] = (time, place, head + text)
        tails[y, x] = tail
        self.seen[x, text] = None
        return True

    def _leaving(self) -> bool:
        """Whether the command just run in the cursor's pane ends its shell (`exit`,
        `logout`): its pane closes, and with the window's last one the multiplexer shows
        another window, as it was (review-exports15 item 2: vim's window came back and
        each key typed into vim was told as a line)."""
        command = self.commands.get(self.cursor_pane)
        if command is None:
            return False
        line = self.told[command][2]
        end = max((line.rfind(mark) for mark in PROMPTS), default=-1)
        return line[end + 2 :].split()[:1] in (["exit"], ["logout"]) if end >= 0 else False

    def _seen_anywhere(self, text: str) -> bool:
        """Whether a pane showed the line (panes are numbered anew when the layout
        changes: zoomed, Ctrl-B z, the right pane is the only one, review-exports14
        item 1: its lines were told again, and again as it was unzoomed)."""
        return any((pane, text) in self.seen for pane in range(MAX_PANES))

    def restart(self) -> None:
        """The clip starts (--start-at): what the panes showed before is not told, nor
        what they show at the start (the session's cue stands for it), only what comes."""
        self.told, self.slots = [], {}
        # (nothing may point into what was told before: the lines typed on, wrapped,
        # painted over, the windows kept; review-exports15 item 10: an IndexError)
        self.tails, self.commands, self.unsaid = {}, {}, set()
        self.painting = dict.fromkeys(self.painting, -1)  # (still painted: no new cue)
        self.windows = Windows()

    def resume(self) -> None:
        """The session is attached again: what its panes showed was told (`said`), and
        is known still, so that the session drawn back as it was tells nothing again."""
        self.unsaid |= set(range(len(self.told)))

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
        grid = tuple(
            " " * screen.cols if _bar(row, screen.cols) else cells([c for c, _ in row], screen.cols)
            for row in rows
        )
        panes = layout(grid)
        if not run:
            self.unsaid.update(i for i, then in self.fleeting.items() if then != panes)
            self.fleeting = {}
        if panes != self.layout:  # panes split, joined or resized: their lines rewrap
            self.layout, self.split_at = panes, screen.time
        told = len(self.told)
        split = screen.time - self.split_at < REWRAP_SECONDS
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
        for (y, x), (part, _, _) in parts.items():
            if part.strip() and part[-1] != " ":
                full.add((y, x))
            text = part.strip()
            if x in self.painting:
                # (a program's screen: what it showed is no new line when the pane shows
                # it again, its history brought back as a pane closed beside it)
                if text:
                    self.seen[x, text] = None
                index = self.slots.get((y, x))  # (a row it left as it was: GNU screen's
                if index is not None and self.told[index][2] == text:  # other region)
                    slots[y, x] = index
                continue
            if self._tail(y, x, text, tails):
                continue
            index = self.slots.get((y, x))
            if index is not None and self.told[index][2] == text:
                slots[y, x] = index  # (the same line, still there: typing may go on)
                continue
            up = slots.get((y - 1, x))
            if text and up is not None and (y - 1, x) in full and (x, text) not in self.seen:
                # The pane wrapped the line onto this row (tmux moves to the row below
                # itself: no terminal wrap): its rest, as the terminal's wrap is joined.
                time, place, head = self.told[up]
                self.told[up] = (time, place, head + text)
                tails[y, x] = (up, head)
                self.seen[x, text] = None
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
                self.commands[x] = index
                self.paints.pop(x, None)
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
        if run:
            self.fleeting.update(dict.fromkeys(range(told, len(self.told)), panes))
        self.shown = self.shown[-MAX_SHOWN:]
        while len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]

    def _painters(
        self,
        screen: Screen,
        parts: dict[tuple[int, int], tuple[str, int, int]],
        panes: Layout,
        split: bool,
    ) -> None:
        """Which panes a program paints now (see the module's docstring)."""
        texts = {key: part.strip() for key, (part, _, _) in parts.items()}
        cursor = screen.cursor
        idle = self.cursor_pane if self.waits else -1  # (a shell waited there, last screen)
        here = pane_at(panes, cursor[1], cursor[0]) if cursor is not None else -1
        if cursor is not None and here >= 0:
            self.cursor_pane = x = here
            part, start, _ = parts[cursor[1], x]
            self.waits = prompt(part[: max(0, cursor[0] - start)])
            if x in self.painting and self.waits:
                del self.painting[x]  # (the shell's prompt waits in the pane again)
                self.commands.pop(x, None)
                self.paints[x] = -1  # (its rows restored now: no painting)
                # What it left in the pane (top without an alternate screen of its own)
                # is its last screen, not told, as a program's on the primary screen.
                self.seen.update(((x, t), None) for (_, px), t in texts.items() if px == x)
        elif screen.mouse and 0 <= self.cursor_pane not in self.painting and not self.waits:
            # (the cursor's pane ran a command: not a switch to a pane a program paints)
            self._paint(self.cursor_pane, screen.time)
        if not split:
            written: dict[int, int] = {}  # rows written over with new text
            drawn: dict[int, int] = {}  # rows given new text, blank before or not
            for (y, x), text in texts.items():
                old = self.texts.get((y, x), "")
                if text and text != old and (x, text) not in self.seen:
                    drawn[x] = drawn.get(x, 0) + 1
                    if old:
                        written[x] = written.get(x, 0) + 1
            for x, count in written.items():
                if count >= PAINTED_ROWS and x not in self.painting:
                    self.paints[x] = self.paints.get(x, 0) + 1
                    if self.paints[x] >= 2:
                        self._paint(x, screen.time, x == idle)
            for x, count in drawn.items():
                over = count >= PAINTED_ROWS and x not in self.painting
                if over and self._over_command(x, texts, panes, cursor):
                    self._paint(x, screen.time, x == idle)
            pager = here >= 0 and here not in self.painting and not self.waits
            if pager and self._paged(here, texts):
                self._paint(here, screen.time)
        self.texts = texts

    def _paged(self, x: int, texts: dict[tuple[int, int], str]) -> bool:
        """Whether a program that draws a screen (less, man, watch, top: `SCREENS`, or
        one that pages its output, git) shows its first page in pane x, the cursor's,
        where no prompt waits: the pane changed, and its last command, which runs one,
        is on none of its rows (covered, or scrolled away by a page drawn without an
        alternate screen: `less -FRX` as git runs it). A pager in a pane had been read
        out page by page (review-exports14 item 1): its first page draws over a command
        line at the pane's top, the cursor left at its prompt on the pane's last row."""
        command = self.commands.get(x)
        # (panes joined or split since: pane x may be another one, its command not the
        # pane's now; review-exports17 item 3: `exit` in the pane left after `less` was
        # taken for less's page)
        if command is None or self.told[command][0] < self.split_at:
            return False
        line = self.told[command][2]
        if typed_program(line) not in SCREENS | PAGING:
            return False
        mine = {key: text for key, text in texts.items() if key[1] == x}
        if all(self.texts.get(key, "") == text for key, text in mine.items()):
            return False
        # (a row the line is on: its start (the pane wrapped the rest) or typed on)
        return not any(
            text and not prompt(text) and (line.startswith(text) or text.startswith(line))
            for text in mine.values()
        )

    def _over_command(
        self,
        x: int,
        texts: dict[tuple[int, int], str],
        panes: Layout,
        cursor: tuple[int, int] | None,
    ) -> bool:
        """Whether a program drew over pane x at once, its command line with the rest
        (review-exports13 item 1: vim in a pane takes no mouse and writes its rows once):
        the pane's last command, on its last screen, is on none of its rows now, and the
        cursor is hidden or back above the pane's last line (a command's output scrolls
        the pane and leaves the cursor under it; `clear` leaves a prompt waiting)."""
        command = self.commands.get(x)
        if command is None or (cursor is not None and self.waits and self.cursor_pane == x):
            return False
        line = self.told[command][2]
        mine = {y: text for (y, px), text in texts.items() if px == x}
        old = [text for (_, px), text in self.texts.items() if px == x]
        # (a bare prompt left above is no sign of the command: a later one shows the same)
        if not any(text and not prompt(text) and line.startswith(text) for text in old) or any(
            text and not prompt(text) and line.startswith(text) for text in mine.values()
        ):
            return False
        if cursor is None:
            return True
        last = max((y for y, text in mine.items() if text), default=-1)
        return pane_at(panes, cursor[1], cursor[0]) == x and cursor[1] < last


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
