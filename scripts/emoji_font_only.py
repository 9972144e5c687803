"""Measure which one-cell characters asciinema-player 3.18 draws from the colour emoji font,
at the emoji's advance (genact_cast/publish/data/emoji_font_only.json).

    python scripts/emoji_font_only.py [--check]

A character avt gives one cell (🛠 U+1F6E0, ⏸ U+23F8, Ⓜ U+24C2: Emoji_Presentation=No,
no VS16 after it) that no text font of the machine has is drawn by Chromium from the colour
emoji font, about two cells wide, and the rest of its span moves one column right. The
exports draw it so (publish/player_layout.py). So are the Hangul fillers (U+3164, one cell in
avt, drawn blank 1 em wide by the CJK font). Candidates: those, and every one-cell code point the
machine's colour emoji font maps (fontconfig's charset; Noto Color Emoji, as
scripts/test installs it); each is put in a row of a cast before a `|`, and the player in
headless Chromium (tests/player_dom.py, fonts as on the test machine: DejaVu, Liberation,
WenQuanYi, Noto Color Emoji) says at which column the `|` is drawn. `--check` exits 1 if
the file differs. Needs the test extras, Chromium and the player's npm package.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "genact_cast" / "publish" / "data" / "emoji_font_only.json"
HANGUL_FILLERS = (0x115F, 0x1160, 0x3164, 0xFFA0)  # letters (Lo) that are default-ignorable
ROWS = 400  # candidates per cast the player loads


def candidates() -> list[str]:
    """One-cell code points, no mark or format character, that the colour font maps (its
    charset as fontconfig reads it)."""
    from genact_cast.publish.player_layout import zero_width
    from genact_cast.publish.terminal import char_width, regional_indicator

    path = subprocess.run(
        ["fc-match", "-f", "%{file}", ":color=true:charset=1f600"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    charset = subprocess.run(
        ["fc-query", "--format=%{charset}", path],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.split()  # fmt: skip
    found = []
    for span in charset:
        low, _, high = span.partition("-")
        for code in range(int(low, 16), int(high or low, 16) + 1):
            char = chr(code)
            if code < 0xA0 or unicodedata.category(char) in ("Mn", "Me", "Mc", "Cf", "Cc", "Co"):
                continue
            if char_width(char) == 1 and not zero_width(char) and not regional_indicator(char):
                found.append(char)
    return found + [chr(code) for code in HANGUL_FILLERS if char_width(chr(code)) == 1]


def bar_columns(chars: list[str], before: str = "") -> list[int]:
    """The column at which the player draws a `|` written after `before` + each character,
    each on a row of its own (ROWS rows a cast), as the browser lays the row out."""
    from playwright.sync_api import sync_playwright

    from tests.browser import FLAGS, chromium_path
    from tests.player_dom import Player, cast_json

    columns: list[int] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        player = Player(browser)
        for first in range(0, len(chars), ROWS):
            part = chars[first : first + ROWS]
            rows = "\r\n".join(f"{before}{char}|" for char in part)
            player.load(cast_json({"version": 2, "width": 8, "height": len(part)},
                                  [[0.1, "o", rows]]))  # fmt: skip
            screen = player.at(1.0)
            for row in screen.shown:
                columns.append(next((x for x, cell in enumerate(row) if "|" in cell), -1))
        player.close()
        browser.close()
    return columns


def measure() -> dict[str, object]:
    from genact_cast.publish.player_assets import pinned

    chars = candidates()
    wide = []
    for char, bar in zip(chars, bar_columns(chars), strict=True):
        assert bar in (1, 2), f"U+{ord(char):04X}: `|` at column {bar}"
        if bar == 2:
            wide.append(char)
    return {
        "how": f"scripts/emoji_font_only.py: asciinema-player {pinned()['version']} in Chromium "
        f"{chromium_version()}, fonts DejaVu, Liberation, WenQuanYi Micro Hei, Noto Color "
        f"Emoji; {len(chars)} candidates",
        "code_points": [f"{ord(char):04x}" for char in wide],
    }


def chromium_version() -> str:
    from tests.browser import chromium_path

    out = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True,
                         check=False, timeout=60).stdout  # fmt: skip
    return out.split()[1] if len(out.split()) > 1 else "?"


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
