"""The log's lines for writes that end in the background (an async checkpoint's save), in the
order they were logged, and the saves a fast-forwarded epoch shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from genact_cast.generator import style as fmt
from genact_cast.generator.events import (
    CheckpointSaved,
    Failed,
    RunEvent,
    Trained,
)
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.style import Text


def log_written(show: Show, until: float) -> None:
    """Log the background writes that ended by `until`, the time of a section after the
    steps (a validation, a save, the export)."""
    state = show.state
    done = [item for item in state.writing if item[0] <= until]
    state.writing = [item for item in state.writing if item[0] > until]
    for line in in_order(done):
        show.con.print(line)


def saves_shown(
    events: Sequence[RunEvent], ticks: list[list[int]], logged: Callable[[int, Trained], bool]
) -> set[int]:
    """The saves worth a line (by id): the latest written between two step lines. In
    fast-forward a line for every save would drown the log; each still goes out when it
    happens, so the live block never runs ahead of a line logged before it. A save whose
    write had not ended when the next failure struck never completes and has no line
    (training_epoch drops it), so it cannot stand for its window: the save the restart
    resumes from, the last one written, is the one shown (seed 624 --duration 60: step
    14,500's write was cut by the fault in 14,501 and stood for 14,250's window, so the
    log resumed from a save it never showed)."""
    shown: set[int] = set()
    window_has_save = False
    span_index = len(ticks)
    fault: float | None = None  # when the next failure struck (None: none follows)
    for event in reversed(events):  # spans are cut at saves: a window ends at a step line
        if isinstance(event, Trained):
            span_index -= 1
            if any(logged(step, event) for step in ticks[span_index]):
                window_has_save = False
        elif isinstance(event, Failed):
            fault = event.t_fault
        elif isinstance(event, CheckpointSaved):
            if fault is not None and written_at(event) > fault:
                continue
            if not window_has_save:
                shown.add(id(event))
            window_has_save = True
    return shown


def written_at(event: CheckpointSaved) -> float:
    """When a save's write ended: training went on after `blocking`, the write took
    `seconds` from the end of the step it saves, after waiting for the one before."""
    return event.t - event.blocking + event.waited + event.seconds


def _seconds(value: float) -> str:
    """Seconds to the digits that make two saves' times tell apart: '0.23s', '41.7s'."""
    return f"{value:.2f}s" if value < 10 else f"{value:.1f}s"


def in_order(logged: list[tuple[float, list[Text]]]) -> list[Text]:
    """Lines as the log has them: by the time they were logged."""
    return [line for _, lines in sorted(logged, key=lambda item: item[0]) for line in lines]


def save_lines(show: Show, event: CheckpointSaved | None) -> list[tuple[float, list[Text]]]:
    if event is None:
        return []
    written = written_at(event)  # stamped when the write ended
    now, show.state.elapsed = show.state.elapsed, written
    waited = f" ({_seconds(event.waited)} waiting for the previous write)" if event.waited else ""
    lines = show.con.log_lines(
        f"[Checkpoint] Saved step {event.step} to {event.path}/ "
        f"({fmt.gigabytes(event.size_bytes)}, async: training blocked "
        f"{_seconds(event.blocking)}{waited}, written in {_seconds(event.seconds)})"
    )
    show.state.elapsed = now
    return [(written, lines)]
