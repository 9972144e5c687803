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
