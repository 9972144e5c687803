"""Box-drawing and block characters join across rows in the SVG, as Chromium draws it.

asciinema-player draws block elements as rectangles filling the cell, so its bar charts
and columns of `█` show no line between rows; the SVG's rows are taller than the font's
glyph box, which left a seam under every row of `│`, `█` and `▇` (the dashboard's pane
borders looked dashed and its throughput bars striped).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from genact_cast.asciicast import Header
from genact_cast.asciicast.model import Event
from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING, render_svg
from tests.browser import screenshot

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = "│┃║█▌├╭"  # light, heavy and double lines, blocks, a tee and a rounded corner


def column_svg(rows: int = 6) -> str:
    """Each character of COLUMNS in its own column, stacked `rows` deep, in green."""
    body = "".join(f"\x1b[{r + 1};1H\x1b[32m" + " ".join(COLUMNS) for r in range(rows))
    header = Header(cols=20, rows=rows + 1)
    return render_svg(header, [Event(0, "o", body)])


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


def test_columns_of_box_and_block_characters_have_no_seam_in_chromium(
    browser: Any, tmp_path: Path
) -> None:
    rows = 6
    picture = shot(browser, column_svg(rows), tmp_path)
    background = rgb(picture, 2, 2)
    for index, char in enumerate(COLUMNS):
        x = int(
            PADDING + (2 * index + {"▌": 0.25, "║": 0.37}.get(char, 0.5)) * CELL_WIDTH
        )  # its pixel
        # From the middle of the first row to the middle of the last: every pixel inked.
        first = PADDING + LINE_HEIGHT // 2
        last = PADDING + (rows - 1) * LINE_HEIGHT + LINE_HEIGHT // 2
        if char == "╭":  # a corner reaches down only: from its arc to its row's bottom
            first, last = PADDING + LINE_HEIGHT // 2 + 3, PADDING + LINE_HEIGHT
        blank = [
            y
            for y in range(first, last)
            if sum(abs(a - b) for a, b in zip(rgb(picture, x, y), background, strict=True)) < 60
        ]
        assert not blank, f"{char!r}: rows of background at y={blank[:6]}"


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


def test_the_measured_glyph_edges_are_the_bundled_fonts() -> None:
    """data/box_extents.json is what scripts/box_extents.py measures in the font now."""
    script = ROOT / "scripts" / "box_extents.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, "run scripts/box_extents.py: the font's edges changed"


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
