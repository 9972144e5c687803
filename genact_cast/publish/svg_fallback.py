"""Spans of the SVG that the browser lays out in a fallback font, as the player's are.

asciinema-player writes a row as spans of one foreground and text style (a change of
background does not part them: backgrounds are painted by cell on its canvas), each placed
at its column, and the browser lays a span's text out as one left-to-right paragraph in
the fonts of its list: a letter DejaVu Sans Mono lacks (Hebrew, Arabic, Thai, Devanagari)
comes from a fallback font at that font's own advance, so the span is not on the cell
grid, and right-to-left words are reordered within the whole span (review-exports18 #7:
`\\e[44mגבוה\\e[45m נמוך` split at the background change put the two words in the
opposite order; #8: stretched to one cell a letter, Hebrew was wider than the player's
and what followed it in its span sat up to 1.5 columns right).

Such a span is drawn here as one run at its column, in logical order and at its glyphs'
own advances (no `textLength`), so that Chromium lays it out as it lays out the player's;
the next run is placed at its own column, as the player's next span is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

from genact_cast.publish.player_layout import ADVANCES, standalone
from genact_cast.publish.screens import Style
from genact_cast.publish.svg_runs import wide_alone
from genact_cast.publish.whole_clusters import charsets

Piece = tuple[str, Style, bool]  # a run's text, its style, drawn as a shape


@cache
def _fallback_letter(char: str) -> bool:
    """A letter or mark that the browser takes from another font than the monospace face
    at that font's advance (or that is written right to left)."""
    if unicodedata.bidirectional(char) in ("R", "AL"):
        return True
    if char in ADVANCES or not unicodedata.category(char).startswith(("L", "M")):
        return False  # (symbols at other advances: player_layout.ADVANCES, measured)
    return ord(char) not in charsets()[0]


def _span_key(style: Style) -> tuple[object, ...]:
    """The player's span: one foreground and text style, whatever the background."""
    return (style[0], *style[2:])


def _apart(piece: Piece) -> bool:
    """A run the player writes as a span of its own (a wide character, a standalone
    symbol) or draws as a shape."""
    text, _, hidden = piece
    return hidden or wide_alone(text) or (bool(text) and standalone(text[0], False))


def spans(pieces: Sequence[Piece]) -> dict[int, int]:
    """The runs (start: end, excluded) that make up one of the player's spans holding a
    letter from a fallback font: each drawn as one run at its own advances."""
    letters = set("".join([piece[0] for piece in pieces])) - _NO_FALLBACK
    if not any(_fallback_letter(c) for c in letters):
        if len(_NO_FALLBACK) < _KNOWN:
            _NO_FALLBACK.update(letters)
        return {}  # (most lines: no such letter anywhere)
    return _spans(pieces)


# Characters met that are no `_fallback_letter`: a line of only these is told at once
# (a dashboard's rows are told by their distinct characters, 42,148 questions, else).
_NO_FALLBACK: set[str] = set()
_KNOWN = 65_536  # of them at most: a cast of every code point holds no more


def _spans(pieces: Sequence[Piece]) -> dict[int, int]:
    """`spans`, span by span."""
    found: dict[int, int] = {}
    start = 0
    while start < len(pieces):
        end = start + 1
        if not _apart(pieces[start]):
            key = _span_key(pieces[start][1])
            while (
                end < len(pieces) and not _apart(pieces[end]) and _span_key(pieces[end][1]) == key
            ):
                end += 1
            letters = set("".join([piece[0] for piece in pieces[start:end]]))
            if any(_fallback_letter(c) for c in letters):
                found[start] = end
        start = end
    return found
