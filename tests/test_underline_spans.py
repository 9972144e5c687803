"""Underlined and struck spaces drawn in the colour of the player's span they join.

asciinema-player 3.18 puts a space in the text span before it when its underline and
strike are the span's, whatever its colour (src/vt/src/lib.rs `get_line`), so its line is
drawn in the span's colour and opacity: vim's cursor line (blue text, then spaces in the
default colour, all underlined on a grey bar) is underlined in blue to the row's end, where
the PNG and the SVG drew the spaces' part in the default grey (review-exports17 #15).
Held to the player in Chromium: its spans' colours (DOM) for the SVG, its screenshot's
pixels for the PNG.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from genact_cast.publish.exports import export
from genact_cast.publish.picture_layout import layout
from genact_cast.publish.screens import Clip
from genact_cast.publish.svg import render_svg
from genact_cast.sources import open_cast
from tests.player_dom import RGB, Player, PlayerScreen
from tests.screen_parity import pixel_cells, png_picture, svg_attrs, svg_cells

BAR = "\x1b[48;2;229;229;229m"
ROWS = [
    # vim's cursor line with termguicolors (review-exports17 #15, /tmp/r17/casts/vim.cast)
    f"\x1b[4m\x1b[38;2;0;0;255m{BAR}#!/usr/bin/env python3\x1b[m\x1b[4m{BAR}" + " " * 20,
    "\x1b[4;31mred\x1b[39m   \x1b[32mg\x1b[39m   ",  # a letter in another colour: a new span
    "\x1b[9;34mblue\x1b[39m    ",  # strike
    "\x1b[31mred\x1b[4;32m    ",  # underlined spaces after plain text: a span of their own
    "\x1b[4;35m\u4e2d\x1b[36m    ",  # after a wide character (a span alone): their own
    "\x1b[2;4;33mfaint\x1b[22m    ",  # joined to a faint span: faint
    "\x1b[1;4;31mbold\x1b[22;39m   x",  # x: the default colour, not bold: a span of its own
]


def lined_spaces(expected: PlayerScreen) -> list[tuple[int, int]]:
    """The spaces the player draws a line under or through."""
    return [
        (y, x)
        for y, row in enumerate(expected.cells)
        for x, (char, _, _) in enumerate(row)
        if char == " " and any(expected.lines[y][x])
    ]


def painted(expected: PlayerScreen, y: int, x: int) -> RGB:
    """A cell's span colour as it reaches the pixels (faint: at opacity 0.5)."""
    _, fg, bg = expected.cells[y][x]
    o = expected.opacity[y][x]
    r, g, b = (round(q + (p - q) * o) for p, q in zip(fg, bg, strict=True))
    return r, g, b


def test_lined_spaces_take_the_colour_of_the_players_span(player: Player, tmp_path: Path) -> None:
    cast = tmp_path / "spans.cast"
    data = "\x1b[?25l" + "".join(row + "\x1b[m\r\n" for row in ROWS)
    cast.write_text(
        json.dumps({"version": 2, "width": 48, "height": len(ROWS) + 1})
        + "\n"
        + json.dumps([0.1, "o", data])
        + "\n",
        "utf-8",
    )
    player.load(cast.read_text("utf-8"))
    expected = player.at(0.5)
    shot = player.picture()
    spaces = lined_spaces(expected)
    assert len(spaces) > 40, "the player draws no lines under the spaces"
    # The player's span colours differ from the spaces' own on most of these cells.
    assert {expected.cells[0][x][1] for x in range(22, 42)} == {(0, 0, 255)}

    with open_cast(str(cast)) as reader:
        svg = render_svg(reader.header, list(reader.events()), at=0.5)
    cols, rows = expected.cols, expected.rows
    svg_fg, svg_faint = svg_cells(svg, cols, rows), svg_attrs(svg, cols, rows)
    problems = [
        f"SVG row {y} col {x}: {svg_fg[y][x][1]} faint {svg_faint[y][x][3]}, "
        f"the player's {expected.cells[y][x][1]} opacity {expected.opacity[y][x]}"
        for y, x in spaces
        if (svg_fg[y][x][1], svg_faint[y][x][3])
        != (expected.cells[y][x][1], expected.opacity[y][x] < 1)
    ]

    size = 15  # the player's font size
    png = tmp_path / "spans.png"
    export(str(cast), png, "png", overwrite=True, clip=Clip(), size=str(size), at=0.5)
    ours = pixel_cells(png_picture(png.read_bytes()), layout(cols, rows, size), cols, rows)
    theirs = [
        [shot.crop((round(x * shot.width / cols), round(y * shot.height / rows),
                    round((x + 1) * shot.width / cols), round((y + 1) * shot.height / rows)))
         for x in range(cols)]
        for y in range(rows)
    ]  # fmt: skip
    for y, x in spaces:
        want, got = painted(expected, y, x), ours[y][x][1]
        seen = _ink(theirs[y][x])
        # (the screenshot's line is the span's colour: the reference read two ways)
        assert max(abs(a - b) for a, b in zip(seen, want, strict=True)) <= 24, (y, x, seen)
        assert got is not None
        if max(abs(a - b) for a, b in zip(got, want, strict=True)) > 24:
            problems.append(f"PNG row {y} col {x}: line {got}, the player's {want}")
    assert problems == [], "\n".join(problems[:12]) + f"\n({len(problems)} cells)"


def _ink(cell: Any) -> RGB:
    """The pixel farthest from the cell's background (its top middle)."""
    back = cell.getpixel((cell.width // 2, 1))
    data = cell.convert("RGB").tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    r, g, b = max(pixels, key=lambda p: sum(abs(a - b) for a, b in zip(p, back, strict=True)))
    return r, g, b
