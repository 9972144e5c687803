"""review-exports19 item 5 (high): under fish with a right prompt (a clock), a command
sent in one write (pasted where bracketed paste is not used, or scripted), long enough to
wrap, that clears the screen at once (`clear; ...`) was lost, and a fragment told with
the prompt's clock: `root@vm ~#                      10:47:02 $i; sleep 0.5; end`. The
echo and the clear reach the subtitles in one screen; the row erased held the command,
the line shown before it the prompt and its clock, and the command was taken for no more
of that line. A command is told whole whatever the shell, width, wrap and right prompt.

Recorded here in a real pty (fish 3.6 under asciinema 2.4, tests/pty_session.py) at 40
and 80 columns, and held against asciinema-player 3.18 in Chromium (tests/player_dom.py):
the command is on the player's screen (its rows read together) between its echo and the
clear, and the loop's output is on the screen while its cue is shown."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.pasted_clear import shown_by_player
from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

COMMANDS = {
    40: "clear; for i in 1 2; echo tic $i; sleep 0.5; end",
    80: "clear; for i in 1 2; echo tick-number-$i of a subtitled loop; sleep 0.5; end",
}
FIRST = {40: "tic 1", 80: "tick-number-1 of a subtitled loop"}


@pytest.mark.parametrize("cols", sorted(COMMANDS))
def test_a_wrapped_command_sent_at_once_that_clears_is_told_whole_under_fish(
    cols: int, tmp_path: Path, player: Player
) -> None:
    functions = tmp_path / ".config" / "fish" / "functions"
    functions.mkdir(parents=True)
    (functions / "fish_right_prompt.fish").write_text(
        "function fish_right_prompt\n    date '+%H:%M:%S'\nend\n"
    )
    (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    cast = tmp_path / "fish.cast"
    fish = ShellRecording(tmp_path, cast, 24, cols, "fish", r"[#>] ", regex=True)
    fish.typed("echo before\r", wait="before\r\n")
    time.sleep(0.8)
    command = COMMANDS[cols]
    fish.child.send(command + "\r")  # (one write: fish echoes it whole, then runs it)
    fish.wait(FIRST[cols].replace("1", "2"))
    time.sleep(0.8)
    fish.typed("echo after\r", wait="after\r\n")
    time.sleep(0.5)
    fish.exit()
    found = timed_cues(cast)
    told = [text for _, _, texts in found for text in texts]
    lines = [text for text in told if text.endswith(command)]
    assert len(lines) == 1, told
    line = lines[0]
    assert not re.search(r"\d\d:\d\d:\d\d", " ".join(told)), told  # (no clock told)
    assert not [text for text in told if "sleep 0.5" in text and text != line], told
    assert told[told.index(line) + 1] == FIRST[cols], told
    events = [json.loads(row) for row in cast.read_text("utf-8").splitlines()[1:]]
    at = max(i for i, event in enumerate(events) if "end" in event[2] and "sleep" in event[2])
    shown_by_player(cast, player, found, line, cols, at)
