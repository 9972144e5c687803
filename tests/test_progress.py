"""Long work shows progress on stderr when it is a terminal; `record --live` renders what
`-o` asks for (an SVG) as `record` does without --live, never a cast under that name."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent


def in_a_terminal(args: list[str], cwd: Path, timeout: float) -> tuple[str, int]:
    """What a terminal shows while `genact-cast ARGS` runs, and its exit status."""
    child = pexpect.spawn(
        sys.executable, ["-m", "genact_cast", *args], cwd=str(cwd), timeout=timeout,
        encoding="utf-8", codec_errors="replace", dimensions=(30, 120),
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    shown = child.read()
    child.close()
    return shown, child.exitstatus if child.exitstatus is not None else -1


def test_record_live_to_an_svg_renders_it_with_progress(tmp_path: Path) -> None:
    shown, status = in_a_terminal(
        ["record", "--live", "--seed", "3", "--duration", "10", "--speed", "4", "-o", "lv.svg"],
        tmp_path, timeout=240,
    )  # fmt: skip
    assert status == 0, shown
    assert "recording live" in shown
    assert "of about" in shown
    assert (tmp_path / "lv.svg").read_text().startswith("<svg")
    assert [p.name for p in tmp_path.iterdir()] == ["lv.svg"]


def test_a_gif_shows_progress_in_a_terminal(tmp_path: Path) -> None:
    short = ["--seed", "1", "--duration", "5", "--cols", "60", "--rows", "20"]
    assert in_a_terminal(["record", *short, "-o", "s.cast"], tmp_path, timeout=60)[1] == 0
    shown, status = in_a_terminal(["embed", "s.cast", "--gif", "x.gif"], tmp_path, timeout=240)
    assert status == 0, shown
    assert "encoding" in shown  # the GIF's frames, counted
    assert "of about" in shown
    assert (tmp_path / "x.gif").read_bytes().startswith(b"GIF8")


def test_a_long_record_shows_how_far_the_run_has_got(tmp_path: Path) -> None:
    """review-attack8 item 12: a day-long dashboard run printed nothing for minutes. Three
    hours of dashboard take some 4 s on an idle machine, well past the second after which
    the bar shows (40 minutes took 1.1 s, and the bar flashed or not by the machine's load)."""
    args = ["record", "--seed", "5", "--layout", "dashboard", "--duration", "10800", "-o", "d.cast"]
    shown, status = in_a_terminal(args, tmp_path, timeout=240)
    assert status == 0, shown
    assert "making the cast" in shown
    assert "of 10,800 s of the run" in shown
    assert shown.rstrip().endswith("events, seed 5)")  # the bar is gone: the line is last
