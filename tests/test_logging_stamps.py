"""torchtitan's per-line stamp (`common.LoggingStamps`) is Python logging's `%(asctime)s`
of the run's start plus the line's time, as the datetime module adds and formats it: the
offset rounded to the microsecond as `timedelta(seconds=t)` rounds a float (half to even
on ties), the milliseconds truncated as logging's `msecs` truncates them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.generator.dialects.common import (
    LoggingStamps,
    clock_second,
    logging_stamp,
    micros,
    seconds_stamp,
)

times = st.one_of(
    st.floats(-2e5, 1e8, allow_nan=False),
    # dyadic fractions: 1e6 x j/128 ends in .5 for odd j, the tie timedelta breaks to even
    st.integers(-(10**9), 10**12).map(lambda j: j / 128),
    st.integers(0, 10**13).map(lambda j: j / 1e6),  # decimal microseconds, as a clock sums
)
starts = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=-7, minutes=-30))]),
)


def stamp(moment: datetime) -> str:
    """logging.Formatter's default asctime: time.strftime("%Y-%m-%d %H:%M:%S") and
    `%s,%03d` % (that, msecs) (Lib/logging/__init__.py, formatTime and default_msec_format)."""
    return "%s,%03d" % (moment.strftime("%Y-%m-%d %H:%M:%S"), moment.microsecond // 1000)  # noqa: UP031


@settings(max_examples=800)
@given(start=starts, seconds=st.lists(times, min_size=1, max_size=8))
def test_the_stamp_is_loggings_of_start_plus_the_time(
    start: datetime, seconds: list[float]
) -> None:
    stamps = LoggingStamps()
    for t in seconds:
        assert stamps.at(start, t) == stamp(start + timedelta(seconds=t)), t
    moved = start + timedelta(seconds=97.5)  # a relaunch's clock: a new origin
    assert stamps.at(moved, seconds[0]) == stamp(moved + timedelta(seconds=seconds[0]))


@settings(max_examples=800)
@given(
    start=starts,
    first=times,
    steps=st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=1, max_size=12),
)
def test_stamps_a_moment_apart_and_their_seconds(
    start: datetime, first: float, steps: list[float]
) -> None:
    """Lines a few milliseconds apart (a save's, a step's) share their stamp's text up to
    the milliseconds, which is made once a second; each stamp's `second` is the second the
    log's clock reads from it (common.clock_second), which a line hands on (base.Line.at)."""
    stamps, t = LoggingStamps(), first
    for step in [0.0, *steps]:
        t += step
        moment = start + timedelta(seconds=t)
        assert stamps.at(start, t) == stamp(moment), t
        assert stamps.second == clock_second(moment), t


@settings(max_examples=300)
@given(start=starts, seconds=st.lists(times, min_size=1, max_size=6), again=st.lists(st.booleans()))
def test_logging_stamp_of_a_moment_again_and_of_the_next(
    start: datetime, seconds: list[float], again: list[bool]
) -> None:
    """common.logging_stamp (HF's and DeepSpeed's lines) is logging's stamp of its moment,
    whether the moment is the datetime it stamped last (kept) or another."""
    moments = [start + timedelta(seconds=t) for t in seconds]
    for index, moment in enumerate(moments):
        assert logging_stamp(moment) == stamp(moment)
        if index < len(again) and again[index]:
            assert logging_stamp(moment) == stamp(moment)


@settings(max_examples=800)
@given(seconds=times)
def test_micros_is_timedeltas_rounding(seconds: float) -> None:
    assert micros(seconds) == timedelta(seconds=seconds) // timedelta(microseconds=1)


@settings(max_examples=800)
@given(start=starts, seconds=st.lists(times, min_size=1, max_size=8))
def test_megatrons_seconds_stamp_is_the_stamps_first_19_characters(
    start: datetime, seconds: list[float]
) -> None:
    """Megatron's iteration line stamps `datetime.now().strftime('%Y-%m-%d %H:%M:%S')`
    (core_v0.14.0 megatron/training/training.py:1523): common.seconds_stamp of the moment,
    which the dialect takes from LoggingStamps, a thousand lines a run, without a datetime
    each."""
    stamps = LoggingStamps()
    for t in seconds:
        assert stamps.at(start, t)[:19] == seconds_stamp(start + timedelta(seconds=t)), t
