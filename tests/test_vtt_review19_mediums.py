"""review-exports19's medium and low findings on what the subtitles tell, each on a shell
recorded here in a pty under asciinema 2.4 (tests/pty_session.py), typed key by key, and
each cue held to asciinema-player 3.18 in Chromium (tests/player_dom.py): every line told
is on the player's screen while its cue is shown; a program's `[name]` cue is what the
player shows the program's screen under."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import PROMPT, BashRecording
from tests.test_vtt_mux import timed_cues
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


def _shown_in_cue(cast: Path, player: Player, cue: str, shows: str) -> None:
    """The player shows `shows` in the middle of the cue `[name]`."""
    found = [(start, end) for start, end, texts in timed_cues(cast) if texts[-1:] == [cue]]
    assert found, timed_cues(cast)
    start, end = found[-1]
    player.load(cast.read_text("utf-8"))
    assert shows in "".join(player.at((start + end) / 2).text()), (start, end)


def test_vim_on_a_terminal_type_without_an_alternate_screen_is_one_cue(
    tmp_path: Path, player: Player
) -> None:
    """#10: vim on TERM=vt52 (no alternate screen; keypad mode, then addressing the
    player does not know, `ESC Y`, printed as text) was told as a screen dump: its
    file's lines and its message. Its cursor left after blanks looked like a prompt
    waiting, though the shell had let go of the keys (bracketed paste off) and not
    taken them back. One cue, `[vim]`."""
    (tmp_path / "f.txt").write_text("hello there\nsecond world\n")
    cast = tmp_path / "vt52.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed("TERM=vt52 vim -u NONE f.txt\r", wait="second world")
    time.sleep(1.0)
    bash.typed(":q\r")
    time.sleep(0.3)
    bash.exit()
    lines = told(cast)
    assert "[vim]" in lines, lines
    assert not [line for line in lines if "hello there" in line or "world" in line], lines
    _shown_in_cue(cast, player, "[vim]", "second world")
    assert not_shown(cast, player) == []


def test_vim_resumed_with_fg_is_named_vim(tmp_path: Path, player: Player) -> None:
    """#12 (low): `fg` prints the job's command line and vim's screen follows in the
    same write; the session was named `[fg]`, by the command the shell ran. It is the
    job's program: `[vim]`."""
    (tmp_path / "f.txt").write_text("a line of the file\n")
    cast = tmp_path / "fg.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed("vim -u NONE f.txt\r", wait="a line of the file")
    time.sleep(0.5)
    bash.child.send("\x1a")  # Ctrl-Z
    bash.wait("Stopped")
    bash.wait(PROMPT)
    bash.typed("fg\r", wait="a line of the file")
    time.sleep(0.8)
    bash.typed(":q\r")
    time.sleep(0.3)
    bash.exit()
    lines = told(cast)
    assert [line for line in lines if line.startswith("[")] == ["[vim]", "[1]+  Stopped"
        "                 vim -u NONE f.txt", "[vim]"], lines  # fmt: skip
    _shown_in_cue(cast, player, "[vim]", "a line of the file")
    assert not_shown(cast, player) == []


@pytest.mark.parametrize(
    "define", ['edit() { nano "$@"; }', "alias edit=nano"], ids=["function", "alias"]
)
def test_a_program_run_by_a_shell_function_is_named_by_its_screen(
    tmp_path: Path, player: Player, define: str
) -> None:
    """#17 (low): nano started through a shell function or alias was named after it,
    `[edit]`. A command typed that runs no program known to draw a screen is named by
    the program whose own line its screen shows (nano's title bar), as a cast recorded
    from a program is."""
    cast = tmp_path / "edit.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed(define + "\r")
    bash.typed("edit f.txt\r", wait="GNU nano")
    time.sleep(1.0)
    bash.child.send("\x18")  # Ctrl-X
    bash.wait(PROMPT)
    time.sleep(0.3)
    bash.exit()
    lines = told(cast)
    assert "[nano]" in lines, lines
    assert "[edit]" not in lines, lines
    _shown_in_cue(cast, player, "[nano]", "GNU nano")
    assert not_shown(cast, player) == []


def test_a_reverse_search_finding_a_wrapped_entry_tells_no_piece_of_it(
    tmp_path: Path, player: Player
) -> None:
    """#15: bash's Ctrl-R finding a command that, after `(reverse-i-search)`tail': `,
    wraps onto a third row of a 40-column terminal: that row (`d`) was told as a line of
    its own as Enter erased it. The search is a state of the line being edited, from
    its first row; the command it finds is told once, as it runs."""
    command = "echo " + "a" * 40 + " tail-word"
    cast = tmp_path / "search.cast"
    bash = BashRecording(tmp_path, cast, 10, 40)
    bash.typed(command + "\r")
    time.sleep(0.5)
    bash.child.send("\x12")  # Ctrl-R
    for key in "tail":
        time.sleep(0.35)
        bash.child.send(key)
    time.sleep(0.6)
    bash.child.send("\r")
    bash.wait("tail-word\r\n")
    bash.wait(PROMPT)
    time.sleep(0.3)
    bash.exit()
    output = command.removeprefix("echo ")
    lines = told(cast)
    assert lines == [PROMPT + command, output] * 2 + [PROMPT + "exit", "exit"], lines
    assert not_shown(cast, player) == []


@pytest.mark.parametrize(
    ("command", "quit", "shows", "cue"),
    [
        ("TERM=linux vim -u NONE long.txt", ":q\r", "line number 9", "[vim]"),
        ("TERM=linux less long.txt", "q", "line number 9", "[less]"),
        ("TERM=linux htop", "q", "PID", "[htop]"),
    ],
)
def test_a_curses_program_on_term_linux_is_named_by_its_command(
    tmp_path: Path, player: Player, command: str, quit: str, shows: str, cue: str
) -> None:
    """#9: a program on TERM=linux (no alternate screen, no keypad mode) paints the
    primary screen: vim's first page, written after `ESC[H ESC[J` in the write that ran
    the command, was told as the file's lines. It is one cue named by its command, as on
    xterm-256color: from the home position, with no line editor holding the keys, `ESC[J`
    erases the whole screen (as `clear` does there), not the cursor's line."""
    (tmp_path / "long.txt").write_text("".join(f"line number {i}\n" for i in range(60)))
    cast = tmp_path / "linux.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed(command + "\r", wait=shows)
    time.sleep(1.0)
    bash.typed(quit)
    time.sleep(0.3)
    bash.typed("echo after\r")
    bash.exit()
    lines = told(cast)
    assert lines == [PROMPT + command, cue, PROMPT + "echo after", "after", PROMPT + "exit",
                     "exit"], lines  # fmt: skip
    _shown_in_cue(cast, player, cue, shows)
    assert not_shown(cast, player) == []
