"""A shell's mark for output without a final newline (zsh's PROMPT_SP `%`/`#` in standout,
fish's `⏎`): the player draws it, but it is no text the program wrote, so the subtitles
(--vtt) leave it out and tell the output line alone (review-exports15 items 9 and 12:
`no newline#` and `no newline⏎` were read); --text writes it, as the player shows it
(review-exports20 WARN 6), held to asciinema-player 3.18 in Chromium. zsh 5.9 and fish
3.6 recorded here in a pty under asciinema 2.4 (tests/pty_session.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genact_cast.asciicast import MICROS
from genact_cast.publish.screens import Timeline
from genact_cast.publish.text import render_text
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.player_dom import Player
from tests.pty_session import ShellRecording
from tests.test_player_parity import load, text_rows
from tests.test_vtt import cues, lines

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

SHELLS = {
    # zsh without start-up files, as root (`#` is its mark then) and not; PROMPT_SP is on
    "zsh": ("zsh -f", {"PS1": "%n%# "}),
    # fish with no config of its own (HOME is the test's folder), its default prompt
    "fish": ("fish -N", {}),
}


def _record(folder: Path, shell: str) -> Path:
    cast = folder / f"{shell}.cast"
    command, env = SHELLS[shell]
    # (the prompt ends with `# ` or `> ` as root or not; fish's draws more after it)
    session = ShellRecording(folder, cast, 12, 60, command, r"[#%>] ", env, regex=True)
    session.typed("printf 'no newline'\r")
    session.typed("echo after\r")
    session.typed("printf 'last'\r")
    session.exit()
    return cast


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_the_mark_after_output_without_a_newline_is_not_told_but_written_as_shown(
    tmp_path: Path, shell: str, player: Player
) -> None:
    cast = _record(tmp_path, shell)
    with open_cast(str(cast)) as reader:
        told = lines(cues(render_vtt(Timeline(reader.header, reader.events()))))
    assert "no newline" in told, told
    assert "after" in told, told
    assert not [line for line in told if line.endswith(("no newline%", "no newline#", "⏎"))]
    with open_cast(str(cast)) as reader:
        text = render_text(Timeline(reader.header, reader.events()))
    # (--text writes what the player shows: the marks after both outputs are on its last
    # screen, review-exports20 WARN 6: they were left out)
    _, events = load(cast)
    player.load(cast.read_text("utf-8"))
    shown = text_rows(player.at(events[-1].time_us / MICROS + 0.1).text())
    assert text.splitlines() == shown, (text, shown)
    mark = "⏎" if shell == "fish" else "#"
    assert [row for row in shown if row.startswith(("no newline", "last"))] == [
        "no newline" + mark,
        "last" + mark,
    ], shown
