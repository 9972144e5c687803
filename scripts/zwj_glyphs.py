"""Measure which emoji ZWJ sequences asciinema-player 3.18 draws as one glyph, two columns
wide (genact_cast/publish/data/zwj_glyphs.json).

    python scripts/zwj_glyphs.py [--check]

avt gives each code point of 👁️‍🗨️ (U+1F441 FE0F 200D 1F5E8 FE0F) a cell. Its parts are
one-cell symbols, none of them set apart by the player (its standalone list), so the
player writes them in one span and the browser shapes them with the colour emoji font:
one glyph, about two columns wide, and the rest of the span moves left by the cells the
sequence had beyond two. A sequence with a wide part (👨‍👩‍👧, 🏳️‍🌈) is not: each wide part is a
span of its own, drawn at its cell. Candidates: every pair of such symbols that the
machine's colour emoji font (fontconfig's pick; Noto Color Emoji, as scripts/test installs
it) shapes into one glyph (Pillow's raqm layout), joined by ZWJ; each is put in a row of
a cast before a `|`, with and without VS16 after each part, and the player in headless
Chromium (tests/player_dom.py) says at which column the `|` is drawn: a sequence is kept
where it is 2 in every form. `--check` exits 1 if the file differs. Needs the test
extras, Chromium and the player's npm package.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "genact_cast" / "publish" / "data" / "zwj_glyphs.json"
ZWJ, VS16 = "\u200d", "\ufe0f"
STRIKE = 109  # Noto Color Emoji's one bitmap size


def forms(first: str, second: str) -> list[str]:
    """The sequence with and without VS16 after each part."""
    return [f"{first}{a}{ZWJ}{second}{b}" for a in ("", VS16) for b in ("", VS16)]


def candidates() -> list[tuple[str, str]]:
    """Pairs of one-cell colour-font symbols that the colour font shapes into one glyph."""
    from PIL import ImageFont

    from genact_cast.publish.font_lookup import font_file
    from genact_cast.publish.player_layout import standalone
    from scripts.wide_glyphs import candidates as one_cell

    path = font_file("\U0001f600", color=True)
    assert path is not None, "no colour emoji font (fonts-noto-color-emoji)"
    font = ImageFont.truetype(path, STRIKE, layout_engine=ImageFont.Layout.RAQM)
    chars = [c for c in one_cell() if font.getlength(c) > 0 and not standalone(c, False)]
    one = font.getlength("\U0001f600")
    return [
        (a, b)
        for a in chars
        for b in chars
        if font.getlength(f"{a}{VS16}{ZWJ}{b}{VS16}") <= one * 1.01
    ]


def measure() -> dict[str, object]:
    from genact_cast.publish.player_assets import pinned
    from scripts.wide_glyphs import bar_columns, chromium_version

    pairs = candidates()
    rows = [text for a, b in pairs for text in forms(a, b)]
    bars = bar_columns(rows)
    kept = [
        f"{ord(a):04x} {ord(b):04x}"
        for index, (a, b) in enumerate(pairs)
        if all(bar == 2 for bar in bars[4 * index : 4 * index + 4])
    ]
    return {
        "how": f"scripts/zwj_glyphs.py: asciinema-player {pinned()['version']} in Chromium "
        f"{chromium_version()}, Noto Color Emoji; {len(pairs)} candidate pairs, each with "
        "and without VS16 after each part",
        "sequences": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    text = json.dumps(measure(), indent=0, ensure_ascii=True) + "\n"
    if options.check:
        sys.exit(0 if OUT.read_text("utf-8") == text else 1)
    OUT.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
