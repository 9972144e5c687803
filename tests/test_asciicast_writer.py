"""The v2 and v3 writers: valid newline-delimited JSON with explicit, drift-free times."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.asciicast import Event, Header, Theme, encode, format_seconds

NUMBER = re.compile(r"^\[(\d+\.\d+), ")


def test_format_seconds_writes_decimals_without_float_noise() -> None:
    assert format_seconds(0) == "0.0"
    assert format_seconds(1_500_000) == "1.5"
    assert format_seconds(300_000) == "0.3"
    assert format_seconds(123_456_789) == "123.456789"
    assert format_seconds(10**12) == "1000000.0"


def test_v2_header_has_required_fields_and_theme_colours() -> None:
    theme = Theme("#cccccc", "#121314", tuple(f"#0000{i:02x}" for i in range(16)))
    header = Header(cols=80, rows=24, timestamp=1_700_000_000, title="t", theme=theme)
    first = next(encode(header, [], 2))
    parsed = json.loads(first)
    assert parsed["version"] == 2
    assert (parsed["width"], parsed["height"], parsed["timestamp"]) == (80, 24, 1_700_000_000)
    assert parsed["env"]["TERM"] == "xterm-256color"
    assert parsed["theme"]["fg"] == "#cccccc"
    assert len(parsed["theme"]["palette"].split(":")) == 16


def test_v3_header_nests_terminal_size_and_theme_under_term() -> None:
    theme = Theme("#ffffff", "#000000", ("#000000",) * 8)
    parsed = json.loads(next(encode(Header(cols=120, rows=40, theme=theme), [], 3)))
    assert parsed["version"] == 3
    assert parsed["term"]["cols"] == 120
    assert parsed["term"]["rows"] == 40
    assert parsed["term"]["theme"]["bg"] == "#000000"
    assert "width" not in parsed


@given(st.lists(st.integers(min_value=0, max_value=10**7), max_size=200))
def test_v3_intervals_add_up_to_the_absolute_times(gaps: list[int]) -> None:
    times, now = [], 0
    for gap in gaps:
        now += gap
        times.append(now)
    events = [Event(t, "o", "x") for t in times]
    lines = list(encode(Header(80, 24), events, 3))[1:]
    total_us = 0
    for line, expected in zip(lines, times, strict=True):
        match = NUMBER.match(line)
        assert match, line
        whole, fraction = match.group(1).split(".")
        total_us += int(whole) * 1_000_000 + int(fraction.ljust(6, "0"))
        assert total_us == expected


@given(st.text(st.characters(codec="utf-8")))
def test_any_text_survives_the_writer_as_valid_json(data: str) -> None:
    line = list(encode(Header(80, 24), [Event(1, "o", data)], 2))[1]
    assert json.loads(line) == [0.000001, "o", data]
    assert "e-" not in line.split(",")[0]


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF)))
def test_event_data_is_json_dumps_without_ascii_escapes(text: str) -> None:
    # The ASCII fast path (encode_basestring_ascii, which alone escapes DEL and anything
    # above) must write the bytes json.dumps(..., ensure_ascii=False) does.
    for data in (text, text + "\x7f"):
        line = list(encode(Header(80, 24), [Event(500_000, "o", data)], 2))[1]
        assert line == f'[0.5, "o", {json.dumps(data, ensure_ascii=False)}]\n'


@given(st.integers(min_value=0, max_value=10**13))
def test_event_times_are_format_seconds(time_us: int) -> None:
    # The writer formats each event's time inline: it must be format_seconds' text.
    line = list(encode(Header(80, 24), [Event(time_us, "o", "x")], 2))[1]
    assert line == f'[{format_seconds(time_us)}, "o", "x"]\n'
