"""review-exports18's subtitle findings 1 and 3, each on a bash 5 session recorded here in
a pty under asciinema (tests/pty_session.py), typed key by key or pasted in one write:
bash's readline wraps the command line at the terminal's edge, with its `' \\r` trick
(a space written past the last column, then a carriage return) when the cursor reaches it,
and asciinema-player 3.18 shows the rows as the terminal wrapped them; the cue tells the
command as typed, and the full-screen program it ran names its session."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest

from tests.pty_session import BashRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

COLS = 40  # (the prompt `$ ` is 2 columns: the offsets below count from column 2)


def _told(cast: Path) -> list[str]:
    return [line.strip() for _, _, texts in timed_cues(cast) for line in texts]


@pytest.mark.parametrize(
    ("command", "pasted"),
    [
        # `v` ends the first row after 15 wide characters, `im` starts the next
        # (the review's wrapE.cast, typed key by key): named `[v]`
        ("echo " + "中" * 15 + "; vim -u NONE -N f.txt", False),
        # `vi` / `m`, after 14 wide characters and one narrow one
        ("echo x" + "中" * 14 + "; vim -u NONE -N f.txt", False),
        # the same pasted in one write (no screen between its keys)
        ("echo " + "中" * 15 + "; vim -u NONE -N f.txt", True),
        # a wrap inside `less` after wide characters, another program
        ("echo " + "日本" * 7 + "x; less /etc/hostname", False),
    ],
)
def test_a_program_whose_command_wrapped_mid_name_is_named_by_the_whole_name(
    tmp_path: Path, command: str, pasted: bool
) -> None:
    """Item 3 (high): the session's name was read from the command's rows padded to the
    terminal's width by characters, not cells: after wide characters (one character, two
    cells) the fragment on the first row was cut off as a word of its own."""
    program = command.split("; ")[1].split()[0]
    cast = tmp_path / "wrapped.cast"
    bash = BashRecording(tmp_path, cast, 8, COLS)
    if pasted:
        bash.child.send(command + "\r")
    else:
        bash.typed(command + "\r", wait=None)
    time.sleep(1.5)
    bash.typed(":q!\r" if program == "vim" else "q")
    bash.exit()
    told = _told(cast)
    assert f"[{program}]" in told, told
    assert not [line for line in told if line.startswith("[") and line != f"[{program}]"], told


@pytest.mark.parametrize(
    "command",
    [
        # the closing quote in the last column, the typed space at column 1 of the next
        # row (the review's gdb.cast, narrowed to gv2.cast): `'&gt; /tmp` for `' > /tmp`
        "printf '" + "a" * 29 + "' > out.txt",
        # the same with wide characters before the wrap
        "printf '" + "中" * 14 + "a' > out.txt",
        # the space in the last column, the next word at column 1
        "printf '" + "a" * 28 + "' > out.txt",
    ],
)
def test_a_space_typed_where_readline_wrapped_the_line_is_kept(
    tmp_path: Path, command: str
) -> None:
    """Item 1: with bracketed paste on (bash >= 5.1 at every prompt) a space typed at the
    first column of the row the line wrapped onto was taken for a command's next line's
    indentation (fish's continuation lines) and dropped from the cue."""
    cast = tmp_path / "space.cast"
    bash = BashRecording(tmp_path, cast, 8, COLS)
    bash.typed(command + "\r")
    bash.exit()
    told = _told(cast)
    assert "$ " + html.escape(command, quote=False) in told, told
