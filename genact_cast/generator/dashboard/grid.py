"""A terminal-sized grid of cells, and rectangles that clip what is drawn into them.

Each row is kept as two strings of the same length: its characters, and one style
code per cell. Strings make a frame cheap to build and two frames cheap to compare.
Every character drawn must take one column (no wide or combining characters): the
panes only use ASCII, box drawing, block and braille characters, and `°`.
"""

import re
from typing import NamedTuple

from genact_cast.generator import style as sgr

# Style codes, one character each; SGR parameters for each (the seed's colour table).
PLAIN = " "
TIMESTAMP = "m"  # magenta
HEADER = "H"  # bold cyan: pane titles, phase headers
BAR = "g"  # green: progress and memory bars, the train loss
LABEL = "b"  # blue: metric labels, the learning rate
VALUE = "W"  # bold white: metric values, validation points
WARNING = "y"  # yellow: warnings, failures
ERROR = "r"  # bold red: what kills the job (the log layout's error lines)
GPU = "c"  # cyan: GPU status
MUTED = "k"  # grey 8: NCCL stats, borders, axes, empty bar cells

SGR_PARAMS: dict[str, str] = {
    PLAIN: "",
    TIMESTAMP: "35",
    HEADER: "1;36",
    BAR: "32",
    LABEL: "34",
    VALUE: "1;37",
    WARNING: "33",
    ERROR: "1;31",
    GPU: "36",
    MUTED: "38;5;8",
}

_STYLE_OF_SGR: dict[str, str] = {
    sgr.MAGENTA: TIMESTAMP,
    sgr.BOLD_CYAN: HEADER,
    sgr.GREEN: BAR,
    sgr.BLUE: LABEL,
    sgr.BOLD_WHITE: VALUE,
    sgr.YELLOW: WARNING,
    sgr.BOLD_RED: ERROR,
    sgr.CYAN: GPU,
    sgr.GREY: MUTED,
}
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_OTHER_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Span(NamedTuple):
    text: str
    style: str


def spans_of(ansi: str) -> list[Span]:
    """The styled pieces of a line written in the generator's own SGR (style.py).

    Colours outside the seed's table are drawn plain; other escapes are dropped.
    """
    spans: list[Span] = []
    style, position = PLAIN, 0
    for match in _SGR.finditer(ansi):
        if match.start() > position:
            spans.append(Span(_OTHER_ESCAPE.sub("", ansi[position : match.start()]), style))
        style = _STYLE_OF_SGR.get(match.group(), PLAIN)
        position = match.end()
    if position < len(ansi):
        spans.append(Span(_OTHER_ESCAPE.sub("", ansi[position:]), style))
    return [s for s in spans if s.text]


class Rect(NamedTuple):
    top: int
    left: int
    height: int
    width: int

    @property
    def bottom(self) -> int:
        """The first row below the rectangle."""
        return self.top + self.height

    @property
    def right(self) -> int:
        """The first column right of the rectangle."""
        return self.left + self.width

    def inner(self) -> "Rect":
        """The rectangle inside a one-cell border."""
        return Rect(self.top + 1, self.left + 1, max(0, self.height - 2), max(0, self.width - 2))

    def contains(self, row: int, col: int) -> bool:
        return self.top <= row < self.bottom and self.left <= col < self.right


class Grid:
    """`rows` × `cols` cells, all blank and plain to begin with."""

    __slots__ = ("chars", "color", "cols", "rows", "styles")

    def __init__(self, cols: int, rows: int, *, color: bool = True) -> None:
        self.cols, self.rows, self.color = cols, rows, color
        self.chars = [" " * cols] * rows
        self.styles = [PLAIN * cols] * rows

    def region(self, rect: Rect) -> "Region":
        return Region(self, rect)

    def copy(self) -> "Grid":
        twin = Grid(0, 0, color=self.color)
        twin.cols, twin.rows = self.cols, self.rows
        twin.chars, twin.styles = list(self.chars), list(self.styles)
        return twin

    def text(self, row: int) -> str:
        return self.chars[row]


class Region:
    """A rectangle of a grid; whatever is drawn into it is clipped to it.

    Coordinates are relative to the rectangle's top-left cell. Clipping here is what
    keeps every pane inside its own rectangle, whatever its contents.
    """

    # Plain ints rather than a Rect: a frame draws thousands of pieces.
    __slots__ = ("grid", "height", "left", "top", "width")

    def __init__(self, grid: Grid, rect: Rect) -> None:
        # Clipped to the grid too, so that a rectangle hanging off the screen is safe.
        top, left = max(0, rect.top), max(0, rect.left)
        bottom = min(grid.rows, rect.top + rect.height)
        right = min(grid.cols, rect.left + rect.width)
        self.grid = grid
        self.top, self.left = top, left
        self.height, self.width = max(0, bottom - top), max(0, right - left)

    @property
    def rect(self) -> Rect:
        return Rect(self.top, self.left, self.height, self.width)

    def put(self, row: int, col: int, text: str, style: str = PLAIN) -> int:
        """Draw `text` from (`row`, `col`); return the column after it (unclipped)."""
        end = col + len(text)
        if not 0 <= row < self.height or not text:
            return end
        start = col if col > 0 else 0
        stop = end if end < self.width else self.width
        if start >= stop:
            return end
        y = self.top + row
        x0, x1 = self.left + start, self.left + stop
        grid = self.grid
        line = grid.chars[y]
        grid.chars[y] = line[:x0] + text[start - col : stop - col] + line[x1:]
        styles = grid.styles[y]
        grid.styles[y] = styles[:x0] + (style if grid.color else PLAIN) * (x1 - x0) + styles[x1:]
        return end

    def put_spans(self, row: int, col: int, spans: list[Span]) -> int:
        """Draw styled pieces one after the other; return the column after them."""
        chars = "".join([s.text for s in spans])
        self.put_cells(row, col, chars, "".join([s.style * len(s.text) for s in spans]))
        return col + len(chars)

    def put_cells(self, row: int, col: int, chars: str, styles: str) -> None:
        """Draw characters with a style code each (`styles` as long as `chars`)."""
        if not 0 <= row < self.height:
            return
        end = col + len(chars)
        start = col if col > 0 else 0
        stop = end if end < self.width else self.width
        if start >= stop:
            return
        y = self.top + row
        x0, x1 = self.left + start, self.left + stop
        grid = self.grid
        line = grid.chars[y]
        grid.chars[y] = line[:x0] + chars[start - col : stop - col] + line[x1:]
        codes = styles[start - col : stop - col] if grid.color else PLAIN * (x1 - x0)
        old = grid.styles[y]
        grid.styles[y] = old[:x0] + codes + old[x1:]

    def fill(self, char: str = " ", style: str = PLAIN) -> None:
        for row in range(self.height):
            self.put(row, 0, char * self.width, style)

    def sub(self, rect: Rect) -> "Region":
        """A rectangle inside this one (relative coordinates), clipped to it."""
        top, left = self.top + max(0, rect.top), self.left + max(0, rect.left)
        bottom = min(self.top + self.height, self.top + rect.top + rect.height)
        right = min(self.left + self.width, self.left + rect.left + rect.width)
        return Region(self.grid, Rect(top, left, max(0, bottom - top), max(0, right - left)))

    def box(self, title: list[Span]) -> "Region":
        """A rounded border with `title` in its top edge; returns the inside."""
        self.border()
        return self.titled(title)

    def border(self) -> None:
        h, w = self.height, self.width
        if h < 2 or w < 2:
            return
        self.put(0, 0, "╭" + "─" * (w - 2) + "╮", MUTED)
        for row in range(1, h - 1):
            self.put(row, 0, "│", MUTED)
            self.put(row, w - 1, "│", MUTED)
        self.put(h - 1, 0, "╰" + "─" * (w - 2) + "╯", MUTED)

    def titled(self, title: list[Span]) -> "Region":
        """`title` in the top edge of a border already drawn; returns the inside.

        The title never covers a corner; pieces that do not fit whole are left out,
        from the end.
        """
        h, w = self.height, self.width
        if h < 2 or w < 2:
            return self.sub(Rect(0, 0, 0, 0))
        room = w - 6
        kept: list[Span] = []
        for span in title:
            if len(span.text) > room:
                break
            kept.append(span)
            room -= len(span.text)
        if kept:
            inside = self.sub(Rect(0, 2, 1, w - 4))
            col = inside.put(0, 0, " ")
            col = inside.put_spans(0, col, kept)
            inside.put(0, col, " ")
        return self.sub(Rect(1, 1, h - 2, w - 2))
