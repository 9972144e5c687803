"""A cast's events follow the log's own time: two lines whose stamps lie a second or more
apart are never drawn at one moment, in any framework dialect (review-tt16 T8: an HF
resume's `Loading model from ./out/checkpoint-N.` and `***** Running training *****` were
stamped 23 s apart, the checkpoint's read between them, and appeared in one event).

The stamps are read here as each format prints them, apart from the presenter's own reader
(presenters/log_clock.py): Python logging's `%(asctime)s` (`2025-12-27 22:23:30,684`, the
Trainer's, torchtitan's and DeepSpeed's lines), Megatron's `datetime: 2026-02-16 11:54:21`
and `[2026-02-16 11:59:20] iteration`, and glog's `E1227 22:22:26.069684680` (torch's C++
and torchrun's lines, no year: the last dated line's)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, generate

ASCTIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:[,.]\d+)?")
GLOG = re.compile(r"(?:^|[\]: ^])[IWEF](\d\d)(\d\d) (\d\d:\d\d:\d\d)\.\d{6,9} ")
FRAMEWORKS = ("torchtitan", "hf", "megatron", "deepspeed")


def stamped(events: list[tuple[int, str]]) -> list[tuple[datetime, int, str]]:
    """Each stamped line of the cast's output with the time (µs) of the event drawing it."""
    out: list[tuple[datetime, int, str]] = []
    year = 0
    for time_us, data in events:
        for line in data.replace("\r\n", "\n").split("\n"):
            head = line[:120]
            found = ASCTIME.search(head)
            if found:
                when = datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S")
                year = when.year
                out.append((when, time_us, line))
                continue
            glog = GLOG.search(head)
            if glog and year:
                text = f"{year}-{glog[1]}-{glog[2]} {glog[3]}"
                out.append((datetime.strptime(text, "%Y-%m-%d %H:%M:%S"), time_us, line))
    return out


def drawn_together(options: RecordOptions) -> list[tuple[float, str, str]]:
    """Pairs of lines, each stamped two seconds or more past every line before it (a
    second or more apart however the stamps round), drawn in the same event."""
    cast = generate(options)
    events = [(e.time_us, e.data) for e in cast.events if e.code == "o"]
    found = []
    latest: tuple[datetime, int, str] | None = None
    for when, time_us, line in stamped(events):
        apart = latest is not None and (when - latest[0]).total_seconds() >= 2
        if latest is not None and apart and time_us <= latest[1]:
            found.append(((when - latest[0]).total_seconds(), latest[2], line))
        if latest is None or when >= latest[0]:
            latest = (when, time_us, line)
    return found


# Resumes, saves, evaluations and the start-up of each dialect: runs with two failures,
# pre-training and fine-tunes, one node to many (review-tt16 T8's seed first).
SEEDS = [
    ("hf", 42100, 100),
    ("hf", 42300, 80),
    ("hf", 42303, 160),
    ("deepspeed", 42300, 80),
    ("deepspeed", 42306, 160),
    ("torchtitan", 42302, 80),
    ("torchtitan", 42309, 160),
    ("megatron", 42302, 160),
]


@pytest.mark.parametrize(("framework", "seed", "cols"), SEEDS)
def test_lines_stamped_apart_are_drawn_apart(framework: str, seed: int, cols: int) -> None:
    options = RecordOptions(seed=seed, framework=framework, failures=2, cols=cols)
    assert drawn_together(options) == []


def test_the_resume_read_is_drawn_between_its_two_lines() -> None:
    """review-tt16 T8's own case: seed 42100's resumes, the read between the two lines."""
    cast = generate(RecordOptions(seed=42100, framework="hf", failures=2))
    events = [(e.time_us, e.data) for e in cast.events if e.code == "o"]
    lines = stamped(events)
    loads = [i for i, (_, _, line) in enumerate(lines) if "Loading model from" in line]
    assert loads
    for i in loads:
        running = next(j for j in range(i, len(lines)) if "Running training" in lines[j][2])
        assert lines[running][1] > lines[i][1], lines[i][2]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    framework=st.sampled_from(FRAMEWORKS),
    seed=st.integers(0, 2**20),
    failures=st.integers(0, 2),
)
def test_any_run_draws_its_log_in_its_own_time(framework: str, seed: int, failures: int) -> None:
    options = RecordOptions(seed=seed, framework=framework, failures=failures)
    try:
        found = drawn_together(options)
    except SeedRefused:
        return  # a run the framework's release cannot make
    assert found == []
