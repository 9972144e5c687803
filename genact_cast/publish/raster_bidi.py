"""Right-to-left letters and bidi controls in the PNG and video, as asciinema-player 3.18
shows them.

The player writes a row as spans (publish/player_layout.py), each an inline block placed
at its column, whose text the browser lays out: the span inherits `direction: ltr`, so
its text is one left-to-right paragraph of the Unicode bidi algorithm (UAX #9), with
everything in it applied: Hebrew and Arabic letters (with the digits and the spaces
between them) reversed, Arabic joined, and the explicit embeddings, overrides and
isolates (U+202A-202E, U+2066-2069) obeyed up to the span's end (each span is a paragraph
of its own: an RLO before a colour change reverses its own span only; a change of
background does not split a span). Measured in the player in Chromium (notes s10 gif.md
§4, tests/test_bidi_pictures.py). Chromium takes each character from the first font of
the player's list that has it (DejaVu Sans Mono, then the machine's fallback: DejaVu Sans
for Hebrew), so what follows a Hebrew word in its span is no longer on the cell grid.

Here a span with right-to-left letters or bidi controls gets its levels from FriBiDi
(publish/bidi_levels.py), its clusters are put in the order the levels give (rule L2), and
cut into runs of one level and one face (glyphs.face, the chain the other characters come
from); each run is shaped by Pillow's raqm layout (FriBiDi and HarfBuzz) in its
direction, under an override of that direction so that raqm keeps the order found here.
The controls themselves draw nothing. Without raqm (`PIL.features.check("raqm")` false)
the cells are drawn one by one in the terminal's logical order, as before.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont, features

from genact_cast.publish import arabic_forms, bidi_levels, glyphs
from genact_cast.publish.player_layout import standalone, zero_width
from genact_cast.publish.terminal_cells import Row

RTL = frozenset({"R", "AL"})
EXPLICIT = bidi_levels.EXPLICIT


class Span(NamedTuple):
    """Cells start..end (end excluded) of a laid-out row, drawn from `column` on."""

    start: int
    end: int
    column: int


@functools.cache
def available() -> bool:
    return bool(features.check("raqm")) and bidi_levels.available()


def right_to_left(char: str) -> bool:
    """A letter written right to left, or a control that can reorder its span."""
    return len(char) == 1 and (unicodedata.bidirectional(char) in RTL or char in EXPLICIT)


def spans(row: Row) -> list[Span]:
    """The player's spans (of a row as publish/player_layout.as_laid_out gives it) that
    hold right-to-left letters or bidi controls: one colour and text style, a space
    joining a span with the same lines, standalone symbols and wide characters apart."""
    if all(char.isascii() for char, _ in row) or not available():
        return []
    found: list[Span] = []
    key: tuple[object, ...] | None = None
    start, column, start_column, rtl = 0, -1, 0, False

    def close(end: int) -> None:
        if key is not None and rtl:
            found.append(Span(start, end, start_column))

    for x, (char, style) in enumerate(row):
        if not zero_width(char):
            column += 1
        if char == "":
            close(x)
            key = None
            continue
        wide = x + 1 < len(row) and row[x + 1][0] == ""
        if standalone(char, wide):
            close(x)
            key = None
            continue
        this = (style[0], *style[2:])
        same_lines = key is not None and key[3:4] + key[5:6] == (style[4], style[6])
        if key is None or not (this == key or (char == " " and same_lines)):
            close(x)
            key, start, start_column, rtl = this, x, max(column, 0), False
        rtl = rtl or right_to_left(char)
    close(len(row))
    return found


def draw_span(strip: Image.Image, text: str, at: tuple[int, int, int], ink: tuple[int, int, int],
              face: tuple[bool, bool, int]) -> None:  # fmt: skip
    """The span's text (logical order, marks after their bases) on the row's `strip`, from
    `at` = (x, baseline, cell width) on, laid out as the browser lays out the player's span.

    Widths are counted in the player's cells (the mono face's advance), as the browser
    counts them; the picture's cell is that advance rounded down to whole pixels, so a
    run's width is scaled by the ratio, and left-to-right text in the mono face is put
    cell by cell."""
    left, ascent, cell = at
    bold, italic, size = face
    mono = glyphs.mono(bold, italic, size)
    scale = cell / mono.getlength("M")
    draw = ImageDraw.Draw(strip)
    x = float(left)
    for run, level in _visual_runs(text, bold, italic, size):
        rtl = level % 2 == 1
        piece, found = run
        if found is mono and not rtl:
            clusters = _clusters(piece)
            if any(unicodedata.bidirectional(c[0]) == "AL" for c in clusters):
                # Arabic under an LRO: a letter a cell, left to right in logical order,
                # each in the form its neighbours ask for read right to left (the player:
                # Chromium shapes the override's visual order as Arabic, right to left:
                # سلام shows س final, ل and ا joined, م initial), drawn unshaped so that
                # raqm keeps that form (arabic_forms).
                clusters = arabic_forms.contextual(clusters[::-1])[::-1]
            for cluster in clusters:
                # A mark with an advance of its own, cut from its base: unshaped, as in
                # its cell elsewhere (glyphs.draw_advancing_mark); shaped alone, it was
                # drawn on a dotted circle (review-exports17 #7).
                alone = _mark(cluster[0]) or "\ufb50" <= cluster[0] <= "\ufefc"
                font = glyphs.basic(found) if alone else found
                draw.text((x, ascent), cluster, fill=ink, font=font, anchor="ls")
                x += cell
            continue
        direction = "rtl" if rtl else "ltr"
        # Under an override of its own direction: raqm's FriBiDi keeps the order found
        # here (Latin letters under an RLO stay reversed, Hebrew under an LRO in order).
        shaped = ("\u202e" if rtl else "\u202d") + piece + "\u202c"
        draw.text((x, ascent), shaped, fill=ink, font=found, anchor="ls", direction=direction)
        x += found.getlength(shaped, direction=direction) * scale


Run = tuple[str, ImageFont.FreeTypeFont]


def _visual_runs(text: str, bold: bool, italic: bool, size: int) -> list[tuple[Run, int]]:
    """The span's clusters (a character and the marks after it; controls left out) in the
    order its levels show them, as runs of one level and one face, each run's text in
    logical order, with its level. A space is a run of its own, so that words are put on
    the player's cells (widths scaled to them) one by one."""
    found = bidi_levels.levels(text)
    clusters: list[tuple[str, int]] = []  # (cluster, level) in logical order
    for char, level in zip(text, found, strict=True):
        if char in EXPLICIT:
            continue
        if clusters and (zero_width(char) or _mark(char)):
            clusters[-1] = (clusters[-1][0] + char, clusters[-1][1])
        else:
            clusters.append((char, level))
    clusters = _split_advancing(clusters, glyphs.mono(bold, italic, size))
    order = bidi_levels.visual([level for _, level in clusters])
    runs: list[tuple[list[str], ImageFont.FreeTypeFont, int]] = []
    for index in order:
        cluster, level = clusters[index]
        face = glyphs.face(cluster if _marked(cluster) else cluster[0], bold, italic, size).font
        last = runs[-1] if runs else None
        if (last is not None and last[1] is face and last[2] == level
                and " " not in (cluster, last[0][-1])):  # fmt: skip
            last[0].append(cluster)
        else:
            runs.append(([cluster], face, level))
    return [
        (("".join(parts[::-1] if level % 2 else parts), face), level) for parts, face, level in runs
    ]


def _marked(cluster: str) -> bool:
    return len(cluster) > 1 and all(_mark(c) for c in cluster[1:])


def _mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def _split_advancing(clusters: list[tuple[str, int]], mono: ImageFont.FreeTypeFont
                     ) -> list[tuple[str, int]]:  # fmt: skip
    """Clusters with a mark that has an advance of its own in the mono face (U+0337,
    player_layout.ADVANCING_MARKS) cut before it, as the browser lays it out, unless the
    mono face cannot draw the cluster whole: Chromium then takes the whole grapheme (Z with
    U+0337, U+0351, U+0358: DejaVu Sans Mono has no U+0351) from a fallback font that has
    every code point of it, where the marks take no room (review-exports17 #7: cut, each
    mark after U+0337 came out on a dotted circle)."""
    out: list[tuple[str, int]] = []
    for cluster, level in clusters:
        if len(cluster) == 1 or not all(glyphs.has_glyph(mono, c) for c in cluster):
            out.append((cluster, level))
            continue
        for char in cluster:
            if out and out[-1][1] == level and zero_width(char) and char != cluster[0]:
                out[-1] = (out[-1][0] + char, level)
            else:
                out.append((char, level))
    return out


def _clusters(text: str) -> list[str]:
    out: list[str] = []
    for char in text:
        if out and zero_width(char) and not (len(out[-1]) == 1 and _mark(out[-1])):
            out[-1] += char
        else:
            out.append(char)
    return out
