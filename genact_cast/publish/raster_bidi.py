"""Right-to-left letters in the PNG and video, as asciinema-player 3.18 shows them.

The player writes a row as spans (publish/player_layout.py), each an inline block placed
at its column, whose text the browser lays out: the span inherits `direction: ltr`, so
its text is one left-to-right paragraph in which the Unicode bidi algorithm (UAX #9)
reverses each stretch of Hebrew or Arabic letters (with the digits and the spaces between
them), and Arabic letters take their joining forms. Chromium takes each character from the
first font of the player's list that has it (DejaVu Sans Mono, then the machine's
fallback: DejaVu Sans for Hebrew), so what follows a Hebrew word in its span is no longer
on the cell grid.

Here a span with right-to-left letters is split into its level runs as the algorithm
resolves them for a left-to-right paragraph (rules W1-W7, N1-N2 with one embedding level),
each level run into runs of one face (glyphs.face, the chain the other characters come
from), and each run is shaped by Pillow's raqm layout (FriBiDi and HarfBuzz, in Pillow's
wheels): a right-to-left level run's face runs are placed right to left. Bidi controls are
left out: they are neutralised in every export and reorder nothing. Without raqm
(`PIL.features.check("raqm")` false) the cells are drawn one by one in the terminal's
logical order, as before.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont, features

from genact_cast.publish import glyphs
from genact_cast.publish.player_layout import standalone, zero_width
from genact_cast.publish.svg_lines import BIDI_CONTROLS  # the SVG's: the same code points
from genact_cast.publish.terminal_cells import Row

RTL = frozenset({"R", "AL"})


class Span(NamedTuple):
    """Cells start..end (end excluded) of a laid-out row, drawn from `column` on."""

    start: int
    end: int
    column: int


@functools.cache
def available() -> bool:
    return bool(features.check("raqm"))


def right_to_left(char: str) -> bool:
    return len(char) == 1 and unicodedata.bidirectional(char) in RTL


def spans(row: Row) -> list[Span]:
    """The player's spans (of a row as publish/player_layout.as_laid_out gives it) that
    hold right-to-left letters: one colour and text style, a space joining a span with
    the same lines, standalone symbols and wide characters apart."""
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


def level_runs(text: str) -> list[tuple[str, bool]]:
    """`text` as its level runs in a left-to-right paragraph, in logical order: (run,
    right to left). European digits after a right-to-left letter, Arabic digits and the
    neutrals between them and such letters go with the letters (W2, W7, N1); other
    neutrals take the paragraph's direction (N2)."""
    kinds: list[str] = []  # "R", "L" or "N" (neutral) for each character
    last_strong = "L"
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RTL:
            last_strong, resolved = "R", "R"
        elif kind == "L":
            last_strong, resolved = "L", "L"
        elif kind == "AN" or (kind == "EN" and last_strong == "R"):
            resolved = "R"  # a number counts as right to left for the neutrals (N1)
        elif kind == "EN":
            resolved = "L"  # W7
        elif kind == "NSM" and kinds:
            resolved = kinds[-1]  # W1: a mark takes its base's direction
        else:
            resolved = "N"
        kinds.append(resolved)
    # N1/N2: a neutral between two right-to-left ones is right to left; else left to right.
    resolved_kinds = list(kinds)
    x = 0
    while x < len(kinds):
        if kinds[x] != "N":
            x += 1
            continue
        end = x
        while end < len(kinds) and kinds[end] == "N":
            end += 1
        before = kinds[x - 1] if x > 0 else "L"
        after = kinds[end] if end < len(kinds) else "L"
        fill = "R" if before == after == "R" else "L"
        resolved_kinds[x:end] = [fill] * (end - x)
        x = end
    runs: list[tuple[str, bool]] = []
    for char, kind in zip(text, resolved_kinds, strict=True):
        rtl = kind == "R"
        if runs and runs[-1][1] == rtl:
            runs[-1] = (runs[-1][0] + char, rtl)
        else:
            runs.append((char, rtl))
    return runs


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
    text = "".join(char for char in text if ord(char) not in BIDI_CONTROLS)
    x = float(left)
    for run, rtl in level_runs(text):
        pieces = _face_runs(run, bold, italic, size)
        if rtl:
            pieces.reverse()
        direction = "rtl" if rtl else "ltr"
        for piece, found in pieces:
            if found is mono and not rtl:
                for cluster in _clusters(piece):
                    draw.text((x, ascent), cluster, fill=ink, font=found, anchor="ls")
                    x += cell
                continue
            draw.text((x, ascent), piece, fill=ink, font=found, anchor="ls", direction=direction)
            x += found.getlength(piece, direction=direction) * scale


def _clusters(text: str) -> list[str]:
    out: list[str] = []
    for char in text:
        if out and zero_width(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def _face_runs(
    text: str, bold: bool, italic: bool, size: int
) -> list[tuple[str, ImageFont.FreeTypeFont]]:
    """`text` cut where the face its characters come from changes: Chromium shapes a run
    with the first font and takes what it lacks from the next, a cluster (a letter and its
    marks) as one; a space is the first font's. A space is a piece of its own, so that
    words are placed on the player's cells (widths scaled to them) one by one."""
    runs: list[tuple[str, ImageFont.FreeTypeFont]] = []
    for char in text:
        if runs and zero_width(char):
            runs[-1] = (runs[-1][0] + char, runs[-1][1])
            continue
        found = glyphs.face(char, bold, italic, size).font
        if runs and runs[-1][1] is found and " " not in (char, runs[-1][0][-1]):
            runs[-1] = (runs[-1][0] + char, found)
        else:
            runs.append((char, found))
    return runs
