"""review-exports17 item 17: a command sent in one write (pasted, or scripted) that the
terminal wraps mid-word and that runs `clear` at once was told as two lines cut inside a
word (`...; s` and `leep 0.6; done`), or as its first row alone: the echo and the clear
reach the subtitles in one screen, which never shows the command's rows with their wrap.

Recorded here in a real pty (bash under asciinema 2.4, tests/pty_session.py) at 40 and
80 columns, and held against asciinema-player 3.18 in Chromium (tests/player_dom.py):
where the player shows the command (its echo apart from the clear), its rows read
together are the line told; the lines told after it are on the player's screen while
their cue is shown."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.pasted_clear import shown_by_player
from tests.player_dom import Player
from tests.pty_session import PROMPT, BashRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

# Each wraps inside a word at its width, after `$ ` (`...; s` / `leep`, `...; do` / `ne`).
COMMANDS = {
    40: "for i in 1 2; do clear; echo tic $i; sleep 0.5; done",
    80: "for i in 1 2; do clear; echo tick-number-$i of a subtitled loop; sleep 0.5; done",
}


@pytest.mark.parametrize("cols", sorted(COMMANDS))
def test_a_pasted_wrapped_command_that_clears_the_screen_is_told_whole(
    cols: int, tmp_path: Path, player: Player
) -> None:
    command = COMMANDS[cols]
    line = PROMPT + command
    cut = line[cols - 1 : cols + 1]
    assert cut.isalpha(), cut  # (the wrap falls inside a word)
    cast = tmp_path / "pasted.cast"
    bash = BashRecording(tmp_path, cast, 24, cols)
    bash.child.send("echo before\r")
    bash.child.expect_exact("before\r\n")
    bash.wait(PROMPT)
    bash.child.send(command + "\r")  # (one write: bash echoes it whole, then runs it)
    bash.child.expect_exact("tic 2" if cols == 40 else "tick-number-2")
    time.sleep(0.8)
    bash.child.send("echo after\r")
    bash.child.expect_exact("after\r\n")
    bash.exit()
    found = timed_cues(cast)
    told = [text for _, _, texts in found for text in texts]
    assert line in told, told
    assert not [text for text in told if text != line and text in line], told  # (no piece)
    first = "tic 1" if cols == 40 else "tick-number-1 of a subtitled loop"
    assert told[told.index(line) + 1] == first, told
    assert told[told.index("$ echo after") + 1] == "after", told
    events = [json.loads(row) for row in cast.read_text("utf-8").splitlines()[1:]]
    at = next(i for i, event in enumerate(events) if command in event[2])
    shown_by_player(cast, player, found, line, cols, at)
