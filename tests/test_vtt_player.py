"""The screens review-exports12's subtitle casts put in front of the subtitles, against
asciinema-player 3.18 in Chromium: the terminal model, the SVG and --text at the moments
the subtitles read (tests/test_vtt_shells.py), cell by cell (tests/test_player_parity.py's
check). The subtitles tell a line only as the player shows it: a box left on the screen
with `ok` written over its row, fish's command redrawn inside its rewrapped start, htop's
screen on the primary one, a region's caption."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.test_player_parity import check_moment, load

SUBTITLES = Path(__file__).resolve().parent / "data" / "subtitles"
# The moments read: after the box's rows were written over (`ok`, the next prompt);
# fish's redraw at 25 columns, and after the widening to 80; htop's first screen and
# the prompt after it; the split's captions, the window in the region below.
MOMENTS = {
    "review12_dlg2.cast": [24.5, 25.5],
    "hand12_fish_narrowed.cast": [10.5, 12.5, 13.5],
    "no_alternate_screen.cast": [9.0, 12.0],
    "hand12_screen_split.cast": [9.5, 12.0],
    "dialog_boxes.cast": [29.0],
}


@pytest.mark.parametrize("name", sorted(MOMENTS))
def test_the_screens_the_subtitles_read_are_the_players(
    name: str, player: Player, tmp_path: Path
) -> None:
    path = SUBTITLES / name
    header, events = load(path)
    local = tmp_path / name
    shutil.copy(path, local)
    player.load(path.read_text("utf-8"))
    problems: list[str] = []
    for t in MOMENTS[name]:
        problems += check_moment(local, header, events, t, player.at(t))
    assert problems == [], "\n".join(problems[:12])
