"""The log tail: the last lines the log layout prints, cut (never wrapped) at the pane."""

from __future__ import annotations

from genact_cast.generator.dashboard.grid import HEADER, MUTED, Region, Span, spans_of
from genact_cast.generator.dashboard.view import View

ELLIPSIS = "…"


def title(view: View) -> list[Span]:
    return [Span("Log", HEADER)]


def draw(region: Region, view: View) -> None:
    lines = view.log[-region.height :] if region.height else []
    for row, line in enumerate(lines):
        spans = spans_of(line)
        end = region.put_spans(row, 0, spans)
        if end > region.width:
            region.put(row, region.width - 1, ELLIPSIS, MUTED)
