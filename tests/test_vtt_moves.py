"""Subtitles of rows that move without going to the scrollback (a scroll region's line
feeds, IL, DL, RI), in casts that do much in one event (review-exports13 finding 8), held
against what asciinema-player 3.18 shows in Chromium: every line told was on one of the
player's screens (or went through a scroll region in one event: told as a whole-screen
scroll's lines are, review-exports6 item 11), every row the player showed is in a line
told, and the lines are told in the order the screens show them."""

from __future__ import annotations

from pathlib import Path

import pytest

from genact_cast.publish.screens import Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.player_dom import Player
from tests.test_vtt import cues

MOVES = sorted((Path(__file__).resolve().parent / "data" / "moves").glob("*.cast"))
# Lines the cast writes and scrolls out of a region in one event, which no screen shows:
# told where they were written, as `seq 20` in one event is on the whole screen.
UNSEEN = {"one_event_regions": ["two", "three", "four"], "region_feeds": ["one", "two"]}


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("path", MOVES, ids=[p.stem for p in MOVES])
def test_rows_moved_in_one_event_are_told_as_the_player_shows_them(
    path: Path, player: Player
) -> None:
    with open_cast(str(path)) as reader:
        header, events = reader.header, list(reader.events())
    with open_cast(str(path)) as reader:
        told = [squeezed(line) for _, texts in cues(render_vtt(Timeline(header, reader.events())))
                for line in texts]  # fmt: skip
    player.load(path.read_text("utf-8"))
    shown = [player.at(e.time + 0.05).text() for e in events]
    screens = [[squeezed(row) for row in rows] for rows in shown]
    # The lines each screen shows: a row, with the rows after it while it fills its width
    # (the terminal wrapped it there).
    drawn: set[str] = set()
    for rows in shown:
        for y in range(len(rows)):
            line = ""
            for row in rows[y:]:
                line += squeezed(row)
                drawn.add(line)
                if len(row) < header.cols:
                    break
    unseen = UNSEEN.get(path.stem, [])
    assert [line for line in told if line in unseen] == unseen
    places = []
    for line in (line for line in told if line not in unseen):
        assert line in drawn, f"{line!r} is told, but no screen of the player showed it"
        # (where it first showed: a line that grows later, `echo` then `echo  end`, is
        # told as last drawn from when it appeared)
        places.append(
            min(
                (s, y)
                for s, rows in enumerate(screens)
                for y, row in enumerate(rows)
                if row and line.startswith(row)
            )
        )
    assert places == sorted(places), f"told out of the order shown: {told}"
    for s, rows in enumerate(screens):
        for row in rows:
            assert not row or any(row in line for line in told), (
                f"{row!r}, shown at {events[s].time + 0.05:.2f} s, is not told"
            )


def test_lines_that_went_through_a_region_in_one_event_are_told_in_the_order_written() -> None:
    """review-exports13 finding 8: `one`-`seven` written, scrolled three times in the
    region `ESC[3;6r`, then two lines inserted above them, in one event, were told
    `two three four one five Alpha`: the rows' places did not move with the rows."""
    path = MOVES[[p.stem for p in MOVES].index("one_event_regions")]
    with open_cast(str(path)) as reader:
        found = dict(cues(render_vtt(Timeline(reader.header, reader.events()))))
    assert found["00:00:01.500"] == [
        "scroll ren:", "one", "two", "three", "four", "five", "Alpha", "six", "seven",
        "  ins:XYr",
    ]  # fmt: skip
    assert found["00:00:00.500"] == ["#" * 256, "bold red words", "inv red words"]
