"""A full-screen program killed on the alternate screen (review-exports16 item 8, high):
the terminal stays there (nothing sends `?1049l`), bash prints `Killed` and its prompt
over the program's last screen, and what is typed there is the shell's, as the player
shows it: `Killed`, each command and its output are told, until `reset` (RIS) or
`clear`. They were lost: vim's leftovers to the right of the prompt hid it (rK), htop
hides the cursor and the shell never shows it again (rAE), the keypad mode htop asked
for made the shell's typing read as a program painting the screen, and a `clear`
there erased the shell's lines untold.

bash recorded here in a pty under asciinema 2.4 (tests/pty_session.py), the program
killed by `timeout -s KILL`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from genact_cast.publish.screens import Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.pty_session import BashRecording
from tests.test_vtt import cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

PROGRAMS = {
    "vim": "vim -u NONE f.txt",
    "htop": "htop",
    "less": "less f.txt",
}


def _told(cast: Path) -> list[tuple[str, list[str]]]:
    with open_cast(str(cast)) as reader:
        return cues(render_vtt(Timeline(reader.header, reader.events())))


@pytest.mark.parametrize("program", sorted(PROGRAMS))
@pytest.mark.parametrize("leaving", ["reset", "clear"])
def test_what_the_shell_shows_after_a_program_is_killed_is_told(
    tmp_path: Path, program: str, leaving: str
) -> None:
    (tmp_path / "f.txt").write_text(
        "line one\nnew text → שלום done café ünïcode 漢字\nthird line\n" * 20
    )
    cast = tmp_path / "killed.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed(f"timeout -s KILL 1.5 {PROGRAMS[program]}\r", wait="Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo on alt screen\r")
    bash.typed(f"{leaving}\r")
    time.sleep(0.5)
    bash.typed(f"echo after {leaving}\r")
    bash.exit()
    found = _told(cast)
    told = [line.strip() for _, texts in found for line in texts]
    assert f"[{program}]" in told, found
    session = next(start for start, texts in found if f"[{program}]" in texts)
    after = [line.strip() for start, texts in found if start > session for line in texts]
    assert after[:5] == [
        "Killed",
        "$ echo on alt screen",
        "on alt screen",
        f"$ {leaving}",
        f"$ echo after {leaving}",
    ], found
    assert told.count(f"[{program}]") == 1, found
