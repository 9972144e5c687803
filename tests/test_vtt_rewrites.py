"""Subtitles (--vtt) of output a program rewrites in place, recorded here in a pty (bash
under asciinema 2.4, tests/pty_session.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.pty_session import BashRecording
from tests.test_vtt import cues_of_file, lines

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)


def test_a_line_left_below_a_rewrite_is_told(tmp_path: Path) -> None:
    """review-exports15 item 14 (s17.cast): `printf 'a\\nb\\nc\\n'`, then up three rows, the
    row erased and `X` written there: the prompt is drawn over `b`, `c` stays below it
    (installers and test runners leave lines so). `c` was never told: the next command's
    output wrote over it, and a line of no words (runs of two letters) written over was
    taken for a redraw of the same line. `a` and `b`, replaced in the same event, were
    never shown: not told."""
    cast = tmp_path / "rewrite.cast"
    bash = BashRecording(tmp_path, cast, 12, 60)
    bash.typed("printf 'a\\nb\\nc\\n'; printf '\\e[3A\\e[2K'; echo X\r")
    time.sleep(1.5)  # (`c` on the screen long enough to be read)
    bash.typed("echo next\r")
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    assert told[1:5] == ["X", "c", "$ echo next", "next"], told


BAR = r"""import sys, time
def bar(n):
    filled = "#" * (n * 26 // 40)
    sys.stdout.write("\rbuild: %3d%%|%-26s| %d/40" % (n * 100 // 40, filled, n))
    sys.stdout.flush()
for n in range(41):
    bar(n)
    if n % 10 == 8:
        time.sleep(0.15)  # (tqdm redraws at most each 0.1 s: the state stood a while)
        # tqdm.write: the bar cleared (`\r`, blanks, `\r`), the message and a newline,
        # the bar drawn again under it (tqdm/std.py: external_write_mode, clear, refresh)
        sys.stdout.write("\r" + " " * 60 + "\rcompiled module %d\r\n" % (n // 10))
        bar(n)
    time.sleep(0.05)
sys.stdout.write("\n")
"""


def test_a_bar_a_message_interrupts_is_told_once_not_at_each_move(tmp_path: Path) -> None:
    """review-exports15 item 11 (s11.cast, tqdm with `tqdm.write` every 10 steps): the bar
    moves under each message, and each state it had when a message was written over it
    was a cue of 0.1 s (`build:  20%`, `45%`, `70%`, `95%`) between the messages. The bar
    is told as a line redrawn in place is: its first value, then the value it settles on;
    each message once. Recorded here: a program writing what tqdm writes, under bash."""
    (tmp_path / "bar.py").write_text(BAR)
    cast = tmp_path / "bar.cast"
    bash = BashRecording(tmp_path, cast, 16, 70)
    bash.typed(f"{sys.executable} bar.py\r")
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    bars = [line for line in told if line.startswith("build:")]
    # (its first value is the one shown when it was first redrawn MERGE_SECONDS after it
    # appeared; the states a message was written over, 20 %, 45 %, 70 %, 95 %, not told)
    assert len(bars) == 2, told
    assert bars[-1].startswith("build: 100%|"), told
    assert int(bars[0].split("%")[0].split()[-1]) < 20, told
    assert [line for line in told if line.startswith("compiled")] == [
        f"compiled module {n}" for n in range(4)
    ], told


STEPS = r"""import sys, time
for n in range(0, 101, 5):
    sys.stdout.write("\rdownloading %3d%%" % n)
    sys.stdout.flush()
    time.sleep(0.15)
sys.stdout.write("\n")
"""


def test_a_bars_first_value_is_not_the_caption_while_the_bar_moves(tmp_path: Path) -> None:
    """review-exports16 item 3 (h15.cast, rG.cast, tqdm and rich in rL.cast): a `\\r` bar
    drawn 21 times, 0.15 s apart, was told as its first value, `0%`, for the 3 s the bar
    moved, the player showing `5%`, `10%`, ... `95%` there; then `100%`. Its first value's
    cue ends as it is first drawn over, but lasts a second, to be read
    (vtt_marks.READ_SECONDS); the settled value is told from its last redraw. Recorded
    here: a program writing such a bar, under bash."""
    from genact_cast.publish.screens import Timeline
    from genact_cast.publish.vtt import render_vtt
    from genact_cast.publish.vtt_marks import READ_SECONDS
    from genact_cast.sources import open_cast

    (tmp_path / "steps.py").write_text(STEPS)
    cast = tmp_path / "steps.cast"
    bash = BashRecording(tmp_path, cast, 12, 60)
    bash.typed(f"{sys.executable} steps.py\r")
    time.sleep(1.0)
    bash.exit()
    with open_cast(str(cast)) as reader:
        events = list(reader.events())
        vtt = render_vtt(Timeline(reader.header, iter(events)))
    drawn = [  # when each state was written (the cast's events)
        (event.time, part)
        for event in events
        for part in event.data.split("\r")
        if part.startswith("downloading")
    ]
    blocks = [b.splitlines() for b in vtt.split("\n\n")[1:] if b.strip()]
    told = [(b[0], b[1:]) for b in blocks if any("downloading" in t for t in b[1:])]
    assert [texts for _, texts in told] == [["downloading   0%"], ["downloading 100%"]], vtt

    def seconds(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    first_end = seconds(told[0][0].split(" --> ")[1])
    redrawn = next(t for t, text in drawn if text != "downloading   0%")
    assert first_end <= max(redrawn, drawn[0][0] + READ_SECONDS) + 0.001, (first_end, drawn)
    last_start = seconds(told[1][0].split(" --> ")[0])
    assert abs(last_start - drawn[-1][0]) < 0.01, (last_start, drawn[-1])


def test_a_command_taken_away_a_key_at_a_time_is_told_as_typed(tmp_path: Path) -> None:
    """review-exports16 item 11 (rS.cast): `ehco typo` typed, then erased with nine
    Backspaces (bash echoes `\\b ESC[K` for each), then `echo fixed`: the given-up line was
    told as `$ e`, its state one key before it vanished, which neither was typed nor stood
    on the screen. It is told as typed, as a line given up with Ctrl-U is; so is one taken
    away a word at a time with Ctrl-W. Recorded here under bash, keys 80 ms apart."""
    cast = tmp_path / "erased.cast"
    bash = BashRecording(tmp_path, cast, 12, 60)

    def keys(text: str) -> None:
        for char in text:
            bash.child.send(char)
            time.sleep(0.08)
        time.sleep(0.4)

    keys("ehco typo")
    keys("\x7f" * 9)
    bash.typed("echo fixed\r")
    keys("git statsu")
    keys("\x17\x17")  # Ctrl-W twice: `statsu`, then `git `
    bash.typed("echo done\r")
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    at = told.index("$ echo fixed")
    assert told[at - 1 : at + 2] == ["$ ehco typo", "$ echo fixed", "fixed"], told
    at = told.index("$ echo done")
    assert told[at - 1] == "$ git statsu", told


def test_nano_on_vt52_is_one_cue_and_the_next_command_is_told(tmp_path: Path) -> None:
    """review-exports16 item 12 (rU.cast): `TERM=vt52 nano f.txt` speaks VT52, which the
    player (avt) does not: it shows nano's screen garbled (`5A[ Reading... ]5@...`). Its
    rows were told as a cue, and `$ echo end`, typed over the leftovers after Ctrl-X,
    never. nano asks for the keypad's application codes as it starts (terminfo's smkx for
    vt52 is `ESC =`, DECKPAM, with no DECCKM to send) and gives them back as it leaves
    (`ESC >`): a program that takes the keys and draws many rows, `[nano]`. Recorded here
    under bash with the machine's nano."""
    import shutil

    import pytest

    if shutil.which("nano") is None:
        pytest.skip("nano is not installed")
    (tmp_path / "f.txt").write_text("line one\nline two\n")
    cast = tmp_path / "vt52.cast"
    bash = BashRecording(tmp_path, cast, 12, 70)
    bash.typed("TERM=vt52 nano f.txt\r", wait="Read")
    time.sleep(1.5)
    bash.typed("\x18")  # Ctrl-X: nothing changed, nano leaves
    time.sleep(0.5)
    bash.typed("echo end\r")
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    at = told.index("[nano]")
    assert told[at - 1] == "$ TERM=vt52 nano f.txt", told
    # (the command is told as its row shows it: over nano's leftovers there, which the
    # player shows after it too; no other row of nano's screen is told)
    assert told[at + 1].startswith("$ echo end"), told
    assert not [line for line in told[: at + 1] + told[at + 2 :] if "^X" in line], told
    assert not [line for line in told if "GNU nano" in line], told
    assert told[at + 2] == "end", told


def test_a_pane_rewrapped_by_a_resize_tells_no_fragment(tmp_path: Path) -> None:
    """review-exports16 item 2 (rF.cast): tmux split with Ctrl-B %, then the terminal
    resized 80x24 -> 70x20: tmux draws the right pane narrower and a line that fitted it
    wraps there (`...f.tx` / `t`); the lone `t` was told as a new line. The rest of a line
    the pane wrapped, however short, is the line rewrapped, as with a split. Recorded here
    under bash in tmux."""
    import shutil

    import pytest

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    cast = tmp_path / "rewrap.cast"
    bash = BashRecording(tmp_path, cast, 24, 80)
    bash.typed("tmux -f /dev/null new -s rewrap\r", wait=None)
    time.sleep(1.5)
    bash.typed("\x02%", wait=None)  # Ctrl-B %: the right pane, 39 columns
    time.sleep(1.0)
    bash.typed("echo 0123456789abcdefghijklmnopqrstuvwxXY\r", wait=None)
    time.sleep(1.0)
    bash.resize(20, 60)  # the right pane 29 columns: the output wraps, `vwxXY` on its own
    time.sleep(1.5)
    bash.typed("exit\r", wait=None)
    time.sleep(0.5)
    bash.typed("exit\r", wait=None)
    time.sleep(0.5)
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    line = "0123456789abcdefghijklmnopqrstuvwxXY"
    assert line in told, told
    assert not [text for text in told if text != line and line.endswith(text.strip())], told
