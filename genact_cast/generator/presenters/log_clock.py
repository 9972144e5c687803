"""The log's own clock, read from the stamps its lines print: where it moves on between two
lines a cast draws them apart, as a terminal showing the log would (review-tt16 T8: a
resume's checkpoint read between `Loading model from` and the Trainer's banner, two lines of
one event drawn at one moment though their stamps were 23 s apart).

Every framework dialect stamps its lines in one of two ways: a date and time (Python's
logging `%(asctime)s`, `2025-12-27 22:23:30,684`; Megatron's `datetime: 2026-02-16
11:54:21`; DeepSpeed's `[2026-01-16 08:39:56,057]`), or glog's month, day and time without a
year (torch's C++ and torchrun's lines, `E1227 22:22:26.069684680`), which takes the year of
the last dated line."""

from __future__ import annotations

import re
from datetime import date

# A stamp lies near a line's start, after a rank, host or logger tag: 96 columns are read,
# after torchrun's tee header where a teed worker's line has one (`[default7]:`, Megatron
# past 8 nodes, dialects/megatron_tee.py), which pushes Megatron's `datetime:` markers on.
_HEAD = 96
_TEE = "[default"
_TEE_HEADER = len("[default0]:")
# Either stamp starts with a digit or a glog letter, read first as one class: the regex engine
# then skips in C to the next such character, instead of trying both stamps at every column
# (every line of a framework log is searched: a fifth of a dialect's record, issue 18's speed
# bar). The same matches as the two stamps as alternatives (tests/test_log_clock_reads.py).
_STAMP = re.compile(
    r"([\dEWIF])(?:"
    r"(?<=\d)(\d{3}-\d\d-\d\d)[ T](\d\d):(\d\d):(\d\d)"  # a date and time
    r"|(?<=[EWIF])(?<![\w.].)(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\."  # glog's
    r")"
)
_DAY = 86400
_HALF_YEAR = 183 * _DAY


class LogClock:
    """The latest time the log's lines have printed, in seconds; `moved_on(line)` says
    whether a line's stamp is `gap` seconds or more past it."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self.latest: float | None = None
        # The last dated line's year: 0 before any, None where a line handed its second on
        # (`moved_on_at`), whose year is read from `_year_second` when a glog stamp asks.
        self._year: int | None = 0
        self._year_second = 0.0
        self._days: dict[tuple[int, int, int], float] = {}  # a date's first second
        self._dated: dict[str, tuple[int, float]] = {}  # a dated stamp's year and second
        # a glog stamp's day (its first second) and second of the day, in a year
        self._glog: dict[tuple[str, int], tuple[float, int]] = {}

    def moved_on(self, line: str) -> bool:
        start = _TEE_HEADER if line.startswith(_TEE) else 0
        match = _STAMP.search(line, start, start + _HEAD)
        if match is None:
            return False
        # A dated stamp's second, read once: a log prints many lines within one second.
        dated = self._dated.get(match.group())
        if dated is not None:
            self._year, t = dated
        else:
            first, day, hour, minute, second, month, mday, *glog = match.groups()
            if day is not None:
                year, month_, mday_ = int(first + day[:3]), int(day[4:6]), int(day[7:])
                self._year = year
                t = self._day(year, month_, mday_)
                if t != float("-inf"):
                    t += int(hour) * 3600 + int(minute) * 60 + int(second)
                self._dated[match.group()] = (year, t)
            elif self._year != 0:
                if self._year is None:
                    self._year = date.fromordinal(int(self._year_second // _DAY)).year
                # Read once a year, as a dated stamp is: a rank's dump or a watchdog's
                # lines print thousands of glog stamps, nearly all seen before.
                key = (match.group(), self._year)
                read = self._glog.get(key)
                if read is None:
                    hour, minute, second = glog
                    clock = int(hour) * 3600 + int(minute) * 60 + int(second)
                    read = self._glog[key] = (self._day(self._year, int(month), int(mday)), clock)
                day, clock = read
                if self.latest is not None and day < self.latest - _HALF_YEAR:
                    day = self._day(self._year + 1, int(month), int(mday))
                t = day + clock  # no day (-inf): none
            else:
                return False  # no year known yet: the first dated line sets it
        if t == float("-inf"):
            return False
        latest = self.latest
        if latest is None or t > latest:
            self.latest = t
        return latest is not None and t - latest >= self.gap

    def moved_on_at(self, t: float) -> bool:
        """`moved_on` for a line whose dated stamp prints second `t`, handed on with it."""
        self._year, self._year_second = None, t
        latest = self.latest
        if latest is None or t > latest:
            self.latest = t
        return latest is not None and t - latest >= self.gap

    def _day(self, year: int, month: int, mday: int) -> float:
        key = (year, month, mday)
        found = self._days.get(key)
        if found is None:
            try:
                found = float(date(year, month, mday).toordinal() * _DAY)
            except ValueError:  # not a date: no stamp
                found = float("-inf")
            self._days[key] = found
        return found
