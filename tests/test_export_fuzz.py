"""The exports under fuzzing: any output and any resizes give an SVG, a text, subtitles and a
PNG, or one of the project's one-line errors, in bounded time and memory; and text from
the cast reaches each document only escaped for it (issue 20's invariants)."""

from __future__ import annotations

import re
import time
import tracemalloc
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header
from genact_cast.errors import GenactCastError
from genact_cast.publish.screens import Clip, Timeline, last_screen
from genact_cast.publish.svg import render_svg
from genact_cast.publish.text import render_text
from genact_cast.publish.theme import DEFAULT_THEME
from genact_cast.publish.vtt import render_vtt

PIECES = [
    "\x1b", "\x1b[", "\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", "\x1b\\", "\x07", "\x9b",
    "\x90", "\x9c", "\x9d", "\x18", "\x1a", "\r", "\n", "\b", "\t", "\x0e", "\x0f", "\x7f",
    "\x1b#8", "\x1bc", "\x1b7", "\x1b8", "\x1bD", "\x1bM", "\x1b(0", "\x1b(B", "\x1b[?1049h",
    "\x1b[?1049l", "\x1b[?47h", "\x1b[?1047l", "\x1b[?25l", "\x1b[?7l", "\x1b[?6h", "\x1b[2J",
    "\x1b[3J", "\x1b[1;2r", "\x1b[r", "\x1b[S", "\x1b[T", "\x1b[5b", "\x1b[4h", "\x1b[2;3H",
    "\x1b[38;5;9m", "\x1b[48;5;200m", "\x1b[38:2::1:2:3m", "\x1b[7m", "\x1b[m", "\x1b[" + "9" * 30,
    "中", "😀", "e\u0301", "\u200b", "\u200d", "\ufe0f", "\u202e", "\ue0b0", "\udc80", "━", "▀",
    "<", ">", "&", "-->", "]]>", "</text>", '"', "'",
]  # fmt: skip

CHUNKS = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(max_size=8),
        st.builds(
            lambda private, params, final: f"\x1b[{private}{';'.join(params)}{final}",
            st.sampled_from(["", "?", ">", "="]),
            st.lists(st.from_regex(r"[0-9:]{0,6}", fullmatch=True), max_size=4),
            st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        ),
    ),
    max_size=30,
).map("".join)

EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just(OUTPUT), CHUNKS),
        st.tuples(
            st.just(RESIZE), st.builds("{}x{}".format, st.integers(0, 50), st.integers(0, 15))
        ),
    ),
    min_size=1,
    max_size=12,
)
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def timed(pieces: list[tuple[str, str]]) -> list[Event]:
    return [Event(30_000 * (i + 1), code, data) for i, (code, data) in enumerate(pieces)]


def bounded(render: Any, *args: Any) -> Any:
    """`render(*args)`, in bounded time and memory; None for a one-line project error."""
    tracemalloc.start()
    start = time.process_time()  # (CPU time: the work, not the machine's load)
    try:
        result = render(*args)
    except GenactCastError as error:
        result = None
        message = str(error)
    else:
        message = ""
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert "\n" not in message
    assert time.process_time() - start < 20
    assert peak < 64 * 1024 * 1024
    return result


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(EVENTS, st.integers(1, 40), st.integers(1, 12))
def test_svg_text_and_subtitles_of_any_output(
    pieces: list[tuple[str, str]], cols: int, rows: int
) -> None:
    header, events = Header(cols, rows), timed(pieces)
    svg = bounded(render_svg, header, events)
    if svg is not None:
        root = ET.fromstring(svg)  # well-formed: nothing from the cast escaped the markup
        assert {e.tag.split("}")[1] for e in root.iter()} <= {
            "svg", "style", "rect", "defs", "g", "text", "tspan", "use", "path"
        }  # fmt: skip
        assert not re.search(r"<script|\son\w+=|javascript:|url\(|@import", svg)
    text = bounded(lambda: render_text(Timeline(header, events)))
    if text is not None:
        assert not CONTROLS.search(text)
    vtt = bounded(lambda: render_vtt(Timeline(header, events)))
    if vtt is not None:
        assert vtt.startswith("WEBVTT\n")
        for block in filter(None, vtt.split("\n\n")[1:]):
            timing, *lines = block.split("\n")
            assert re.fullmatch(r"[\d:.]+ --> [\d:.]+", timing)
            assert lines
            for line in lines:
                assert "-->" not in line
                assert "<" not in line
                assert not CONTROLS.search(line)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(EVENTS, st.integers(1, 30), st.integers(1, 8))
def test_a_png_still_of_any_output(pieces: list[tuple[str, str]], cols: int, rows: int) -> None:
    from genact_cast.publish.png import render_png

    header, events = Header(cols, rows), timed(pieces)
    data = bounded(lambda: render_png(Timeline(header, events, Clip()), DEFAULT_THEME, size=6))
    if data is not None:
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    screen = bounded(lambda: last_screen(Timeline(header, events)))
    if screen is not None:
        assert all(len(row) <= screen.cols for row in screen.rows)
