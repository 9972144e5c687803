"""What a user can ask of a generated run, checked before any work is done."""

import math
from datetime import datetime
from typing import NamedTuple

from genact_cast.errors import BadOption
from genact_cast.limits import MAX_CAST_SECONDS, MAX_DRAWN_CELLS
from genact_cast.numbers import plain_int
from genact_cast.numbers import shown as shown_number

MAX_SEED_DIGITS = 20
MAX_SEED = 10**MAX_SEED_DIGITS - 1
MIN_COLS, MAX_COLS = 60, 1000
MIN_ROWS, MAX_ROWS = 20, 500
# A run shorter than a second is no run (1e-300 s gave a cast of 0.000 s and exit 0).
MIN_DURATION, MAX_DURATION = 1.0, 24 * 3600.0
MIN_SPEED, MAX_SPEED = 0.01, 1000.0
KINDS = ("pretrain", "continue", "sft")
METHODS = ("full", "lora", "qlora")  # how a fine-tune trains (generator/lora.py)
FRAMEWORKS = ("genact", "torchtitan", "megatron", "deepspeed", "hf")
LAYOUTS = ("log", "dashboard")
# The most any run here can expect: 2,048 GPUs for two months at one failure per 50,000
# GPU-hours (Llama 3 405B: 419 in 54 days on 16,384 GPUs) is about 60; the plan holds a
# pinned count to what its own GPUs and hours make plausible.
MAX_FAILURES = 64
EARLIEST_START, LATEST_START = 2020, 2100  # years
CLUSTER_SIZES = tuple(8 * nodes for nodes in (1, 2, 4, 8, 16, 32, 64, 128, 256))


class RecordOptions(NamedTuple):
    seed: int
    duration: float | None = None
    speed: float = 1.0
    cols: int = 100
    rows: int = 30
    model: str | None = None
    gpus: int | None = None
    gpu: str | None = None
    dataset: str | None = None
    color: bool = True
    start: datetime | None = None
    title: str | None = None
    idle_time_limit: float | None = None
    theme: str | None = None
    prompt: bool = True
    kind: str | None = None
    failures: int | None = None
    framework: str = "genact"
    layout: str = "log"
    method: str | None = None
    # NCCL_DEBUG=INFO in the job's environment: None draws it (RunPlan.nccl_debug)
    nccl_debug: bool | None = None

    def check(self) -> None:
        """Raise `BadOption` naming the first value that cannot work."""
        if self.seed < 0:
            raise BadOption(f"--seed must be zero or positive (got {self.seed})")
        if self.seed > MAX_SEED:  # it goes into the title: 4,300 digits made no title
            raise BadOption(f"--seed must be at most {MAX_SEED_DIGITS} digits")
        # Values shown to 15 digits: 86400.0000001 was shown as the bound itself, 86400.
        if self.duration is not None and not (MIN_DURATION <= self.duration <= MAX_DURATION):
            raise BadOption(
                f"--duration must be from {MIN_DURATION:g} to {MAX_DURATION:.0f} seconds "
                f"(got {shown_number(self.duration, '.15g')})"
            )
        if not (math.isfinite(self.speed) and MIN_SPEED <= self.speed <= MAX_SPEED):
            raise BadOption(
                f"--speed must be from {MIN_SPEED:g} to {MAX_SPEED:g} "
                f"(got {shown_number(self.speed, '.15g')})"
            )
        if not MIN_COLS <= self.cols <= MAX_COLS:
            raise BadOption(f"--cols must be from {MIN_COLS} to {MAX_COLS} (got {self.cols})")
        if not MIN_ROWS <= self.rows <= MAX_ROWS:
            raise BadOption(f"--rows must be from {MIN_ROWS} to {MAX_ROWS} (got {self.rows})")
        if self.cols * self.rows > MAX_DRAWN_CELLS:
            # The exporters' limit (limits.py): a bigger cast could be written but not drawn.
            raise BadOption(
                f"--cols {self.cols} --rows {self.rows} make {self.cols * self.rows:,} cells; "
                f"the exports draw at most {MAX_DRAWN_CELLS:,} (cols x rows, e.g. 500x400)"
            )
        if self.gpus is not None and self.gpus not in CLUSTER_SIZES:
            sizes = ", ".join(str(n) for n in CLUSTER_SIZES)
            raise BadOption(f"--gpus must be one of {sizes} (8 per node; got {self.gpus})")
        if self.kind is not None and self.kind not in KINDS:
            raise BadOption(f"--kind must be one of {', '.join(KINDS)} (got {self.kind!r})")
        if self.method is not None and self.method not in METHODS:
            raise BadOption(f"--method must be one of {', '.join(METHODS)} (got {self.method!r})")
        if self.method in ("lora", "qlora") and self.kind not in (None, "sft"):
            raise BadOption(
                f"--method {self.method} trains adapters for a fine-tune: use --kind sft "
                f"(got --kind {self.kind})"
            )
        if self.failures is not None and not 0 <= self.failures <= MAX_FAILURES:
            raise BadOption(
                f"--failures must be auto or from 0 to {MAX_FAILURES} (got {self.failures})"
            )
        if self.framework not in FRAMEWORKS:
            raise BadOption(
                f"--framework must be one of {', '.join(FRAMEWORKS)} (got {self.framework!r})"
            )
        if self.layout not in LAYOUTS:
            raise BadOption(f"--layout must be one of {', '.join(LAYOUTS)} (got {self.layout!r})")
        if self.layout == "dashboard" and self.framework != "genact":
            # The dashboard's log pane shows genact's own log; a framework's log is printed
            # as the framework prints it, to the whole terminal.
            raise BadOption(
                f"--framework {self.framework} prints the log layout; "
                "--layout dashboard shows genact's own log (choose one)"
            )
        if self.layout == "dashboard":
            from genact_cast.generator.dashboard.layout import check_cost, check_size

            check_size(self.cols, self.rows)
            check_cost(self.cols, self.rows, self.duration)
        if self.start is not None and not EARLIEST_START <= self.start.year < LATEST_START:
            raise BadOption(
                f"--start must be a time from {EARLIEST_START} to {LATEST_START - 1} "
                f"(got {self.start.isoformat()})"
            )
        if self.idle_time_limit is not None and not (
            math.isfinite(self.idle_time_limit) and 0 < self.idle_time_limit <= MAX_CAST_SECONDS
        ):
            raise BadOption(  # (the reader refuses a cast whose limit is over it, so record does)
                f"--idle-time-limit must be a number above 0, at most {MAX_CAST_SECONDS:g} "
                f"(got {self.idle_time_limit:.15g})"
            )


def parse_nccl_debug(text: str) -> bool | None:
    """`--nccl-debug`: auto (None: drawn from the seed), on or off."""
    value = text.strip().lower()
    if value not in NCCL_DEBUG_CHOICES:
        raise BadOption(f"--nccl-debug must be auto, on or off (got {text!r})")
    return NCCL_DEBUG_CHOICES[value]


NCCL_DEBUG_CHOICES: dict[str, bool | None] = {"auto": None, "on": True, "off": False}


def parse_failures(text: str) -> int | None:
    """`--failures`: auto (None: drawn from the run's GPU-hours) or a whole number."""
    if text.strip().lower() == "auto":
        return None
    count = plain_int(text)  # ASCII digits only, as every number option
    if count is None:
        raise BadOption(f"--failures must be auto or a whole number (got {text!r})")
    if not 0 <= count <= MAX_FAILURES:
        raise BadOption(f"--failures must be auto or from 0 to {MAX_FAILURES} (got {count})")
    return count
