"""The animated SVG's limits hold as it is drawn, not once every frame is held
(review-attack12 F6: a 1000x200 dashboard took 428 MB and 133 s before the 64 MB limit
refused it)."""

from __future__ import annotations

import pytest

from genact_cast.asciicast import Event, Header
from genact_cast.publish import svg_strip
from genact_cast.publish.screens import LimitError
from genact_cast.publish.svg import render_svg


def fresh_screens(frames: int, cols: int, rows: int) -> list[Event]:
    """Every frame a screen of lines never seen before (a dashboard redrawn whole)."""
    return [
        Event(i * 100_000, "o", "\x1b[H" + "\r\n".join(
            f"{i:06d}{y:04d}".ljust(cols, "abcdefgh"[(i + y) % 8]) for y in range(rows)))
        for i in range(frames)
    ]  # fmt: skip


def test_the_size_limit_stops_the_drawing_once_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit the drawing stops at once: the old main drew all 400 frames (each
    told to `progress`) and only then counted the document."""
    monkeypatch.setattr(svg_strip, "MAX_SVG_BYTES", 100_000)
    drawn: list[float] = []
    with pytest.raises(LimitError, match="the SVG would be over"):
        render_svg(Header(80, 24), fresh_screens(400, 80, 24), progress=drawn.append)
    # About 2 KB a frame: the limit is passed near frame 50.
    assert len(drawn) < 80, len(drawn)


def test_the_size_limit_counts_the_animation_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyframes (one a frame) are part of the file: a day-long 80x24 record wrote a
    66.8 MB SVG past the 64 MB limit, which counted the definitions and the strip only."""
    events = [Event(i * 100_000, "o", "\x1b[Hx" if i % 2 else "\x1b[Hy") for i in range(300)]
    size = len(render_svg(Header(80, 24), events))
    monkeypatch.setattr(svg_strip, "MAX_SVG_BYTES", size - 100)
    with pytest.raises(LimitError, match="the SVG would be over"):
        render_svg(Header(80, 24), events)


def test_parts_past_the_memory_bound_go_to_a_file_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without an output folder (standard output, the API) a part is held in memory up to
    a bound, then moved to an unnamed file: the document is the same either way, with a
    character cut between two read chunks decoded whole."""
    from genact_cast.publish import svg_spool

    events = [Event(0, "o", "é€😀 " * 30), *fresh_screens(40, 80, 24)]
    whole = render_svg(Header(80, 24), events)
    monkeypatch.setattr(svg_spool, "IN_MEMORY", 1000)
    monkeypatch.setattr(svg_spool, "CHUNK", 7)
    assert render_svg(Header(80, 24), events) == whole


def test_the_size_limit_counts_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is on the file: UTF-8 bytes, not characters (review-attack13 F3: a
    1000x200 dashboard of box drawing wrote 70.9 MB under a limit of 64 MiB that counted
    its 67.1 M characters)."""
    events = [Event(i * 100_000, "o", f"\x1b[H{i:05d}{'─│┼'[i % 3] * 75}") for i in range(60)]
    document = render_svg(Header(80, 24), events)
    size = len(document.encode("utf-8"))
    assert size > len(document) + 1000  # (the box drawing: three bytes a character)
    monkeypatch.setattr(svg_strip, "MAX_SVG_BYTES", size - 100)
    with pytest.raises(LimitError, match="the SVG would be over"):
        render_svg(Header(80, 24), events)
    monkeypatch.setattr(svg_strip, "MAX_SVG_BYTES", size)
    assert render_svg(Header(80, 24), events) == document
