"""review-exports21's WARNs on subtitles of real sessions, each recorded here in a real pty
(tests/pty_session.py, asciinema 2.4) and held to asciinema-player 3.18 in Chromium
(tests/player_dom.py)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from genact_cast.publish.vtt_cues import MERGE_SECONDS
from tests.player_dom import Player
from tests.pty_session import BashRecording, ShellRecording
from tests.test_vtt_mux import timed_cues
from tests.test_vtt_mux_recorded import ENV, TMUX_PREFIX, _ended, _keys, _typed
from tests.test_vtt_review18_mediums import not_shown, told

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

CJK = "一二三四五六七八九十"


@pytest.mark.parametrize("cols", [40, 41])
def test_a_cjk_command_wrapped_by_zsh_is_joined_with_no_gap(
    tmp_path: Path, player: Player, cols: int
) -> None:
    """#3: zsh's line editor writes a space in standout in the last cell where a wide
    character it echoes does not fit, then the character on the next row; the command
    was told with a space there (`七八九 十一二`). At 41 columns every character fits."""
    cast = tmp_path / "c.cast"
    command = "echo " + CJK * 4
    zsh = ShellRecording(tmp_path, cast, 24, cols, "zsh -f -i", "% ", {"PS1": "%% "})
    zsh.typed(command + "\r")
    zsh.exit()
    lines = told(cast)
    assert lines[0] == "% " + command, lines
    assert lines[1] == CJK * 4, lines
    # The player, as the command runs: at 40 columns the prompt's row ends on a blank
    # cell and the next starts with `七`, which did not fit; at 41 `七` ends the row.
    player.load(cast.read_text("utf-8"))
    ran = next(end for _, end, texts in timed_cues(cast) if texts[0].startswith("% echo"))
    rows = player.at(ran - 0.05).cells
    last, next_first = rows[0][cols - 2][0], rows[1][0][0]
    assert (last, next_first) == (("七", "八") if cols % 2 else (" ", "七")), rows[:2]
    assert rows[0][cols - 1][0] == " "
    assert not_shown(cast, player) == []


def test_a_command_tmux_wraps_over_three_rows_of_a_pane_is_one_cue(
    tmp_path: Path, player: Player
) -> None:
    """#2: tmux wraps a pane's line itself (it moves to the row below: no terminal wrap);
    its second row was joined to the first, its third started a line of its own, so the
    command was two cues, the second from mid-word (`...keeps-running-` then `on-and-...`),
    and so was its output."""
    socket = tmp_path / "sock"
    command = f"tmux -S {socket} -f /dev/null new-session bash --norc --noprofile -i"
    tmux = ShellRecording(tmp_path, tmp_path / "c.cast", 24, 80, command, "$ ", ENV)
    word = "the-quick-brown-fox-jumps-over-the-lazy-dog-and-keeps-running-on-to-a-third-row"
    try:
        _keys(tmux, TMUX_PREFIX + "%")  # (two panes of 40 and 39 columns; the new one's shell
        # is the user's own, its prompt theirs)
        _typed(tmux, f"echo {word}\r", word[:9])
        _typed(tmux, "exit\r")
        _typed(tmux, "exit\r")
        _ended(tmux)
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True, check=False)
    cast = tmp_path / "c.cast"
    found = timed_cues(cast)
    lines = [text for _, _, texts in found for text in texts]
    typed = [line for line in lines if line.endswith(f" echo {word}")]  # (the pane's prompt)
    assert len(typed) == 1, lines
    assert word in lines, lines
    assert not [line for line in lines if line != word and line in word], lines
    # The player shows each over three rows of the right pane while its cue is shown.
    player.load(cast.read_text("utf-8"))
    for cue in (typed, [word]):
        end = next(end for _, end, texts in found if texts == cue)
        rows = player.at(end - 0.05).text()
        border = max(row.find("│") for row in rows)
        pane = [row[border + 1 :] for row in rows if len(row) > border]
        assert cue[0] in "".join(pane), pane
        assert sum(1 for row in pane if len(row) == 39 and word[:20] not in row) >= 1, pane


def _notice_gap(cast: Path) -> float:
    """Seconds from bash's `[1] PID` notice to vim's alternate screen, in the cast."""
    events = [json.loads(row) for row in cast.read_text("utf-8").splitlines()[1:]]
    notice = next(e[0] for e in events if re.search(r"\[1\] \d+", e[2]))
    screen = next(e[0] for e in events if "\x1b[?1049h" in e[2])
    return float(screen - notice)


@pytest.mark.parametrize("end", ["quit", "killed"])
def test_a_job_notice_an_instant_before_a_programs_screen_is_told_when_it_shows(
    tmp_path: Path, player: Player, end: str
) -> None:
    """Bash prints `[1] PID` for a job started with `&`, then runs vim, whose screen
    covers the notice some milliseconds later: the player shows it only when vim leaves
    and the shell's screen is back, and never if vim is killed (the shell then stays on
    the alternate screen). It was told from when it was written, in one cue with `[vim]`
    for as long as vim ran (CI on fe3bd0b, test_vtt_killed_reentry)."""
    (tmp_path / "f.txt").write_text("line one\nsecond line of the file\n" * 20)
    cast = tmp_path / "job.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    if end == "quit":
        bash.typed("(sleep 30) & vim -u NONE f.txt\r", wait="\x1b[?1049h")
        time.sleep(1.0)
        bash.typed(":q\r")
        time.sleep(0.5)
        bash.typed("kill %1\r")
    else:
        bash.typed("(sleep 1.5; kill -9 $(pgrep -x -P $$ vim)) & vim -u NONE f.txt\r", "Killed")
        bash.wait("$ ")
        time.sleep(0.5)
    bash.typed("echo after\r")
    bash.exit()
    lines = told(cast)
    notices = [line for line in lines if re.fullmatch(r"\[1\] \d+", line)]
    where = [lines.index(notice) - lines.index("[vim]") for notice in notices]
    if _notice_gap(cast) >= MERGE_SECONDS:  # (a loaded machine: it could be read)
        assert len(where) == 1, lines
        assert where[0] < 0, lines
    elif end == "quit":
        assert len(where) == 1, lines
        assert where[0] > 0, lines
    else:
        assert where == [], lines
    assert not_shown(cast, player) == []
