"""The dashboard's pure parts: the grid, the minimal-update renderer, the layout, the panes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.errors import BadOption
from genact_cast.generator.dashboard import axes, chart, gpus, logtail, screen, throughput
from genact_cast.generator.dashboard.grid import (
    BAR,
    ERROR,
    HEADER,
    PLAIN,
    SGR_PARAMS,
    TIMESTAMP,
    WARNING,
    Grid,
    Rect,
    Span,
    spans_of,
)
from genact_cast.generator.dashboard.layout import MIN_COLS, MIN_ROWS, layout_for
from genact_cast.generator.dashboard.render import Renderer
from tests.dashboard_views import job, view
from tests.helpers import WrapCountingScreen

STYLES = sorted(SGR_PARAMS)
# pyte's view of each style: (foreground, bold).
PYTE_STYLE = {
    " ": ("default", False),
    "m": ("magenta", False),
    "H": ("cyan", True),
    "g": ("green", False),
    "b": ("blue", False),
    "W": ("white", True),
    "y": ("brown", False),  # pyte names SGR 33 brown
    "c": ("cyan", False),
    "k": ("7f7f7f", False),
    "r": ("red", True),
}
SIZES = [(80, 24), (120, 40), (250, 70)]

puts = st.lists(
    st.tuples(
        st.integers(-3, 12),
        st.integers(-5, 30),
        st.text(alphabet="ab ─│█⣿°", max_size=12),
        st.sampled_from(STYLES),
    ),
    max_size=12,
)


def feed(stream: pyte.Stream, data: str) -> None:
    stream.feed(data)


def shown(scr: pyte.Screen, cols: int, rows: int) -> tuple[list[str], list[str]]:
    """What pyte shows, as characters and style codes per row."""
    reverse = {v: k for k, v in PYTE_STYLE.items()}
    chars, styles = [], []
    for y in range(rows):
        line = scr.buffer[y]
        chars.append("".join(line[x].data for x in range(cols)))
        styles.append("".join(reverse[(line[x].fg, line[x].bold)] for x in range(cols)))
    return chars, styles


def blank_styles_as_plain(grid: Grid) -> list[str]:
    """A blank cell looks the same in any style but a background: compare it as plain."""
    return [
        "".join(s if c != " " else PLAIN for c, s in zip(chars, styles, strict=True))
        for chars, styles in zip(grid.chars, grid.styles, strict=True)
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(puts, min_size=1, max_size=5))
def test_replaying_the_updates_shows_every_frame_exactly(
    frames: list[list[tuple[int, int, str, str]]],
) -> None:
    cols, rows = 24, 8
    renderer = Renderer(cols, rows)
    scr = WrapCountingScreen(cols, rows)
    stream = pyte.Stream(scr)
    grid = Grid(cols, rows)
    region = grid.region(Rect(0, 0, rows, cols - 1))
    for i, frame in enumerate(frames):
        for row, col, text, style in frame:
            region.put(row, col, text, style)
        stream.feed(renderer.full(grid) if i == 0 else renderer.update(grid))
        chars, styles = shown(scr, cols, rows)
        assert chars == grid.chars
        shown_styles = ["".join(s if c != " " else PLAIN for c, s in zip(cs, ss, strict=True))
                        for cs, ss in zip(chars, styles, strict=True)]  # fmt: skip
        assert shown_styles == blank_styles_as_plain(grid)
        assert scr.last_column_writes == 0


def test_an_unchanged_frame_writes_nothing_and_one_cell_writes_a_few_bytes() -> None:
    grid = Grid(80, 24)
    region = grid.region(Rect(0, 0, 24, 79))
    region.put(3, 4, "step 1,000", BAR)
    renderer = Renderer(80, 24)
    renderer.full(grid)
    assert renderer.update(grid) == ""
    region.put(3, 9, "2", BAR)
    assert renderer.update(grid) == "\x1b[5D2"  # the cursor is still on that row


def test_close_changes_are_written_as_one_run_and_far_ones_with_a_move() -> None:
    grid = Grid(40, 4)
    region = grid.region(Rect(0, 0, 4, 39))
    renderer = Renderer(40, 4)
    renderer.full(grid)
    region.put(1, 0, "a  b")
    assert renderer.update(grid) == "\r\na  b"
    region.put(1, 30, "z")
    assert renderer.update(grid) == "\x1b[26Cz"


def test_the_renderer_never_writes_the_last_column() -> None:
    grid = Grid(10, 3)
    grid.chars = ["x" * 10] * 3
    out = Renderer(10, 3).full(grid)
    scr = WrapCountingScreen(10, 3)
    pyte.Stream(scr).feed(out)
    assert scr.last_column_writes == 0
    assert scr.display == ["x" * 9 + " "] * 3


@given(
    st.integers(-5, 20), st.integers(-5, 40), st.text(max_size=50), st.integers(0, 8),
    st.integers(0, 8), st.integers(0, 12), st.integers(0, 30),
)  # fmt: skip
def test_nothing_drawn_into_a_region_lands_outside_it(
    row: int, col: int, text: str, top: int, left: int, height: int, width: int
) -> None:
    text = "".join(c for c in text if c.isprintable() and len(c.encode("utf-16-le")) == 2)
    grid = Grid(30, 12)
    rect = Rect(top, left, height, width)
    region = grid.region(rect)
    region.put(row, col, text, WARNING)
    region.sub(Rect(row, col, 3, 5)).put(0, 0, text, BAR)
    for y in range(12):
        for x in range(30):
            if not rect.contains(y, x):
                assert grid.chars[y][x] == " "
                assert grid.styles[y][x] == PLAIN


def test_log_lines_keep_the_seed_colours() -> None:
    line = (
        "\x1b[35m[2025-01-01 00:00:00]\x1b[0m done \x1b[1;36m[Export]\x1b[0m\x1b[2K"
        "\x1b[1;31m[ERROR]\x1b[0m"
    )
    assert spans_of(line) == [
        Span("[2025-01-01 00:00:00]", TIMESTAMP),
        Span(" done ", PLAIN),
        Span("[Export]", HEADER),
        Span("[ERROR]", ERROR),
    ]


@given(st.integers(MIN_COLS, 250), st.integers(MIN_ROWS, 70))
def test_panes_tile_the_screen_without_overlap_or_the_last_column(cols: int, rows: int) -> None:
    layout = layout_for(cols, rows)
    owner: dict[tuple[int, int], str] = {}
    for name, rect in layout.panes().items():
        assert rect.height >= 2
        assert rect.width >= 30
        for y in range(rect.top, rect.bottom):
            for x in range(rect.left, rect.right):
                assert (y, x) not in owner, f"{name} overlaps {owner[(y, x)]}"
                owner[(y, x)] = name
    assert len(owner) == rows * (cols - 1)
    assert all(x < cols - 1 for _, x in owner)


@pytest.mark.parametrize(("cols", "rows"), [(79, 24), (80, 23), (60, 20)])
def test_a_terminal_below_the_minimum_is_refused_naming_it(cols: int, rows: int) -> None:
    with pytest.raises(BadOption, match=r"at least 80x24 \(got \d+x\d+\)") as error:
        layout_for(cols, rows)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("cols", "rows"), SIZES)
@pytest.mark.parametrize("step", [1, 40, 3000, 9000])
def test_each_pane_draws_only_inside_its_rectangle(cols: int, rows: int, step: int) -> None:
    layout = layout_for(cols, rows)
    v = view(step, rows=40)
    draws: dict[str, Callable[[Grid], object]] = {
        "loss": lambda g: chart.draw(g.region(layout.loss).box(chart.title(v)), v),
        "gpus": lambda g: gpus.draw(g.region(layout.gpus).box(gpus.title(v)), v),
        "throughput": lambda g: throughput.draw(
            g.region(layout.throughput).box(throughput.title(v)), v
        ),
        "nccl": lambda g: throughput.draw_nccl(
            g.region(layout.nccl).box(throughput.nccl_title(v)), v
        ),
        "log": lambda g: logtail.draw(g.region(layout.log).box(logtail.title(v)), v),
    }
    for name, draw in draws.items():
        grid = Grid(cols, rows)
        draw(grid)
        rect = layout.panes()[name]
        for y in range(rows):
            for x in range(cols):
                if not rect.contains(y, x):
                    assert grid.chars[y][x] == " ", f"{name} drew at {y},{x}"


@pytest.mark.parametrize(("cols", "rows"), SIZES)
def test_the_chart_ends_at_the_last_loss_shown(cols: int, rows: int) -> None:
    layout = layout_for(cols, rows)
    v = view(7321)
    grid = screen.draw(v, layout)
    inner = layout.loss.inner()
    scale = chart.scale_for(v, inner.width, inner.height)
    assert scale is not None
    x, y = scale.dot(v.train[-1].step, v.train[-1].value)
    cell = grid.chars[inner.top + scale.top + y // 4][inner.left + scale.left + x // 2]
    bits = ord(cell) - 0x2800
    dot = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))[x & 1][y & 3]
    assert bits & dot, f"no dot for the last loss in {cell!r}"
    assert f"Loss {v.train[-1].value:.4f}" in grid.chars[layout.loss.top]
    assert scale.y_low <= v.train[-1].value <= scale.y_high


def test_the_step_axis_spans_the_run_and_the_loss_axis_rescales() -> None:
    early = chart.scale_for(view(800), 60, 20)
    late = chart.scale_for(view(9000), 60, 20)
    assert early is not None
    assert late is not None
    assert early.x_max == late.x_max == job().total_steps
    for scale, step in ((early, 800), (late, 9000)):
        shown = [p.value for p in view(step).train if p.step >= 0.03 * job().total_steps]
        assert scale.y_low <= min(shown) <= max(shown) <= scale.y_high
    assert late.y_low < early.y_low  # the loss fell: the axis follows it down


@given(st.floats(0.001, 1e7), st.floats(0.0, 1e7), st.integers(1, 20))
def test_nice_ranges_cover_their_values_on_round_ticks(low: float, span: float, ticks: int) -> None:
    lo, hi, step = axes.nice_range(low, low + span, ticks)
    assert lo <= low + 1e-9
    assert hi >= low + span - 1e-9
    assert abs((hi - lo) / step - round((hi - lo) / step)) < 1e-6


@pytest.mark.parametrize(("cols", "rows"), SIZES)
def test_gpu_lines_fit_their_pane_with_a_memory_bar(cols: int, rows: int) -> None:
    layout = layout_for(cols, rows)
    v = view(3000)
    grid = screen.draw(v, layout)
    inner = layout.gpus.inner()
    first = grid.chars[inner.top][inner.left : inner.right]
    assert "dgx-000" in first
    assert "61.2" in first
    assert re.search(r"mem █+", first), first  # the memory bar, labelled
    assert "°C" in first or cols == 80


def test_frames_of_the_same_views_are_the_same_bytes() -> None:
    def bytes_of() -> str:
        layout = layout_for(100, 30)
        renderer = Renderer(100, 30)
        out = [renderer.full(screen.draw(view(100), layout))]
        out += [renderer.update(screen.draw(view(s), layout)) for s in range(200, 4000, 200)]
        return "".join(out)

    assert bytes_of() == bytes_of()


def test_colour_off_draws_every_cell_plain() -> None:
    grid = screen.draw(view(3000), layout_for(80, 24), color=False)
    assert set("".join(grid.styles)) == {PLAIN}
    out = Renderer(80, 24).full(grid)
    assert set(re.findall(r"\x1b\[[0-9;]*m", out)) == {"\x1b[0m"}


@pytest.mark.parametrize(("cols", "rows"), SIZES)
def test_frames_drawn_in_turn_equal_frames_drawn_from_scratch(cols: int, rows: int) -> None:
    """The chart keeps its canvas between frames; that must never show."""
    layout = layout_for(cols, rows)
    painter = screen.Screen(layout)
    whole = view(9000)
    # A run that fails at step 5000 and resumes from 4500 appends the redone steps.
    train = [p for p in whole.train if p.step <= 5000] + [p for p in whole.train if p.step > 4500]
    for end in range(2, len(train), 37):
        v = whole._replace(train=train[:end], lr=train[:end], step=train[end - 1].step)
        incremental, scratch = painter.draw(v), screen.draw(v, layout)
        assert incremental.chars == scratch.chars
        assert incremental.styles == scratch.styles
