"""A dialect hands each line's stamp time on with its text (base.Line.at / Above.at), and the
log's clock takes it instead of searching the text (issue 18's speed bar). Held here against
the text itself: beside the presenter's clock runs a second one that reads every line's
stamp from what the terminal is sent, as the presenter did before; after each line handed
on with its time, both clocks stand at the same latest time and call for the same pauses.
A time that is not the one the stamp prints, or a line marked UNSTAMPED whose text has a
stamp the clock reads, fails here."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.errors import GenactCastError
from genact_cast.generator import RecordOptions, write_cast
from genact_cast.generator.dialects.base import UNSTAMPED, Above, Line, Out
from genact_cast.generator.presenters import framework
from genact_cast.generator.presenters.log_clock import LogClock

FRAMEWORKS = ("torchtitan", "megatron", "deepspeed", "hf")
EMIT = framework.FrameworkLog._emit


def _checked(seen: dict[str, int]) -> Any:
    """FrameworkLog._emit with a reading clock beside the presenter's own."""
    emit = EMIT

    def checking(self: framework.FrameworkLog, outs: Sequence[Out]) -> None:
        reader: LogClock = self.__dict__.setdefault("_reader", LogClock(framework.LOG_GAP))
        for out in outs:
            if type(out) is Line or type(out) is Above:
                lines = out.text.split("\r\n") if type(out) is Line else [out.text]
                pauses = sum(reader.moved_on(line) for line in lines)
                before = self._clock.latest
                emit(self, [out])
                if out.at is None:
                    continue  # read from its text by both
                seen["carried" if out.at != UNSTAMPED else "unstamped"] += 1
                carried = int(self._clock.latest != before and _moved(before, self._clock))
                assert (reader.latest, pauses) == (self._clock.latest, carried), (
                    f"{out.text[:120]!r} at {out.at}: read {reader.latest} ({pauses} pauses), "
                    f"carried {self._clock.latest}"
                )
            else:
                emit(self, [out])  # a bar: no clock reads it

    return checking


def _moved(before: float | None, clock: LogClock) -> bool:
    """Whether the carried line called for a pause: its second `gap` or more past `before`."""
    return before is not None and clock.latest is not None and clock.latest - before >= clock.gap


def _record(monkeypatch: pytest.MonkeyPatch, **options: Any) -> dict[str, int]:
    seen = {"carried": 0, "unstamped": 0}
    # (a context of its own: hypothesis runs many records in one test's monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(framework.FrameworkLog, "_emit", _checked(seen))
        # (a framework refusing the run prints nothing to check)
        with contextlib.suppress(GenactCastError):
            write_cast(RecordOptions(**options), 2, lambda chunk: None)
    return seen


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_the_review_run_hands_on_the_times_its_stamps_print(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The review's configuration (scripts/bench_record.py REVIEW_ARGS), where most lines
    are saves' and steps': most of them carry their time."""
    seen = _record(
        monkeypatch,
        seed=42441,
        framework=name,
        model="Llama-3.1-8B",
        kind="pretrain",
        gpus=16,
        failures=1,
        duration=180.0,
    )
    assert seen["carried"] + seen["unstamped"] > 500, seen


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**20),
    name=st.sampled_from(FRAMEWORKS),
    failures=st.sampled_from([0, 1, 2, 3]),
    kind=st.sampled_from(["pretrain", "sft", None]),
    duration=st.sampled_from([30.0, 180.0, 900.0]),
)
def test_any_run_hands_on_the_times_its_stamps_print(
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    name: str,
    failures: int,
    kind: str | None,
    duration: float,
) -> None:
    more: dict[str, Any] = {} if kind is None else {"kind": kind}
    _record(monkeypatch, seed=seed, framework=name, failures=failures, duration=duration, **more)
