"""Where each pane goes, for a terminal of a given size.

```
title bar (2 rows)
╭ Loss ──────────────────╮╭ GPUs ────────╮
│                        ││              │
╰────────────────────────╯│              │
╭ Throughput ────────────╮╰──────────────╯
│                        │╭ NCCL ────────╮
╰────────────────────────╯╰──────────────╯
╭ Log ────────────────────────────────────╮
╰─────────────────────────────────────────╯
```

The last column stays blank (as in the log layout), so nothing ever wraps.
"""

import math
from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.generator.dashboard.grid import Rect

MIN_COLS, MIN_ROWS = 80, 24
TITLE_ROWS = 2


class Layout(NamedTuple):
    cols: int
    rows: int
    title: Rect
    loss: Rect
    throughput: Rect
    gpus: Rect
    nccl: Rect
    log: Rect

    def panes(self) -> dict[str, Rect]:
        return {
            "title": self.title,
            "loss": self.loss,
            "throughput": self.throughput,
            "gpus": self.gpus,
            "nccl": self.nccl,
            "log": self.log,
        }


def check_size(cols: int, rows: int) -> None:
    if cols < MIN_COLS or rows < MIN_ROWS:
        raise BadOption(
            f"the dashboard layout needs a terminal of at least {MIN_COLS}x{MIN_ROWS} "
            f"(got {cols}x{rows}); use --layout log or a larger --cols/--rows"
        )


# What drawing the dashboard costs, measured as CPU time of `record --layout dashboard
# --seed 1`: 100x30 took 0.26 s for 60 s of cast and 2.32 s for 3600 s; 1000x200 took 1.31 s
# for 60 s and 4.89 s for 600 s (49.9 s for 7211 s). A frame comes every 2.5 s of cast
# and costs about 1.5 ms plus 0.077 µs a cell, the 1.5 ms being about 20,000 cells' worth;
# a day at 1000x200 would take about 10 minutes of CPU (hours on a loaded machine). The
# limit lets a day at up to 200x50 through (a minute or two) and holds every larger size
# to the same work.
FRAME_COST_CELLS = 20_000
MAX_DRAWN_CELL_FRAMES = 34_560 * (200 * 50 + FRAME_COST_CELLS)  # 86,400 s / 2.5 s frames


def check_cost(cols: int, rows: int, duration: float | None) -> None:
    """One line when a dashboard cast of `duration` seconds would take too long to draw
    (None: the run's own length, a few minutes)."""
    if duration is None:
        return
    from genact_cast.generator.dashboard.presenter import FRAME_GAP

    per_frame = cols * rows + FRAME_COST_CELLS
    longest = MAX_DRAWN_CELL_FRAMES / per_frame * FRAME_GAP
    if duration > longest:
        raise BadOption(
            f"--layout dashboard draws a {cols}x{rows} frame every {FRAME_GAP:g} s of cast: "
            f"at this size --duration is at most {math.floor(longest)} s (the work of a day "
            f"at 200x50; got {duration:g}); use fewer --cols/--rows or --layout log"
        )


def layout_for(cols: int, rows: int) -> Layout:
    check_size(cols, rows)
    width = cols - 1
    log_height = max(6, rows // 4)
    middle = rows - TITLE_ROWS - log_height
    right = min(96, max(34, round(width * 0.4)))
    left = width - right
    throughput = max(6, middle // 3)
    nccl = 6  # four collectives: FSDP all-gather, reduce-scatter, TP RS + AG, exposed
    top = TITLE_ROWS
    return Layout(
        cols=cols,
        rows=rows,
        title=Rect(0, 0, TITLE_ROWS, width),
        loss=Rect(top, 0, middle - throughput, left),
        throughput=Rect(top + middle - throughput, 0, throughput, left),
        gpus=Rect(top, left, middle - nccl, right),
        nccl=Rect(top + middle - nccl, left, nccl, right),
        log=Rect(rows - log_height, 0, log_height, width),
    )
