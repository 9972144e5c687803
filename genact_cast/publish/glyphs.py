"""Where each character's picture comes from, for the PNG and video exporters (Pillow).

A fallback chain, as a terminal has:

1. DejaVu Sans Mono, bundled (regular, bold, oblique, bold oblique: italics are drawn);
2. the machine's fonts, through fontconfig: the best font holding the character, as
   `fc-match ':charset=XXXX'` names it and Chromium's fallback takes it (CJK, emoji and
   the rest come from there when installed; publish/font_lookup.py);
3. DejaVu Sans, bundled (same licence): symbols, arrows and dingbats the mono face lacks;
4. the mono face's missing-glyph box.

Some characters are not taken from a font at all but drawn, as asciinema-player draws
them (src/components/Terminal.js: `drawBlockGlyph` and the vector symbols of
`getVectorSymbolDef`): block elements, ┃ ╹ ╻ ■ and the sextants fill exact parts of
the cell, so columns and bars join; the powerline separators and the black triangles
are polygons and arcs on the cell. Braille is drawn dot by dot (raster.py).
"""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

from genact_cast.publish.data_files import DATA
from genact_cast.publish.font_lookup import font_file
from genact_cast.publish.player_layout import MISSING, ligature
from genact_cast.publish.terminal_cells import text_symbol
from genact_cast.publish.vectors import BLOCKS, SHADES, STROKE, raster_symbol, vector
from genact_cast.publish.vectors import LINES as _LINES
from genact_cast.publish.vectors import POLYGONS as _POLYGONS

MONO = {
    (False, False): "DejaVuSansMono.ttf",
    (True, False): "DejaVuSansMono-Bold.ttf",
    (False, True): "DejaVuSansMono-Oblique.ttf",
    (True, True): "DejaVuSansMono-BoldOblique.ttf",
}
SYMBOLS = "DejaVuSans.ttf"
EMOJI_STRIKE = 109  # the one bitmap size of Noto Color Emoji (CBDT)


class Face(NamedTuple):
    font: ImageFont.FreeTypeFont
    color: bool  # a colour bitmap font (emoji): drawn in its own colours
    scale: float  # the drawn glyph is scaled by this to fit the cell (bitmap strikes)
    # Bold or italic asked of a font that has no such face (a CJK font's one Regular):
    # drawn emboldened or slanted, as Chromium synthesises them for the player.
    fake_bold: bool = False
    fake_italic: bool = False


# Chromium's synthetic faces (Skia): italic is a skew of -1/4 (x += y / 4 above the
# baseline, FontPlatformData::SetupSkFont's setSkewX(-SK_Scalar1 / 4)); bold strokes the
# outline by size x a ratio from 1/24 at 9 px to 1/32 at 36 px (SkScalerContext's
# kStdFakeBoldInterpKeys/Values), half of it on each side.
FAKE_SKEW = 0.25
_BOLD_KEYS, _BOLD_RATIOS = (9.0, 36.0), (1 / 24, 1 / 32)


def fake_bold_outline(size: float) -> float:
    """The pixels Skia's fake bold adds to each side of a glyph's outline at `size`."""
    low, high = _BOLD_KEYS
    t = min(1.0, max(0.0, (size - low) / (high - low)))
    ratio = _BOLD_RATIOS[0] + (_BOLD_RATIOS[1] - _BOLD_RATIOS[0]) * t
    return size * ratio / 2


def _data(name: str) -> bytes:
    return (DATA / "fonts" / name).read_bytes()


@functools.cache
def mono(bold: bool, italic: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_data(MONO[bold, italic])), size)


@functools.cache
def _symbols(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(_data(SYMBOLS)), size)


@functools.cache
def _notdef(font: ImageFont.FreeTypeFont) -> bytes:
    return _picture(font, MISSING)


def has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether `font` maps `char`: its picture is not the font's missing-glyph box.

    A combining mark is tried on a base ("x"): alone, the shaper draws it on a dotted
    circle, which never looks like the missing box."""
    parts = shaped_as(char)
    if parts != char:  # (two boxes would not look like one: SARA AM was a glyph)
        return all(has_glyph(font, part) for part in parts)
    if unicodedata.category(char).startswith("M"):
        return _picture(font, "x" + char) != _picture(font, "x" + MISSING)
    return _picture(font, char) != _notdef(font)


def shaped_as(char: str) -> str:
    """The code points the shaper makes of `char` before it looks its glyphs up: SARA AM,
    which HarfBuzz's Thai and Lao shaper always splits into NIKHAHIT and SARA AA
    (hb-ot-shaper-thai.cc, preprocess_text_thai: IS_SARA_AM, U+0E33 and U+0EB3), so
    that where no font has Thai, Chromium draws two boxes, two columns; any other as it is."""
    code = ord(char) if len(char) == 1 else 0
    if code & ~0x80 == 0x0E33:
        return chr(code - 0xE33 + 0xE4D) + chr(code - 1)
    return char


def _picture(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    try:
        mask = font.getmask(text)
    except (OSError, ValueError):
        return b""
    # The size as two 4-byte numbers: a glyph of a large font (a 1x1 screen at 4k is
    # drawn at 400 px) is wider than 255 pixels, which bytes(mask.size) refused.
    return struct.pack(">II", *mask.size) + bytes(mask)


# Emoji_Presentation characters outside the pictograph blocks below (Unicode 15.1
# emoji-data.txt): ⬛ ⬜ ⭐ ⭕, which Chromium draws from the colour font.
_PRESENTATION = frozenset((0x2B1B, 0x2B1C, 0x2B50, 0x2B55))


def emoji(char: str) -> bool:
    """Pictographs a terminal shows as emoji: asked for in a colour font first."""
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2300 <= code <= 0x23FF
        or code in _PRESENTATION
    )


@functools.cache
def _system(path: str, size: int) -> Face | None:
    """A machine font at a size; a bitmap-only colour font at its strike, scaled down."""
    try:
        return Face(ImageFont.truetype(path, size), False, 1.0)
    except OSError:
        try:  # CBDT emoji fonts have one strike: draw at it and scale to the cell
            return Face(ImageFont.truetype(path, EMOJI_STRIKE), True, size / EMOJI_STRIKE)
        except OSError:
            return None


def emoji_presentation(cluster: str) -> bool:
    """A pictograph asked to be drawn as emoji (followed by VS16), or a flag: two cells,
    in colour."""
    if len(cluster) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in cluster):
        return True  # a flag: two regional indicators, one colour glyph
    # Any base with VS16 (ℹ️, and a keycap 1️⃣: digit, VS16, U+20E3) asks for the emoji
    # glyph; the browser takes it from the colour font, which shapes the keycap as one. A
    # ZWJ sequence the player draws as one glyph (👁‍🗨, publish/player_layout.py) too.
    if len(cluster) > 2 and ligature(cluster, 0) == len(cluster):
        return True
    return len(cluster) > 1 and cluster[1] == "\ufe0f" and not _mark(cluster[0])


def _mark(char: str) -> bool:
    """A combining mark or a format character: never the base of an emoji."""
    return unicodedata.category(char) in ("Mn", "Me", "Mc", "Cf")


def _machine(
    char: str, size: int, color: bool, bold: bool = False, italic: bool = False
) -> Face | None:
    """A font of the machine's that has `char` (a colour one, or not): fontconfig's pick,
    as Chromium's fallback asks fontconfig for each character the player's fonts lack,
    in the weight and slant asked for where the machine has them."""
    named = font_file(char, color, bold, italic)
    if named is not None:
        found = _system(named, size)
        if found is not None and found.color == color and has_glyph(found.font, char):
            return found
    return None


def face(char: str, bold: bool, italic: bool, size: int) -> Face:
    """The first face of the chain that has `char`."""
    first = mono(bold, italic, size)
    if len(char) != 1:
        if emoji_presentation(char):  # ❤️: the colour font, as a browser draws it
            return _machine(char[0], size, True) or face(char[0], bold, italic, size)
        return cluster_face(char, first, size)
    if has_glyph(first, char):
        return Face(first, False, 1.0)
    # An emoji from a colour font when the machine has one (as a browser shows it); a
    # symbol that is an emoji only when VS16 asks (⚧ U+26A7) from a text font first, as
    # Chromium's fallback draws it in the player (review-exports12 item 8), from the
    # colour font where no text font has it (⏸).
    order = (False, True) if text_symbol(char, 0) else (True, False)
    for color in order if emoji(char) else (False,):
        found = _machine(char, size, color, bold, italic)
        if found is not None:
            return synthetic(found, bold, italic)
    symbols = _symbols(size)
    if has_glyph(symbols, char):
        return Face(symbols, False, 1.0)
    if not emoji(char):
        # The last font of the machine that has it, colour or not: 〰 U+3030 and 〽
        # U+303D are only in Noto Color Emoji here, and Chromium draws them from it.
        found = _machine(char, size, True)
        if found is not None:
            return found
    return Face(first, False, 1.0)


def synthetic(found: Face, bold: bool, italic: bool) -> Face:
    """`found` with the bold and italic its font lacks to be synthesised (not for colour
    glyphs, which the browser draws as they are)."""
    if found.color or not (bold or italic):
        return found
    style = (found.font.font.style or "").lower()
    fake_bold = bold and "bold" not in style
    fake_italic = italic and "italic" not in style and "oblique" not in style
    return found._replace(fake_bold=fake_bold, fake_italic=fake_italic)


def cluster_face(cluster: str, first: ImageFont.FreeTypeFont, size: int) -> Face:
    """The face a browser draws a base with its marks from (Z͑̕): the first of the chain
    that has every code point of the cluster, so that the marks are shaped on their base;
    the mono face when none has them all."""
    missing = [char for char in cluster if not has_glyph(first, char)]
    if not missing:
        return Face(first, False, 1.0)
    found = _machine(missing[0], size, False)
    if found is not None and all(has_glyph(found.font, char) for char in cluster):
        return found
    symbols = _symbols(size)
    if all(has_glyph(symbols, char) for char in cluster):
        return Face(symbols, False, 1.0)
    return Face(first, False, 1.0)


def draw_lone_marks(tile: Image.Image, marks: str, fg: tuple[int, int, int], bold: bool,
                    italic: bool, size: int, ascent: int) -> None:  # fmt: skip
    """Marks with no base before them in their span (a line that starts with U+0301):
    the browser draws each at the span's column with no advance, over the character
    that follows, and no dotted circle (the shaper's fallback, which Pillow's layout
    would add); so each is drawn alone, unshaped, at the cell's origin."""
    for mark in marks:
        found = face(mark, bold, italic, size)
        plain = basic(found.font)
        ImageDraw.Draw(tile).text((0, ascent), mark, fill=fg, font=plain, anchor="ls")


def draw_advancing_mark(tile: Image.Image, mark: str, fg: tuple[int, int, int], bold: bool,
                        italic: bool, size: int, ascent: int) -> None:  # fmt: skip
    """A mark the browser lays out with an advance of its own (publish/player_layout.py
    ADVANCING_MARKS: a̶, x⃝): its glyph in the mono face drawn alone in its cell, unshaped
    (no dotted circle), as the player shows each stroke of a̶b̶ in the cell after its
    letter; one the face lacks (U+20DD) is its missing-glyph box there, as in the player."""
    plain = basic(mono(bold, italic, size))
    ImageDraw.Draw(tile).text((0, ascent), mark, fill=fg, font=plain, anchor="ls")


@functools.cache
def basic(font: ImageFont.FreeTypeFont) -> ImageFont.FreeTypeFont:
    """`font` without shaping: a mark alone drawn with no dotted circle under it."""
    return font.font_variant(layout_engine=ImageFont.Layout.BASIC)


def draw_text(tile: Image.Image, char: str, fg: tuple[int, int, int], found: Face,
              ascent: int) -> None:  # fmt: skip
    """`char` on `tile` from `found`, on the cell's baseline; colour glyphs scaled to fit."""
    if found.fake_bold or found.fake_italic:
        tile.paste(fg, (0, 0), synthetic_mask(char, found, tile.size, ascent))
        return
    if not found.color and found.scale == 1.0:
        ImageDraw.Draw(tile).text((0, ascent), char, fill=fg, font=found.font, anchor="ls")
        return
    font = found.font
    box = font.getbbox(char, anchor="ls")
    width, height = max(1, int(box[2] - box[0])), max(1, int(box[3] - box[1]))
    glyph = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(glyph).text((-box[0], -box[1]), char, fill=fg, font=font, anchor="ls",
                               embedded_color=found.color)  # fmt: skip
    fit = min(tile.width / width, tile.height / height, found.scale * 1.25)
    glyph = glyph.resize((max(1, round(width * fit)), max(1, round(height * fit))),
                         Image.Resampling.LANCZOS)  # fmt: skip
    left = (tile.width - glyph.width) // 2
    top = (tile.height - glyph.height) // 2
    tile.paste(glyph, (left, top), glyph)


@functools.lru_cache(maxsize=256)
def synthetic_mask(char: str, found: Face, size: tuple[int, int], ascent: int) -> Image.Image:
    """The coverage of `char` emboldened and/or slanted as Chromium synthesises them."""
    mask = Image.new("L", size, 0)
    stroke = fake_bold_outline(found.font.size) if found.fake_bold else 0
    ImageDraw.Draw(mask).text((0, ascent), char, fill=255, font=found.font, anchor="ls",
                              stroke_width=stroke, stroke_fill=255)  # fmt: skip
    if found.fake_italic:  # the pixel h above the baseline comes from h / 4 to its left
        matrix = (1, FAKE_SKEW, -FAKE_SKEW * ascent, 0, 1, 0)
        mask = mask.transform(size, Image.Transform.AFFINE, matrix, Image.Resampling.BICUBIC)
    return mask


# Shapes drawn as the player draws them.


def drawn(char: str) -> bool:
    """Whether `char` is drawn here rather than taken from a font: what the player paints
    on its canvas, and the shapes it draws as vectors (publish/vectors.py)."""
    return raster_symbol(char) or vector(char)


def shape(char: str, width: int, height: int) -> Image.Image:
    """The coverage mask (L) of a drawn character on a cell of `width` × `height`."""
    code = ord(char)
    if code in BLOCKS or code in SHADES:
        return _blocks(code, width, height)
    return _vector(code, width, height)


@functools.cache
def _blocks(code: int, width: int, height: int) -> Image.Image:
    """The rectangles of publish/vectors.py on whole pixels (so that neighbouring cells
    meet without a seam), as the player's `drawBlockGlyph`; a shade fills the cell at
    25, 50 or 75 %."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    shade = SHADES.get(code)
    if shade is not None:
        draw.rectangle((0, 0, width - 1, height - 1), fill=round(256 * shade))
        return mask
    for x0, y0, x1, y1 in BLOCKS[code]:
        left, top = round(width * x0), round(height * y0)
        right, bottom = min(width, round(width * x1)), round(height * y1)
        if right > left and bottom > top:
            draw.rectangle((left, top, right - 1, bottom - 1), fill=255)
    return mask


@functools.cache
def _vector(code: int, width: int, height: int) -> Image.Image:
    """Powerline separators, triangles and diagonal blocks, drawn 4x and reduced
    (antialiased)."""
    scale = 4
    w, h = width * scale, height * scale
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)

    def point(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] * w, p[1] * h)

    if code in _POLYGONS:
        draw.polygon([point(p) for p in _POLYGONS[code]], fill=255)
    elif code in _LINES:
        draw.line([point(p) for p in _LINES[code]], fill=255,
                  width=max(1, round(STROKE * w)), joint="curve")  # fmt: skip
    elif code in (0xE0B4, 0xE0B5):  # right half circle: an ellipse of the cell's width
        box = (-w, 0, w - 1, h - 1)
        if code == 0xE0B4:
            draw.pieslice(box, -90, 90, fill=255)
        else:
            draw.arc(box, -90, 90, fill=255, width=max(1, round(STROKE * w)))
    elif code in (0xE0B6, 0xE0B7):  # left half circle
        box = (0, 0, 2 * w - 1, h - 1)
        if code == 0xE0B6:
            draw.pieslice(box, 90, 270, fill=255)
        else:
            draw.arc(box, 90, 270, fill=255, width=max(1, round(STROKE * w)))
    return mask.resize((width, height), Image.Resampling.BOX)
