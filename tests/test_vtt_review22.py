"""review-exports22's findings on subtitles of real sessions, each recorded here in a real
pty (tests/pty_session.py, asciinema 2.4) and held to asciinema-player 3.18 in Chromium
(tests/player_dom.py)."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import BashRecording
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


@pytest.mark.parametrize("second", ["man cat", "less f.txt"])
def test_a_program_run_after_a_killed_htop_leaves_the_shells_commands_told(
    tmp_path: Path, player: Player, second: str
) -> None:
    """#1 and #8: htop killed by SIGKILL never leaves the alternate screen nor turns the
    mouse off; a second full-screen program run on that screen (man, less) leaves it at
    its end, and the shell's next command was read as a program painting the primary
    screen (the mouse still asked for): `> u`, then a session `[u]` for the rest of the
    cast, `uname -s`'s output and `exit` lost. bash's `Killed`, written at the end of
    htop's key bar and wrapped, was told after 79 blanks."""
    (tmp_path / "f.txt").write_text("".join(f"row {n} of the page\n" for n in range(60)))
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, 24, 80, {"MANPAGER": "less", "PAGER": "less"})
    bash.typed("timeout -s KILL 2 htop\r", wait="Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed(second + "\r", wait="\x1b[?1049h")
    time.sleep(1.0)
    bash.typed("q")
    time.sleep(0.5)
    bash.typed("uname -s\r", wait="Linux")
    bash.wait("$ ")
    bash.exit()
    lines = [html.unescape(line) for line in told(cast)]
    program = second.split()[0]
    assert lines.count(f"[{program}]") == 1, lines
    after = lines[lines.index(f"[{program}]") + 1 :]
    assert after[:2] == ["$ uname -s", "Linux"], lines
    assert "$ exit" in after, lines
    assert "Killed" in lines, lines  # (no blanks where htop's key bar was)
    assert not_shown(cast, player) == []
