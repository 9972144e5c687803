"""Feedback on long work: a line on stderr (rich) while it runs, when stderr is a terminal.

Used where work takes seconds to minutes with nothing else to show: a live recording (as
long as the run it records) and agg drawing a GIF. Nothing is written when stderr is a
file or a pipe, so logs and scripts see only the one line each command prints at the end.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator


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
