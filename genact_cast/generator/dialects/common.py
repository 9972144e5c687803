"""Number and time formats the frameworks share: Python's float repr, logging and glog stamps."""

from __future__ import annotations

import functools
import math
import struct
import sys
from datetime import datetime, timedelta


def py_float(value: float) -> str:
    """`repr(value)` for a finite float, built explicitly from the shortest round-trip digits.

    Python-side loggers print floats by repr (DeepSpeed's `lr=[...]`, the Trainer's dicts);
    the digits are the fewest that read back as the same double, as repr does.
    """
    if 1e-4 <= abs(value) < 1e15:
        # Most of what a log prints (and most of it new: no cache), so first: repr lays these
        # out in fixed point, as %g does at every precision up to 17 here, and %g drops the
        # trailing zeros. When 15 significant digits read back they are the fewest (see
        # _nonzero), less their zeros: %.15g's text, with repr's `.0` on a whole number.
        text = f"{value:.15g}"
        if float(text) == value:
            return text if "." in text else text + ".0"
        if math.frexp(value)[0] not in (0.5, -0.5):  # not a power of two: see _nonzero
            # 16 or 17 digits, with no trailing zero for %g to strip (15 did not read back)
            text = f"{value:.16g}"
            return text if float(text) == value else f"{value:.17g}"
    if not math.isfinite(value):
        raise ValueError(f"not a finite float: {value}")
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    return _nonzero(value)


_NORMAL = sys.float_info.min  # the smallest normal double


@functools.lru_cache(maxsize=1024)  # a log line often repeats a value (each group's lr)
def _nonzero(value: float) -> str:
    """py_float of a finite, nonzero value outside py_float's fixed-point case (the cache
    cannot tell 0.0 from -0.0)."""
    magnitude = abs(value)
    if _NORMAL <= magnitude < 1e-4 or magnitude >= 1e16:
        # repr's exponent layout is %e's (`1.5e-05`, `2e+16`): a fine-tune's learning rate.
        # The same digits as below, from %e at 15, 16, 17 significant digits.
        text = f"{value:.14e}"
        if float(text) == value:
            mantissa, exponent_text = text.split("e")
            return f"{mantissa.rstrip('0').rstrip('.')}e{exponent_text}"
        if math.frexp(value)[0] not in (0.5, -0.5):
            text = f"{value:.15e}"
            return text if float(text) == value else f"{value:.16e}"
    # The fewest digits that read back as `value`. Away from a power of two more digits never
    # stop round-tripping (the correctly rounded string is the closest at each length), so
    # a search over 1 to 17 significant digits finds them.
    text = f"{value:.14e}"
    fifteen = float(text) == value
    if fifteen and abs(value) >= _NORMAL:
        # 15 significant digits read back: the fewest are these, less their trailing
        # zeros. For a normal double 15-digit decimals lie further apart (1e-15 of the
        # value at least) than the doubles' rounding interval is wide (2.2e-16 at most),
        # so one at most reads back, even at a power of two. A subnormal's interval is
        # wider (5e-324 reads back from 4.94065645841247e-324): it takes the search below.
        mantissa, exponent_text = text.split("e")
        return _decimal(value, mantissa.rstrip("0").rstrip("."), int(exponent_text))
    low, high = 0, 16
    lopsided = math.frexp(value)[0] in (0.5, -0.5)  # a power of two: see below
    if fifteen:
        high = 14
    elif not lopsided:  # 16 or 17 digits, outside the fixed-point range above
        text = f"{value:.15e}"
        if float(text) == value:
            low = high = 15
        else:
            low, high, text = 16, 16, f"{value:.16e}"
    while low < high:
        middle = (low + high) // 2
        if float(f"{value:.{middle}e}") == value:
            high = middle
        else:
            low = middle + 1
    if fifteen or lopsided:
        text = f"{value:.{low}e}"
    # The correctly rounded string can miss where a neighbour one digit shorter would not:
    # at a power of two the doubles are closer below than above. Elsewhere the interval that
    # reads back as `value` is symmetric, and the correctly rounded string is the closest.
    while low > 0 and lopsided:
        shorter = _neighbour(value, low - 1)
        if shorter is None:
            break
        text, low = shorter, low - 1
    mantissa, exponent_text = text.split("e")
    return _decimal(value, mantissa, int(exponent_text))


def _decimal(value: float, mantissa: str, exponent: int) -> str:
    """repr's layout of `value`'s digits (`mantissa`, as '-1.25', and `exponent`)."""
    if not -4 <= exponent < 16:
        return f"{mantissa}e{exponent:+03d}"  # as %e lays the digits out (a learning rate)
    sign = "-" if value < 0 else ""
    digits = mantissa.lstrip("-").replace(".", "")
    if exponent >= 0:
        whole = digits[: exponent + 1].ljust(exponent + 1, "0")
        fraction = digits[exponent + 1 :] or "0"
    else:
        whole = "0"
        fraction = "0" * (-exponent - 1) + digits
    return f"{sign}{whole}.{fraction}"


def _neighbour(value: float, precision: int) -> str | None:
    """A `precision`-digit (after the point) string next to the correctly rounded one that
    reads back as `value`, the closest to it if both do; None if neither does."""
    mantissa, exponent = f"{value:.{precision}e}".split("e")
    sign = "-" if mantissa.startswith("-") else ""
    digits = int(mantissa.lstrip("-").replace(".", ""))
    # Distances in exact integers: a candidate is digits × 10^shift and |value| is
    # numerator / denominator, so both candidates share one denominator.
    numerator, denominator = abs(value).as_integer_ratio()
    shift = int(exponent) - precision
    found: list[tuple[int, str]] = []
    for candidate in (digits - 1, digits + 1):
        if not 10**precision <= candidate < 10 ** (precision + 1):
            continue
        head = str(candidate)
        text = f"{sign}{head[0]}{'.' + head[1:] if precision else ''}e{exponent}"
        if float(text) == value:
            if shift >= 0:
                distance = abs(candidate * 10**shift * denominator - numerator)
            else:
                distance = abs(candidate * denominator - numerator * 10**-shift)
            found.append((distance, text))
    return min(found)[1] if found else None


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
    # isoformat's fields, zero-padded as %Y-%m-%d %H:%M:%S pads them, with the milliseconds
    # truncated as `msecs` is: a few times faster than strftime, and a log stamps thousands
    # of lines (a cache keyed by an aware datetime costs its utcoffset() at each lookup).
    text = moment.isoformat(" ", "milliseconds")
    return f"{text[:19]},{text[20:23]}"


class LoggingStamps:
    """`logging_stamp(start + timedelta(seconds=t))` for the lines of one log, put together
    from the offset in microseconds as `timedelta` rounds it (`micros`), each day's date
    text made once, and tables of two- and three-digit fields. A run's log stamps thousands
    of lines, most in a minute not seen before: building a timedelta and a datetime for
    each and formatting it cost 19k instructions a line (callgrind), this 8k."""

    def __init__(self) -> None:
        self._start: datetime | None = None
        self._midnight = datetime.min  # the start's day, without its zone
        self._origin = 0  # the start's microseconds into its day
        self._days: dict[int, str] = {}  # days after the start's: `YYYY-MM-DD `
        self._two, self._three = _fields()

    def at(self, start: datetime, t: float) -> str:
        if start is not self._start:  # a dialect moves its clock's origin (a relaunch)
            self._start, self._days = start, {}
            self._midnight = start.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
            seconds = (start.hour * 60 + start.minute) * 60 + start.second
            self._origin = seconds * 1_000_000 + start.microsecond
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
        day, micro = divmod(self._origin + offset, 86_400_000_000)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = f"{(self._midnight + timedelta(days=day)).date()} "
        second, micro = divmod(micro, 1_000_000)
        minute, second = divmod(second, 60)
        hour, minute = divmod(minute, 60)
        two = self._two
        return f"{date}{two[hour]}:{two[minute]}:{two[second]},{self._three[micro // 1000]}"


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
