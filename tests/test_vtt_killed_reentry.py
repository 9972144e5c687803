"""A full-screen program started on the alternate screen a killed one left on
(review-review-exports21 finding 1, FAIL): vim killed by `kill -9` never sends
`?1049l`, so the `?1049h` of `less` typed next switches nothing and less draws over
vim's leftovers. Its session was read as the shell's lines: a 15-22-line page dump
instead of `[less]`, with words cut where vim's leftovers began (`7/ud`), and a clip
starting in less opened with that dump.

bash recorded here in a real pty (asciinema 2.4, tests/pty_session.py), vim killed by a
background job; each line told is held to asciinema-player 3.18 in Chromium
(tests/player_dom.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from genact_cast.publish.clip import Clip
from genact_cast.publish.screens import Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.player_dom import Player
from tests.pty_session import BashRecording
from tests.test_vtt import cues
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

PAGE = "".join(f"entry{n:02d} {n}/tcp words of the page\n" for n in range(60))
# vim's screen: longer rows than the page's, so its leftovers show to their right
VIM = "".join(f"vimrow{n:02d}:x:{n}:{n}:leftover text of the killed editor\n" for n in range(60))


def _entered(cast: Path) -> float:
    """When less asked for the alternate screen: the second `?1049h` of the cast."""
    times = [
        event[0]
        for event in map(json.loads, cast.read_text("utf-8").splitlines()[1:])
        if event[1] == "o" and "\x1b[?1049h" in event[2]
    ]
    assert len(times) == 2, times
    return float(times[1])


@pytest.mark.parametrize("pager", ["less f.txt", "sh -c 'exec less f.txt'"])
def test_a_pager_after_a_killed_vim_is_one_cue(pager: str, tmp_path: Path, player: Player) -> None:
    (tmp_path / "f.txt").write_text(PAGE)
    (tmp_path / "v.txt").write_text(VIM)
    cast = tmp_path / "reentry.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    # (a detached killer ends the vim the shell runs: `-P $$`, no other vim; `setsid -f`, not
    # `&`, so that no `[1] PID` job notice is printed in the instant before vim's screen
    # covers it: that notice is told for as long as vim runs, which the player never shows,
    # another class than this test's, CI on fe3bd0b)
    killer = 'setsid -f sh -c "sleep 1.5; kill -9 \\$(pgrep -x -P $$ vim)"'
    bash.typed(f"{killer}; vim -u NONE v.txt\r", wait="Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed(pager + "\r", wait="entry00")
    time.sleep(1.5)
    bash.child.send("q")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo after\r", wait="after\r\n")
    bash.exit()
    lines = told(cast)
    assert lines.count("[less]") == 1, lines
    assert lines.index("[less]") == lines.index(f"$ {pager}") + 1, lines
    assert not [line for line in lines if "entry" in line or "tcp" in line], lines
    assert not_shown(cast, player) == []
    # A clip that starts in less opens with its session (docs/embed.md: "the session of
    # a program running"), not its page.
    with open_cast(str(cast)) as reader:
        clip = Clip(start_at=f"{_entered(cast) + 1.0:.3f}")
        found = cues(render_vtt(Timeline(reader.header, reader.events(), clip)))
    assert found[0][1] == ["[less]"], found
