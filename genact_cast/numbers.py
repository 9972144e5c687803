"""Numbers on the command line: plain ASCII decimals, read by one parser for every option.

Python's `float()` and `int()` also take other scripts' digits (`٣` is 3), underscores
(`1_0` is 10) and spaces around the number (` 5`), and `str.isdigit()` takes superscripts
(`²`) that `int()` then refuses: none is what a user means by a number on a command line, and
the first three are invisible in most terminals. So an option's number is, everywhere:

- a whole number (`--cols`, `--seed`, `--fps-cap`, `--size 12`...): ASCII digits with an
  optional sign, nothing else (no `0x10`, no `1e3`, no `1_000`);
- a real number (`--speed`, `--at`, `--idle-time-limit`, `--duration`, `--start-at`...):
  the same, with an optional fraction and exponent (`2`, `0.5`, `.5`, `1e-3`), or `nan` or
  `inf`, which each option's range then refuses by name.

Where a time may also be a marker's label (`--start-at`, `--end-at`), anything that is not
such a number is a label. The command line's option types (option_types.py) use these.
"""

from __future__ import annotations

import re

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)",
    re.IGNORECASE,
)


def plain_int(text: str) -> int | None:
    """`text` as a whole number, or None when it is not plain ASCII digits."""
    return int(text) if _INT.fullmatch(text) else None


def plain_float(text: str) -> float | None:
    """`text` as a real number, or None when it is not a plain ASCII decimal."""
    return float(text) if _FLOAT.fullmatch(text) else None


def shown(value: float, spec: str = "g") -> str:
    """A number for a message: past a float's range (`1e400` is read as infinity) it is
    "a number too large", not "inf", which the user did not type (review-attack11 finding 5)."""
    if value == float("inf"):
        return "a number too large"
    if value == float("-inf"):
        return "a number too small"
    return format(value, spec)
