"""Where a terminal sits in a picture: the picture's size, the font size and the cells.

Shared by the PNG, video and GIF-cost paths, which must agree on the size before any
pixel is drawn (encode_cost refuses a picture by its size alone).
"""

from __future__ import annotations

from typing import NamedTuple

from PIL import ImageFont

from genact_cast.publish import glyphs

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}


class Layout(NamedTuple):
    width: int
    height: int
    font_size: int
    cell_width: int
    cell_height: int
    ascent: int
    left: int  # where the terminal's first column starts
    top: int


def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return glyphs.mono(bold, False, size)


def cell_of(size: int) -> tuple[int, int, int]:
    """Cell width, height and ascent at a font size: whole pixels, so box lines join.

    The height is asciinema-player 3.18's row, `--term-line-height: 1.3333em`, and the
    baseline 1 em below its top, as Chromium lays it out (measured at 8-40 px by
    tests/test_row_height.py); the font's own ascent + descent (1.16 em) made the picture
    squatter than the player's (review-exports16 item 7)."""
    face = font(False, size)
    return int(face.getlength("M")), round(size * 4 / 3), size


def layout(cols: int, rows: int, size: str | int) -> Layout:
    """The picture's size and where the terminal sits in it.

    A named size ("1080p") fixes the picture and picks the largest font that fits with a
    margin; a number is the font size, and the picture is the terminal plus padding.
    Both sides are even, as 4:2:0 video needs.
    """
    if isinstance(size, int):
        cell_w, cell_h, _ = cell_of(size)
        pad = max(4, size)
        width = _even(cols * cell_w + 2 * pad)
        height = _even(rows * cell_h + 2 * pad)
        return _centred(width, height, size, cols, rows)
    width, height = SIZES[size]
    margin = height // 24
    font_size = max(4, min(int((width - 2 * margin) / cols / 0.6), 400))
    while font_size > 4:
        cell_w, cell_h, _ = cell_of(font_size)
        if cols * cell_w <= width - 2 * margin and rows * cell_h <= height - 2 * margin:
            break
        font_size -= 1
    return _centred(width, height, font_size, cols, rows)


def check_picture(
    width: int, height: int, size: str | int, most: tuple[int, int], who: str,
    option: str = "--size",
) -> None:  # fmt: skip
    """One line when a picture is larger than `who` takes, before any memory is used;
    `option` sets the size (the GIF's is --font-size, which has no named sizes)."""
    from genact_cast.errors import GenactCastError

    if width > most[0] or height > most[1]:
        ways = "a smaller --size or 1080p" if option == "--size" else f"a smaller {option}"
        raise GenactCastError(
            f"{option} {size} makes a {width}x{height} picture for this terminal; {who} at "
            f"most {most[0]}x{most[1]}: use {ways}"
        )


def _centred(width: int, height: int, size: int, cols: int, rows: int) -> Layout:
    cell_w, cell_h, ascent = cell_of(size)
    left = max(0, (width - cols * cell_w) // 2)
    top = max(0, (height - rows * cell_h) // 2)
    return Layout(width, height, size, cell_w, cell_h, ascent, left, top)


def _even(value: int) -> int:
    return value + value % 2


def parse_size(text: str) -> str | int:
    """`--size`: 720p, 1080p, 4k, or a font size in pixels."""
    from genact_cast.errors import BadOption
    from genact_cast.limits import MAX_FONT_SIZE, MIN_FONT_SIZE

    if text.casefold() in SIZES:
        return text.casefold()
    from genact_cast.numbers import plain_int

    pixels = plain_int(text)  # str.isdigit() takes `²`, which int() then refuses
    if pixels is not None and MIN_FONT_SIZE <= pixels <= MAX_FONT_SIZE:
        return pixels
    raise BadOption(
        f"--size must be 720p, 1080p, 4k or a font size from {MIN_FONT_SIZE} to "
        f"{MAX_FONT_SIZE} (got {text!r})"
    )
