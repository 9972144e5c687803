"""Every wait for input is bounded and blocks: `play -m` without a terminal for keys does
not spin, and the cast still ends."""

from __future__ import annotations

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
    assert wall > 2.0  # it did wait for the events' times
    assert cpu < 0.5 * wall, f"{cpu:.1f} s of CPU in {wall:.1f} s"
