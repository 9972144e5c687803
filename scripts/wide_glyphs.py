"""Measure which one-cell characters asciinema-player 3.18 draws about two columns wide
(genact_cast/publish/data/wide_glyphs.json).

    python scripts/wide_glyphs.py [--check]

A character avt gives one cell that the player's fonts lack is drawn by Chromium from a
fallback font at that font's advance: 🛠 U+1F6E0, ⏸ U+23F8, Ⓜ U+24C2 (Emoji_Presentation=No,
no VS16 after it) from the colour emoji font, about two cells wide; ℃ ℉ ⓐ 𝐀 🂡 from a text
font (DejaVu Sans), 1.5 to 2.5 cells wide. The rest of its span moves right by the columns
the browser rounds its advance to, and the exports draw it so (publish/player_layout.py).
So are the Hangul fillers (U+3164, one cell in avt, drawn blank 1 em wide by the CJK
font). Candidates: those, every one-cell code point the machine's colour emoji font maps,
and every one-cell code point a text font maps that DejaVu Sans Mono (the player's first
font present) lacks (fontconfig's character sets); each is put in a row of a cast before a
`|`, and the player in headless Chromium (tests/player_dom.py, fonts as on the test
machine: DejaVu, Liberation, WenQuanYi, Noto Color Emoji) says at which column the `|` is
drawn: a character is kept where that is 2 or more. `--check` exits 1 if the file
differs. Needs the test extras, Chromium and the player's npm package.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "genact_cast" / "publish" / "data" / "wide_glyphs.json"
HANGUL_FILLERS = (0x115F, 0x1160, 0x3164, 0xFFA0)  # letters (Lo) that are default-ignorable
ROWS = 400  # candidates per cast the player loads


def candidates() -> list[str]:
    """One-cell code points, no mark or format character, that the colour font maps (its
    charset as fontconfig reads it), and the Hangul fillers."""
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


def text_candidates() -> list[str]:
    """One-cell code points, no mark, format character or symbol the player draws itself,
    that a text font of the machine maps and DejaVu Sans Mono lacks."""
    from genact_cast.publish import font_lookup, glyphs
    from genact_cast.publish.player_layout import zero_width
    from genact_cast.publish.terminal import char_width, regional_indicator
    from genact_cast.publish.vectors import raster_symbol, vector

    mono = glyphs.mono(False, False, 15)
    held = sorted(
        {
            code
            for font in font_lookup._sorted_fonts()
            if not font.color
            for low, high in zip(font.starts, font.ends, strict=True)
            for code in range(low, high + 1)
        }
    )
    found = []
    for code in held:
        char = chr(code)
        if code < 0xA0 or unicodedata.category(char) in SKIPPED:
            continue
        if (
            char_width(char) == 1
            and not zero_width(char)
            and not regional_indicator(char)
            and not vector(char)
            and not raster_symbol(char)
            and not glyphs.has_glyph(mono, char)
        ):
            found.append(char)
    return found


# Marks, format and control characters, private use, surrogates, line and paragraph
# separators: none is drawn as a character of its own.
SKIPPED = ("Mn", "Me", "Mc", "Cf", "Cc", "Co", "Cs", "Zl", "Zp")


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


# Where the browser lays out the `|` of each row, in cells from the row's start.
BAR_OFFSETS = """(cols) => {
  const canvas = document.querySelector('.ap-term canvas');
  const cell = canvas.getBoundingClientRect().width / cols;
  const range = document.createRange();
  const rows = [];
  for (const line of document.querySelectorAll('.ap-line')) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let found = -1;
    for (let node = walker.nextNode(); node && found < 0; node = walker.nextNode()) {
      const at = node.data.indexOf('|');
      if (at >= 0) {
        range.setStart(node, at); range.setEnd(node, at + 1);
        found = (range.getBoundingClientRect().left - line.getBoundingClientRect().left) / cell;
      }
    }
    rows[Number(line.style.getPropertyValue('--row'))] = found;
  }
  return rows;
}"""


def bar_offsets(chars: list[str], before: str = "") -> list[float]:
    """Where the player lays out a `|` written after `before` + each character, in cells
    (a fraction: ℃ 1.87), each on a row of its own, as the browser lays the row out."""
    from playwright.sync_api import sync_playwright

    from tests.browser import FLAGS, chromium_path
    from tests.player_dom import Player, cast_json

    offsets: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        player = Player(browser)
        for first in range(0, len(chars), ROWS):
            part = chars[first : first + ROWS]
            rows = "\r\n".join(f"{before}{char}|" for char in part)
            player.load(cast_json({"version": 2, "width": 8, "height": len(part)},
                                  [[0.1, "o", rows]]))  # fmt: skip
            player.at(1.0)
            offsets += player.page.evaluate(BAR_OFFSETS, 8)
        player.close()
        browser.close()
    return offsets


def measure() -> dict[str, object]:
    from genact_cast.publish.player_assets import pinned

    chars = sorted(set(candidates()) | set(text_candidates()))
    advances = {}
    for char, bar in zip(chars, bar_offsets(chars), strict=True):
        assert 0 < bar < 3.5, f"U+{ord(char):04X}: `|` at {bar}"
        if abs(bar - 1) >= 0.03:
            advances[f"{ord(char):04x}"] = round(bar, 2)
    # VS16 makes a one-cell symbol the colour font's emoji (✔️: two cells in avt, drawn
    # at the emoji's advance, over two cells and a fraction).
    vs16 = bar_offsets(["\u2714\ufe0f"])[0]
    # A regional indicator the browser pairs with none (🇫 alone): the colour font's letter
    # glyph, at its advance; every one of the 26 is measured, and they must agree.
    lone = {round(bar, 2) for bar in bar_offsets([chr(c) for c in range(0x1F1E6, 0x1F200)])}
    assert len(lone) == 1, f"lone regional indicators at {sorted(lone)}"
    return {
        "how": f"scripts/wide_glyphs.py: asciinema-player {pinned()['version']} in Chromium "
        f"{chromium_version()}, fonts DejaVu, Liberation, WenQuanYi Micro Hei, Noto Color "
        f"Emoji; {len(chars)} candidates, the advance in cells of those whose advance is "
        "not one cell",
        "vs16_advance": round(vs16, 2),
        "lone_regional_indicator_advance": lone.pop(),
        "advances": advances,
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
