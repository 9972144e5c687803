"""The GPU panel, in the manner of nvitop: a line per GPU (or per node), with bars."""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator.dashboard.grid import (
    BAR,
    GPU,
    HEADER,
    MUTED,
    PLAIN,
    VALUE,
    WARNING,
    Region,
    Span,
)
from genact_cast.generator.dashboard.view import GpuRow, Job, View

_MIN_BAR = 4


def title(view: View) -> list[Span]:
    job = view.job
    unit = "per GPU" if len(view.gpus) >= job.gpus else "per node"
    return [
        Span("GPUs", HEADER),
        Span(f" {job.gpus}× {job.gpu_name} {job.capacity_gib:.1f} GiB", GPU),
        Span(f" · {unit}", MUTED),
    ]


def bar(fraction: float, width: int) -> list[Span]:
    """A memory or utilization bar: '█' used, '░' free, with eighths at the edge."""
    if width <= 0:
        return []
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + ("" if not part else " ▏▎▍▌▋▊▉"[part])
    return [Span(text, BAR), Span("░" * (width - len(text)), MUTED)]


def _power(watts: int) -> str:
    return f"{watts}W" if watts < 1000 else f"{watts / 1000:.1f}kW"


def _cells(row: GpuRow, job: Job, label_width: int, short: bool) -> dict[str, list[Span]]:
    capacity = f"{job.capacity_gib:.1f}"
    if short:
        memory = f"{row.memory_gib:.1f}GiB".rjust(len(capacity) + 3)
    else:
        memory = f"{row.memory_gib:.1f}/{capacity}GiB".rjust(2 * len(capacity) + 4)
    return {
        "label": [Span(row.label.ljust(label_width), GPU)],
        "util": [Span(f"{row.util:>3}%", WARNING if row.straggler else VALUE)],
        "memory": [Span(memory, PLAIN)],
        "temp": [Span(f"{row.temp_c:>2}°C", WARNING if row.straggler else GPU)],
        "power": [Span(_power(row.power_w).rjust(6), GPU)],
    }


# From the richest line to the barest: which fields, whether memory is short, bars.
_FORMS: tuple[tuple[tuple[str, ...], bool, int], ...] = (
    (("label", "ubar", "util", "mbar", "memory", "temp", "power"), False, 2),
    (("label", "util", "mbar", "memory", "temp", "power"), False, 1),
    (("label", "util", "mbar", "memory", "temp", "power"), True, 1),
    (("label", "util", "mbar", "memory", "temp"), True, 1),
    (("label", "util", "memory", "temp"), True, 0),
    (("label", "util", "memory"), True, 0),
)


class _Form(NamedTuple):
    fields: tuple[str, ...]
    short: bool
    bar_sizes: tuple[int, ...]


@functools.cache
def _form(job: Job, width: int, label_width: int) -> _Form | None:
    """The richest line that fits `width`, measured on the widest values."""
    widest = GpuRow("", 100, job.capacity_gib, 99, 99_999)
    for fields, short, bars in _FORMS:
        cells = _cells(widest, job, label_width, short)
        fixed = sum(len(s.text) for f in fields if f in cells for s in cells[f])
        room = width - fixed - (len(fields) - 1)
        if room < bars * _MIN_BAR or room < 0:
            continue
        sizes = tuple(room // bars + (1 if i < room % bars else 0) for i in range(bars))
        return _Form(fields, short, sizes)
    return None


def _line(row: GpuRow, job: Job, form: _Form, label_width: int) -> list[Span]:
    cells = _cells(row, job, label_width, form.short)
    spans: list[Span] = []
    for i, field in enumerate(form.fields):
        if i:
            spans.append(Span(" ", PLAIN))
        if field == "ubar":
            spans += bar(row.util / 100, form.bar_sizes[0])
        elif field == "mbar":
            spans += bar(row.memory_gib / job.capacity_gib, form.bar_sizes[-1])
        else:
            spans += cells[field]
    return spans


def draw(region: Region, view: View) -> None:
    rows: Sequence[GpuRow] = view.gpus
    shown = region.height - (1 if view.gpus_hidden else 0)
    label_width = max((len(r.label) for r in rows), default=0)
    form = _form(view.job, region.width, label_width)
    for i, row in enumerate(rows[: max(0, shown)]):
        if form is None:
            region.put(i, 0, row.label, GPU)
        else:
            region.put_spans(i, 0, _line(row, view.job, form, label_width))
    if view.gpus_hidden:
        region.put(min(len(rows), shown), 0, view.gpus_hidden, MUTED)
