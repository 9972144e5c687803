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


def layout_for(cols: int, rows: int) -> Layout:
    check_size(cols, rows)
    width = cols - 1
    log_height = max(6, rows // 4)
    middle = rows - TITLE_ROWS - log_height
    right = min(96, max(34, round(width * 0.4)))
    left = width - right
    throughput = max(6, middle // 3)
    nccl = 6  # four collectives: FSDP all-gather, reduce-scatter, TP all-reduce, exposed
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
