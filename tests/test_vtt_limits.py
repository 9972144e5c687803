"""Subtitles of a line with no end (review-attack5 item 2): a program that writes on
and on without a newline wraps row after row into one line; joining its rows copied the
line at each row (4 MB of `a` took minutes), and its cue was as long as the cast. The
line is cut at `MAX_LINE_CHARS` with an ellipsis, and each row costs the same."""

from __future__ import annotations

from genact_cast.asciicast import OUTPUT, Event, Header
from genact_cast.publish.screens import Timeline
from genact_cast.publish.vtt import CUT, MAX_LINE_CHARS, render_vtt


def subtitles(data: list[str], cols: int = 80) -> list[str]:
    events = [Event(1000 * (i + 1), OUTPUT, text) for i, text in enumerate(data)]
    return render_vtt(Timeline(Header(version=2, cols=cols, rows=24), events)).splitlines()


def test_a_line_without_end_is_one_cut_cue_line() -> None:
    lines = subtitles(["a" * 1000] * 100)  # 100,000 characters, 1,250 rows at 80 columns
    text = [line for line in lines[1:] if line and "-->" not in line]
    assert text == ["a" * MAX_LINE_CHARS + CUT]


def test_a_wrapped_line_within_the_limit_is_whole() -> None:
    line = "".join(f"{i:05d}," for i in range(MAX_LINE_CHARS // 6))
    lines = subtitles([line[:4000], line[4000:], "\r\n$ "])
    assert line.rstrip() in lines


def test_lines_past_a_cut_line_are_told() -> None:
    lines = subtitles(["b" * (MAX_LINE_CHARS + 500), "\r\nnext line\r\n"])
    assert "b" * MAX_LINE_CHARS + CUT in lines
    assert "next line" in lines
