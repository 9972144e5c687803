"""Reading casts: v1, v2, v3, streamed, and every malformed file named by line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.asciicast import Event, Header, encode
from genact_cast.asciicast.reader import CastReader
from genact_cast.errors import CastFormatError
from genact_cast.sources import open_cast

ROOT = Path(__file__).resolve().parent.parent


def read(data: bytes, source: str = "x.cast") -> tuple[Header, list[Event]]:
    reader = CastReader(iter(data.splitlines(keepends=True)), source)
    return reader.header, list(reader.events())


events_strategy = st.lists(
    st.tuples(
        st.integers(0, 10**8),
        st.sampled_from(["o", "m", "i", "r"]),
        st.text(st.characters(codec="utf-8"), max_size=20),
    ),
    max_size=30,
)


@given(events_strategy, st.sampled_from([2, 3]))
def test_what_we_write_reads_back_the_same(raw: list[tuple[int, str, str]], version: int) -> None:
    times = sorted(t for t, _, _ in raw)
    events = [Event(t, code, data) for t, (_, code, data) in zip(times, raw, strict=True)]
    header = Header(cols=90, rows=25, title="t")
    text = "".join(encode(header, events, version)).encode("utf-8")
    read_header, read_events = read(text)
    assert (read_header.cols, read_header.rows, read_header.title) == (90, 25, "t")
    assert read_events == events


def test_example_casts_read_in_v2_and_v3_alike() -> None:
    with (
        open_cast(str(ROOT / "casts/seed7.cast")) as v2,
        open_cast(str(ROOT / "casts/seed7-v3.cast")) as v3,
    ):
        assert list(v2.events()) == list(v3.events())


def test_v1_casts_are_read() -> None:
    data = b"""{
  "version": 1, "width": 80, "height": 24, "duration": 1.5,
  "stdout": [[0.5, "hello "], [1.0, "world"]]
}
"""
    header, events = read(data)
    assert (header.version, header.cols) == (1, 80)
    assert events == [Event(500_000, "o", "hello "), Event(1_500_000, "o", "world")]


def test_v3_comments_and_exit_events_are_fine() -> None:
    data = (
        b'{"version": 3, "term": {"cols": 80, "rows": 24}}\n# a comment\n'
        b'[0.5, "o", "a"]\n[0.25, "x", "0"]\n'
    )
    _, events = read(data)
    assert events == [Event(500_000, "o", "a"), Event(750_000, "x", "0")]


def test_reading_is_lazy_one_line_at_a_time() -> None:
    def lines() -> Iterator[bytes]:
        yield b'{"version": 2, "width": 80, "height": 24}\n'
        yield b'[0.1, "o", "a"]\n'
        raise AssertionError("read past what was asked for")

    reader = CastReader(lines(), "lazy")
    assert next(reader.events()) == Event(100_000, "o", "a")


HEADER = b'{"version": 2, "width": 80, "height": 24}\n'

MALFORMED = [
    (b"", "x.cast:1: empty file: no asciicast header"),
    (b"\n\n", "x.cast:1: empty file: no asciicast header"),
    (b"not json\n", "x.cast:1: the header is not valid JSON"),
    (b"[1, 2]\n", "x.cast:1: the header must be a JSON object"),
    (b'{"width": 80, "height": 24}\n', "x.cast:1: the header has no 'version'"),
    (b'{"version": 7, "width": 80, "height": 24}\n', "x.cast:1: unknown asciicast version 7"),
    (b'{"version": 2, "width": -1, "height": 24}\n', "x.cast:1: terminal width/cols must be"),
    (b'{"version": 2, "width": "80", "height": 24}\n', "x.cast:1: terminal width/cols must be"),
    (b'{"version": 3, "width": 80, "height": 24}\n', "x.cast:1: v3 header needs a 'term'"),
    (HEADER + b'[0.1, "o", "a"]\n{"oops"\n', "x.cast:3: not valid JSON"),
    (HEADER + b'[0.1, "o"]\n', "x.cast:2: an event must be a JSON array [time, code, data]"),
    (HEADER + b'["0.1", "o", "a"]\n', "x.cast:2: event time must be a number"),
    (HEADER + b'[0.1, "o", 5]\n', "x.cast:2: event code and data must be strings"),
    (
        HEADER + b'[NaN, "o", "a"]\n',
        "x.cast:2: not valid JSON: NaN is not a number a cast may hold",
    ),
    (HEADER + b'[Infinity, "o", "a"]\n', "x.cast:2: not valid JSON: Infinity is not a number"),
    (HEADER + b'[-1, "o", "a"]\n', "x.cast:2: event time must not be negative"),
    (HEADER + b'[2.0, "o", "a"]\n[1.0, "o", "b"]\n', "x.cast:3: time goes backwards"),
    (HEADER + b'[0.1, "o", "\xff\xfe"]\n', "x.cast:2: invalid UTF-8 at byte 13"),
    (b'\xff{"version": 2}\n', "x.cast:1: invalid UTF-8 at byte 1"),
    (HEADER + b'[0.1, "o", "a"]\n[0.2, "o", "tru', "x.cast:3: truncated last line"),
    (b'{\n"version": 1, "width": 80, "height": 24, "stdout": [[0.1]]}\n', "x.cast:1: v1 frame 1"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_casts_are_reported_by_line(data: bytes, message: str) -> None:
    with pytest.raises(CastFormatError) as info:
        read(data)
    assert str(info.value).startswith(message), str(info.value)


def test_events_before_a_truncated_line_are_still_read() -> None:
    reader = CastReader(iter((HEADER + b'[0.1, "o", "a"]\n[0.2, "o", "b').splitlines(True)), "t")
    events = reader.events()
    assert next(events) == Event(100_000, "o", "a")
    with pytest.raises(CastFormatError, match="truncated"):
        next(events)
