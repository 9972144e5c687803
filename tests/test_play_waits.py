"""Every wait for input is bounded and blocks: `play -m` without a terminal for keys does
not spin, and the cast still ends."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

CAST = Path(__file__).resolve().parent.parent / "casts" / "seed7-80x24.cast"


def test_pause_on_markers_without_a_terminal_plays_through_without_spinning() -> None:
    # 258 s of cast at speed 100: about 2.6 s of waiting, which must not be spent spinning.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "play", "-s", "100", "-m", str(CAST)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        output, errors = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("play -m without a terminal never ended")
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert process.returncode == 0, errors
    assert b"torchrun" in output
    assert output.endswith(b"\x1b[0m\x1b[?25h")  # played to the end, then restored
    assert wall > 1.0  # it did wait for the events. times
    assert cpu < 0.5 * wall, f"{cpu:.1f} s of CPU in {wall:.1f} s"


def test_loop_on_a_silent_pipe_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """`play --loop -` spools standard input: a pipe that never writes is not waited on
    forever (the bound play uses for a FIFO)."""
    import io
    import os

    from genact_cast import limits
    from genact_cast.commands.play import play_cast
    from genact_cast.errors import GenactCastError

    monkeypatch.setattr(limits, "FIRST_BYTE_SECONDS", 1.0)
    read_end, write_end = os.pipe()
    try:
        with open(read_end, "rb", buffering=0, closefd=False) as raw:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
            started = time.monotonic()
            with pytest.raises(GenactCastError, match="nothing to read within the limit"):
                play_cast("-", speed=1.0, idle_time_limit=None, loop=True,
                          pause_on_markers=False, start_at=None, unsafe=False)  # fmt: skip
            assert time.monotonic() - started < 10
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_looped_stdin_leaves_no_copy_behind_even_on_sigkill(tmp_path: Path) -> None:
    """review-attack3 item 10: `play -l -` kept /tmp/genact-cast-XXXX.cast after SIGKILL."""
    cast = tmp_path / "in.cast"
    cast.write_text('{"version": 2, "width": 20, "height": 5}\n[0.5, "o", "tick"]\n', "utf-8")
    spool_dir = tmp_path / "tmp"
    spool_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(spool_dir)}
    with cast.open("rb") as stdin:
        child = subprocess.Popen(
            [sys.executable, "-m", "genact_cast", "play", "-l", "-"],
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        try:
            assert child.stdout is not None
            child.stdout.read(4)  # playing: the copy is made and read
            assert list(spool_dir.iterdir()) == []  # no name in any directory
        finally:
            child.kill()
            child.wait(timeout=10)
    assert list(spool_dir.iterdir()) == []


@pytest.mark.parametrize("events", ["", '[0, "o", "x"]\n'])
def test_loop_over_a_cast_of_no_duration_does_not_spin(tmp_path: Path, events: str) -> None:
    """Each pass of --loop holds for play's minimum (1 s): no busy loop, no flood."""
    cast = tmp_path / "empty.cast"
    cast.write_text('{"version": 2, "width": 80, "height": 24}\n' + events)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "play", "--loop", str(cast)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(2.5)
    os.kill(process.pid, 15)
    output, errors = process.communicate(timeout=10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert b"Traceback" not in errors
    assert cpu < 0.6, f"{cpu:.1f} s of CPU in 2.5 s"  # start-up about 0.15 s; spinning 1 s
    # at most a pass a second (start-up takes some of the 2.5 s), not thousands
    assert output.count(b"x") <= 3
    assert len(output) < 2000


@pytest.mark.parametrize("unterminated", ["\x1b]0;unterminated", "\x1bP1$q"])
def test_each_pass_of_a_loop_starts_fresh_after_an_unterminated_string(
    tmp_path: Path, unterminated: str
) -> None:
    """A cast that ends inside an OSC or DCS string played every pass after the first as
    part of that string: nothing reached the terminal (review-attack10 F8). Each pass starts
    as the player's loop does, with no string held over."""
    cast = tmp_path / "open.cast"
    header = {"version": 2, "width": 80, "height": 24}
    events = [[0.1, "o", "hello\r\n"], [0.2, "o", unterminated]]
    cast.write_text("\n".join(json.dumps(line) for line in [header, *events]) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "play", "--loop", "-s", "100", str(cast)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(4.5)  # start-up, then passes of at least a second each
    os.kill(process.pid, 15)
    output, errors = process.communicate(timeout=10)
    assert b"Traceback" not in errors
    assert output.count(b"hello") >= 2, output[:200]


@pytest.mark.parametrize(
    "args",
    [["play", "-"], ["play", "--loop", "-"], ["info", "-"], ["embed", "-", "--text", "-"],
     ["play", "/dev/stdin"]],
)  # fmt: skip
def test_standard_input_at_a_terminal_is_refused_at_once(args: list[str]) -> None:
    """`play -` typed at a prompt, with nothing piped in: one line at once (nobody types a
    cast), not 30 s of waiting that reads typed lines as the cast."""
    main, child = os.openpty()
    started = time.monotonic()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "genact_cast", *args], stdin=child,
            capture_output=True, timeout=20,
        )  # fmt: skip
    finally:
        os.close(child)
        os.close(main)
    assert time.monotonic() - started < 10
    assert process.returncode == 1, process.stderr
    lines = process.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert "is a terminal" in lines[0], lines
    assert "pipe a cast in" in lines[0], lines
