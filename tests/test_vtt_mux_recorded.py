"""review-exports18 item 4 (high): a cast whose recorded command is a multiplexer
(`asciinema rec -c tmux`, `-c screen`) was one `[full-screen program]` cue for its whole
length. asciinema 2.4 writes no `command` in the header, and the session starts on the
cast's first screen, with no shell before it: nothing named it. Its panes hold shells;
the subtitles tell them as outside a multiplexer (each command, its output, `[htop]`).

Recorded here in a real pty (asciinema 2.4, tests/pty_session.py) with tmux 3.3 and GNU
screen 4.9 as the recorded command: split panes, a status line, a program in a pane, a
pane's exit, detaching. Each line told is held against asciinema-player 3.18 in Chromium
(tests/player_dom.py): on its screen while its cue is shown; a program's cue while the
player shows that program."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from pathlib import Path

import pexpect
import pytest

from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_mux import SESSION_CUE, timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

TMUX_PREFIX = "\x02"  # Ctrl-B
SCREEN_PREFIX = "\x01"  # Ctrl-A
ENV = {"PS1": "$ ", "SHELL": "/bin/bash"}
MAX_MOMENTS = 40  # moments read in one cue


def _typed(recording: ShellRecording, keys: str, shows: str | None = None) -> None:
    """Keys typed one at a time, then until `shows` appears twice (the command's echo,
    then its output: a multiplexer draws rows by moving the cursor, not with newlines),
    or a pause."""
    for key in keys:
        recording.child.send(key)
        time.sleep(0.03)
    for _ in range(2 if shows is not None else 0):
        recording.child.expect_exact(shows)
    time.sleep(0.6)


def _keys(recording: ShellRecording, keys: str, pause: float = 1.0) -> None:
    recording.child.send(keys)
    time.sleep(pause)


def _ended(recording: ShellRecording) -> None:
    recording.child.expect(pexpect.EOF)
    recording.child.close()


def _told(cast: Path) -> tuple[list[tuple[float, float, list[str]]], list[str]]:
    found = timed_cues(cast)
    return found, [text.strip() for _, _, texts in found for text in texts]


def _shown_by_player(
    cast: Path, player: Player, found: list[tuple[float, float, list[str]]]
) -> None:
    """Each line told is on the player's screen at a moment of its cue (as it ends, or
    just after one of the cast's events in it: a command is whole by its Enter). A
    command told before its program's cue may lose its last key on the screen: echoed in
    the write that drew the program, which the player applies whole, it is never shown
    (`htop`: the player shows `hto`, then htop's pane)."""
    player.load(cast.read_text("utf-8"))
    events = [json.loads(row) for row in cast.read_text("utf-8").splitlines()[1:]]
    written = [float(event[0]) + 0.0001 for event in events]  # (each as its event left it)
    missing = []
    told = [text.strip() for _, _, texts in found for text in texts]
    run = {line for line, then in itertools.pairwise(told) if SESSION_CUE.fullmatch(then)}
    for start, end, texts in found:
        left = [text.strip() for text in texts if not SESSION_CUE.fullmatch(text.strip())]
        # (a cue's times are rounded to the millisecond: an event at 1.2918 starts a cue
        # told from 1.292, and may be all of it the screen shows, as a loaded machine's
        # GNU screen redrew its split region empty 0.7 s later)
        moments = [t for t in written if start - 0.0006 <= t < end][:MAX_MOMENTS]
        for t in [max(start, end - 0.05), *moments]:
            if not left:
                break
            whole = "".join(player.at(t).text())
            left = [
                text
                for text in left
                if text not in whole and not (text in run and text[:-1] in whole)
            ]
        missing += [f"{start:.3f}-{end:.3f} {text!r}" for text in left]
    assert missing == [], missing


def _program_shown(
    cast: Path, player: Player, found: list[tuple[float, float, list[str]]], name: str, text: str
) -> None:
    """The player shows the program's screen (`text`) in the middle of its cue."""
    start, end, _ = next(cue for cue in found if f"[{name}]" in [t.strip() for t in cue[2]])
    player.load(cast.read_text("utf-8"))
    assert text in "".join(player.at((start + end) / 2).text()), (name, start, end)


def _tmux(folder: Path, cast: Path, end: str) -> None:
    """`asciinema rec -c 'tmux ... new-session bash'`: a command, a split, htop typed in
    the new pane and quit, a resize, that pane's shell left, then the last pane's `exit`
    or a detach (Ctrl-B d) ends tmux's client and the recording."""
    socket = folder / "sock"
    command = f"tmux -S {socket} -f /dev/null new-session bash --norc --noprofile -i"
    tmux = ShellRecording(folder, cast, 24, 80, command, "$ ", ENV)
    try:
        _typed(tmux, "echo left-pane\r", "left-pane")
        _keys(tmux, TMUX_PREFIX + "%")
        _typed(tmux, "hto")
        _keys(tmux, "p\r", 2.0)  # (its last key with Enter: echoed with htop's screen)
        _keys(tmux, "q")
        _typed(tmux, "echo after-htop\r", "after-htop")
        tmux.resize(28, 100)  # (tmux redraws it all, its modes reset first)
        time.sleep(1.0)
        _typed(tmux, "echo resized\r", "resized")
        _typed(tmux, "exit\r")
        _typed(tmux, "echo alone-again\r", "alone-again")
        if end == "detach":
            _keys(tmux, TMUX_PREFIX + "d")
        else:
            _typed(tmux, "exit\r")
        _ended(tmux)
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True, check=False)


@pytest.mark.parametrize("end", ["exit", "detach"])
def test_tmux_as_the_recorded_command_tells_its_panes(
    end: str, tmp_path: Path, player: Player
) -> None:
    cast = tmp_path / "tmux.cast"
    _tmux(tmp_path, cast, end)
    assert "command" not in json.loads(cast.read_text("utf-8").splitlines()[0])  # (2.4)
    found, told = _told(cast)
    assert "[full-screen program]" not in told, told
    assert told[:2] == ["$ echo left-pane", "left-pane"], told
    at = told.index("[htop]")
    assert told[at - 1].endswith("# htop"), told  # (the new pane's login shell: its PS1)
    assert told[at + 1 : at + 3] == [told[at - 1][: -len("htop")] + "echo after-htop", "after-htop"]
    assert told[told.index("$ echo alone-again") + 1] == "alone-again", told
    assert told[told.index(told[at - 1][: -len("htop")] + "echo resized") + 1] == "resized", told
    assert not [line for line in told if "\u2502" in line], told  # (no border read as text)
    assert not [line for line in told if "PID USER" in line or "F10Quit" in line], told
    _shown_by_player(cast, player, found)
    _program_shown(cast, player, found, "htop", "PID")
    # asciinema 3 writes the command in the header: the same subtitles
    lines = cast.read_text("utf-8").splitlines()
    header = json.loads(lines[0])
    header["command"] = "tmux new -A -s main"
    named = tmp_path / "named.cast"
    named.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", "utf-8")
    assert _told(named)[1] == told


def _screen(folder: Path, cast: Path, status: bool) -> list[str]:
    """`asciinema rec -c 'screen -c RC'` (GNU screen 4.9): with a status line (RC's
    `hardstatus alwayslastline`), a split (Ctrl-A S), a new window in the lower region,
    vim there, a command, a detach; without one, a command, less and `exit`."""
    screens = folder / "screens"  # (its sockets: screen wants the folder private)
    screens.mkdir(mode=0o700)
    rc = folder / "screenrc"
    settings = ["startup_message off", "shell /bin/bash"]
    if status:
        settings.append('hardstatus alwayslastline "%H %n %t"')
    rc.write_text("\n".join(settings) + "\n")
    name = f"s{os.getpid()}{int(status)}"
    env = {**ENV, "SCREENDIR": str(screens)}
    screen = ShellRecording(folder, cast, 24, 80, f"screen -S {name} -c {rc}", "# ", env)
    try:
        _typed(screen, "echo in-screen\r", "in-screen")
        if status:
            _keys(screen, SCREEN_PREFIX + "S", 0.8)
            _keys(screen, SCREEN_PREFIX + "\t", 0.8)
            _keys(screen, SCREEN_PREFIX + "c", 1.2)
            _typed(screen, "vim -u NONE f.txt\r")
            time.sleep(0.8)
            _typed(screen, ":q!\r")
            _typed(screen, "echo bottom-region\r", "bottom-region")
            _keys(screen, SCREEN_PREFIX + "d", 0.5)
        else:
            _typed(screen, "less f.txt\r")
            time.sleep(0.8)
            _keys(screen, "q", 0.8)
            _typed(screen, "echo after-less\r", "after-less")
            _typed(screen, "exit\r")
        _ended(screen)
    finally:
        quit_ = ["screen", "-S", name, "-X", "quit"]
        subprocess.run(quit_, env={**os.environ, **env}, capture_output=True, check=False)
    _, told = _told(cast)
    return told


def test_gnu_screen_as_the_recorded_command_with_a_status_line_and_a_split(
    tmp_path: Path, player: Player
) -> None:
    (tmp_path / "f.txt").write_text("first line of f\nsecond line\n")
    cast = tmp_path / "screen.cast"
    told = _screen(tmp_path, cast, status=True)
    assert "[full-screen program]" not in told, told
    assert told[0].endswith("# echo in-screen"), told
    assert told[1] == "in-screen", told
    at = told.index("[vim]")
    assert told[at - 1].endswith("# vim -u NONE f.txt"), told
    assert told[at + 1].endswith("# echo bottom-region"), told
    assert told[at + 2] == "bottom-region", told
    assert not [line for line in told if "first line of f" in line or line == "~"], told
    found, _ = _told(cast)
    _shown_by_player(cast, player, found)
    _program_shown(cast, player, found, "vim", "first line of f")


def test_gnu_screen_as_the_recorded_command_without_a_status_line(
    tmp_path: Path, player: Player
) -> None:
    # (a page longer than the window: screen keeps no alternate screen for its windows
    # unless told to (`altscreen on`), so less pages on the window's screen, and a short
    # file would stay shown under its command, as the player shows it)
    lines = [f"line {n} of f" for n in range(2, 61)]
    (tmp_path / "f.txt").write_text("\n".join(["first line of f", *lines]) + "\n")
    cast = tmp_path / "screen.cast"
    told = _screen(tmp_path, cast, status=False)
    assert "[full-screen program]" not in told, told
    assert told[0].endswith("# echo in-screen"), told
    assert told[1] == "in-screen", told
    at = told.index("[less]")
    assert told[at - 1].endswith("# less f.txt"), told
    assert told[at + 1 : at + 3] == [
        told[at - 1][: -len("less f.txt")] + "echo after-less",
        "after-less",
    ], told
    found, _ = _told(cast)
    _shown_by_player(cast, player, found)
    _program_shown(cast, player, found, "less", "first line of f")
    assert not [line for line in told if " of f" in line], told
