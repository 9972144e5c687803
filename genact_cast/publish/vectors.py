"""The symbols asciinema-player draws as vector shapes on the cell rather than taking from
a font (src/components/Terminal.js, `getVectorSymbolDef`): the powerline separators
(U+E0B0-E0BF), the black triangles (U+25E2-25E5), the legacy computing diagonals
(U+1FB3C-1FB6C); and, painted on its canvas, the shades, block elements, sextants
(U+1FB00-1FB3B) and ┃ ╹ ╻ ■. Points are fractions of the cell, x across and y down. The
PNG and video draw them with Pillow (glyphs.py), the SVG as paths (svg.py); this module
needs neither.
"""

from __future__ import annotations

POLYGONS: dict[int, tuple[tuple[float, float], ...]] = {
    0x25E2: ((1, 1), (1, 0), (0, 1)),
    0x25E3: ((0, 1), (0, 0), (1, 1)),
    0x25E4: ((0, 0), (1, 0), (0, 1)),
    0x25E5: ((1, 0), (1, 1), (0, 0)),
    0xE0B0: ((0, 0), (1, 0.5), (0, 1)),
    0xE0B2: ((1, 0), (0, 0.5), (1, 1)),
    0xE0B8: ((0, 1), (0, 0), (1, 1)),
    0xE0BA: ((1, 1), (1, 0), (0, 1)),
    0xE0BC: ((0, 0), (1, 0), (0, 1)),
    0xE0BE: ((1, 0), (1, 1), (0, 0)),
}
_T, _TT = 1 / 3, 2 / 3
# Legacy computing (U+1FB3C-1FB6C): the diagonal block parts, filled, as the player's
# `getVectorSymbolDef` has them (3.18.0 dist/opts-*.js); 1FB68-1FB6B, a cell less one
# triangle, as one polygon.
POLYGONS.update({
    0x1FB3C: ((0, _TT), (0, 1), (0.5, 1)),
    0x1FB3D: ((0, _TT), (0, 1), (1, 1)),
    0x1FB3E: ((0, _T), (0.5, 1), (0, 1)),
    0x1FB3F: ((0, _T), (1, 1), (0, 1)),
    0x1FB40: ((0, 0), (0.5, 1), (0, 1)),
    0x1FB41: ((0, _T), (0, 1), (1, 1), (1, 0), (0.5, 0)),
    0x1FB42: ((0, _T), (0, 1), (1, 1), (1, 0)),
    0x1FB43: ((0, _TT), (0, 1), (1, 1), (1, 0), (0.5, 0)),
    0x1FB44: ((0, _TT), (0, 1), (1, 1), (1, 0)),
    0x1FB45: ((0.5, 0), (1, 0), (1, 1), (0, 1)),
    0x1FB46: ((0, _TT), (0, 1), (1, 1), (1, _T)),
    0x1FB47: ((0.5, 1), (1, 1), (1, _TT)),
    0x1FB48: ((0, 1), (1, 1), (1, _TT)),
    0x1FB49: ((0.5, 1), (1, 1), (1, _T)),
    0x1FB4A: ((0, 1), (1, 1), (1, _T)),
    0x1FB4B: ((0.5, 1), (1, 0), (1, 1)),
    0x1FB4C: ((0, 0), (0.5, 0), (1, _T), (1, 1), (0, 1)),
    0x1FB4D: ((0, 0), (0, 1), (1, 1), (1, _T)),
    0x1FB4E: ((0, 0), (0.5, 0), (1, _TT), (1, 1), (0, 1)),
    0x1FB4F: ((0, 0), (1, _TT), (1, 1), (0, 1)),
    0x1FB50: ((0, 0), (0.5, 0), (1, 1), (0, 1)),
    0x1FB51: ((0, _T), (1, _TT), (1, 1), (0, 1)),
    0x1FB52: ((0, _TT), (0, 0), (1, 0), (1, 1), (0.5, 1)),
    0x1FB53: ((0, _TT), (0, 0), (1, 0), (1, 1)),
    0x1FB54: ((0, _T), (0, 0), (1, 0), (1, 1), (0.5, 1)),
    0x1FB55: ((0, _T), (0, 0), (1, 0), (1, 1)),
    0x1FB56: ((0, 0), (1, 0), (1, 1), (0.5, 1)),
    0x1FB57: ((0, _T), (0.5, 0), (0, 0)),
    0x1FB58: ((0, 0), (1, 0), (0, _T)),
    0x1FB59: ((0, 0), (0.5, 0), (0, _TT)),
    0x1FB5A: ((0, 0), (1, 0), (0, _TT)),
    0x1FB5B: ((0, 0), (0.5, 0), (0, 1)),
    0x1FB5C: ((0, 0), (1, 0), (1, _T), (0, _TT)),
    0x1FB5D: ((0, 0), (1, 0), (1, _TT), (0.5, 1), (0, 1)),
    0x1FB5E: ((0, 0), (1, 0), (1, _TT), (0, 1)),
    0x1FB5F: ((0, 0), (1, 0), (1, _T), (0.5, 1), (0, 1)),
    0x1FB60: ((0, 0), (1, 0), (1, _T), (0, 1)),
    0x1FB61: ((0, 0), (1, 0), (0.5, 1), (0, 1)),
    0x1FB62: ((0.5, 0), (1, 0), (1, _T)),
    0x1FB63: ((0, 0), (1, 0), (1, _T)),
    0x1FB64: ((0.5, 0), (1, 0), (1, _TT)),
    0x1FB65: ((0, 0), (1, 0), (1, _TT)),
    0x1FB66: ((0.5, 0), (1, 0), (1, 1)),
    0x1FB67: ((0, _T), (0, 0), (1, 0), (1, _TT)),
    0x1FB68: ((0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)),
    0x1FB69: ((0, 0), (0.5, 0.5), (1, 0), (1, 1), (0, 1)),
    0x1FB6A: ((0, 0), (1, 0), (0.5, 0.5), (1, 1), (0, 1)),
    0x1FB6B: ((0, 0), (1, 0), (1, 1), (0.5, 0.5), (0, 1)),
    0x1FB6C: ((0, 0), (0, 1), (0.5, 0.5)),
})  # fmt: skip
LINES: dict[int, tuple[tuple[float, float], ...]] = {
    0xE0B1: ((0, 0), (1, 0.5), (0, 1)),
    0xE0B3: ((1, 0), (0, 0.5), (1, 1)),
    0xE0B9: ((0, 0), (1, 1)),
    0xE0BF: ((0, 0), (1, 1)),
    0xE0BB: ((0, 1), (1, 0)),
    0xE0BD: ((0, 1), (1, 0)),
}
STROKE = 0.07  # the player's stroke width for the thin separators, in cells
HALF_CIRCLES = {0xE0B4: "right", 0xE0B5: "right", 0xE0B6: "left", 0xE0B7: "left"}
OUTLINED = frozenset({0xE0B5, 0xE0B7})  # drawn as a stroke, not filled
# The shades ░▒▓ (and DEC graphics' `a`): the player fills the cell at 25, 50 and 75 %
# opacity on its canvas (Terminal.js `drawBlockGlyph`, `globalAlpha`), not a font's dither.
SHADES = {0x2591: 0.25, 0x2592: 0.5, 0x2593: 0.75}
# The other block elements: rectangles (x0, y0, x1, y1) the player fills on its canvas
# (`drawBlockGlyph`), so a run of them in changing colours abuts with no seam, which a
# font's glyphs on fractional columns leave (review-exports2 item 13).
# Quadrants ▖ … ▟: the quarters they fill, bits upper left, upper right, lower left, lower right.
_QUADS = ((0x2596, 4), (0x2597, 8), (0x2598, 1), (0x2599, 13), (0x259A, 9),
          (0x259B, 7), (0x259C, 11), (0x259D, 2), (0x259E, 6), (0x259F, 14))  # fmt: skip
_Q = ((0, 0, 0.5, 0.5), (0.5, 0, 1, 0.5), (0, 0.5, 0.5, 1), (0.5, 0.5, 1, 1))
BLOCKS: dict[int, tuple[tuple[float, float, float, float], ...]] = {
    0x2580: ((0, 0, 1, 0.5),),
    **{0x2580 + k: ((0, 1 - k / 8, 1, 1),) for k in range(1, 9)},  # ▁ … █
    **{0x2590 - k: ((0, 0, k / 8, 1),) for k in range(1, 8)},  # ▉ … ▏
    0x2590: ((0.5, 0, 1, 1),),
    0x2594: ((0, 0, 1, 1 / 8),),
    0x2595: ((7 / 8, 0, 1, 1),),
    **{code: tuple(q for bit, q in enumerate(_Q) if quads >> bit & 1) for code, quads in _QUADS},
    # ┃ ╹ ╻ ■ as the player's `drawBlockGlyph` paints them (its cells are 8 units wide):
    # ┃ ╹ ╻ two units wide, centred.
    0x2503: ((3 / 8, 0, 5 / 8, 1),),
    0x2579: ((3 / 8, 0, 5 / 8, 0.5),),
    0x257B: ((3 / 8, 0.5, 5 / 8, 1),),
    0x25A0: ((0, 2 / 8, 1, 6 / 8),),
}
# ⚏ (U+268F), a vector symbol of the player's: two bars of two, each 0.17 of the font size
# (the cell is 20 units high for 9.0375 of font size: CELL_RATIO), 0.2 apart around the
# middle, a gap of 0.15 of the cell between the halves, the right half overdrawn by 0.02.
# avt makes it two cells wide, the player draws it on its first cell alone.
WIDE = frozenset({"\u268f"})  # vector symbols avt gives two cells (publish/player_layout.py)
_RATIO = 9.0375 / 20
_BAR = (0.5 - (0.1 + 0.17) * _RATIO, 0.5 - 0.1 * _RATIO)
_BAR2 = (0.5 + 0.1 * _RATIO, 0.5 + (0.1 + 0.17) * _RATIO)
BLOCKS[0x268F] = tuple(
    (x0, y0, x1, y1) for x0, x1 in ((0, 0.425), (0.575, 1.02)) for y0, y1 in (_BAR, _BAR2)
)


def _sextant(code: int) -> tuple[tuple[float, float, float, float], ...]:
    """Sextants count the 2x3 patterns in order, leaving out the blank, the left and right
    columns (▌ ▐ exist already) and the full cell; bit 0 is the upper left sixth."""
    bits = code - 0x1FB00 + 1
    bits += bits >= 21
    bits += bits >= 42
    return tuple(
        (bit % 2 / 2, bit // 2 / 3, (bit % 2 + 1) / 2, (bit // 2 + 1) / 3)
        for bit in range(6)
        if bits >> bit & 1
    )


BLOCKS.update({code: _sextant(code) for code in range(0x1FB00, 0x1FB3C)})


def vector(char: str) -> bool:
    """Whether the player draws `char` as a vector shape."""
    if len(char) != 1:
        return False
    code = ord(char)
    return (
        code in POLYGONS
        or code in LINES
        or code in HALF_CIRCLES
        or code in SHADES
        or code in BLOCKS
    )


def svg_path(
    char: str, x: float, y: float, width: float, height: float, decimals: int = 2
) -> tuple[str, bool]:
    """The path data of `char` on the cell at (x, y) of width x height, and whether it is
    stroked (a line of `STROKE` cells) rather than filled."""
    code = ord(char)

    def point(p: tuple[float, float]) -> str:
        return f"{_n(x + p[0] * width, decimals)} {_n(y + p[1] * height, decimals)}"

    if code in POLYGONS:
        return "M" + "L".join(point(p) for p in POLYGONS[code]) + "Z", False
    if code in BLOCKS:
        return "".join(
            f"M{point((x0, y0))}H{_n(x + x1 * width, decimals)}V{_n(y + y1 * height, decimals)}"
            f"H{_n(x + x0 * width, decimals)}Z"
            for x0, y0, x1, y1 in BLOCKS[code]
        ), False
    if code in SHADES:
        return "M" + "L".join(point(p) for p in ((0, 0), (1, 0), (1, 1), (0, 1))) + "Z", False
    if code in LINES:
        return "M" + "L".join(point(p) for p in LINES[code]), True
    # A half ellipse as wide as the cell, its centre on the cell's left or right edge.
    right = HALF_CIRCLES[code] == "right"
    start = point((0, 0) if right else (1, 0))
    end = point((0, 1) if right else (1, 1))
    radii = f"{_n(width, decimals)} {_n(height / 2, decimals)}"
    sweep = "1" if right else "0"
    closed = code not in OUTLINED
    return f"M{start}A{radii} 0 0 {sweep} {end}" + ("Z" if closed else ""), not closed


def _n(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def raster_symbol(char: str) -> bool:
    """Whether the player paints `char` on its canvas (avt's raster symbols, the player's
    src/vt/src/lib.rs `is_raster_symbol`): block elements, heavy vertical box lines, the
    black square, sextants. Painted in the cell's colour: never faint."""
    if len(char) != 1:
        return False
    code = ord(char)
    return (
        0x2580 <= code <= 0x259F
        or code in (0x2503, 0x2579, 0x257B, 0x25A0)
        or 0x1FB00 <= code <= 0x1FB3B
    )
