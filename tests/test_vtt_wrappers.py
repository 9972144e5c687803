"""review-exports20 WARN 5: a full-screen program run through a command that runs another
(`ssh box htop`, `docker run -it ubuntu htop`, `docker exec -it web vim f`, `kubectl exec
-it pod -- vim f`, a shell's `-c` string) was named by the wrapper, `[ssh]`, `[docker]`.
One grammar names the program run (publish/data/wrappers.tsv).

Recorded here in a real pty (asciinema 2.4, tests/pty_session.py) under bash. No ssh
server, Docker daemon or cluster runs here: `ssh`, `docker` and `kubectl` are stand-ins
on PATH that run the command here, as the remote side would, so the screen is the real
program's and the command line the one a person types. Each cue is held to
asciinema-player 3.18 in Chromium (tests/player_dom.py): the player shows the program's
screen in the middle of the cue."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import BashRecording
from tests.test_vtt_mux import SESSION_CUE, timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

# Stand-ins: each drops the words the real one reads itself and runs the rest here (ssh
# hands its words to a shell as one string, as the remote one does).
STAND_INS = {
    "ssh": 'shift; exec sh -c "$*"',  # ssh box COMMAND
    "docker": 'shift 3; exec "$@"',  # docker run|exec -it IMAGE|CONTAINER COMMAND
    "kubectl": 'shift 4; exec "$@"',  # kubectl exec -it POD -- COMMAND
}
VIM = "vim -u NONE f.txt"
# (the command typed, the keys that quit its program, the text its screen shows, the cue)
COMMANDS = [
    ("ssh box htop", "q", "F10Quit", "[htop]"),
    ("ssh box 'cd . && " + VIM + "'", ":q!\r", "first line of f", "[vim]"),
    ("docker run -it ubuntu htop", "q", "F10Quit", "[htop]"),
    ("docker exec -it web " + VIM, ":q!\r", "first line of f", "[vim]"),
    ("kubectl exec -it pod -- " + VIM, ":q!\r", "first line of f", "[vim]"),
    ('bash -c "' + VIM + '"', ":q!\r", "first line of f", "[vim]"),
    ("sh -c 'exec " + VIM + "'", ":q!\r", "first line of f", "[vim]"),
]


@pytest.mark.parametrize(("command", "keys", "shows", "cue"), COMMANDS)
def test_a_program_run_through_a_wrapper_is_named_by_the_program(
    command: str, keys: str, shows: str, cue: str, tmp_path: Path, player: Player
) -> None:
    (tmp_path / "f.txt").write_text("first line of f\nsecond line\n")
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    for name, body in STAND_INS.items():
        (stand_ins / name).write_text(f"#!/bin/sh\n{body}\n")
        (stand_ins / name).chmod(0o755)
    cast = tmp_path / "wrapped.cast"
    shell = BashRecording(tmp_path, cast, 24, 80)
    shell.child.sendline(f"PATH={stand_ins}:$PATH")
    shell.wait(shell.prompt)
    time.sleep(0.3)
    shell.typed(command + "\r", wait="\x1b[?1049h")
    time.sleep(2.0)
    shell.child.send(keys)
    shell.wait(shell.prompt)
    time.sleep(0.5)
    shell.exit()
    found = timed_cues(cast)
    sessions = [(s, e, t) for s, e, texts in found for t in texts if SESSION_CUE.fullmatch(t)]
    assert [t for _, _, t in sessions] == [cue], found
    told = [html.unescape(t) for _, _, texts in found for t in texts]
    assert f"$ {command}" in told, told  # (the command typed: its own cue, as typed)
    start, end, _ = sessions[0]
    player.load(cast.read_text("utf-8"))
    assert shows in "".join(player.at((start + end) / 2).text()), (start, end)
