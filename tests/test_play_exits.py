"""`genact-cast play` leaves the terminal as it found it on every way out: signals,
Ctrl-Z and `fg`, errors in the cast, standard output a pipe, a closed pipe, a full disk.
Real ptys, a real interactive shell for job control, `stty -g` compared."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.test_play_terminal import GENACT, ROOT, STTY, shell, unblocked_signals, write_cast

MODES_ON = "\x1b[?1049h\x1b[?1000h\x1b[?2004h\x1b[?25l\x1b(0\x0e\x1b]2;cast title\x07"
MODES_OFF = ("\x1b[?2004l", "\x1b[?1049l", "\x1b[?1000l", "\x1b(B\x1b)B\x0f", "\x1b[23;0t")


@pytest.fixture
def modes(tmp_path: Path) -> Path:
    """A cast that switches modes on, then ticks every 0.2 s for a minute."""
    events = [(0.0, "o", MODES_ON)]
    events += [(0.2 * n, "o", f"tick {n}\r\n") for n in range(1, 300)]
    return write_cast(tmp_path / "modes.cast", events)


def player_pid(parent: int) -> int:
    found = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True)
    return int(found.stdout.split()[0])


@pytest.mark.parametrize(
    "sig",
    [  # SIGXCPU and SIGPWR: any signal whose default action ends a process (review-attack3 9)
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGALRM,
        signal.SIGXCPU,
        signal.SIGPWR,
    ],
)
def test_signals_restore_the_terminal_and_exit(modes: Path, sig: signal.Signals) -> None:
    child = shell(f"{sys.executable} -m genact_cast play {modes}")
    child.expect(STTY)
    before = child.match.group(1)
    child.expect("tick 3")
    os.kill(player_pid(child.pid), sig)
    child.expect(r"rc=(\d+)")
    assert int(child.match.group(1)) == 128 + sig
    tail = child.before
    for sequence in MODES_OFF:
        assert sequence in tail
    assert f"stopped by {sig.name}" in tail
    child.expect(STTY)
    assert child.match.group(1) == before
    child.expect(pexpect.EOF)


def interactive_shell() -> pexpect.spawn:
    env = {**os.environ, "PS1": "PROMPT> ", "TERM": "xterm"}
    child = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-i"], cwd=str(ROOT), dimensions=(24, 80),
        encoding="utf-8", timeout=20, env=env, preexec_fn=unblocked_signals,
    )  # fmt: skip
    child.expect("PROMPT> ")
    return child


def stty(child: pexpect.spawn) -> str:
    child.sendline("stty -g")
    child.expect(STTY)
    settings = str(child.match.group(1))
    child.expect("PROMPT> ")
    return settings


@pytest.mark.parametrize("how", ["ctrl-z", "sigtstp"])
def test_ctrl_z_restores_the_terminal_and_fg_comes_back_raw(modes: Path, how: str) -> None:
    child = interactive_shell()
    before = stty(child)
    child.sendline(f"{sys.executable} -m genact_cast play {modes}")
    child.expect("tick 2")
    if how == "ctrl-z":
        child.sendcontrol("z")  # raw mode: a key, not a signal
    else:
        pid = int(subprocess.run(["pgrep", "-f", str(modes)], capture_output=True,
                                 text=True).stdout.split()[0])  # fmt: skip
        os.kill(pid, signal.SIGTSTP)
    child.expect("Stopped")
    for sequence in MODES_OFF:
        assert sequence in child.before
    child.expect("PROMPT> ")
    assert stty(child) == before  # cooked again while stopped
    child.sendline("fg")
    child.expect_exact("\x1b[?1049h")  # the cast's modes again
    child.expect(r"tick (\d+)")
    ticks_after = int(child.match.group(1))
    child.send(" ")  # raw mode again: space pauses at once, no Enter needed
    time.sleep(0.5)
    child.send("q")
    child.expect("PROMPT> ")
    assert ticks_after < 40  # the stop is not caught up at once
    assert stty(child) == before
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_piped_output_ends_with_the_restore(modes: Path) -> None:
    result = subprocess.run(
        f"{sys.executable} -m genact_cast play -s 1000 {modes} | cat",
        shell=True, capture_output=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0
    out = result.stdout.decode()
    assert out.endswith("\x1b[0m\x1b[?25h")
    for sequence in MODES_OFF:
        assert sequence in out[out.rindex("tick") :]


def test_an_error_in_the_cast_still_ends_with_the_restore(tmp_path: Path) -> None:
    cast = tmp_path / "cut.cast"
    cast.write_text(
        json.dumps({"version": 2, "width": 80, "height": 24})
        + "\n"
        + json.dumps([0.1, "o", MODES_ON])
        + '\n[0.2, "o", 7]\n'
    )
    result = subprocess.run([*GENACT, "play", str(cast)], capture_output=True, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.decode() == f"genact-cast: {cast}:3: event code and data must be strings\n"
    assert result.stdout.decode().endswith("\x1b[23;0t\x1b[0m\x1b[?25h")


def test_a_lone_surrogate_plays_as_the_replacement_character(tmp_path: Path) -> None:
    cast = tmp_path / "s.cast"
    cast.write_text(
        '{"version": 2, "width": 80, "height": 24}\n'
        '[0.1, "o", "a\\ud800b\\udc9d52;c;eA==\\u0007"]\n'
    )
    result = subprocess.run([*GENACT, "play", str(cast)], capture_output=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("a\ufffdb\ufffd52;c;eA==\x07".encode())
    assert not any(0x80 <= b <= 0x9F for b in result.stdout.decode().encode("latin-1", "ignore"))


def test_a_closed_pipe_is_one_line_and_exit_1() -> None:
    proc = subprocess.Popen(
        [*GENACT, "play", "-s", "1000000", "casts/seed7.cast"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.read(1000)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode() == "genact-cast: standard output: Broken pipe\n"


def test_a_full_disk_is_one_line_and_exit_1() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [*GENACT, "play", "-s", "1000000", "casts/seed7.cast"],
            stdout=full, stderr=subprocess.PIPE, cwd=ROOT, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.decode() == "genact-cast: standard output: No space left on device\n"
