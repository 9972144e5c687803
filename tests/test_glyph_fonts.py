"""Each glyph comes from the font asciinema-player's browser draws it from: colour emoji or
text, and which text font, per code point, in the SVG (in Chromium) and in the PNG/video.

The reference is read from Chromium itself (tests/player_fonts.py: the platform fonts it
used for the player's text and for the SVG's), over a whole class at once: every one-cell
code point the machine's colour emoji font maps (scripts/wide_glyphs.py's candidates),
bare and with VS16.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genact_cast.publish.player_layout import standalone
from scripts.wide_glyphs import candidates
from tests.player_fonts import player_fonts, png_font, svg_fonts

# Drawn blank by every font (Hangul fillers): which one draws nothing is not seen.
BLANK = frozenset("\u115f\u1160\u3164\uffa0")


def _differences(
    strings: list[str], player: list[set[str]], other: list[set[str]], name: str
) -> list[str]:
    return [
        f"{name}: {' '.join(f'U+{ord(c):04X}' for c in text)} {text!r} from {sorted(found)}, "
        f"the player's from {sorted(want)}"
        for text, want, found in zip(strings, player, other, strict=True)
        if want != found and text[0] not in BLANK
    ]


def test_the_colour_fonts_one_cell_symbols_come_from_the_players_fonts(
    browser: Any, tmp_path: Path
) -> None:
    """review-exports12: ⤴ ⤵ (Emoji_Presentation=No, in DejaVu Serif and Noto Color Emoji)
    are text in the player, Chromium's fallback taking DejaVu Serif; the SVG named the
    colour face in the list it gives such symbols, and drew colour emoji. ℃ came from
    DejaVu Serif in the PNG once ⤴ had found that font, the player's from DejaVu Sans."""
    chars = candidates()
    assert len(chars) > 150, "the colour emoji font (Noto Color Emoji) is a test dependency"
    strings = chars + [c + "\ufe0f" for c in chars] + ["\u2103", "\u2109"]  # ℃ ℉ after ⤴
    player = player_fonts(browser, strings)
    assert player[chars.index("\u2934")] == {"DejaVu Serif"}, "⤴ is not DejaVu Serif's here"
    assert player[chars.index("\u2934") + len(chars)] == {"Noto Color Emoji"}
    problems = _differences(strings, player, svg_fonts(browser, strings, tmp_path), "SVG")
    # The PNG's choice for a character alone, and for one with VS16 where VS16 selects its
    # emoji (after a symbol the player sets apart, ♥️, it opens the next span: no cluster).
    alone = [
        (text, want)
        for text, want in zip(strings, player, strict=True)
        if len(text) == 1 or not standalone(text[0], False)
    ]
    problems += _differences(
        [text for text, _ in alone],
        [want for _, want in alone],
        [png_font(text) for text, _ in alone],
        "PNG",
    )
    assert problems == [], "\n".join(problems[:20])
