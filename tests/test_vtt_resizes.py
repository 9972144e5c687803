"""Subtitles (--vtt) of output through resizes: the player (avt) rewraps every line at
the new width, both ways, and moves rows to and from its scrollback as the height
changes; a line is told once, whole, whatever resizes follow (review-exports15 item 13:
`seq -s ' ' 1 60`, 171 characters, lost up to 71 of them when the window was made
smaller and then larger again)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from tests.pty_session import BashRecording
from tests.test_vtt import cues_of_file, lines

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

SEQ = " ".join(str(n) for n in range(1, 61))  # `seq -s ' ' 1 60`: 171 characters


def _cast(folder: Path, cols: int, rows: int, events: list[list[object]]) -> Path:
    cast = folder / "resized.cast"
    header = json.dumps({"version": 2, "width": cols, "height": rows})
    cast.write_text("\n".join([header, *(json.dumps(event) for event in events)]) + "\n")
    return cast


@pytest.mark.parametrize(
    "sizes",
    [
        ["40x12", "100x24"],  # the review's r1.cast
        ["50x20", "40x12", "100x24"],  # r5.cast
        ["40x20"],  # r2.cast (told in two pieces, `30` / ` 31 ...`)
        ["80x12"],
        ["40x12"],
    ],
)
def test_a_line_wrapped_then_resized_smaller_and_back_is_told_whole(
    tmp_path: Path, sizes: list[str]
) -> None:
    """The review's hand-made cut-downs of s16.cast (80x20: `$ s`, the 171-character
    line, `tail line` and a prompt in one event, then the resizes at the prompt): r1
    told `1 2 ... 29 30` and `7 38 ... 60`, losing ` 31 32 33 34 35 36 3`; r5 told
    `1 2 ... 36 3` and lost the rest (the line's rows the narrowing put in the scrollback
    were told as far as the new top row reached, the rest of it dropped as told)."""
    events: list[list[object]] = [
        [0.2, "o", "$ "],
        [0.4, "o", "s"],
        [0.5, "o", "\r\n" + SEQ + "\r\ntail line\r\n$ "],
    ]
    events += [[1.5 + i, "r", size] for i, size in enumerate(sizes)]
    events += [[len(sizes) + 2.0, "o", "e"], [len(sizes) + 2.1, "o", "\r\nE\r\n$ "]]
    found = cues_of_file(_cast(tmp_path, 80, 20, events).name, tmp_path)
    assert lines(found) == ["$ s", SEQ, "tail line", "$ e", "E"], found


@pytest.mark.parametrize("seed", range(24))
def test_lines_are_told_once_whole_and_in_order_whatever_resizes_follow(
    tmp_path: Path, seed: int
) -> None:
    """The class: three commands, each printing a line wrapped over rows (20 to 70
    numbers) and a short one, each followed by up to three resizes to any size from
    20x6 to 130x30 (narrower and wider, fewer and more rows: rows go to the scrollback
    and come back, as avt does). Each line is told once, whole, in the order written.
    On the code before this change (d637de1's vtt_reflow.py) 10 of these 24 casts told
    a line cut, in pieces or twice (lines pushed to the scrollback by a rewrap were told
    row by row; a line cut by the narrowing only as far as the new top row)."""
    draw = random.Random(seed)
    cols, rows = draw.randint(30, 120), draw.randint(6, 30)
    texts = [" ".join(str(n) for n in range(a, a + draw.randint(20, 70))) for a in (1, 100, 200)]
    events: list[list[object]] = [[0.2, "o", "$ "]]
    at = 0.2
    for k, text in enumerate(texts):
        events += [[at + 0.2, "o", f"s{k}"], [at + 0.3, "o", f"\r\n{text}\r\ntail {k}\r\n$ "]]
        at += 0.3
        for _ in range(draw.randint(0, 3)):
            at += 1
            events.append([at, "r", f"{draw.randint(20, 130)}x{draw.randint(6, 30)}"])
    events += [[at + 1, "o", "e"], [at + 1.1, "o", "\r\nE\r\n$ "]]
    found = cues_of_file(_cast(tmp_path, cols, rows, events).name, tmp_path)
    told = [(f"$ s{k}", text, f"tail {k}") for k, text in enumerate(texts)]
    assert lines(found) == [line for three in told for line in three] + ["$ e", "E"], events


def test_a_recorded_line_is_told_whole_through_resizes_smaller_and_back(tmp_path: Path) -> None:
    """review-exports15 item 13 (s16.cast) recorded here: bash 80x20 in a pty under
    asciinema 2.4, `seq -s ' ' 1 60; echo ...`, then, with the prompt waiting, the window
    made 50x20, 40x12 and 100x24 (bash redrawing its prompt at each), then `echo ok`.
    The seq line was told cut after 100 characters (`... 35 36 3`)."""
    cast = tmp_path / "resized.cast"
    bash = BashRecording(tmp_path, cast, 20, 80)
    bash.typed("seq -s ' ' 1 60; echo 'ünïcode 漢字かな 👍 tail'\r")
    for rows, cols in ((20, 50), (12, 40), (24, 100)):
        time.sleep(0.6)
        bash.resize(rows, cols)
    time.sleep(0.6)
    bash.typed("echo ok\r")
    bash.exit()
    told = lines(cues_of_file(cast.name, tmp_path))
    assert told.count(SEQ) == 1, told
    assert not [line for line in told if line != SEQ and line[:1].isdigit()], told
    assert "ünïcode 漢字かな 👍 tail" in told, told
    assert "ok" in told, told
