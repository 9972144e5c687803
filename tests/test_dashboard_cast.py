"""`--layout dashboard`: casts replayed through pyte, checked against the run they show."""

from __future__ import annotations

import functools
import itertools
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyte
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.asciicast import Event
from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.dashboard.activity import RESERVED_SPREAD
from genact_cast.generator.dashboard.layout import layout_for
from genact_cast.generator.dashboard.presenter import ENTER, LEAVE
from genact_cast.generator.events import Failed, Trained
from genact_cast.generator.run import Run
from genact_cast.generator.simulation import simulate
from tests.helpers import WrapCountingScreen, output_of, render

ROOT = Path(__file__).resolve().parent.parent
SIZES = [(80, 24), (120, 40), (250, 70)]
SEEDS = [7, 11, 2024]


@functools.cache
def events(seed: int, cols: int, rows: int, layout: str = "dashboard", **more: Any) -> list[Event]:
    options = RecordOptions(seed=seed, duration=60, cols=cols, rows=rows, layout=layout, **more)
    return list(generate(options).events)


def frame_times(evs: list[Event]) -> list[int]:
    """Times at which the dashboard is up: after it is entered, before it is left."""
    entered = next(e.time_us for e in evs if ENTER in e.data)
    left = next(e.time_us for e in evs if LEAVE in e.data)
    return sorted({e.time_us for e in evs if e.code == "o" and entered <= e.time_us < left})


def screens(
    evs: list[Event], cols: int, rows: int, times: list[int]
) -> Iterator[WrapCountingScreen]:
    """The screen at each of `times` (ascending), feeding the cast through pyte once."""
    scr = WrapCountingScreen(cols, rows)
    stream = pyte.Stream(scr)
    pending = iter(times)
    due = next(pending, None)
    for event in evs:
        while due is not None and event.time_us > due:
            yield scr
            due = next(pending, None)
        if event.code == "o":
            stream.feed(event.data)
    while due is not None:
        yield scr
        due = next(pending, None)


def pane_text(display: list[str], name: str, cols: int, rows: int) -> list[str]:
    rect = layout_for(cols, rows).panes()[name]
    return [display[y][rect.left : rect.right] for y in range(rect.top, rect.bottom)]


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.parametrize(("cols", "rows"), SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_chart_and_title_show_the_runs_loss_at_the_step_shown(
    seed: int, cols: int, rows: int
) -> None:
    evs = events(seed, cols, rows)
    run = Run(make_plan(RecordOptions(seed=seed, duration=60, cols=cols, rows=rows)))
    times = frame_times(evs)
    checked = 0
    for scr in screens(evs, cols, rows, times[:: max(1, len(times) // 12)]):
        display = scr.display  # pyte builds it afresh at every access
        title = "\n".join(pane_text(display, "title", cols, rows))
        step_match = re.search(r"step ([\d,]+)/([\d,]+)", title)
        loss_match = re.search(r"Loss (\d+\.\d{4})", pane_text(display, "loss", cols, rows)[0])
        assert step_match is not None
        step = number(step_match.group(1))
        assert number(step_match.group(2)) == run.plan.total_steps
        if step == 0:
            continue
        assert loss_match is not None, "the chart's title shows the last loss"
        attempts = {e.attempt for e in run.events if isinstance(e, Trained)}
        shown = {f"{run.step(step, a).loss:.4f}" for a in attempts if _trained(run, step, a)}
        assert loss_match.group(1) in shown
        checked += 1
    assert checked >= 5


def _trained(run: Run, step: int, attempt: int) -> bool:
    try:
        run.step(step, attempt)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("cols", "rows"), SIZES)
def test_the_gpu_panel_shows_the_memory_the_log_layout_shows(cols: int, rows: int) -> None:
    """The step's peak, and a little more that the caching allocator keeps, varying."""
    seed = 7
    log = events(seed, cols, rows, "log")
    logged = set(
        re.findall(r"GPU Mem:(?:\x1b\[0m)? (?:\x1b\[[0-9;]*m)?(\d+\.\d)GiB", output_of(log))
    )
    assert logged, "the log layout shows the memory per GPU"
    peaks = {float(x) for x in logged}
    dash = events(seed, cols, rows)
    checked, moving = 0, set[float]()
    for scr in screens(dash, cols, rows, frame_times(dash)[5::10]):
        panel = "".join(pane_text(scr.display, "gpus", cols, rows)[1:])
        shown = {float(x) for x in re.findall(r"(\d+\.\d)(?:/\d+\.\d)?GiB", panel)}
        if shown:
            assert all(
                any(
                    peak - 0.05 <= x <= (peak + 0.05) * (1 + RESERVED_SPREAD) + 0.05
                    for peak in peaks
                )
                for x in shown
            ), (shown, peaks)
            moving.update(shown)
            checked += 1
    assert checked >= 2
    assert len(moving) > 1, "memory moves a little between steps"


def test_failures_and_resumes_are_marked_on_the_chart() -> None:
    evs = events(7, 120, 40, failures=2)
    run = Run(make_plan(RecordOptions(seed=7, duration=60, failures=2)))
    failed = [e for e in run.events if isinstance(e, Failed)]
    assert len(failed) == 2
    phases, legends = set(), set()
    for scr in screens(evs, 120, 40, frame_times(evs)):
        display = scr.display
        phases.add(display[0].split()[-1])
        legends.add(pane_text(display, "loss", 120, 40)[0])
    assert "FAILED" in phases
    assert "RESTARTING" in phases
    assert any("┊ failure ┊ resume" in legend for legend in legends)


@pytest.mark.parametrize(("cols", "rows"), SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_nothing_is_drawn_over_a_pane_border_and_nothing_wraps(
    seed: int, cols: int, rows: int
) -> None:
    evs = events(seed, cols, rows)
    layout = layout_for(cols, rows)
    times = frame_times(evs)
    for scr in screens(evs, cols, rows, [*times[:: max(1, len(times) // 8)], times[-1]]):
        assert scr.last_column_writes == 0
        display = scr.display  # pyte builds it afresh at every access
        assert all(line[cols - 1] == " " for line in display)
        for name, rect in layout.panes().items():
            if name == "title":
                continue
            top, bottom = display[rect.top], display[rect.bottom - 1]
            assert top[rect.left : rect.left + 2] == "╭─", name
            assert top[rect.right - 2 : rect.right] == "─╮", name
            assert bottom[rect.left : rect.right] == "╰" + "─" * (rect.width - 2) + "╯", name
            for y in range(rect.top + 1, rect.bottom - 1):
                line = display[y]
                assert line[rect.left] == "│", (name, y)
                assert line[rect.right - 1] == "│", (name, y)


def test_the_dashboard_is_left_for_the_summary_in_the_normal_screen() -> None:
    evs = events(7, 100, 30)
    text = output_of(evs)
    assert text.count(ENTER) == 1
    assert text.count(LEAVE) == 1
    assert text.index(ENTER) < text.index(LEAVE) < text.index("Training summary")
    final = render(evs, 100, 30)
    shown = "\n".join(final.display)
    assert "Training summary" in shown
    assert "╭─ Loss" not in shown


def test_the_typed_launch_command_comes_before_the_dashboard() -> None:
    text = output_of(events(7, 100, 30))
    assert text.index("torchrun") < text.index(ENTER)


def test_markers_are_those_of_the_log_layout() -> None:
    def markers(layout: str) -> list[tuple[int, str]]:
        return [(e.time_us, e.data) for e in events(11, 100, 30, layout) if e.code == "m"]

    assert markers("dashboard") == markers("log")
    labels = [label for _, label in markers("dashboard")]
    assert labels[0] == "Initialization"
    assert "Epoch 1/" in labels[1]
    assert "Validation 1" in labels
    assert "Checkpoint 1" in labels
    assert labels[-1] == "Export"


def test_the_same_options_give_the_same_bytes() -> None:
    options = RecordOptions(seed=5, duration=45, layout="dashboard")
    first, second = generate(options), generate(options)
    assert list(first.events) == list(second.events)


def test_duration_and_speed_set_the_length_and_change_no_number() -> None:
    slow = list(generate(RecordOptions(seed=3, duration=120, layout="dashboard")).events)
    fast = list(generate(RecordOptions(seed=3, duration=120, speed=2, layout="dashboard")).events)
    assert abs(slow[-1].time - 120) < 6
    assert abs(fast[-1].time - 60) < 3
    assert output_of(slow) == output_of(fast)


def test_a_three_minute_cast_is_within_three_times_the_log_layouts_size() -> None:
    def size(layout: str) -> int:
        cast = generate(RecordOptions(seed=7, duration=180, layout=layout))
        return sum(len(e.data.encode()) for e in cast.events)

    assert size("dashboard") <= 3 * size("log")


@pytest.mark.parametrize(("cols", "rows"), [(79, 24), (80, 23), (60, 20)])
def test_a_terminal_below_80x24_is_refused_in_one_line(cols: int, rows: int) -> None:
    with pytest.raises(BadOption, match="at least 80x24"):
        RecordOptions(seed=1, cols=cols, rows=rows, layout="dashboard").check()
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", "--seed", "1", "--layout", "dashboard",
         "--cols", str(cols), "--rows", str(rows), "-o", "-"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "at least 80x24" in result.stderr


def test_a_stop_at_a_natural_break_leaves_the_dashboard_and_says_so() -> None:
    plan = make_plan(RecordOptions(seed=7, duration=60, layout="dashboard"))
    out: list[Event] = []
    asked = 0

    def should_stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > 40

    simulate(plan, out.append, should_stop)
    text = output_of(out)
    assert text.index(ENTER) < text.index(LEAVE) < text.index("Training stopped early")
    scr = WrapCountingScreen(100, 30)
    pyte.Stream(scr).feed(text)
    assert "Training stopped early" in "\n".join(scr.display)
    assert text.endswith("$ ")  # a fresh prompt after the summary


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.integers(80, 250), st.integers(24, 70))
def test_no_size_from_80x24_to_250x70_ever_wraps(seed: int, cols: int, rows: int) -> None:
    evs = list(
        generate(
            RecordOptions(seed=seed, duration=20, cols=cols, rows=rows, layout="dashboard")
        ).events
    )
    scr = render(evs, cols, rows)
    assert scr.last_column_writes == 0
    assert any("Training summary" in line for line in scr.display)


def test_the_svg_still_keeps_braille_runs_on_the_cell_grid() -> None:
    """Monospace fonts lack braille: each braille run is stretched to its cells, and the
    run after it placed at its column, so the pane borders stay aligned."""
    from xml.etree import ElementTree as ET

    from genact_cast.asciicast import Header
    from genact_cast.publish.svg import CELL_WIDTH, render_svg

    header = Header(cols=120, rows=36)
    root = ET.fromstring(render_svg(header, events(7, 120, 36), at=50.0))
    stretched = braille = 0
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        column, place_next = len(text.text or ""), False
        for span in text:
            content = span.text or ""
            if place_next or span.get("textLength"):
                assert float(span.get("x", "nan")) == pytest.approx(column * CELL_WIDTH, abs=0.01)
            if span.get("textLength"):
                assert not all(c <= "\xff" or "\u2500" <= c <= "\u259f" for c in content)
                width = float(span.get("textLength", "0"))
                assert width == pytest.approx(len(content) * CELL_WIDTH, abs=0.01)
                stretched += 1
            place_next = span.get("textLength") is not None
            column += len(content) + len(span.tail or "")
            braille += any("\u2800" <= c <= "\u28ff" for c in content)
    assert stretched >= 5
    assert braille >= 5


def test_a_live_recording_runs_the_dashboard_too() -> None:
    from genact_cast.live import _shell_setup

    setup = _shell_setup(RecordOptions(seed=1, layout="dashboard"), "torchrun")
    assert "--layout dashboard" in setup
    assert "--layout" not in _shell_setup(RecordOptions(seed=1), "torchrun")


def test_no_color_draws_the_dashboard_without_a_colour() -> None:
    text = output_of(events(7, 100, 30, color=False))
    assert ENTER in text
    assert set(re.findall(r"\x1b\[[0-9;]*m", text)) <= {"\x1b[0m"}


# What a viewer sees (issue 19's review of the dashboard; issue 17 item 5).


def loss_axis_rows(display: list[str], cols: int, rows: int) -> list[int]:
    """Rows of the loss pane whose axis carries a tick label ('┤')."""
    return [y for y, line in enumerate(pane_text(display, "loss", cols, rows)) if "┤" in line]


@pytest.mark.parametrize(("cols", "rows"), SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_loss_axis_labels_sit_on_evenly_spaced_rows(seed: int, cols: int, rows: int) -> None:
    evs = events(seed, cols, rows)
    times = frame_times(evs)
    checked = 0
    for scr in screens(evs, cols, rows, times[5 :: max(1, len(times) // 12)]):
        ticks = loss_axis_rows(scr.display, cols, rows)
        if len(ticks) >= 3:
            gaps = {b - a for a, b in itertools.pairwise(ticks)}
            assert len(gaps) == 1, (ticks, "\n".join(pane_text(scr.display, "loss", cols, rows)))
            checked += 1
    assert checked >= 1 or rows < 30  # a short pane may have room for two labels only


def step_labels(display: list[str], cols: int, rows: int) -> list[float]:
    """The step axis's labels ('0', '500', '1k', '1.5k') as numbers."""
    pane = pane_text(display, "loss", cols, rows)
    axis = next(y for y, line in enumerate(pane) if "└" in line)
    units = {"k": 1e3, "M": 1e6}
    return [
        float(m.group(1)) * units.get(m.group(2), 1.0)
        for m in re.finditer(r"(\d+(?:\.\d+)?)([kM]?)", pane[axis + 1])
    ]


@pytest.mark.parametrize(("cols", "rows"), SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_step_axis_ends_at_the_runs_last_step(seed: int, cols: int, rows: int) -> None:
    total = make_plan(RecordOptions(seed=seed, duration=60, cols=cols, rows=rows)).total_steps
    evs = events(seed, cols, rows)
    times = frame_times(evs)
    for scr in screens(evs, cols, rows, [times[len(times) // 3], times[-1]]):
        labels = step_labels(scr.display, cols, rows)
        assert labels[0] == 0
        assert max(labels) <= total < 2.5 * max(labels), (labels, total)


def gpu_lines(display: list[str], cols: int, rows: int) -> list[tuple[int, int]]:
    """(utilization %, power W) of each GPU line of the panel."""
    panel = pane_text(display, "gpus", cols, rows)[1:]
    found = []
    for line in panel:
        match = re.search(r"\s(\d+)%.*?(\d+(?:\.\d)?)(k?)W", line)
        if match and "GiB" in line:
            watts = float(match.group(2)) * (1000 if match.group(3) else 1)
            found.append((int(match.group(1)), round(watts)))
    return found


@pytest.mark.parametrize("seed", [7, 11])
def test_the_gpus_rest_while_the_step_counter_stands_still(seed: int) -> None:
    """Evaluating, staging a checkpoint, exporting, failed or restarting: the phase the
    run's events put on the title bar, and the readings under it."""
    cols, rows = 120, 40
    evs = events(seed, cols, rows, failures=1)
    by_phase: dict[str, list[tuple[float, float, bool]]] = {}
    for scr in screens(evs, cols, rows, frame_times(evs)):
        display = scr.display
        readings = gpu_lines(display, cols, rows)
        if not readings:
            continue
        phase = display[0].split()[-1]
        util = sum(r[0] for r in readings) / len(readings)
        watts = sum(r[1] for r in readings) / len(readings)
        text = "".join(display)
        processes = "python -u" in text  # a process listed (where the table has room)
        by_phase.setdefault(phase, []).append((util, watts, processes))
        hidden = re.search(r"\+\d+ nodes: (\d+)-(\d+)% util", text)
        if hidden:  # the nodes that do not fit read as those shown
            assert int(hidden.group(1)) >= min(r[0] for r in readings)
            assert int(hidden.group(2)) <= max(r[0] for r in readings)
    assert {"TRAINING", "EVALUATING", "CHECKPOINTING", "FAILED"} <= by_phase.keys(), by_phase
    training = by_phase["TRAINING"]
    train_util = min(u for u, _, _ in training)
    train_watts = sum(w for _, w, _ in training) / len(training)
    assert train_util >= 95
    for phase, seen in by_phase.items():
        if phase == "TRAINING":
            continue
        for util, watts, processes in seen:
            assert watts < 0.7 * train_watts, (phase, watts, train_watts)
            if phase == "EVALUATING":
                assert 60 <= util < train_util
            else:
                assert util <= 20, (phase, util)
            if phase in ("FAILED", "RESTARTING"):
                assert util == 0
                assert not processes


@pytest.mark.parametrize(("cols", "rows"), [(120, 36), (250, 70)])
def test_the_gpu_pane_is_filled_with_history_and_processes(cols: int, rows: int) -> None:
    evs = events(7, cols, rows, gpus=8)  # a line a GPU, and room below them
    times = frame_times(evs)
    for scr in screens(evs, cols, rows, [times[len(times) // 2]]):
        panel = pane_text(scr.display, "gpus", cols, rows)[1:-1]
        blank = sum(1 for line in panel if not line.strip("│ "))
        assert blank <= len(panel) // 4, "\n".join(panel)
        text = "\n".join(panel)
        assert re.search(r"GPU\s+PID\s+USER", text)
        assert "python -u " in text
        if rows >= 70:
            assert "utilization, last" in text
            assert "power, last" in text


def test_the_end_shows_the_launch_command_and_the_summary_as_the_player_does(
    browser: Any,
) -> None:
    """After the dashboard leaves the alternate screen, the shell's screen comes back: the
    typed launch command, then the summary and the prompt, in asciinema-player and in
    every export drawn from the terminal model."""
    from genact_cast.publish.screens import Timeline, last_screen, row_text
    from genact_cast.sources import open_cast
    from tests.player_dom import Player

    path = ROOT / "casts" / "dashboard-120x36.cast"
    player = Player(browser)
    try:
        player.load(path.read_text("utf-8"))
        seen = player.at(10_000.0).text()
    finally:
        player.close()
    with open_cast(str(path)) as reader:
        ours = [row_text(row) for row in last_screen(Timeline(reader.header, reader.events())).rows]
    # The player paints block elements on its canvas, not as text: compared without them.
    blocks = dict.fromkeys(range(0x2580, 0x25A0), " ")
    assert [r.translate(blocks).rstrip() for r in ours] == seen
    shown = "\n".join(seen)
    assert shown.index("torchrun") < shown.index("Training summary") < shown.rindex("$")
    assert "╭─ Loss" not in shown


def test_a_dashboard_too_long_to_draw_is_refused_in_one_line() -> None:
    """Attack run 7, finding 7: `record --layout dashboard --cols 1000 --rows 200
    --duration 86400` (valid options) ran for hours, and a docs block with them stalled
    the build. The dashboard's work is held to that of a day at 200x50."""
    from genact_cast.errors import BadOption

    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", "--layout", "dashboard", "--cols",
         "1000", "--rows", "200", "--duration", "86400", "-o", "-"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "genact-cast: --layout dashboard draws a 1000x200 frame every 2.5 s of cast: at this "
        "size --duration is at most 11781 s (the work of a day at 200x50; got 86400); use "
        "fewer --cols/--rows or --layout log\n"
    )
    RecordOptions(seed=1, duration=11781, cols=1000, rows=200, layout="dashboard").check()
    for cols, rows in ((100, 30), (120, 36), (200, 50)):  # a day at these sizes is drawn
        RecordOptions(seed=1, duration=86400, cols=cols, rows=rows, layout="dashboard").check()
    with pytest.raises(BadOption, match="at most 86256 s"):
        RecordOptions(seed=1, duration=86400, cols=201, rows=50, layout="dashboard").check()
