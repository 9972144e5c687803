"""A braille dot canvas: 2 × 4 dots per cell, lines between points, layers of series.

Each series draws into its own layer; a cell shows the dots of every layer in the
colour of the topmost layer that has a dot there (a cell has one colour). Because the
layers are kept apart, a series can be extended later without changing how the cells
it shares with another series look: a chart drawn in steps equals one drawn at once.
"""

from __future__ import annotations

import functools
import operator

# Bit of each dot in a braille cell, by (column, row) inside the cell.
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_BLANK = 0x2800


class Canvas:
    """`width` × `height` cells, i.e. 2·width × 4·height dots; (0, 0) is the top-left dot.

    `styles` gives each layer's style, bottom layer first.
    """

    def __init__(self, width: int, height: int, styles: tuple[str, ...]) -> None:
        self.width, self.height = max(0, width), max(0, height)
        self.dots_x, self.dots_y = 2 * self.width, 4 * self.height
        self._layer_styles = styles
        self._bits = [[[0] * self.width for _ in range(self.height)] for _ in styles]
        self._rows: list[tuple[str, str]] = [("", "")] * self.height
        self._dirty = set(range(self.height))

    def dot(self, x: int, y: int, layer: int) -> None:
        if 0 <= x < self.dots_x and 0 <= y < self.dots_y:
            self._bits[layer][y >> 2][x >> 1] |= _DOT[x & 1][y & 3]
            self._dirty.add(y >> 2)

    def line(self, x0: int, y0: int, x1: int, y1: int, layer: int) -> None:
        """Bresenham's line, both ends included."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        # `dot`, inlined: lines are most of the work of a chart.
        bits, dirty, width, height = self._bits[layer], self._dirty, self.dots_x, self.dots_y
        while True:
            if 0 <= x0 < width and 0 <= y0 < height:
                bits[y0 >> 2][x0 >> 1] |= _DOT[x0 & 1][y0 & 3]
                dirty.add(y0 >> 2)
            if x0 == x1 and y0 == y1:
                return
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += sx
            if doubled <= dx:
                error += dx
                y0 += sy

    def polyline(self, points: list[tuple[int, int]], layer: int) -> None:
        if len(points) == 1:
            self.dot(*points[0], layer)
        for index in range(1, len(points)):
            (x0, y0), (x1, y1) = points[index - 1], points[index]
            self.line(x0, y0, x1, y1, layer)

    def is_blank(self, row: int, col: int) -> bool:
        return not any(layer[row][col] for layer in self._bits)

    def rows(self) -> list[tuple[str, str]]:
        """Each row as (characters, style codes); blank cells are spaces.

        Rows are merged with bytes and str translations (C speed): a chart is redrawn
        about once a second, and its rows are most of a frame's work.
        """
        masks = [bytes.maketrans(bytes(range(256)), bytes([0] + [k + 1] * 255)) for k in
                 range(len(self._layer_styles))]  # fmt: skip
        styles = {0: " "} | {k + 1: style for k, style in enumerate(self._layer_styles)}
        for row in sorted(self._dirty):
            layers = [layer[row] for layer in self._bits]
            merged = bytes(functools.reduce(_or_lists, layers))
            chars = merged.decode("latin-1").translate(_BRAILLE)
            tops = [bytes(layer).translate(mask) for layer, mask in zip(layers, masks, strict=True)]
            top = bytes(map(max, *tops)) if len(tops) > 1 else tops[0]
            self._rows[row] = (chars, top.decode("latin-1").translate(styles))
        self._dirty.clear()
        return self._rows


def _or_lists(a: list[int], b: list[int]) -> list[int]:
    return list(map(operator.or_, a, b))


# Dot bits to braille characters; no dots is a space, so that blank cells stay blank.
_BRAILLE = {0: " "} | {bits: chr(_BLANK + bits) for bits in range(1, 256)}
