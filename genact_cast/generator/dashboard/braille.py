"""A braille dot canvas: 2 × 4 dots per cell, lines between points, one colour per cell."""

from __future__ import annotations

import itertools

# Bit of each dot in a braille cell, by (column, row) inside the cell.
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_BLANK = 0x2800


class Canvas:
    """`width` × `height` cells, i.e. 2·width × 4·height dots; (0, 0) is the top-left dot.

    A cell takes the style of the last series that set a dot in it, as terminal
    charts do: a cell has one colour.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = max(0, width), max(0, height)
        self._bits = [[0] * self.width for _ in range(self.height)]
        self._styles = [[" "] * self.width for _ in range(self.height)]

    @property
    def dots_x(self) -> int:
        return 2 * self.width

    @property
    def dots_y(self) -> int:
        return 4 * self.height

    def dot(self, x: int, y: int, style: str) -> None:
        if 0 <= x < self.dots_x and 0 <= y < self.dots_y:
            row, col = y >> 2, x >> 1
            self._bits[row][col] |= _DOT[x & 1][y & 3]
            self._styles[row][col] = style

    def line(self, x0: int, y0: int, x1: int, y1: int, style: str) -> None:
        """Bresenham's line, both ends included."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        while True:
            self.dot(x0, y0, style)
            if x0 == x1 and y0 == y1:
                return
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += sx
            if doubled <= dx:
                error += dx
                y0 += sy

    def polyline(self, points: list[tuple[int, int]], style: str) -> None:
        if len(points) == 1:
            self.dot(*points[0], style)
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            self.line(x0, y0, x1, y1, style)

    def is_blank(self, row: int, col: int) -> bool:
        return self._bits[row][col] == 0

    def rows(self) -> list[tuple[str, str]]:
        """Each row as (characters, style codes); blank cells are spaces."""
        out = []
        for bits, styles in zip(self._bits, self._styles, strict=True):
            chars = "".join(chr(_BLANK + b) if b else " " for b in bits)
            out.append((chars, "".join(styles)))
        return out
