"""--text against asciinema-player 3.18 (review-exports4 items 6 and 7): the characters its
DOM holds for DEC special graphics, and its chapters."""

from __future__ import annotations

from pathlib import Path

from genact_cast.asciicast import MARKER, OUTPUT, Event, Header
from genact_cast.publish.screens import Timeline, last_screen, row_text
from genact_cast.publish.text import render_text
from genact_cast.sources import open_cast

# asciinema-player 3.18.0's table for `ESC ( 0`, 0x60-0x7e, as its bundled wasm holds it
# (avt's SPECIAL_GFX_CHARS, src/charset.rs:7-10 at v0.18.0); `_` and anything below 0x60
# are themselves.
PLAYER_DEC_GRAPHICS = "♦▒␉␌␍␊°±␤␋┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£⋅"
KEYS = "".join(map(chr, range(0x60, 0x7F)))
SCREENS = Path(__file__).parent / "data" / "screens"


def test_dec_special_graphics_are_the_players_characters_in_every_export() -> None:
    """G0 (`ESC ( 0`) and G1 (`ESC ) 0` with SO/SI): the screen every export draws and
    --text holds U+2666, U+2424 and U+22C5 for `` ` ``, `h` and `~` (pyte's table has
    U+25C6, U+2591, U+00B7), and `_` as `_` (pyte: a no-break space)."""
    data = f"\x1b(0_{KEYS}\x1b(B\r\n\x1b)0\x0e_{KEYS}\x0f {KEYS[:2]}\r\n"
    timeline = Timeline(Header(40, 4), [Event(100_000, OUTPUT, data)])
    rows = [row_text(row) for row in last_screen(timeline).rows]
    assert rows[0] == "_" + PLAYER_DEC_GRAPHICS
    assert rows[1] == "_" + PLAYER_DEC_GRAPHICS + " `a"
    text = render_text(Timeline(Header(40, 4), [Event(100_000, OUTPUT, data)]))
    assert text.splitlines()[0] == "_" + PLAYER_DEC_GRAPHICS


def test_an_unnamed_marker_is_a_numbered_chapter_not_a_blank_title() -> None:
    events = [
        Event(300_000, OUTPUT, "$ echo a\r\na\r\n"),
        Event(1_000_000, MARKER, "second"),
        Event(1_200_000, OUTPUT, "$ echo b\r\n"),
        Event(2_000_000, MARKER, ""),
        Event(2_200_000, OUTPUT, "$ echo c\r\n"),
        Event(2_500_000, MARKER, " \n "),
    ]
    text = render_text(Timeline(Header(30, 5), events))
    chapters = text.split("\nChapters\n\n")[1].splitlines()
    assert chapters == ["0:01  second", "0:02  Marker 2", "0:02  Marker 3"]


def test_a_powerline_glyph_is_a_blank_cell_as_in_the_players_text_never_u_fffd() -> None:
    """review-exports5 item 7: a zsh prompt with U+E0B0 arrows (recorded with asciinema
    2.4). asciinema-player 3.18's `.ap-line` text has a space in each arrow's cell (it
    draws them as SVG symbols); --text gives the same, so the columns stay in place."""
    with open_cast(str(SCREENS / "zsh_powerline.cast")) as reader:
        text = render_text(Timeline(reader.header, reader.events()))
    assert "\ufffd" not in text
    lines = [line for line in text.splitlines() if "ls /nonexistent" in line]
    assert lines
    assert lines[0].startswith("  ~/src   ls /nonexistent ")


def test_an_emoji_zwj_sequence_with_a_symbol_made_emoji_by_vs16_is_kept_whole() -> None:
    """review-exports11 item 12: 🙂‍↔️ ("head shaking", U+1F642 U+200D U+2194 U+FE0F) lost
    its ZWJ (U+2194 is a math symbol), so a screen reader said "slightly smiling face, left
    right arrow". asciinema-player 3.18.0's `.ap-line` text (read in Chromium, after the
    wide emoji's blank right half) holds the ZWJ in each of these rows; a ZWJ between two
    letters is a format character the text export drops, as before."""
    with open_cast(str(SCREENS / "zwj_text.cast")) as reader:
        text = render_text(Timeline(reader.header, reader.events()))
    assert text.splitlines() == [
        "h\U0001f642\u200d\u2194\ufe0fk|",
        "n\U0001f642\u200d\u2195\ufe0fo|",
        "p\U0001f3c3\u200d\u27a1\ufe0fq|",
        "ab x\U0001f426\u200d\u2b1b|",
    ]
