"""The loss chart: train loss in braille, validation points, the LR schedule on its own
axis, failures and resumes marked, axes that rescale as the run goes on."""

import math
from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator.dashboard import axes
from genact_cast.generator.dashboard.braille import Canvas
from genact_cast.generator.dashboard.grid import (
    BAR,
    GPU,
    HEADER,
    LABEL,
    MUTED,
    PLAIN,
    VALUE,
    WARNING,
    Grid,
    Rect,
    Region,
    Span,
)
from genact_cast.generator.dashboard.view import Point, View

VAL_MARK = "●"
EVENT_MARK = "┊"
# Steps before this fraction of the x axis do not stretch the y axis: the first steps'
# loss near ln(vocab) would flatten the rest of the curve.
_WARM_FRACTION = 0.03


class Scale(NamedTuple):
    """Where the plot sits in its pane and what its axes span."""

    left: int  # first plot column, in the pane
    width: int  # plot columns
    height: int  # plot rows (from row 0 of the pane)
    x_max: float  # steps at the right edge (the left edge is step 0)
    y_low: float
    y_high: float
    y_step: float
    lr_high: float  # learning rate at the top (0 at the bottom)
    top: int = 0  # blank rows above the plot, so that its labels are evenly spaced

    def dot(self, step: float, value: float) -> tuple[int, int]:
        """The dot (x, y) of a loss value; y may fall outside the plot when clipped."""
        dots_x, dots_y = 2 * self.width, 4 * self.height
        x = round(step / self.x_max * (dots_x - 1))
        y = round((self.y_high - value) / (self.y_high - self.y_low) * (dots_y - 1))
        return x, y

    def lr_dot(self, step: float, rate: float) -> tuple[int, int]:
        dots_x, dots_y = 2 * self.width, 4 * self.height
        x = round(step / self.x_max * (dots_x - 1))
        y = round((1 - rate / self.lr_high) * (dots_y - 1))
        return x, y


def title(view: View) -> list[Span]:
    spans = [Span("Loss", HEADER)]
    if view.train:
        spans += [Span(" ", PLAIN), Span(f"{view.train[-1].value:.4f}", VALUE)]
    spans += [Span(" ━ train", BAR)]
    if view.val:
        spans += [Span(f" {VAL_MARK} val ", VALUE), Span(f"{view.val[-1].value:.4f}", VALUE)]
    spans += [Span(" ━ lr", LABEL)]
    if view.failures:
        spans += [Span(f" {EVENT_MARK} failure", WARNING)]
    if view.resumes:
        spans += [Span(f" {EVENT_MARK} resume", GPU)]
    if view.aux_loss is not None:  # a mixture of experts: the router's load-balancing loss
        spans += [Span(f" ━ aux {view.aux_loss:.3e}", LABEL)]  # one piece: whole or left out
    return spans


class Extents(NamedTuple):
    """What the axes are made from: the series' extremes."""

    lr_high: float  # the highest learning rate, rounded up
    x_max: float  # steps at the right edge
    low: float  # the lowest and highest loss the y axis must show
    high: float


def extents_of(view: View) -> Extents:
    """The extents, read from every point of the view's series."""
    lr_high = axes.round_up(max((p.value for p in view.lr), default=0.0))
    last = max((p.step for p in view.train), default=0)
    x_max = float(max(view.job.total_steps, last, 1))
    values = [p.value for p in view.train if p.step >= _WARM_FRACTION * x_max]
    values += [p.value for p in view.val]
    if not values:
        values = [p.value for p in view.train] or [0.0, 1.0]
    return Extents(lr_high, x_max, min(values), max(values))


class RunningExtents:
    """The extents of series that only grow between frames, reading only the points added
    since the last frame: read whole at every frame, a day-long dashboard run was quadratic
    in its length (86,400 s took 474 s). The same numbers as `extents_of` (min and max of
    the same points); when a series is not the last one grown, it is read again whole."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, Point | None]] = {}
        self._reset()

    def _reset(self) -> None:
        self._lr = 0.0
        self._last = 0
        self._x_max = -1.0
        self._warm: list[float] = []  # min and max of the loss past the warm-up, if any
        self._val: list[float] = []
        self._all: list[float] = []

    def update(self, view: View) -> Extents:
        lr_new = self._new("lr", view.lr)
        train_new = self._new("train", view.train)
        val_new = self._new("val", view.val)
        if lr_new is None or train_new is None or val_new is None:  # rewritten: read again
            self._reset()
            for name, points in (("lr", view.lr), ("train", view.train), ("val", view.val)):
                self._seen[name] = (len(points), points[-1] if points else None)
            lr_new, train_new, val_new = view.lr, view.train, view.val
        self._lr = max([self._lr, *(p.value for p in lr_new)])
        self._last = max([self._last, *(p.step for p in train_new)])
        x_max = float(max(view.job.total_steps, self._last, 1))
        if x_max != self._x_max:  # the warm-up's end moved: the warm extremes again
            self._x_max, self._warm = x_max, []
            train_new = view.train[: len(view.train)]
        _extend(self._warm, [p.value for p in train_new if p.step >= _WARM_FRACTION * x_max])
        _extend(self._all, [p.value for p in train_new])
        _extend(self._val, [p.value for p in val_new])
        low, high = _joined(self._warm, self._val) or self._all or [0.0, 1.0]
        return Extents(axes.round_up(self._lr), x_max, low, high)

    def _new(self, name: str, points: Sequence[Point]) -> Sequence[Point] | None:
        """The points added to `points` since the last frame; None when it was rewritten."""
        count, last = self._seen.get(name, (0, None))
        if len(points) < count or (count and points[count - 1] != last):
            return None
        self._seen[name] = (len(points), points[-1] if points else None)
        return points[count:]


def _extend(extremes: list[float], values: list[float]) -> None:
    if values:
        extremes[:] = [min(values + extremes[:1]), max(values + extremes[1:])]


def _joined(first: list[float], second: list[float]) -> list[float]:
    both = first + second
    return [min(both), max(both)] if both else []


def scale_for(view: View, width: int, height: int, extents: Extents | None = None) -> Scale | None:
    """The chart's axes for a pane of `width` × `height` cells, or None when too small.

    The step axis spans the whole run, so the curve grows towards its end as the run
    does; the loss axis puts its labels on evenly spaced rows (the plot may leave a row
    or two blank at the top for that), and rescales as the loss falls.
    """
    # A round ceiling: the axis holds through the warm-up instead of growing every frame.
    lr_high, x_max, low, high = extents or extents_of(view)
    lr_label = 1 + len(axes.rate_label(lr_high)) if lr_high > 0 else 0
    room = height - 2  # the axis line and its labels below
    if room < 2:
        return None
    plot_height, y_low, y_high, y_step = axes.even_range(low, high, room)
    label_width = max(len(axes.value_label(v, y_step)) for v in (y_low, y_high)) + 1
    plot_width = width - label_width - 1 - lr_label - (1 if lr_label else 0)
    if plot_width < 8:
        return None
    lr_top = lr_high if lr_high > 0 else 1.0
    return Scale(
        label_width + 1,
        plot_width,
        plot_height,
        x_max,
        y_low,
        y_high,
        y_step,
        lr_top,
        room - plot_height,
    )


class LossChart:
    """Draws the chart, keeping its canvas from frame to frame while the axes hold.

    Series only grow between frames (a resumed run's redone steps are appended, not
    rewritten), so a frame draws just the new segments; a frame looks the same as if
    drawn from scratch.
    """

    def __init__(self) -> None:
        self._scale: Scale | None = None
        self._canvas = Canvas(0, 0, (LABEL, BAR))
        self._drawn = [0, 0]  # points of the learning rate and the loss already drawn
        self._last: list[Point | None] = [None, None]
        self._axes_key: object = None
        self._axes: list[tuple[str, str]] = []
        self._extents = RunningExtents()

    def draw(self, region: Region, view: View) -> Scale | None:
        """Draw the chart inside `region` (the pane without its border)."""
        scale = scale_for(view, region.width, region.height, self._extents.update(view))
        if scale is None:
            region.put(0, 0, "(too small for a chart)", MUTED)
            return None
        region = region.sub(Rect(scale.top, 0, region.height - scale.top, region.width))
        series = (view.lr, view.train)
        if scale != self._scale or not all(
            len(points) >= drawn and (not drawn or points[drawn - 1] == last)
            for points, drawn, last in zip(series, self._drawn, self._last, strict=True)
        ):
            self._scale, self._drawn = scale, [0, 0]
            self._canvas = Canvas(scale.width, scale.height, (LABEL, BAR))
        canvas = self._canvas
        for layer, (points, to_dot) in enumerate(
            zip(series, (scale.lr_dot, scale.dot), strict=True)
        ):
            new = points[max(0, self._drawn[layer] - 1) :]
            if new:
                canvas.polyline(_thinned([to_dot(p.step, p.value) for p in new]), layer)
            self._drawn[layer] = len(points)
            self._last[layer] = points[-1] if points else None

        # Each row is put once: the axes (drawn once per scale) around the plot.
        axes_key = (scale, bool(view.lr), region.width, region.height)
        if axes_key != self._axes_key:
            scratch = Grid(region.width, region.height)
            _draw_axes(
                scratch.region(Rect(0, 0, region.height, region.width)),
                scale,
                show_lr=bool(view.lr),
            )
            self._axes_key, self._axes = (
                axes_key,
                list(zip(scratch.chars, scratch.styles, strict=True)),
            )
        # Marks over the curve: (row, col) -> (character, style).
        marks: dict[tuple[int, int], tuple[str, str]] = {}
        for steps, style in ((view.failures, WARNING), (view.resumes, GPU)):
            for step in steps:
                col = scale.dot(step, scale.y_low)[0] // 2
                if not 0 <= col < scale.width:
                    continue
                for row in range(scale.height):
                    if canvas.is_blank(row, col):
                        marks[row, col] = (EVENT_MARK, style)
        for point in view.val:
            x, y = scale.dot(point.step, point.value)
            if 0 <= y < 4 * scale.height and 0 <= x < 2 * scale.width:
                marks[y // 4, x // 2] = (VAL_MARK, VALUE)
        plot_rows = canvas.rows()
        left, right = scale.left, scale.left + scale.width
        for row, (chars, styles) in enumerate(self._axes):
            if row < scale.height:
                plot_chars, plot_styles = plot_rows[row]
                for (mark_row, col), (char, style) in marks.items():
                    if mark_row == row:
                        plot_chars = plot_chars[:col] + char + plot_chars[col + 1 :]
                        plot_styles = plot_styles[:col] + style + plot_styles[col + 1 :]
                chars = chars[:left] + plot_chars + chars[right:]
                styles = styles[:left] + plot_styles + styles[right:]
            region.put_cells(row, 0, chars, styles)
        return scale


def draw(region: Region, view: View) -> Scale | None:
    """The chart of `view` drawn from scratch."""
    return LossChart().draw(region, view)


def _thinned(dots: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The same line with at most the first, lowest, highest and last dot per column."""
    out: list[tuple[int, int]] = []
    index = 0
    while index < len(dots):
        x = dots[index][0]
        end = index
        while end + 1 < len(dots) and dots[end + 1][0] == x:
            end += 1
        column = dots[index : end + 1]
        if len(column) <= 4:
            out += column
        else:
            low, high = min(column, key=lambda d: d[1]), max(column, key=lambda d: d[1])
            out += [column[0], low, high, column[-1]]
        index = end + 1
    return out


def _draw_axes(region: Region, scale: Scale, *, show_lr: bool) -> None:
    left, width, height = scale.left, scale.width, scale.height
    axis = left - 1
    ticks = round((scale.y_high - scale.y_low) / scale.y_step)
    tick_rows: dict[int, float] = {}
    for i in range(ticks + 1):
        value = scale.y_low + i * scale.y_step
        row = round((scale.y_high - value) / (scale.y_high - scale.y_low) * (4 * height - 1)) // 4
        tick_rows.setdefault(row, value)
    for row in range(height):
        if row in tick_rows:
            label = axes.value_label(tick_rows[row], scale.y_step)
            region.put(row, axis - len(label) - 1, label, LABEL)
            region.put(row, axis, "┤", MUTED)
        else:
            region.put(row, axis, "│", MUTED)
    region.put(height, axis, "└" + "─" * width, MUTED)
    if show_lr:
        right = left + width
        for row in range(height):
            region.put(row, right, "├" if row in (0, height - 1) else "│", MUTED)
        region.put(0, right + 1, axes.rate_label(scale.lr_high), LABEL)
        region.put(height - 1, right + 1, "0", LABEL)
        region.put(height, right, "┘", MUTED)
    # Step labels under the axis, each centred on its tick, none overlapping.
    spacing = axes.nice_step(scale.x_max, max(1, width // 10))
    count = math.floor(scale.x_max / spacing + 1e-9)
    free_from = 0
    for i in range(count + 1):
        step = i * spacing
        col = round(step / scale.x_max * (2 * width - 1)) // 2
        label = axes.count_label(step)
        start = min(max(0, col - len(label) // 2), width - len(label))
        if start < free_from:
            continue
        region.put(height, left + col, "┬", MUTED)
        region.put(height + 1, left + start, label, LABEL)
        free_from = start + len(label) + 1
