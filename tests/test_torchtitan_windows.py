"""torchtitan v0.2.0's tps is its own clock's (review-tt12 N1, N2): components/metrics.py:398-402
divides the tokens this rank trained since the last logged line by `perf_counter()` since it,
times non_data_parallel_size, and resets both only where it logs (:451-453, :484-486). The
line is logged at once, so the log's own stamps give every window: the printed tps times
the seconds between two lines times tp x pp is the window's tokens, whatever the window
holds (a checkpoint save, train.py:611-613, comes after the step's log and so in the next
window). The check reads the steps, stamps and tps from the cast; only the tokens a step
gives one rank (local_batch_size x seq_len) and the mesh's tp x pp come from the run."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.torchtitan import Log
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.presenters.dialect_pacing import logging_interval
from tests.release_catalogue import cast_lines

STAMPED = re.compile(r"\[titan\] (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - root - \w+ - (.*)$")
STEP = re.compile(r"step: +(\d+)  .*tps: ([\d,]+)  tflops")
VALIDATE = re.compile(r"validate step: +(\d+)  ")
STARTS = re.compile(r"Training starts at step (\d+)")
FINISHED = re.compile(r"Finished saving .*in ([\d.]+) seconds\.")


class Window(NamedTuple):
    step: int
    printed: float
    clock: float  # the tps the stamps give
    seconds: float
    saved: float  # the seconds a checkpoint save inside the window states (0: none)
    validation: bool = False  # a validation line's window (its batches' tokens added)
    # The job's own window runs from its previous logged line: the stamps show it only where
    # the cast shows that line too (consecutive lines of a group, a launch's first line).
    whole: bool = True


def windows(options: RecordOptions) -> list[Window]:
    plan = make_plan(options)
    facts = facts_for(plan)
    per_step = facts.micro_batch * facts.grad_accum * facts.seq_len
    # validate.py:99-108: each of `validation.steps` batches adds its labels' numel
    interval = logging_interval(plan)
    log = Log(facts, color=False, interval=interval)
    batch, seq_len = log.validation_shape()
    validation = log.validation_steps() * batch * seq_len
    found: list[Window] = []
    last: tuple[int, datetime] | None = None
    built: datetime | None = None
    resume = 0
    saved = 0.0
    for text in cast_lines(options._replace(cols=1000, color=False)):
        stamped = STAMPED.search(text)
        if stamped is None:
            continue
        moment = datetime.strptime(stamped[1], "%Y-%m-%d %H:%M:%S,%f")
        message = stamped[2]
        if message.startswith("CUDA capacity: "):  # a launch builds its MetricsProcessor
            built, last, saved = moment, None, 0.0
        elif starts := STARTS.match(message):
            resume = int(starts[1]) - 1
        elif finished := FINISHED.match(message):
            saved += float(finished[1])
        elif validate := VALIDATE.match(message):
            assert last is not None
            since_step, since = last
            seconds = (moment - since).total_seconds()
            tokens = (int(validate[1]) - since_step) * per_step + validation
            clock = tokens / (seconds * facts.tp * facts.pp)
            printed = float(message.rsplit("tps: ", 1)[1].replace(",", ""))
            found.append(Window(int(validate[1]), printed, clock, seconds, saved, True))
            last, saved = (int(validate[1]), moment), 0.0
        elif step := STEP.match(message):
            begun = last if last is not None else (resume, built)
            assert begun[1] is not None
            seconds = (moment - begun[1]).total_seconds()
            clock = (int(step[1]) - begun[0]) * per_step / (seconds * facts.tp * facts.pp)
            printed = float(step[2].replace(",", ""))
            whole = last is None or int(step[1]) - begun[0] <= interval
            found.append(Window(int(step[1]), printed, clock, seconds, saved, whole=whole))
            last, saved = (int(step[1]), moment), 0.0
    return found


# Scout on 256 nodes with saves of 10-12 s in 54 s windows and two restarts (review-tt12's
# 8408 vs); Qwen3-30B-A3B with a restart (its 8402 vm); a 405B on PP x TP; one node.
RUNS = [
    RecordOptions(seed=8408, framework="torchtitan", model="Llama-4-Scout-17B-16E", failures=2),
    RecordOptions(seed=8402, framework="torchtitan", model="Qwen3-30B-A3B", failures=1),
    RecordOptions(seed=8400, framework="torchtitan"),
    RecordOptions(seed=8455, framework="torchtitan", gpus=8, failures=1),
]


@pytest.mark.parametrize("options", RUNS, ids=lambda o: f"{o.seed}-{o.model}")
def test_every_steps_tps_is_its_windows_tokens_over_the_stamps_between(
    options: RecordOptions,
) -> None:
    found = [w for w in windows(options) if w.whole]
    assert len(found) > 20
    for window in found:
        # round() on the printed side; the stamps' milliseconds are truncated at both ends
        slack = 0.5 + window.clock * 0.002 / window.seconds
        assert abs(window.printed - window.clock) <= slack, window


def test_the_window_after_a_save_holds_the_save() -> None:
    """train.py:611-625 logs the step, then saves (then validates, where it does): the next
    line's window holds the save's seconds, and its tps is lower by their share (8408:
    11.3 s in a window of 54 s). Left out, the tps would be off by more than its rounding."""
    found = windows(RUNS[0])
    after = [w for w in found if w.saved and w.whole]
    assert len(after) >= 3
    for window in after:
        assert window.saved < window.seconds, window
        without = window.clock * window.seconds / (window.seconds - window.saved)
        assert without - window.printed > 0.5 + without * 0.002 / window.seconds, window


@pytest.mark.parametrize("options", RUNS[:3], ids=lambda o: f"{o.seed}-{o.model}")
def test_every_validations_tps_counts_the_batches_each_rank_validates(
    options: RecordOptions,
) -> None:
    """log_validation (metrics.py:456-486): the validator's batches on this rank (as at step
    1), the training steps since the last line, over the stamps between (review-tt12 N3:
    on 64 and 256 nodes later validations counted the held-out set over the ranks, less
    than the one batch each rank validates)."""
    checked = [w for w in windows(options) if w.validation]
    assert len(checked) >= 2
    for window in checked:
        slack = 0.5 + window.clock * 0.002 / window.seconds
        assert abs(window.printed - window.clock) <= slack, window
