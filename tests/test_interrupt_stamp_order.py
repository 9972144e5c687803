"""torchrun's answer to the viewer's Ctrl-C is stamped after every line the terminal showed
before it, in each dialect whose workers stamp their lines (issue 18): the agent prints its
`Received 2 death signal` once the key comes, after the lines the processes printed. A
torchtitan Ctrl-C at the launch was stamped `15:45:34.306` under rank 0's `15:45:39,220`
(seed 4202), an HF one four minutes before the Trainer's last line (seed 7)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.test_launcher_interrupts import lines_of, stopped
from tests.test_log_time_playback import stamped


def latest_and_answer(framework: str, seed: int, asks: int) -> tuple[datetime, datetime]:
    before, after = stopped(framework, seed, asks)
    shown = stamped([(0, before)])
    # the answer's glog stamp takes the year of the last dated line shown
    answer = stamped([(0, before + "\r\n" + lines_of(after)[0].removeprefix("^C"))])
    assert len(answer) == len(shown) + 1, lines_of(after)[0]
    return max(when for when, _, _ in shown), answer[-1][0]


@pytest.mark.parametrize(
    ("framework", "seed", "asks"),
    [
        ("torchtitan", 4202, 0),
        ("torchtitan", 4202, 3),
        ("hf", 4202, 0),
        ("hf", 7, 0),
        ("hf", 4203, 12),
    ],
)
def test_the_answer_comes_after_the_lines_shown(framework: str, seed: int, asks: int) -> None:
    latest, answered = latest_and_answer(framework, seed, asks)
    assert answered >= latest, (latest, answered)
