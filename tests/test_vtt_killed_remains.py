"""exports-q's open finding: bash writes `Killed` where the killed full-screen program's
cursor stood, after less's `f.txt` on its bottom row, at the end of htop's key bar. The
cells left of it are the program's, blanked when the line is read (vtt_remains.unleft),
and were told as the line's indentation: 5 blanks and `Killed` after less, 79 after htop
at 80 columns. The line is `Killed`; the row keeps its columns.

Recorded in a real pty under asciinema 2.4 (tests/pty_session.py), the program killed by
its PID; held against asciinema-player 3.18 in Chromium (tests/player_dom.py): the cells
left of `Killed` on its row are the program's, shown on its last screen before the kill."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.publish.vtt_remains import unindented
from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_killed_shells import _kill, _shell_pid
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

PROGRAMS = {"less": "less f.txt", "htop": "htop"}


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_killed_is_told_without_the_programs_cells_left_of_it(
    tmp_path: Path, player: Player, program: str
) -> None:
    cols = 80
    (tmp_path / "f.txt").write_text("line one\nsecond line of the file\nthird line\n" * 20)
    cast = tmp_path / "k.cast"
    recording = ShellRecording(
        tmp_path, cast, 24, cols, "bash --norc --noprofile -i", r"\$ ", {"PS1": "$ "}, regex=True
    )
    pid = _shell_pid(recording.child.pid, "bash")
    recording.typed(PROGRAMS[program] + "\r", wait=None)
    time.sleep(1.5)
    _kill(program, pid)
    time.sleep(1.0)
    recording.typed("echo on alt screen\r", wait=None)
    time.sleep(0.8)
    recording.exit()
    found = timed_cues(cast)
    cue = next((c for c in found if any("Killed" in text for text in c[2])), None)
    assert cue is not None, found
    assert cue[2] == ["Killed"], found
    player.load(cast.read_text("utf-8"))
    before = " ".join(player.at(cue[0] - 0.05).text())  # (the program's last screen)
    rows = player.at(cue[1] - 0.005).text()
    screen = "".join(row.ljust(cols) for row in rows)
    at = screen.index("Killed")  # (htop's `K` in its last column, `illed` below)
    row = screen[at - at % cols : at]
    # (not indentation: the program's own characters, as it showed them, stand there)
    assert row.strip(), (row, rows)
    assert " ".join(row.split()) in " ".join(before.split()), (row, before)


@given(
    st.text(alphabet=" ab|", max_size=12),
    st.lists(st.sampled_from([" ", "x", "│"]), max_size=14).map(tuple),
)
def test_only_blanks_over_a_programs_cells_are_left_out(text: str, left: tuple[str, ...]) -> None:
    told = unindented(text, left)
    blanks = len(text) - len(text.lstrip(" "))
    assert told.lstrip(" ") == text.lstrip(" ")  # (the line itself is never touched)
    if any(char.strip() for char in left[:blanks]):
        assert told == text.lstrip(" ")
    else:
        assert told == text  # (indentation over no program's cell is the line's)
