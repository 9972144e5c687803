"""Throughput (tokens/s as a bar chart, MFU, TFLOP/s) and the NCCL times."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence

from genact_cast.generator.dashboard import axes
from genact_cast.generator.dashboard.grid import (
    BAR,
    HEADER,
    LABEL,
    MUTED,
    VALUE,
    Rect,
    Region,
    Span,
)
from genact_cast.generator.dashboard.view import Point, View

_EIGHTHS = " ▁▂▃▄▅▆▇█"


def title(view: View) -> list[Span]:
    return [Span("Throughput", HEADER)]


def nccl_title(view: View) -> list[Span]:
    return [Span("NCCL", HEADER), Span(" per step", MUTED)]


def _figures(view: View) -> list[list[Span]]:
    latest = view.tokens_per_second[-1].value if view.tokens_per_second else 0.0
    per_gpu = latest / view.job.gpus if view.job.gpus else 0.0
    return [
        [Span("tokens/s ", LABEL), Span(f"{latest:,.0f}", VALUE)],
        [Span("MFU ", LABEL), Span(f"{view.mfu * 100:.1f}%", VALUE)],
        [Span("TFLOP/s/GPU ", LABEL), Span(f"{view.tflops_per_gpu:.1f}", VALUE)],
        [Span("per GPU ", LABEL), Span(f"{per_gpu:,.0f}", VALUE)],
    ]


class Steady:
    """The median and the highest of a throughput series that only grows between frames,
    kept up to date with the points added since the last frame: sorted whole at every
    frame, a day-long dashboard run was quadratic in its length. A series that is not the
    last one grown is read again whole."""

    def __init__(self) -> None:
        self._count = 0
        self._last: Point | None = None
        self._sorted: list[float] = []

    def update(self, points: Sequence[Point]) -> tuple[float, float]:
        """(median, highest) of the values; `points` is not empty."""
        count = self._count
        if len(points) < count or (count and points[count - 1] != self._last):
            count, self._sorted = 0, []
        for point in points[count:]:
            bisect.insort(self._sorted, point.value)
        self._count, self._last = len(points), points[-1]
        return self._sorted[len(self._sorted) // 2], self._sorted[-1]


def draw(region: Region, view: View, steady: Steady | None = None) -> None:
    col = 0
    for group in _figures(view):
        need = sum(len(s.text) for s in group)
        if col and col + 2 + need > region.width:
            break
        col = region.put_spans(0, col + (2 if col else 0), group)
    height = region.height - 1
    if height < 1 or not view.tokens_per_second:
        return
    # The axis spans the steady state, as monitors autoscale: the slow first step after
    # a launch dips out of it, and the step-to-step jitter shows.
    median, highest = (steady or Steady()).update(view.tokens_per_second)
    low, top, _ = axes.nice_range(0.9 * median, highest, 2)
    low = max(0.0, low)
    labels = axes.count_label(top), axes.count_label(low)
    left = max(len(x) for x in labels) + 1
    region.put(1, 0, labels[0].rjust(left - 1), LABEL)
    region.put(height, 0, labels[1].rjust(left - 1), LABEL)
    width = region.width - left
    if width <= 0:
        return
    shown = [p.value for p in view.tokens_per_second[-width:]]
    # Each value as a column of block characters, bottom row last; then rows across.
    scale = height * 8 / (top - low)
    columns = [_column(round((v - low) * scale), height) for v in shown]
    chart = region.sub(Rect(1, left, height, width))
    for row, chars in enumerate(zip(*columns, strict=True)):
        chart.put(row, 0, "".join(chars), BAR)


@functools.cache
def _column(level: int, height: int) -> tuple[str, ...]:
    return tuple(_EIGHTHS[max(0, min(8, level - (height - 1 - row) * 8))] for row in range(height))


def draw_nccl(region: Region, view: View) -> None:
    for i, stat in enumerate(view.nccl[: region.height]):
        region.put(i, 0, stat.label[: max(0, region.width - len(stat.value) - 1)], MUTED)
        region.put(i, region.width - len(stat.value), stat.value, VALUE)
