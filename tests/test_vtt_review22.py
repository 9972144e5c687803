"""review-exports22's findings on subtitles of real sessions, each recorded here in a real
pty (tests/pty_session.py, asciinema 2.4) and held to asciinema-player 3.18 in Chromium
(tests/player_dom.py)."""

from __future__ import annotations

import html
import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import BashRecording, ShellRecording
from tests.test_vtt_mux import timed_cues
from tests.test_vtt_mux_recorded import ENV, TMUX_PREFIX, _ended, _keys, _typed
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


@pytest.mark.parametrize("second", ["man cat", "less f.txt"])
def test_a_program_run_after_a_killed_htop_leaves_the_shells_commands_told(
    tmp_path: Path, player: Player, second: str
) -> None:
    """#1 and #8: htop killed by SIGKILL never leaves the alternate screen nor turns the
    mouse off; a second full-screen program run on that screen (man, less) leaves it at
    its end, and the shell's next command was read as a program painting the primary
    screen (the mouse still asked for): `> u`, then a session `[u]` for the rest of the
    cast, `uname -s`'s output and `exit` lost. bash's `Killed`, written at the end of
    htop's key bar and wrapped, was told after 79 blanks."""
    (tmp_path / "f.txt").write_text("".join(f"row {n} of the page\n" for n in range(60)))
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, 24, 80, {"MANPAGER": "less", "PAGER": "less"})
    bash.typed("timeout -s KILL 2 htop\r", wait="Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed(second + "\r", wait="\x1b[?1049h")
    time.sleep(1.0)
    bash.typed("q")
    time.sleep(0.5)
    bash.typed("uname -s\r", wait="Linux")
    bash.wait("$ ")
    bash.exit()
    lines = [html.unescape(line) for line in told(cast)]
    program = second.split()[0]
    assert lines.count(f"[{program}]") == 1, lines
    after = lines[lines.index(f"[{program}]") + 1 :]
    assert after[:2] == ["$ uname -s", "Linux"], lines
    assert "$ exit" in after, lines
    assert "Killed" in lines, lines  # (no blanks where htop's key bar was)
    assert not_shown(cast, player) == []


def test_tmux_pane_rows_are_told_as_the_line_editor_and_the_pane_wrote_them(
    tmp_path: Path, player: Player
) -> None:
    """#2, #3 and #4 in tmux (a pane wraps a line itself, moving the cursor to the row
    below: nothing marks the wrap). A command the 39-column pane wraps after a space was
    two cues, the second read as output; `NEXT-LINE`, typed in it, then printed, was
    taken for a line shown before and lost; a command that fills the 40-column pane's
    row had its output glued to it (`exitlogout`); and when the left pane closed, the
    right one, redrawn full width, was told again as typed and run a second time."""
    socket = tmp_path / "sock"
    command = f"tmux -S {socket} -f /dev/null new-session bash --norc --noprofile -i"
    tmux = ShellRecording(tmp_path, tmp_path / "c.cast", 24, 80, command, "$ ", ENV)
    # ("$ " and 37 characters: the pane's 39th cell is the space after `echo`)
    wrapped = "printf 'A%.0s' $(seq 39); echo; echo NEXT-LINE; printf '\\nsecond\\n'"
    assert wrapped[36] == " "
    filling = "echo " + "x" * 33  # ("$ " and 38 characters: the left pane's 40 cells)
    try:
        _keys(tmux, TMUX_PREFIX + "%")  # (a right pane of 39 columns, the cursor in it)
        _typed(tmux, "PS1='$ '\r")  # (its shell is the user's own, its prompt theirs)
        _typed(tmux, wrapped + "\r", "second")
        _keys(tmux, TMUX_PREFIX + "o")  # (the left pane, 40 columns)
        _typed(tmux, filling + "\r", "x" * 33)
        _typed(tmux, "exit\r")  # (the right pane is redrawn the whole width)
        _typed(tmux, "exit\r")
        _ended(tmux)
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True, check=False)
    cast = tmp_path / "c.cast"
    found = timed_cues(cast)
    lines = [html.unescape(text) for _, _, texts in found for text in texts]
    assert lines.count("$ " + wrapped) == 1, lines  # (one cue, told once)
    assert [line for line in lines if "NEXT-LINE" in line and "printf" not in line], lines
    assert not [line for line in lines if line.startswith("NEXT-LINE; printf")], lines
    assert "second" in "".join(lines), lines
    assert lines.count("$ " + filling) == 1, lines
    assert "x" * 33 in lines, lines
    # The player shows the command over two rows of the right pane, the first ending in
    # the space before `NEXT-LINE`, as its cue ends.
    player.load(cast.read_text("utf-8"))
    end = next(end for _, end, texts in found if html.unescape(texts[0]) == "$ " + wrapped)
    rows = player.at(end - 0.05).text()
    border = max(row.find("│") for row in rows)
    pane = [row[border + 1 :].ljust(39) for row in rows]
    at = next(y for y, row in enumerate(pane) if row.startswith("$ printf"))
    assert pane[at] + pane[at + 1].rstrip() == "$ " + wrapped, pane


def test_fishs_right_prompt_drawn_again_after_a_resize_is_no_part_of_the_command(
    tmp_path: Path, player: Player
) -> None:
    """#6: after a resize fish draws its prompt again, then its right prompt at the new
    row's end, the cursor back after the prompt: that redraw was read as the first key
    typed, with no right prompt, so the command typed next kept it
    (`λ echo narrow          ⎇ main 12:00`); the one typed before the resize did not."""
    config = tmp_path / ".config" / "fish"
    config.mkdir(parents=True)
    (config / "config.fish").write_text(
        "function fish_prompt; echo -n 'λ '; end\n"
        # (a right prompt that asks git takes a while: the resized screen is drawn before
        # fish draws the prompts again)
        "function fish_right_prompt; sleep 0.3; echo -n '⎇ main 12:00'; end\n"
        "set -g fish_greeting\n"
    )
    # (fish generates completions from man pages on its first start: done, says the folder)
    (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    cast = tmp_path / "c.cast"
    fish = ShellRecording(tmp_path, cast, 24, 80, "fish", "λ ")
    fish.typed("echo wide\r", wait="λ ")
    time.sleep(0.5)
    fish.resize(24, 50)
    time.sleep(1.0)
    fish.typed("echo narrow\r", wait="λ ")
    time.sleep(0.5)
    fish.exit()
    lines = [html.unescape(line) for line in told(cast)]
    assert "λ echo wide" in lines, lines
    assert "λ echo narrow" in lines, lines
    assert not [line for line in lines if "⎇" in line], lines
    # The player shows the right prompt on the command's row as its cue ends: a row of
    # its own, not the command's.
    player.load(cast.read_text("utf-8"))
    found = timed_cues(cast)
    end = next(end for _, end, texts in found if html.unescape(texts[0]) == "λ echo narrow")
    rows = player.at(end - 0.05).text()
    assert any(
        row.startswith("λ echo narrow") and row.rstrip().endswith("⎇ main 12:00") for row in rows
    ), rows


APP = """import curses, time
for name in ("one", "two", "six"):
    curses.wrapper(lambda screen: (screen.addstr(2, 4, name + " screen"), screen.refresh(),
                                   time.sleep(0.8)))
    time.sleep(0.5)  # (the shell's screen shown between, nothing new on it)
"""


def test_a_program_that_asks_for_the_alternate_screen_again_at_once_is_one_session(
    tmp_path: Path, player: Player
) -> None:
    """#7: a program that leaves the alternate screen and asks for it again at once (a
    script's next screen: curses started anew, each `curses.wrapper` its own
    `?1049h`/`?1049l`) was told as one session cue each time, `[app.py]` twice or
    more in a row, nothing between."""
    cast = _app_run(tmp_path, APP)
    found = timed_cues(cast)
    sessions = [(start, end) for start, end, texts in found if texts == ["[app.py]"]]
    assert len(sessions) == 1, found
    # The player shows each of the program's screens while that cue is shown.
    player.load(cast.read_text("utf-8"))
    start, end = sessions[0]
    shown = {
        row.strip() for t in range(20) for row in player.at(start + (end - start) * t / 20).text()
    }
    assert {"one screen", "two screen", "six screen"} <= shown, shown
    assert not_shown(cast, player) == []


PAINTER = r"""import curses, os, sys, time
curses.wrapper(lambda screen: (screen.addstr(2, 4, "loading"), screen.refresh(), time.sleep(0.8)))
box = ["\x1b[%d;20H\u2502 option %02d of the menu \u2502" % (row + 3, row) for row in range(18)]
# (in one write as it leaves the alternate screen: the keys and the mouse taken, a menu
# drawn on the primary screen by addressing its rows, as dialog(1) does)
os.write(1, ("\x1b[?1049l\x1b[?1h\x1b=\x1b[?1000h\x1b[H\x1b[2J\x1b[2;20H\u250c" + "\u2500" * 22
             + "\u2510" + "".join(box) + "\x1b[21;20H\u2514" + "\u2500" * 22 + "\u2518").encode())
time.sleep(1.2)
os.write(1, b"\x1b[?1000l\x1b[?1l\x1b>\x1b[H\x1b[2J")
"""


def test_a_menu_painted_on_the_primary_screen_as_the_alternate_one_is_left_is_no_lines(
    tmp_path: Path, player: Player
) -> None:
    """#7: a script left its full-screen program's screen and, in the same write, took
    the keys and drew a dialog(1) menu on the primary screen: the screen that ended the
    session was never held against a program painting, so the menu was told as 21
    lines of box drawing and indentation."""
    cast = _app_run(tmp_path, PAINTER)
    lines = [html.unescape(line) for line in told(cast)]
    assert not [line for line in lines if "option" in line or "\u2500" in line], lines
    assert lines[:2] == ["$ python3 app.py", "[app.py]"], lines
    # The player shows the menu while that cue is shown.
    player.load(cast.read_text("utf-8"))
    start, end = next((s, e) for s, e, texts in timed_cues(cast) if texts == ["[app.py]"])
    events = [json.loads(row) for row in cast.read_text("utf-8").splitlines()[1:]]
    drawn = next(float(event[0]) for event in events if "option 05" in event[2])
    assert start < drawn + 0.1 < end
    assert any("option 05 of the menu" in row for row in player.at(drawn + 0.1).text())
    assert not_shown(cast, player) == []


def _app_run(tmp_path: Path, script: str) -> Path:
    """A recording of bash running `script` as app.py, then exiting."""
    (tmp_path / "app.py").write_text(script)
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed("python3 app.py\r")
    time.sleep(0.3)
    bash.exit()
    return cast
