"""Subtitles (--vtt) of output a program rewrites in place, recorded here in a pty (bash
under asciinema 2.4, tests/pty_session.py)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.pty_session import BashRecording
from tests.test_vtt import cues_of_file, lines


def test_a_line_left_below_a_rewrite_is_told(tmp_path: Path) -> None:
    """review-exports15 item 14 (s17.cast): `printf 'a\\nb\\nc\\n'`, then up three rows, the
    row erased and `X` written there: the prompt is drawn over `b`, `c` stays below it
    (installers and test runners leave lines so). `c` was never told: the next command's
    output wrote over it, and a line of no words (runs of two letters) written over was
    taken for a redraw of the same line. `a` and `b`, replaced in the same event, were
    never shown: not told."""
    cast = tmp_path / "rewrite.cast"
    bash = BashRecording(tmp_path, cast, 12, 60)
    bash.typed("printf 'a\\nb\\nc\\n'; printf '\\e[3A\\e[2K'; echo X\r")
    time.sleep(1.5)  # (`c` on the screen long enough to be read)
    bash.typed("echo next\r")
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    assert told[1:5] == ["X", "c", "$ echo next", "next"], told
