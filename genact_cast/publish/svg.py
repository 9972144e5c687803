"""Animated SVG for READMEs: our own renderer of the terminal model's screens (publish/screens.py).

CSS animation only (no script, no SMIL, no external references), so GitHub's
sanitizer keeps it. The frames are stacked on one strip that a single `@keyframes`
steps through. To stay small:

- each distinct line is stored once (`<text id>`), and every frame places lines with
  `<use>`;
- rows that move together from frame to frame (a log scrolling, a screen that only
  changes at the bottom) are grouped into blocks, stored once and placed with one
  `<use>` for as long as they stay; each frame is its own clipping viewport, so a block
  can keep going while its top rows scroll out of sight;
- ids and class names are as short as the count allows, numbers carry no zeros.

Text from the cast reaches the document only through `xml_escape`, and colours only
as the `#rrggbb` values of a checked theme (publish/theme.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from genact_cast.asciicast import Event, Header, Theme
from genact_cast.escape import xml_escape
from genact_cast.publish import boxes, vectors
from genact_cast.publish.screens import Clip, LimitError, Row, Style, Timeline
from genact_cast.publish.terminal import char_width
from genact_cast.publish.theme import check_theme, pyte_color, resolve_theme

__all__ = ["Frame", "frames", "render_svg", "xml_escape"]

# The PNG and video's chain (publish/glyphs.py), as families a viewer's machine may have:
# the monospace faces, then CJK and colour emoji faces, then DejaVu Sans for symbols.
FONT = (
    "'DejaVu Sans Mono','Cascadia Mono','SF Mono',Menlo,Consolas,'Liberation Mono',"
    "'Noto Sans Mono CJK SC','WenQuanYi Micro Hei','Noto Color Emoji','Apple Color Emoji',"
    "'Segoe UI Emoji','DejaVu Sans',monospace"
)
FONT_SIZE = 14
CELL_WIDTH = 8.43  # DejaVu Sans Mono's advance at 14px
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
LINE_HEIGHT = 18
BASELINE = 14  # from the top of a row
PADDING = 10
LAST_FRAME_SECONDS = 3.0
MAX_SVG_CHARS = 64 * 1024 * 1024

Run = tuple[str, Style]  # text, style
Line = tuple[Run, ...]


@dataclass(frozen=True)
class Frame:
    time: float
    lines: tuple[Line, ...]
    cols: int


def frames(
    header: Header,
    events: Iterable[Event],
    *,
    fps_cap: float = 30.0,
    idle_time_limit: float | None = None,
    until: float | None = None,
) -> Iterator[Frame]:
    """The terminal model's screens as rows of runs of one style, at most `fps_cap` a second.

    Each has the size the terminal has at that moment (a cast that resizes changes it).
    """
    clip = Clip(
        fps=fps_cap,
        idle_time_limit=idle_time_limit,
        end_at=None if until is None else repr(float(until)),
    )
    cache: dict[Row, Line] = {}
    lines: list[Line] = []
    for screen in Timeline(header, events, clip):
        # Rows that did not change keep their runs: hashing a row to look it up costs
        # about as much as the rest of the frame.
        if len(lines) != len(screen.rows):
            lines = [()] * len(screen.rows)
            changed: Iterable[int] = range(len(screen.rows))
        else:
            changed = screen.changed
        for y in changed:
            row = screen.rows[y]
            line = cache.get(row)
            if line is None:
                if len(cache) > 65_536:
                    cache.clear()
                line = cache[row] = _runs(row)
            lines[y] = line
        yield Frame(screen.time, tuple(lines), screen.cols)


def _runs(row: Row) -> Line:
    """Cells as runs of one style; the right half of a wide character is a space after it.

    A block element the player paints on its canvas (not as text) is never faint there."""
    runs: list[Run] = []
    for style, group in groupby(row, itemgetter(1)):
        cells = list(group)
        if style[5] and any(vectors.raster_symbol(char) for char, _ in cells):
            plain = (*style[:5], False, style[6])
            for symbol, part in groupby(cells, lambda cell: vectors.raster_symbol(cell[0])):
                text = "".join([char or " " for char, _ in part])
                runs.append((text, plain if symbol else style))
            continue
        runs.append(("".join([char or " " for char, _ in cells]), style))
    return tuple(runs)


def render_svg(
    header: Header,
    events: Iterable[Event],
    *,
    theme: Theme | None = None,
    fps_cap: float = 30.0,
    idle_time_limit: float | None = None,
    loop: bool = True,
    at: float | None = None,
    progress: Callable[[float], None] | None = None,
) -> str:
    """The cast as an SVG document: animated, or the still frame at `at` seconds.

    `theme` (checked here) wins over the cast's theme, which wins over the default.
    `progress` is told the cast time of every frame drawn.
    """
    palette = check_theme(theme) if theme is not None else resolve_theme(header)
    shown: list[Frame] = []
    for frame in frames(header, events, fps_cap=fps_cap, idle_time_limit=idle_time_limit, until=at):
        shown.append(frame)
        if progress is not None:
            progress(frame.time)
    if at is not None:
        shown = shown[-1:]
    # The picture is the largest size the cast takes (the player grows with the cast);
    # a frame of a smaller size is drawn from the top-left corner.
    cols = max(frame.cols for frame in shown)
    rows = max(len(frame.lines) for frame in shown)
    width = round(cols * CELL_WIDTH + 2 * PADDING)
    height = rows * LINE_HEIGHT + 2 * PADDING
    screen_h = rows * LINE_HEIGHT
    document = _Document(palette)
    strip = document.strip(shown, rows)
    # One cell, one character, left to right, as in the terminal: no bidi reordering.
    css = [
        f"text{{fill:{palette.fg};white-space:pre;direction:ltr;unicode-bidi:bidi-override}}",
        *document.css(),
    ]
    if len(shown) > 1:
        css += _animation(shown, screen_h, loop)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{xml_escape(FONT)}" '
        f'font-size="{FONT_SIZE}">'
        f"<style>{''.join(css)}</style>"
        f'<rect width="100%" height="100%" rx="6" fill="{palette.bg}"/>'
        f"<defs>{''.join(document.defs)}</defs>"
        f'<svg x="{PADDING}" y="{PADDING}" width="{width - 2 * PADDING}" height="{screen_h}">'
        f'<g id="strip">{strip}</g></svg></svg>\n'
    )


def _number(value: float, decimals: int) -> str:
    """A number with at most `decimals` decimals and no needless zeros: 0.5, 12, 3.142."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _animation(shown: list[Frame], screen_h: int, loop: bool) -> list[str]:
    total = shown[-1].time + LAST_FRAME_SECONDS
    steps = "".join(
        f"{_number(frame.time / total * 100, 4)}%{{transform:translateY(-{i * screen_h}px)}}"
        for i, frame in enumerate(shown)
    )
    last = (len(shown) - 1) * screen_h
    repeat = "infinite" if loop else "1 forwards"
    return [
        f"#strip{{animation:play {total:.3f}s steps(1,end) {repeat}}}",
        f"@keyframes play{{{steps}100%{{transform:translateY(-{last}px)}}}}",
        f"@media (prefers-reduced-motion:reduce){{#strip{{animation:none;"
        f"transform:translateY(-{last}px)}}}}",
    ]


_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ID_MORE = _ID_CHARS + "0123456789_-"


def _short_id(number: int) -> str:
    """a, b, ..., Z, aa, ab, ...: the shortest names for ids and classes."""
    first, rest = divmod(number, len(_ID_CHARS))
    text = _ID_CHARS[rest]
    while first:
        first, rest = divmod(first - 1, len(_ID_MORE))
        text += _ID_MORE[rest]
    return text


@dataclass(eq=False)
class _Node:
    """A line (a leaf) or a block of nodes, stored once in <defs> and placed by <use>.

    `rows` maps a row offset (from where the node is placed) to the number of the leaf
    drawn there; rows not in it are drawn by nothing (other nodes may draw them).
    """

    ident: str
    rows: dict[int, int]
    leaf: bool
    depth: int = 0
    top: int = field(init=False)
    bottom: int = field(init=False)

    def __post_init__(self) -> None:
        self.top = min(self.rows)
        self.bottom = max(self.rows)

    def fits(self, screen: Sequence[int], y: int) -> bool:
        """Whether placed at row `y` it draws exactly what `screen` shows where it draws."""
        visible = False
        rows = self.rows
        for row in range(max(0, y + self.top), min(len(screen), y + self.bottom + 1)):
            line = rows.get(row - y)
            if line is not None:
                if screen[row] != line:
                    return False
                visible = True
        return visible

    def drawn(self, y: int, count: int) -> list[int]:
        """The screen rows it draws when placed at `y` on a screen of `count` rows."""
        return [y + offset for offset in self.rows if 0 <= y + offset < count]


Placement = tuple[_Node, int]
MAX_DEPTH = 4  # blocks within blocks: bounds the work of a browser drawing a frame


class _Document:
    """Lines, styles and blocks of one SVG, with the ids they were given."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.defs: list[str] = []
        self.styles: dict[Style, str] = {}
        self.pens: dict[tuple[str, str], str] = {}  # (stroke colour, width): class
        self.lines: dict[Line, int] = {}
        self.bodies: dict[tuple[str, str], int] = {}
        self.leaves: list[_Node] = []
        self.size = 0
        self._ids = 0

    def _new_id(self) -> str:
        ident = _short_id(self._ids)
        self._ids += 1
        return self._new_id() if ident == "strip" else ident

    def _count(self, text: str) -> str:
        self.size += len(text)
        if self.size > MAX_SVG_CHARS:
            raise LimitError(
                f"the SVG would be over {MAX_SVG_CHARS // 1024 // 1024} MB; "
                "cut the cast or lower --fps-cap"
            )
        return text

    def _define(self, text: str) -> None:
        self.defs.append(self._count(text))

    def line_number(self, line: Line) -> int:
        """The leaf drawing `line`; lines that draw alike (trailing spaces) share one."""
        number = self.lines.get(line)
        if number is None:
            rects, spans = self._line_markup(line)
            number = self.bodies.get((rects, spans))
            if number is None:
                number = self.bodies[(rects, spans)] = len(self.leaves)
                node = _Node(self._new_id(), {0: number}, leaf=True)
                self.leaves.append(node)
                joins = self._joins(line)
                if rects or joins:
                    self._define(f'<g id="{node.ident}">{rects}<text>{spans}</text>{joins}</g>')
                else:
                    self._define(f'<text id="{node.ident}">{spans}</text>')
            self.lines[line] = number
        return number

    def css(self) -> list[str]:
        return [f".{name}{{{_css(style, self.theme)}}}" for style, name in self.styles.items()] + [
            f".{name}{{stroke:{color};stroke-width:{width}px}}"
            for (color, width), name in self.pens.items()
        ]

    def strip(self, shown: list[Frame], rows: int) -> str:
        """Every frame as its own viewport, placing nodes; new lines and blocks go to defs."""
        # Every frame as the viewport shows it: the cast's rows (after a resize, rows past
        # them are clipped and missing rows are blank).
        blank = [-1] * rows
        screens = [
            ([self.line_number(line) if line else -1 for line in f.lines[:rows]] + blank)[:rows]
            for f in shown
        ]
        out: list[str] = []
        active: list[Placement] = []
        for index, screen in enumerate(screens):
            shifts = _shifts(screens[index - 1], screen) if index else [0]
            placed = self._carry(active, screen, shifts)
            following = screens[index + 1] if index + 1 < len(screens) else None
            if following is not None:
                placed = self._group(placed, len(screen), following, _shifts(screen, following))
            active = placed
            uses = "".join(_use(node, y) for node, y in sorted(placed, key=lambda p: p[1]))
            # A viewport of its own (as tall as the screen's, 100%) clips what scrolled away.
            out.append(self._count(f'<svg y="{index * rows * LINE_HEIGHT}">{uses}</svg>'))
        return "".join(out)

    def _carry(
        self, active: list[Placement], screen: list[int], shifts: list[int]
    ) -> list[Placement]:
        """The previous frame's placements that still fit (moved by a scroll), then the rest."""
        covered = [False] * len(screen)
        placed: list[Placement] = []
        for node, y in active:
            for shift in shifts:
                moved = y - shift
                if node.fits(screen, moved):
                    drawn = node.drawn(moved, len(screen))
                    if not any(covered[row] for row in drawn):
                        for row in drawn:
                            covered[row] = True
                        placed.append((node, moved))
                    break
        for row, line in enumerate(screen):
            if line >= 0 and not covered[row]:
                placed.append((self.leaves[line], row))
        return placed

    def _group(
        self, placed: list[Placement], rows: int, following: list[int], shifts: list[int]
    ) -> list[Placement]:
        """Neighbouring placements that will move together into the next frame become a block."""
        moves: list[tuple[int, int | None, Placement]] = []
        for node, y in placed:
            top = min(node.drawn(y, rows))
            shift = next((s for s in shifts if node.fits(following, y - s)), None)
            moves.append((top, shift, (node, y)))
        moves.sort(key=lambda m: m[0])
        result: list[Placement] = []
        run: list[tuple[int, int | None, Placement]] = []

        def close() -> None:
            if len(run) >= 2 and run[0][1] is not None:
                result.append(self._block([m[2] for m in run]))
            else:
                result.extend(m[2] for m in run)
            run.clear()

        for move in moves:
            if run and (move[1] != run[-1][1] or move[1] is None):
                close()
            run.append(move)
        close()
        return result

    def _block(self, members: list[Placement]) -> Placement:
        """One block for `members`; its top row is the first member's top drawn row."""
        parts: list[Placement] = []
        for node, y in members:
            if not node.leaf and (node.depth >= MAX_DEPTH or _mostly_hidden(node, y)):
                parts.extend(
                    (self.leaves[line], y + offset)
                    for offset, line in node.rows.items()
                    if y + offset >= 0
                )
            else:
                parts.append((node, y))
        origin = min(y for _, y in parts)
        content: dict[int, int] = {}
        for node, y in parts:
            for offset, line in node.rows.items():
                content[y - origin + offset] = line
        block = _Node(self._new_id(), content, leaf=False, depth=1 + max(n.depth for n, _ in parts))
        uses = "".join(_use(node, y - origin) for node, y in parts)
        self._define(f'<g id="{block.ident}">{uses}</g>')
        return block, origin

    def _joins(self, line: Line) -> str:
        """Strokes that continue the line's box-drawing and block glyphs to the rows above
        and below (publish/boxes.py): one path per colour and width, its pen a class."""
        paths = []
        for (fg, width), segments in boxes.line_strokes(line, LINE_HEIGHT, BASELINE, FONT_SIZE,
                                                        CELL_WIDTH).items():  # fmt: skip
            moves, at = [], None
            for x, y0, y1 in segments:
                if at is None:
                    moves.append(f"M{_number(x, 2)} {_number(y0, 2)}")
                else:
                    moves.append(f"m{_number(x - at[0], 2)} {_number(y0 - at[1], 2)}")
                moves.append(f"v{_number(y1 - y0, 2)}")
                at = (x, y1)
            pen = (_color(fg, self.theme, background=False), _number(width, 2))
            name = self.pens.get(pen)
            if name is None:  # "_" first: never one of the text styles' classes
                name = self.pens[pen] = "_" + _short_id(len(self.pens))
            paths.append(f'<path class="{name}" d="{"".join(moves)}"/>')
        return "".join(paths)

    def _line_markup(self, line: Line) -> tuple[str, str]:
        """The background rectangles (and shapes drawn under the text) and the text of a
        line, as markup."""
        rects, spans = [], []
        column = 0
        placed = False  # the previous run was stretched to its cells: place the next one
        pieces = list(_vector_runs(line))
        for index, (text, style, hidden) in enumerate(pieces):
            fg, bg, bold, italic, underline, faint, strike = style
            if index == len(pieces) - 1 and bg == "default" and not (underline or strike):
                text = text.rstrip(" ")  # trailing spaces draw nothing
            if bg != "default":
                x = _number(column * CELL_WIDTH, 2)
                w = _number(len(text) * CELL_WIDTH, 2)
                rects.append(
                    f'<rect x="{x}" y="-{BASELINE}" width="{w}" height="{LINE_HEIGHT}" '
                    f'fill="{_color(bg, self.theme, background=True)}"/>'
                )
            if hidden:  # drawn as the player draws it; the text stays, unseen, for search
                color = _color(fg, self.theme, background=False)
                for offset, char in enumerate(text):
                    x0 = (column + offset) * CELL_WIDTH
                    path, stroked = vectors.svg_path(char, x0, -BASELINE, CELL_WIDTH, LINE_HEIGHT)
                    paint = (f'fill="none" stroke="{color}" stroke-width='
                             f'"{_number(vectors.STROKE * CELL_WIDTH, 2)}"' if stroked
                             else f'fill="{color}"')  # fmt: skip
                    rects.append(f'<path d="{path}" {paint}/>')
            plain = (fg, "default", bold, italic, underline, faint, strike)
            # Glyphs a monospace font may lack (braille: the dashboard's charts) come from a
            # proportional fallback font: such a run is stretched to its cells, and the run
            # after it placed at its column, so that what follows stays on the grid.
            attributes = ""
            if not _MONO_SAFE.fullmatch(text):
                width = _number(_glyph_cells(text) * CELL_WIDTH, 2)
                attributes = f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
            if attributes or placed:
                attributes = f' x="{_number(column * CELL_WIDTH, 2)}"' + attributes
            placed = "textLength" in attributes
            attributes += ' opacity="0"' if hidden else ""
            text = text.translate(BIDI_CONTROLS)
            if plain == _PLAIN:
                escaped = xml_escape(text)
                spans.append(f"<tspan{attributes}>{escaped}</tspan>" if attributes else escaped)
            else:
                name = self.styles.get(plain)
                if name is None:
                    name = self.styles[plain] = _short_id(len(self.styles))
                spans.append(f'<tspan class="{name}"{attributes}>{xml_escape(text)}</tspan>')
            column += len(text)
        return "".join(rects), "".join(spans)


_PLAIN: Style = ("default", "default", False, False, False, False, False)


def _vector_runs(line: Line) -> Iterator[tuple[str, Style, bool]]:
    """The line's runs, with the characters the player draws as shapes (powerline
    separators, black triangles: publish/vectors.py) split off into runs of their own
    (True): no font a viewer may lack is asked for them. A wide character (CJK, emoji) is
    a run of its own too, so that it is stretched to its two cells, as the player draws
    it, and the right half's space after it placed on its own cell."""
    for text, style in line:
        if _SIMPLE.fullmatch(text):  # most runs: one cell a character, nothing to split
            yield text, style, False
            continue
        for hidden, chars in groupby(text, key=vectors.vector):
            part = "".join(chars)
            if hidden:
                yield part, style, True
                continue
            start = index = 0
            while index < len(part):
                end = index + 1
                while end < len(part) and _mark(part[end]):
                    end += 1  # a character with its combining marks: drawn as one
                if char_width(part[index]) == 2 or end > index + 1:
                    if index > start:
                        yield part[start:index], style, False
                    yield part[index:end], style, False
                    start = end
                index = end
            if start < len(part):
                yield part[start:], style, False


def _mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Mc") or char == "\u200d"


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
    return len(text) + (len(text) == 1 and char_width(text) == 2)


def _mostly_hidden(node: _Node, y: int) -> bool:
    """Whether most of a block's rows are scrolled out of sight (then its lines are reused)."""
    above = sum(1 for offset in node.rows if y + offset < 0)
    return above > len(node.rows) - above


def _use(node: _Node, y: int) -> str:
    offset = y * LINE_HEIGHT + (BASELINE if node.leaf else 0)
    position = f' y="{offset}"' if offset else ""
    return f'<use href="#{node.ident}"{position}/>'


def _shifts(before: list[int], after: list[int]) -> list[int]:
    """Row shifts to try when carrying placements over: the scroll most rows agree on, and 0."""
    where: dict[int, list[int]] = {}
    for row, line in enumerate(before):
        if line >= 0:
            where.setdefault(line, []).append(row)
    votes: dict[int, int] = {}
    for row, line in enumerate(after):
        for old in where.get(line, ()):
            if old > row:
                votes[old - row] = votes.get(old - row, 0) + 1
    best = max(votes, key=lambda s: (votes[s], -s), default=None)
    return [0] if best is None else [0, best]


def _css(style: Style, theme: Theme) -> str:
    """The player's classes (ap-bold, ap-faint, ap-italic, ap-underline, ap-strike) as SVG
    text's CSS: faint is the player's `opacity:0.5` on the glyphs and their lines."""
    fg, _, bold, italic, underline, faint, strike = style
    rules = []
    if fg != "default":
        rules.append(f"fill:{_color(fg, theme, background=False)}")
    if bold:
        rules.append("font-weight:bold")
    elif faint:
        rules.append("fill-opacity:.5")
    if italic:
        rules.append("font-style:italic")
    lines = " ".join(n for n, on in (("underline", underline), ("line-through", strike)) if on)
    if lines:
        rules.append(f"text-decoration:{lines}")
    return ";".join(rules)


def _color(name: str, theme: Theme, *, background: bool) -> str:
    """A pyte colour as a checked #rrggbb; reverse video names the default it swapped in."""
    if name == "fgdefault":
        return theme.fg
    if name == "bgdefault":
        return theme.bg
    return pyte_color(name, theme, background=background)
