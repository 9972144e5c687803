"""What a multiplexer's session keeps between screens (vtt_mux.py reads its panes): the
lines its panes told, where each stands, what each pane showed, its last command and the
program painting it, the windows not shown; and what is read from that alone: the lines
left to tell (`said`), a line wrapped onto a pane's next row, a shell's `exit`, a clip's
start and a session attached again.
"""

from __future__ import annotations

from genact_cast.publish.vtt_panes import Layout
from genact_cast.publish.vtt_sessions import PROMPTS
from genact_cast.publish.vtt_windows import Windows

# After the borders move, how long a line found within what the panes showed is taken to
# be one rewrapped (not output that repeats a command's words: `echo bottom pane`).
REWRAP_SECONDS = 0.5
MAX_PANES = 64  # panes looked through for a line shown before the layout changed


class PaneState:
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
        # (row, pane) -> the line typed on the row that the line editor went on with on
        # the row below (the cursor at that row's first cell, the keys still read): a
        # row that ends in a space the pane wrapped after (review-exports22 #3)
        self.going_on: dict[tuple[int, int], int] = {}
        # What a line being typed showed before its last key (`typed on`): no line shown,
        # so not `seen` once it grew (`echo NEXT-LINE` typed, then NEXT-LINE printed in
        # the pane was taken for a line shown before and lost, review-exports22 #2)
        self.partial: dict[tuple[int, str], None] = {}
        self.shown = ""  # the lines told, without blanks, to find a rewrapped one in
        self.layout: Layout = ()  # where the panes are
        self.split_at = -REWRAP_SECONDS  # when they last moved
        # The same on the cast's clock (`Screen.clock`): a clip's lead screens are all at
        # its time 0, so a layout change there held the rewrap window open all through
        # them, and no program painting a pane was found before the start (review-exports19
        # #22: top's pane, a clip starting beside it, was read out row by row)
        self.split_clock = -REWRAP_SECONDS
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
        self.unheard: set[int] = set()  # lines kept untold at a clip's start (`restart`)

    def said(self) -> list[tuple[float, tuple[int, int], str]]:
        """The lines told: not those programs painted, nor those only a command's run
        showed, the session ending with it (`exit` in its last pane: the player shows
        the shell's screen that the same write brought back)."""
        self.unsaid.update(self.fleeting)
        return [line for i, line in enumerate(self.told) if i not in self.unsaid]

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
        if line != head + text:  # (typed on: the whole line, as `update` keeps it)
            self.shown += "".join((head + text).split())
        self.grown(x, line[len(head) :], text)  # (what the row showed: the line's rest)
        return True

    def grown(self, x: int, before: str, text: str) -> None:
        """Pane x's row showed `before` and now `text`, the same line typed on: `before`
        was part of a line, not one, unless a line showed it whole before."""
        if before and before != text and (x, before) in self.partial:
            del self.partial[x, before]
            self.seen.pop((x, before), None)
        if (x, text) not in self.seen:
            self.partial[x, text] = None
        self.seen[x, text] = None

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
        # Each pane's last command line and the lines still being typed are kept, untold,
        # at the clip's time 0, in the window shown and those left behind: a program the
        # command starts after the start is named by it, not read out row by row, and one
        # in a window shown again is still painting it (review-exports19 #22: top, vim,
        # less in a pane; `:q!` typed in vim's window back), and a line typed on across the
        # start is told once, whole (`unheard`).
        states = [self.__dict__, *self.windows.kept]
        kept = sorted({i for state in states for i in (*state["commands"].values(),
                                                        *state["slots"].values())})  # fmt: skip
        moved = {index: at for at, index in enumerate(kept)}
        self.told = [(0.0, self.told[index][1], self.told[index][2]) for index in kept]
        # (nothing else may point into what was told before: the lines wrapped, painted
        # over; review-exports15 item 10: an IndexError)
        for state in states:
            state["slots"] = {key: moved[index] for key, index in state["slots"].items()}
            state["commands"] = {x: moved[index] for x, index in state["commands"].items()}
            state["tails"] = {}
            state["painting"] = dict.fromkeys(state["painting"], -1)  # (still: no new cue)
        self.unsaid = set(moved.values())
        self.unheard = set(moved.values())

    def resume(self) -> None:
        """The session is attached again: what its panes showed was told (`said`), and
        is known still, so that the session drawn back as it was tells nothing again."""
        self.unsaid |= set(range(len(self.told)))
