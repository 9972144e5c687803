"""Which cells of a row the browser draws as one cluster in the player's span: a character
with the combining marks after it (composed), a flag's two letters, marks that open a
span with no base (publish/raster.py draws each cluster as one glyph)."""

from __future__ import annotations

import unicodedata

from genact_cast.publish.player_layout import ADVANCING_MARKS, flag, standalone, zero_width
from genact_cast.publish.screens import Row


def marks_only(text: str) -> bool:
    """Whether `text` is only combining marks, variation selectors and joiners (drawn on
    the character before them: a mark with an advance of its own has its cell)."""
    return all(
        (unicodedata.category(c) in ("Mn", "Me", "Mc") or zero_width(c))
        and c not in ADVANCING_MARKS
        for c in text
    )


def cluster_at(row: Row, x: int) -> tuple[str, int]:
    """The character at x with the marks in the cells after it in its span, as one
    string (composed where Unicode composes it), and the cell after them: the browser
    draws the player's text as one, é (publish/player_layout.py)."""
    text, end = row[x][0], x + 1
    if text == " " or marks_only(text):
        return text, end
    if flag(row, x):
        text, end = text + row[end][0], end + 1  # a flag: two letters, one glyph
    while end < len(row) and row[end][0] and marks_only(row[end][0]) and has_base(row, end):
        text += row[end][0]
        end += 1
    return unicodedata.normalize("NFC", text), end


def selector(char: str) -> bool:
    """A variation selector (VS1-VS16, and VS17-VS256: an ideographic variant, 葛󠄀):
    it picks a glyph, it has none of its own (review-exports12 item 9: U+E0100 was a box)."""
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"


def lone_mark(char: str) -> bool:
    """A combining mark (not a format character such as ZWSP, which shows nothing), drawn
    on a character (one with an advance of its own is drawn in its cell)."""
    return unicodedata.category(char) in ("Mn", "Me") and char not in ADVANCING_MARKS


def has_base(row: Row, x: int) -> bool:
    """Whether the mark at x has a character before it in the same span of the player's
    (the same colour and text style, not a symbol it sets apart): a mark that opens a
    span, at the start of a line or after a colour change, stands alone in the browser,
    as does one after a space (a blank a tab skipped: Chromium draws `\t\u0301x` with the
    accent over the x, where the PNG drew a bare x, review-exports18 #5) or after a mark
    with an advance of its own (U+0334 in Zalgo: the marks after it lie over the next
    cell in the player; shaped on it, they were drawn on a dotted circle).
    """
    before = x - 1
    while before >= 0 and zero_width(row[before][0]):
        before -= 1
    if before < 0:
        return False
    char, style = row[before]
    wide = before + 1 < len(row) and row[before + 1][0] == ""
    return (
        char not in ("", " ")
        and char not in ADVANCING_MARKS
        and not standalone(char, wide)
        and (style[0], *style[2:]) == (row[x][1][0], *row[x][1][2:])
    )
