"""Rows as tall as asciinema-player 3.18's, with the baseline where it puts it, in the PNG
and the SVG (review-exports16 item 7: rows of 1.2 em against the player's 1.333 em).

The reference is the player in Chromium at the same font size (`terminalFontSize`): the
height of its canvas (the rows it lays out at `--term-line-height: 1.3333em`) and the last
row of ink of an `n` (no descender), the baseline, in its first row.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from genact_cast.asciicast import OUTPUT, Event, Header
from genact_cast.publish.exports import export
from genact_cast.publish.picture_layout import layout
from genact_cast.publish.screens import Clip
from genact_cast.publish.svg import render_svg
from genact_cast.publish.svg_units import FONT_SIZE, LINE_HEIGHT, PADDING
from tests.browser import screenshot
from tests.player_dom import Player, cast_json
from tests.screen_parity import png_picture

COLS, ROWS = 6, 12
BODY = "\x1b[?25lnnnnnn" + "\r\nEEEEEE" * (ROWS - 1)


def _ink_rows(picture: Any, box: tuple[int, int, int, int]) -> list[int]:
    """Rows of `box` (from its top) with ink: lighter than half the way to white."""
    grey = picture.convert("L").crop(box)
    return [
        y for y in range(grey.height) if any(grey.getpixel((x, y)) > 128 for x in range(grey.width))
    ]


def _player_rows(player: Player, size: int) -> tuple[float, int]:
    """The player's row height and its first row's baseline, in px, at `size` px."""
    player.page.evaluate(
        """([data, size]) => { const el = document.getElementById('p'); el.innerHTML = '';
             window.player = AsciinemaPlayer.create({data}, el, {preload: true,
               controls: false, fit: false, terminalFontSize: size + 'px'}); }""",
        [cast_json({"version": 2, "width": COLS, "height": ROWS}, [[0.1, "o", BODY]]), size],
    )
    player.at(0.5)
    shot = player.picture()
    row = shot.height / ROWS
    ink = _ink_rows(shot, (0, 0, shot.width, int(row)))
    return row, ink[-1] + 1


@pytest.mark.parametrize("size", [12, 15, 16, 20, 24, 32])
def test_png_rows_and_baseline_are_the_players(player: Player, tmp_path: Path, size: int) -> None:
    row, baseline = _player_rows(player, size)
    path = tmp_path / "rows.cast"
    path.write_text(cast_json({"version": 2, "width": COLS, "height": ROWS}, [[0.1, "o", BODY]]))
    png = tmp_path / "rows.png"
    export(str(path), png, "png", overwrite=True, clip=Clip(), size=str(size), at=1.0)
    picture = png_picture(png.read_bytes()).convert("RGB")
    lay = layout(COLS, ROWS, size)
    # whole pixels a row (box lines join): the player's height rounded
    assert abs(lay.cell_height - row) <= 0.5, f"rows {lay.cell_height} px, the player's {row:.2f}"
    box = (lay.left, lay.top, lay.left + COLS * lay.cell_width, lay.top + lay.cell_height)
    ink = _ink_rows(picture, box)
    assert abs(ink[-1] + 1 - baseline) <= 1, f"baseline {ink[-1] + 1} px, the player's {baseline}"


def test_svg_rows_and_baseline_are_the_players(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    from PIL import Image

    row, baseline = _player_rows(player, FONT_SIZE)
    assert pytest.approx(row, abs=0.05) == LINE_HEIGHT, f"rows {LINE_HEIGHT}, the player's {row}"
    svg = tmp_path / "rows.svg"
    svg.write_text(render_svg(Header(cols=COLS, rows=ROWS), [Event(0, OUTPUT, BODY)]), "utf-8")
    page = browser.new_page(viewport={"width": 300, "height": 400})
    page.goto(svg.as_uri())
    shot = Image.open(io.BytesIO(screenshot(page))).convert("RGB")
    page.close()
    top = round(PADDING)
    ink = _ink_rows(shot, (top, top, top + 40, top + LINE_HEIGHT))
    assert abs(ink[-1] + 1 - baseline) <= 1, f"baseline {ink[-1] + 1} px, the player's {baseline}"
    # the last row's `E` sits where the player's does, ROWS - 1 rows down
    last = top + (ROWS - 1) * LINE_HEIGHT
    ink = _ink_rows(shot, (top, last, top + 40, last + LINE_HEIGHT))
    assert abs(ink[-1] + 1 - baseline) <= 1
