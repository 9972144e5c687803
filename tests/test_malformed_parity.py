"""Malformed escape sequences holding a character they cannot hold, against the player.

avt 0.16 (asciinema-player 3.18's terminal) reads every character from U+00A0 up as an
`A` in every parser state (src/parser.rs, `feed`): a non-ASCII character ends a CSI or
an escape sequence as its final byte, with nothing dispatched, and the text after it is
printed; in an OSC or a DCS it is payload. A C1 control (U+0080-U+009F) is executed, or
starts its own sequence, wherever it comes; DEL is nothing. The terminal model
(publish/vtparse.py) once kept a CSI open through any non-ASCII text up to the next ASCII
final byte, so whole words vanished (review-exports15 finding 4: `ESC[1;漢字 ok` showed
`k`, the player `字 ok`).

The fuzz builds rows of a sequence's opening, a character it cannot hold and text, and
holds the model's screen to the player's in Chromium, cell by cell (text and colours).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.asciicast import OUTPUT, Event, Header
from tests.player_dom import Player
from tests.screen_parity import differences, model_cells, screen_at

OPENINGS = [
    "\x1b[", "\x1b[1;", "\x1b[?2", "\x1b[>", "\x1b[1 ", "\x1b[1<", "\x1b[38:2:", "\x1b",
    "\x1b#", "\x1b(", "\x1b)", "\x1b %", "\x1b]0;", "\x1b]8;;", "\x1bP", "\x1bP1$", "\x1b_",
    "\x9b", "\x9b1;", "\x90", "\x9d2;",
]  # fmt: skip
# Characters a sequence cannot hold: Latin-1 letters and the first non-control (U+00A0),
# Cyrillic, CJK (wide), an emoji, a combining mark, C1 controls, DEL.
STRANGERS = [
    "ü", "\xa0", "¡", "ф", "漢", "😀", "\u0301", "\x7f", "\x80", "\x84", "\x85", "\x88",
    "\x8d", "\x90", "\x96", "\x9b", "\x9c", "\x9d", "\x9e",
]  # fmt: skip
AFTER = st.text(alphabet="abcxyz019;:[?mHJK \x1b\\\x07字é", max_size=8)
ROW = st.builds(
    lambda opening, strangers, after: opening + "".join(strangers) + after,
    st.sampled_from(OPENINGS),
    st.lists(st.sampled_from(STRANGERS), min_size=1, max_size=2),
    AFTER,
)
# Each row ends with a reset (CAN ends a sequence left open, the SGR and G0 go back) and
# a newline, so one row's state does not decide the next row's text.
ROWS = st.lists(ROW, min_size=1, max_size=6)
END_OF_ROW = "\x18\x1b[m\x1b(B\x0f\r\n"


def cast_of(rows: list[str]) -> tuple[Header, list[Event], str]:
    header = Header(24, 14)
    data = "".join(row + END_OF_ROW for row in rows)
    events = [Event(100_000, OUTPUT, data)]
    text = json.dumps({"version": 2, "width": 24, "height": 14}) + "\n"
    text += json.dumps([0.1, "o", data]) + "\n"
    return header, events, text


def test_the_reviewers_rows_as_in_the_player(player: Player) -> None:
    """review-exports15's h9 rows: a word after a non-ASCII character is kept."""
    rows = ["\x1b[ünïcödé ok", "\x1b[1;漢字 ok", "\x1b[?2ф5h x"]
    header, events, text = cast_of(rows)
    player.load(text)
    expected = player.at(0.5)
    assert expected.text()[:3] == ["nïcödé ok", "字  ok", "5h x"]  # (字 takes two cells)
    assert differences(expected, model_cells(screen_at(header, events, 0.5))) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS)
def test_a_sequence_holding_a_stranger_shows_what_the_player_shows(
    player: Player, rows: list[str]
) -> None:
    header, events, text = cast_of(rows)
    player.load(text)
    found = differences(player.at(0.5), model_cells(screen_at(header, events, 0.5)))
    assert found == [], f"{rows!r}: " + "; ".join(found[:6])
