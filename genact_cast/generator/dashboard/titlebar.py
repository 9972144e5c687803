"""The title bar: the job and its cluster, then the clock, progress and ETA."""

from __future__ import annotations

from genact_cast.generator import style as fmt
from genact_cast.generator.dashboard.grid import (
    BAR,
    ERROR,
    GPU,
    HEADER,
    LABEL,
    MUTED,
    PLAIN,
    TIMESTAMP,
    VALUE,
    WARNING,
    Region,
    Span,
)
from genact_cast.generator.dashboard.view import View

_ALARMING = ("failed", "restarting")


def _width(spans: list[Span]) -> int:
    return sum(len(s.text) for s in spans)


def _fit(
    groups: list[list[Span]], width: int, sep: Span, order: list[int] | None = None
) -> list[Span]:
    """The groups joined by `sep`, leaving out groups until they fit: in `order` (indexes
    of the groups, least wanted first), or from the end. The first group always stays."""
    drop = list(order) if order is not None else list(range(len(groups) - 1, 0, -1))
    kept = list(range(len(groups)))
    while True:
        spans: list[Span] = []
        for i, index in enumerate(kept):
            if i:
                spans.append(sep)
            spans += groups[index]
        if _width(spans) <= width or not drop:
            return spans
        kept.remove(drop.pop(0))


def draw(region: Region, view: View) -> None:
    job, width = view.job, region.width
    sep = Span("  │  " if width >= 120 else " │ ", MUTED)
    phase_style = (
        ERROR if view.phase == "failed" else WARNING if view.phase in _ALARMING else HEADER
    )
    phase = [Span(view.phase.upper(), phase_style)]
    first = _fit(
        [
            [Span(job.model, VALUE)],
            [Span(job.kind, PLAIN)],
            [Span(job.framework, PLAIN)],
            [
                Span(f"{job.gpus}× {job.gpu_name}", GPU),
                Span(f" · {job.nodes} node{'s' if job.nodes > 1 else ''}", PLAIN),
            ],
            [Span(job.layout, PLAIN)],
        ],
        width - _width(phase) - 2,
        sep,
        order=[2, 4, 1, 3],  # framework, layout, kind, cluster
    )
    region.put_spans(0, 0, first)
    region.put_spans(0, width - _width(phase), phase)

    total = job.total_steps
    groups = [
        [Span(f"{view.clock:%Y-%m-%d %H:%M:%S}", TIMESTAMP)],
        [Span("step ", LABEL), Span(f"{view.step:,}/{total:,}", VALUE)],
        [Span("epoch ", LABEL), Span(f"{view.epoch}/{job.epochs}", VALUE)],
        [Span("ETA ", LABEL), Span(_eta(view.eta_seconds), VALUE)],
        [Span("elapsed ", LABEL), Span(fmt.elapsed(view.elapsed), VALUE)],
    ]
    second = _fit(groups, width, sep)
    col = region.put_spans(1, 0, second)
    # What is left of the line shows progress: a bar and a percentage.
    room = width - col - len(sep.text) - 5
    if room >= 10:
        done = max(0.0, min(1.0, view.step / total)) if total else 0.0
        filled = round(done * room)
        col = region.put_spans(
            1, col, [sep, Span("━" * filled, BAR), Span("─" * (room - filled), MUTED)]
        )
        region.put(1, col, f"{int(done * 100):>4}%", VALUE)


def _eta(seconds: float | None) -> str:
    return "--" if seconds is None else fmt.hours_minutes(seconds)
