"""Measure where DejaVu Sans Mono's box-drawing and block glyphs reach the top and bottom
of the glyph box, for the SVG's joins (genact_cast/publish/data/box_extents.json).

    python scripts/box_extents.py [--check]

The SVG's rows are taller than these glyphs (the player's 1.333 line height against the
font's 1.188 em of box glyph), so a column of `│` or `█` shows a seam between rows. The
SVG fills the gap above and below each such glyph with the ink the glyph has at its top
and bottom edge: this script reads those spans from the bundled font (Pillow), once, so
the SVG module needs neither Pillow nor the font. `--check` exits 1 if the file differs.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from importlib import resources
from pathlib import Path

SIZE = 2048  # the font's units per em: whole units
# Box drawing and block elements, less the shades (a dot pattern: no edge to join).
CHARS = [c for c in range(0x2500, 0x25A0) if c not in (0x2591, 0x2592, 0x2593)]
INSIDE = 8  # font units inside the edge where the ink is read (edges round either way)
OUT = (
    Path(__file__).resolve().parent.parent / "genact_cast" / "publish" / "data" / "box_extents.json"
)


def spans(row: list[int], advance: float, left: int) -> list[list[float]]:
    """Inked runs of one pixel row, as fractions of the advance, clipped to the cell."""
    found: list[list[float]] = []
    start = None
    for x, value in enumerate([*row, 0]):
        if value >= 128 and start is None:
            start = x
        elif value < 128 and start is not None:
            x0 = max(0.0, (start - left) / advance)
            x1 = min(1.0, (x - left) / advance)
            if x1 > x0:
                found.append([round(x0, 4), round(x1, 4)])
            start = None
    return found


def measure() -> dict[str, object]:
    from PIL import Image, ImageDraw, ImageFont

    data = resources.files("genact_cast.publish") / "data" / "fonts" / "DejaVuSansMono.ttf"
    face = ImageFont.truetype(io.BytesIO(data.read_bytes()), SIZE)
    advance = face.getlength("M")
    ascent, descent = face.getmetrics()
    margin = SIZE // 8
    width, height = round(advance) + 2 * margin, ascent + descent + 2 * margin
    full = Image.new("L", (width, height), 0)
    ImageDraw.Draw(full).text((margin, margin + ascent), "█", fill=255, font=face, anchor="ls")
    box = full.getbbox()
    assert box is not None
    top, bottom = box[1], box[3] - 1  # the full block's first and last rows of ink
    cells: dict[str, list[list[list[float]]]] = {}
    for code in CHARS:
        image = Image.new("L", (width, height), 0)
        ImageDraw.Draw(image).text((margin, margin + ascent), chr(code), fill=255, font=face,
                                   anchor="ls")  # fmt: skip
        ink = image.tobytes()  # one byte a pixel, row after row
        above = spans(
            list(ink[(top + INSIDE) * width : (top + INSIDE + 1) * width]), advance, margin
        )
        below = spans(
            list(ink[(bottom - INSIDE) * width : (bottom - INSIDE + 1) * width]), advance, margin
        )
        if above or below:
            cells[f"{code:04x}"] = [above, below]
    return {
        "font": "DejaVu Sans Mono (bundled), measured at 2048 px",
        # The glyph box's top and bottom, in em from the baseline (down is positive).
        "top": round((top - margin - ascent) / SIZE, 4),
        "bottom": round((bottom + 1 - margin - ascent) / SIZE, 4),
        "cells": cells,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    options = parser.parse_args()
    text = json.dumps(measure(), separators=(",", ":"), sort_keys=True) + "\n"
    if options.check:
        sys.exit(0 if OUT.read_text("utf-8") == text else 1)
    OUT.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
