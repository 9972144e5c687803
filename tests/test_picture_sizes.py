"""PNG and video pictures of any terminal size at any --size (attack run 7, finding 1).

A narrow terminal at a named size is drawn with a large font (a 1x1 screen at 1080p at
400 px), whose glyphs are wider than 255 pixels: the glyph cache once keyed them with
`bytes(mask.size)` and every such export ended in a traceback. The reference for what a
cell shows is the bundled DejaVu Sans Mono drawn by Pillow on its own, on the baseline.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw, ImageFont

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header, Theme
from genact_cast.errors import GenactCastError
from genact_cast.publish.picture_layout import SIZES, layout
from genact_cast.publish.png import render_png
from genact_cast.publish.screens import Clip, Timeline

WHITE_ON_BLACK = Theme("#ffffff", "#000000", ("#000000",) * 8)
SIZE_OPTIONS = st.one_of(st.sampled_from(sorted(SIZES)), st.integers(6, 200))
# Mostly narrow terminals (the ones that crashed), some up to the reader's limits.
COLS = st.one_of(st.integers(1, 40), st.integers(1, 1000))
ROWS = st.one_of(st.integers(1, 6), st.integers(1, 500))


def _reference(char: str, font_size: int, cell: tuple[int, int], ascent: int) -> Image.Image:
    data = (resources.files("genact_cast.publish") / "data/fonts/DejaVuSansMono.ttf").read_bytes()
    face = ImageFont.truetype(io.BytesIO(data), font_size)
    mask = Image.new("L", cell, 0)
    ImageDraw.Draw(mask).text((0, ascent), char, fill=255, font=face, anchor="ls")
    return mask


@settings(max_examples=12, deadline=None)
@given(COLS, ROWS, SIZE_OPTIONS, st.sampled_from("hW@"), st.booleans())
def test_a_still_of_any_terminal_at_any_size(
    cols: int, rows: int, size: str | int, char: str, resized: bool
) -> None:
    """Drawn, with the character's glyph in the first cell, or one line naming the limit."""
    header = Header(80, 24) if resized else Header(cols, rows)
    # One character: on a one-column screen a second one would wrap and scroll it away.
    events = [Event(100_000, OUTPUT, "\x1b[?25l" + char)]
    if resized:  # the cast ends on this size (the review's 80x24 cast resized to 1x1)
        events.insert(0, Event(50_000, RESIZE, f"{cols}x{rows}"))
    try:
        data = render_png(Timeline(header, events, Clip()), WHITE_ON_BLACK, size=size)
    except GenactCastError as error:
        message = str(error)
        data = b""
    if not data:  # a picture or a terminal over the limits: one line naming them
        assert "\n" not in message
        assert "limit" in message or "at most" in message
        return
    lay = layout(cols, rows, size)
    picture = Image.open(io.BytesIO(data)).convert("L")
    assert picture.size == (lay.width, lay.height)
    box = (lay.left, lay.top, lay.left + lay.cell_width, lay.top + lay.cell_height)
    drawn = picture.crop(box).point(lambda v: 255 if v > 127 else 0)
    expected = _reference(char, lay.font_size, (lay.cell_width, lay.cell_height), lay.ascent)
    expected = expected.point(lambda v: 255 if v > 127 else 0)
    differ = ImageChops.difference(drawn, expected).histogram()[255]
    ink = expected.histogram()[255]
    assert ink > 0
    assert differ <= max(2, ink // 20), (differ, ink, lay)


def test_a_video_of_a_one_cell_terminal(tmp_path: Path) -> None:
    import av

    from genact_cast.publish.video import write_video

    out = tmp_path / "one.mp4"
    events = [Event(500_000, OUTPUT, "hello")]
    write_video(Timeline(Header(1, 1), events, Clip()), WHITE_ON_BLACK, out, "mp4", size="1080p")
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == SIZES["1080p"]
