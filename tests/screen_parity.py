"""Every export's screen at time t, cell by cell, next to asciinema-player's (tests/player_dom.py).

Each reader here reads an export back on its own terms (the SVG's markup, the PNG's and
the video's pixels, the text file), not the renderer's data, and gives rows of cells
(character, foreground, background) as RGB; `differences` lists where two disagree.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from genact_cast.asciicast import Event, Header, Theme
from genact_cast.publish.screens import Clip, Screen, Timeline, last_screen
from genact_cast.publish.theme import DEFAULT_THEME, pyte_color, rgb
from tests import svg_model
from tests.player_dom import RGB, Attrs, PlayerScreen

Cells = list[list[tuple[str, RGB | None, RGB | None]]]  # None: not compared

# What the player draws on its canvas or as SVG symbols (avt's raster and vector symbols,
# src/lib.rs of the player): the text there is a space.
SYMBOLS = (
    set(range(0x2580, 0x25A0)) | {0x2503, 0x2579, 0x257B, 0x25A0}
    | set(range(0x1FB00, 0x1FB3C)) | set(range(0x25E2, 0x25E6)) | {0x268F}
    | set(range(0xE0B0, 0xE0C0)) | set(range(0x1FB3C, 0x1FB6D))
)  # fmt: skip


def colour(name: str, background: bool, theme: Theme = DEFAULT_THEME) -> RGB:
    if name == "fgdefault":
        return rgb(theme.fg)
    if name == "bgdefault":
        return rgb(theme.bg)
    return rgb(pyte_color(name, theme, background=background))


def screen_at(header: Header, events: list[Event], t: float) -> Screen:
    return last_screen(Timeline(header, events, Clip(end_at=repr(float(t)))))


def model_cells(screen: Screen, theme: Theme = DEFAULT_THEME) -> Cells:
    """The model's cells; a symbol the player paints on its canvas has no background
    here (None: not compared), as its ink covers the pixel the player's is read from."""
    bg = rgb(theme.bg)
    out: Cells = []
    for row in screen.rows:
        cells: list[tuple[str, RGB | None, RGB | None]] = []
        for char, (fg, back, *_) in row:
            symbol = len(char) == 1 and ord(char) in SYMBOLS
            shown = " " if char == "" or symbol else char
            cells.append(
                (shown, colour(fg, False, theme), None if symbol else colour(back, True, theme))
            )
        cells += [(" ", None, bg)] * (screen.cols - len(cells))
        out.append(cells)
    return out


def with_symbols(expected: PlayerScreen, screen: Screen) -> PlayerScreen:
    """The player's screen with the symbols it paints (its text has a space there) as the
    model's characters: the SVG and the text export write them as text."""
    cells = [list(row) for row in expected.cells]
    for y, row in enumerate(screen.rows[: len(cells)]):
        for x, (char, _) in enumerate(row[: len(cells[y])]):
            if len(char) == 1 and ord(char) in SYMBOLS and cells[y][x][0] == " ":
                cells[y][x] = (char, *cells[y][x][1:])
    return replace(expected, cells=cells)


def model_attrs(screen: Screen) -> list[list[Attrs]]:
    """Bold, italic, underline, faint and strikethrough of each cell of the model."""
    out = []
    for row in screen.rows:
        attrs = [(b, i, u, f, s) for _, (_, _, b, i, u, f, s, _) in row]
        out.append(attrs + [(False,) * 5] * (screen.cols - len(attrs)))
    return out


def svg_attrs(svg: str, cols: int, rows: int) -> list[list[Attrs]]:
    """Bold, italic, underline, faint and strikethrough of each cell of an SVG's last frame,
    from its classes' CSS."""
    picture = svg_model.read(svg)
    index = len(picture.screens) - 1
    out = []
    for y in range(rows):
        drawn = picture.screens[index][y] if y < len(picture.screens[index]) else []
        row = []
        for x in range(cols):
            rules = picture.classes.get(drawn[x][1], "") if x < len(drawn) else ""
            lines = next((r[16:] for r in rules.split(";") if r.startswith("text-decoration:")), "")
            row.append(("font-weight:bold" in rules, "font-style:italic" in rules,
                        "underline" in lines.split(), "fill-opacity:.5" in rules,
                        "line-through" in lines.split()))  # fmt: skip
        out.append(row)
    return out


def attr_differences(expected: PlayerScreen, found: list[list[Attrs]]) -> list[str]:
    """Bold, italic and faint where there is a character to show them, underline and
    strikethrough everywhere (the player merges spaces into a neighbour's span whatever
    their weight, never their line)."""
    problems = []
    for y, (cells, want_row, got_row) in enumerate(
        zip(expected.cells, expected.attrs, found, strict=True)
    ):
        for x, ((char, _, _), want, got) in enumerate(zip(cells, want_row, got_row, strict=True)):
            shown = (want[:2], want[3]) != (got[:2], got[3])
            if (char.strip() and shown) or (want[2], want[4]) != (got[2], got[4]):
                problems.append(
                    f"row {y} col {x} {char!r}: bold/italic/underline/faint/strike {got} for {want}"
                )
    return problems


def svg_cells(svg: str, cols: int, rows: int) -> Cells:
    picture = svg_model.read(svg)
    index = len(picture.screens) - 1
    bg = rgb(DEFAULT_THEME.bg)
    out: Cells = []
    for y in range(rows):
        drawn = picture.screens[index][y] if y < len(picture.screens[index]) else []
        fills = picture.backgrounds[index][y] if y < len(picture.backgrounds[index]) else {}
        cells: list[tuple[str, RGB | None, RGB | None]] = []
        for x in range(cols):
            char, name = drawn[x] if x < len(drawn) else (" ", "")
            rules = picture.classes.get(name, "")
            fill = next((r[5:] for r in rules.split(";") if r.startswith("fill:")), "")
            fg = rgb(fill or picture.default_fill)
            cells.append((char, fg, rgb(fills[x]) if x in fills else bg))
        out.append(cells)
    return out


def pixel_cells(picture: Any, layout: Any, cols: int, rows: int) -> Cells:
    """Each cell's background (a corner pixel) and foreground (the pixel farthest from it)."""
    image = picture.convert("RGB")
    out: Cells = []
    for y in range(rows):
        cells: list[tuple[str, RGB | None, RGB | None]] = []
        for x in range(cols):
            left = layout.left + x * layout.cell_width
            top = layout.top + y * layout.cell_height
            tile = image.crop((left, top, left + layout.cell_width, top + layout.cell_height))
            back = tile.getpixel((layout.cell_width // 2, 1))
            data = tile.tobytes()
            pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
            ink = max(pixels, key=lambda p: sum(abs(a - b) for a, b in zip(p, back, strict=True)))
            cells.append(("?", ink, back))
        out.append(cells)
    return out


def differences(
    expected: PlayerScreen,
    found: Cells,
    *,
    text: bool = True,
    tolerance: int = 0,
    ink_only_for: Cells | None = None,
) -> list[str]:
    """Where `found` differs from the player: text, then colours (within `tolerance`).

    For pixels, `ink_only_for` names the cells that have a glyph to carry a foreground.
    """
    problems: list[str] = []
    if len(found) != expected.rows or any(len(row) != expected.cols for row in found):
        return [f"size {len(found[0]) if found else 0}x{len(found)}, "
                f"the player's {expected.cols}x{expected.rows}"]  # fmt: skip
    for y, (want_row, got_row) in enumerate(zip(expected.cells, found, strict=True)):
        for x, ((char, fg, bg), (got_char, got_fg, got_bg)) in enumerate(
            zip(want_row, got_row, strict=True)
        ):
            where = f"row {y} col {x} {char!r}"
            if text and got_char != char:
                problems.append(f"{where}: text {got_char!r}")
                continue
            if len(char) == 1 and ord(char) in SYMBOLS:
                continue  # painted by the player, not text: its colours are not read here
            if got_bg is not None and _far(got_bg, bg, tolerance):
                problems.append(f"{where}: background {got_bg} for {bg}")
            carries = char.strip() and ord(char[0]) >= 0x21 and char.isprintable()
            if ink_only_for is not None:
                carries = ink_only_for[y][x][0].isalnum()
            if carries and got_fg is not None and _far(got_fg, fg, tolerance):
                problems.append(f"{where}: foreground {got_fg} for {fg}")
    return problems


def _far(a: RGB, b: RGB, tolerance: int) -> bool:
    return any(abs(p - q) > tolerance for p, q in zip(a, b, strict=True))


def png_picture(data: bytes) -> Any:
    from PIL import Image

    return Image.open(io.BytesIO(data))


def read_lines(path: Path) -> list[str]:
    return path.read_text("utf-8").split("\n")
