"""Code points the browser draws as the first font's missing-glyph box, at a cell's
advance, in the PNG and video (publish/raster.py): those no font of the chain has
(Devanagari, Tamil, Thai on a machine with no font for them), and the marks the
monospace face lacks in a grapheme that no font has whole (Zalgo)."""

from __future__ import annotations

import functools
import unicodedata

from genact_cast.publish import glyphs, whole_clusters
from genact_cast.publish.player_layout import MISSING
from genact_cast.publish.terminal_cells import Row


@functools.lru_cache(maxsize=4096)
def fontless(char: str) -> bool:
    """Whether no font of the chain has `char` (Devanagari, Tamil, Thai on a machine with
    no font for them, a mark no font has): Chromium then draws the first font's
    missing-glyph box for it, at that font's advance (one cell in DejaVu Sans Mono), a
    mark too, as there is nothing to shape it with (review-exports15 finding 3)."""
    if char.isascii() or len(char) != 1 or glyphs.drawn(char):
        return False
    if unicodedata.category(char)[0] in "CZ":
        return False  # separators and format characters: drawn as blanks, or not at all
    return not glyphs.has_glyph(glyphs.face(char, False, False, 16).font, char)


def boxed(row: Row) -> Row:
    """The row with each code point no font has, and each mark left unshaped
    (`_unshaped_marks`), as MISSING: one cell of advance in the browser's layout of the
    player's span (publish/player_layout.as_laid_out), where a mark has none, drawn as
    the mono font's box; a code point the shaper splits (glyphs.shaped_as: SARA AM) as a
    box a part (exports-o's left-over: น้ำ| has its `|` at 4.0 columns in the player, not 3)."""
    if all(char.isascii() for char, _ in row):
        return row
    chars = [char for char, _ in row]
    if not any(_boxed_or_mark(c) for c in chars):
        return row
    unshaped = _unshaped_marks(chars)
    return tuple(
        (
            MISSING * len(glyphs.shaped_as(char)) if fontless(char) or x in unshaped else char,
            style,
        )
        for x, (char, style) in enumerate(row)
    )


@functools.lru_cache(maxsize=4096)
def _boxed_or_mark(char: str) -> bool:
    """A code point no font has, or a combining mark (maybe one left unshaped)."""
    return not char.isascii() and (whole_clusters.mark(char) or fontless(char))


def _unshaped_marks(chars: list[str]) -> set[int]:
    """The cells of marks that the mono face lacks in a letter's grapheme no font of the
    chain has whole (Z with U+0351 and U+036B: DejaVu Sans has the one, no font the
    other): Chromium shapes such a grapheme in the first font, where each code point it
    lacks is its missing-glyph box at a cell's advance, U+0351 too (measured in
    asciinema-player 3.18: review-exports18 #5, exports-l's note 2); a default-ignorable
    one (CGJ) shows nothing."""
    mono_set = whole_clusters.charsets()[0]
    found: set[int] = set()
    x = 0
    while x < len(chars):
        start, end = x, x + 1
        while end < len(chars) and whole_clusters.mark(chars[end]):
            end += 1
        x = end
        if end - start == 1 or not unicodedata.category(chars[start][:1] or " ").startswith("L"):
            continue  # (a letter's marks: not a keycap 1⃣, a lone mark or a blank's)
        lacking = [
            i
            for i in range(start + 1, end)
            if ord(chars[i]) not in mono_set and not _ignorable(chars[i])
        ]
        if lacking and not _whole_somewhere("".join(chars[start:end])):
            found.update(lacking)
    return found


def _ignorable(char: str) -> bool:
    return char in ("\u034f",) or "\ufe00" <= char <= "\ufe0f"


def _whole_somewhere(cluster: str) -> bool:
    """Whether a face of the chain has every code point of the cluster."""
    found = glyphs.cluster_face(cluster, glyphs.mono(False, False, 16), 16)
    return all(glyphs.has_glyph(found.font, char) for char in cluster)
