"""Feedback on long work: a line on stderr (rich) while it runs, when stderr is a terminal.

Used where work takes seconds to minutes with nothing else to show: a live recording (as
long as the run it records), a GIF being drawn, `record` making a long cast. Nothing is
written when stderr is a file or a pipe, so logs and scripts see only the one line each
command prints at the end.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def working(what: str, *, expected: float | None = None) -> Iterator[None]:
    """`what`, a spinner and the time so far; with `expected` seconds, a bar filling up to it."""
    if sys.stderr is None or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn(what)]
    if expected is not None:
        columns.append(BarColumn())
        columns.append(TextColumn(f"of about {expected:,.0f} s"))
    columns.append(TimeElapsedColumn())
    done = threading.Event()
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=expected)
        started = time.monotonic()

        def follow() -> None:
            while not done.wait(0.25):
                bar.update(task, completed=min(time.monotonic() - started, expected or 0.0))

        if expected is not None:
            threading.Thread(target=follow, name="genact-cast-progress", daemon=True).start()
        try:
            yield
        finally:
            done.set()


SHOW_AFTER_SECONDS = 1.0  # shorter work goes without: a bar that flashes is only noise


class Reached:
    """How far through a run of `total` seconds the cast being made has got, on stderr when
    it is a terminal and once the work has taken a second: `record --layout dashboard` of a
    day runs about a minute. Call it with each event's time; `close` when done."""

    def __init__(self, what: str, total: float) -> None:
        self._what, self._total = what, total
        self._shown = sys.stderr is not None and sys.stderr.isatty()
        self._started = time.monotonic()
        self._next = self._started + SHOW_AFTER_SECONDS
        self._bar: Any = None
        self._task: Any = None

    @property
    def shown(self) -> bool:
        """Whether it may show anything (stderr is a terminal): else calling it does nothing."""
        return self._shown

    def __call__(self, seconds: float) -> None:
        if not self._shown:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + 0.1  # (rich redraws at 10 Hz: no need to tell it more often)
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn(self._what), BarColumn(),
                TextColumn("{task.completed:,.0f} of {task.total:,.0f} s of the run"),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._bar.start()
            self._task = self._bar.add_task(self._what, total=self._total)
        self._bar.update(self._task, completed=min(seconds, self._total))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
