"""Spaces drawn in the style of the player's text span they join.

asciinema-player 3.18 (src/vt/src/lib.rs `get_line`, the same at v3.17.0) groups a row's
cells into text spans: a cell joins the span before it when it has the span's colour and
text style, and a space joins it also when only its underline and strike-through are the
span's, "regardless of their other attr values (color, bold, italic etc)". The span's
first cell gives its colour and classes, so a joined space's underline or strike is drawn
in the span's colour (and faint, blinking as the span is): vim's cursor line, text in blue
then spaces in the default colour, all underlined, is underlined in blue to its end
(review-exports17 #15). A character the player sets apart (wide ones, symbols:
player_layout.standalone) is a span of its own, so the space after it starts one.
"""

from __future__ import annotations

from operator import itemgetter

from genact_cast.publish.player_layout import standalone
from genact_cast.publish.screens import Row, Style
from genact_cast.publish.terminal import char_width

_UNDERLINE, _STRIKE = itemgetter(4), itemgetter(6)  # a style's lines


def spaces_in_spans(row: Row) -> Row:
    """`row` with each space the player puts in the span before it styled as that span
    (its background kept): only lines (underline, strike) show a space's style."""
    styles = list(map(itemgetter(1), row))  # (not a set: hashing them cost most of the row)
    if not (any(map(_UNDERLINE, styles)) or any(map(_STRIKE, styles))):
        return row  # (most rows)
    out = list(row)
    span: Style | None = None  # the style of the span the next cell may join
    for x, (char, style) in enumerate(row):
        if not char:
            continue  # the right half of a wide character: no cell to the player
        if standalone(char[0], char_width(char[0]) == 2):
            span = None
        elif span is None:
            span = style
        elif char == " " and (style[4], style[6]) == (span[4], span[6]):
            out[x] = (char, (span[0], style[1], *span[2:]))
        elif (style[0], *style[2:]) != (span[0], *span[2:]):
            span = style
    return tuple(out)
