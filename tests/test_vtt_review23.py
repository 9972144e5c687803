"""The subtitle findings of review-exports23 (issue 19), each recorded here in a real pty
(tests/pty_session.py, asciinema 2.4) at sizes and with shells of its own, and held to
asciinema-player 3.18 in Chromium (tests/player_dom.py)."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from genact_cast.asciicast import MICROS
from genact_cast.publish.clip import Clip
from genact_cast.publish.screens import Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.player_dom import Player
from tests.pty_session import BashRecording, ShellRecording
from tests.test_player_parity import load
from tests.test_vtt_mux import SESSION_CUE, timed_cues
from tests.test_vtt_mux_recorded import ENV, SCREEN_PREFIX, TMUX_PREFIX, _ended, _keys, _typed
from tests.test_vtt_review18_mediums import _squeezed, not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

F10 = "\x1b[21~"  # (xterm's F10: mc's Quit)


@pytest.mark.skipif(shutil.which("mc") is None, reason="needs Midnight Commander")
@pytest.mark.parametrize(
    ("killed", "size"), [("nano", (30, 100)), ("less", (20, 70)), ("vim -u NONE", (24, 80))]
)
def test_a_program_after_a_killed_one_is_named_by_its_own_command(
    tmp_path: Path, player: Player, killed: str, size: tuple[int, int]
) -> None:
    """A program killed on the alternate screen leaves the shell there; mc, run at that
    prompt, leaves and re-enters the alternate screen in its first writes (`?1049h …
    ?1049l`), so the primary screen, whose last command is the killed program's, comes
    back for a moment. mc was told under the killed one's name (`[nano]`,
    review-exports23 #2); when that came in one screen, the commands typed after the
    kill were lost and the killed one's told again."""
    (tmp_path / "f.txt").write_text("some text\n" * 5)
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, *size)
    bash.typed(f"timeout -s KILL 2 {killed} f.txt\r", "Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo after-kill\r")
    time.sleep(0.3)
    bash.typed("mc -u -b\r", wait=None)
    time.sleep(2.5)
    bash.child.send(F10)
    time.sleep(1.5)
    bash.typed("echo after-mc\r")
    bash.exit()
    assert "\\u001b[?1049l" in cast.read_text()  # (the case: mc leaves the screen it re-enters)
    lines = [html.unescape(line) for line in told(cast)]
    at = lines.index("$ mc -u -b")
    assert lines[at + 1] == "[mc]", lines
    assert lines.count(f"[{killed.split()[0]}]") == 1, lines
    assert lines[at - 2 : at] == ["$ echo after-kill", "after-kill"], lines
    assert lines[at + 2 : at + 4] == ["$ echo after-mc", "after-mc"], lines
    assert not_shown(cast, player) == []


@pytest.mark.parametrize(("split", "size"), [('"', (30, 100)), ("", (20, 64))])
def test_a_row_that_fills_a_pane_as_wide_as_the_terminal_ends_where_its_line_does(
    tmp_path: Path, player: Player, split: str, size: tuple[int, int]
) -> None:
    """tmux lets the terminal wrap a line in a pane as wide as the terminal and moves the
    cursor itself to the next row after a newline: a row exactly filled by output was
    glued to the next prompt and half of the command typed there, the rest of which was
    a cue of its own; output wrapped after a space was two cues (review-exports23 #4)."""
    rows, cols = size
    socket = tmp_path / "sock"
    command = f"tmux -S {socket} -f /dev/null new-session bash --norc --noprofile -i"
    tmux = ShellRecording(tmp_path, tmp_path / "c.cast", rows, cols, command, "$ ", ENV)
    words = "echo" + " word" * (cols // 4)  # (its output wraps after a space)
    try:
        if split:
            _keys(tmux, TMUX_PREFIX + split)  # (a lower pane, the cursor in it)
            _typed(tmux, "PS1='$ '\r")  # (its shell is the user's own, its prompt theirs)
        _typed(tmux, f"printf '%0{cols}d\\n' 7\r")
        time.sleep(1.0)
        _typed(tmux, words + "\r")
        time.sleep(1.0)
        _typed(tmux, "echo after\r")
        time.sleep(0.5)
        _typed(tmux, "exit\r")
        if split:
            _typed(tmux, "exit\r")
        _ended(tmux)
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True, check=False)
    cast = tmp_path / "c.cast"
    lines = [html.unescape(line) for line in told(cast)]
    filled = "0" * (cols - 1) + "7"
    assert filled in lines, lines
    assert lines[lines.index(filled) + 1] == "$ " + words, lines
    assert lines[lines.index(filled) + 2] == words[5:], lines
    assert "$ echo after" in lines, lines
    assert not_shown(cast, player) == []


@pytest.mark.skipif(shutil.which("screen") is None, reason="needs GNU screen")
@pytest.mark.parametrize("cols", [90, 100])
def test_gnu_screen_regions_side_by_side_are_told_as_panes(
    tmp_path: Path, player: Player, cols: int
) -> None:
    """GNU screen split side by side (Ctrl-A |) draws its separator as a column of blanks
    in standout, no box character: the whole session was one `[full-screen program]`
    cue (review-exports23 #1). Each region's prompt here fills its row: in the left one
    its blank wraps to the next row, in the right one it is the row's last cell; and a
    line of wide characters wraps a cell early. Each command is told with its prompt,
    each line of output once, whole."""
    left = (cols - 1) // 2  # (screen's: the separator's column after the left region)
    ps1 = "p" * (left - 1) + "$ "  # (the left region's cells and one: the right's)
    shell = tmp_path / "sh"
    shell.write_text("#!/bin/sh\nexec bash --norc --noprofile -i\n")
    shell.chmod(0o755)
    screens = tmp_path / "screens"  # (its sockets: screen wants the folder private)
    screens.mkdir(mode=0o700)
    rc = tmp_path / "screenrc"
    rc.write_text(f"startup_message off\nshell {shell}\n")
    name = f"v{os.getpid()}{cols}"
    env = {**ENV, "PS1": ps1, "SCREENDIR": str(screens)}
    cast = tmp_path / "c.cast"
    screen = ShellRecording(tmp_path, cast, 24, cols, f"screen -S {name} -c {rc}", "$ ", env)
    wide = "x" + "\u4e2d\u6587" * 12  # (1 + 48 cells: the 22nd character does not fit)
    try:
        _keys(screen, SCREEN_PREFIX + "|", 0.8)
        _keys(screen, SCREEN_PREFIX + "\t", 0.8)
        _keys(screen, SCREEN_PREFIX + "c", 1.2)  # (a shell in the right region)
        _typed(screen, "echo right-region-here\r")
        time.sleep(1.0)
        _keys(screen, SCREEN_PREFIX + "\t", 0.8)  # (back to the left one)
        _typed(screen, f"seq 1 3; echo {wide}\r")
        time.sleep(1.0)
        _typed(screen, "echo left-region-here\r")
        time.sleep(1.0)
        subprocess.run(["screen", "-S", name, "-X", "quit"], env={**os.environ, **env},
                       capture_output=True, check=False)  # fmt: skip
        _ended(screen)
    finally:
        quit_ = ["screen", "-S", name, "-X", "quit"]
        subprocess.run(quit_, env={**os.environ, **env}, capture_output=True, check=False)
    assert "\\u001b[7m" in cast.read_text()  # (the case: the separator in standout)
    lines = [html.unescape(line) for line in told(cast)]
    assert "[full-screen program]" not in lines, lines
    assert ps1 + "echo right-region-here" in lines, lines
    assert ps1 + f"seq 1 3; echo {wide}" in lines, lines
    assert ps1 + "echo left-region-here" in lines, lines
    for output in ("right-region-here", "1", "2", "3", wide, "left-region-here"):
        assert lines.count(output) == 1, (output, lines)
    assert not_shown_in_regions(cast, player, left) == []


def not_shown_in_regions(cast: Path, player: Player, left: int) -> list[str]:
    """`not_shown` for two regions side by side, the separator at column `left`: each
    region's rows read on their own (a line wrapped in the left region goes on on its
    next row, not into the right region's cells)."""
    _, events = load(cast)
    player.load(cast.read_text("utf-8"))
    written = [event.time_us / MICROS + 0.01 for event in events]
    problems = []
    for start, end, texts in timed_cues(cast):
        rest = [text for text in texts if not SESSION_CUE.fullmatch(text)]
        for t in [max(start, end - 0.05), *(t for t in written if start - 0.0006 <= t < end)]:
            if not rest:
                break
            cells = player.at(t).cells
            regions = [[row[:left] for row in cells], [row[left + 1 :] for row in cells]]
            whole = [_squeezed("".join(c[0] for row in rows for c in row)) for rows in regions]
            rest = [
                text for text in rest if not any(_squeezed(html.unescape(text)) in w for w in whole)
            ]
        problems += [f"{start:.3f}-{end:.3f}: {text!r}" for text in rest]
    return problems


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
@pytest.mark.parametrize(("ps1", "size"), [("%% ", (15, 60)), ("me@box %~ %# ", (10, 34))])
def test_zshs_history_search_field_under_a_waiting_prompt_is_no_output(
    tmp_path: Path, player: Player, ps1: str, size: tuple[int, int]
) -> None:
    """zsh's Ctrl-R at a prompt with nothing typed draws `bck-i-search: _` under it and
    puts the cursor back on the prompt's row, the keys kept: the line editor's field,
    which the player shows until Enter erases it. It was told as a line of output, a
    0.55 s cue (exports-y)."""
    (tmp_path / ".zshrc").write_text(f"PS1='{ps1}'\nbindkey -e\n")
    cast = tmp_path / "c.cast"
    zsh = ShellRecording(tmp_path, cast, *size, "zsh", "# " if "#" in ps1 else "% ")
    command = "echo aaa tail-word"
    zsh.typed(command + "\r")
    time.sleep(0.5)
    zsh.child.send("\x12")  # (Ctrl-R, nothing typed yet)
    time.sleep(1.0)
    zsh.typed("tail", wait=None)
    time.sleep(1.0)
    zsh.child.send("\r")  # (the match taken, run)
    time.sleep(1.0)
    zsh.exit()
    assert "bck-i-search" in cast.read_text()  # (the case)
    lines = [html.unescape(line) for line in told(cast)]
    assert not [line for line in lines if "i-search" in line], lines
    assert [line for line in lines if line.endswith(command)] == [lines[0]] * 2, lines
    assert lines.count("aaa tail-word") == 2, lines
    assert not_shown(cast, player) == []


@pytest.mark.parametrize(("program", "size"), [("less f.txt", (24, 80)), ("htop", (30, 120))])
def test_a_clip_starting_in_a_program_tells_no_line_from_before_its_start(
    tmp_path: Path, program: str, size: tuple[int, int]
) -> None:
    """A clip that starts while a full-screen program runs (--start-at) opens with its
    session; when the program leaves, the shell's screen it restores shows lines from
    before the start. The lead screens all stand at the clip's time 0, so each line
    looked written just as the program covered it, kept to tell when it comes back:
    told after `[htop]` as if they followed it (review-exports23 WARN 8)."""
    (tmp_path / "f.txt").write_text("".join(f"row {n} of the page\n" for n in range(60)))
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, *size)
    bash.typed("printf 'older line %s\\n' 1 2 3\r", wait="older line 3")
    bash.wait("$ ")
    time.sleep(1.0)
    bash.typed(program + "\r", wait="\x1b[?1049h")
    time.sleep(2.5)
    bash.child.send("q")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo after-it\r", wait="after-it\r\n")
    bash.exit()
    whole = told(cast)
    name = f"[{program.split()[0]}]"
    assert whole[whole.index(name) - 4 : whole.index(name)][:3] == [
        "older line 1", "older line 2", "older line 3"
    ], whole  # fmt: skip
    events = [json.loads(line) for line in cast.read_text("utf-8").splitlines()[1:]]
    entered = next(event[0] for event in events if "\x1b[?1049h" in event[2])
    with open_cast(str(cast)) as reader:
        clip = Clip(start_at=f"{entered + 1.0:.3f}")
        vtt = render_vtt(Timeline(reader.header, reader.events(), clip))
    lines = [html.unescape(line) for line in vtt.splitlines() if line and "-->" not in line]
    assert lines[1] == name, lines
    assert not [line for line in lines if "older line" in line], lines
    assert lines[2:4] == ["$ echo after-it", "after-it"], lines


@pytest.mark.parametrize(("program", "size"), [("vim -u NONE", (20, 60)), ("less", (24, 72))])
def test_a_command_whose_last_key_wraps_before_a_killed_program_is_told_whole(
    tmp_path: Path, player: Player, program: str, size: tuple[int, int]
) -> None:
    """The last key of a command that fills its row goes on the next row alone; typed
    just before Enter, that row was taken for output the program covered as it
    appeared, kept to tell when its screen came back: never, the program killed, so the
    command was told without its last letter (`colors.tx`, review-exports23 #3). And a
    command typed over the killed program's text, a letter of it the same as the one
    left in that cell, was told without it (`$ exi`)."""
    rows, cols = size
    head = f"timeout -s KILL 2 {program} "
    name = "n" * (cols + 1 - len("$ " + head) - len(".txt")) + ".txt"
    command = head + name
    assert len("$ " + command) == cols + 1  # (the case: its last key on a row alone)
    (tmp_path / name).write_text("some text\n" * 5)
    cast = tmp_path / "c.cast"
    bash = BashRecording(tmp_path, cast, rows, cols)
    bash.typed(command + "\r", "Killed")
    bash.wait("$ ")
    time.sleep(0.5)
    bash.typed("echo after-kill\r")
    bash.exit()
    lines = [html.unescape(line) for line in told(cast)]
    assert lines[:2] == ["$ " + command, f"[{program.split()[0]}]"], lines
    # (`exit` typed over the program's `some text`, its `t` where the file's is: kept)
    assert lines[-2:] == ["$ exit", "exit"], lines
    assert not_shown(cast, player) == []
