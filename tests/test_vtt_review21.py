"""review-exports21's WARNs on subtitles of real sessions, each recorded here in a real pty
(tests/pty_session.py, asciinema 2.4) and held to asciinema-player 3.18 in Chromium
(tests/player_dom.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_mux import timed_cues
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

CJK = "一二三四五六七八九十"


@pytest.mark.parametrize("cols", [40, 41])
def test_a_cjk_command_wrapped_by_zsh_is_joined_with_no_gap(
    tmp_path: Path, player: Player, cols: int
) -> None:
    """#3: zsh's line editor writes a space in standout in the last cell where a wide
    character it echoes does not fit, then the character on the next row; the command
    was told with a space there (`七八九 十一二`). At 41 columns every character fits."""
    cast = tmp_path / "c.cast"
    command = "echo " + CJK * 4
    zsh = ShellRecording(tmp_path, cast, 24, cols, "zsh -f -i", "% ", {"PS1": "%% "})
    zsh.typed(command + "\r")
    zsh.exit()
    lines = told(cast)
    assert lines[0] == "% " + command, lines
    assert lines[1] == CJK * 4, lines
    # The player, as the command runs: at 40 columns the prompt's row ends on a blank
    # cell and the next starts with `七`, which did not fit; at 41 `七` ends the row.
    player.load(cast.read_text("utf-8"))
    ran = next(end for _, end, texts in timed_cues(cast) if texts[0].startswith("% echo"))
    rows = player.at(ran - 0.05).cells
    last, next_first = rows[0][cols - 2][0], rows[1][0][0]
    assert (last, next_first) == (("七", "八") if cols % 2 else (" ", "七")), rows[:2]
    assert rows[0][cols - 1][0] == " "
    assert not_shown(cast, player) == []
