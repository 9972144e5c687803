"""The subtitle findings of review-exports23 (issue 19), each recorded here in a real pty
(tests/pty_session.py, asciinema 2.4) at sizes and with shells of its own, and held to
asciinema-player 3.18 in Chromium (tests/player_dom.py)."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import BashRecording
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

F10 = "\x1b[21~"  # (xterm's F10: mc's Quit)


@pytest.mark.skipif(shutil.which("mc") is None, reason="needs Midnight Commander")
@pytest.mark.parametrize(
    ("killed", "size"), [("nano", (30, 100)), ("less", (20, 70)), ("vim -u NONE", (24, 80))]
)
def test_a_program_after_a_killed_one_is_named_by_its_own_command(
    tmp_path: Path, player: Player, killed: str, size: tuple[int, int]
) -> None:
    """A program killed on the alternate screen leaves the shell there; mc, run at that
    prompt, leaves and re-enters the alternate screen in its first writes (`?1049h …
    ?1049l`), so the primary screen, whose last command is the killed program's, comes
    back for a moment. mc was told under the killed one's name (`[nano]`,
    review-exports23 #2); when that came in one screen, the commands typed after the
    kill were lost and the killed one's told again."""
    (tmp_path / "f.txt").write_text("some text\n" * 5)
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, *size)
    bash.typed(f"timeout -s KILL 2 {killed} f.txt\r", "Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo after-kill\r")
    time.sleep(0.3)
    bash.typed("mc -u -b\r", wait=None)
    time.sleep(2.5)
    bash.child.send(F10)
    time.sleep(1.5)
    bash.typed("echo after-mc\r")
    bash.exit()
    assert "\\u001b[?1049l" in cast.read_text()  # (the case: mc leaves the screen it re-enters)
    lines = [html.unescape(line) for line in told(cast)]
    at = lines.index("$ mc -u -b")
    assert lines[at + 1] == "[mc]", lines
    assert lines.count(f"[{killed.split()[0]}]") == 1, lines
    assert lines[at - 2 : at] == ["$ echo after-kill", "after-kill"], lines
    assert lines[at + 2 : at + 4] == ["$ echo after-mc", "after-mc"], lines
    assert not_shown(cast, player) == []
