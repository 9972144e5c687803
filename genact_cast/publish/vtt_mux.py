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
        # (row, pane) -> the line a pane wrapped onto the row, and that line's text before it
        self.tails: dict[tuple[int, int], tuple[int, str]] = {}
        self.shown = ""  # the lines told, without blanks, to find a rewrapped one in
        self.layout: tuple[tuple[int, ...], ...] = ()  # where the borders are
        self.split_at = -REWRAP_SECONDS  # when they last moved

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
        tails: dict[tuple[int, int], tuple[int, str]] = {}
        full: set[tuple[int, int]] = set()  # rows whose line reaches its pane's right edge
        for y, text_row in enumerate(texts):
            parts = _BORDER.split(text_row)
            start = 0
            for x, part in enumerate(parts):
                width = len(part) if x < len(parts) - 1 else screen.cols - start
                start += len(part) + 1
                if part.strip() and len(part.rstrip()) >= width:
                    full.add((y, x))
                text = part.strip()
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
                if not text or _DRAWING.fullmatch(text) or (x, text) in self.seen:
                    continue
                moved = self.slots.get((y + 1, x))  # (the pane scrolled under a line typed)
                if (index is None or not text.startswith(self.told[index][2])) and moved:
                    index = moved if text.startswith(self.told[moved][2]) else index
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
        self.slots, self.tails = slots, tails
        self.shown = self.shown[-MAX_SHOWN:]
        while len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]
