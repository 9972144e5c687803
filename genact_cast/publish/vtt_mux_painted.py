"""Which panes of a multiplexer's session a program paints (vtt_mux.py reads the rest).

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

from genact_cast.publish.screens import Screen
from genact_cast.publish.vtt_mux_state import PaneState
from genact_cast.publish.vtt_panes import Layout, pane_at
from genact_cast.publish.vtt_sessions import SCREENS, prompt, session_name, typed_program

PAINTED_ROWS = 3  # a pane's rows written over at once by a program that paints it
# Programs that page what they print when it is longer than the screen (git's log, diff,
# show through `less -FRX`; journalctl and systemctl through less): a pane drawn over
# their command is their pager's.
PAGING = frozenset({"git", "journalctl", "systemctl", "psql", "mysql"})


class PanePainters(PaneState):
    """A multiplexer's session, and the programs painting its panes."""

    def _finished(self, x: int, index: int, text: str) -> bool:
        """Whether row text, in pane x that a program now paints, is the pane's command
        line (`told[index]`) with its last keys, which came with the program's first
        screen (`htop` typed, its `p` echoed in the write that took the mouse: the pane
        painted first, the cue named `[hto]`): the line and the cue take them."""
        line = self.told[index][2]
        if self.commands.get(x) != index or text == line or not text.startswith(line):
            return False
        time, place, _ = self.told[index]
        self.told[index] = (time, place, text)
        cue = self.painting.get(x, -1)
        if cue > index and self.told[cue][2] == f"[{session_name(line)}]":
            when, where, _ = self.told[cue]
            self.told[cue] = (when, where, f"[{session_name(text)}]")
        return True

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
            head = part[: max(0, cursor[0] - start)]
            above = parts.get((cursor[1] - 1, x))
            if not head.strip() and above is not None and above[0][-1:].strip():
                # (a prompt that fills the pane's row: its blank wrapped to the next row,
                # the cursor after it, review-exports23 #1 and #4, GNU screen's 39-column
                # region under a 40-character prompt)
                head = above[0] + head
            self.waits = prompt(head)
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
