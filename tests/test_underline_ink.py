"""Underlines skip the glyphs' ink in the PNG (and video, GIF: the same raster) as Chromium
skips it in asciinema-player 3.18 (`text-decoration-skip-ink: auto`, the default): the
line stops around a descender (g, j, p, q, y, the comma's tail) and under an emoji, and
runs on under letters that stay above it (review-exports15 finding 15: the PNG's line ran
straight through descenders and the emoji's lower edge)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from tests.test_glyphs import cast_file, player_cells, png_cells

LINE = "\x1b[4m  gjpqy Ag,; 👍 x\x1b[m"
DESCENDERS = [2, 3, 4, 5, 6, 9, 10, 11]  # g j p q y, then g , ;
ABOVE = [0, 1, 7, 8, 15, 16]  # spaces, A and x: nothing crosses the line
EMOJI = [13, 14]


def band(cell: Image.Image) -> list[int]:
    """The rows of an underlined blank that the line covers."""
    width, height = cell.size
    data = cell.tobytes()  # (grey levels, a byte a pixel)
    return [y for y in range(height)
            if sum(v > 128 for v in data[y * width : (y + 1) * width]) > width * 0.8]  # fmt: skip


def gap_share(cell: Image.Image, rows: list[int]) -> float:
    """The share of a cell's columns where neither the line nor a glyph inks its rows."""
    width, data = cell.width, cell.tobytes()
    dark = sum(all(data[y * width + x] < 64 for y in rows) for x in range(width))
    return dark / width


def line_share(cells: list[Image.Image], rows: list[int]) -> float:
    """The share of the band's pixels in `cells` that are white: the line's, and the
    emoji's lightest."""
    rows_of = [c.tobytes()[y * c.width : (y + 1) * c.width] for c in cells for y in rows]
    pixels = [v for row in rows_of for v in row]
    return sum(p >= 235 for p in pixels) / len(pixels)


def test_the_underline_skips_descenders_and_emoji_as_in_the_player(
    browser: Any, tmp_path: Path
) -> None:
    cast = cast_file(tmp_path / "underline.cast", LINE, 20)
    count = 18
    theirs = player_cells(browser, cast, count, tmp_path)
    ours = png_cells(cast, count, 32)  # the player's 32 px
    their_rows, our_rows = band(theirs[0]), band(ours[0])
    assert their_rows
    assert our_rows
    for x in DESCENDERS:
        want, got = gap_share(theirs[x], their_rows), gap_share(ours[x], our_rows)
        assert want > 0.15, f"cell {x}: the player draws its line through ({want:.2f})"
        assert abs(got - want) <= 0.15, f"cell {x}: gaps {got:.2f} of the cell, player {want:.2f}"
    for x in ABOVE:
        assert gap_share(theirs[x], their_rows) == gap_share(ours[x], our_rows) == 0, x
    want = line_share([theirs[x] for x in EMOJI], their_rows)
    got = line_share([ours[x] for x in EMOJI], our_rows)
    # (the line runs under the emoji, seen where it is transparent: not over it)
    assert want < 0.6
    assert abs(got - want) <= 0.15, f"the line: {got:.2f} of the emoji's band, player {want:.2f}"
