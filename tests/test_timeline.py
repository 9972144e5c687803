"""The pure schedule: idle limits, speed, pauses and seeks, never drifting."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.asciicast import Event
from genact_cast.player.timeline import PlaybackClock, limit_idle, limit_idle_batches

times = st.lists(st.integers(0, 10**9), max_size=50).map(sorted)


@given(times, st.floats(0.01, 100))
def test_idle_limit_caps_every_gap_and_keeps_the_short_ones(raw: list[int], limit: float) -> None:
    events = [Event(t, "o", "x") for t in raw]
    out = [e.time_us for e in limit_idle(events, limit)]
    cap = round(limit * 1_000_000)
    before = [0, *raw]
    after = [0, *out]
    for (a, b), (c, d) in zip(itertools.pairwise(before), itertools.pairwise(after), strict=True):
        assert d - c == min(b - a, cap)


@given(times, st.floats(0.01, 1000), st.floats(0, 1e6))
def test_due_times_scale_with_speed_from_one_anchor(
    raw: list[int], speed: float, start: float
) -> None:
    clock = PlaybackClock(speed, start)
    for t in raw:
        assert abs(clock.due(t) - (start + t / 1e6 / speed)) < 1e-6 * max(1.0, start)


@given(st.floats(0.1, 10), st.floats(0.1, 10), st.floats(0, 100), st.floats(0, 100))
def test_speed_changes_keep_the_position(s1: float, s2: float, t1: float, dt: float) -> None:
    clock = PlaybackClock(s1, 0.0)
    before = clock.position(t1)
    clock.set_speed(s2, t1)
    assert abs(clock.position(t1) - before) <= 1
    assert abs(clock.position(t1 + dt) - (before + dt * s2 * 1e6)) <= 2


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100))
def test_pause_holds_the_position_and_resume_continues(
    t1: float, paused_for: float, dt: float
) -> None:
    clock = PlaybackClock(2.0, 0.0)
    clock.pause(t1)
    held = clock.position(t1 + paused_for)
    assert clock.paused
    assert clock.due(held + 1) == float("inf")
    clock.resume(t1 + paused_for)
    assert abs(clock.position(t1 + paused_for + dt) - (held + dt * 2e6)) <= 2


def test_jump_continues_from_the_new_position() -> None:
    clock = PlaybackClock(1.0, 100.0)
    clock.jump(5_000_000, 200.0)
    assert clock.due(6_000_000) == 201.0


@given(
    st.lists(st.integers(0, 10**7), max_size=30),
    st.lists(st.integers(0, 30), max_size=4),
    st.sampled_from([None, 0.5, 2.0]),
)
def test_idle_limit_over_lists_is_the_same_however_the_events_are_cut(
    gaps: list[int], cuts: list[int], limit: float | None
) -> None:
    times = list(itertools.accumulate(gaps))
    events = [Event(t, "o", str(i)) for i, t in enumerate(times)]
    edges = [0, *sorted(min(c, len(events)) for c in cuts), len(events)]
    batches = [events[a:b] for a, b in itertools.pairwise(edges)]
    flat = [e for batch in limit_idle_batches(batches, limit) for e in batch]
    assert flat == list(limit_idle(events, limit))
