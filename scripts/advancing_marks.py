"""Measure which combining marks asciinema-player 3.18 lays out with an advance of their own
(genact_cast/publish/data/advancing_marks.json).

    python scripts/advancing_marks.py [--check]

avt gives every code point a cell, a combining mark too. Where the browser lays out the
player's text, most marks take no room (é: the rest of the span moves one column left),
but some are drawn with an advance of their own, one column, as a character is: the
overlays U+0335 and U+0336 (a̶b̶c̶, the "strikethrough" of chat), U+0332, and marks no font
of the machine has (U+20DD, a missing-glyph box); a few at a fraction of a column (the
Cyrillic enclosing marks U+0488 and U+0489 of Zalgo text, 0.69: DejaVu Sans's advance),
kept in "advances". The exports lay them out so (publish/player_layout.py). Candidates:
the combining marks of the blocks shared by every script (BLOCKS: diacritical marks,
their extensions, marks for symbols, half marks) and Cyrillic's (which Zalgo text
generators draw from, ҉), each
after an `x` and before a `|` on a row of its own (a script's own marks, Devanagari's or
Hebrew's, take no room after a letter of their script, whose font positions them: they
are left as they were); the player in headless Chromium
(tests/player_dom.py, fonts as on the test machine: DejaVu, Liberation, WenQuanYi, Noto
Color Emoji) says whether the `|` is at column 1 or 2. `--check` exits 1 if the file
differs. Needs the test extras, Chromium and the player's npm package.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "genact_cast" / "publish" / "data" / "advancing_marks.json"
BLOCKS = (
    (0x300, 0x36F), (0x483, 0x489), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)  # fmt: skip


def candidates() -> list[str]:
    """The blocks' combining marks (Mn, Me) that avt gives one cell, less the keycap mark
    U+20E3, which the emoji font draws with the digit and VS16 before it (1️⃣)."""
    from genact_cast.publish.terminal import char_width

    return [
        chr(code)
        for low, high in BLOCKS
        for code in range(low, high + 1)
        if unicodedata.category(chr(code)) in ("Mn", "Me")
        and char_width(chr(code)) == 1
        and code != 0x20E3
    ]


def measure() -> dict[str, object]:
    from genact_cast.publish.player_assets import pinned
    from scripts.wide_glyphs import bar_columns, bar_offsets, chromium_version

    chars = candidates()
    advancing = []
    advances = {}  # those whose advance is a fraction of a column
    offsets = bar_offsets(chars, before="x")
    for char, bar, at in zip(chars, bar_columns(chars, before="x"), offsets, strict=True):
        assert bar in (1, 2), f"U+{ord(char):04X}: `|` at column {bar}"
        if bar == 2:
            advancing.append(ord(char))
            if abs(at - 2) >= 0.03:
                advances[f"{ord(char):04x}"] = round(at - 1, 2)
    spans: list[list[int]] = []
    for code in advancing:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return {
        "how": f"scripts/advancing_marks.py: asciinema-player {pinned()['version']} in "
        f"Chromium {chromium_version()}, fonts DejaVu, Liberation, WenQuanYi Micro Hei, Noto "
        f"Color Emoji; {len(chars)} candidates (Mn, Me), {len(advancing)} advance",
        "spans": [f"{low:04x}-{high:04x}" for low, high in spans],
        "advances": advances,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    text = json.dumps(measure(), indent=0) + "\n"
    if options.check:
        sys.exit(0 if OUT.read_text("utf-8") == text else 1)
    OUT.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
