"""The one in-memory model of a recording: every reader makes it, every sink takes it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

MICROS = 1_000_000

OUTPUT = "o"
INPUT = "i"
MARKER = "m"
RESIZE = "r"
EXIT = "x"


class Event(NamedTuple):
    """One event, `time_us` microseconds after the recording started.

    Whole microseconds (the precision of every asciicast writer) keep time exact:
    no float sums drift, and formatting is the same on every machine.
    """

    time_us: int
    code: str
    data: str

    @property
    def time(self) -> float:
        return self.time_us / MICROS


class Theme(NamedTuple):
    fg: str
    bg: str
    palette: tuple[str, ...]


class Header(NamedTuple):
    cols: int
    rows: int
    version: int = 2
    timestamp: int | None = None
    idle_time_limit: float | None = None
    command: str | None = None
    title: str | None = None
    term_type: str | None = None
    env: Mapping[str, str] = MappingProxyType({})
    theme: Theme | None = None
    # The header's theme as written when it is not a valid one (players ignore it; the
    # exporters refuse it, naming the field), else None.
    rejected_theme: object = None


class Cast(NamedTuple):
    header: Header
    events: Iterable[Event]


def micros(seconds: float) -> int:
    """Seconds as whole microseconds, rounded half to even like every float round."""
    return round(seconds * MICROS)


def format_seconds(time_us: int) -> str:
    """Seconds with up to six decimals, written out explicitly (never float repr).

    >>> format_seconds(1_500_000), format_seconds(3_000_000), format_seconds(1)
    ('1.5', '3.0', '0.000001')
    """
    if time_us < 0:
        raise ValueError(f"negative time: {time_us} us")
    whole, fraction = divmod(time_us, MICROS)
    decimals = f"{fraction:06d}".rstrip("0") or "0"
    return f"{whole}.{decimals}"
