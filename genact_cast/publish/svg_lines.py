"""One row of the SVG: its background rectangles, the shapes the player draws itself
(publish/vectors.py) and its text in the player's styles (publish/svg_styles.py). Box
drawing is text, as the player's (asciinema-player 3.18 puts U+2500-257F but ┃ ╹ ╻ in its
text spans, its lib.rs `is_raster_symbol`): its rows, 4/3 em, are taller than the font's
glyph box, so a column of `│` shows a gap between rows there, and here.

Text from the cast reaches it only through `xml_escape`.
"""

from __future__ import annotations

import functools
import unicodedata
from itertools import groupby

from genact_cast.asciicast import Theme
from genact_cast.escape import xml_escape
from genact_cast.publish import svg_fallback, svg_frames, vectors
from genact_cast.publish.player_layout import (
    ADVANCES,
    advance,
)
from genact_cast.publish.screens import Style
from genact_cast.publish.svg_bidi import BIDI_CONTROLS, in_visual_order
from genact_cast.publish.svg_frames import Line, nudges_of, symbols_of
from genact_cast.publish.svg_runs import (
    MONO_SAFE,
    PLAIN_RUNS,
    drawn_on,
    glyph_cells,
    mark,
    vector_runs,
    wide_alone,
)
from genact_cast.publish.svg_styles import PLAIN, color, css
from genact_cast.publish.svg_units import (
    BASELINE,
    CELL_WIDTH,
    LINE_HEIGHT,
    TEXT_FONT,
    class_name,
    number,
)
from genact_cast.publish.terminal import regional_indicator
from genact_cast.publish.terminal_cells import text_symbol

# A run's markup (`LineMarkup._run`): shapes, text, whether the next run is placed, the
# flag letters it ends with and their span's key, the columns it takes.
_Drawn = tuple[tuple[str, ...], str, bool, int, object, int]

# The class of the shapes drawn for blinking text (SGR 5): they blink with it, as the
# player's symbols do (its `ap-blink` on each symbol's <use>). Not a style's or a pen's
# class: those start with a letter or with one "_" and a letter.
BLINKING_SHAPES = "__k"
# A run's text kept for search where the player draws shapes (a bar's blocks), in a style
# whose unseen glyphs take the cells they take in any colour (not bold or italic).
HIDDEN = '<tspan opacity="0">'


class LineMarkup:
    """The markup of rows, with the style and pen classes they were given."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.styles: dict[Style, str] = {}
        self.blinking_shapes = False  # a shape drawn for blinking text: BLINKING_SHAPES
        # Runs drawn before, by what their markup depends on (`markup`), and their length.
        self._memo: dict[tuple[object, ...], _Drawn] = {}
        self._held = 0

    def css(self) -> list[str]:
        return [f".{name}{{{css(style, self.theme)}}}" for style, name in self.styles.items()]

    def markup(self, line: Line) -> tuple[str, str]:
        """The background rectangles (and shapes drawn under the text) and the text of a
        line, as markup."""
        rects, spans, _ = self.parts(line)
        return rects, spans

    def parts(self, line: Line) -> tuple[str, str, int]:
        """`markup`, and where its text may be cut in two <text> that draw it alike (0:
        nowhere): before the last run placed at its own column (`x`), whose glyphs are
        where they are whatever comes before them, in a line of left-to-right text
        without a glyph nudged, a symbol set apart or a letter from a fallback font, and
        where the cut parts no cluster (the run starts with a character written as it is).
        A dashboard's rows cut so share their chart's part: svg_strip.Document."""
        rects, spans = [], []
        column = 0
        placed = False  # the previous run was stretched to its cells: place the next one
        letters_before, letters_key = 0, None  # regional indicators ending the last run
        pieces = vector_runs(line)
        ordered = in_visual_order(pieces)
        symbols = symbols_of(line)  # symbols the player draws on a cell of their own
        nudges = nudges_of(line)  # glyphs the browser draws off their cells
        fallback = svg_fallback.spans(pieces)  # spans in a fallback font (Hebrew, Thai)
        if not (symbols or nudges or fallback or ordered) and PLAIN_RUNS.fullmatch(
            "".join([piece[0] for piece in pieces])
        ):
            return (*self._plain(pieces), 0)
        skip_to = 0
        # A run's markup depends on the line only through these; without a symbol set apart
        # or a glyph nudged, and with no flag's letter left over from the run before, it is
        # the same wherever the run is met at the same column (the dashboard's 25,613 runs
        # are 2,215 such): held, and written again as it was.
        memo = self._memo if not (symbols or nudges) else None
        last = len(pieces) - 1
        last_placed = 0  # the last run placed at its column (`x`), if not the first
        open_hidden = False  # the last span is unseen text alone: HIDDEN, and no more
        for index, (text, style, hidden) in enumerate(pieces):
            if index < skip_to:
                continue
            if index in fallback:
                skip_to = fallback[index]
                rects.extend(self._backgrounds(pieces[index:skip_to], column))
                spans.append(self._fallback_span(pieces[index:skip_to], column, ordered, index))
                open_hidden = False
                column += sum(advance(piece[0]) for piece in pieces[index:skip_to])
                placed, letters_before = True, 0
                continue
            if memo is not None and not letters_before and index not in ordered:
                key = (text, style, hidden, column, placed, index == last)
                drawn = memo.get(key)
                if drawn is None:
                    drawn = self._run(text, style, hidden, column, placed, index == last)
                    self._held += len(text)
                    if self._held > svg_frames.CACHED_CELLS:
                        memo.clear()
                        self._held = len(text)
                    memo[key] = drawn
            else:
                drawn = self._run(
                    text, style, hidden, column, placed, index == last, symbols, nudges,
                    index in ordered, letters_before, letters_key,
                )  # fmt: skip
            if placed or drawn[2]:  # (placed by `x`: after a stretched run, or stretched)
                last_placed = index
            shapes, span, placed, letters_before, letters_key, width = drawn
            rects.extend(shapes)
            if open_hidden and span.startswith(HIDDEN):
                # Unseen text beside unseen text: one tspan (a dashboard's bar, its
                # blocks and shades in two colours, drawn as shapes: 728 of them at
                # 120x36, 57 bytes each). Not across spaces: runs of one colour joined
                # across the spaces between them drew glyphs a subpixel apart in
                # Chromium (svg-dash4: the dashboard's GPU rows).
                spans[-1] = spans[-1][: -len("</tspan>")]
                span = span[len(HIDDEN) :]
                open_hidden = "<" not in span[: -len("</tspan>")]
            else:
                open_hidden = span.startswith(HIDDEN) and "<" not in span[len(HIDDEN) : -8]
            spans.append(span)
            column += width
        cut = 0
        if (
            memo is not None
            and last_placed
            and not (fallback or ordered)  # (then a span a run)
            and PLAIN_RUNS.fullmatch(pieces[last_placed][0][:1])
            and _left_to_right(pieces)
        ):
            cut = sum(map(len, spans[:last_placed]))
        return "".join(rects), "".join(spans), cut

    def _run(
        self,
        text: str,
        style: Style,
        hidden: bool,
        column: int,
        placed: bool,
        last: bool,
        symbols: dict[int, int] | None = None,
        nudges: dict[int, float] | None = None,
        ordered: bool = False,
        letters_before: int = 0,
        letters_key: object = None,
    ) -> _Drawn:
        """One run of `markup` at `column`: its shapes, its text, whether the run after it
        is placed, the flag letters it ends with (and their span's key) and the columns it
        takes. `placed`: the run before was stretched; `last`: the line's last run."""
        rects: list[str] = []
        fg, bg, bold, italic, underline, faint, strike, blink = style
        if last and bg == "default" and not (underline or strike):
            text = text.rstrip(" ")  # trailing spaces draw nothing
        if bg != "default":
            rects.append(self._background(column, text, bg))
        if hidden:  # drawn as the player draws it; the text stays, unseen, for search
            ink = color(fg, self.theme, background=False)
            self.blinking_shapes = self.blinking_shapes or blink
            if symbols:
                rects.extend(_shapes(text, column, ink, blink, symbols))
            else:  # (a dashboard's bars: the same shapes on row after row)
                rects.extend(_shapes_in_place(text, column, ink, blink))
        plain = (fg, "default", bold, italic, underline, faint, strike, blink)
        if hidden and not (bold or italic):
            # Unseen (opacity 0), so no colour, line or blink shows: the class is left
            # out. Bold and italic stay, as a fallback font's advance may follow them.
            plain = PLAIN
        if not (hidden or nudges) and not ordered and PLAIN_RUNS.fullmatch(text):
            # A plain run (svg_runs.PLAIN_RUNS) in a line that is not all plain (the
            # dashboard's rows: a chart's braille, a bar's blocks beside its labels):
            # written as `_plain` writes it, placed when the run before was stretched.
            # The checks below all pass it by; run by run they took most of the time.
            at = f' x="{number(column * CELL_WIDTH, 2)}"' if placed else ""
            span = self._span(plain, at, text)
            return tuple(rects), span, False, 0, (fg, *style[2:]), advance(text)
        if (
            nudges
            and not hidden
            and not ordered
            and not regional_indicator(text[:1])  # (their pairing: ZWNJ, below)
            and any(column + at in nudges for at in range(advance(text)))
        ):
            # Each glyph at the place Chromium gives it in the player's span, at its
            # own advance (𝐀𝐁𝐂 evenly, where stretched to the run's cells they were
            # drawn `A BC`: review-exports14 item 2); the run after it placed.
            span = self._nudged(text, column, nudges, plain)
            return tuple(rects), span, True, 0, letters_key, advance(text)
        # Glyphs a monospace font may lack (braille: the dashboard's charts) come from a
        # proportional fallback font: such a run is stretched to its cells, and the run
        # after it placed at its column, so that what follows stays on the grid.
        # A wide character (CJK, emoji: a run of its own) keeps its glyph's own width
        # at its column, as the player draws it (stretched to two cells, ☕ and 中 were
        # wider than in the player: review-exports8 finding 6); the run after it is
        # placed at its own column.
        attributes = ""
        wide = wide_alone(text)
        if not wide and not MONO_SAFE.fullmatch(text):
            width = number(glyph_cells(text) * CELL_WIDTH, 2)
            attributes = f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
        if attributes or placed or wide:
            attributes = f' x="{number(column * CELL_WIDTH, 2)}"' + attributes
        placed = wide or "textLength" in attributes
        if text_symbol(text, 0) and all(mark(c) for c in text[1:]):
            attributes += f' font-family="{xml_escape(TEXT_FONT)}"'  # ℹ as text, not emoji
        attributes += ' opacity="0"' if hidden else ""
        text = text.translate(BIDI_CONTROLS)
        if ordered:
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
        span = self._span(plain, attributes, text)
        return tuple(rects), span, placed, letters, key, advance(text)

    def _span(self, plain: Style, attributes: str, text: str) -> str:
        """A run's text: bare where it has the plain style and no attributes, else a tspan
        naming its style's class."""
        escaped = xml_escape(text)
        if plain == PLAIN:
            return f"<tspan{attributes}>{escaped}</tspan>" if attributes else escaped
        return f'<tspan class="{self._style_class(plain)}"{attributes}>{escaped}</tspan>'

    def _style_class(self, style: Style) -> str:
        """The CSS class of a run's style, named the first time the style is met."""
        name = self.styles.get(style)
        if name is None:
            name = self.styles[style] = class_name(len(self.styles))
        return name

    def _background(self, column: int, text: str, bg: str) -> str:
        """The rectangle of a run's background colour under its cells."""
        x = number(column * CELL_WIDTH, 2)
        w = number(advance(text) * CELL_WIDTH, 2)
        return (
            f'<rect x="{x}" y="-{BASELINE}" width="{w}" height="{LINE_HEIGHT}" '
            f'fill="{color(bg, self.theme, background=True)}"/>'
        )

    def _plain(self, pieces: list[tuple[str, Style, bool]]) -> tuple[str, str]:
        """`markup` of a line of plain runs (svg_runs.PLAIN_RUNS: most lines), which it
        writes as they are, each where the one before it ends: no run is stretched, placed,
        reordered, drawn as a shape, from a fallback font or in the text font, and no flag
        is paired."""
        rects: list[str] = []
        spans: list[str] = []
        column = 0
        last = len(pieces) - 1
        for index, (text, style, _) in enumerate(pieces):
            fg, bg, bold, italic, underline, faint, strike, blink = style
            if index == last and bg == "default" and not (underline or strike):
                text = text.rstrip(" ")  # trailing spaces draw nothing
            if bg != "default":
                rects.append(self._background(column, text, bg))
            plain = (fg, "default", bold, italic, underline, faint, strike, blink)
            if plain == PLAIN:
                spans.append(xml_escape(text))
            else:
                name = self._style_class(plain)
                spans.append(f'<tspan class="{name}">{xml_escape(text)}</tspan>')
            column += advance(text)
        return "".join(rects), "".join(spans)

    def _backgrounds(self, pieces: list[tuple[str, Style, bool]], column: int) -> list[str]:
        """The background rectangles of a span's runs, each on its cells."""
        rects = []
        for text, style, _ in pieces:
            if style[1] != "default":
                rects.append(
                    f'<rect x="{number(column * CELL_WIDTH, 2)}" y="-{BASELINE}" '
                    f'width="{number(advance(text) * CELL_WIDTH, 2)}" height="{LINE_HEIGHT}" '
                    f'fill="{color(style[1], self.theme, background=True)}"/>'
                )
            column += advance(text)
        return rects

    def _fallback_span(
        self, pieces: list[tuple[str, Style, bool]], column: int, ordered: set[int], first: int
    ) -> str:
        """One of the player's spans with letters from a fallback font (svg_fallback.py):
        one run at its column, at its glyphs' own advances, reordered by the browser."""
        fg, _, *rest = pieces[0][1]
        plain: Style = (fg, "default", *rest)  # type: ignore[assignment]
        cls = ""
        if plain != PLAIN:
            cls = f' class="{self._style_class(plain)}"'
        text = "".join(piece[0] for piece in pieces).translate(BIDI_CONTROLS)
        if any(at in ordered for at in range(first, first + len(pieces))):
            # Already in the order the player shows (bidi_levels.in_visual_order): an LRO
            # keeps Chromium from reordering it again.
            text = "\u202d" + text + "\u202c"
        x = number(column * CELL_WIDTH, 2)
        return f'<tspan{cls} x="{x}">{xml_escape(text)}</tspan>'

    def _nudged(self, text: str, column: int, nudges: dict[int, float], plain: Style) -> str:
        """A run's glyphs each placed at its column plus its nudge: a glyph of
        ADVANCES (or of the monospace font) at its own width, any other stretched to its
        cells as runs are; spaces are left out (the backgrounds are drawn apart)."""
        name = "" if plain == PLAIN else self._style_class(plain)
        cls = f' class="{name}"' if name else ""
        if wide_alone(text):  # at its own advance (𝐀, ✔️), as a wide run is
            x = number((column + nudges.get(column, 0.0)) * CELL_WIDTH, 2)
            face = _text_face(text)
            return f'<tspan{cls} x="{x}"{face}>{xml_escape(text.translate(BIDI_CONTROLS))}</tspan>'
        out, index = [], 0
        while index < len(text):
            end = index + 1
            while end < len(text) and drawn_on(text, end):
                end += 1  # a character with its combining marks: drawn as one
            unit = text[index:end]
            if unit.strip():
                x = number((column + nudges.get(column, 0.0)) * CELL_WIDTH, 2)
                attributes = f' x="{x}"'
                if unit[0] not in ADVANCES and not MONO_SAFE.fullmatch(unit):
                    width = number(glyph_cells(unit) * CELL_WIDTH, 2)
                    attributes += f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
                attributes += _text_face(unit)
                escaped = xml_escape(unit.translate(BIDI_CONTROLS))
                out.append(f"<tspan{cls}{attributes}>{escaped}</tspan>")
            column += advance(unit)
            index = end
        return "".join(out)


def _left_to_right(pieces: list[tuple[str, Style, bool]]) -> bool:
    """Whether no character of the runs is of a right-to-left bidi class (R, AL, AN): the
    browser reorders none of them across a cut (without a fallback font's letter, a run
    that starts with a symbol set apart may still hold one: `│ אב`)."""
    chars = set("".join([piece[0] for piece in pieces])) - _LEFT_TO_RIGHT
    if any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in chars):
        return False
    if len(_LEFT_TO_RIGHT) < 65_536:  # (a cast of every code point holds no more)
        _LEFT_TO_RIGHT.update(chars)
    return True


_LEFT_TO_RIGHT: set[str] = set()  # characters met that are of no right-to-left class


def _text_face(text: str) -> str:
    """The text font for a symbol the colour font would draw as emoji (ℹ as text)."""
    if text_symbol(text, 0) and all(mark(c) for c in text[1:]):
        return f' font-family="{xml_escape(TEXT_FONT)}"'
    return ""


_LETTERS = "".join(chr(code) for code in range(0x1F1E6, 0x1F200))  # regional indicators


def _shapes(text: str, column: int, ink: str, blink: bool, symbols: dict[int, int]) -> list[str]:
    """The shapes of a run of symbols the player draws itself (publish/vectors.py), from
    `column` (`symbols`: those not where the text has reached)."""
    blinks = f' class="{BLINKING_SHAPES}"' if blink else ""
    shapes = _blocks(text, column, f'fill="{ink}"{blinks}', symbols)
    shapes += _shades(text, column, f'fill="{ink}"{blinks}', symbols)
    for offset, char in enumerate(text):
        if ord(char) in vectors.BLOCKS or ord(char) in vectors.SHADES:
            continue  # drawn by _blocks and _shades
        x0 = symbols.get(column + offset, column + offset) * CELL_WIDTH
        path, stroked = vectors.svg_path(char, x0, -BASELINE, CELL_WIDTH, LINE_HEIGHT)
        paint = (f'fill="none" stroke="{ink}" stroke-width='
                 f'"{number(vectors.STROKE * CELL_WIDTH, 2)}"' if stroked
                 else f'fill="{ink}"')  # fmt: skip
        shapes.append(f'<path d="{path}" {paint}{blinks}/>')
    return shapes


@functools.lru_cache(maxsize=4096)
def _shapes_in_place(text: str, column: int, ink: str, blink: bool) -> tuple[str, ...]:
    """`_shapes` of a run whose symbols are all where the text has reached."""
    return tuple(_shapes(text, column, ink, blink, {}))


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
