"""fish's line editor in the subtitles (--vtt), recorded here in a pty: fish 3.6 under
asciinema 2.4 (tests/pty_session.py), with no configuration of its own (HOME is the
test's folder)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.pty_session import ShellRecording
from tests.test_vtt import cues_of_file, lines

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


def test_a_command_typed_over_several_lines_is_told_once_a_line(tmp_path: Path) -> None:
    """review-exports15 item 12: Enter in an open `for` gives the command another line,
    under the first, indented, with no prompt, and fish keeps taking keys there (bracketed
    paste still on: nothing ran). Each state of those lines was told: `echo item $I` (a
    state fish drew as the key landed), `echo item $i`, `en`, then `end` (fish moves it
    back to the `for`'s column). Each line of the command is told once, as typed, from
    its first key, without its indentation; then the loop's output."""
    cast = tmp_path / "fish.cast"
    # (fish generates completions from man pages on its first start: done, says the folder)
    (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    fish = ShellRecording(tmp_path, cast, 16, 70, "fish", r"[#>] ", regex=True)
    for line in ("for i in 1 2 3\r", "echo item $i\r"):
        fish.typed(line, wait=None)
        time.sleep(0.6)
    fish.typed("end\r", wait="item 3")
    time.sleep(0.6)
    fish.typed("echo done\r", wait="done")
    time.sleep(0.6)
    fish.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    assert [line for line in told if line.endswith("for i in 1 2 3")], told
    loop = [line for line in told if "item" in line or line.strip() in ("e", "en", "end")]
    assert loop == ["echo item $i", "end", "item 1", "item 2", "item 3"], told
