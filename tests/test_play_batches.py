"""The batched player writes exactly what the filter gives event by event.

Playback joins the output events already due into one filter pass and one write; the
filter's promise that any split of a stream gives the same output makes that safe.
These tests hold the player to it, on the example casts through the real command, and
on generated casts (hostile sequences split anyhow) in process.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.asciicast import OUTPUT, Event
from genact_cast.player.playback import Playback
from genact_cast.player.sanitize import SafeFilter
from genact_cast.player.terminal import Terminal
from genact_cast.sources import open_cast
from tests.test_play_terminal import GENACT, ROOT
from tests.test_sanitize import fragments


def event_by_event(events: list[Event]) -> bytes:
    f = SafeFilter()
    out = [f.feed(e.data).encode("utf-8", "replace") for e in events if e.code == OUTPUT]
    return b"".join(out) + f.restore_sequence().encode()


@pytest.mark.parametrize("cast", sorted((ROOT / "casts").glob("*.cast")), ids=lambda p: p.name)
def test_the_player_writes_what_the_filter_gives_event_by_event(cast: Path) -> None:
    result = subprocess.run(
        [*GENACT, "play", "-s", "1000000000", str(cast)], capture_output=True, cwd=ROOT,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with open_cast(str(cast)) as reader:
        expected = event_by_event(list(reader.events()))
    assert result.stdout == expected


def play_in_process(events: list[Event]) -> bytes:
    with tempfile.TemporaryFile() as out:
        playback = Playback(Terminal(out.fileno(), None), speed=1e9)
        playback.play(events)
        playback.restore()
        out.seek(0)
        return out.read()


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(fragments, st.sampled_from(["o", "o", "o", "m", "r", "i"])), max_size=40))
def test_batches_of_any_shape_give_the_same_bytes(parts: list[tuple[list[str], str]]) -> None:
    events = [Event(i, code, "".join(data)) for i, (data, code) in enumerate(parts)]
    assert play_in_process(events) == event_by_event(events)


def test_a_large_cast_is_played_in_batches_with_the_same_bytes() -> None:
    events = [Event(i, OUTPUT, f"\x1b[1;3{i % 8}mline {i}\x1b[0m\r\n") for i in range(5000)]
    events[2500] = Event(2500, OUTPUT, "\x1b[?1049h\x1b]0;t\x07")
    assert play_in_process(events) == event_by_event(events)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(fragments, st.sampled_from(["o", "o", "m"])), max_size=30),
    st.lists(st.integers(0, 30), max_size=5),
)
def test_the_readers_lists_give_the_same_bytes(
    parts: list[tuple[list[str], str]], cuts: list[int]
) -> None:
    events = [Event(i, code, "".join(data)) for i, (data, code) in enumerate(parts)]
    edges = [0, *sorted(min(c, len(events)) for c in cuts), len(events)]
    batches = [events[a:b] for a, b in itertools.pairwise(edges)]
    with tempfile.TemporaryFile() as out:
        playback = Playback(Terminal(out.fileno(), None), speed=1e9)
        playback.play_batches(batches)
        playback.restore()
        out.seek(0)
        assert out.read() == event_by_event(events)
