"""The virtual clock: only `sleep` moves time, writes at one instant merge, nothing drifts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.asciicast import Event
from genact_cast.generator.tape import Tape


def recorded(speed: float = 1.0) -> tuple[Tape, list[Event]]:
    events: list[Event] = []
    return Tape(events.append, speed), events


def test_writes_at_one_instant_are_one_event_and_sleep_moves_the_clock() -> None:
    tape, events = recorded()
    tape.write("a")
    tape.line("b")
    tape.sleep(1.5)
    tape.write("c")
    tape.marker("M")
    tape.sleep(0.25)
    tape.flush()
    assert events == [
        Event(0, "o", "ab\r\n"),
        Event(1_500_000, "o", "c"),
        Event(1_500_000, "m", "M"),
    ]


def test_speed_divides_every_pause() -> None:
    tape, events = recorded(speed=4.0)
    tape.sleep(2.0)
    tape.write("x")
    tape.flush()
    assert events == [Event(500_000, "o", "x")]


def test_negative_sleeps_are_refused() -> None:
    tape, _ = recorded()
    with pytest.raises(ValueError, match="negative"):
        tape.sleep(-0.1)


@given(st.lists(st.floats(0, 10, allow_nan=False), max_size=300))
def test_many_small_sleeps_never_drift(pauses: list[float]) -> None:
    tape, events = recorded()
    for pause in pauses:
        tape.sleep(pause)
        tape.write(".")
    tape.flush()
    exact = sum(pauses)
    if events:
        assert abs(events[-1].time_us - exact * 1_000_000) <= 1  # one rounding, not one per sleep
    assert [e.time_us for e in events] == sorted(e.time_us for e in events)


def test_cursor_helpers_write_the_usual_sequences() -> None:
    tape, events = recorded()
    tape.cursor_up(3)
    tape.cursor_up(0)
    tape.erase_down()
    tape.flush()
    assert events == [Event(0, "o", "\x1b[3A\x1b[J")]


@given(
    st.lists(st.tuples(st.sampled_from(["", "a", " ", "\r\n> "]), st.floats(0, 2.0)), max_size=40),
    st.sampled_from([0.5, 1.0, 3.0]),
    st.booleans(),
)
def test_keystrokes_are_writes_and_sleeps(
    typed: list[tuple[str, float]], speed: float, pending: bool
) -> None:
    """The typing loop's shortcut gives the events, clock and sleep total of one write and
    one sleep a key (text already written goes out with the first key)."""
    tape, events = recorded(speed)
    reference, expected = recorded(speed)
    for each in (tape, reference):
        each.sleep(0.3)
        if pending:
            each.write("$ ")
    tape.keystrokes([key for key, _ in typed], [delay for _, delay in typed])
    for key, delay in typed:
        reference.write(key)
        reference.sleep(delay)
    for each in (tape, reference):
        each.write("\r\n")
        each.flush()
    assert events == expected
    assert tape.slept == reference.slept
