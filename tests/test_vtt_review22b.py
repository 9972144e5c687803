"""The subtitle findings review-exports22 and exports-w left open (issue 19), each recorded
here in a real pty (tests/pty_session.py, asciinema 2.4) and held to asciinema-player 3.18
in Chromium (tests/player_dom.py)."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import BashRecording, ShellRecording
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


def test_killed_written_over_the_same_letter_a_killed_vim_left_keeps_it(
    tmp_path: Path, player: Player
) -> None:
    """vim killed by SIGKILL leaves its screen; bash writes `Killed` over its `second
    line`, whose `d` stands where `Killed`'s does: the player shows `Killed line`, and
    the `d` is bash's (it was told `Kille`, exports-w)."""
    (tmp_path / "f.txt").write_text("line one\nsecond line\n" * 20)
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed("(sleep 1.5; kill -9 $(pgrep -x -P $$ vim)) & vim -u NONE f.txt\r", "Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo after\r")
    bash.exit()
    raw = cast.read_text()
    assert "second line" in raw  # (the case: `Killed` over `second`)
    assert "Killed" in raw
    lines = [html.unescape(line) for line in told(cast)]
    assert "Killed" in lines, lines
    assert not any(line.startswith("Kille") and line != "Killed" for line in lines), lines
    assert lines[lines.index("Killed") + 1 :][:2] == ["$ echo after", "after"], lines
    assert not_shown(cast, player) == []


def test_fishs_history_search_pager_row_is_no_output(tmp_path: Path, player: Player) -> None:
    """fish 3.6's Ctrl-R puts the matched command in the command line and draws its
    `search:` field under it, the cursor there, and the `► echo aaa…` pager row under
    that, the keys kept all along: the player shows them until Enter takes the match
    (`ESC[J`). The pager row was told with the command, as output (exports-w)."""
    (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    cast = tmp_path / "c.cast"
    fish = ShellRecording(tmp_path, cast, 12, 40, "fish", r"[#>] ", regex=True)
    fish.typed("echo " + "a" * 40 + " tail-word\r")
    time.sleep(0.5)
    fish.child.send("\x12")  # (Ctrl-R: the last command, matched)
    time.sleep(1.0)
    fish.typed("tail", wait=None)
    time.sleep(1.0)
    fish.child.send("\r")  # (the match taken into the command line)
    time.sleep(1.0)
    fish.child.send("\r")  # (and run)
    time.sleep(1.0)
    fish.exit()
    assert "\u25ba echo" in cast.read_text() or "► echo" in cast.read_text()  # (the case)
    lines = [html.unescape(line) for line in told(cast)]
    assert not [line for line in lines if line.startswith("►")], lines
    output = "a" * 40 + " tail-word"
    assert lines.count(output) == 2, lines  # (the command run twice: no line lost)
    assert not_shown(cast, player) == []
