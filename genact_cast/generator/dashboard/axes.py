"""Axis ranges and tick labels: round numbers, as a person would draw them."""

from __future__ import annotations

import math


def nice_step(span: float, ticks: int) -> float:
    """A tick spacing of 1, 2, 2.5 or 5 × 10^k giving about `ticks` intervals."""
    if span <= 0 or ticks <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def nice_range(low: float, high: float, ticks: int) -> tuple[float, float, float]:
    """(low, high, spacing) with both ends on ticks, covering [low, high]."""
    if high - low <= abs(high) * 1e-3:  # one value, or a span lost in float rounding
        high = low + (abs(low) * 0.1 or 1.0)
    step = nice_step(high - low, ticks)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def even_range(low: float, high: float, rows: int) -> tuple[int, float, float, float]:
    """(plot rows, low, high, spacing) for a value axis whose labels sit on evenly spaced rows.

    A label can only sit on a whole row, so `rows - 1` must be a whole number of ticks
    apart: the plot may give up a row or two at the top to find a spacing, and the range
    grows to span whole intervals. Among the choices, the tightest fit of the values wins
    (a row given up costs a twentieth of the range, and labels further apart or closer
    than every third row a tenth per row), then the one with more labels.
    """
    if high - low <= abs(high) * 1e-3:  # one value, or a span lost in float rounding
        high = low + (abs(low) * 0.1 or 1.0)
    span = high - low
    best: tuple[float, int, int, float, float] | None = None  # waste, -labels, plot, low, step
    for plot in range(rows, max(2, rows - 2) - 1, -1):
        gaps = plot - 1
        for intervals in range(1, gaps + 1):
            # A label every second row at most; one interval only when nothing else fits.
            if gaps % intervals or (gaps // intervals < 2 and intervals > 1):
                continue
            step = nice_step(span, intervals)
            bottom = math.floor(low / step + 1e-9) * step
            while bottom + intervals * step < high - 1e-9 * abs(high):
                step = nice_step(step * 1.0001, 1)  # the next round spacing up
                bottom = math.floor(low / step + 1e-9) * step
            # Waste of the range, rows given up, and labels far from one every third row.
            waste = intervals * step / span + (rows - plot) / 20 + abs(gaps / intervals - 3) / 10
            choice = (waste, -intervals, plot, bottom, step)
            if best is None or choice[:2] < best[:2]:
                best = choice
    if best is None:  # fewer than two rows: the ends only
        lo, hi, step = nice_range(low, high, 1)
        return rows, lo, hi, hi - lo
    _, minus_intervals, plot, bottom, step = best
    return plot, bottom, bottom - minus_intervals * step, step


def nice_ceiling(value: float) -> float:
    """The least of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k not below `value`."""
    if value <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if factor * power >= value - 1e-9:
            return factor * power
    return 10 * power


def round_up(value: float) -> float:
    """`nice_ceiling` at any scale: 2.7e-4 gives 3e-4; 0 stays 0."""
    if value <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(value))
    return nice_ceiling(value / power) * power


def count_label(value: float) -> str:
    """'0', '750', '1.5k', '12k', '1.2M' for a step count on an axis."""
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            scaled = value / size
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + unit
    return f"{value:.0f}"


def value_label(value: float, step: float) -> str:
    """A tick label with as many decimals as the spacing needs: '2', '2.5', '2.25'."""
    decimals = 0
    while decimals < 4 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    return f"{value:.{decimals}f}"


def rate_label(value: float) -> str:
    """'3e-4', '1.5e-4', '0' for a learning rate on an axis."""
    if value <= 0:
        return "0"
    exponent = math.floor(math.log10(value))
    mantissa = value / 10**exponent
    text = f"{mantissa:.1f}".removesuffix(".0")
    if text == "10":
        text, exponent = "1", exponent + 1
    return f"{text}e{exponent}"
