"""The log's clock (presenters/log_clock.py) reads a line's stamp with one regex whose first
character class lets the engine skip ahead, and remembers each dated stamp's second (issue
18's speed bar). Held here against the plain reading it replaced: the two stamp forms as
alternatives, searched in the same 96 columns (after a teed worker's `[default0]:`), every
field parsed anew at each line. Any
sequence of lines, stamped or not, gets the same answers and the same latest time."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.generator.presenters.log_clock import _STAMP, LogClock

PLAIN = re.compile(
    r"(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d):(\d\d)"  # a date and time
    r"|(?<![\w.])[EWIF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\."  # glog's
)


class PlainClock:
    """The reading before: each line's stamp searched for and parsed from its text."""

    def __init__(self, gap: float) -> None:
        self.gap, self._year = gap, 0
        self.latest: float | None = None

    def moved_on(self, line: str) -> bool:
        start = len("[default0]:") if line.startswith("[default") else 0  # torchrun's tee header
        match = PLAIN.search(line, start, start + 96)
        if match is None:
            return False
        day, hour, minute, second, month, mday, *glog = match.groups()
        if day is not None:
            self._year = int(day[:4])
            t = _day(self._year, int(day[5:7]), int(day[8:]))
        elif self._year:
            hour, minute, second = glog
            t = _day(self._year, int(month), int(mday))
            if self.latest is not None and t < self.latest - 183 * 86400:
                t = _day(self._year + 1, int(month), int(mday))
        else:
            return False
        if t == float("-inf"):
            return False
        t += int(hour) * 3600 + int(minute) * 60 + int(second)
        latest = self.latest
        if latest is None or t > latest:
            self.latest = t
        return latest is not None and t - latest >= self.gap


def _day(year: int, month: int, mday: int) -> float:
    try:
        return float(date(year, month, mday).toordinal() * 86400)
    except ValueError:
        return float("-inf")


# Lines near a stamp's shape: digits (an Arabic-Indic one too: \d is Unicode's), the glog
# letters and their neighbours, the separators, word characters and dots before a letter.
PIECES = st.sampled_from(
    ["2026-03-02 12:45:33", "2025-12-31T23:59:59", "2026-02-30 01:02:03", "E0302 12:45:34.",
     "W1231 23:59:59.", "I0101 00:00:07.", "F1301 00:00:00.", "[", "]", " ", ".", "x", "E",
     "W", "I", "F", "T", "-", ":", "0", "1", "2", "9", "١", "rank3", "node-000: ", "12:00:00",
     "[default0]:", "a" * 40]
)  # fmt: skip
LINES = st.lists(st.lists(PIECES, max_size=12).map("".join), max_size=30)


@settings(max_examples=300, deadline=None)
@given(LINES, st.sampled_from([0.5, 1.0, 30.0]))
def test_the_clock_reads_every_line_as_the_plain_reading_does(lines: list[str], gap: float) -> None:
    clock, plain = LogClock(gap), PlainClock(gap)
    for line in lines:
        assert clock.moved_on(line) == plain.moved_on(line), line
        assert clock.latest == plain.latest, line


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_the_stamp_is_found_where_the_plain_search_finds_it(line: str) -> None:
    ours, plain = _STAMP.search(line, 0, 96), PLAIN.search(line, 0, 96)
    assert (ours and ours.span()) == (plain and plain.span())


def test_a_stamp_a_second_or_more_past_the_latest_moves_the_clock_on() -> None:
    clock = LogClock(1.0)
    assert not clock.moved_on("[2026-03-02 12:45:33,702] [INFO] [engine.py:1] a")
    assert not clock.moved_on("[2026-03-02 12:45:33,990] [INFO] [engine.py:1] b")
    assert clock.moved_on("node-000: [E0302 12:45:35.123456789 ProcessGroupNCCL.cpp:1] c")
    assert not clock.moved_on("no stamp here 12:45:59")
