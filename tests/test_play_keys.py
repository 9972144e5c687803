"""`play` reads keys the way a terminal sends them: no report or paste is a key press.

The reports are those xterm's ctlseqs ("Mouse Tracking", "Bracketed Paste Mode", "PC-Style
Function Keys", DSR/DA replies) says a terminal sends on its input; the filter lets a cast
switch on mouse tracking (9, 1000-1003 with 1005/1006/1015/1016 encodings), focus events
(1004), bracketed paste (2004), application keypad and cursor keys (review-attack10 F4).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.player.keys import ESC_DELAY, PASTE_END, SEQUENCE_GAP, KeyReader

ESC = "\x1b"
# What a user can press that is read as a bare key: printable ASCII and the C0 controls,
# not ESC itself (a lone ESC is told apart by time, tested below).
bare_keys = st.binary(min_size=1, max_size=4).map(
    lambda b: bytes(c & 0x7F for c in b if c & 0x7F != 0x1B)
)
numbers = st.integers(min_value=0, max_value=9999).map(str)


def _csi(params: list[str], final: str, private: str = "") -> bytes:
    return f"{ESC}[{private}{';'.join(params)}{final}".encode()


def _utf8_coordinate(n: int) -> bytes:
    return chr(32 + n).encode()  # mode 1005: 32 + n as one UTF-8 character


x10_mouse = st.tuples(st.binary(min_size=3, max_size=3)).map(lambda t: b"\x1b[M" + t[0])
sgr_mouse = st.tuples(numbers, numbers, numbers, st.sampled_from("Mm")).map(
    lambda t: _csi([t[0], t[1], t[2]], t[3], "<")
)
urxvt_mouse = st.tuples(numbers, numbers, numbers).map(lambda t: _csi(list(t), "M"))
highlight = st.one_of(
    st.binary(min_size=2, max_size=2).map(lambda b: b"\x1b[t" + b),
    st.binary(min_size=6, max_size=6).map(lambda b: b"\x1b[T" + b),
)
replies = st.one_of(
    st.sampled_from([b"\x1b[I", b"\x1b[O", b"\x1b[0n", b"\x1b[3n"]),  # focus in/out, DSR
    st.tuples(numbers, numbers).map(lambda t: _csi(list(t), "R")),  # cursor position
    st.lists(numbers, min_size=1, max_size=6).map(lambda p: _csi(p, "c", "?")),  # DA1
    st.lists(numbers, min_size=1, max_size=3).map(lambda p: _csi(p, "c", ">")),  # DA2
    st.tuples(numbers, numbers).map(lambda t: _csi(list(t), "y", "?").replace(b"y", b"$y")),
    st.text("0123456789;qmr$ ", max_size=40).map(lambda s: f"{ESC}P1$r{s}{ESC}\\".encode()),
    st.text("0123456789abcdef/:;rgb", max_size=40).map(lambda s: f"{ESC}]11;{s}\x07".encode()),
    st.text("0123456789;abcdef", max_size=40).map(lambda s: f"{ESC}_G{s}{ESC}\\".encode()),
)
function_keys = st.one_of(
    # SS3: F1-F4, arrows, and the keypad under DECKPAM (ESC O SP, ESC O q is keypad 1...);
    # never a digit or 0x3A-0x3F, which are the old modifier parameter (ESC O 5 P), not a
    # final: xterm sends no `ESC O 0` (ci-s11d drew it and the space after it)
    st.integers(min_value=0x20, max_value=0x7E)
    .filter(lambda c: not 0x30 <= c <= 0x3F)
    .map(lambda c: b"\x1bO" + bytes([c])),
    st.sampled_from([b"\x1bO5P", b"\x1bO2q"]),  # old modifier parameter
    st.tuples(numbers, numbers, st.sampled_from("ABCDFHPQRS~")).map(
        lambda t: _csi([t[0], t[1]], t[2])
    ),  # CSI 1;5A, CSI 15~ ...
    st.integers(min_value=0x20, max_value=0x7E)
    .filter(lambda c: c not in b"[OP]_^X")
    .map(lambda c: b"\x1b" + bytes([c])),  # Alt + a key, q and space included
)
pastes = (
    st.binary(max_size=200)
    .filter(lambda b: PASTE_END not in b)
    .map(lambda b: b"\x1b[200~" + b + PASTE_END)
)
reports = st.one_of(x10_mouse, sgr_mouse, urxvt_mouse, highlight, replies, function_keys, pastes)


def _read(chunks: list[bytes], reader: KeyReader | None = None) -> bytes:
    reader = reader or KeyReader()
    now, keys = 100.0, b""
    for chunk in chunks:
        keys += reader.feed(chunk, now)
        now += ESC_DELAY / 10  # a terminal writes a report at once
    return keys


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@given(
    st.lists(st.one_of(bare_keys.map(lambda k: (k, k)), reports.map(lambda r: (r, b"")))),
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
)
def test_no_report_is_read_as_a_key_however_the_input_is_split(
    parts: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    data = b"".join(sent for sent, _ in parts)
    assert _read(_split(data, cuts)) == b"".join(keys for _, keys in parts)


@given(
    st.lists(
        st.one_of(
            bare_keys.map(lambda k: (k, k)),
            st.tuples(st.integers(0, 2015), st.integers(0, 2015), st.integers(0, 2015)).map(
                lambda t: (b"\x1b[M" + b"".join(_utf8_coordinate(n) for n in t), b"")
            ),
        )
    ),
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
)
def test_utf8_mouse_reports_are_read_whole(
    parts: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    data = b"".join(sent for sent, _ in parts)
    reader = KeyReader(utf8_mouse=lambda: True)
    assert _read(_split(data, cuts), reader) == b"".join(keys for _, keys in parts)


def test_the_reviews_reports_press_no_key() -> None:
    for sent in (
        b"\x1b[M !!\x1b[M#!!",  # a left click at 1,1: Cb is a space
        b"\x1b[M q!",  # a press in column 81: Cx is q
        b"\x1b[M ++\x1b[M#++",  # column 11: +
        b"\x1b[200~hello q world\x1b[201~",
        b"\x1bOq",  # keypad 1 under DECKPAM
    ):
        assert _read([sent]) == b""
        assert _read([bytes([b]) for b in sent]) == b""  # one byte a read


def test_a_lone_esc_is_a_key_and_the_next_key_counts() -> None:
    reader = KeyReader()
    assert reader.feed(b"\x1b", 10.0) == b""  # perhaps the start of a sequence
    assert reader.feed(b"q", 10.0 + 2 * ESC_DELAY) == b"\x1bq"  # no: ESC alone, then q
    assert reader.feed(b"\x1b\x03", 20.0) == b"\x1b\x03"  # ESC then Ctrl-C: Ctrl-C counts
    assert reader.feed(b"\x1bq", 30.0) == b""  # Alt-q


def test_an_unfinished_report_is_given_up_after_a_pause() -> None:
    reader = KeyReader()
    assert reader.feed(b"\x1b[200~pasted q", 10.0) == b""
    assert reader.feed(b" more", 10.5) == b""  # still the paste
    assert reader.feed(b"q", 10.5 + 2 * SEQUENCE_GAP) == b"q"  # the paste never ended
    assert reader.feed(b"\x1b[12;", 20.0) == b""
    assert reader.feed(b" ", 20.0 + 2 * SEQUENCE_GAP) == b" "


terminal_reports = st.one_of(x10_mouse, sgr_mouse, urxvt_mouse, highlight, replies, pastes)


@given(
    st.lists(st.one_of(bare_keys.map(lambda k: (k, k)), terminal_reports.map(lambda r: (r, b"")))),
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
    st.lists(st.floats(min_value=0.0, max_value=0.95 * SEQUENCE_GAP), max_size=8),
)
def test_no_report_is_read_as_a_key_whatever_the_delays_between_its_pieces(
    parts: list[tuple[bytes, bytes]], cuts: list[int], delays: list[float]
) -> None:
    """review-attack11 finding 3: a lone ESC, then 120 ms later the rest of a DECRQSS reply
    (`P1$r0 q ESC \\`), pressed space and q. A report split anywhere, each piece after any
    delay a terminal may take (short of the 1 s that ends an unfinished one), presses no key;
    the keys around it still count."""
    data = b"".join(sent for sent, _ in parts)
    reader, now, keys = KeyReader(), 100.0, b""
    for index, chunk in enumerate(_split(data, cuts)):
        keys += reader.feed(chunk, now)
        now += delays[index % len(delays)] if delays else 0.0
    assert keys == b"".join(pressed for _, pressed in parts)


def test_the_reviews_split_reply_presses_no_key_and_a_lone_esc_still_counts() -> None:
    for gap in (0.12, 0.3, 0.9):
        reader = KeyReader()
        assert reader.feed(b"\x1b", 10.0) == b""
        assert reader.feed(b"P1$r0 q\x1b\\", 10.0 + gap) == b""
        assert reader.feed(b"q", 11.0 + gap) == b"q"  # a key after it counts
    reader = KeyReader()
    assert reader.feed(b"\x1b", 10.0) == b""
    assert reader.feed(b" ", 10.3) == b"\x1b "  # ESC alone, then space: both keys
    assert reader.feed(b"\x1b", 20.0) == b""
    assert reader.feed(b"]", 20.0 + 2 * SEQUENCE_GAP) == b"\x1b]"  # long after: keys
