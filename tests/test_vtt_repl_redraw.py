"""review-exports20 #3: a REPL whose line editor draws the command line again in place
at Enter (prompt_toolkit's IPython, Python 3.13's own REPL, _pyrepl) told the command
twice in one cue when its output scrolled the line away in the same read: once as it
scrolled, once more as the line the redraw's `ESC[J` had erased.

Recorded here in a real pty (asciinema 2.4, tests/pty_session.py), on a 12-row terminal
so that the output scrolls the command line off; each line told is held to
asciinema-player 3.18 in Chromium (tests/player_dom.py)."""

from __future__ import annotations

import html
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_vtt_mux import timed_cues
from tests.test_vtt_review18_mediums import pexpect_eof, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

TYPED = "print(*range(30), sep=chr(10))"  # (30 rows printed: the line scrolls off)


def _pyrepl() -> str | None:
    """A Python with the REPL that redraws its line (3.13 and later), if one runs here."""
    for name in ("python3.14", "python3.13"):
        found = shutil.which(name)
        if found is None:
            continue
        # (its own path: a version manager's shim needs the environment it is run from)
        code = "import _pyrepl, sys; print(sys.executable)"
        checked = subprocess.run([found, "-c", code], capture_output=True, text=True)
        if checked.returncode == 0:
            return checked.stdout.strip()
    return None


def _ipython() -> str | None:
    return shutil.which("ipython") or shutil.which("ipython3")


# (the REPL, its command line, what its prompt ends with, what its command is printed as)
REPLS = [
    ("ipython", lambda: f"{_ipython()} --no-banner --colors=Linux", r"\]: ", "In [1]: "),
    ("pyrepl", lambda: f"{_pyrepl()} -q", r">>> ", ">>> "),
]


@pytest.mark.parametrize(("name", "command", "prompt", "lead"), REPLS, ids=[r[0] for r in REPLS])
def test_a_repl_command_redrawn_at_enter_and_scrolled_away_is_told_once(
    name: str, command: object, prompt: str, lead: str, tmp_path: Path, player: Player
) -> None:
    if (_ipython() if name == "ipython" else _pyrepl()) is None:
        pytest.skip(f"{name} is not installed")
    assert callable(command)
    cast = tmp_path / f"{name}.cast"
    # (no cursor position request: pexpect, the terminal here, answers none)
    env = {"IPYTHONDIR": str(tmp_path / "ipy"), "PROMPT_TOOLKIT_NO_CPR": "1",
           "PYTHON_HISTORY": str(tmp_path / "history"), "PYTHON_COLORS": "1"}  # fmt: skip
    repl = ShellRecording(tmp_path, cast, 12, 80, command(), prompt, env, True)
    started = time.monotonic()
    for key in TYPED:
        repl.child.send(key)
        time.sleep(0.08)
    time.sleep(0.4)
    repl.child.send("\r")
    repl.wait("29")
    repl.wait(prompt)
    time.sleep(0.5)
    repl.child.sendline("exit()" if name == "pyrepl" else "exit")
    repl.child.expect(pexpect_eof())
    repl.child.close()
    assert time.monotonic() - started < 60
    lines = [html.unescape(line) for line in told(cast)]
    commands = [line for line in lines if TYPED in line]
    assert commands == [f"{lead}{TYPED}"], lines
    # (the list scrolls through the 12 rows in one write, its rows never all shown at
    # once: the command's cue is the one held to the player, from its first key on)
    player.load(cast.read_text("utf-8"))
    start, end = next(
        (s, e) for s, e, texts in timed_cues(cast) if commands[0] in map(html.unescape, texts)
    )
    # (typed from its first key on, whole just before the cue ends)
    for moment, part in ((start + 0.05, commands[0][: len(lead) + 1]), (end - 0.05, commands[0])):
        shown = "".join(player.at(moment).text()).replace(" ", "")
        assert part.replace(" ", "") in shown, (moment, start, end)
