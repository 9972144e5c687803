"""review-exports19 item 13 (high): a full-screen program killed from another terminal
(`kill -9 PID`) leaves the terminal on its alternate screen with its modes on (vim's
keypad and bracketed paste, htop's hidden cursor). Whatever the shell does next must be
told, in bash, zsh and fish: its message (`Killed`, `zsh: killed`, fish's `terminated by
signal SIGKILL`), each command typed and its output, `reset`, and what follows. Under fish
nothing was: its prompt after the kill names the signal (`root@vm ~ [SIGKILL]# `), not the
prompt the program was started from, so the shell was never known back; zsh's `% echo
on` typed over vim's `third line` lost its `n` (the same character as the cell's), and
zsh's and fish's marks for output with no newline (`#`, `⏎`) were told as lines when
`reset` erased them.

Recorded here in a real pty under asciinema 2.4 (tests/pty_session.py), the program killed
by its PID, at 40 and 80 columns; each line told is held against asciinema-player 3.18 in
Chromium (tests/player_dom.py) while its cue is shown."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from html import unescape
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_mux import timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

# (command, the prompt to wait for as a regular expression, environment)
SHELLS = {
    "bash": ("bash --norc --noprofile -i", r"\$ ", {"PS1": "$ "}),
    "zsh": ("zsh -f -i", r"% ", {"PS1": "%% "}),
    "fish": ("fish", r"[#>] ", {}),
}
PROGRAMS = {"vim": "vim -u NONE f.txt", "htop": "htop"}
# What each shell prints when its foreground job dies of SIGKILL.
MESSAGES = {
    "bash": "Killed",
    "zsh": "zsh: killed",
    "fish": "terminated by signal SIGKILL",
}


def _kill(program: str, shell: int) -> None:
    """SIGKILL to the program the recorded shell runs (its child), from outside."""
    found = subprocess.run(
        ["pgrep", "-P", str(shell), "-x", program], capture_output=True, text=True, check=False
    ).stdout.split()
    assert found, f"no {program} under {shell}"
    os.kill(int(found[-1]), signal.SIGKILL)


def _shell_pid(recorder: int, name: str) -> int:
    """The shell asciinema runs (under its recording process)."""
    for _ in range(50):
        out = subprocess.run(
            ["pgrep", "-P", str(recorder)], capture_output=True, text=True, check=False
        ).stdout.split()
        for pid in out:
            command = Path(f"/proc/{pid}/comm").read_text().strip()
            if command == name:
                return int(pid)
            inner = _shell_under(int(pid), name)
            if inner:
                return inner
        time.sleep(0.1)
    raise AssertionError(f"no {name} under {recorder}")


def _shell_under(parent: int, name: str) -> int:
    out = subprocess.run(
        ["pgrep", "-P", str(parent), "-x", name], capture_output=True, text=True, check=False
    ).stdout.split()
    return int(out[0]) if out else 0


@pytest.mark.parametrize(("program", "cols"), [("vim", 80), ("htop", 40)])
@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_what_a_shell_does_after_its_program_is_killed_from_outside_is_told(
    tmp_path: Path, player: Player, shell: str, program: str, cols: int
) -> None:
    (tmp_path / "f.txt").write_text("line one\nsecond line of the file\nthird line\n" * 20)
    # (fish generates completions from man pages on its first start: done, says the folder)
    (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    cast = tmp_path / "k.cast"
    command, prompt, env = SHELLS[shell]
    recording = ShellRecording(tmp_path, cast, 24, cols, command, prompt, env, regex=True)
    pid = _shell_pid(recording.child.pid, shell)
    recording.typed("echo before\r", wait=None)
    time.sleep(0.6)
    recording.typed(PROGRAMS[program] + "\r", wait=None)
    time.sleep(1.5)
    _kill(program, pid)
    time.sleep(1.0)
    for typed in ("echo on alt screen\r", "ls\r", "reset\r", "echo after reset\r"):
        recording.typed(typed, wait=None)
        time.sleep(1.5 if typed == "reset\r" else 0.8)
    recording.exit()
    found = timed_cues(cast)
    told = [line.strip() for _, _, texts in found for line in texts]
    assert told.count(f"[{program}]") == 1, found
    at = told.index(f"[{program}]")
    after = told[at + 1 :]
    assert MESSAGES[shell] in after[0], found
    # (each command after the prompt the shell drew then, each output alone)
    expected = [
        ("echo on alt screen", True),
        ("on alt screen", False),
        ("ls", True),
        ("f.txt  k.cast", False),
        ("reset", True),
        ("echo after reset", True),
        ("after reset", False),
    ]
    assert len(after) > len(expected), found
    for line, (want, command_line) in zip(after[1:], expected, strict=False):
        assert line.endswith(" " + want) if command_line else line == want, (line, want, found)
    # The program's cue ends where the shell's message begins: where it came back
    session = next(cue for cue in found if f"[{program}]" in [t.strip() for t in cue[2]])
    message = next(cue for cue in found if any(MESSAGES[shell] in t for t in cue[2]))
    assert session[1] <= message[0] + 0.001, (session, message)
    # Each line told after the program, on the player's screen as its cue ends (a
    # command is told from its first key: whole once typed)
    player.load(cast.read_text("utf-8"))
    for start, end, texts in found:
        if start < message[0]:
            continue
        rows = player.at(end - 0.005).text()
        screen = "".join(row.ljust(cols) for row in rows)
        for text in texts:
            assert " ".join(text.split()) in " ".join(screen.split()), (text, start, rows)


# A program that crashes on the alternate screen with its modes on (keypad, hidden cursor)
# and its rows still there: the shell writes its prompt over them.
CRASHING = (
    "import sys, time\n"
    "sys.stdout.write('\\x1b[?1049h\\x1b[?1h\\x1b=\\x1b[?25l\\x1b[H\\x1b[2J')\n"
    "for i in range(20):\n"
    "    sys.stdout.write(f'\\x1b[{i + 1};1Hrow {i} of the crashing program')\n"
    "sys.stdout.write('\\x1b[10;5H')\n"
    "sys.stdout.flush()\n"
    "time.sleep(1)\n"
    "raise RuntimeError('boom')\n"
)


@pytest.mark.parametrize(("shell", "cols"), [("fish", 40), ("zsh", 80)])
def test_what_a_shell_does_after_its_program_crashes_on_the_alternate_screen_is_told(
    tmp_path: Path, player: Player, shell: str, cols: int
) -> None:
    """A prompt drawn from the first column over the program's `row 1 of ...` is the
    shell's whole, its `ro` too (fish's `root@vm ~ [1]# ` was told `  ot@vm ~ [1]#`)."""
    (tmp_path / "crash.py").write_text(CRASHING)
    (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    cast = tmp_path / "c.cast"
    command, prompt, env = SHELLS[shell]
    recording = ShellRecording(tmp_path, cast, 24, cols, command, prompt, env, regex=True)
    recording.typed("python3 crash.py\r", wait="boom")
    time.sleep(1.0)
    recording.typed("echo on alt screen\r", wait=None)
    time.sleep(0.8)
    recording.exit()
    found = timed_cues(cast)
    told = [line for _, _, texts in found for line in texts]
    assert "[crash.py]" in told, found
    after = told[told.index("[crash.py]") + 1 :]
    assert after[0].strip() == "Traceback (most recent call last):", found
    assert "RuntimeError: boom" in after, found
    typed = next(line for line in after if line.endswith(" echo on alt screen"))
    assert typed[0] in "r%", found  # (the prompt from its first column)
    assert after[after.index(typed) + 1] == "on alt screen", found
    player.load(cast.read_text("utf-8"))
    for start, end, texts in found:
        if "[crash.py]" in texts or start < found[0][0]:
            continue
        rows = player.at(end - 0.005).text()
        screen = " ".join("".join(row.ljust(cols) for row in rows).split())
        for text in texts:
            if text != "[crash.py]" and not text.endswith(("crash.py", "exit")):
                assert " ".join(unescape(text).split()) in screen, (text, start, rows)
