"""review-exports17's high findings, each on a recording made here: bash, tmux 3.3, GNU
screen 4.9, htop and top recorded in a pty under asciinema 2.4 (tests/pty_session.py),
with commands sent as one write (pasted, or scripted as the review's drive.py typed
them): the echo of the command and the program's first screen then arrive together.

Each is held against asciinema-player 3.18 in Chromium (tests/player_dom.py): the
program's cue is shown while the player shows the program's screen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from genact_cast.publish.screens import Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.player_dom import Player
from tests.pty_session import BashRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

TMUX_PREFIX = "\x02"  # Ctrl-B
SCREEN_PREFIX = "\x01"  # Ctrl-A


def _send(bash: BashRecording, keys: str, pause: float = 0.8) -> None:
    """The keys in one write, as a paste or a script sends them."""
    bash.child.send(keys)
    time.sleep(pause)


def _drain(bash: BashRecording) -> None:
    """Forget what the terminal has drawn so far: the next `expect` waits for new output."""
    import pexpect

    while True:
        try:
            bash.child.read_nonblocking(1 << 16, timeout=0.3)
        except pexpect.TIMEOUT:
            break
    bash.child.buffer = ""


def _shows(player: Player, t: float, text: str) -> bool:
    screen = player.at(t)
    return text in "".join("".join(cell[0] for cell in row) for row in screen.cells)


def _program_cue(
    found: list[tuple[float, float, list[str]]], name: str
) -> tuple[float, float, list[str]]:
    return next(cue for cue in found if f"[{name}]" in [line.strip() for line in cue[2]])


def test_programs_in_tmux_panes_are_one_cue_each_named_by_their_command(
    tmp_path: Path, player: Player
) -> None:
    """Item 3 (high): htop typed at once in the right pane of a side-by-side split: its
    screen was read out as text (rows of two panes glued), its command missing or told
    after it exited, its exit told as `[tmux]`. The command line was on the terminal for
    half a millisecond before htop cleared its pane, never on a screen the subtitles
    read: now read where the shell runs it (bracketed paste let go, which tmux passes
    on). (vim in a pane sets bracketed paste again itself: when tmux sends the pane's
    echo and vim's first screen in one write, no release is seen; not covered here.)"""
    cast = tmp_path / "panes.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    tmux = f"tmux -S {tmp_path}/sock -f /dev/null"
    _send(bash, f"{tmux} new -s p\r", 1.5)
    _send(bash, "echo left-pane\r")
    _send(bash, TMUX_PREFIX + "%", 1.0)
    _send(bash, "htop\r", 2.5)
    _send(bash, "q", 1.0)
    _send(bash, "echo after-htop\r")
    _send(bash, f"{tmux} kill-server\r", 1.0)
    bash.exit()
    found = timed_cues(cast)
    told = [line.strip() for _, _, texts in found for line in texts]
    assert not [line for line in told if "PID USER" in line or "Load average" in line], told
    assert "[tmux]" not in told, told
    at = told.index("[htop]")
    assert told[at - 1].endswith("# htop"), told  # (its command, just before it)
    start, end, _ = _program_cue(found, "htop")
    player.load(cast.read_text("utf-8"))
    assert _shows(player, (start + end) / 2, "PID USER"), (start, end)  # (htop's screen)
    assert told[told.index("root@vm:~# echo after-htop") + 1] == "after-htop", told


def test_vim_in_a_gnu_screen_region_is_one_cue_named_by_its_command(tmp_path: Path) -> None:
    """Item 10: GNU screen split in two regions (Ctrl-A S), a new window in the lower
    one, `vim -u NONE` typed at once: told as a lone `~` and then the text typed into vim
    as output, the command never told. screen draws the command's echo after it lets go
    of bracketed paste, in the same write as vim's first rows.

    A failure shows the whole VTT: CI's loaded machine made a few recordings whose `echo`
    was told after its output, which no regrouping of the writes of a recording made here
    reproduces (400 splits tried). The module's flaky mark records it again once."""
    vtt = _screen_regions_vtt(tmp_path / "regions.cast", tmp_path / "home")
    problem = _regions_problem(vtt)
    assert problem is None, f"{problem}\n{vtt}"


def _regions_problem(vtt: str) -> str | None:
    told = [line.strip() for block in vtt.split("\n\n")[1:] for line in block.splitlines()[1:]]
    if "[vim]" not in told:
        return "no [vim] cue"
    if not told[told.index("[vim]") - 1].endswith("# vim -u NONE"):
        return "[vim] not after its command"
    if [line for line in told if "words typed" in line or line == "~"]:
        return "vim's screen read out"
    echo = "root@vm:~# echo bottom-region"
    if echo not in told or told[told.index(echo) + 1 :][:1] != ["bottom-region"]:
        return "the echo not followed by its output"
    return None


def _screen_regions_vtt(cast: Path, home: Path) -> str:
    home.mkdir()
    # (screen runs $SHELL in its windows: bash, whose bracketed paste marks a command run)
    bash = BashRecording(home, cast, 24, 80, {"SHELL": "/bin/bash"})
    _send(bash, "screen -q\r", 0)
    bash.child.expect_exact("root@vm:~# ", timeout=30)  # (screen's window: its own bash)
    _send(bash, "echo in-screen\r")
    _send(bash, SCREEN_PREFIX + "S", 0.8)
    _send(bash, SCREEN_PREFIX + "\t", 0.8)
    _drain(bash)
    _send(bash, SCREEN_PREFIX + "c", 0)
    bash.child.expect_exact("root@vm:~# ", timeout=30)
    time.sleep(0.3)
    _send(bash, "vim -u NONE\r", 1.5)
    _send(bash, "iwords typed into vim\x1b", 1.0)
    # vim gone and bash's prompt back before the next command: keys typed while a loaded
    # machine still ran vim went to vim, or were echoed by the terminal before bash read them
    _drain(bash)
    _send(bash, ":q!\r", 0)
    bash.child.expect_exact("root@vm:~# ", timeout=30)
    time.sleep(0.3)
    _send(bash, "echo bottom-region\r", 0)
    # its echo, then its output, before screen is asked to quit (a fixed pause let a loaded
    # machine draw the quit question first)
    for _ in range(2):
        bash.child.expect_exact("bottom-region", timeout=30)
    time.sleep(0.8)
    _send(bash, SCREEN_PREFIX + "\\", 0.8)
    _send(bash, "y", 1.5)
    bash.exit()
    with open_cast(str(cast)) as reader:
        return render_vtt(Timeline(reader.header, reader.events()))


def test_top_repainting_the_primary_screen_on_term_linux_is_one_cue(
    tmp_path: Path, player: Player
) -> None:
    """Item 4 (high): `TERM=linux top -d 0.5` (linux's terminfo has no `smcup`: top
    clears the primary screen, then at each refresh homes the cursor and writes over the
    rows that changed, its first row only when its clock does) was eight cues of process
    tables. It is `[top]`, from its first page to its end, as the player shows top."""
    cast = tmp_path / "top.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    _send(bash, "echo before-top\r")
    _send(bash, "TERM=linux top -d 0.5\r", 3.0)
    _send(bash, "q", 1.0)
    _send(bash, "echo after-top\r")
    bash.exit()
    found = timed_cues(cast)
    told = [line.strip() for _, _, texts in found for line in texts]
    assert not [line for line in told if "PID USER" in line or "load average" in line], told
    at = told.index("[top]")
    assert told[at - 1] == "$ TERM=linux top -d 0.5", told
    assert told[told.index("$ echo after-top") + 1] == "after-top", told
    start, end, _ = _program_cue(found, "top")
    player.load(cast.read_text("utf-8"))
    for t in (start + 0.5, (start + end) / 2, end - 0.6):  # (top's screen while told so)
        assert _shows(player, t, "PID USER"), (t, start, end)


def test_a_program_killed_on_the_alternate_screen_is_named_by_its_own_command(
    tmp_path: Path, player: Player
) -> None:
    """Item 9 (high): htop started by a function that also starts a background job
    which kills it (`kill -9`), typed at once after `less` had run: the job's `[1] PID`
    line is under the command as the switch finds it, so the cue was named by the last
    command told before, `[less]` (`[man]` in the review). The cue names the program
    that owns the screen now, from the command the shell ran."""
    (tmp_path / "f.txt").write_text("a page of text\n")
    cast = tmp_path / "killed.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    _send(bash, "less f.txt\r", 1.0)
    _send(bash, "q", 0.8)
    kill = "kill_htop(){ (sleep 2; kill -9 $(pgrep -n -P $$ htop)) & htop; }; kill_htop\r"
    _send(bash, kill, 3.5)
    _send(bash, "echo after-kill\r")
    bash.exit()
    found = timed_cues(cast)
    told = [line.strip() for _, _, texts in found for line in texts]
    assert told.count("[less]") == 1, told
    assert "[htop]" in told, told
    assert told.index("[htop]") > told.index("[less]"), told
    # (and what the shell does after it is told: review-exports19 item 13, the `$ ` of
    # `-P $$ htop` in the command was taken for its prompt, so the shell was never back)
    after = told[told.index("[htop]") + 1 :]
    assert "Killed" in after, told
    assert "after-kill" in after, told
    assert after.index("$ echo after-kill") + 1 == after.index("after-kill"), told
    start, end, _ = _program_cue(found, "htop")
    player.load(cast.read_text("utf-8"))
    # (htop's screen, at some moment of its cue: a loaded machine draws it a second late)
    moments = [start + step * (end - start) / 8 for step in range(1, 8)]
    assert any(_shows(player, t, "PID") for t in moments), (start, end)
