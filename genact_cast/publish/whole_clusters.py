"""Which combining marks the browser draws as part of a grapheme taken whole from a
fallback font, taking no room.

DejaVu Sans Mono, the player's first font, draws some marks with an advance of their own
(publish/player_layout.ADVANCING_MARKS: a̶, U+0336, keeps a cell). Chromium shapes a
grapheme (a letter and the marks after it) with the first font that has every code point
of it: when the mono face lacks one (Z with U+0337, U+0351, U+0358: it has no U+0351), the
whole grapheme comes from DejaVu Sans, where the marks have no advance (`Ż a`, measured
in asciinema-player 3.18 in Chromium: tests/test_zalgo_plain.py, review-exports17 #7).

The fonts' character sets are publish/data/font_charsets.json (scripts/font_charsets.py,
from fontconfig), so the SVG path needs no Pillow.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from functools import cache

from genact_cast.publish.data_files import DATA

_MARKS = frozenset({"Mn", "Me"})


def _ranges(spans: list[str]) -> frozenset[int]:
    out: set[int] = set()
    for span in spans:
        low, _, high = span.partition("-")
        out.update(range(int(low, 16), int(high or low, 16) + 1))
    return frozenset(out)


@cache
def charsets() -> tuple[frozenset[int], frozenset[int]]:
    """The code points of DejaVu Sans Mono and of DejaVu Sans."""
    text = (DATA / "font_charsets.json").read_text("utf-8")
    data = json.loads(text)
    return _ranges(data["mono"]), _ranges(data["sans"])


def mark(char: str) -> bool:
    return len(char) == 1 and unicodedata.category(char) in _MARKS


def grapheme(chars: Sequence[str], index: int) -> tuple[int, int]:
    """The start and end of the grapheme (a base and the combining marks after it) that
    the mark at `index` belongs to."""
    start = index
    while start > 0 and (mark(chars[start]) or chars[start] == ""):
        start -= 1
    end = index + 1
    while end < len(chars) and mark(chars[end]):
        end += 1
    return start, end


def whole(chars: Sequence[str], index: int) -> bool:
    """Whether the mark at `index` is drawn with its grapheme from DejaVu Sans, taking
    no room: the mono face lacks a code point of the grapheme and DejaVu Sans has them
    all (a grapheme no font of the two has whole keeps the mono face's advances, as do
    marks with no letter before them in the text, measured in the player: 😀 U+0337)."""
    mono, sans = charsets()
    start, end = grapheme(chars, index)
    if chars[start] in ("", " ") or mark(chars[start]):
        # Marks with no letter (a span's first text, or after a wide character, whose
        # right half is a blank in the SVG's text: 😀 U+0337): each keeps its advance.
        return False
    points = [ord(c) for part in chars[start:end] for c in part]
    return any(p not in mono for p in points) and all(p in sans for p in points)
