"""The terminal model's screens (publish/screens.py) as the SVG's frames: each row as runs
of one style."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from genact_cast.asciicast import Event, Header
from genact_cast.publish import vectors
from genact_cast.publish.bidi_levels import in_visual_order
from genact_cast.publish.player_layout import as_laid_out, zero_width
from genact_cast.publish.screens import Clip, Row, Screen, Style, Timeline
from genact_cast.publish.span_spaces import spaces_in_spans

Run = tuple[str, Style]  # text, style
CACHED_CELLS = 1_000_000  # the rows `frames` keeps the runs of (about 10 MB of cells)
Line = tuple[Run, ...]


class Placed(tuple[Run, ...]):
    """A line with vector symbols the player draws away from where its text has reached:
    `symbols` maps such a symbol's column in the laid-out text to its cell in the
    terminal (the player places a symbol by its cell: a second ⚏, two cells in avt but
    one blank in its span's text, or a symbol after a zero-width mark)."""

    symbols: dict[int, int]
    # Columns of the laid-out text whose glyph the browser draws off its cell, and by how
    # many columns (publish/player_layout.as_laid_out's shifts: 𝐀𝐁𝐂, ①②③ and the text
    # after them in their span).
    nudges: dict[int, float]

    def __new__(
        cls, runs: Line, symbols: dict[int, int], nudges: dict[int, float] | None = None
    ) -> Placed:
        line = super().__new__(cls, runs)
        line.symbols = symbols
        line.nudges = nudges or {}
        return line

    def _key(self) -> tuple[object, ...]:
        return (tuple(sorted(self.symbols.items())), tuple(sorted(self.nudges.items())))

    def __eq__(self, other: object) -> bool:
        theirs = other._key() if isinstance(other, Placed) else ((), ())
        return tuple.__eq__(self, other) and self._key() == theirs

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((tuple(self), self._key()))


def symbols_of(line: Line) -> dict[int, int]:
    """The cells of the line's vector symbols placed away from its text (see `Placed`)."""
    return line.symbols if isinstance(line, Placed) else {}


def nudges_of(line: Line) -> dict[int, float]:
    """The columns whose glyphs the browser draws off their cells (see `Placed`)."""
    return line.nudges if isinstance(line, Placed) else {}


@dataclass(frozen=True)
class Frame:
    time: float
    lines: tuple[Line, ...]
    cols: int


def frames(
    header: Header,
    events: Iterable[Event],
    *,
    fps_cap: float = 30.0,
    idle_time_limit: float | None = None,
    until: float | None = None,
) -> Iterator[Frame]:
    """The terminal model's screens as rows of runs of one style, at most `fps_cap` a second.

    Each has the size the terminal has at that moment (a cast that resizes changes it).
    """
    clip = Clip(
        fps=fps_cap,
        idle_time_limit=idle_time_limit,
        end_at=None if until is None else repr(float(until)),
    )
    cache: dict[Row, Line] = {}
    cached = 0  # their cells: a wide terminal's rows are large (1000 cells: 8 KB each)
    lines: list[Line] = []
    for screen in Timeline(header, events, clip):
        # Rows that did not change keep their runs: hashing a row to look it up costs
        # about as much as the rest of the frame.
        if len(lines) != len(screen.rows):
            lines = [()] * len(screen.rows)
            changed: Iterable[int] = range(len(screen.rows))
        else:
            changed = screen.changed
        for y in changed:
            row = screen.rows[y]
            line = cache.get(row)
            if line is None:
                cached += len(row)
                if cached > CACHED_CELLS:
                    cache.clear()
                    cached = len(row)
                line = cache[row] = _runs(row)
            lines[y] = line
        yield Frame(screen.time, tuple(lines), screen.cols)


def frame_of(screen: Screen) -> Frame:
    """One screen as a frame of its own (no rows shared with a frame before it)."""
    return Frame(screen.time, tuple(_runs(row) for row in screen.rows), screen.cols)


def _right_to_left(char: str) -> bool:
    return not char.isascii() and unicodedata.bidirectional(char[:1]) in ("R", "AL")


def _runs(row: Row) -> Line:
    """Cells as runs of one style; the right half of a wide character is a space after it.
    Laid out as the player's spans are (publish/player_layout.py): a zero-width code point
    takes no column.

    A block element the player paints on its canvas (not as text) is never faint there."""
    runs: list[Run] = []
    sources: list[int] = []
    shifts: list[float] = []
    spaced = spaces_in_spans(row)
    laid_out = as_laid_out(spaced, sources, shifts)
    laid = in_visual_order(laid_out)  # spans with bidi controls
    symbols: dict[int, int] = {}
    nudges: dict[int, float] = {}
    column = 0  # the column the laid-out text reaches (zero-width code points take none)
    moved = any(shifts)  # (most rows: no glyph off its cell)
    # A row laid out as it is (most rows) has no zero-width code point and every glyph on
    # its own cell: no symbol is away from its text and no glyph is nudged.
    for index, (char, _) in enumerate(() if laid is spaced else laid):
        if zero_width(char):
            continue
        if sources[index] != column and vectors.vector(char):
            symbols[column] = sources[index]
        if moved and abs(shifts[index]) >= 0.01:
            nudges[column] = round(shifts[index], 2)
        column += 1
    if nudges and (laid is not laid_out or any(_right_to_left(char) for char, _ in laid)):
        # (a run the browser reorders stays whole, as it was: its glyphs are not placed
        # one by one, which would keep Chromium from reordering them)
        nudges = {}
    for style, group in groupby(laid, itemgetter(1)):
        cells = list(group)
        if style[5] and any(vectors.raster_symbol(char) for char, _ in cells):
            plain = (*style[:5], False, *style[6:])
            for symbol, part in groupby(cells, lambda cell: vectors.raster_symbol(cell[0])):
                text = "".join([char or " " for char, _ in part])
                runs.append((text, plain if symbol else style))
            continue
        runs.append(("".join([char or " " for char, _ in cells]), style))
    return Placed(tuple(runs), symbols, nudges) if symbols or nudges else tuple(runs)
