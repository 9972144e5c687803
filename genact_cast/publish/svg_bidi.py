"""Bidirectional text in the SVG: the controls drawn as the terminal keeps them (in a
cell, reordering nothing), and the spans the browser would reorder again."""

from __future__ import annotations

import re
from itertools import groupby

from genact_cast.publish.screens import Style

# Bidirectional controls (ALM, LRM, RLM, the embeddings, overrides and isolates): the
# terminal puts each in a cell and reorders nothing, so they are drawn as the other
# format characters are, invisible in their cell, but as ZWSP, which reorders nothing
# either (an RLO kept in the text would reverse the run even under bidi-override).
BIDI_CONTROLS = str.maketrans(
    dict.fromkeys(
        "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", "\u200b"
    )
)


_EXPLICIT = re.compile("[\u202a-\u202e\u2066-\u2069]")


def in_visual_order(pieces: list[tuple[str, Style, bool]]) -> set[int]:
    """The runs of the player's spans (one foreground and text style: a background change
    does not part them) that hold an embedding, override or isolate: their characters
    are in the order the browser shows them (publish/bidi_levels.in_visual_order)."""
    if not _EXPLICIT.search("".join([piece[0] for piece in pieces])):
        return set()  # (most lines: no control in any run)
    return _in_visual_order(pieces)


def _in_visual_order(pieces: list[tuple[str, Style, bool]]) -> set[int]:
    """`in_visual_order`, span by span."""
    found: set[int] = set()
    index = 0
    for _, group in groupby(pieces, key=lambda piece: (piece[1][0], *piece[1][2:])):
        count = len(list(group))
        if any(_EXPLICIT.search(pieces[at][0]) for at in range(index, index + count)):
            found.update(range(index, index + count))
        index += count
    return found
