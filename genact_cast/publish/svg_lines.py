"""One row of the SVG: its background rectangles, the shapes the player draws itself
(publish/vectors.py), its text in the player's styles (publish/svg_styles.py), and the
strokes that join box-drawing glyphs across rows (publish/boxes.py).

Text from the cast reaches it only through `xml_escape`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import groupby

from genact_cast.asciicast import Theme
from genact_cast.escape import xml_escape
from genact_cast.publish import boxes, vectors
from genact_cast.publish.player_layout import (
    ADVANCES,
    ADVANCING_MARKS,
    WIDE_ADVANCE,
    advance,
    ligature,
    standalone,
    zero_width,
)
from genact_cast.publish.screens import Style
from genact_cast.publish.svg_frames import Line, nudges_of, symbols_of
from genact_cast.publish.svg_styles import PLAIN, color, css
from genact_cast.publish.svg_units import (
    BASELINE,
    CELL_WIDTH,
    FONT_SIZE,
    LINE_HEIGHT,
    TEXT_FONT,
    number,
    short_id,
)
from genact_cast.publish.terminal import char_width, regional_indicator
from genact_cast.publish.terminal_cells import text_symbol

# Latin-1, box drawing and block elements: in every monospace font of FONT's list.
_MONO_SAFE = re.compile("[\x00-\xff\u2500-\u259f]*")
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


def _in_visual_order(pieces: list[tuple[str, Style, bool]]) -> set[int]:
    """The runs of the player's spans (one foreground and text style: a background change
    does not part them) that hold an embedding, override or isolate: their characters
    are in the order the browser shows them (publish/bidi_levels.in_visual_order)."""
    found: set[int] = set()
    index = 0
    for _, group in groupby(pieces, key=lambda piece: (piece[1][0], *piece[1][2:])):
        count = len(list(group))
        if any(_EXPLICIT.search(pieces[at][0]) for at in range(index, index + count)):
            found.update(range(index, index + count))
        index += count
    return found


# The class of the shapes drawn for blinking text (SGR 5): they blink with it, as the
# player's symbols do (its `ap-blink` on each symbol's <use>). Not a style's or a pen's
# class: those start with a letter or with one "_" and a letter.
BLINKING_SHAPES = "__k"


class LineMarkup:
    """The markup of rows, with the style and pen classes they were given."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.styles: dict[Style, str] = {}
        self.pens: dict[tuple[str, str], str] = {}  # (stroke colour, width): class
        self.blinking_shapes = False  # a shape drawn for blinking text: BLINKING_SHAPES

    def css(self) -> list[str]:
        return [f".{name}{{{css(style, self.theme)}}}" for style, name in self.styles.items()] + [
            f".{name}{{stroke:{pen};stroke-width:{width}px}}"
            for (pen, width), name in self.pens.items()
        ]

    def joins(self, line: Line) -> str:
        """Strokes that continue the line's box-drawing and block glyphs to the rows above
        and below (publish/boxes.py): one path per colour and width, its pen a class."""
        paths = []
        for (fg, width), segments in boxes.line_strokes(line, LINE_HEIGHT, BASELINE, FONT_SIZE,
                                                        CELL_WIDTH).items():  # fmt: skip
            moves, at = [], None
            for x, y0, y1 in segments:
                if at is None:
                    moves.append(f"M{number(x, 2)} {number(y0, 2)}")
                else:
                    moves.append(f"m{number(x - at[0], 2)} {number(y0 - at[1], 2)}")
                moves.append(f"v{number(y1 - y0, 2)}")
                at = (x, y1)
            pen = (color(fg, self.theme, background=False), number(width, 2))
            name = self.pens.get(pen)
            if name is None:  # "_" first: never one of the text styles' classes
                name = self.pens[pen] = "_" + short_id(len(self.pens))
            paths.append(f'<path class="{name}" d="{"".join(moves)}"/>')
        return "".join(paths)

    def markup(self, line: Line) -> tuple[str, str]:
        """The background rectangles (and shapes drawn under the text) and the text of a
        line, as markup."""
        rects, spans = [], []
        column = 0
        placed = False  # the previous run was stretched to its cells: place the next one
        letters_before, letters_key = 0, None  # regional indicators ending the last run
        pieces = list(_vector_runs(line))
        ordered = _in_visual_order(pieces)
        symbols = symbols_of(line)  # symbols the player draws on a cell of their own
        nudges = nudges_of(line)  # glyphs the browser draws off their cells
        for index, (text, style, hidden) in enumerate(pieces):
            fg, bg, bold, italic, underline, faint, strike, blink = style
            if index == len(pieces) - 1 and bg == "default" and not (underline or strike):
                text = text.rstrip(" ")  # trailing spaces draw nothing
            if bg != "default":
                x = number(column * CELL_WIDTH, 2)
                w = number(advance(text) * CELL_WIDTH, 2)
                rects.append(
                    f'<rect x="{x}" y="-{BASELINE}" width="{w}" height="{LINE_HEIGHT}" '
                    f'fill="{color(bg, self.theme, background=True)}"/>'
                )
            if hidden:  # drawn as the player draws it; the text stays, unseen, for search
                ink = color(fg, self.theme, background=False)
                self.blinking_shapes = self.blinking_shapes or blink
                blinks = f' class="{BLINKING_SHAPES}"' if blink else ""
                rects.extend(_blocks(text, column, f'fill="{ink}"{blinks}', symbols))
                rects.extend(_shades(text, column, f'fill="{ink}"{blinks}', symbols))
                for offset, char in enumerate(text):
                    if ord(char) in vectors.BLOCKS or ord(char) in vectors.SHADES:
                        continue  # drawn by _blocks and _shades
                    x0 = symbols.get(column + offset, column + offset) * CELL_WIDTH
                    path, stroked = vectors.svg_path(char, x0, -BASELINE, CELL_WIDTH, LINE_HEIGHT)
                    paint = (f'fill="none" stroke="{ink}" stroke-width='
                             f'"{number(vectors.STROKE * CELL_WIDTH, 2)}"' if stroked
                             else f'fill="{ink}"')  # fmt: skip
                    rects.append(f'<path d="{path}" {paint}{blinks}/>')
            plain = (fg, "default", bold, italic, underline, faint, strike, blink)
            if (
                nudges
                and not hidden
                and index not in ordered
                and not regional_indicator(text[:1])  # (their pairing: ZWNJ, below)
                and any(column + at in nudges for at in range(advance(text)))
            ):
                # Each glyph at the place Chromium gives it in the player's span, at its
                # own advance (𝐀𝐁𝐂 evenly, where stretched to the run's cells they were
                # drawn `A BC`: review-exports14 item 2); the run after it placed.
                spans.append(self._nudged(text, column, nudges, plain))
                placed, letters_before = True, 0
                column += advance(text)
                continue
            # Glyphs a monospace font may lack (braille: the dashboard's charts) come from a
            # proportional fallback font: such a run is stretched to its cells, and the run
            # after it placed at its column, so that what follows stays on the grid.
            # A wide character (CJK, emoji: a run of its own) keeps its glyph's own width
            # at its column, as the player draws it (stretched to two cells, ☕ and 中 were
            # wider than in the player: review-exports8 finding 6); the run after it is
            # placed at its own column.
            attributes = ""
            wide = _wide_alone(text)
            if not wide and not _MONO_SAFE.fullmatch(text):
                width = number(_glyph_cells(text) * CELL_WIDTH, 2)
                attributes = f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
            if attributes or placed or wide:
                attributes = f' x="{number(column * CELL_WIDTH, 2)}"' + attributes
            placed = wide or "textLength" in attributes
            if text_symbol(text, 0) and all(_mark(c) for c in text[1:]):
                attributes += f' font-family="{xml_escape(TEXT_FONT)}"'  # ℹ as text, not emoji
            attributes += ' opacity="0"' if hidden else ""
            text = text.translate(BIDI_CONTROLS)
            if index in ordered:
                # Already in the order the player shows (bidi_levels.in_visual_order):
                # an LRO keeps Chromium from reordering it again.
                text = "\u202d" + text + "\u202c"
            # Regional indicators pair into flags within the player's span (one foreground
            # and text style; a background change does not part them), counted from the
            # start of their run (publish/player_layout.flag); Chromium would pair them
            # across tspans too, so ZWNJ parts two that the player does not pair.
            key = (fg, *style[2:])
            letters = len(text) - len(text.rstrip(_LETTERS))
            if regional_indicator(text[:1]) and letters_before:
                if key == letters_key and letters_before % 2:
                    letters = letters_before + letters if letters == len(text) else letters
                else:
                    text = "\u200c" + text
            letters_before, letters_key = letters, key
            if plain == PLAIN:
                escaped = xml_escape(text)
                spans.append(f"<tspan{attributes}>{escaped}</tspan>" if attributes else escaped)
            else:
                name = self.styles.get(plain)
                if name is None:
                    name = self.styles[plain] = short_id(len(self.styles))
                spans.append(f'<tspan class="{name}"{attributes}>{xml_escape(text)}</tspan>')
            column += advance(text)
        return "".join(rects), "".join(spans)

    def _nudged(self, text: str, column: int, nudges: dict[int, float], plain: Style) -> str:
        """A run's glyphs each placed at its column plus its nudge: a glyph of
        ADVANCES (or of the monospace font) at its own width, any other stretched to its
        cells as runs are; spaces are left out (the backgrounds are drawn apart)."""
        name = "" if plain == PLAIN else self.styles.get(plain)
        if name is None:
            name = self.styles[plain] = short_id(len(self.styles))
        cls = f' class="{name}"' if name else ""
        if _wide_alone(text):  # at its own advance (𝐀, ✔️), as a wide run is
            x = number((column + nudges.get(column, 0.0)) * CELL_WIDTH, 2)
            face = _text_face(text)
            return f'<tspan{cls} x="{x}"{face}>{xml_escape(text.translate(BIDI_CONTROLS))}</tspan>'
        out, index = [], 0
        while index < len(text):
            end = index + 1
            while end < len(text) and _mark(text[end]):
                end += 1  # a character with its combining marks: drawn as one
            unit = text[index:end]
            if unit.strip():
                x = number((column + nudges.get(column, 0.0)) * CELL_WIDTH, 2)
                attributes = f' x="{x}"'
                if unit[0] not in ADVANCES and not _MONO_SAFE.fullmatch(unit):
                    width = number(_glyph_cells(unit) * CELL_WIDTH, 2)
                    attributes += f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
                attributes += _text_face(unit)
                escaped = xml_escape(unit.translate(BIDI_CONTROLS))
                out.append(f"<tspan{cls}{attributes}>{escaped}</tspan>")
            column += advance(unit)
            index = end
        return "".join(out)


def _text_face(text: str) -> str:
    """The text font for a symbol the colour font would draw as emoji (ℹ as text)."""
    if text_symbol(text, 0) and all(_mark(c) for c in text[1:]):
        return f' font-family="{xml_escape(TEXT_FONT)}"'
    return ""


_LETTERS = "".join(chr(code) for code in range(0x1F1E6, 0x1F200))  # regional indicators


def _blocks(text: str, column: int, paint: str, symbols: dict[int, int]) -> list[str]:
    """The block elements of a run, one path: rectangles snapped to pixels (crispEdges),
    so that they abut with no seam, as on the player's canvas; a row of one block that
    spans its cells' width (█, ▄, ▔) is one rectangle. Each on its cell (`symbols`: those
    not where the text has reached; a row of one block moves as one)."""
    moves, offset = [], 0
    for char, group in groupby(text):
        count = len(list(group))
        if ord(char) in vectors.BLOCKS:
            across = all(r[0] == 0 and r[2] == 1 for r in vectors.BLOCKS[ord(char)])
            for repeat in range(1 if across else count):
                at = column + offset + repeat
                x0 = symbols.get(at, at) * CELL_WIDTH
                width = CELL_WIDTH * (count if across else 1)
                moves.append(vectors.svg_path(char, x0, -BASELINE, width, LINE_HEIGHT)[0])
        offset += count
    if not moves:
        return []
    return [f'<path d="{"".join(moves)}" {paint} shape-rendering="crispEdges"/>']


def _shades(text: str, column: int, paint: str, symbols: dict[int, int]) -> list[str]:
    """The shades (░ ▒ ▓) of a run: a row of one shade is one translucent rectangle
    snapped to pixels, an even tone as on the player's canvas (a rectangle per cell left
    their anti-aliased edges overlapping into darker seams: review-exports9 item 15)."""
    shapes, offset = [], 0
    for char, group in groupby(text):
        count = len(list(group))
        shade = vectors.SHADES.get(ord(char))
        if shade is not None:
            at = column + offset
            x0 = symbols.get(at, at) * CELL_WIDTH
            path = vectors.svg_path(char, x0, -BASELINE, CELL_WIDTH * count, LINE_HEIGHT)[0]
            shapes.append(
                f'<path d="{path}" {paint} fill-opacity="{shade}" shape-rendering="crispEdges"/>'
            )
        offset += count
    return shapes


def _vector_runs(line: Line) -> Iterator[tuple[str, Style, bool]]:
    """The line's runs, with the characters the player draws as shapes (powerline
    separators, black triangles: publish/vectors.py) split off into runs of their own
    (True): no font a viewer may lack is asked for them. A wide character (CJK, emoji) is
    a run of its own too, so that it is stretched to its two cells, as the player draws
    it, and the right half's space after it placed on its own cell."""
    for whole, style in line:
        for text in _apart(whole):
            yield from _split(text, style)


def _apart(text: str) -> Iterator[str]:
    """A run with the symbols the player sets apart (braille, box drawing, Nerd Font icons:
    player_layout.standalone, each a span of its own at its cell) and other characters,
    cut where they meet: a run of braille from a proportional fallback font is stretched
    to its cells, and the text after it must not be stretched with it ("⣿⣀ braille" drew
    the word a column right and squeezed)."""
    if text.isascii():
        yield text
        return
    for _, chars in groupby(text, key=_set_apart):
        yield "".join(chars)


def _set_apart(char: str) -> bool:
    """A symbol the player sets apart that a monospace font may lack (box drawing is in
    every one of FONT's list: its runs need no stretch, and stay whole)."""
    return standalone(char, False) and not _MONO_SAFE.fullmatch(char)


def _split(text: str, style: Style) -> Iterator[tuple[str, Style, bool]]:
    """One run of `_vector_runs`, split."""
    if _SIMPLE.fullmatch(text):  # most runs: one cell a character, nothing to split
        yield text, style, False
        return
    for hidden, chars in groupby(text, key=vectors.vector):
        part = "".join(chars)
        if hidden:
            yield part, style, True
            continue
        start = index = 0
        while index < len(part):
            end = index + (ligature(part, index) or 1)  # 👁️‍🗨️: one glyph
            if regional_indicator(part[index]) and end < len(part):
                end += regional_indicator(part[end])  # a flag: two letters, one glyph
            while end < len(part) and _mark(part[end]):
                end += 1  # a character with its combining marks: drawn as one
            if (
                char_width(part[index]) == 2
                or part[index] in WIDE_ADVANCE  # at the emoji's advance: a run alone
                or regional_indicator(part[index])  # a flag, or a letter alone as wide
                or end > index + 1
                or text_symbol(part, index)
            ):
                if index > start:
                    yield part[start:index], style, False
                yield part[index:end], style, False
                start = end
            index = end
        if start < len(part):
            yield part[start:], style, False


def _wide_alone(text: str) -> bool:
    """A run that is one wide character (with its marks, a flag's two letters, or a
    character shown as emoji by VS16), as `_vector_runs` splits them off."""
    if not text:
        return False
    if ligature(text, 0) == len(text):
        return True  # a ZWJ sequence drawn as one emoji glyph (player_layout.py)
    first = text[0]
    if (
        char_width(first) != 2
        and "\ufe0f" not in text
        and not regional_indicator(first)
        and first not in WIDE_ADVANCE  # drawn at the emoji's advance (player_layout.py)
    ):
        return False
    return all(_mark(c) for c in text[1:]) or (len(text) == 2 and regional_indicator(text[1]))


def _mark(char: str) -> bool:
    """A mark drawn on the character before it (one with an advance of its own is not)."""
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc") or zero_width(char)
    ) and char not in ADVANCING_MARKS


def _simple_class() -> re.Pattern[str]:
    """Runs of characters `_vector_runs` leaves whole, checked one by one here: ASCII,
    Latin, box drawing, blocks, geometric shapes and braille that are one cell wide, no
    mark, and not drawn as a shape."""
    ranges = (range(0x20, 0x7F), range(0xA0, 0x300), range(0x2500, 0x2600), range(0x2800, 0x2900))
    chars = [
        chr(code)
        for span in ranges
        for code in span
        if char_width(chr(code)) == 1 and not _mark(chr(code)) and not vectors.vector(chr(code))
    ]
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]*")


_SIMPLE = _simple_class()


def _glyph_cells(text: str) -> int:
    """The cells a run's glyphs take in the player: a character with combining marks
    (whose cells the player leaves blank) one, or two when wide or shown as emoji (VS16)."""
    if len(text) > 1 and not _mark(text[0]) and all(_mark(c) for c in text[1:]):
        return 2 if char_width(text[0]) == 2 or "\ufe0f" in text else 1
    return advance(text) + (len(text) == 1 and char_width(text) == 2)
