"""Reading casts: v1, v2, v3, streamed, and every malformed file named by line."""

from __future__ import annotations

import io
import json
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
    reader = CastReader(io.BytesIO(data), source)
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
    events = [
        Event(t, code, f"{len(data) + 1}x24" if code == "r" else data)  # resizes: COLSxROWS
        for t, (_, code, data) in zip(times, raw, strict=True)
    ]
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


class _Endless(io.RawIOBase):
    """A header, one event, then the same event forever: reading it all never ends."""

    def __init__(self) -> None:
        self.data = b'{"version": 2, "width": 80, "height": 24}\n'
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self.data) < len(buffer):
            self.data += b'[0.1, "o", "a"]\n'
        size = len(buffer)
        buffer[:size] = self.data[:size]
        self.data = self.data[size:]
        self.served += size
        return size


def test_reading_is_lazy_and_bounded() -> None:
    raw = _Endless()
    reader = CastReader(io.BufferedReader(raw), "lazy")
    assert next(reader.events()) == Event(100_000, "o", "a")
    assert raw.served < 4 << 20


HEADER = b'{"version": 2, "width": 80, "height": 24}\n'

MALFORMED = [
    (b"", "x.cast:1: empty file: no asciicast header"),
    (b"\n\n", "x.cast:2: no asciicast header: the file holds only blank lines"),
    (b" \r\n\t\n", "x.cast:2: no asciicast header: the file holds only blank lines"),
    (b"not json\n", "x.cast:1: the header is not valid JSON"),
    (b"[1, 2]\n", "x.cast:1: the header must be a JSON object"),
    (b'{"width": 80, "height": 24}\n', "x.cast:1: the header has no 'version'"),
    (b'{"version": 7, "width": 80, "height": 24}\n', "x.cast:1: unknown asciicast version 7"),
    (b'{"version": 2, "width": -1, "height": 24}\n', "x.cast:1: terminal width/cols must be"),
    (b'{"version": 2, "width": "80", "height": 24}\n', "x.cast:1: terminal width/cols must be"),
    (b'{"version": 3, "width": 80, "height": 24}\n', "x.cast:1: v3 header needs a 'term'"),
    (HEADER + b'[0.1, "o", "a"]\n{"oops"\n', "x.cast:3: not valid JSON"),
    (HEADER + b'[0.1, \n"o", "a"]\n', "x.cast:2: not valid JSON"),  # one event, two lines
    (HEADER + b'[0.1, "o"]\n', "x.cast:2: an event must be a JSON array [time, code, data]"),
    (HEADER + b'["0.1", "o", "a"]\n', "x.cast:2: event time must be a number"),
    (HEADER + b'[true, "o", "a"]\n', "x.cast:2: event time must be a number (got true)"),
    (
        b'{"version": 2, "width": true, "height": 24}\n',
        "x.cast:1: terminal width/cols must be an integer from 1 to 1000 (got true)",
    ),
    (HEADER + b'[0.1, "o", 5]\n', "x.cast:2: event code and data must be strings"),
    (
        HEADER + b'[NaN, "o", "a"]\n',
        "x.cast:2: not valid JSON: NaN is not a number a cast may hold",
    ),
    (HEADER + b'[Infinity, "o", "a"]\n', "x.cast:2: not valid JSON: Infinity is not a number"),
    (HEADER + b'[-1, "o", "a"]\n', "x.cast:2: event time must be 0 to 1e+08 seconds (got -1)"),
    (HEADER + b'[1e308, "o", "a"]\n', "x.cast:2: event time must be 0 to 1e+08 seconds"),
    (HEADER + b"[" + b"9" * 400 + b', "o", "a"]\n', "x.cast:2: event time must be 0 to"),
    (
        b'{"version": 3, "term": {"cols": 80, "rows": 24}}\n' + b'[9e7, "o", "a"]\n' * 2,
        "x.cast:3: the cast is longer than 1e+08 seconds",
    ),
    (HEADER + b"[" * 100_000 + b"\n", "x.cast:2: JSON nested deeper than the limit"),
    (b"[" * 100_000 + b"\n", "x.cast:1: JSON nested deeper than the limit of 64 levels"),
    (b'{"a": ' * 100_000 + b"\n", "x.cast:1: JSON nested deeper than the limit of 64 levels"),
    (b'{"version": 2.0, "width": 80, "height": 24}\n', "x.cast:1: unknown asciicast version 2.0"),
    (b'{"version": 2, "width": 80, "height": 10000000}\n', "x.cast:1: terminal height/rows must"),
    (b'{"version": 3, "term": {"cols": 1001, "rows": 2}}\n', "x.cast:1: terminal width/cols"),
    (b'{"version": 2, "width": 80, "height": 24, "idle_time_limit": 1e308}\n', "x.cast:1: 'idle"),
    (b'{"version": 2, "width": 80, "height": 24, "timestamp": 1e300}\n', "x.cast:1: 'timestamp'"),
    (HEADER + '[1, "r", "²x²"]\n'.encode(), "x.cast:2: a resize event must be COLSxROWS"),
    (HEADER + b'[1, "r", "80x0"]\n', "x.cast:2: a resize event must be COLSxROWS"),
    (b'{"version": 2, "width": 80,\n[0.1, "o", "a"]\n', "x.cast:1: the header is not valid JSON"),
    (b"{not json at all\n" + b'[0.1, "o", "a"]\n' * 9, "x.cast:1: the header is not valid JSON"),
    (
        b'{\n  "version": 7,\n  "width": 80, "height": 24\n}\n',
        "x.cast:1: unknown asciicast version 7",
    ),
    (b"\0" * (2 << 20), "x.cast:1: the header line is longer than the limit of 1,048,576 bytes"),
    # A long line that starts an object is read on, as a v1 cast may be one line; a v2
    # header is still held to its own limit, and a v1 document to its 64 MiB.
    (
        b'{"version": 2, "width": 80, "height": 24, "title": "' + b"t" * (2 << 20) + b'"}\n',
        "x.cast:1: the header line is longer than the limit of 1,048,576 bytes",
    ),
    (
        b'{"version": 1, "width": 80, "height": 24, "stdout": [[0, "' + b"o" * (65 << 20),
        "x.cast:1: the line of a v1 cast's JSON document is longer than the limit of 67,108,864",
    ),
    # review-attack8 trivia: JSON's spelling of the value; a second document after a v1 one.
    (b'{"version": true, "width": 80, "height": 24}\n', "x.cast:1: unknown asciicast version true"),
    (
        b'{"version": 1, "width": 80, "height": 24, "stdout": []}\n\n{"version": 1}\n',
        "x.cast:3: text after the v1 cast's JSON document",
    ),
    (HEADER + b'[0.1, "o", "' + b"a" * (65 << 20), "x.cast:2: the line is longer than the limit"),
    (HEADER + b'[2.0, "o", "a"]\n[1.0, "o", "b"]\n', "x.cast:3: time goes backwards"),
    (HEADER + b'[0.1, "o", "\xff\xfe"]\n', "x.cast:2: invalid UTF-8 at byte 13"),
    (b'\xff{"version": 2}\n', "x.cast:1: invalid UTF-8 at byte 1"),
    (HEADER + b'[0.1, "o", "a"]\n[0.2, "o", "tru', "x.cast:3: truncated last line"),
    (b'{\n"version": 1, "width": 80, "height": 24, "stdout": [[0.1]]}\n', "x.cast:1: v1 frame 1"),
    # CR-only line endings (review-attack3 item 12): named, not JSON's "Extra data".
    (HEADER.replace(b"\n", b"\r") + b'[0.1, "o", "a"]\r', "x.cast:1: lines end in CR alone"),
    (HEADER + b'[0.1, "o", "a"]\r[0.2, "o", "b"]\r', "x.cast:2: lines end in CR alone"),
    (b'{\r"version": 2, "width": 80, "height": 24}\r[0.1, "o", "a"]\r', "x.cast:1: lines end in"),
    (b'{"version": 2,\r"width": 80, "height": 24}\r[0.1, "o", "a"]\r', "x.cast:1: lines end in"),
]


@pytest.mark.parametrize(("idle", "taken"), [("2.5", 2.5), ("5", 5.0), ("null", None)])
def test_an_idle_limit_is_a_number_above_0(idle: str, taken: float | None) -> None:
    data = f'{{"version": 2, "width": 80, "height": 24, "idle_time_limit": {idle}}}\n'
    header, _ = read(data.encode() + b'[0.1, "o", "a"]\n')
    assert header.idle_time_limit == taken


@pytest.mark.parametrize("idle", ["0", "-5", "-0.5", '"5"', '"abc"', "true", "[1]"])
def test_an_idle_limit_no_reference_plays_as_recorded_is_refused_naming_it(idle: str) -> None:
    """review-attack10 F2: -5 was dropped silently and "5" read as 5, where "cols": "80"
    is refused. The spec says Float; `asciinema rec -i` writes only numbers above 0;
    asciinema 2.4.0's play fails on a string and, like asciinema-player 3.17, removes every
    pause for a limit of 0 or below."""
    data = f'{{"version": 2, "width": 80, "height": 24, "idle_time_limit": {idle}}}\n'
    with pytest.raises(CastFormatError) as info:
        read(data.encode() + b'[0.1, "o", "a"]\n')
    assert str(info.value) == (
        f"x.cast:1: 'idle_time_limit' must be a number above 0, at most 1e+08 (got {idle})"
    )


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_casts_are_reported_by_line(data: bytes, message: str) -> None:
    with pytest.raises(CastFormatError) as info:
        read(data)
    assert str(info.value).startswith(message), str(info.value)


def test_a_v1_cast_on_one_line_is_read() -> None:
    header, events = read(b'{"version": 1, "width": 80, "height": 24, "stdout": [[0.5, "hi"]]}')
    assert header.version == 1
    assert events == [Event(500_000, "o", "hi")]


def test_a_v1_cast_on_one_line_past_the_header_limit_is_read() -> None:
    """review-attack8 item 7: a compact v1 dump of 100,000 frames is one line of megabytes; the
    README gives a v1 cast (one JSON document) 64 MiB, and the reader stopped at 1 MiB."""
    frames = [[0.1, "abc"]] * 100_000
    data = json.dumps({"version": 1, "width": 80, "height": 24, "stdout": frames}).encode()
    assert len(data) > 1 << 20
    assert b"\n" not in data
    header, events = read(data + b"\n\n")  # (blank lines after it are fine)
    assert (header.version, len(events), events[-1]) == (1, 100_000, Event(10**10, "o", "abc"))


def test_a_pretty_printed_v2_header_is_read() -> None:
    header, events = read(b'{\n  "version": 2,\n  "width": 80,\n  "height": 24\n}\n[1, "o", "a"]\n')
    assert (header.version, header.cols) == (2, 80)
    assert events == [Event(1_000_000, "o", "a")]


def test_lone_surrogates_become_the_replacement_character() -> None:
    header, events = read(
        b'{"version": 2, "width": 80, "height": 24, "title": "t\\ud800"}\n'
        b'[1, "o", "\\udc9d52;c;x\\u0007"]\n[2, "m", "\\uDFFF"]\n'
    )
    assert header.title == "t\ufffd"
    assert [e.data for e in events] == ["\ufffd52;c;x\x07", "\ufffd"]


@pytest.mark.parametrize(
    "theme",
    [
        {"fg": "#fff", "bg": "#000", "palette": ""},
        {"fg": "#ffffff", "bg": "#000000", "palette": ":".join(["#000000"] * 7)},
        {"fg": '#000"/><script>', "bg": "#000000", "palette": ":".join(["#000000"] * 8)},
        {"fg": "#000000", "bg": "#000000", "palette": ":".join(["url(x)"] * 16)},
    ],
)
def test_a_theme_that_is_not_one_is_ignored(theme: dict[str, str]) -> None:
    line = json.dumps({"version": 2, "width": 80, "height": 24, "theme": theme})
    assert read(line.encode())[0].theme is None


def test_events_before_a_truncated_line_are_still_read() -> None:
    reader = CastReader(io.BytesIO(HEADER + b'[0.1, "o", "a"]\n[0.2, "o", "b'), "t")
    events = reader.events()
    assert next(events) == Event(100_000, "o", "a")
    with pytest.raises(CastFormatError, match="truncated"):
        next(events)


# Every shape of line that is cheap to send: blank, whitespace, comments, resizes,
# markers, tiny events, v1 frames, blank lines before the header. Each counts against
# the one limit on lines, which the reader enforces for every command.
CHEAP_LINES = [
    (HEADER, b"\n"),
    (HEADER, b" \r\n"),
    (b'{"version": 3, "term": {"cols": 80, "rows": 24}}\n', b"# comment\n"),
    (HEADER, b'[0, "r", "80x24"]\n'),
    (HEADER, b'[0, "m", ""]\n'),
    (HEADER, b'[0, "o", ""]\n'),
]


@pytest.mark.parametrize(("header", "line"), CHEAP_LINES)
def test_every_cheap_line_counts_against_the_line_limit(
    monkeypatch: pytest.MonkeyPatch, header: bytes, line: bytes
) -> None:
    monkeypatch.setattr("genact_cast.limits.MAX_CAST_LINES", 1000)
    reader = CastReader(io.BytesIO(header + line * 5000), "x.cast")
    seen: list[Event] = []
    events = reader.events()
    with pytest.raises(CastFormatError) as info:
        seen.extend(events)
    assert str(info.value) == "x.cast:1001: the cast has more than the limit of 1,000 lines"
    if line.startswith(b"["):
        assert len(seen) == 999  # everything up to the limit is read first


def test_blank_lines_before_the_header_and_v1_frames_count_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("genact_cast.limits.MAX_CAST_LINES", 1000)
    with pytest.raises(CastFormatError, match=r"x\.cast:1001: the cast has more than the limit"):
        CastReader(io.BytesIO(b"\n" * 5000 + HEADER), "x.cast")
    frames = ",".join(['[0, ""]'] * 2000)
    v1 = f'{{"version": 1, "width": 80, "height": 24, "stdout": [{frames}]}}\n'.encode()
    with pytest.raises(CastFormatError, match="more than the limit of 1,000 frames"):
        list(CastReader(io.BytesIO(v1), "x.cast").events())


def test_everything_read_counts_against_the_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("genact_cast.limits.MAX_CAST_BYTES", 1 << 20)
    data = HEADER + (b'[0, "o", "' + b"x" * 1000 + b'"]\n') * 2000
    with pytest.raises(CastFormatError, match="larger than the limit of 1,048,576 bytes"):
        list(CastReader(io.BytesIO(data), "x.cast").events())


def test_an_unknown_catalogue_name_is_echoed_cut_to_200_characters() -> None:
    # Review-attack3 item 12: a 100,000-character --model was echoed whole.
    from genact_cast.errors import BadOption
    from genact_cast.generator.catalog import find

    with pytest.raises(BadOption) as caught:
        find("model", "A" * 100_000, {"x": "X"})
    assert "A" * 197 + "..." in str(caught.value)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b'{"version": 2, "version": 3, "width": 80, "height": 24}\n[0.1, "o", "x"]\n', "version"),
        (b'{"version": 2, "width": 80,\n "height": 24, "width": 81}\n[0.1, "o", "x"]\n', "width"),
        (b'{"version": 2, "width": 80, "height": 24, "env": {"TERM": "a", "TERM": "b"}}\n', "TERM"),
        (b'{"version": 1, "width": 80, "height": 24, "stdout": [], "stdout": []}', "stdout"),
    ],
)
def test_a_key_given_twice_is_refused(data: bytes, key: str) -> None:
    """issue 20: `{"version":2,"version":3,...}` read as version 3 (json keeps the last)."""
    with pytest.raises(CastFormatError) as info:
        read(data)
    assert str(info.value) == (
        f"x.cast:1: the header is not valid: the key {key!r} appears twice in one object"
    )


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16-le", "UTF-16 (little-endian)"), ("utf-16-be", "UTF-16 (big-endian)"),
     ("utf-32-le", "UTF-32 (little-endian)"), ("utf-32-be", "UTF-32 (big-endian)")],
)  # fmt: skip
def test_a_utf16_or_utf32_cast_is_named_by_its_bom(encoding: str, name: str) -> None:
    """review-attack5 item 6: it was 'invalid UTF-8 at byte 1'."""
    text = '\ufeff{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "hi"]\n'
    with pytest.raises(CastFormatError) as info:
        read(text.encode(encoding))
    assert str(info.value).endswith(
        f":1: the file is {name}, by its byte order mark: save it as UTF-8"
    )
