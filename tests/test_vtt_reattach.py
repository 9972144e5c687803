"""A multiplexer's session detached and attached again (review-exports16 item 9, high):
tmux draws the session back as it was (a window with a shell and htop in a split, a
window with vim), which the subtitles had been following before the detach: it is told
as that session going on, the commands typed in its panes, not its whole screen each
redraw. After `tmux attach` the panes were dumped as text (an already told command
again, htop's meters and process rows, vim's buffer) and typing into vim was told one
key at a time with fragments of its buffer.

bash and tmux 3.3 recorded here in a pty under asciinema 2.4 (tests/pty_session.py),
tmux on a socket of the test's own with no configuration."""

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

PREFIX = "\x02"  # Ctrl-B


def _keys(bash: BashRecording, keys: str, pause: float = 0.8) -> None:
    bash.typed(keys, wait=None)
    time.sleep(pause)


def test_a_session_attached_again_goes_on_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("line one\nsecond line\nthird line\n")
    cast = tmp_path / "reattach.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    tmux = f"tmux -S {tmp_path}/sock -f /dev/null"
    _keys(bash, f"{tmux} new -s t\r", 1.5)
    _keys(bash, "vim -u NONE f.txt\r", 1.5)
    _keys(bash, PREFIX + "c", 1.0)
    _keys(bash, "echo window two\r")
    _keys(bash, PREFIX + '"', 1.0)
    _keys(bash, "htop\r", 2.0)
    _keys(bash, PREFIX + "d", 1.0)
    _keys(bash, "echo detached ok\r")
    _keys(bash, f"{tmux} attach -t t\r", 2.5)
    _keys(bash, PREFIX + "n", 1.5)  # (to vim's window)
    _keys(bash, "Otyped in vim", 0.5)
    _keys(bash, "\x1b", 1.0)  # (after tmux's escape-time: not Alt-:)
    _keys(bash, ":wq\r", 1.0)  # (vim quits: back at its window's shell)
    _keys(bash, "echo back in window one\r")
    _keys(bash, PREFIX + "d", 1.0)
    _keys(bash, f"{tmux} kill-server\r", 1.0)
    bash.exit()
    with open_cast(str(cast)) as reader:
        found = cues(render_vtt(Timeline(reader.header, reader.events())))
    told = [line.strip() for _, texts in found for line in texts]
    attach = next(i for i, line in enumerate(told) if line.endswith("attach -t t"))
    after = told[attach + 1 :]
    # (the session as it was: nothing of its screen read out again)
    assert not [line for line in after if "echo window two" in line], found
    assert told.count("window two") == 1, found
    assert not [line for line in after if "PID USER" in line or "Load average" in line], found
    assert not [line for line in after if "line one" in line or "second line" in line], found
    # (typing into vim is vim's session, not its buffer key by key)
    assert not [line for line in after if "typed in" in line], found
    assert [line for line in after if line.endswith(" echo back in window one")], found
    assert "back in window one" in after, found
    assert (tmp_path / "f.txt").read_text().startswith("typed in vim\n")
