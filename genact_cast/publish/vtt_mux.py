"""A terminal multiplexer's session in the subtitles (tmux, GNU screen): not one `[tmux]`
cue, as a full-screen program's is, but what its panes show, since they hold shells: the
commands typed there and their output, each line told once, when it appeared.

The multiplexer draws on the alternate screen and scrolls a pane with a scroll region or
by redrawing it, so lines are not followed through scrolls as the shell's are: each row
is split into its panes at the vertical borders, and a pane's line not shown before in the
session is told (a line that moved up as the pane scrolled was shown before, a line rewrapped
when a split narrowed its pane is found in what was). A line
typed on (a command after its prompt) is one line, timed from its first character. The
status bar (tmux's bottom row) and the borders are not told. Memory is bounded by
`MAX_SEEN` lines.
"""

from __future__ import annotations

import re

from genact_cast.publish.screens import Screen, row_text

MULTIPLEXERS = frozenset({"tmux", "screen", "byobu", "zellij"})
MAX_SEEN = 10_000  # lines remembered as shown (the oldest forgotten first)
# A vertical border between two panes (tmux draws ACS `x` as U+2502, with a tee or a
# cross where a horizontal border meets it); an ASCII `|` is a shell pipe, not a border.
_BORDER = re.compile("[\u2502\u2503\u2551\u251c\u2524\u253c\u252c\u2534]")
_RULE = re.compile("\u2500{8}")  # a horizontal border between two panes
# After the borders move, how long a line found within what the panes showed is taken to
# be one rewrapped (not output that repeats a command's words: `echo bottom pane`).
REWRAP_SECONDS = 0.5
MIN_PIECE = 8  # a line this long found within what the panes showed is a rewrapped one
MAX_SHOWN = 1_000_000  # characters of that text kept (the oldest forgotten first)
_DRAWING = re.compile("[\u2500-\u257f\\s]*")  # a horizontal border: box drawing alone


class Multiplexed:
    """The lines a multiplexer's panes showed: (time, (row, pane), text), in order."""

    def __init__(self, status_row: bool) -> None:
        self.status_row = status_row  # tmux keeps a status bar on the bottom row
        self.told: list[tuple[float, tuple[int, int], str]] = []
        # The lines each pane showed (by its place in the row: a pane's output is its own,
        # `seq 40` in one pane does not make `21` told in another); a dict keeps its order:
        # the oldest goes first.
        self.seen: dict[tuple[int, str], None] = {}
        self.slots: dict[tuple[int, int], int] = {}  # (row, pane) -> its line in `told`
        self.shown = ""  # the lines told, without blanks, to find a rewrapped one in
        self.layout: tuple[tuple[int, ...], ...] = ()  # where the borders are
        self.split_at = -REWRAP_SECONDS  # when they last moved

    def restart(self) -> None:
        """The clip starts (--start-at): what the panes showed before is not told, nor
        what they show at the start (the session's cue stands for it), only what comes."""
        self.told, self.slots = [], {}

    def update(self, screen: Screen) -> None:
        rows = screen.rows[:-1] if self.status_row else screen.rows
        texts = [row_text(row) for row in rows]
        layout = tuple(
            tuple(m.start() for m in _BORDER.finditer(t)) + ((-1,) if _RULE.search(t) else ())
            for t in texts
        )
        if layout != self.layout:  # panes split, joined or resized: their lines rewrap
            self.layout, self.split_at = layout, screen.time
        split = screen.time - self.split_at < REWRAP_SECONDS
        slots: dict[tuple[int, int], int] = {}
        for y, text_row in enumerate(texts):
            for x, part in enumerate(_BORDER.split(text_row)):
                text = part.strip()
                index = self.slots.get((y, x))
                if index is not None and self.told[index][2] == text:
                    slots[y, x] = index  # (the same line, still there: typing may go on)
                    continue
                if not text or _DRAWING.fullmatch(text) or (x, text) in self.seen:
                    continue
                piece = "".join(text.split())
                if split and len(piece) >= MIN_PIECE and piece in self.shown:
                    self.seen[x, text] = None  # (a pane narrowed by a split: lines rewrapped)
                    continue
                if index is not None and text.startswith(self.told[index][2]):
                    time, place, _ = self.told[index]  # typed on: the same line, longer
                    self.told[index] = (time, place, text)
                else:
                    index = len(self.told)
                    self.told.append((screen.time, (y, x), text))
                slots[y, x] = index
                self.seen[x, text] = None
                self.shown += piece
        self.slots = slots
        self.shown = self.shown[-MAX_SHOWN:]
        while len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]
