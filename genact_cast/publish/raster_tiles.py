"""One cell's picture for the raster (publish/raster.py): its background, the glyph from a
font (publish/glyphs.py) or a shape drawn as the player draws it (blocks, powerline),
box drawing with solid edges so that cells join, braille from its eight dots, and the
underline or strike the player's CSS draws."""

from __future__ import annotations

import functools

from PIL import Image, ImageChops, ImageDraw

from genact_cast.publish import glyphs
from genact_cast.publish.picture_layout import Layout, font
from genact_cast.publish.player_layout import ADVANCING_MARKS
from genact_cast.publish.raster_clusters import lone_mark

RGB = tuple[int, int, int]
BRAILLE = range(0x2800, 0x2900)
BOXES = range(0x2500, 0x25A0)  # box drawing and block elements: they must join
# Dot n of a braille cell is bit n-1 of (code - 0x2800); its column and row in the 2x4 grid.
DOTS = ((0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3))


def render_tile(
    lay: Layout,
    char: str,
    fg: RGB,
    bg: RGB,
    face: tuple[bool, bool, bool],
    lines: tuple[bool, bool],
    wide: int,
) -> Image.Image:
    """One cell's picture (or a wide character's two): its background, its glyph (from a
    font, or a shape drawn as the player draws it), then its underline or strike."""
    tile = Image.new("RGB", (lay.cell_width * wide, lay.cell_height), bg)
    draw = ImageDraw.Draw(tile)
    bold, italic, faint = face
    lone = ""
    while len(char) > 1 and lone_mark(char[0]):
        lone, char = lone + char[0], char[1:]
    # Faint is the player's `opacity: 0.5` on its text (glyphs and their lines), not on
    # the shapes it paints itself (blocks, powerline): half the way from bg to fg.
    ink = half_way(bg, fg) if faint else fg
    underline, strike = lines
    under = underline_at(lay) if underline else None
    if len(char) == 1 and ord(char) in BRAILLE:
        tile.paste(ink, (0, 0), braille(ord(char) - 0x2800, lay.cell_width, lay.cell_height))
    elif glyphs.drawn(char):  # blocks, powerline: drawn as the player draws them
        tile.paste(fg, (0, 0), glyphs.shape(char, lay.cell_width * wide, lay.cell_height))
    elif len(char) == 1 and ord(char) in BOXES:
        mask = Image.new("L", tile.size, 0)
        ImageDraw.Draw(mask).text(
            (0, lay.ascent), char, fill=255, font=font(bold, lay.font_size), anchor="ls"
        )
        tile.paste(ink, (0, 0), solid_edges(mask))
    elif char in ADVANCING_MARKS:
        glyphs.draw_advancing_mark(tile, char, ink, bold, italic, lay.font_size, lay.ascent)
    elif char != " ":
        found = glyphs.face(char, bold, italic, lay.font_size)
        if under is not None and found.color:
            # Chromium paints an underline before the text and finds no outline to skip
            # in a colour bitmap (an emoji): the line runs under the emoji, seen where the
            # emoji is transparent (measured on the player's screenshots of 👍).
            y, bar = under
            draw.rectangle((0, y, tile.width - 1, y + bar - 1), fill=ink)
            under = None
        glyphs.draw_text(tile, char, ink, found, lay.ascent)
    if lone:
        glyphs.draw_lone_marks(tile, lone, ink, bold, italic, lay.font_size, lay.ascent)
    thickness = max(1, lay.font_size // 14)
    if under is not None:
        y, bar = under
        for start, end in ink_gaps(tile, bg, ink, y, bar):
            draw.rectangle((start, y, end - 1, y + bar - 1), fill=ink)
    if strike:
        # Where Chromium draws the player's `line-through` (measured on its screenshots
        # of DejaVu Sans Mono at 14 and 15 px): from a third of the ascent above the
        # baseline, downwards.
        y = lay.ascent * 2 // 3
        draw.rectangle((0, y, tile.width - 1, y + thickness - 1), fill=ink)
    return tile


def underline_at(lay: Layout) -> tuple[int, int]:
    """The underline's top row in a cell and its thickness, where Chromium draws the
    player's underline under DejaVu Sans Mono (measured on its screenshots at 12 to 48 px):
    its top a sixteenth of the font size below the baseline, a twelfth of it thick (2 px
    down and 3 thick at 32 px; the line had been 4 px down and 2 thick)."""
    size = lay.font_size
    bar = max(1, (size + 6) // 12)
    return min(lay.ascent + max(1, (size + 8) // 16), lay.cell_height - bar), bar


def ink_gaps(tile: Image.Image, bg: RGB, ink: RGB, y: int, thickness: int) -> list[tuple[int, int]]:
    """The stretches of the underline (rows y to y + thickness) that skip the glyph's ink,
    as Chromium draws the player's underline (`text-decoration-skip-ink: auto`, its
    default): where the glyph crosses the line's band (a descender, an emoji's lower edge,
    `_`) the line stops, and stays off for its own thickness on each side (Blink's
    TextPainterBase::PaintDecorationUnderOrOverLine: the band inset by half a pixel, each
    intercept dilated by the line's thickness). Ink covering under half a pixel in the
    band does not count; a glyph's ink is what differs from the background there."""
    width = tile.width
    band = tile.crop((0, y, width, y + thickness))
    contrast = max(1, max(abs(a - b) for a, b in zip(ink, bg, strict=True)))
    plain = Image.new("RGB", band.size, bg)
    far = ImageChops.difference(band, plain).split()
    data = ImageChops.lighter(ImageChops.lighter(far[0], far[1]), far[2]).tobytes()
    crossed = [
        any(data[row * width + x] * 2 > contrast for row in range(thickness)) for x in range(width)
    ]
    if not any(crossed):
        return [(0, width)]
    off = [False] * width
    for x in (x for x in range(width) if crossed[x]):
        for near in range(max(0, x - thickness), min(width, x + thickness + 1)):
            off[near] = True
    gaps, start = [], None
    for x in range(width + 1):
        on = x < width and not off[x]
        if on and start is None:
            start = x
        elif not on and start is not None:
            gaps.append((start, x))
            start = None
    return gaps


def half_way(bg: RGB, fg: RGB) -> RGB:
    """fg at half opacity over bg, as the browser blends it (rounded to the nearest)."""
    r, g, b = ((f + k + 1) // 2 for f, k in zip(fg, bg, strict=True))
    return r, g, b


def solid_edges(mask: Image.Image) -> Image.Image:
    """A box-drawing or block glyph whose ink reaches the cell's edge covers it fully.

    Outlines rarely end on a pixel boundary, so the edge row or column is only partly
    inked, and lines of │ or █ stacked in a column show a faint seam; the next row in
    decides instead, so neighbouring cells join.
    """
    width, height = mask.size
    for edge, inner in (((0, 0, width, 1), (0, 1, width, 2)),
                        ((0, height - 1, width, height), (0, height - 2, width, height - 1)),
                        ((0, 0, 1, height), (1, 0, 2, height)),
                        ((width - 1, 0, width, height),
                         (width - 2, 0, width - 1, height))):  # fmt: skip
        outer = mask.crop(edge)
        if outer.getbbox() is not None:
            mask.paste(ImageChops.lighter(outer, mask.crop(inner)), edge[:2])
    return mask


@functools.cache
def braille(bits: int, width: int, height: int) -> Image.Image:
    """The dots of one braille pattern as an antialiased mask (drawn 4x, then reduced)."""
    scale = 4
    mask = Image.new("L", (width * scale, height * scale), 0)
    draw = ImageDraw.Draw(mask)
    step_x, step_y = width * scale / 2, height * scale / 4
    radius = min(step_x, step_y) * 0.3
    for bit, (column, row) in enumerate(DOTS):
        if bits >> bit & 1:
            cx, cy = (column + 0.5) * step_x, (row + 0.5) * step_y
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255)
    return mask.resize((width, height), Image.Resampling.BOX)
