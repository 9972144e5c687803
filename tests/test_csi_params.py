"""A CSI's parameters folded to what avt 0.16 keeps of them (publish/csi_params.py).

The reference for what is kept is avt's parser (src/parser.rs at v0.16.0: 32 parameters,
6 colon parts, u16 numbers that wrap) and asciinema-player 3.18 in Chromium
(tests/data/screens/sgr_params.cast in tests/test_player_parity.py); here, that a folded
string reads as its original whatever follows it, and that a sequence of any length is
carried between events in bounded memory.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.publish import csi_params
from genact_cast.publish.terminal import Terminal
from genact_cast.publish.vtparse import Parser

BODIES = st.text(alphabet="0123456789;:", max_size=400)


@given(BODIES, BODIES)
def test_a_folded_string_reads_as_its_original_whatever_follows(head: str, tail: str) -> None:
    assert csi_params.fold(csi_params.fold(head) + tail) == csi_params.fold(head + tail)
    assert len(csi_params.fold(head + tail)) <= csi_params.FOLDED_MAX


def test_numbers_wrap_as_avts_u16_do() -> None:
    assert csi_params.number("65567") == 31
    assert csi_params.number("9" * 4000) == int(csi_params.fold("9" * 4000))
    assert int(csi_params.fold("9" * 4000)) == int("9" * 4000) % 65536


def test_an_endless_sgr_fed_in_small_events_is_kept_bounded_and_applied() -> None:
    term = Terminal(20, 3)
    parser = Parser(term)
    parser.feed("\x1b[")
    longest = 0
    for _ in range(20_000):  # 100,000 parameter bytes, 5 at a time
        parser.feed("0;0;0"[:5] if _ % 2 else ";0;0;")
        longest = max(longest, len(parser.sequence))
    parser.feed(";31mR")
    assert longest <= csi_params.FOLDED_MAX + 8
    assert term.buffer[0][0].data == "R"
    assert term.buffer[0][0].fg == "red"
