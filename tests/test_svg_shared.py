"""A dashboard's rows draw the same bars and pane borders beside different text: the SVG
draws such shapes once and places them on every other row by a <use> (issue 19's size
target: at 120x36 the same two bars were drawn 815 times, 273 KB of 1,269), and the
picture stays the one drawn in place (held in Chromium, pixel for pixel)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from genact_cast.asciicast import Header
from genact_cast.asciicast.model import Event
from genact_cast.publish import svg_strip
from genact_cast.publish.svg import render_svg
from tests import svg_model
from tests.browser import screenshot

# Sixteen rows of a GPU pane: a different number on each, the same bar and borders (the
# cursor hidden: its block is a shape of its row too).
ROWS = "\x1b[?25l" + "".join(
    f"\x1b[{y + 1};1H\x1b[90m│\x1b[0mgpu {y:2} {40 + 3 * y}% \x1b[32m██▉\x1b[90m░░\x1b[0m"
    f" \x1b[44m{y}\x1b[0m\x1b[90m│\x1b[0m"
    for y in range(16)
)
HEADER = Header(cols=24, rows=16)
EVENTS = [Event(0, "o", ROWS), Event(1_000_000, "o", "\x1b[1;10H9")]


def test_a_bar_on_sixteen_rows_is_drawn_twice() -> None:
    """Drawn in place where first met, given an id where met again, then used."""
    svg = render_svg(HEADER, [Event(0, "o", re.sub(r"\x1b\[44m", "", ROWS)), EVENTS[1]])
    bars = re.findall(r'<path d="[^"]*" fill="#[0-9a-f]{6}" shape-rendering="crispEdges"/>', svg)
    assert len(bars) == 2, bars
    shades = re.findall(r"<path [^>]*fill-opacity", svg)
    assert len(shades) == 2
    defs = svg.split("</defs>")[0]
    assert defs.count("<use href=") >= 16 - 2  # (the bars of the other rows)


def test_the_rows_read_back_the_same_with_their_backgrounds() -> None:
    svg = render_svg(HEADER, EVENTS)
    picture = svg_model.read(svg)
    for screen, fills in zip(picture.screens, picture.backgrounds, strict=True):
        for y, (row, row_fills) in enumerate(zip(screen, fills, strict=True)):
            assert "".join(char for char, _ in row).startswith(f"│gpu {y:2} ")
            assert list(row_fills) == list(range(18, 18 + len(str(y))))


def test_shapes_met_once_or_short_are_drawn_in_place() -> None:
    """Sharing costs an id and a <use> (about 30 bytes): a shape met once is not shared,
    nor one shorter than svg_strip.SHARED_LENGTH."""
    svg = render_svg(Header(cols=12, rows=3), [Event(0, "o", "\x1b[32m██▉\x1b[0m a")])
    assert "<use href" not in svg.split("</defs>")[0]
    assert len('<rect x="0" y="-15" width="9.03" height="20" fill="#cccccc"/>') < (
        svg_strip.SHARED_LENGTH
    )


def test_shared_shapes_draw_the_picture_drawn_in_place(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = render_svg(HEADER, EVENTS, at=1.5)
    monkeypatch.setattr(svg_strip, "SHARED_LENGTH", 10**9)  # (never shared)
    in_place = render_svg(HEADER, EVENTS, at=1.5)
    assert shared != in_place
    assert len(shared) < len(in_place)
    pictures = []
    for name, svg in (("shared", shared), ("in_place", in_place)):
        path = tmp_path / f"{name}.svg"
        path.write_text(svg, "utf-8")
        page = browser.new_page(viewport={"width": 260, "height": 360})
        page.goto(path.as_uri())
        pictures.append(Image.open(io.BytesIO(screenshot(page))).convert("RGB"))
        page.close()
    assert ImageChops.difference(*pictures).getbbox() is None
