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

Its parts: svg_frames.py (the screens as rows of runs), svg_lines.py (a row's markup),
svg_styles.py (a style as CSS), svg_strip.py (frames on the strip, blocks, animation)
and svg_units.py (the grid, numbers and names).
"""

from __future__ import annotations

import contextlib
import io
import marshal
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from genact_cast.asciicast import Event, Header, Theme
from genact_cast.atomic import temporary_writes
from genact_cast.escape import xml_escape
from genact_cast.publish.screens import Screen
from genact_cast.publish.svg_bidi import BIDI_CONTROLS
from genact_cast.publish.svg_frames import Frame, frame_of, frames
from genact_cast.publish.svg_lines import BLINKING_SHAPES
from genact_cast.publish.svg_spool import parts
from genact_cast.publish.svg_strip import LAST_FRAME_SECONDS, Document, animation, blink_animation
from genact_cast.publish.svg_units import CELL_WIDTH, FONT, FONT_SIZE, LINE_HEIGHT, PADDING
from genact_cast.publish.theme import check_theme, resolve_theme

__all__ = [
    "BIDI_CONTROLS",
    "CELL_WIDTH",
    "LAST_FRAME_SECONDS",
    "LINE_HEIGHT",
    "PADDING",
    "Frame",
    "frames",
    "render_svg",
    "xml_escape",
]


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
    text = io.StringIO()
    with drawn_svg(
        header, events, theme=theme, fps_cap=fps_cap, idle_time_limit=idle_time_limit,
        loop=loop, at=at, progress=progress,
    ) as document:  # fmt: skip
        document.write(text.write)
    return text.getvalue()


@contextlib.contextmanager
def drawn_svg(
    header: Header,
    events: Iterable[Event],
    *,
    theme: Theme | None = None,
    fps_cap: float = 30.0,
    idle_time_limit: float | None = None,
    loop: bool = True,
    at: float | None = None,
    progress: Callable[[float], None] | None = None,
    spool_in: str | None = None,
) -> Iterator[Drawn]:
    """The SVG drawn, every limit checked, ready to be written whole by `Drawn.write`
    (a failure leaves nothing half-written). Its parts are spooled to private temporary
    files as they are made, and the 64 MB limit is counted as they are: memory stays
    one frame and the tables that share lines (review-attack12 F6: all the frames were
    held, 428 MB and 133 s before the limit refused a 1000x200 dashboard).

    The parts are files without a name in the folder `spool_in`: the output's own, as
    `record` and `embed` give it (they write nowhere but the target); without one
    (standard output) they are held in memory up to a bound (svg_spool.py)."""
    palette = check_theme(theme) if theme is not None else resolve_theme(header)
    shown = frames(header, events, fps_cap=fps_cap, idle_time_limit=idle_time_limit, until=at)
    if at is not None:
        last = None
        for last in shown:  # a still keeps its last frame only (attack12 F6)
            if progress is not None:
                progress(last.time)
        assert last is not None  # (the timeline shows at least the first screen)
        still = _document([last], palette, loop)
        yield Drawn(lambda write: write(still))
        return
    with parts(spool_in, 3) as (defs, strip, screens):
        with temporary_writes("the SVG's temporary parts", spool_in):
            document = Document(palette, defs.text)
            times: list[float] = []
            cols = rows = 0
            for frame in shown:
                screens.write(marshal.dumps(document.screen(frame)))
                times.append(frame.time)
                cols, rows = max(cols, frame.cols), max(rows, len(frame.lines))
                if progress is not None:
                    progress(frame.time)
            document.strip(_spooled(screens.rewind()), rows, strip.text)
            defs.rewind()  # (written out here, where a full disk or `ulimit -f` is named)
            strip.rewind()
        head, middle = _frame_around(document, palette, times, cols, rows, loop)
        document.count(head + middle + _END)  # the CSS too: a keyframe a frame

        def write(out: Callable[[str], object]) -> None:
            out(head)
            defs.copy_text(out)
            out(middle)
            strip.copy_text(out)
            out(_END)

        yield Drawn(write)


class Drawn:
    """A drawn SVG, written whole to a text sink by `write`."""

    def __init__(self, write: Callable[[Callable[[str], object]], object]) -> None:
        self.write = write


_END = "</g></svg></svg>\n"


def _spooled(spool: IO[bytes]) -> Iterator[list[int]]:
    while True:
        try:
            screen = marshal.load(spool)
        except EOFError:
            return
        yield screen


def screen_svg(screen: Screen, theme: Theme) -> str:
    """One screen (the final one of a notebook's still) as an SVG still: what `at` gives."""
    return _document([frame_of(screen)], theme, loop=True)


def _document(shown: list[Frame], palette: Theme, loop: bool) -> str:
    """A document of `shown`, drawn in memory (a still: one frame)."""
    parts: list[str] = []
    document = Document(palette, parts.append)
    screens = [document.screen(frame) for frame in shown]
    cols = max(frame.cols for frame in shown)
    rows = max(len(frame.lines) for frame in shown)
    strip: list[str] = []
    document.strip(screens, rows, strip.append)
    times = [frame.time for frame in shown]
    head, middle = _frame_around(document, palette, times, cols, rows, loop)
    return f"{head}{''.join(parts)}{middle}{''.join(strip)}{_END}"


def _frame_around(
    document: Document, palette: Theme, times: list[float], cols: int, rows: int, loop: bool
) -> tuple[str, str]:
    """What comes before the definitions (the size, the CSS), and between them and the
    strip (the screen's viewport)."""
    # The picture is the largest size the cast takes (the player grows with the cast);
    # a frame of a smaller size is drawn from the top-left corner.
    width = round(cols * CELL_WIDTH + 2 * PADDING)
    height = rows * LINE_HEIGHT + 2 * PADDING
    screen_h = rows * LINE_HEIGHT
    # Left to right, as the player's rows: Hebrew and Arabic letters are reordered by the
    # browser within their run (each run with them is its own text chunk, placed at its
    # column), as it reorders them within the player's span; a span with bidi controls
    # is written in the order the player shows it, under an LRO, the controls as ZWSP
    # (publish/bidi_levels.in_visual_order, svg_lines.BIDI_CONTROLS).
    css = [
        f"text{{fill:{palette.fg};white-space:pre;direction:ltr}}",
        # A row's backgrounds are rectangles on fractional columns: anti-aliased, two
        # neighbours each cover the shared pixel partly and the page shows through, a seam
        # the player's canvas does not have. Snapped to pixels they abut.
        "g>rect{shape-rendering:crispEdges}",
        *document.markup.css(),
    ]
    if len(times) > 1:
        css += animation(times, screen_h, loop)
        blinking = [name for style, name in document.markup.styles.items() if style[7]]
        blinking += [BLINKING_SHAPES] if document.markup.blinking_shapes else []
        if blinking:
            css += blink_animation(blinking, times, loop)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{xml_escape(FONT)}" '
        f'font-size="{FONT_SIZE}">'
        f"<style>{''.join(css)}</style>"
        f'<rect width="100%" height="100%" rx="6" fill="{palette.bg}"/>'
        "<defs>"
    )
    middle = (
        f'</defs><svg x="{PADDING}" y="{PADDING}" width="{width - 2 * PADDING}" '
        f'height="{screen_h}"><g id="strip">'
    )
    return head, middle
