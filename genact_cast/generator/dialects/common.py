"""Number and time formats the frameworks share: Python's float repr, logging and glog stamps."""

from __future__ import annotations

import functools
import math
import struct
from datetime import datetime, timedelta
from typing import Any


def py_float(value: float) -> str:
    """`repr(value)` of a finite float, as Python-side loggers print floats (DeepSpeed's
    `lr=[...]`, the Trainer's dicts): the fewest digits that read back as the same double.

    CPython's own repr (float_repr_style 'short', David Gay's shortest round-trip digits,
    Python/dtoa.c; the same text on 3.10-3.13): an explicit search for those digits with
    %e and %g texts, which it replaced, gave the same text on 400,000 doubles and cost 4-5
    times as much, on two floats of each of a Trainer's thousand or more lines.
    An integer (a token count) is printed as the float it becomes, as `%g` formats it."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite float: {value}")
    return repr(number)


def float32(value: float) -> float:
    """`value` rounded to single precision, as a float32 tensor's `.item()` returns it."""
    packed: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return packed


def rounded(value: float, digits: int) -> float:
    """`round(value, digits)` through the decimal text, so no platform rounding leaks in."""
    return float(f"{value:.{digits}f}")


_FIXED = ("%.0f", "%.1f", "%.2f", "%.3f", "%.4f")


def py_rounded(value: float, digits: int) -> str:
    """`py_float(rounded(value, digits))`, the repr of a value rounded to `digits` places (the
    Trainer's `round(loss, 4)`), from the one fixed-point text: a third of the work, and HF
    logs two on each of its thousand or more lines.

    The text's digits, less trailing zeros, are the repr's where it has at most 15
    significant digits (two decimals of 15 digits or fewer never read back as the same
    double, so no shorter one does) and repr lays it out in fixed point (1e-4 and up: the
    least nonzero value of 4 places is 0.0001). Anything else goes the long way."""
    if 0 < digits <= 4 and -1e10 < value < 1e10:
        text = (_FIXED[digits] % value).rstrip("0")
        return text + "0" if text[-1] == "." else text  # repr's `2.0`, `-0.0`
    return py_float(rounded(value, digits))


def logging_stamp(moment: datetime) -> str:
    """Python logging's default `%(asctime)s`: 2025-06-16 22:30:50,322."""
    # The last moment's stamp again where the same datetime comes back: the Trainer's and
    # DeepSpeed's lines of one save or evaluation share theirs (two in three of HF's and
    # DeepSpeed's calls at seed 42441). Identity, not equality: a cache keyed by an aware
    # datetime costs its utcoffset() at each lookup.
    if moment is _LAST_STAMP[0]:
        last: str = _LAST_STAMP[1]
        return last
    # isoformat's fields, zero-padded as %Y-%m-%d %H:%M:%S pads them, with the milliseconds
    # truncated as `msecs` is: a few times faster than strftime, and a log stamps thousands
    # of lines.
    text = moment.isoformat(" ", "milliseconds")
    stamp = f"{text[:19]},{text[20:23]}"
    _LAST_STAMP[:] = moment, stamp
    return stamp


_LAST_STAMP: list[Any] = [None, ""]  # the last (moment, stamp) of logging_stamp


class LoggingStamps:
    """`logging_stamp(start + timedelta(seconds=t))` for the lines of one log, put together
    from the offset in microseconds as `timedelta` rounds it (`micros`), each day's date
    text made once, and tables of two- and three-digit fields. A run's log stamps thousands
    of lines, most in a minute not seen before: building a timedelta and a datetime for
    each and formatting it cost 19k instructions a line (callgrind), this 8k."""

    def __init__(self) -> None:
        self._start: datetime | None = None
        self._midnight = datetime.min  # the start's day, without its zone
        self._ordinal = 0  # its proleptic Gregorian ordinal
        # The last stamp's second, as the log's clock reads it (clock_second): the time a
        # line hands on with its text (base.Line.at).
        self.second = 0.0
        self._origin = 0  # the start's microseconds into its day
        self._days: dict[int, str] = {}  # days after the start's: `YYYY-MM-DD `
        self._two, self._three = _fields()
        self._whole: int | None = None  # the last stamp's seconds since the start's midnight
        self._head = ""  # and its text up to the milliseconds

    def at(self, start: datetime, t: float) -> str:
        if start is not self._start:  # a dialect moves its clock's origin (a relaunch)
            self._start, self._days = start, {}
            self._midnight = start.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
            self._ordinal = self._midnight.toordinal()
            seconds = (start.hour * 60 + start.minute) * 60 + start.second
            self._origin = seconds * 1_000_000 + start.microsecond
            self._whole = None
        # micros(t), inline: a call costs a fifth of the whole
        fraction, whole = math.modf(t)
        offset = int(whole) * 1_000_000
        if fraction:
            left, whole_us = math.modf(1e6 * fraction)
            offset += int(whole_us)
            if left > 0.5 or (left == 0.5 and offset & 1):
                offset += 1
            elif left < -0.5 or (left == -0.5 and offset & 1):
                offset -= 1
        # seconds since the start's midnight: a stamp in the second of the last one (a save's
        # lines, a step's) reuses its text up to the milliseconds
        seconds, micro = divmod(self._origin + offset, 1_000_000)
        if seconds != self._whole:
            self._whole = seconds
            day, second = divmod(seconds, 86_400)
            date = self._days.get(day)
            if date is None:
                date = self._days[day] = f"{(self._midnight + timedelta(days=day)).date()} "
            self.second = float((self._ordinal + day) * 86_400 + second)
            minute, second = divmod(second, 60)
            hour, minute = divmod(minute, 60)
            two = self._two
            self._head = f"{date}{two[hour]}:{two[minute]}:{two[second]},"
        return self._head + self._three[micro // 1000]


@functools.cache  # made by the first log that stamps: genact's own log never does
def _fields() -> tuple[list[str], list[str]]:
    """Two-digit fields 00-59 and three-digit 000-999."""
    return [f"{n:02d}" for n in range(60)], [f"{n:03d}" for n in range(1000)]


def micros(seconds: float) -> int:
    """`timedelta(seconds=seconds)` in microseconds, rounded as CPython's delta_new rounds a
    float (Modules/_datetimemodule.c, `accum` and delta_new, unchanged from 3.10 to 3.13):
    the whole seconds exactly, then the fraction times 1e6 split again, and what is left
    below the microsecond rounded half to even of the microseconds so far."""
    fraction, whole = math.modf(seconds)
    total = int(whole) * 1_000_000
    if not fraction:
        return total
    left, whole_us = math.modf(1e6 * fraction)
    total += int(whole_us)
    # C's round() of what is left (within ±1), ties to the even total
    if left > 0.5 or (left == 0.5 and total & 1):
        total += 1
    elif left < -0.5 or (left == -0.5 and total & 1):
        total -= 1
    return total


def clock_second(moment: datetime) -> float:
    """The second a stamp of `moment` prints (its date and whole second, in its own zone),
    as presenters/log_clock.py reads a dated stamp: handed on with a line (base.Line.at)."""
    return float(
        moment.toordinal() * 86_400 + (moment.hour * 60 + moment.minute) * 60 + moment.second
    )


def seconds_stamp(moment: datetime) -> str:
    """`%Y-%m-%d %H:%M:%S`, from isoformat's fields (see logging_stamp)."""
    return moment.isoformat(" ", "seconds")[:19]


def glog_stamp(level: str, moment: datetime) -> str:
    """torchrun's glog-style prefix stamp: W1125 19:44:46.787000 (milliseconds, then 000)."""
    return f"{level}{moment:%m%d %H:%M:%S}.{moment.microsecond // 1000:03d}000"


def cpp_stamp(level: str, moment: datetime, nanos: int) -> str:
    """c10's C++ log stamp: E1206 18:44:12.715298746 (month and day unpadded, nanoseconds).

    `nanos` supplies the digits below the microsecond, which `datetime` does not hold.
    """
    fraction = f"{moment.microsecond:06d}{nanos % 1000:03d}"
    return f"{level}{moment.month}{moment.day:02d} {moment:%H:%M:%S}.{fraction}"
