"""The shell's screen as the subtitles' lines follow it (vtt.py): each screen read
(`shown`), and what the terminal tells between screens: a row scrolled off the top or out
of a scroll region, a row saved, an erasure, a resize (held back after a resize until the
next screen, whose rewrap, `Lines.reflow`, finds what moved), a window title set.
"""

from __future__ import annotations

from genact_cast.publish.screens import Row, Screen, Timeline
from genact_cast.publish.vtt_lines import Lines
from genact_cast.publish.vtt_reflow import redrawn_under


class ShellView:
    """The shell's screen and the timeline's calls on its lines (`Timeline.on_scroll`...)."""

    def __init__(self, lines: Lines, timeline: Timeline) -> None:
        self.lines, self.timeline = lines, timeline
        self.resized = False  # a resize since the last screen the lines were held against
        # the rows as a resize left them (`Lines.reflow`)
        self.rewrapped: list[tuple[Row, ...]] = []
        timeline.on_scroll = self.scrolled
        timeline.on_region_scroll = self.region_scrolled
        timeline.on_saved = lines.saved
        timeline.on_erase = self.erased
        timeline.on_resize = self.resize
        # window titles set (OSC 0/2); those since a switch are its program's
        self.titles: list[str] = []
        timeline.on_title = self.titles.append
        self.switched = 0  # how many were set before the last switch to a full-screen program
        self.shell: Screen | None = None  # the last screen of the shell, before a session
        self.scrolls = 0  # the rows scrolled away when it was shown

    def title(self) -> str | None:
        """The last window title set since the last switch to a full-screen program."""
        return next((t for t in reversed(self.titles[self.switched :]) if t.strip()), None)

    def shown(self, screen: Screen) -> None:
        """The shell's screen, as yielded or as a switch to a full-screen program found it
        (a command echoed in the same event as the switch, as pasted or scripted typing
        does, is on it though never yielded)."""
        self.switched = len(self.titles)
        self.resized = False
        last = self.shell
        moved = last is not None and (last.cols, len(last.rows)) != (screen.cols, len(screen.rows))
        if moved:
            again = self.rewrapped.pop() if self.rewrapped else ()
            self.lines.reflow(screen.rows, screen.time, screen.wrapped, again, screen.cursor)
        self.lines.kept_keys = (
            last is not None and last.paste and screen.paste and last.takes == screen.takes
        )
        self.lines.update(
            screen.rows,
            screen.time,
            screen.cols,
            screen.wrapped,
            screen.cursor,
            screen.paste,
            screen.wrote,
        )
        if moved:
            redrawn_under(self.lines, screen.time)
        self.shell = screen
        self.scrolls = self.lines.scrolls

    def scrolled(self, row: Row, time: float | None, wrapped: bool, bottom: int) -> None:
        """A row scrolled off, but for one after a resize before the next screen: the
        lines are still the old size's, and that screen's rewrap (`Lines.reflow`) finds
        what left them, the rows the scroll took with the rest (fish's redraw after a
        narrowing scrolled the rewrapped screen: its top row was held against the old
        top row, another line, review-exports12 item 1)."""
        if not self.resized:
            self.lines.scrolled(row, time, wrapped, bottom)

    def region_scrolled(
        self, rows: list[tuple[Row, bool]], time: float | None, top: int, end: int, how: str
    ) -> None:
        if self.resized:
            return
        if self.lines.erased and self.timeline.rows_now is not None:
            self.lines.settle_now(*self.timeline.rows_now())
        self.lines.region_scrolled(rows, time, top, end, how)

    def erased(self, y: int, row: Row, time: float, line_erased: bool, wrapped: bool) -> None:
        """An erasure, but for one after a resize before the next screen: its row is the
        new size's, the lines still the old size's until that screen rewraps them (bash
        redraws its prompt for the new width: `\\r\\e[K` on the old row of another line)."""
        if not self.resized:
            self.lines.erase(y, row, time, line_erased, wrapped)

    def resize(self) -> None:
        self.resized = True
        if self.rewrapped and self.timeline.rows_now is not None:  # (on the shell's screen)
            self.rewrapped[:] = [self.timeline.rows_now()[0]]
