"""A clear (ED 2) and ED 3 as asciinema-player 3.18's terminal (avt 0.20) has them: the
screen's rows down to the last with text go to the scrollback, ED 3 keeps it; a growth in
rows brings them back (tests/data/screens/erase_display.cast holds each export against the
player in Chromium). Here: the subtitles and the text export read those rows right."""

from __future__ import annotations

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header
from genact_cast.publish.screens import Timeline, last_screen, row_text
from genact_cast.publish.vtt import render_vtt
from tests.test_vtt import cues, lines

# bash running `seq 3`, then `clear` (ncurses' clear for xterm: `ESC[H ESC[2J ESC[3J`),
# then the terminal made taller, then `echo hi`.
SESSION = [
    (0.5, OUTPUT, "$ "),
    (1.0, OUTPUT, "seq 3"),
    (1.5, OUTPUT, "\r\n1\r\n2\r\n3\r\n$ "),
    (2.0, OUTPUT, "clear"),
    (2.5, OUTPUT, "\r\n\x1b[H\x1b[2J\x1b[3J$ "),
    (3.0, RESIZE, "20x10"),
    (3.5, OUTPUT, "echo hi"),
    (4.0, OUTPUT, "\r\nhi\r\n$ "),
]


def timeline() -> Timeline:
    events = [Event(round(t * 1_000_000), code, data) for t, code, data in SESSION]
    return Timeline(Header(20, 5), events)


def test_rows_a_clear_sent_to_the_scrollback_come_back_when_the_terminal_grows() -> None:
    rows = [row_text(row).rstrip() for row in last_screen(timeline()).rows]
    # the five rows the clear saved, then the prompt it left with the command after it
    assert rows[:8] == ["$ seq 3", "1", "2", "3", "$ clear", "$ echo hi", "hi", "$"]


def test_rows_a_clear_saved_are_not_told_again_when_a_growth_brings_them_back() -> None:
    told = lines(cues(render_vtt(timeline())))
    assert told == ["$ seq 3", "1", "2", "3", "$ clear", "$ echo hi", "hi"]
