"""review-exports19 item 8 (high): lines a full-screen program restores as it leaves the
alternate screen are not new output, after a resize too. git's pager (less -FRX: no
alternate screen) leaves its page on the primary screen; Midnight Commander (or vim,
less, htop) then covers it, the terminal is resized, the program exits, and the player
shows the page again, moved and rewrapped. The page's lines were told again after the
program, cut to pieces (`69b0597                8`): what the pager left on the screen
was masked at the cells it had before the resize.

Recorded here in a real pty under asciinema 2.4 (tests/pty_session.py), 80 columns
narrowed to 40 and 60, and 40 widened to 80; each line told after the program is held
against asciinema-player 3.18 in Chromium (tests/player_dom.py) while its cue is shown."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import PROMPT, BashRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

QUIT = {"mc": "\x1b0", "vim": ":q\r"}  # (mc: Esc 0 is F10)
COMMANDS = {"mc": "mc", "vim": "vim -u NONE notes.txt"}


def _repository(folder: Path, commits: int) -> None:
    env = {
        "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org",
        "HOME": str(folder), "PATH": os.environ.get("PATH", ""),
    }  # fmt: skip
    subprocess.run(["git", "init", "-q", str(folder)], env=env, check=True)
    for n in range(commits):
        (folder / "f.txt").write_text(f"{n}\n")
        subprocess.run(["git", "add", "f.txt"], cwd=folder, env=env, check=True)
        message = f"change number {n} of the file in the repository"
        subprocess.run(["git", "commit", "-qm", message], cwd=folder, env=env, check=True)


@pytest.mark.parametrize(
    ("program", "cols", "size"),
    [("mc", 80, (20, 60)), ("mc", 80, (24, 40)), ("mc", 40, (30, 80)), ("vim", 80, (20, 40))],
)
def test_a_page_restored_after_a_resize_is_not_told_again(
    tmp_path: Path, player: Player, program: str, cols: int, size: tuple[int, int]
) -> None:
    _repository(tmp_path, 40)
    (tmp_path / "notes.txt").write_text("some notes\n" * 5)
    cast = tmp_path / "m.cast"
    bash = BashRecording(tmp_path, cast, 24, cols)
    bash.typed("git log --oneline\r", wait=None)  # (its pager, less -FRX, waits: a page)
    bash.wait("change number 30")
    time.sleep(0.6)
    bash.typed("q")
    time.sleep(0.3)
    bash.typed(COMMANDS[program] + "\r", wait=None)
    time.sleep(2.0)
    bash.resize(*size)
    time.sleep(1.5)
    bash.typed(QUIT[program], wait=None)
    time.sleep(1.5)
    bash.typed("echo after\r", wait="after\r\n")
    time.sleep(0.5)
    bash.exit()
    found = timed_cues(cast)
    told = [line.strip() for _, _, texts in found for line in texts]
    assert "[git]" in told, found
    assert f"[{program}]" in told, found
    after = told[told.index(f"[{program}]") + 1 :]
    assert not [line for line in after if "change" in line or "number" in line], found
    assert after[:2] == [PROMPT + "echo after", "after"], found
    # What is told after the program, on the player's screen as its cue ends
    player.load(cast.read_text("utf-8"))
    session = next(cue for cue in found if f"[{program}]" in [t.strip() for t in cue[2]])
    for start, end, texts in found:
        if start <= session[0]:
            continue
        rows = player.at(end - 0.005).text()
        width = size[1]  # (the size the cast has after the resize)
        screen = " ".join("".join(row.ljust(width) for row in rows).split())
        for text in texts:
            assert " ".join(text.split()) in screen, (text, start, rows)
