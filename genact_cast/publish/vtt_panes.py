"""Where a multiplexer's panes are on its screen, from the borders it draws (tmux's
screen-redraw.c: a vertical border is a column of U+2502 from the top of the panes (or
a horizontal border) to their bottom (or a horizontal border), a horizontal border a row
of U+2500 across the pane, with a tee or a cross where they meet).

A pane is a region the borders close: panes side by side and panes one above the other
(Ctrl-B `"`) are told apart (review-exports13 item 12: the two panes of a horizontal split
were one, and htop painting the lower one was taken for the upper one's shell). A box
character inside a pane is not a border: htop's process tree (`├─`) or a table's column
rule stops short of the top or bottom of the panes and of a horizontal border, as tmux's
never does. Columns are cells (a wide character fills two), as the borders are placed.
"""

from __future__ import annotations

import re
from functools import lru_cache

VERTICAL = frozenset("\u2502\u2503\u2551\u251c\u2524\u253c\u252c\u2534")  # │┃║├┤┼┬┴
JUNCTIONS = frozenset("\u251c\u2524\u253c\u252c\u2534")  # ├┤┼┬┴
# A run of box drawing with eight horizontal lines in it at least: a horizontal border,
# when it reaches the screen's edges, a junction or a vertical border at both ends.
_RUN = re.compile("[\u2500-\u257f]{8,}")
MIN_RULE = 8
WIDE = "\x00"  # the second cell of a wide character (no border is drawn there)

# For each row: its panes' (pane, first column, column past the last).
Layout = tuple[tuple[tuple[int, int, int], ...], ...]


def cells(row_chars: list[str], cols: int) -> str:
    """A row as one character per cell (a wide character's second cell as `WIDE`)."""
    text = "".join(char if char else WIDE for char in row_chars)[:cols]
    return text.ljust(cols)


def layout(rows: tuple[str, ...]) -> Layout:
    """The panes of each row (rows as `cells` gives them, one width), the panes numbered
    in the order of their top-left cells."""
    return _layout(rows)


@lru_cache(maxsize=64)
def _layout(rows: tuple[str, ...]) -> Layout:
    height = len(rows)
    cols = len(rows[0]) if rows else 0
    rule = [[False] * cols for _ in rows]
    for y, text in enumerate(rows):
        for match in _RUN.finditer(text):
            start, end = match.span()
            if match.group().count("\u2500") < MIN_RULE:
                continue
            head = start == 0 or text[start] in JUNCTIONS or text[start - 1] in VERTICAL
            tail = end == cols or text[end - 1] in JUNCTIONS or text[end] in VERTICAL
            if head and tail:
                rule[y][start:end] = [True] * (end - start)
    border = [list(line) for line in rule]
    for x in range(cols):
        y = 0
        while y < height:
            if rule[y][x] or rows[y][x] not in VERTICAL:
                y += 1
                continue
            top = y
            while y < height and rows[y][x] in VERTICAL and not rule[y][x]:
                y += 1
            closed_top = top == 0 or rule[top - 1][x]
            closed_bottom = y == height or rule[y][x]
            if closed_top and closed_bottom:
                for inside in range(top, y):
                    border[inside][x] = True
    # Each row's runs of cells between borders, joined with those they touch above.
    runs: list[list[tuple[int, int]]] = []
    for y in range(height):
        row_runs, x = [], 0
        while x < cols:
            if border[y][x]:
                x += 1
                continue
            start = x
            while x < cols and not border[y][x]:
                x += 1
            row_runs.append((start, x))
        runs.append(row_runs)
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(key: tuple[int, int]) -> tuple[int, int]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for y, row_runs in enumerate(runs):
        for i, (start, end) in enumerate(row_runs):
            parent[y, i] = (y, i)
            if y == 0:
                continue
            for j, (above_start, above_end) in enumerate(runs[y - 1]):
                if above_start < end and start < above_end:
                    a, b = find((y, i)), find((y - 1, j))
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    roots = sorted({find(key) for key in parent}, key=lambda k: (k[0], runs[k[0]][k[1]][0]))
    number = {root: n for n, root in enumerate(roots)}
    return tuple(
        tuple((number[find((y, i))], start, end) for i, (start, end) in enumerate(row_runs))
        for y, row_runs in enumerate(runs)
    )


def pane_at(panes: Layout, y: int, x: int) -> int:
    """The pane of cell (x, y), or -1 on a border or off the screen."""
    if not 0 <= y < len(panes):
        return -1
    return next((pane for pane, start, end in panes[y] if start <= x < end), -1)
