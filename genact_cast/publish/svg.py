"""Animated SVG for READMEs: our own renderer, with pyte as the terminal emulator.

CSS animation only (no script, no SMIL, no external references), so GitHub's
sanitizer keeps it. Each distinct line is stored once and reused; frames are stacked
on one strip that a single `@keyframes` steps through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

import pyte

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header, Theme
from genact_cast.player.timeline import limit_idle

FONT = "'DejaVu Sans Mono','Cascadia Mono','SF Mono',Menlo,Consolas,'Liberation Mono',monospace"
FONT_SIZE = 14
CELL_WIDTH = 8.43  # DejaVu Sans Mono's advance at 14px
# Latin-1, box drawing and block elements: in every monospace font of FONT's list.
_MONO_SAFE = re.compile("[\x00-\xff\u2500-\u259f]*")
LINE_HEIGHT = 18
PADDING = 10
LAST_FRAME_SECONDS = 3.0
DEFAULT_THEME = Theme(
    "#cccccc",
    "#121314",
    ("#000000", "#dd3c69", "#4ebf22", "#ddaf3c", "#26b0d7", "#b954e1", "#54e1b9", "#d9d9d9",
     "#4d4d4d", "#dd3c69", "#4ebf22", "#ddaf3c", "#26b0d7", "#b954e1", "#54e1b9", "#ffffff"),
)  # fmt: skip
_NAMES = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")

Run = tuple[str, tuple[str, str, bool, bool, bool]]  # text, (fg, bg, bold, italic, underline)
Line = tuple[Run, ...]


@dataclass(frozen=True)
class Frame:
    time: float
    lines: tuple[Line, ...]


def frames(
    header: Header,
    events: Iterable[Event],
    *,
    fps_cap: float = 30.0,
    idle_time_limit: float | None = None,
    until: float | None = None,
) -> Iterator[Frame]:
    """Screens as the cast shows them: one whenever output settles, at most `fps_cap` a second."""
    screen = pyte.Screen(header.cols, header.rows)
    stream = pyte.Stream(screen)
    limit = idle_time_limit if idle_time_limit is not None else header.idle_time_limit
    gap = 1.0 / fps_cap
    rows: list[Line] = [() for _ in range(header.rows)]
    pending: float | None = None
    last: tuple[Line, ...] | None = None
    for event in limit_idle(events, limit):
        time = event.time
        if until is not None and time > until:
            break
        if pending is not None and time - pending >= gap:
            snapshot = _snapshot(screen, rows)
            if snapshot != last:
                yield Frame(pending, snapshot)
                last = snapshot
            pending = None
        if event.code == OUTPUT:
            stream.feed(event.data)
            pending = time if pending is None else pending
        elif event.code == RESIZE:
            cols, _, lines = event.data.partition("x")
            if cols.isdigit() and lines.isdigit():
                screen.resize(int(lines), int(cols))
                rows = [() for _ in range(screen.lines)]
                screen.dirty.update(range(screen.lines))
    if pending is not None or last is None:
        snapshot = _snapshot(screen, rows)
        if snapshot != last:
            yield Frame(pending or 0.0, snapshot)


_BLANK = ("default", "default", False, False, False)


def _snapshot(screen: pyte.Screen, rows: list[Line]) -> tuple[Line, ...]:
    """The screen's lines; only the rows pyte marked dirty are read again."""
    for y in screen.dirty:
        if y < len(rows):
            rows[y] = _line_of(screen.buffer[y], screen.columns)
    screen.dirty.clear()
    return tuple(rows)


def _line_of(row: dict[int, Any], columns: int) -> Line:
    runs: list[Run] = []
    text: list[str] = []
    style: tuple[str, str, bool, bool, bool] = _BLANK
    column = 0
    for x in sorted(row):  # only the cells written; the rest are blanks
        if x >= columns:
            break
        if x > column:
            if style != _BLANK and text:
                runs.append(("".join(text), style))
                text = []
            style = _BLANK
            text.append(" " * (x - column))
        char = row[x]
        fg, bg = char.fg, char.bg
        if char.reverse:
            fg, bg = (
                (bg if bg != "default" else "bgdefault"),
                (fg if fg != "default" else "fgdefault"),
            )
        current = (fg, bg, char.bold, char.italics, char.underscore)
        if current != style and text:
            runs.append(("".join(text), style))
            text = []
        style = current
        text.append(char.data or " ")
        column = x + 1
    if text:
        runs.append(("".join(text), style))
    while runs and not runs[-1][0].strip() and runs[-1][1][1] == "default":
        runs.pop()  # trailing blanks draw nothing
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
) -> str:
    """The cast as an SVG document: animated, or the still frame at `at` seconds."""
    palette = theme or header.theme or DEFAULT_THEME
    shown = list(frames(header, events, fps_cap=fps_cap, idle_time_limit=idle_time_limit, until=at))
    if at is not None:
        shown = shown[-1:]
    width = round(header.cols * CELL_WIDTH + 2 * PADDING)
    height = header.rows * LINE_HEIGHT + 2 * PADDING
    screen_h = header.rows * LINE_HEIGHT
    styles: dict[tuple[str, str, bool, bool, bool], str] = {}
    line_ids: dict[Line, str] = {}
    defs: list[str] = []
    strip: list[str] = []
    for index, frame in enumerate(shown):
        uses = []
        for row, line in enumerate(frame.lines):
            if not line:
                continue
            ident = line_ids.get(line)
            if ident is None:
                ident = line_ids[line] = f"l{len(line_ids):x}"
                defs.append(_line(ident, line, styles, palette))
            uses.append(f'<use href="#{ident}" y="{row * LINE_HEIGHT}"/>')
        offset = index * screen_h
        strip.append(f'<g transform="translate(0 {offset})">{"".join(uses)}</g>')

    css = [
        f"text{{fill:{palette.fg};white-space:pre}}",
        *(f".{name}{{{_css(style, palette)}}}" for style, name in styles.items()),
    ]
    if len(shown) > 1:
        css += _animation(shown, screen_h, loop)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(FONT)}" font-size="{FONT_SIZE}">'
        f"<style>{''.join(css)}</style>"
        f'<rect width="100%" height="100%" rx="6" fill="{palette.bg}"/>'
        f"<defs>{''.join(defs)}</defs>"
        f'<svg x="{PADDING}" y="{PADDING}" width="{width - 2 * PADDING}" height="{screen_h}">'
        f'<g id="strip">{"".join(strip)}</g></svg></svg>\n'
    )


def _animation(shown: list[Frame], screen_h: int, loop: bool) -> list[str]:
    total = shown[-1].time + LAST_FRAME_SECONDS
    steps = "".join(
        f"{frame.time / total * 100:.4f}%{{transform:translateY(-{i * screen_h}px)}}"
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


def _line(
    ident: str, line: Line, styles: dict[tuple[str, str, bool, bool, bool], str], theme: Theme
) -> str:
    rects, spans = [], []
    column = 0
    placed = False  # the previous run was stretched to its cells: place the next one
    for text, style in line:
        fg, bg, bold, italic, underline = style
        if bg != "default":
            x = round(column * CELL_WIDTH, 2)
            rects.append(
                f'<rect x="{x}" y="0" width="{round(len(text) * CELL_WIDTH, 2)}" '
                f'height="{LINE_HEIGHT}" fill="{_color(bg, theme, background=True)}"/>'
            )
        plain = (fg, "default", bold, italic, underline)
        # Glyphs a monospace font may lack (braille: the dashboard's charts) come from a
        # proportional fallback font: such a run is stretched to its cells, and the run
        # after it placed at its column, so that what follows stays on the grid.
        attributes = ""
        if not _MONO_SAFE.fullmatch(text):
            width = round(len(text) * CELL_WIDTH, 2)
            attributes = f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
        if attributes or placed:
            attributes = f' x="{round(column * CELL_WIDTH, 2)}"' + attributes
        placed = bool(attributes) and "textLength" in attributes
        if plain == ("default", "default", False, False, False):
            spans.append(
                f"<tspan{attributes}>{escape(text)}</tspan>" if attributes else escape(text)
            )
        else:
            name = styles.setdefault(plain, f"s{len(styles):x}")
            spans.append(f'<tspan class="{name}"{attributes}>{escape(text)}</tspan>')
        column += len(text)
    baseline = round(LINE_HEIGHT * 0.75)
    return f'<g id="{ident}">{"".join(rects)}<text y="{baseline}">{"".join(spans)}</text></g>'


def _css(style: tuple[str, str, bool, bool, bool], theme: Theme) -> str:
    fg, _, bold, italic, underline = style
    rules = []
    if fg != "default":
        rules.append(f"fill:{_color(fg, theme, background=False)}")
    if bold:
        rules.append("font-weight:bold")
    if italic:
        rules.append("font-style:italic")
    if underline:
        rules.append("text-decoration:underline")
    return ";".join(rules)


def _color(name: str, theme: Theme, *, background: bool) -> str:
    if name == "fgdefault":
        return theme.fg
    if name == "bgdefault":
        return theme.bg
    if name == "default":
        return theme.bg if background else theme.fg
    bright = name.startswith("bright")
    base = name.removeprefix("bright")
    if base in _NAMES:
        index = _NAMES.index(base) + (8 if bright else 0)
        return theme.palette[index] if index < len(theme.palette) else theme.palette[index % 8]
    return f"#{name}" if len(name) == 6 else theme.fg
