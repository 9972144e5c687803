"""Where DejaVu Sans Mono's box-drawing and block glyphs reach the top and bottom of a row.

asciinema-player draws block elements as rectangles that fill the cell (its
Terminal.js, `drawBlockGlyph`), so a column of `█` or a bar chart shows no line between
rows; box drawing it leaves to the font. The SVG's rows (18 px at 14 px, as the
player's line height) are taller than the font's glyph box (1.188 em), so each of these
glyphs gets the ink it has at its top and bottom edge continued to the row's edge: the
vertical strokes of `│ ║ ├ ╭` join the rows above and below, and the text stays the
text. The blocks and `┃ ╹ ╻` are drawn as shapes that fill the row (publish/vectors.py):
they need none. The spans are measured from the bundled font by
scripts/box_extents.py into data/box_extents.json (no Pillow needed here).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from importlib import resources

from genact_cast.publish.player_layout import advance, one_column_each
from genact_cast.publish.vectors import vector

Spans = tuple[tuple[float, float], ...]  # (x0, x1) as fractions of the cell's width
OVERLAP = 0.3  # px drawn over the glyph's own edge, so antialiasing leaves no hairline


@functools.cache
def _table() -> tuple[float, float, dict[str, tuple[Spans, Spans]]]:
    text = (resources.files("genact_cast.publish") / "data" / "box_extents.json").read_text()
    data = json.loads(text)
    cells = {
        chr(int(code, 16)): (
            tuple((float(a), float(b)) for a, b in above),
            tuple((float(a), float(b)) for a, b in below),
        )
        for code, (above, below) in data["cells"].items()
    }
    return float(data["top"]), float(data["bottom"]), cells


def glyph_box() -> tuple[float, float]:
    """The top and bottom of the font's box-drawing glyphs, in em from the baseline."""
    top, bottom, _ = _table()
    return top, bottom


class _Edges:
    """`EDGES.get(char)`: the char's (top spans, bottom spans), or None; loaded on first use."""

    def get(self, char: str) -> tuple[Spans, Spans] | None:
        if not "\u2500" <= char <= "\u259f":
            return None
        return _table()[2].get(char)


EDGES = _Edges()
BOX_CHARS = re.compile("[\u2500-\u259f]")  # (the only characters EDGES knows)


def strokes(
    reach: tuple[Spans, Spans], baseline: float, line_height: float, font_size: float
) -> list[tuple[float, float, float, float]]:
    """(x0, x1, y0, y1) to draw for one glyph: x as fractions of its cell, y from the
    baseline (down is positive). Ink at both edges in the same place is one stroke the
    row's height; otherwise a strip above the glyph box and one below."""
    top, bottom, _ = _table()
    row_top, row_bottom = -baseline, line_height - baseline
    glyph_top, glyph_bottom = top * font_size + OVERLAP, bottom * font_size - OVERLAP
    above, below = reach
    if above == below:
        return [(x0, x1, row_top, row_bottom) for x0, x1 in above]
    return [(x0, x1, row_top, glyph_top) for x0, x1 in above] + [
        (x0, x1, glyph_bottom, row_bottom) for x0, x1 in below
    ]


@functools.lru_cache(maxsize=1024)  # (the box and block characters, at a size or two)
def _glyph_strokes(
    char: str, baseline: float, line_height: float, font_size: float
) -> tuple[tuple[float, float, float, float], ...]:
    """`strokes` of one character, none for a vector symbol (a shape fills the row)."""
    reach = None if vector(char) else EDGES.get(char)
    if reach is None:
        return ()
    return tuple(strokes(reach, baseline, line_height, font_size))


def merged(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans (sorted) with those that touch or overlap joined: a run of `█` is one."""
    out: list[tuple[float, float]] = []
    for x0, x1 in spans:
        if out and x0 <= out[-1][1] + 1e-6:
            out[-1] = (out[-1][0], max(out[-1][1], x1))
        else:
            out.append((x0, x1))
    return out


def line_strokes(
    line: Sequence[tuple[str, tuple[str, ...] | tuple[object, ...]]],
    line_height: float,
    baseline: float,
    font_size: float,
    cell_width: float,
) -> dict[tuple[str, float], list[tuple[float, float, float]]]:
    """The vertical strokes a line of runs (text, style with its fg first) needs, by pen
    (fg, width in px): their x (centre, px) and y from and to (from the baseline), ordered
    for a path to visit. A glyph whose ink reaches both edges in the same place gets one
    stroke the row's height, over its own (same colour, same place); a run of `█` one
    stroke as wide as the run. A glyph is at the column its run's text reaches (a
    zero-width code point takes none). A vector symbol (blocks, ┃ ╹ ╻: publish/vectors.py)
    gets none: its shape fills the row's height at its cell, and blinks with its text."""
    if not BOX_CHARS.search("".join([text for text, _ in line])):
        return {}  # (a line without box drawing or blocks: most)
    column = 0
    found: dict[tuple[str, float, float], list[tuple[float, float]]] = {}
    for text, style in line:
        fg = str(style[0])
        each = one_column_each(text)  # (then a character's offset is its column in the run)
        for match in BOX_CHARS.finditer(text):  # the only characters EDGES knows
            offset, char = match.start(), match.group()
            glyph = _glyph_strokes(char, baseline, line_height, font_size)
            if glyph:
                at = column + (offset if each else advance(text[:offset]))
                for x0, x1, y0, y1 in glyph:
                    found.setdefault((fg, y0, y1), []).append((at + x0, at + x1))
        column += advance(text)
    by_pen: dict[tuple[str, float], list[tuple[float, float, float]]] = {}
    for (fg, y0, y1), spans in found.items():
        for x0, x1 in merged(sorted(spans)):
            width = round((x1 - x0) * cell_width, 2)
            by_pen.setdefault((fg, width), []).append(((x0 + x1) / 2 * cell_width, y0, y1))
    return {pen: sorted(found, key=lambda s: (s[1], s[0])) for pen, found in by_pen.items()}
