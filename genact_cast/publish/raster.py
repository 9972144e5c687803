"""A terminal screen as an RGB picture: the pixels behind the video and PNG exporters.

Each character's picture comes from publish/glyphs.py: the bundled DejaVu Sans Mono faces
(italics too), the machine's fonts through fontconfig, then DejaVu Sans; block elements
and powerline separators drawn as asciinema-player draws them. Box drawing comes from the
font with its edges made solid so that cells join; braille is drawn from its definition
(eight dots), as terminals do. A combining mark, which the player keeps in a cell of its
own, is drawn with the character before it (composed, NFC) and its cell left blank, as
the browser draws the player's text (from the first face that has the base and all its
marks, as the browser's fallback picks one font for a cluster); a mark that opens a span
(at the start of a line, after a colour change) has no base and is drawn over the next
character's cell, with no dotted circle, as the browser draws it; a pictograph with
VS16 comes from the colour font over two cells. Glyphs are antialiased by FreeType and
cached per character and colours, and only the rows that changed are drawn again. A
span with Hebrew or Arabic letters is laid out as a whole (publish/raster_bidi.py). A
mark's ink that overhangs its cell (U+0315 to the right) reaches into the next cell, over
its background, as the browser draws it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from genact_cast.asciicast import Theme
from genact_cast.publish import glyphs, missing_glyphs, raster_bidi, vectors
from genact_cast.publish.picture_layout import layout
from genact_cast.publish.player_layout import (
    ADVANCING_MARKS,
    as_laid_out,
    zero_width,
)
from genact_cast.publish.raster_clusters import (
    cluster_at,
    has_base,
    lone_mark,
    marks_only,
    selector,
)
from genact_cast.publish.raster_tiles import BOXES, BRAILLE, RGB, half_way, render_tile
from genact_cast.publish.raster_work import SHAPE_PIXELS, Work
from genact_cast.publish.screens import Row, Screen, Style
from genact_cast.publish.span_spaces import spaces_in_spans
from genact_cast.publish.theme import pyte_color, rgb

MAX_GLYPHS = 8192  # cache entries; emptied when full, so memory stays bounded
# The characters of bidi class B (paragraph separator) a cell can hold (not LF or CR):
# Chromium draws U+2029 in the player's span as a blank of one advance, as U+2028, but
# Pillow's raqm layout fails on it ("raqm_layout() failed", a traceback from every PNG
# and video: review-attack13 F1). Drawn as the blank the player shows.
PARAGRAPH_BREAKS = frozenset("\x1c\x1d\x1e\x85\u2029")


@dataclass
class Colours:
    """pyte's colours in a checked theme (`resolve_theme`), as RGB, as the SVG shows them."""

    theme: Theme

    def __post_init__(self) -> None:
        self.fg = rgb(self.theme.fg)
        self.bg = rgb(self.theme.bg)
        self._cache: dict[tuple[str, bool], RGB] = {}

    def __call__(self, name: str, *, background: bool) -> RGB:
        key = (name, background)
        found = self._cache.get(key)
        if found is None:
            if name == "fgdefault":  # reverse video: the default colours swapped
                found = self.fg
            elif name == "bgdefault":
                found = self.bg
            else:
                found = rgb(pyte_color(name, self.theme, background=background))
            self._cache[key] = found
        return found


class Raster:
    """Draws screens onto one canvas, which it keeps: a screen redraws its changed rows."""

    def __init__(self, cols: int, rows: int, theme: Theme, size: str | int = "1080p") -> None:
        self.layout = layout(cols, rows, size)
        self.colours = Colours(theme)
        self.canvas = Image.new("RGB", (self.layout.width, self.layout.height), self.colours.bg)
        self._glyphs: dict[tuple[str, RGB, RGB, bool, bool, bool, bool, bool, int], Image.Image]
        self._glyphs = {}
        self._spilling: dict[tuple[str, bool, bool, int], bool] = {}
        self._size = (cols, rows)
        self.cleared = False
        self.blink_hidden = False  # the player's blink phase: SGR 5 text not shown
        self.work = Work()  # pixels drawn and characters shaped (raster_work.py)

    def draw(self, screen: Screen) -> Image.Image:
        lay = self.layout
        changed: Iterable[int] = screen.changed
        size = (screen.cols, len(screen.rows))
        self.cleared = size != self._size  # a resize: what lay outside the new size goes
        if self.cleared:
            self._size = size
            self.canvas.paste(self.colours.bg, (0, 0, lay.width, lay.height))
            changed = range(len(screen.rows))
        for y in sorted(changed):
            top = lay.top + y * lay.cell_height
            if top + lay.cell_height > lay.height:
                continue  # a resize beyond the picture: the rows that fit are shown
            sources: list[int] = []  # each cell's column in the terminal
            shifts: list[float] = []  # where the browser draws its glyph, off its cell
            # A code point no font has: a box; a space with a line in its span's colour.
            cells = missing_glyphs.boxed(spaces_in_spans(screen.rows[y]))
            row = as_laid_out(cells, sources, shifts)  # zero-width: no column
            if any(char in PARAGRAPH_BREAKS for char, _ in row):
                row = tuple(
                    (" " if char in PARAGRAPH_BREAKS else char, style) for char, style in row
                )
            moved: list[tuple[str, Style, int]] = []  # symbols drawn on a cell of their own
            self.work.spend(lay.width * lay.cell_height)
            self.canvas.paste(self.colours.bg, (0, top, lay.width, top + lay.cell_height))
            bidi = raster_bidi.spans(row)  # spans the browser reorders: drawn as text
            in_bidi = {x for span in bidi for x in range(span.start, span.end)}
            covered = 0  # columns up to here are drawn by a cluster to their left
            overhangs: list[tuple[str, Style, int, int]] = []  # clusters with marks
            shifted: list[tuple[str, Style, int, int]] = []  # glyphs off their cells
            column = -1
            lone = ""  # marks that open a span: drawn over the next character's cell
            for x, (char, style) in enumerate(row):
                if x in in_bidi:  # its background and lines here, its text below
                    if not zero_width(char):
                        column += 1
                        left = lay.left + column * lay.cell_width
                        tile = self._tile(" ", style, 1)
                        if tile is not None and left + lay.cell_width <= lay.width:
                            self.canvas.paste(tile, (left, top))
                    continue
                if zero_width(char):
                    # A variation selector is never drawn on its own: after a wide
                    # character (☔︎, in its own cell) it is part of that character's
                    # cluster in the browser, invisible; it was drawn as a missing glyph.
                    if lone_mark(char) and not selector(char) and not has_base(row, x):
                        lone += char
                    continue  # else drawn on the character before it (`cluster_at`)
                column += 1
                marks, lone = lone, ""
                if not char or column < covered:
                    continue  # the right half of a wide character, drawn with its left
                left = lay.left + column * lay.cell_width
                if left + lay.cell_width > lay.width:
                    break
                if sources[x] != column and vectors.vector(char):
                    # The player places a vector symbol by its cell (a second ⚏ in a
                    # span, two cells in avt but one blank in the text): its blank here,
                    # its shape over that cell once the row is drawn.
                    moved.append((char, style, sources[x]))
                    tile = self._tile(" ", style, 1)
                    if tile is not None:
                        self.canvas.paste(tile, (left, top))
                    continue
                cluster, end = cluster_at(row, x)
                if x > 0 and row[x - 1][0] and marks_only(char):
                    cluster = " "  # a spacing mark (Mc) keeps its cell, drawn on its base
                wide = 2 if end < len(row) and row[end][0] == "" else 1
                if glyphs.emoji_presentation(cluster):
                    wide = 2  # ❤️ as a browser draws it: over the cell VS16 takes
                covered = column + wide
                nudge = round(shifts[x] * lay.cell_width)
                if nudge and not marks and self._movable(cluster, style):
                    # The browser lays a span's text out at its glyphs' own advances
                    # (player_layout.as_laid_out's shifts): 𝐀𝐁𝐂 and ①②③ evenly, where
                    # drawn on their cells they overlapped (review-exports14 item 2).
                    tile = self._tile(" ", style, wide)  # the cell's background and lines
                    if tile is not None:
                        self.canvas.paste(tile, (left, top))
                    shifted.append((cluster, style, left + nudge, wide))
                    continue
                tile = self._tile(marks + cluster, style, wide)
                if tile is not None:
                    self.canvas.paste(tile, (left, top))
                if (len(cluster) > 1 and any(lone_mark(c) for c in cluster[1:])) or (
                    not cluster.isascii()
                    and cluster not in ADVANCING_MARKS  # drawn within its cell
                    and self._spills(cluster, style, wide)
                ):
                    overhangs.append((cluster, style, left, wide))
            for cluster, style, left, wide in overhangs:  # over the neighbours' backgrounds
                self._overhang(cluster, style, (left, top), wide)
            for cluster, style, left, wide in shifted:
                self._glyph_at(cluster, style, (left, top), wide)
            for char, style, cell in moved:
                left = lay.left + cell * lay.cell_width
                if not (style[7] and self.blink_hidden) and left + lay.cell_width <= lay.width:
                    ink = self.colours(style[0], background=False)
                    mask = glyphs.shape(char, lay.cell_width, lay.cell_height)
                    self.canvas.paste(ink, (left, top), mask)
            if bidi:
                self._draw_bidi(row, bidi, top)
        return self.canvas

    def _draw_bidi(self, row: Row, bidi: list[raster_bidi.Span], top: int) -> None:
        """The text of the spans with right-to-left letters, over their cells' backgrounds,
        clipped to the row as the player's line is (publish/raster_bidi.py)."""
        lay = self.layout
        box = (0, top, lay.width, top + lay.cell_height)
        strip = self.canvas.crop(box)
        for span in bidi:
            text = "".join(char for char, _ in row[span.start : span.end])
            self.work.spend(SHAPE_PIXELS * len(text))
            fg_name, bg_name, bold, italic, _, faint, _, blink = row[span.start][1]
            if blink and self.blink_hidden:
                continue
            fg = self.colours(fg_name, background=False)
            bg = self.colours(bg_name, background=True)
            ink = half_way(bg, fg) if faint else fg
            left = lay.left + span.column * lay.cell_width
            raster_bidi.draw_span(
                strip, text, (left, lay.ascent, lay.cell_width), ink, (bold, italic, lay.font_size)
            )
        self.canvas.paste(strip, box[:2])

    def _overhang(self, cluster: str, style: Style, at: tuple[int, int], wide: int) -> None:
        """The ink of a character's marks that reaches past its cells (U+0315's comma to
        the right), on the cells next to it: the browser draws the player's text over the
        backgrounds of the whole row and does not clip a glyph to its cell."""
        lay = self.layout
        fg_name, bg_name, bold, italic, _, faint, _, blink = style
        if blink and self.blink_hidden:
            return
        found = glyphs.face(cluster, bold, italic, lay.font_size)
        if found.color or found.scale != 1.0 or glyphs.drawn(cluster[0]):
            return
        mask = _spread(cluster, found.font, lay.cell_width, lay.cell_height, lay.ascent, wide)
        fg = self.colours(fg_name, background=False)
        ink = half_way(self.colours(bg_name, background=True), fg) if faint else fg
        left, top = at
        cell = lay.cell_width
        for x0, x in ((0, left - cell), ((wide + 1) * cell, left + wide * cell)):
            part = mask.crop((x0, 0, x0 + cell, lay.cell_height))
            if x >= 0 and x + cell <= lay.width and part.getbbox() is not None:
                self.canvas.paste(ink, (x, top, x + cell, top + lay.cell_height), part)

    def _movable(self, cluster: str, style: Style) -> bool:
        """A glyph drawn from a font as text (not a shape the player paints, not a colour
        emoji, which keeps its cells), that may be drawn off its cell."""
        if glyphs.drawn(cluster[0]) or ord(cluster[0]) in BRAILLE or ord(cluster[0]) in BOXES:
            return False
        found = glyphs.face(cluster, style[2], style[3], self.layout.font_size)
        return not (found.color or found.scale != 1.0 or found.fake_bold or found.fake_italic)

    def _glyph_at(self, cluster: str, style: Style, at: tuple[int, int], wide: int) -> None:
        """A glyph's whole ink with its left edge at `at`, over the row's backgrounds (the
        browser draws the text over them and does not clip a glyph to its cell)."""
        lay = self.layout
        fg_name, bg_name, bold, italic, _, faint, _, blink = style
        if blink and self.blink_hidden:
            return
        found = glyphs.face(cluster, bold, italic, lay.font_size)
        mask = _spread(cluster, found.font, lay.cell_width, lay.cell_height, lay.ascent, wide)
        fg = self.colours(fg_name, background=False)
        ink = half_way(self.colours(bg_name, background=True), fg) if faint else fg
        left, top = at
        x = left - lay.cell_width
        box = (max(0, -x), 0, min(mask.width, lay.width - x), lay.cell_height)
        if box[2] > box[0]:
            part = mask.crop(box)
            self.canvas.paste(ink, (x + box[0], top, x + box[2], top + lay.cell_height), part)

    def _spills(self, cluster: str, style: Style, wide: int) -> bool:
        """Whether the glyph's ink reaches past its cells (𝐁 or ③ from a fallback font
        wider than the mono face): the browser draws it whole over its neighbours."""
        key = (cluster, style[2], style[3], wide)
        spills = self._spilling.get(key)
        if spills is None:
            if len(self._spilling) >= MAX_GLYPHS:
                self._spilling.clear()
            lay = self.layout
            found = glyphs.face(cluster, style[2], style[3], lay.font_size)
            spills = False
            if not (found.color or found.scale != 1.0 or glyphs.drawn(cluster[0])):
                left, _, right, _ = found.font.getbbox(cluster, anchor="ls")
                spills = left < 0 or right > wide * lay.cell_width
            self._spilling[key] = spills
        return spills

    def _tile(self, char: str, style: Style, wide: int) -> Image.Image | None:
        fg_name, bg_name, bold, italic, underline, faint, strike, blink = style
        if blink and self.blink_hidden:  # the player's `color: transparent`: no text, no lines
            char, underline, strike = " ", False, False
        fg = self.colours(fg_name, background=False)
        bg = self.colours(bg_name, background=True)
        if char == " " and bg == self.colours.bg and not (underline or strike):
            return None
        key = (char, fg, bg, bold, italic, underline, faint, strike, wide)
        tile = self._glyphs.get(key)
        if tile is None:
            if len(self._glyphs) >= MAX_GLYPHS:
                self._glyphs.clear()
            # Strike alone where both are set, as the player's CSS shows (svg_styles.css).
            face, lines = (bold, italic, faint), (underline and not strike, strike)
            self.work.spend(SHAPE_PIXELS * wide)  # a glyph looked up, shaped and drawn
            tile = self._glyphs[key] = render_tile(self.layout, char, fg, bg, face, lines, wide)
        return tile


@functools.lru_cache(maxsize=1024)
def _spread(cluster: str, face: ImageFont.FreeTypeFont, cell: int, height: int, ascent: int,
            wide: int) -> Image.Image:  # fmt: skip
    """The coverage of `cluster` drawn on its cells with one cell free on each side."""
    mask = Image.new("L", ((wide + 2) * cell, height), 0)
    ImageDraw.Draw(mask).text((cell, ascent), cluster, fill=255, font=face, anchor="ls")
    return mask


def still(screen: Screen, theme: Theme, size: str | int) -> Image.Image:
    """One screen as a picture of its own."""
    raster = Raster(screen.cols, len(screen.rows), theme, size)
    whole = Screen(screen.time, screen.rows, screen.cols, frozenset(range(len(screen.rows))))
    return raster.draw(whole)
