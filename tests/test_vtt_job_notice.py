"""exports-q (session 17), found not fixed: zsh, after `kill -9 %1` of a stopped job, draws
its prompt, then the job's notice under it and the prompt again, in one write (the cursor
never waits at the first). That first prompt, nothing typed after it, was told as a lone
`%` line before the notice once a `clear` (or `reset`) erased it; a prompt left with
nothing typed is no line (docs/embed.md).

Recorded here in a real pty (zsh 5.9 under asciinema 2.4, tests/pty_session.py); each line
told is held to asciinema-player 3.18 in Chromium (tests/player_dom.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


@pytest.mark.parametrize("program", ["vim -u NONE f.txt", "less f.txt"])
def test_a_prompt_drawn_before_a_job_notice_is_no_line(
    program: str, tmp_path: Path, player: Player
) -> None:
    (tmp_path / "f.txt").write_text("line one\nsecond line of the file\n" * 20)
    cast = tmp_path / "job.cast"
    zsh = ShellRecording(tmp_path, cast, 24, 80, "zsh -f -i", "% ", {"PS1": "%% "})
    zsh.typed("echo before\r", wait="before\r\n")
    zsh.typed(program + "\r", wait="\x1b[?1049h")
    time.sleep(1.0)
    zsh.child.send("\x1a")  # (Ctrl-Z: the job stops, the prompt comes back)
    zsh.wait("suspended")
    zsh.wait("% ")
    time.sleep(0.5)
    zsh.typed("kill -9 %1\r", wait="killed")
    zsh.wait("% ")
    time.sleep(0.8)
    zsh.typed("clear\r", wait="% ")  # (the screen's lines are done: told as erased)
    time.sleep(0.5)
    zsh.typed("echo after\r", wait="after\r\n")
    time.sleep(0.5)
    zsh.exit()
    lines = told(cast)
    assert not [line for line in lines if line.strip() in ("%", "% ")], lines
    notice = [line for line in lines if "killed" in line and program.split()[0] in line]
    assert len(notice) == 1, lines
    assert lines[lines.index("% kill -9 %1") + 1] == notice[0], lines
    assert not_shown(cast, player) == []
