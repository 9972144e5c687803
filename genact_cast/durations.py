"""Durations as people write them: '90', '90s', '2m30s', '2h10m', '1.5h'."""

from __future__ import annotations

import math
import re

from genact_cast.errors import BadOption
from genact_cast.numbers import plain_float

_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([hms])")  # ASCII digits only (numbers.py)
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}
_ORDERS = frozenset(("h", "m", "s", "hm", "hs", "ms", "hms"))


def parse_duration(text: str, option: str, *, most: float | None = None) -> float:
    """Seconds in `text`; a bare number is seconds. Past `most` (or a number too large for
    a float, `1e400`, `inf`) is refused naming the range; with no `most`, such a value is
    returned as infinity, for the caller's range check to name its range (review-attack10
    F5: it was called "not more than 0 seconds")."""
    spec = text.lower()
    plain = plain_float(spec)
    if plain is not None:
        seconds = plain
    else:
        parts = _PART.findall(spec)
        units = "".join(unit for _, unit in parts)
        # Each unit once, largest first: 5m5m or 30s2m is a slip, not 10 or 2.5 minutes.
        if not parts or "".join(n + u for n, u in parts) != spec or units not in _ORDERS:
            raise BadOption(
                f"{option} takes seconds or a duration like 90s, 2m30s or 2h10m (got {text!r})"
            ) from None
        seconds = sum(float(number) * _UNIT[unit] for number, unit in parts)
    if math.isnan(seconds):  # "nan": not a number of seconds at all
        raise BadOption(
            f"{option} takes seconds or a duration like 90s, 2m30s or 2h10m (got {text!r})"
        )
    if seconds <= 0:
        raise BadOption(f"{option} must be more than 0 seconds (got {text!r})")
    if most is not None and not seconds <= most:
        raise BadOption(f"{option} must be more than 0 seconds, at most {most:g} (got {text!r})")
    return seconds
