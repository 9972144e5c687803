"""A cue once told is not rewritten by what a later resize does to the screen
(review-exports16 item 1, high): the subtitles of a cast cut just before each resize
(`--end-at`) and of the whole cast tell the same lines up to it. The player shows a
line as it was until the resize; after it, the rewrap (a CJK line cut where a wide
character does not fit the narrower row), a shell's right prompt drawn again (zsh's
RPROMPT clock, fish's `fish_right_prompt`) or a line's end on a row of its own were
read into cues long told: `~ # echo two   [22:58:17]`, a command replaced by its
prompt and a clock from 10 s later, `漢字などの文字列がここにあり ます`.

Shells recorded here in a pty under asciinema 2.4 (tests/pty_session.py), the windows
resized at the waiting prompt as a person drags it; the check is the review's
(/work/reviews/r16/rescheck.py): each cue of the cut subtitles but the last (it may be
cut) is in the whole cast's, the same."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.pty_session import BashRecording, ShellRecording
from tests.test_vtt import cues, lines

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

JAPANESE = "漢字などの文字列がここにあります。漢字などの文字列"


def _vtt(cast: Path, end_at: float | None = None) -> list[tuple[str, list[str]]]:
    clip = Clip(end_at=None if end_at is None else f"{end_at:.6f}")
    with open_cast(str(cast)) as reader:
        return cues(render_vtt(Timeline(reader.header, reader.events(), clip)))


def _resizes(cast: Path) -> list[float]:
    events = [json.loads(line) for line in cast.read_text().splitlines()[1:]]
    return [event[0] for event in events if event[1] == "r"]


def rewritten(cast: Path) -> list[str]:
    """The cues told before a resize that the whole cast's subtitles tell otherwise."""
    whole = dict(_vtt(cast))
    found = []
    for at in _resizes(cast):
        for start, texts in _vtt(cast, at - 0.001)[:-1]:
            if whole.get(start) != texts:
                found.append(f"resize at {at:.3f}: {start} {texts} -> {whole.get(start)}")
    return found


def _drag(session: ShellRecording, sizes: tuple[tuple[int, int], ...]) -> None:
    for rows, cols in sizes:
        time.sleep(0.7)  # (a right prompt's clock moves on between them)
        session.resize(rows, cols)
    time.sleep(0.7)


def test_a_zsh_right_prompt_clock_is_not_read_into_a_command_told_before(
    tmp_path: Path,
) -> None:
    """zsh 5.9 (`zsh -f`, `PS1='%~ %# '`, `RPROMPT='[%*]'`, review's rX): `echo two`
    was told with the clock zsh drew after the resize (80 -> 60 columns)."""
    cast = tmp_path / "zsh.cast"
    env = {"PS1": "%~ %# ", "RPROMPT": "[%*]"}
    zsh = ShellRecording(tmp_path, cast, 24, 80, "zsh -f", r"[#%] ", env, regex=True)
    zsh.typed("echo one\r")
    zsh.typed("echo two\r")
    _drag(zsh, ((24, 60),))
    zsh.typed("echo three\r")
    zsh.exit()
    assert rewritten(cast) == []
    told = lines(_vtt(cast))
    assert [line for line in told if "echo two" in line] == ["~ # echo two"], told


def test_a_fish_right_prompt_is_not_read_into_output_told_before(tmp_path: Path) -> None:
    """fish 3.6 with a `fish_right_prompt` printing the time (review's rZ): `printf
    'partial'` was told with the clock after a narrowing at the prompt."""
    cast = tmp_path / "fish.cast"
    fish = ShellRecording(tmp_path, cast, 24, 80, "fish -N", r"[#>] ", regex=True)
    fish.typed("function fish_right_prompt; date +%T; end\r")
    fish.typed("echo one\r")
    fish.typed("printf 'partial'\r")
    _drag(fish, ((24, 60), (20, 50)))
    fish.typed("echo three\r")
    fish.exit()
    assert rewritten(cast) == []
    told = lines(_vtt(cast))
    assert not [line for line in told if "printf" in line and ":" in line], told


def test_a_cjk_line_narrowed_and_widened_is_told_as_typed(tmp_path: Path) -> None:
    """bash (review's rM): a Japanese line typed and printed at 80 columns, the window
    then dragged to 45, 33 and 100 columns at the prompt: the command and its output
    were told with spaces where a narrower row could not fit a wide character."""
    cast = tmp_path / "cjk.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed(f"echo {JAPANESE}\r")
    _drag(bash, ((24, 45), (24, 33), (24, 100)))
    bash.typed("echo after\r")
    bash.exit()
    assert rewritten(cast) == []
    told = lines(_vtt(cast))
    assert told.count(f"$ echo {JAPANESE}") == 1, told
    assert told.count(JAPANESE) == 1, told


@pytest.mark.parametrize("cols", [41, 57])
def test_wrapped_cjk_output_then_resizes_keeps_its_cues(tmp_path: Path, cols: int) -> None:
    """The same with output wrapped at the first width (three lines of 30 `漢字`, wider
    than the window: review's h4 class), narrowed to an odd width, then widened."""
    cast = tmp_path / "wrapped.cast"
    bash = BashRecording(tmp_path, cast, 16, 100)
    bash.typed("for i in 1 2 3; do printf '漢字%.0s' {1..30}; echo; done\r")
    _drag(bash, ((16, cols), (16, 80)))
    bash.typed("echo after\r")
    bash.exit()
    assert rewritten(cast) == []
    told = lines(_vtt(cast))
    assert told.count("漢字" * 30) == 3, told
