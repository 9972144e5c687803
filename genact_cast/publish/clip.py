"""Which part of a cast an export shows, and how fast: the options `embed`, `record`'s
exports and the docs' directives share (--speed, --fps, --idle-time-limit, --start-at,
--end-at), checked once where they are given."""

from __future__ import annotations

import math
from dataclasses import dataclass

from genact_cast.errors import BadOption
from genact_cast.limits import MAX_CAST_SECONDS
from genact_cast.numbers import plain_float

LABEL_PREFIX = "label:"  # --start-at label:5 is the marker labelled 5, not 5 seconds


@dataclass(frozen=True)
class Clip:
    """Which part of a cast is shown, and how fast."""

    speed: float = 1.0
    fps: float = 30.0
    idle_time_limit: float | None = None
    start_at: str | None = None  # seconds, or a marker's label
    end_at: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.speed) and self.speed > 0):
            raise BadOption(f"--speed must be above 0 (got {self.speed})")
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise BadOption(f"--fps must be above 0 (got {self.fps})")
        limit = self.idle_time_limit
        if limit is not None and not (math.isfinite(limit) and limit > 0):
            raise BadOption(f"--idle-time-limit must be above 0 (got {limit})")
        start = seconds_or_label(self.start_at, "--start-at")
        end = seconds_or_label(self.end_at, "--end-at")
        if isinstance(start, float) and isinstance(end, float) and end <= start:
            raise BadOption(f"--end-at ({end:g}) must come after --start-at ({start:g})")
        if isinstance(start, str) and start == end:
            raise BadOption(
                f"--start-at and --end-at name the same marker ({start!r}): the clip would be "
                "empty; give --end-at the next marker's label or a time"
            )


def seconds_or_label(text: str | None, option: str) -> float | str | None:
    """A time in seconds, or the label of a marker (anything that is not a number, or
    anything after `label:`, so that a label such as `5` or `nan` can be chosen)."""
    if text is None:
        return None
    if text.startswith(LABEL_PREFIX):
        return text[len(LABEL_PREFIX) :]
    value = plain_float(text)  # a plain ASCII number (numbers.py); anything else a label
    if value is None:
        return text
    if not (math.isfinite(value) and 0 <= value <= MAX_CAST_SECONDS):
        raise BadOption(
            f"{option} must be from 0 to {MAX_CAST_SECONDS:g} seconds, or a marker label "
            f"(got {text!r})"
        )
    return value
