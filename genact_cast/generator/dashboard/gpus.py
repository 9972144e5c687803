"""The GPU panel, in the manner of nvitop: a line per GPU (or per node), with labelled
bars; below them, when the pane has room, each line's utilization history (as nvitop's
and btop's graphs) and the training processes of the first node (nvitop's process
table), so that the pane is filled rather than left empty under a few lines."""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator import style as fmt
from genact_cast.generator.dashboard.grid import (
    BAR,
    GPU,
    HEADER,
    LABEL,
    MUTED,
    PLAIN,
    VALUE,
    WARNING,
    Rect,
    Region,
    Span,
)
from genact_cast.generator.dashboard.view import GpuRow, Job, Process, View

_MIN_BAR = 4
_EIGHTHS = " ▁▂▃▄▅▆▇█"


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
        "ulabel": [Span("util", LABEL)],
        "mlabel": [Span("mem", LABEL)],
        "util": [Span(f"{row.util:>3}%", WARNING if row.straggler else VALUE)],
        "memory": [Span(memory, PLAIN)],
        "temp": [Span(f"{row.temp_c:>2}°C", WARNING if row.straggler else GPU)],
        "power": [Span(_power(row.power_w).rjust(6), GPU)],
    }


# From the richest line to the barest: which fields, whether memory is short, bars.
_FORMS: tuple[tuple[tuple[str, ...], bool, int], ...] = (
    (("label", "ulabel", "ubar", "util", "mlabel", "mbar", "memory", "temp", "power"), False, 2),
    (("label", "util", "mlabel", "mbar", "memory", "temp", "power"), False, 1),
    (("label", "util", "mlabel", "mbar", "memory", "temp", "power"), True, 1),
    (("label", "util", "mlabel", "mbar", "memory", "temp"), True, 1),
    (("label", "util", "mlabel", "mbar", "memory"), True, 1),
    (("label", "util", "memory", "temp"), True, 0),
    (("label", "util", "memory"), True, 0),
)


class _Form(NamedTuple):
    fields: tuple[str, ...]
    short: bool
    bar_sizes: tuple[int, ...]


@functools.lru_cache(maxsize=64)  # (keyed by the run's job: bounded for `run --forever`)
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
    shown = max(0, min(len(rows), region.height - (1 if view.gpus_hidden else 0)))
    label_width = max((len(r.label) for r in rows), default=0)
    form = _form(view.job, region.width, label_width)
    for i, row in enumerate(rows[:shown]):
        if form is None:
            region.put(i, 0, row.label, GPU)
        else:
            region.put_spans(i, 0, _line(row, view.job, form, label_width))
    used = shown
    if view.gpus_hidden:
        region.put(used, 0, view.gpus_hidden, MUTED)
        used += 1
    free = region.height - used
    if shown < len(rows) or free < 3:
        return
    # The process table takes a rule, a header and a line per process (or one saying
    # there is none); a history a rule and a sparkline per GPU line.
    # A history goes in when the full table still fits below it, or when at least three
    # processes still show (nvitop scrolls its table; the history tells more than the rest).
    processes = 2 + min(3, max(1, len(view.processes)))
    for series in ("utilization", "power"):
        if free - processes >= shown + 1:
            _history(region.sub(Rect(used, 0, 1 + shown, region.width)), view, series)
            used, free = used + 1 + shown, free - 1 - shown
    _processes(region.sub(Rect(used, 0, region.height - used, region.width)), view)


def _rule(region: Region, row: int, title: str) -> None:
    text = f"─ {title} "
    region.put(row, 0, text + "─" * max(0, region.width - len(text)), MUTED)


def _history(region: Region, view: View, series: str) -> None:
    """Each GPU line's utilization or power at the frames so far, newest at the right
    (utilization on 0-100 %, power on 0 to the board's limit, or the node's)."""
    span = fmt.hours_minutes(view.history_seconds) if view.history_seconds else "now"
    _rule(region, 0, f"{series}, last {span}")
    rows = view.gpus
    label_width = max((len(r.label) for r in rows), default=0)
    width = region.width - label_width - 1
    if width <= 0:
        return
    per_node = len(rows) < view.job.gpus
    limit = view.job.power_limit_w * (8 if per_node else 1)
    for i, row in enumerate(rows):
        region.put(1 + i, 0, row.label.ljust(label_width), GPU)
        values, top = (row.history, 100) if series == "utilization" else (row.power_history, limit)
        samples = values[-width:]
        line = "".join(_EIGHTHS[max(0, min(8, round(v * 8 / top)))] for v in samples)
        region.put(1 + i, label_width + 1 + width - len(samples), line, BAR)


def _processes(region: Region, view: View) -> None:
    """nvitop's process table, narrowed to the pane: the command gets what is left."""
    _rule(region, 0, "processes")
    user = max([4, *(len(p.user) for p in view.processes)])
    columns = [("GPU", 3), ("PID", 7), ("USER", user), ("GPU-MEM", 8), ("%SM", 3), ("TIME", 8)]
    while columns and sum(w + 1 for _, w in columns) + 16 > region.width:
        columns.pop()  # TIME, then %SM, ... go first: the command needs room
    col = 0
    for name, width in columns:
        region.put(1, col, name.rjust(width) if name != "USER" else name.ljust(width), LABEL)
        col += width + 1
    region.put(1, col, "COMMAND", LABEL)
    if not view.processes:
        region.put(2, 0, "No running processes found", MUTED)
        return
    for i, process in enumerate(view.processes[: max(0, region.height - 2)]):
        cells = _process_cells(process)
        col = 0
        for name, width in columns:
            text = cells[name]
            region.put(2 + i, col, text.ljust(width) if name == "USER" else text.rjust(width),
                       VALUE if name == "%SM" else GPU if name == "GPU" else PLAIN)  # fmt: skip
            col += width + 1
        region.put(2 + i, col, process.command[: max(0, region.width - col)], MUTED)


def _process_cells(process: Process) -> dict[str, str]:
    hours, rest = divmod(round(process.seconds), 3600)
    days, hours = divmod(hours, 24)
    time = (
        f"{days}-{hours:02d}:{rest // 60:02d}"
        if days
        else f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    )
    return {
        "GPU": str(process.gpu),
        "PID": str(process.pid),
        "USER": process.user,
        "GPU-MEM": f"{process.memory_gib:.1f}GiB"
        if process.memory_gib < 100
        else f"{process.memory_gib:.0f}GiB",
        "%SM": str(process.sm),
        "TIME": time[-8:],
    }
