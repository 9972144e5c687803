"""The embedding levels of a left-to-right paragraph, by the Unicode bidi algorithm
(UAX #9), from FriBiDi: the library Pillow's raqm layout loads (libfribidi.so.0) for the
same algorithm, so it is there wherever the raster lays right-to-left text out.

Chromium applies the whole algorithm inside each of asciinema-player's spans (ICU's
ubidi): explicit embeddings and overrides (LRE, RLE, LRO, RLO, PDF), isolates (LRI, RLI,
FSI, PDI), bracket pairs, numbers and neutrals; FriBiDi 1.0 implements the same version
of it. `levels` gives each code point's level (odd: right to left), `visual` the order
the levels put them in (rule L2).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Sequence
from operator import itemgetter

from genact_cast.publish.terminal_cells import Cell, Row, Style

PARAGRAPH_LTR = 0x110  # FRIBIDI_PAR_LTR (FRIBIDI_MASK_STRONG | FRIBIDI_MASK_LETTER)


@functools.cache
def _library() -> ctypes.CDLL | None:
    for name in ("libfribidi.so.0", ctypes.util.find_library("fribidi")):
        if name:
            try:
                return ctypes.CDLL(name)
            except OSError:
                continue
    return None


def available() -> bool:
    return _library() is not None


def levels(text: str) -> list[int]:
    """Each code point's embedding level in `text` laid out as one left-to-right
    paragraph; the controls get levels too (they are drawn as nothing)."""
    library = _library()
    if library is None or not text:
        return [0] * len(text)
    count = len(text)
    chars = (ctypes.c_uint32 * count)(*(ord(char) for char in text))
    types = (ctypes.c_uint32 * count)()
    brackets = (ctypes.c_uint32 * count)()
    found = (ctypes.c_int8 * count)()
    direction = ctypes.c_uint32(PARAGRAPH_LTR)
    library.fribidi_get_bidi_types(chars, count, types)
    library.fribidi_get_bracket_types(chars, count, types, brackets)
    library.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    if not library.fribidi_get_par_embedding_levels_ex(
        types, brackets, count, ctypes.byref(direction), found
    ):
        return [0] * count
    return list(found)


def visual(levels: Sequence[int]) -> list[int]:
    """Indices in the order they are shown, left to right (L2: from the highest level
    down to the lowest odd one, each run at that level or higher is reversed)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    lowest_odd = min((level for level in levels if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        x = 0
        while x < len(order):
            if levels[order[x]] < level:
                x += 1
                continue
            end = x
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[x:end] = order[x:end][::-1]
            x = end
    return order


# The explicit embeddings, overrides and isolates (and PDF, PDI that end them).
EXPLICIT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def in_visual_order(row: Row) -> Row:
    """The laid-out row (publish/player_layout.as_laid_out) with the characters of each of
    the player's spans that holds an embedding, override or isolate put in the order the
    browser shows them: each character (with the zero-width ones after it) moves to the
    column the levels give it, on that cell's background; the controls go to the span's
    end, where they take no column. For the SVG, which writes such a span's runs under
    an LRO: its runs are text chunks, which Chromium reorders one by one."""
    if EXPLICIT.isdisjoint(map(itemgetter(0), row)) or not available():
        return row
    cells = list(row)
    start = 0
    while start < len(cells):
        style = cells[start][1]
        key = (style[0], *style[2:])
        end = start
        while (
            end < len(cells) and cells[end][0] and ((cells[end][1][0], *cells[end][1][2:]) == key)
        ):
            end += 1
        if end == start:
            start += 1
            continue
        if any(char in EXPLICIT for char, _ in cells[start:end]):
            cells[start:end] = _reordered(cells[start:end])
        start = end
    return tuple(cells)


def _reordered(span: list[Cell]) -> list[Cell]:
    from genact_cast.publish.player_layout import zero_width

    text = "".join(char for char, _ in span)
    found = levels(text)
    clusters: list[list[Cell]] = []
    cluster_levels: list[int] = []
    controls: list[Cell] = []
    slots: list[Style] = []  # the styles (backgrounds) of the cells that take a column
    for (char, style), level in zip(span, found, strict=True):
        if char in EXPLICIT:
            controls.append((char, style))
        elif clusters and zero_width(char):
            clusters[-1].append((char, style))
        else:
            clusters.append([(char, style)])
            cluster_levels.append(level)
        if not zero_width(char):
            slots.append(style)
    out: list[Cell] = []
    for slot, index in zip(slots, visual(cluster_levels), strict=False):
        cluster = clusters[index]
        out.extend((char, slot) for char, _ in cluster)
    return out + controls
