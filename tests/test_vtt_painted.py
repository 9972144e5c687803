"""Programs that paint the normal screen in place without taking the keys or addressing
rows (no alternate screen, no keypad mode: `top` and `watch` on TERM=ansi refresh with
`ESC[H` and each row written over, `ESC[K` after its text; a curses program there): one
cue named for the command, as a full-screen program's session is (review-exports13's
`top` on TERM=ansi, left by vtt2: a rule of "erased whole twice" had made genact's
dashboards and `clear` loops programs). Real recordings in a pty with asciinema 2.4
(scripts/record_subtitles_shells.py); the player shows each program painting the screen."""

from __future__ import annotations

from tests.test_vtt import SUBTITLES, cues_of_file, lines

PAGES = ("top - ", "Tasks:", "%Cpu", "MiB Mem", "Every 1.0s", "Clock ", "  tick", "  load")


def test_a_program_written_over_from_its_first_row_is_one_cue_named() -> None:
    found = cues_of_file("painted_in_place.cast", SUBTITLES)
    told = lines(found)
    for cue in [
        ("00:00:08.855", ["[top]"]),
        ("00:00:18.823", ["[watch]"]),
        ("00:00:27.635", ["[clock.py]"]),
    ]:
        assert cue in found, found
    assert not [line for line in told if line.startswith(PAGES)], told
    # A `clear` loop (its first row blanked before it is written) is no program: its
    # lines are told, as redrawn.
    assert "$ for i in 1 2 3; do clear; date; seq 3; sleep 1; done" in told
    assert [line for line in told if line in ("1", "2", "3")] == ["1", "2", "3"]
    assert told[-3:] == ["after", "$ exit", "exit"], told


def test_top_after_vim_on_a_terminal_without_an_alternate_screen_is_one_cue() -> None:
    found = cues_of_file("cleared_before_painting.cast", SUBTITLES)
    assert ("00:00:18.988", ["[top]"]) in found, found
    assert not [line for line in lines(found) if line.startswith(PAGES)], found
