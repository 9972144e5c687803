"""review-tt11 finding 7: the Trainer's progress bar after a resume. transformers 4.57.1's
ProgressCallback makes `tqdm(total=state.max_steps, dynamic_ncols=True)` at on_train_begin
with current_step = 0 (trainer_callback.py:648-649) and on_step_end updates it by
`state.global_step - self.current_step` (:653): a resumed run's bar starts at 0, its first
update jumps past the resume step, and tqdm 4.67.1's smoothed rate (std.py's EMA, smoothing
0.3) shows that jump as a fast rate that relaxes to the steady one over some 20 steps.
Read from the cast's bars."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, generate, make_plan
from tests.helpers import output_of, plain

BAR = re.compile(r"^\s*\d+%\|[^|]*\| (\d+)/(\d+) \[([\d:]+)<([^,\]]+), +([?\d.]+)(s/it|it/s)\]$")


def per_second(value: str, unit: str) -> float:
    return float(value) if unit == "it/s" else 1 / float(value)


@pytest.mark.parametrize(
    "options",
    [
        # (8204: 8201's LoRA fault struck before its first save, so it started over, once
        # cross-node rings ran over all of a node's NICs, review-realism15 C2)
        RecordOptions(seed=8204, framework="hf", method="lora", failures=1),
        RecordOptions(seed=8202, framework="hf", failures=2),
    ],
)
def test_a_resumed_bar_starts_at_zero_and_its_rate_forgets_the_jump(
    options: RecordOptions,
) -> None:
    text = plain(output_of(generate(options._replace(cols=120, color=False)).events))
    found = list(re.finditer(r"Continuing training from global step (\d+)", text))
    assert found
    resume = int(found[-1][1])
    rows = re.split(r"\r\n|\r|\n", text[found[-1].end() :])
    first = next(row for row in rows if "%|" in row)
    assert re.search(r"\| 0/\d+ \[00:00<\?, \?it/s\]$", first), first
    bars = [
        (int(m[1]), per_second(m[5], m[6])) for row in rows if (m := BAR.match(row)) and m[5] != "?"
    ]
    # the run's own pace (the bar closing the run takes in its last save and evaluation: in
    # the date window of N10 8202's shows 4.70 s/it over steps of 4.09 s)
    steady = 1 / make_plan(options).step_seconds
    early = [rate for step, rate in bars if step <= resume + 10]
    late = [rate for step, rate in bars if resume + 30 <= step <= resume + 200]
    assert early
    assert late
    assert early[0] > 2 * steady
    assert all(rate == pytest.approx(steady, rel=0.1) for rate in late)
