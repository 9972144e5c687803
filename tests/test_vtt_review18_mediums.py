"""review-exports18's and review-exports17's medium subtitle findings on shells recorded
here in a pty under asciinema 2.4 (tests/pty_session.py), typed key by key at a person's
pace, each cue held to asciinema-player 3.18 in Chromium (tests/player_dom.py): every line
told is on the player's screen while its cue is shown."""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from genact_cast.asciicast import MICROS
from tests.player_dom import Player
from tests.pty_session import PROMPT, BashRecording, ShellRecording
from tests.test_player_parity import load
from tests.test_vtt_mux import SESSION_CUE, timed_cues

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

_CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # (a control sequence, to read an echoed key)


def told(cast: Path) -> list[str]:
    return [line for _, _, texts in timed_cues(cast) for line in texts]


def not_shown(cast: Path, player: Player) -> list[str]:
    """The lines told that the player never shows while their cue is (its end, then each
    moment the cast wrote in it)."""
    _, events = load(cast)
    player.load(cast.read_text("utf-8"))
    written = [event.time_us / MICROS + 0.01 for event in events]
    problems = []
    for start, end, texts in timed_cues(cast):
        left = [text for text in texts if not SESSION_CUE.fullmatch(text)]
        for t in [max(start, end - 0.05), *(t for t in written if start - 0.0006 <= t < end)]:
            if not left:
                break
            whole = _squeezed("".join(c[0] for row in player.at(t).cells for c in row))
            left = [text for text in left if _squeezed(html.unescape(text)) not in whole]
        problems += [f"{start:.3f}-{end:.3f}: {text!r}" for text in left]
    return problems


def _squeezed(text: str) -> str:
    """Text without blanks, joiners and presentation selectors: the player lays a wide
    character or an emoji sequence over cells of its own, the subtitles as one line."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "\u200d\ufe0e\ufe0f")


def test_a_reverse_search_typed_at_a_persons_pace_tells_the_command_once_as_it_runs(
    tmp_path: Path, player: Player
) -> None:
    """review-exports18 item 6 (low): bash's Ctrl-R with `alp` typed 0.3 s a key told the
    matched command at each key, `(reverse-i-search)`al': echo alpha-one; ...`, then
    `...`alp': ...`, then as it ran. The player shows each state (checked below); the
    search is a state of the line being edited (readline's isearch.c, rl_display_search),
    the command it finds is told once, as it runs."""
    command = "echo alpha-one; echo beta-two"
    cast = tmp_path / "search.cast"
    bash = BashRecording(tmp_path, cast, 10, 60)
    bash.typed(command + "\r")
    time.sleep(0.5)
    bash.child.send("\x12")  # Ctrl-R
    for key in "alp":
        time.sleep(0.35)
        bash.child.send(key)
    time.sleep(0.6)
    bash.child.send("\r")
    bash.wait("beta-two")
    bash.wait(PROMPT)
    time.sleep(0.3)
    bash.exit()
    # (the player shows the search with its match for over a second: a person reads it)
    _, events = load(cast)
    player.load(cast.read_text("utf-8"))
    search = [e.time_us / MICROS for e in events if "i-search" in e.data]
    shown = "".join(player.at(search[0] + 0.9).text())
    assert "(reverse-i-search)`al" in shown, shown
    assert command in shown, shown
    lines = told(cast)
    assert [line for line in lines if command in line] == [PROMPT + command] * 2, lines
    assert not [line for line in lines if "i-search" in line], lines
    assert not_shown(cast, player) == []


@pytest.mark.parametrize(
    ("loop", "most"),
    [
        # the brief's loop: one line, its numbers changing: its first value and the one
        # it settles on, as a dashboard redrawn after a clear is told
        ("while :; do clear; date; sleep 0.3; done", 3),
        # review-exports17 item 18 (misc.cast): two lines a frame, one of them another
        # line each time (`83`, `46`): each frame is told, in its order
        ("for i in 1 2 3 4; do clear; date +%N | cut -c1-2; echo tick $i; sleep 0.6; done", 0),
    ],
)
def test_a_clear_loop_is_told_as_the_player_shows_it(
    tmp_path: Path, player: Player, loop: str, most: int
) -> None:
    """review-exports17 item 18: in the `tick` loop `tick 2` was told before `46`, which
    the player shows above it, and `tick 3` (shown 0.6 s) never: `tick N` was taken for a
    line redrawn in place after each clear. A clear loop is told neither frame by frame
    when its frames are one line redrawn (the clock), nor not at all."""
    cast = tmp_path / "clear.cast"
    bash = BashRecording(tmp_path, cast, 10, 90)
    bash.typed(loop + "\r", wait=None)
    if most:
        time.sleep(3.2)
        # (Ctrl-C until the prompt is back: on a loaded machine one may reach bash
        # between the loop's commands, which does not end it)
        for _ in range(10):
            bash.child.send("\x03")
            if bash.child.expect_exact([PROMPT, pexpect_timeout()], timeout=2) == 0:
                break
    else:
        bash.wait("tick 4")
        bash.wait(PROMPT)
    time.sleep(0.3)
    bash.exit()
    lines = told(cast)
    if most:
        dates = [line for line in lines if " UTC " in line]
        assert 1 <= len(dates) <= most, lines
    else:
        ticks = [line for line in lines if line.startswith("tick")]
        assert ticks == ["tick 1", "tick 2", "tick 3", "tick 4"], lines
        # (each after the number its frame shows above it)
        assert all(lines[lines.index(tick) - 1].isdigit() for tick in ticks), lines
    assert not_shown(cast, player) == []


def test_a_repl_line_typed_with_emoji_is_told_from_its_first_key_as_typed(
    tmp_path: Path, player: Player
) -> None:
    """review-exports18 item 2: IPython's line typed with emoji had no cue while it was
    typed (1.8 s), then `In In [5]: '中文 ❤️ 👨‍👩‍👧'` from Enter, glued to its output:
    prompt_toolkit redraws the line as Enter is pressed, going back by its own count of
    the cells, and the emoji it counts otherwise put its prompt inside the old one (the
    player, checked below, shows that redraw too). The command is told as typed, from its
    first key, in a cue of its own."""
    ipython = shutil.which("ipython") or shutil.which("ipython3")
    if ipython is None:
        pytest.skip("IPython (prompt_toolkit) is not installed")
    cast = tmp_path / "ipy.cast"
    # (no cursor position request: pexpect, the terminal here, answers none)
    env = {"IPYTHONDIR": str(tmp_path / "ipy"), "PROMPT_TOOLKIT_NO_CPR": "1"}
    repl = ShellRecording(tmp_path, cast, 12, 80, f"{ipython} --no-banner", r"\]: ", env, True)
    typed = "'中文 ❤️ 👨\u200d👩\u200d👧'"
    started = time.monotonic()
    repl.typed("1+1\r")
    repl.wait(r"\]: ")
    for key in typed:  # (each code point a key, as the review typed them)
        repl.child.send(key)
        time.sleep(0.13)
    time.sleep(0.4)
    repl.child.send("\r")
    repl.wait("Out")
    repl.wait(r"\]: ")
    time.sleep(0.3)
    repl.child.sendline("exit")
    repl.child.expect(pexpect_eof())
    repl.child.close()
    assert time.monotonic() - started < 60
    cues = timed_cues(cast)
    _, events = load(cast)
    # (its first key, the quote, echoed alone after the first result: `Out[1]`)
    out = next(i for i, e in enumerate(events) if "Out[" in e.data)
    first_key = next(e.time_us / MICROS for e in events[out:] if _CSI.sub("", e.data) == "'")
    line = next((c for c in cues if any(typed in text for text in c[2])), None)
    assert line is not None, cues
    start, _, texts = line
    # (from its first key, as typed, alone: not the redraw, not with its output)
    assert abs(start - first_key) < 0.2, (start, first_key, cues)
    assert texts == [f"In [2]: {typed}"], texts
    assert not [text for _, _, lines in cues for text in lines if "In In" in text], cues
    assert not_shown(cast, player) == []


def pexpect_eof() -> Any:
    import pexpect

    return pexpect.EOF


def pexpect_timeout() -> Any:
    import pexpect

    return pexpect.TIMEOUT
