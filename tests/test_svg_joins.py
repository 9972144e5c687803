"""Box-drawing and block characters across rows, as asciinema-player 3.18 draws them.

The player draws block elements and `┃ ╹ ╻` as rectangles filling the cell, so its bar
charts and columns of `█` show no line between rows; the rest of box drawing (U+2500-257F)
it leaves to the font in its text spans (lib.rs `is_raster_symbol`), and its rows (4/3 em)
are taller than the font's glyph box: a column of `│` or `║`, a tmux pane's border, shows
a gap at every row (review-exports21 #4). The SVG and the PNG draw the same.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from genact_cast.asciicast import Header
from genact_cast.asciicast.model import Event
from genact_cast.publish.png import render_png
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING, render_svg
from genact_cast.publish.theme import resolve_theme
from tests.browser import screenshot
from tests.player_dom import cast_json


def rgb(picture: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    r, g, b = picture.getpixel((x, y))  # type: ignore[misc]
    return int(r), int(g), int(b)


def shot(browser: Any, svg: str, tmp_path: Path) -> Image.Image:
    path = tmp_path / "columns.svg"
    path.write_text(svg, "utf-8")
    page = browser.new_page(viewport={"width": 400, "height": 300})
    page.goto(path.as_uri())
    picture = Image.open(io.BytesIO(screenshot(page))).convert("RGB")
    page.close()
    return picture


def gaps(picture: Image.Image, x0: int, x1: int, y0: int, y1: int) -> int:
    """How many runs of background lie between inked rows of pixels in columns x0..x1,
    from y0 to y1 (a stacked glyph's breaks between its rows); the background is read in
    the blank cell left of them."""
    background = rgb(picture, x0 // 2, y0)
    inked = [
        any(sum(abs(a - b) for a, b in zip(rgb(picture, x, y), background, strict=True)) > 90
            for x in range(x0, x1))
        for y in range(y0, y1)
    ]  # fmt: skip
    first, last = inked.index(True), len(inked) - 1 - inked[::-1].index(True)
    runs = "".join("#" if on else "." for on in inked[first : last + 1])
    return len([run for run in runs.split("#") if run])


@pytest.mark.parametrize("char", ["│", "║", "├", "┃", "█", "▌"])
def test_a_column_of_box_or_block_characters_breaks_where_the_players_does(
    char: str, browser: Any, player: Any, tmp_path: Path
) -> None:
    """Six rows of `char`: the player's picture in Chromium shows a gap between each two
    rows (the font's glyph) or none (a rectangle); the SVG in Chromium and the PNG the
    same (before: the SVG and PNG continued every glyph's ink to the row's edges)."""
    rows, cols = 6, 3
    body = "".join(f"\x1b[{r + 1};2H\x1b[32m{char}" for r in range(rows))
    events = [Event(0, "o", body)]
    player.load(cast_json({"version": 2, "width": cols, "height": rows}, [[0.1, "o", body]]))
    player.at(0.5)
    shown = player.picture()
    ch, cw = shown.height / rows, shown.width / cols
    want = gaps(shown, int(cw), int(2 * cw), int(ch / 2), int((rows - 0.5) * ch))
    assert want in (0, rows - 1), (char, want)
    svg = shot(browser, render_svg(Header(cols=cols, rows=rows), events), tmp_path)
    x0 = int(PADDING + CELL_WIDTH)
    y0, y1 = int(PADDING + LINE_HEIGHT / 2), int(PADDING + (rows - 0.5) * LINE_HEIGHT)
    assert gaps(svg, x0, int(x0 + CELL_WIDTH), y0, y1) == want, char
    header = Header(cols=cols, rows=rows)
    timeline = Timeline(header, events, Clip())
    data = render_png(timeline, resolve_theme(header), size="720p")
    png = Image.open(io.BytesIO(data)).convert("RGB")
    ph, pw = png.height / rows, png.width / cols
    assert gaps(png, int(pw), int(2 * pw), int(ph / 2), int((rows - 0.5) * ph)) == want, char


def test_a_glyph_that_reaches_no_edge_is_not_stretched(browser: Any, tmp_path: Path) -> None:
    """`─` and `▀` stay as they are: nothing is drawn below a horizontal line."""
    header = Header(cols=10, rows=3)
    svg = render_svg(header, [Event(0, "o", "\x1b[32m──▀▀\r\n\r\n")])
    picture = shot(browser, svg, tmp_path)
    background = rgb(picture, 2, 2)
    below = PADDING + LINE_HEIGHT + LINE_HEIGHT // 2  # the middle of the second row
    for column in range(4):
        x = int(PADDING + (column + 0.5) * CELL_WIDTH)
        assert rgb(picture, x, below) == background


@pytest.mark.parametrize("char", ["─", "a", "⠿", " "])
def test_other_characters_get_no_joins(char: str) -> None:
    header = Header(cols=10, rows=2)
    assert "<path" not in render_svg(header, [Event(0, "o", char * 3)])


def test_truecolour_half_blocks_abut_without_seams_in_chromium(
    browser: Any, tmp_path: Path
) -> None:
    """A run of `▄` in a different truecolour per cell (a gradient bar): the player paints
    each cell's block and background as rectangles that abut; no column between two cells
    shows the terminal's background through (review-exports2 item 13)."""
    cells = 40
    body = "".join(
        f"\x1b[38;2;230;{60 + 3 * i};40;48;2;40;{200 - 3 * i};230m▄" for i in range(cells)
    )
    svg = render_svg(Header(cols=cells + 2, rows=2), [Event(0, "o", body + "\x1b[0m")])
    picture = shot(browser, svg, tmp_path)
    inks = [(230, 60 + 3 * i, 40) for i in range(cells)] + [
        (40, 200 - 3 * i, 230) for i in range(cells)
    ]
    for y in (PADDING + 4, PADDING + LINE_HEIGHT - 4):  # the background half, the block half
        seams = [
            x
            for x in range(int(PADDING + 1), int(PADDING + (cells - 0.2) * CELL_WIDTH))
            if min(sum(abs(a - b) for a, b in zip(rgb(picture, x, y), ink, strict=True))
                   for ink in inks) > 12
        ]  # fmt: skip
        assert not seams, f"seams at y={y}, x={seams[:8]}"
