"""review-exports18 item 9 (low): asciinema 2.4 writes no `command` in the header, so a
cast recorded straight from a full-screen program (`asciinema rec -c htop`) was
`[full-screen program]`. It is named by what the program draws itself on its first
screens (publish/data/screen_names.json: htop's function bar, nano's title bar), never by
a file's line (`less f.txt` stays `[full-screen program]`).

Recorded here in a real pty (asciinema 2.4, tests/pty_session.py); each cue held against
asciinema-player 3.18 in Chromium (tests/player_dom.py): the player shows the line that
names the program in the middle of the cue."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pexpect
import pytest

from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

# (the command recorded, its keys to quit, the text its screen shows, the cue)
PROGRAMS = [
    ("htop", "q", "F10Quit", "[htop]"),
    ("nano f.txt", "\x18", "GNU nano", "[nano]"),
    ("less f.txt", "q", "first line of f", "[full-screen program]"),
]


@pytest.mark.parametrize(("command", "keys", "shows", "cue"), PROGRAMS)
def test_a_cast_recorded_from_a_program_is_named_by_what_it_draws(
    command: str, keys: str, shows: str, cue: str, tmp_path: Path, player: Player
) -> None:
    (tmp_path / "f.txt").write_text("first line of f\nsecond line\n")
    cast = tmp_path / "program.cast"
    # (no prompt to wait for: the program's screen; its own text, drawn in colours)
    recording = ShellRecording(tmp_path, cast, 24, 80, command, r"\x1b\[\?1049h", regex=True)
    time.sleep(2.5)
    recording.child.send(keys)
    recording.child.expect(pexpect.EOF)
    recording.child.close()
    assert "command" not in json.loads(cast.read_text("utf-8").splitlines()[0])  # (2.4)
    found = timed_cues(cast)
    told = [text.strip() for _, _, texts in found for text in texts]
    assert told == [cue], told
    start, end, _ = found[0]
    player.load(cast.read_text("utf-8"))
    assert shows in "".join(player.at((start + end) / 2).text()), (start, end)
