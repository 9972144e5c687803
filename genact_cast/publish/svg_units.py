"""The SVG's grid and how it writes numbers and names (publish/svg.py and its parts)."""

from __future__ import annotations

# The PNG and video's chain (publish/glyphs.py), as families a viewer's machine may have:
# the monospace faces, colour emoji faces, DejaVu Sans for symbols, then CJK faces. DejaVu
# Sans comes before the CJK faces, as in the player: its font list lacks ℃ and №, so
# Chromium asks fontconfig, whose pick (the default sans) draws them; WenQuanYi Micro Hei
# maps ℃ and ℉ to empty glyphs, so the SVG showed them blank (review-exports12 item 7).
FONT = (
    "'DejaVu Sans Mono','Cascadia Mono','SF Mono',Menlo,Consolas,'Liberation Mono',"
    "'Noto Color Emoji','Apple Color Emoji','Segoe UI Emoji','DejaVu Sans',"
    "'Noto Sans Mono CJK SC','WenQuanYi Micro Hei',monospace"
)
# For a symbol that is an emoji only when asked (ℹ, ‼, ↔, ⤴: Emoji_Presentation=No) and is
# not followed by VS16: the text faces, and no colour emoji face. The player names no emoji
# font, so Chromium's fallback takes a text font for it, whichever the machine has: DejaVu
# Sans for ℹ, DejaVu Serif for ⤴ ⤵ (which DejaVu Sans lacks). A colour face named here is
# taken before that fallback is asked: the SVG drew ⤴ ⤵ as colour emoji where the player
# draws text (review-exports12; measured for every one-cell code point of the colour font
# by tests/test_glyph_fonts.py, which reads the fonts Chromium used in both).
TEXT_FONT = (
    "'DejaVu Sans Mono','Cascadia Mono','SF Mono',Menlo,Consolas,'Liberation Mono',"
    "'DejaVu Sans','Noto Sans Mono CJK SC','WenQuanYi Micro Hei',monospace"
)
# asciinema-player 3.18's rows are `--term-line-height: 1.3333em` (Terminal.js) with the
# baseline 1 em down (measured in Chromium at 8-40 px by tests/test_row_height.py): at 15 px
# both are whole pixels, so row backgrounds meet without a seam (the rows were 18 px at
# 14 px, 1.29 em: squatter than the player's, review-exports16 item 7).
FONT_SIZE = 15
CELL_WIDTH = 9.03  # DejaVu Sans Mono's advance at 15px (0.602 em)
LINE_HEIGHT = 20  # 4/3 em
BASELINE = 15  # from the top of a row: 1 em
PADDING = 10


def number(value: float, decimals: int) -> str:
    """A number with at most `decimals` decimals and no needless zeros: 0.5, 12, 3.142."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ID_MORE = ID_CHARS + "0123456789_-"


# Class names in lower case only: an SVG pasted into an HTML page without a DOCTYPE is in
# quirks mode, where class (and id) selectors match ASCII case-insensitively (HTML Living
# Standard, "quirks mode" in Selectors 4 section 6.6), so `.a` also drew `class="A"`
# (review-exports23 WARN 7). Ids are reached by `href="#a"`, a fragment, which matches
# case-sensitively in either mode; the one id a CSS selector names is "strip".
CLASS_CHARS = "abcdefghijklmnopqrstuvwxyz"
CLASS_MORE = CLASS_CHARS + "0123456789_-"


def short_id(number: int) -> str:
    """a, b, ..., Z, aa, ab, ...: the shortest names for ids."""
    return _name(number, ID_CHARS, ID_MORE)


def class_name(number: int) -> str:
    """a, b, ..., z, aa, ab, ...: the shortest class names that differ other than by case."""
    return _name(number, CLASS_CHARS, CLASS_MORE)


def _name(number: int, chars: str, more: str) -> str:
    first, rest = divmod(number, len(chars))
    text = chars[rest]
    while first:
        first, rest = divmod(first - 1, len(more))
        text += more[rest]
    return text
